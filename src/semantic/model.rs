//! The semantic model's data: scopes, where code runs ([`Place`]), name references, module-level
//! bindings and imports, and the questions asked of them (where an offset runs, which scope a
//! name resolves in).

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use super::build::names::normal_form;
use tree_sitter::Node;

/// Index of a scope in [`Model::scopes`]; the module is scope 0.
pub type ScopeId = usize;

/// The module scope.
pub const MODULE_SCOPE: ScopeId = 0;

/// What kind of namespace a scope is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    /// The module body.
    Module,
    /// A class body.
    Class,
    /// A `def` or `async def` body.
    Function {
        /// `async def`.
        is_async: bool,
    },
    /// A `lambda` body.
    Lambda,
    /// A comprehension or generator expression.
    Comprehension,
}

/// Where a piece of code runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// While the module body executes, on import.
    ImportTime,
    /// Under `if __name__ == "__main__":`: only when the module runs as a script.
    EntryPoint,
    /// Under `if TYPE_CHECKING:`: never at run time.
    TypeChecking,
    /// Inside the body of this function or lambda scope: when it is called.
    Deferred(ScopeId),
}

/// A namespace and the names bound in it.
#[derive(Debug, Clone)]
pub struct Scope<'t> {
    /// Module, class, function, lambda or comprehension.
    pub kind: ScopeKind,
    /// The enclosing scope (`None` for the module).
    pub parent: Option<ScopeId>,
    /// The node that opens the scope (the module, the `class`/`def`, the lambda, ...).
    pub node: Node<'t>,
    /// Where the scope's own statements run.
    pub place: Place,
    /// Names bound in this scope (assigned, imported, parameters, `def`/`class` names, ...).
    pub bound: HashSet<&'t [u8]>,
    /// Names declared `global` in this scope.
    pub globals: HashSet<&'t [u8]>,
    /// Names declared `nonlocal` in this scope.
    pub nonlocals: HashSet<&'t [u8]>,
}

impl Scope<'_> {
    /// Whether this is an `async def` body.
    pub fn is_async_function(&self) -> bool {
        matches!(self.kind, ScopeKind::Function { is_async: true })
    }

    /// Whether this is a `def`, `async def` or `lambda` body.
    pub fn is_function(&self) -> bool {
        matches!(self.kind, ScopeKind::Function { .. } | ScopeKind::Lambda)
    }
}

/// How a name is used at one occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Read.
    Load,
    /// Bound (assignment, import, parameter, `def`, `for` target, ...).
    Store,
    /// Deleted with `del`.
    Del,
    /// Named in a `global` or `nonlocal` statement.
    Declare,
}

/// One occurrence of a name in the module.
#[derive(Debug, Clone, Copy)]
pub struct NameRef<'t> {
    /// The identifier node.
    pub node: Node<'t>,
    /// The name.
    pub name: &'t [u8],
    /// Read, bound, deleted or declared.
    pub role: Role,
    /// The scope the occurrence is in.
    pub scope: ScopeId,
    /// Where the occurrence runs.
    pub place: Place,
    /// Index of the module-level statement that holds it.
    pub top: usize,
}

/// What a module-level binding binds a name to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindingKind {
    /// `import a.b` (binds `a` to module `a`) or `import a.b as c` (binds `c` to `a.b`).
    Module(String),
    /// `from m import x [as y]`: the qualified name `m.x` (relative modules keep their dots).
    Member(String),
    /// `from m import *`.
    Star(String),
    /// Anything else: assignment, `def`, `class`, `for` target, ...
    Other,
}

/// A name bound at module level.
#[derive(Debug, Clone)]
pub struct Binding<'t> {
    /// The name (`*` for a star import).
    pub name: &'t [u8],
    /// What it is bound to.
    pub kind: BindingKind,
    /// Byte offset of the binding occurrence.
    pub offset: usize,
    /// Where the binding statement runs.
    pub place: Place,
    /// Whether the binding statement is a direct child of the module (not inside `if`/`try`/...).
    pub unconditional: bool,
    /// Index of the module-level statement that holds it.
    pub top: usize,
}

/// An `import` or `from ... import` statement, for adding and removing imports.
#[derive(Debug, Clone, Copy)]
pub struct ImportStatement<'t> {
    /// The statement node.
    pub node: Node<'t>,
    /// Where it runs.
    pub place: Place,
}

/// The semantic model of one module.
#[derive(Debug)]
pub struct Model<'t> {
    /// The module's bytes (as parsed).
    pub text: &'t [u8],
    /// The syntax tree's root.
    pub root: Node<'t>,
    /// Every scope; index 0 is the module.
    pub scopes: Vec<Scope<'t>>,
    /// Every name occurrence, in source order.
    pub refs: Vec<NameRef<'t>>,
    /// Module-level bindings, in source order.
    pub bindings: Vec<Binding<'t>>,
    /// Every import statement, in source order.
    pub imports: Vec<ImportStatement<'t>>,
    /// The module-level statements (comments left out); [`NameRef::top`] indexes this.
    pub statements: Vec<Node<'t>>,
    /// Byte ranges of code that does not run at import time, sorted by start: function and
    /// lambda bodies, entry-point guards, `TYPE_CHECKING` blocks. Each carries the place it runs.
    pub(super) regions: Vec<(Range<usize>, Place)>,
    pub(super) scope_of_node: HashMap<usize, ScopeId>,
    /// The text that stands for each non-ASCII identifier, by its start offset: one text per
    /// NFKC normal form, so that names compare as Python compares them.
    pub(super) identifiers: HashMap<usize, &'t [u8]>,
}

impl<'t> Model<'t> {
    /// The text of a node; of a non-ASCII identifier, the one text of its NFKC normal form
    /// (`ＰＲＯＭＰＴ` reads `PROMPT`, as Python reads it).
    pub fn node_text(&self, node: Node) -> &'t [u8] {
        if !self.identifiers.is_empty() {
            if let Some(text) = self.identifiers.get(&node.start_byte()) {
                if node.kind() == "identifier" {
                    return text;
                }
            }
        }
        &self.text[node.byte_range()]
    }

    /// Where the code at `offset` runs (the innermost region that holds it).
    pub fn place_at(&self, offset: usize) -> Place {
        let end = self
            .regions
            .partition_point(|(range, _)| range.start <= offset);
        self.regions[..end]
            .iter()
            .rev()
            .find(|(range, _)| range.contains(&offset))
            .map_or(Place::ImportTime, |(_, place)| *place)
    }

    /// The scope that a `def`, `class`, `lambda` or comprehension node opens.
    pub fn scope_of(&self, node: Node) -> Option<ScopeId> {
        self.scope_of_node.get(&node.id()).copied()
    }

    /// The innermost function or lambda scope that holds `scope` (itself included).
    pub fn enclosing_function(&self, mut scope: ScopeId) -> Option<ScopeId> {
        loop {
            let current = &self.scopes[scope];
            if current.is_function() {
                return Some(scope);
            }
            scope = current.parent?;
        }
    }

    /// Whether the name `name`, used in `scope`, refers to the module-level name.
    pub fn resolves_to_global(&self, name: &[u8], scope: ScopeId) -> bool {
        let mut current = scope;
        let mut innermost = true;
        loop {
            let s = &self.scopes[current];
            match s.kind {
                ScopeKind::Module => return true,
                // A class body's names are not visible from the functions nested in it.
                ScopeKind::Class if !innermost => {}
                _ => {
                    if s.globals.contains(name) {
                        return true;
                    }
                    if s.bound.contains(name) || s.nonlocals.contains(name) {
                        return false;
                    }
                }
            }
            innermost = false;
            match s.parent {
                Some(parent) => current = parent,
                None => return true,
            }
        }
    }

    /// The module-level bindings of `name`, in source order.
    pub fn bindings_of<'m>(&'m self, name: &'m [u8]) -> impl Iterator<Item = &'m Binding<'t>> {
        self.bindings.iter().filter(move |b| b.name == name)
    }

    /// Reads of the module-level `name` anywhere in the module (shadowed reads excluded).
    pub fn global_reads<'m>(&'m self, name: &'m [u8]) -> impl Iterator<Item = &'m NameRef<'t>> {
        self.refs.iter().filter(move |r| {
            r.name == name && r.role == Role::Load && self.resolves_to_global(name, r.scope)
        })
    }

    /// Every occurrence of the module-level `name` (reads, writes through `global`, deletions).
    pub fn global_uses<'m>(&'m self, name: &'m [u8]) -> impl Iterator<Item = &'m NameRef<'t>> {
        self.refs.iter().filter(move |r| {
            r.name == name && r.role != Role::Declare && self.resolves_to_global(name, r.scope)
        })
    }

    /// The name occurrence of an identifier node.
    pub fn ref_at(&self, identifier: Node) -> Option<&NameRef<'t>> {
        let start = identifier.start_byte();
        let first = self.refs.partition_point(|r| r.node.start_byte() < start);
        self.refs[first..]
            .iter()
            .take_while(|r| r.node.start_byte() == start)
            .find(|r| r.node.id() == identifier.id())
    }

    /// The scope an identifier occurs in (the module when loopfix did not record it).
    pub fn scope_of_identifier(&self, identifier: Node) -> ScopeId {
        self.ref_at(identifier).map_or(MODULE_SCOPE, |r| r.scope)
    }

    /// Whether the module binds `name` anywhere or uses it as an identifier at all, in any
    /// spelling with the same NFKC normal form.
    pub fn mentions(&self, name: &[u8]) -> bool {
        self.refs.iter().any(|r| r.name == name)
            || self.identifiers.values().any(|text| {
                std::str::from_utf8(text).is_ok() && normal_form(text).as_bytes() == name
            })
    }
}
