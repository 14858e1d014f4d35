//! The walk over statements: blocks, `if` (entry-point and `TYPE_CHECKING` guards), `with`,
//! `try`, `match` and its patterns, `global` and `nonlocal`.

use tree_sitter::Node;

use super::Builder;
use crate::semantic::model::{Place, Role};
use crate::syntax::tree::{named_children, unparenthesize};

impl<'t> Builder<'t> {
    // ---- statements -------------------------------------------------------------------------

    pub(super) fn statement(&mut self, node: Node<'t>) {
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

    pub(super) fn nested(&mut self, visit: impl FnOnce(&mut Self)) {
        self.nesting += 1;
        visit(self);
        self.nesting -= 1;
    }

    pub(super) fn block(&mut self, node: Node<'t>) {
        for child in named_children(node) {
            self.statement(child);
        }
    }

    pub(super) fn block_field(&mut self, node: Node<'t>, field: &str) {
        if let Some(child) = node.child_by_field_name(field) {
            self.statement(child);
        }
    }

    pub(super) fn if_statement(&mut self, node: Node<'t>) {
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

    pub(super) fn if_parts(&mut self, node: Node<'t>, type_checking: bool) {
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

    pub(super) fn with_place(&mut self, place: Place, visit: impl FnOnce(&mut Self)) {
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

    pub(super) fn with_statement(&mut self, node: Node<'t>) {
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

    pub(super) fn with_item_value(&mut self, value: Node<'t>) {
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

    pub(super) fn try_statement(&mut self, node: Node<'t>) {
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

    pub(super) fn match_statement(&mut self, node: Node<'t>) {
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
    pub(super) fn case_pattern(&mut self, node: Node<'t>) {
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

    pub(super) fn declaration(&mut self, node: Node<'t>) {
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
}

/// What the condition of an `if` guards.
enum Guard {
    EntryPoint,
    TypeChecking,
    None,
}
