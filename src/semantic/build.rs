//! One walk over the syntax tree that builds the [`Model`]: scopes, places, references, bindings.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use tree_sitter::{Node, Tree};

use crate::syntax::tree::{named_children, unparenthesize};

use super::{
    Binding, BindingKind, ImportStatement, MODULE_SCOPE, Model, NameRef, Place, Role, Scope,
    ScopeId, ScopeKind,
};

pub(super) struct Builder<'t> {
    text: &'t [u8],
    root: Node<'t>,
    scopes: Vec<Scope<'t>>,
    refs: Vec<NameRef<'t>>,
    bindings: Vec<Binding<'t>>,
    imports: Vec<ImportStatement<'t>>,
    statements: Vec<Node<'t>>,
    regions: Vec<(Range<usize>, Place)>,
    scope_of_node: HashMap<usize, ScopeId>,
    scope: ScopeId,
    place: Place,
    top: usize,
    /// Depth of compound statements between the module and the current statement.
    nesting: usize,
}

impl<'t> Builder<'t> {
    pub(super) fn new(tree: &'t Tree, text: &'t [u8]) -> Self {
        let root = tree.root_node();
        let module = Scope {
            kind: ScopeKind::Module,
            parent: None,
            node: root,
            place: Place::ImportTime,
            bound: HashSet::new(),
            globals: HashSet::new(),
            nonlocals: HashSet::new(),
        };
        Builder {
            text,
            root,
            scopes: vec![module],
            refs: Vec::new(),
            bindings: Vec::new(),
            imports: Vec::new(),
            statements: Vec::new(),
            regions: Vec::new(),
            scope_of_node: HashMap::new(),
            scope: MODULE_SCOPE,
            place: Place::ImportTime,
            top: 0,
            nesting: 0,
        }
    }

    pub(super) fn finish(mut self) -> Model<'t> {
        let mut cursor = self.root.walk();
        let children: Vec<Node<'t>> = self
            .root
            .named_children(&mut cursor)
            .filter(|n| n.kind() != "comment")
            .collect();
        for (index, child) in children.iter().enumerate() {
            self.top = index;
            self.statement(*child);
        }
        self.statements = children;
        self.regions.sort_by_key(|(range, _)| range.start);
        // Targets are visited after the values they receive; keep the promise of source order.
        self.refs.sort_by_key(|r| r.node.start_byte());
        self.bindings.sort_by_key(|b| b.offset);
        Model {
            text: self.text,
            root: self.root,
            scopes: self.scopes,
            refs: self.refs,
            bindings: self.bindings,
            imports: self.imports,
            statements: self.statements,
            regions: self.regions,
            scope_of_node: self.scope_of_node,
        }
    }

    fn text_of(&self, node: Node) -> &'t [u8] {
        &self.text[node.byte_range()]
    }

    // ---- statements -------------------------------------------------------------------------

    fn statement(&mut self, node: Node<'t>) {
        match node.kind() {
            "function_definition" => self.function_definition(node),
            "class_definition" => self.class_definition(node),
            "decorated_definition" => self.decorated_definition(node),
            "if_statement" => self.if_statement(node),
            "import_statement" => self.import_statement(node),
            "import_from_statement" | "future_import_statement" => self.import_from(node),
            "global_statement" | "nonlocal_statement" => self.declaration(node),
            "for_statement" => {
                self.nested(|b| {
                    b.expression_field(node, "right");
                    b.target_field(node, "left", Role::Store);
                    b.block_field(node, "body");
                    b.block_field(node, "alternative");
                });
            }
            "with_statement" => self.nested(|b| b.with_statement(node)),
            "try_statement" => self.nested(|b| b.try_statement(node)),
            "while_statement" => self.nested(|b| {
                b.expression_field(node, "condition");
                b.block_field(node, "body");
                b.block_field(node, "alternative");
            }),
            "match_statement" => self.nested(|b| b.match_statement(node)),
            "delete_statement" => {
                for child in named_children(node) {
                    self.target(child, Role::Del);
                }
            }
            "type_alias_statement" => {
                self.target_field(node, "left", Role::Store);
                self.expression_field(node, "right");
            }
            "block" | "else_clause" | "finally_clause" => self.block(node),
            "comment" => {}
            _ => self.expression_children(node),
        }
    }

    fn nested(&mut self, visit: impl FnOnce(&mut Self)) {
        self.nesting += 1;
        visit(self);
        self.nesting -= 1;
    }

    fn block(&mut self, node: Node<'t>) {
        for child in named_children(node) {
            self.statement(child);
        }
    }

    fn block_field(&mut self, node: Node<'t>, field: &str) {
        if let Some(child) = node.child_by_field_name(field) {
            self.statement(child);
        }
    }

    fn if_statement(&mut self, node: Node<'t>) {
        let condition = node.child_by_field_name("condition");
        let guard = condition.map(|c| self.classify_guard(c));
        self.nested(|b| match guard {
            Some(Guard::EntryPoint) if b.place == Place::ImportTime => {
                b.regions.push((node.byte_range(), Place::EntryPoint));
                b.with_place(Place::EntryPoint, |b| b.if_parts(node, false));
            }
            Some(Guard::TypeChecking) => {
                if let Some(consequence) = node.child_by_field_name("consequence") {
                    b.regions
                        .push((consequence.byte_range(), Place::TypeChecking));
                }
                b.if_parts(node, true);
            }
            _ => b.if_parts(node, false),
        });
    }

    fn if_parts(&mut self, node: Node<'t>, type_checking: bool) {
        self.expression_field(node, "condition");
        if let Some(consequence) = node.child_by_field_name("consequence") {
            if type_checking {
                self.with_place(Place::TypeChecking, |b| b.statement(consequence));
            } else {
                self.statement(consequence);
            }
        }
        let mut cursor = node.walk();
        for alternative in node.children_by_field_name("alternative", &mut cursor) {
            match alternative.kind() {
                "elif_clause" => {
                    self.expression_field(alternative, "condition");
                    self.block_field(alternative, "consequence");
                }
                _ => self.block_field(alternative, "body"),
            }
        }
    }

    fn with_place(&mut self, place: Place, visit: impl FnOnce(&mut Self)) {
        let saved = self.place;
        self.place = place;
        visit(self);
        self.place = saved;
    }

    fn classify_guard(&self, condition: Node<'t>) -> Guard {
        let condition = unparenthesize(condition);
        match condition.kind() {
            "comparison_operator" => {
                let operands: Vec<Node> = named_children(condition).collect();
                let is_eq = condition
                    .child_by_field_name("operators")
                    .is_some_and(|op| op.kind() == "==");
                if is_eq && operands.len() == 2 {
                    let (a, b) = (operands[0], operands[1]);
                    if (self.is_dunder_name(a) && self.is_main_string(b))
                        || (self.is_main_string(a) && self.is_dunder_name(b))
                    {
                        return Guard::EntryPoint;
                    }
                }
                Guard::None
            }
            "identifier" if self.text_of(condition) == b"TYPE_CHECKING" => Guard::TypeChecking,
            "attribute"
                if condition
                    .child_by_field_name("attribute")
                    .is_some_and(|a| self.text_of(a) == b"TYPE_CHECKING") =>
            {
                Guard::TypeChecking
            }
            _ => Guard::None,
        }
    }

    fn is_dunder_name(&self, node: Node) -> bool {
        node.kind() == "identifier" && self.text_of(node) == b"__name__"
    }

    fn is_main_string(&self, node: Node) -> bool {
        if node.kind() != "string" {
            return false;
        }
        let content: Vec<Node> = named_children(node)
            .filter(|c| c.kind() == "string_content")
            .collect();
        content.len() == 1 && self.text_of(content[0]) == b"__main__"
    }

    fn with_statement(&mut self, node: Node<'t>) {
        for clause in named_children(node).filter(|c| c.kind() == "with_clause") {
            for item in named_children(clause) {
                let Some(value) = item.child_by_field_name("value") else {
                    continue;
                };
                self.with_item_value(value);
            }
        }
        self.block_field(node, "body");
    }

    fn with_item_value(&mut self, value: Node<'t>) {
        if value.kind() == "as_pattern" {
            for child in named_children(value) {
                if child.kind() == "as_pattern_target" {
                    for target in named_children(child) {
                        self.target(target, Role::Store);
                    }
                } else {
                    self.expression(child);
                }
            }
        } else {
            self.expression(value);
        }
    }

    fn try_statement(&mut self, node: Node<'t>) {
        self.block_field(node, "body");
        for clause in named_children(node) {
            match clause.kind() {
                "except_clause" | "except_group_clause" => {
                    for part in named_children(clause) {
                        match part.kind() {
                            "block" => self.block(part),
                            "as_pattern" => self.with_item_value(part),
                            _ => self.expression(part),
                        }
                    }
                }
                "else_clause" => self.block_field(clause, "body"),
                "finally_clause" => self.block(clause),
                _ => {}
            }
        }
    }

    fn match_statement(&mut self, node: Node<'t>) {
        self.expression_field(node, "subject");
        let Some(body) = node.child_by_field_name("body") else {
            return;
        };
        for case in named_children(body).filter(|c| c.kind() == "case_clause") {
            for part in named_children(case) {
                match part.kind() {
                    "case_pattern" => self.case_pattern(part),
                    "if_clause" => self.expression_children(part),
                    "block" => self.block(part),
                    _ => {}
                }
            }
        }
    }

    /// Capture names in a `case` pattern bind; dotted names are values that are read.
    fn case_pattern(&mut self, node: Node<'t>) {
        match node.kind() {
            "dotted_name" => {
                let parts: Vec<Node> = named_children(node).collect();
                if parts.len() == 1 {
                    self.name(parts[0], Role::Store);
                } else if let Some(first) = parts.first() {
                    self.name(*first, Role::Load);
                }
            }
            "identifier" => self.name(node, Role::Store),
            "as_pattern_target" | "splat_pattern" => {
                for child in named_children(node) {
                    self.case_pattern(child);
                }
            }
            "keyword_pattern" => {
                for child in named_children(node).skip(1) {
                    self.case_pattern(child);
                }
            }
            "class_pattern" => {
                for (i, child) in named_children(node).enumerate() {
                    if i == 0 && child.kind() == "dotted_name" {
                        if let Some(first) = child.named_child(0) {
                            self.name(first, Role::Load);
                        }
                    } else {
                        self.case_pattern(child);
                    }
                }
            }
            _ => {
                for child in named_children(node) {
                    self.case_pattern(child);
                }
            }
        }
    }

    fn declaration(&mut self, node: Node<'t>) {
        let is_global = node.kind() == "global_statement";
        for name in named_children(node).filter(|c| c.kind() == "identifier") {
            let text = self.text_of(name);
            let scope = &mut self.scopes[self.scope];
            if is_global {
                scope.globals.insert(text);
            } else {
                scope.nonlocals.insert(text);
            }
            self.push_ref(name, Role::Declare);
        }
    }

    // ---- imports ----------------------------------------------------------------------------

    fn import_statement(&mut self, node: Node<'t>) {
        self.imports.push(ImportStatement {
            node,
            place: self.place,
        });
        let mut cursor = node.walk();
        for name in node.children_by_field_name("name", &mut cursor) {
            match name.kind() {
                "aliased_import" => {
                    let (Some(module), Some(alias)) = (
                        name.child_by_field_name("name"),
                        name.child_by_field_name("alias"),
                    ) else {
                        continue;
                    };
                    let module = self.dotted(module);
                    self.bind(alias, BindingKind::Module(module));
                }
                "dotted_name" => {
                    let Some(first) = name.named_child(0) else {
                        continue;
                    };
                    let module = String::from_utf8_lossy(self.text_of(first)).into_owned();
                    self.bind(first, BindingKind::Module(module));
                }
                _ => {}
            }
        }
    }

    fn import_from(&mut self, node: Node<'t>) {
        self.imports.push(ImportStatement {
            node,
            place: self.place,
        });
        let module = match node.child_by_field_name("module_name") {
            Some(m) => String::from_utf8_lossy(self.text_of(m))
                .split_whitespace()
                .collect::<String>(),
            None => "__future__".to_owned(),
        };
        let mut cursor = node.walk();
        let names: Vec<Node> = node.children_by_field_name("name", &mut cursor).collect();
        for name in names {
            let (member, local) = match name.kind() {
                "aliased_import" => {
                    let (Some(member), Some(alias)) = (
                        name.child_by_field_name("name"),
                        name.child_by_field_name("alias"),
                    ) else {
                        continue;
                    };
                    (member, alias)
                }
                "dotted_name" => match name.named_child(0) {
                    Some(first) => (name, first),
                    None => continue,
                },
                _ => continue,
            };
            let qualified = join_module(&module, &self.dotted(member));
            self.bind(local, BindingKind::Member(qualified));
        }
        if named_children(node).any(|c| c.kind() == "wildcard_import") && self.scope == MODULE_SCOPE
        {
            self.bindings.push(Binding {
                name: b"*",
                kind: BindingKind::Star(module),
                offset: node.start_byte(),
                place: self.place,
                unconditional: self.nesting == 0,
                top: self.top,
            });
        }
    }

    fn dotted(&self, node: Node) -> String {
        String::from_utf8_lossy(self.text_of(node))
            .split_whitespace()
            .collect()
    }

    // ---- definitions ------------------------------------------------------------------------

    fn decorated_definition(&mut self, node: Node<'t>) {
        for decorator in named_children(node).filter(|c| c.kind() == "decorator") {
            self.expression_children(decorator);
        }
        if let Some(definition) = node.child_by_field_name("definition") {
            match definition.kind() {
                "function_definition" => self.function_definition(definition),
                "class_definition" => self.class_definition(definition),
                _ => self.statement(definition),
            }
        }
    }

    fn function_definition(&mut self, node: Node<'t>) {
        let is_async = node.child(0).is_some_and(|c| c.kind() == "async");
        if let Some(parameters) = node.child_by_field_name("parameters") {
            self.parameter_defaults(parameters);
        }
        self.expression_field(node, "return_type");
        let scope = self.open_scope(node, ScopeKind::Function { is_async });
        if let Some(parameters) = node.child_by_field_name("parameters") {
            self.in_scope(scope, |b| b.parameter_names(parameters));
        }
        if let Some(body) = node.child_by_field_name("body") {
            self.regions
                .push((body.byte_range(), Place::Deferred(scope)));
            self.in_scope(scope, |b| b.block(body));
        }
        if let Some(name) = node.child_by_field_name("name") {
            self.name(name, Role::Store);
        }
    }

    fn class_definition(&mut self, node: Node<'t>) {
        self.expression_field(node, "superclasses");
        let scope = self.open_scope(node, ScopeKind::Class);
        if let Some(body) = node.child_by_field_name("body") {
            self.in_scope(scope, |b| b.block(body));
        }
        if let Some(name) = node.child_by_field_name("name") {
            self.name(name, Role::Store);
        }
    }

    fn open_scope(&mut self, node: Node<'t>, kind: ScopeKind) -> ScopeId {
        let id = self.scopes.len();
        let place = match kind {
            ScopeKind::Function { .. } | ScopeKind::Lambda => Place::Deferred(id),
            _ => self.place,
        };
        self.scopes.push(Scope {
            kind,
            parent: Some(self.scope),
            node,
            place,
            bound: HashSet::new(),
            globals: HashSet::new(),
            nonlocals: HashSet::new(),
        });
        self.scope_of_node.insert(node.id(), id);
        id
    }

    fn in_scope(&mut self, scope: ScopeId, visit: impl FnOnce(&mut Self)) {
        let (saved_scope, saved_place, saved_nesting) = (self.scope, self.place, self.nesting);
        self.scope = scope;
        self.place = self.scopes[scope].place;
        self.nesting = usize::MAX / 2;
        visit(self);
        self.scope = saved_scope;
        self.place = saved_place;
        self.nesting = saved_nesting;
    }

    /// Default values and annotations run where the `def` runs.
    fn parameter_defaults(&mut self, parameters: Node<'t>) {
        for parameter in named_children(parameters) {
            self.expression_field(parameter, "value");
            self.expression_field(parameter, "type");
        }
    }

    fn parameter_names(&mut self, parameters: Node<'t>) {
        for parameter in named_children(parameters) {
            match parameter.kind() {
                "identifier" => self.name(parameter, Role::Store),
                "default_parameter" | "typed_default_parameter" => {
                    self.target_field(parameter, "name", Role::Store);
                }
                "typed_parameter" | "list_splat_pattern" | "dictionary_splat_pattern" => {
                    for child in named_children(parameter) {
                        if child.kind() != "type" {
                            self.target(child, Role::Store);
                        }
                    }
                }
                "tuple_pattern" => self.target(parameter, Role::Store),
                _ => {}
            }
        }
    }

    // ---- expressions ------------------------------------------------------------------------

    fn expression_field(&mut self, node: Node<'t>, field: &str) {
        if let Some(child) = node.child_by_field_name(field) {
            self.expression(child);
        }
    }

    fn expression_children(&mut self, node: Node<'t>) {
        for child in named_children(node) {
            self.expression(child);
        }
    }

    fn expression(&mut self, node: Node<'t>) {
        match node.kind() {
            "identifier" => self.name(node, Role::Load),
            "attribute" => self.expression_field(node, "object"),
            "keyword_argument" => self.expression_field(node, "value"),
            "assignment" => {
                self.expression_field(node, "right");
                self.expression_field(node, "type");
                self.target_field(node, "left", Role::Store);
            }
            "augmented_assignment" => {
                self.expression_field(node, "right");
                self.target_field(node, "left", Role::Load);
                self.target_field(node, "left", Role::Store);
            }
            "named_expression" => {
                self.expression_field(node, "value");
                if let Some(name) = node.child_by_field_name("name") {
                    self.walrus_target(name);
                }
            }
            "lambda" => self.lambda(node),
            "list_comprehension"
            | "set_comprehension"
            | "dictionary_comprehension"
            | "generator_expression" => self.comprehension(node),
            "string" => {
                for interpolation in named_children(node).filter(|c| c.kind() == "interpolation") {
                    self.expression_children(interpolation);
                }
            }
            "comment" | "string_content" | "escape_sequence" | "type_conversion" => {}
            "format_specifier" | "interpolation" => self.expression_children(node),
            _ => self.expression_children(node),
        }
    }

    fn lambda(&mut self, node: Node<'t>) {
        if let Some(parameters) = node.child_by_field_name("parameters") {
            self.parameter_defaults(parameters);
        }
        let scope = self.open_scope(node, ScopeKind::Lambda);
        if let Some(parameters) = node.child_by_field_name("parameters") {
            self.in_scope(scope, |b| b.parameter_names(parameters));
        }
        if let Some(body) = node.child_by_field_name("body") {
            self.regions
                .push((body.byte_range(), Place::Deferred(scope)));
            self.in_scope(scope, |b| b.expression(body));
        }
    }

    /// The first iterable runs in the enclosing scope; the rest in the comprehension's own. A
    /// generator expression's body runs when it is iterated, which may be right away
    /// (`list(asyncio.run(c()) for _ in x)`): it keeps the place of the expression, so that a
    /// loop run in it is reported (and left without a fix, see `transform::unit`).
    fn comprehension(&mut self, node: Node<'t>) {
        let clauses: Vec<Node<'t>> = named_children(node)
            .filter(|c| matches!(c.kind(), "for_in_clause" | "if_clause"))
            .collect();
        if let Some(iterable) = clauses
            .first()
            .and_then(|first| first.child_by_field_name("right"))
        {
            self.expression(iterable);
        }
        let scope = self.open_scope(node, ScopeKind::Comprehension);
        let saved_scope = self.scope;
        self.scope = scope;
        for (i, clause) in clauses.iter().enumerate() {
            if clause.kind() == "for_in_clause" {
                if i > 0 {
                    self.expression_field(*clause, "right");
                }
                self.target_field(*clause, "left", Role::Store);
            } else {
                self.expression_children(*clause);
            }
        }
        self.expression_field(node, "body");
        self.scope = saved_scope;
    }

    fn walrus_target(&mut self, name: Node<'t>) {
        let saved = self.scope;
        while self.scopes[self.scope].kind == ScopeKind::Comprehension {
            match self.scopes[self.scope].parent {
                Some(parent) => self.scope = parent,
                None => break,
            }
        }
        self.name(name, Role::Store);
        self.scope = saved;
    }

    fn target_field(&mut self, node: Node<'t>, field: &str, role: Role) {
        let mut cursor = node.walk();
        let targets: Vec<Node<'t>> = node.children_by_field_name(field, &mut cursor).collect();
        for target in targets {
            self.target(target, role);
        }
    }

    fn target(&mut self, node: Node<'t>, role: Role) {
        match node.kind() {
            "identifier" => self.name(node, role),
            "pattern_list"
            | "tuple_pattern"
            | "list_pattern"
            | "tuple"
            | "list"
            | "expression_list"
            | "parenthesized_expression"
            | "list_splat_pattern"
            | "list_splat"
            | "as_pattern_target" => {
                for child in named_children(node) {
                    self.target(child, role);
                }
            }
            // `x.attr = ...` and `x[k] = ...` read `x`; they bind nothing.
            "attribute" | "subscript" => self.expression(node),
            "comment" => {}
            _ => self.expression(node),
        }
    }

    fn name(&mut self, node: Node<'t>, role: Role) {
        let text = self.text_of(node);
        if role == Role::Store || role == Role::Del {
            let scope = &mut self.scopes[self.scope];
            let declared_global = scope.globals.contains(text);
            if self.scope == MODULE_SCOPE || declared_global {
                self.bindings.push(Binding {
                    name: text,
                    kind: BindingKind::Other,
                    offset: node.start_byte(),
                    place: self.place,
                    unconditional: self.scope == MODULE_SCOPE && self.nesting == 0,
                    top: self.top,
                });
            }
            if !declared_global {
                scope.bound.insert(text);
            }
        }
        self.push_ref(node, role);
    }

    fn push_ref(&mut self, node: Node<'t>, role: Role) {
        self.refs.push(NameRef {
            node,
            name: self.text_of(node),
            role,
            scope: self.scope,
            place: self.place,
            top: self.top,
        });
    }

    fn bind(&mut self, node: Node<'t>, kind: BindingKind) {
        let text = self.text_of(node);
        if self.scope == MODULE_SCOPE || self.scopes[self.scope].globals.contains(text) {
            self.bindings.push(Binding {
                name: text,
                kind,
                offset: node.start_byte(),
                place: self.place,
                unconditional: self.scope == MODULE_SCOPE && self.nesting == 0,
                top: self.top,
            });
        }
        if !self.scopes[self.scope].globals.contains(text) {
            self.scopes[self.scope].bound.insert(text);
        }
        self.push_ref(node, Role::Store);
    }
}

enum Guard {
    EntryPoint,
    TypeChecking,
    None,
}

fn join_module(module: &str, member: &str) -> String {
    if module.ends_with('.') {
        format!("{module}{member}")
    } else {
        format!("{module}.{member}")
    }
}
