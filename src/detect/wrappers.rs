//! Functions of a module whose bodies run an event loop, directly or through another such
//! function, and the import-time calls of them (LF004: `DATA = load()` where
//! `def load(): return asyncio.run(fetch())`). A class whose `__init__` runs a loop counts as
//! such a function, called by `Database(...)`; a classmethod or staticmethod that runs one, by
//! `Database.create(...)`.

use std::collections::HashMap;

use tree_sitter::Node;

use super::site::{Awaitable, Site, SiteKind, Via, enclosing_statement};
use crate::rules::Rule;
use crate::semantic::{MODULE_SCOPE, Model, Place, Role, ScopeId, ScopeKind};
use crate::syntax::tree::is_docstring;

/// Longest chain of wrappers a finding names.
pub const MAX_CHAIN: usize = 4;

/// A module-level sync function that runs a loop when called (or a class whose `__init__`,
/// classmethod or staticmethod does).
#[derive(Debug, Clone, Copy)]
pub struct LoopFunction<'t> {
    /// Its scope.
    pub scope: ScopeId,
    /// The name its callers call: the function's, or the class's for a method.
    pub name: &'t [u8],
    /// For a method: the module-level class it belongs to, and whether it is `__init__`
    /// (called as `Class(...)`) rather than a classmethod or staticmethod (`Class.method(...)`).
    pub class: Option<(Node<'t>, bool)>,
    /// The `def`.
    pub def: Node<'t>,
    /// The call in its body that runs a loop, or calls the next function of the chain.
    pub evidence: Node<'t>,
    /// The next function of the chain, for an indirect one.
    pub next: Option<usize>,
    /// The awaitable of a direct run.
    pub awaitable: Option<Awaitable<'t>>,
    /// Whether the body is only `return <evidence>` (after a docstring) and it takes no
    /// parameters: then a call of it can be replaced by its loop's awaitable.
    pub plain: bool,
}

/// The module-level sync functions that run a loop, found to a fixed point.
pub fn loop_functions<'t>(
    model: &Model<'t>,
    runs: &[(ScopeId, Node<'t>, Awaitable<'t>)],
) -> Vec<LoopFunction<'t>> {
    let mut functions: Vec<LoopFunction> = Vec::new();
    let mut index: HashMap<&[u8], usize> = HashMap::new();
    for &(scope, call, awaitable) in runs {
        let Some(function) = loop_callable(model, scope) else {
            continue;
        };
        if functions.iter().any(|f| f.scope == function) {
            continue;
        }
        let Some(entry) = loop_function(model, function, call, None, Some(awaitable)) else {
            continue;
        };
        // Callers call a factory through its class: only functions and constructors are
        // followed by name.
        if !entry.is_factory() {
            index.insert(entry.name, functions.len());
        }
        functions.push(entry);
    }
    // A function that calls a loop function runs a loop too.
    for _ in 0..MAX_CHAIN * 2 {
        let mut added = false;
        for r in &model.refs {
            let Some(&callee) = index.get(r.name) else {
                continue;
            };
            let Some(function) = loop_callable(model, r.scope) else {
                continue;
            };
            if r.role != Role::Load
                || functions.iter().any(|f| f.scope == function)
                || !model.resolves_to_global(r.name, r.scope)
            {
                continue;
            }
            let Some(call) = called_by_name(r.node) else {
                continue;
            };
            let Some(entry) = loop_function(model, function, call, Some(callee), None) else {
                continue;
            };
            index.insert(entry.name, functions.len());
            functions.push(entry);
            added = true;
        }
        if !added {
            break;
        }
    }
    functions
}

impl LoopFunction<'_> {
    /// Whether it is a classmethod or staticmethod, called as `Class.method(...)`.
    pub fn is_factory(&self) -> bool {
        matches!(self.class, Some((_, false)))
    }
}

/// The function whose body holds `scope` directly (not in a nested function), when loopfix
/// follows its calls: a module-level sync function, or a sync `__init__`, classmethod or
/// staticmethod of a module-level class.
fn loop_callable(model: &Model, scope: ScopeId) -> Option<ScopeId> {
    let function = model.enclosing_function(scope)?;
    let s = &model.scopes[function];
    if s.kind != (ScopeKind::Function { is_async: false }) {
        return None;
    }
    let parent = s.parent?;
    if parent == MODULE_SCOPE {
        return Some(function);
    }
    let class = &model.scopes[parent];
    let is_method = class.kind == ScopeKind::Class
        && class.parent == Some(MODULE_SCOPE)
        && method_role(model, s.node).is_some();
    is_method.then_some(function)
}

/// For a method of a class: `Some(true)` for `__init__`, `Some(false)` for a classmethod or
/// staticmethod, `None` for any other method.
fn method_role(model: &Model, def: Node) -> Option<bool> {
    let name = model.node_text(def.child_by_field_name("name")?);
    if name == b"__init__" {
        return Some(true);
    }
    let decorated = def
        .parent()
        .filter(|p| p.kind() == "decorated_definition")?;
    let mut cursor = decorated.walk();
    let factory = decorated
        .named_children(&mut cursor)
        .filter(|c| c.kind() == "decorator")
        .any(|d| {
            matches!(
                model.node_text(d).trim_ascii(),
                b"@classmethod" | b"@staticmethod"
            )
        });
    factory.then_some(false)
}

/// The module-level class that a method's `def` belongs to.
pub fn method_class(def: Node) -> Option<Node> {
    let mut node = def.parent()?;
    if node.kind() == "decorated_definition" {
        node = node.parent()?;
    }
    let class = node.parent().filter(|_| node.kind() == "block")?;
    (class.kind() == "class_definition").then_some(class)
}

/// How messages name a function: `load`, or `Database.__init__` for a method.
pub fn def_label(code: &[u8], def: Node) -> String {
    let text = |node: Node| String::from_utf8_lossy(&code[node.byte_range()]).into_owned();
    let Some(name) = def.child_by_field_name("name") else {
        return String::new();
    };
    match method_class(def).and_then(|c| c.child_by_field_name("name")) {
        Some(class) => format!("{}.{}", text(class), text(name)),
        None => text(name),
    }
}

fn loop_function<'t>(
    model: &Model<'t>,
    function: ScopeId,
    evidence: Node<'t>,
    next: Option<usize>,
    awaitable: Option<Awaitable<'t>>,
) -> Option<LoopFunction<'t>> {
    let def = model.scopes[function].node;
    let class = method_class(def).and_then(|c| Some((c, method_role(model, def)?)));
    let named = match class {
        Some((class, _)) => class,
        None => def,
    };
    let name = model.node_text(named.child_by_field_name("name")?);
    Some(LoopFunction {
        scope: function,
        name,
        class,
        def,
        evidence,
        next,
        awaitable,
        plain: class.is_none() && is_plain_wrapper(def, evidence),
    })
}

/// The call whose callee is exactly `identifier` (`load()` for `load`).
fn called_by_name(identifier: Node) -> Option<Node> {
    let call = identifier.parent()?;
    (call.kind() == "call"
        && call
            .child_by_field_name("function")
            .is_some_and(|f| f.id() == identifier.id()))
    .then_some(call)
}

/// `def load():` + optional docstring + `return <evidence>`.
fn is_plain_wrapper(def: Node, evidence: Node) -> bool {
    let no_parameters = def
        .child_by_field_name("parameters")
        .is_some_and(|p| p.named_child_count() == 0);
    let Some(body) = def.child_by_field_name("body") else {
        return false;
    };
    let mut cursor = body.walk();
    let statements: Vec<Node> = body
        .named_children(&mut cursor)
        .filter(|c| c.kind() != "comment")
        .collect();
    let statements = match statements.as_slice() {
        [first, rest @ ..] if is_docstring(*first) => rest,
        all => all,
    };
    let returns_evidence = matches!(statements, [only] if only.kind() == "return_statement"
        && only.named_child(0).is_some_and(|e| e.id() == evidence.id()));
    no_parameters && returns_evidence
}

/// Import-time calls of the loop functions, as LF004 sites.
pub fn wrapper_sites<'t>(
    model: &Model<'t>,
    functions: &[LoopFunction<'t>],
    direct: &[Site<'t>],
) -> Vec<Site<'t>> {
    let mut sites = Vec::new();
    for r in &model.refs {
        if r.role != Role::Load || r.place != Place::ImportTime {
            continue;
        }
        let candidates = functions
            .iter()
            .enumerate()
            .filter(|(_, f)| f.name == r.name);
        let Some((index, call)) = candidates
            .filter_map(|(i, f)| Some((i, called_as(model, f, r.node)?)))
            .next()
        else {
            continue;
        };
        let function = &functions[index];
        if !model.resolves_to_global(r.name, r.scope) || !is_latest_binding(model, function, call) {
            continue;
        }
        let inside_direct = direct.iter().any(|s| {
            s.call.start_byte() <= call.start_byte() && call.end_byte() <= s.call.end_byte()
        });
        if inside_direct {
            continue;
        }
        let Some((statement, top)) = enclosing_statement(model, call) else {
            continue;
        };
        sites.push(Site {
            rule: Rule::IndirectLoopAtImport,
            kind: wrapper_kind(functions, index),
            call,
            statement,
            top,
        });
    }
    sites
}

/// The call of `function` that `identifier` (a use of its name) makes: `load(...)`,
/// `Database(...)` for a class's `__init__`, `Database.create(...)` for a classmethod.
fn called_as<'t>(model: &Model, function: &LoopFunction, identifier: Node<'t>) -> Option<Node<'t>> {
    if !function.is_factory() {
        return called_by_name(identifier);
    }
    let attribute = identifier.parent().filter(|p| p.kind() == "attribute")?;
    let method = attribute.child_by_field_name("attribute")?;
    let def_name = function.def.child_by_field_name("name")?;
    if model.node_text(method) != model.node_text(def_name) {
        return None;
    }
    let call = attribute.parent().filter(|p| p.kind() == "call")?;
    call.child_by_field_name("function")
        .is_some_and(|f| f.id() == attribute.id())
        .then_some(call)
}

/// The binding of the function's name in force at the call is its `def` (its `class`, for a
/// method).
fn is_latest_binding(model: &Model, function: &LoopFunction, call: Node) -> bool {
    let named = function.class.map_or(function.def, |(class, _)| class);
    let Some(name) = named.child_by_field_name("name") else {
        return false;
    };
    model
        .bindings_of(function.name)
        .filter(|b| b.offset < call.start_byte())
        .last()
        .is_some_and(|b| b.offset == name.start_byte())
}

fn wrapper_kind<'t>(functions: &[LoopFunction<'t>], start: usize) -> SiteKind<'t> {
    let mut chain = [None; MAX_CHAIN];
    let mut plain = true;
    let mut current = start;
    let mut depth = 0;
    loop {
        let function = &functions[current];
        if depth < MAX_CHAIN {
            chain[depth] = Some(function.def);
        }
        plain &= function.plain;
        depth += 1;
        match function.next {
            Some(next) if depth < functions.len() => current = next,
            _ => break,
        }
    }
    let last = &functions[current];
    let awaitable = match (plain, last.awaitable) {
        (true, Some(awaitable)) => awaitable,
        _ => Awaitable::Missing,
    };
    SiteKind::Run {
        awaitable,
        via: Via::Wrapper {
            name: functions[start].name,
            inner: last.evidence,
            chain,
            plain: plain && last.awaitable.is_some(),
        },
    }
}
