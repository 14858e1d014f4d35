//! One walk over the syntax tree that builds the [`Model`]: scopes, places, references, bindings.
//! The walk's state and its bookkeeping are here; statements, definitions and imports, and
//! expressions have a file each.

mod definitions;
mod expressions;
pub(super) mod names;
mod statements;

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::model::{
    Binding, BindingKind, ImportStatement, MODULE_SCOPE, Model, NameRef, Place, Role, Scope,
    ScopeId, ScopeKind,
};

impl<'t> Model<'t> {
    /// Builds the model of a parsed module.
    pub fn build(tree: &'t Tree, text: &'t [u8]) -> Model<'t> {
        Builder::new(tree, text).finish()
    }
}

/// The walk's state: what is built so far and where the walk is.
struct Builder<'t> {
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
    /// The one text of each identifier's normal form.
    names: RefCell<names::Names<'t>>,
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
            names: RefCell::default(),
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
            identifiers: self.names.into_inner().at,
        }
    }

    /// The text of a node; an identifier's as Python compares it (its normal form's one text).
    pub(super) fn text_of(&self, node: Node) -> &'t [u8] {
        let text = &self.text[node.byte_range()];
        if text.is_ascii() || node.kind() != "identifier" {
            return text;
        }
        self.names
            .borrow_mut()
            .canonical(self.text, node.start_byte(), text)
    }

    pub(super) fn name(&mut self, node: Node<'t>, role: Role) {
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

    pub(super) fn push_ref(&mut self, node: Node<'t>, role: Role) {
        self.refs.push(NameRef {
            node,
            name: self.text_of(node),
            role,
            scope: self.scope,
            place: self.place,
            top: self.top,
        });
    }

    pub(super) fn bind(&mut self, node: Node<'t>, kind: BindingKind) {
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
