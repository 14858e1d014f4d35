//! The walk over imports and definitions: what `import` and `from ... import` bind, and the
//! scopes `def` and `class` open, with their parameters and defaults.

use std::collections::HashSet;

use tree_sitter::Node;

use super::Builder;
use super::names::normal_form;
use crate::semantic::model::{
    Binding, BindingKind, ImportStatement, MODULE_SCOPE, Place, Role, Scope, ScopeId, ScopeKind,
};
use crate::syntax::tree::named_children;

impl<'t> Builder<'t> {
    // ---- imports ----------------------------------------------------------------------------

    pub(super) fn import_statement(&mut self, node: Node<'t>) {
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
                    let module = normal_form(self.text_of(first));
                    self.bind(first, BindingKind::Module(module));
                }
                _ => {}
            }
        }
    }

    pub(super) fn import_from(&mut self, node: Node<'t>) {
        self.imports.push(ImportStatement {
            node,
            place: self.place,
        });
        let module = match node.child_by_field_name("module_name") {
            Some(m) => normal_form(self.text_of(m))
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

    /// A dotted name as Python imports it: NFKC-normalized, without blanks.
    pub(super) fn dotted(&self, node: Node) -> String {
        normal_form(self.text_of(node)).split_whitespace().collect()
    }

    // ---- definitions ------------------------------------------------------------------------

    pub(super) fn decorated_definition(&mut self, node: Node<'t>) {
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

    pub(super) fn function_definition(&mut self, node: Node<'t>) {
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

    pub(super) fn class_definition(&mut self, node: Node<'t>) {
        self.expression_field(node, "superclasses");
        let scope = self.open_scope(node, ScopeKind::Class);
        if let Some(body) = node.child_by_field_name("body") {
            self.in_scope(scope, |b| b.block(body));
        }
        if let Some(name) = node.child_by_field_name("name") {
            self.name(name, Role::Store);
        }
    }

    pub(super) fn open_scope(&mut self, node: Node<'t>, kind: ScopeKind) -> ScopeId {
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

    pub(super) fn in_scope(&mut self, scope: ScopeId, visit: impl FnOnce(&mut Self)) {
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
    pub(super) fn parameter_defaults(&mut self, parameters: Node<'t>) {
        for parameter in named_children(parameters) {
            self.expression_field(parameter, "value");
            self.expression_field(parameter, "type");
        }
    }

    pub(super) fn parameter_names(&mut self, parameters: Node<'t>) {
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
}

fn join_module(module: &str, member: &str) -> String {
    if module.ends_with('.') {
        format!("{module}{member}")
    } else {
        format!("{module}.{member}")
    }
}
