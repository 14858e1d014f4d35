//! loopfix's own guards and `init()` already in a module, in the shape loopfix writes today and
//! in the shape earlier versions wrote. Other modules must read the globals they load through
//! the module, after the guard.
//!
//! Today's shape (single flight): an `async def` at module level whose inner `async def`
//! declares the loaded globals and the flag `global`, and whose own body tests the flag:
//!
//! ```python
//! async def load_x() -> None:
//!     global _X_LOADING
//!     async def load() -> None:
//!         global X, _X_LOADED
//!         X = await fetch()
//!         _X_LOADED = True
//!     if not _X_LOADED:
//!         ...
//! ```
//!
//! The earlier shape: the `async def` itself declares them, then `if not FLAG:` (a lazy guard)
//! or `if FLAG: return` (an `init()`).

use tree_sitter::Node;

use super::model::{MODULE_SCOPE, Model, ScopeKind};

/// A global that an existing guard or `init()` loads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardedGlobal {
    /// The global.
    pub name: String,
    /// The guard to await before reading it; `None` when an `init()` loads it at start-up.
    pub loader: Option<String>,
}

/// The globals the guards and `init()` already in the module load. `init_name` is the name the
/// start-up coroutine is given (`init`; `init_2` when the module had an `init` already): a
/// single-flight coroutine of that name is an `init()`, any other a lazy guard.
pub fn existing_guards(model: &Model, init_name: &str) -> Vec<GuardedGlobal> {
    let mut found = Vec::new();
    for scope in &model.scopes {
        if scope.kind != (ScopeKind::Function { is_async: true })
            || scope.parent != Some(MODULE_SCOPE)
        {
            continue;
        }
        let Some(name) = scope.node.child_by_field_name("name") else {
            continue;
        };
        let Some(body) = scope.node.child_by_field_name("body") else {
            continue;
        };
        let function = String::from_utf8_lossy(model.node_text(name)).into_owned();
        let Some(shape) = single_flight_shape(model, body).or_else(|| earlier_shape(model, body))
        else {
            continue;
        };
        let is_init = match shape.kind {
            GuardKind::Lazy => false,
            GuardKind::Init => true,
            GuardKind::Either => is_init_name(&function, init_name),
        };
        for global in shape.globals.into_iter().filter(|g| *g != shape.flag) {
            found.push(GuardedGlobal {
                name: String::from_utf8_lossy(global).into_owned(),
                loader: (!is_init).then(|| function.clone()),
            });
        }
    }
    found
}

/// `init`, or `init_2`, `init_3`, ... (the names loopfix gives when `init` is taken).
fn is_init_name(function: &str, init_name: &str) -> bool {
    function == init_name
        || function
            .strip_prefix(init_name)
            .and_then(|rest| rest.strip_prefix('_'))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Which of the two coroutines a guard body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GuardKind {
    /// A lazy guard (`if not FLAG:` in the earlier shape).
    Lazy,
    /// An `init()` (`if FLAG: return` in the earlier shape).
    Init,
    /// The single-flight shape, which both share: the name tells.
    Either,
}

/// The globals a guard body loads, its flag and its kind.
struct GuardShape<'t> {
    globals: Vec<&'t [u8]>,
    flag: &'t [u8],
    kind: GuardKind,
}

/// Today's shape: an inner `async def` declares the globals and the flag, and the body tests
/// `if not FLAG:`.
fn single_flight_shape<'t>(model: &Model<'t>, body: Node<'t>) -> Option<GuardShape<'t>> {
    let statements = statements_of(body);
    let inner = statements.iter().find_map(|s| {
        (s.kind() == "function_definition" && s.child(0).is_some_and(|c| c.kind() == "async"))
            .then(|| s.child_by_field_name("body"))
            .flatten()
    })?;
    let globals = declared_globals(model, &statements_of(inner))?;
    let (flag, negated) = statements.iter().find_map(|s| flag_test(model, *s))?;
    (negated && globals.contains(&flag)).then_some(GuardShape {
        globals,
        flag,
        kind: GuardKind::Either,
    })
}

/// The earlier shape: `global A, FLAG` then `if not FLAG:` (a lazy guard) or `if FLAG:` (an
/// `init()`).
fn earlier_shape<'t>(model: &Model<'t>, body: Node<'t>) -> Option<GuardShape<'t>> {
    let statements = statements_of(body);
    let globals = declared_globals(model, &statements)?;
    statements.iter().find_map(|s| {
        let (flag, negated) = flag_test(model, *s)?;
        globals.contains(&flag).then(|| GuardShape {
            globals: globals.clone(),
            flag,
            kind: if negated {
                GuardKind::Lazy
            } else {
                GuardKind::Init
            },
        })
    })
}

/// A block's statements, comments left out.
fn statements_of(block: Node) -> Vec<Node> {
    let mut cursor = block.walk();
    block
        .named_children(&mut cursor)
        .filter(|c| c.kind() != "comment")
        .collect()
}

/// The names of the first `global` statement among `statements`, when it names two or more (the
/// loaded globals and the flag).
fn declared_globals<'t>(model: &Model<'t>, statements: &[Node<'t>]) -> Option<Vec<&'t [u8]>> {
    let global = statements.iter().find(|s| s.kind() == "global_statement")?;
    let mut cursor = global.walk();
    let globals: Vec<&[u8]> = global
        .named_children(&mut cursor)
        .filter(|c| c.kind() == "identifier")
        .map(|c| model.node_text(c))
        .collect();
    (globals.len() >= 2).then_some(globals)
}

/// `if not FLAG:` -> `(FLAG, true)`; `if FLAG:` -> `(FLAG, false)`.
fn flag_test<'t>(model: &Model<'t>, statement: Node<'t>) -> Option<(&'t [u8], bool)> {
    if statement.kind() != "if_statement" {
        return None;
    }
    let condition = statement.child_by_field_name("condition")?;
    let (flag, negated) = match condition.kind() {
        "not_operator" => (condition.child_by_field_name("argument")?, true),
        "identifier" => (condition, false),
        _ => return None,
    };
    (flag.kind() == "identifier").then(|| (model.node_text(flag), negated))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse::parse;

    fn guards(code: &str) -> Vec<(String, Option<String>)> {
        let tree = parse(code.as_bytes()).unwrap();
        let model = Model::build(&tree, code.as_bytes());
        existing_guards(&model, "init")
            .into_iter()
            .map(|g| (g.name, g.loader))
            .collect()
    }

    const SINGLE_FLIGHT: &str = r#"import asyncio
X = None
_X_LOADED = False
_X_LOADING: "asyncio.Future[None] | None" = None


async def NAME() -> None:
    """Load X once."""
    global _X_LOADING

    async def load() -> None:
        global X, _X_LOADED
        X = await fetch()
        _X_LOADED = True

    if not _X_LOADED:
        loading = _X_LOADING
        if loading is None or loading.done():
            loading = _X_LOADING = asyncio.ensure_future(load())
        await asyncio.shield(loading)
"#;

    #[test]
    fn a_single_flight_guard_loads_its_globals() {
        assert_eq!(
            guards(&SINGLE_FLIGHT.replace("NAME", "load_x")),
            vec![("X".into(), Some("load_x".into()))]
        );
    }

    #[test]
    fn a_single_flight_init_loads_its_globals_at_start_up() {
        assert_eq!(
            guards(&SINGLE_FLIGHT.replace("NAME", "init")),
            vec![("X".into(), None)]
        );
        assert_eq!(
            guards(&SINGLE_FLIGHT.replace("NAME", "init_2")),
            vec![("X".into(), None)]
        );
        assert_eq!(
            guards(&SINGLE_FLIGHT.replace("NAME", "init_x")),
            vec![("X".into(), Some("init_x".into()))]
        );
    }

    #[test]
    fn the_earlier_shapes_are_still_recognised() {
        let lazy = "async def load_x():\n    global X, _X_LOADED\n    if not _X_LOADED:\n        X = await fetch()\n        _X_LOADED = True\n    return X\n";
        assert_eq!(guards(lazy), vec![("X".into(), Some("load_x".into()))]);
        let init = "async def init():\n    global X, Y, _INITIALIZED\n    if _INITIALIZED:\n        return\n    X = await fetch()\n    Y = 2\n    _INITIALIZED = True\n";
        assert_eq!(guards(init), vec![("X".into(), None), ("Y".into(), None)]);
    }

    #[test]
    fn other_coroutines_are_not_guards() {
        let code = "async def handler():\n    global COUNT, SEEN\n    if COUNT > 1:\n        return\n\nasync def nested():\n    async def inner():\n        global A\n        A = 1\n    if not A:\n        pass\n";
        assert!(guards(code).is_empty());
    }
}
