//! The walk over expressions: names read and bound, assignment targets, lambdas, comprehensions
//! and the walrus operator.

use tree_sitter::Node;

use super::Builder;
use crate::semantic::model::{Place, Role, ScopeKind};
use crate::syntax::tree::named_children;

impl<'t> Builder<'t> {
    // ---- expressions ------------------------------------------------------------------------

    pub(super) fn expression_field(&mut self, node: Node<'t>, field: &str) {
        if let Some(child) = node.child_by_field_name(field) {
            self.expression(child);
        }
    }

    pub(super) fn expression_children(&mut self, node: Node<'t>) {
        for child in named_children(node) {
            self.expression(child);
        }
    }

    pub(super) fn expression(&mut self, node: Node<'t>) {
        match node.kind() {
            "identifier" => self.name(node, Role::Load),
            "attribute" => {
                // An attribute's name is compared as Python compares it (`ｒｕｎ` is `run`).
                if let Some(attribute) = node.child_by_field_name("attribute") {
                    self.text_of(attribute);
                }
                self.expression_field(node, "object");
            }
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

    pub(super) fn lambda(&mut self, node: Node<'t>) {
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
    /// loop run in it is reported (and left without a fix, see `fix::unit`).
    pub(super) fn comprehension(&mut self, node: Node<'t>) {
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

    pub(super) fn walrus_target(&mut self, name: Node<'t>) {
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

    pub(super) fn target_field(&mut self, node: Node<'t>, field: &str, role: Role) {
        let mut cursor = node.walk();
        let targets: Vec<Node<'t>> = node.children_by_field_name(field, &mut cursor).collect();
        for target in targets {
            self.target(target, role);
        }
    }

    pub(super) fn target(&mut self, node: Node<'t>, role: Role) {
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
}
