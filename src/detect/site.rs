//! What detection finds: an import-time event-loop call ([`Site`]), what it does, what it runs
//! and through which loop, and the statement that holds it.

use tree_sitter::Node;

use crate::rules::Rule;
use crate::semantic::Model;

/// What a loop site does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[expect(
    clippy::large_enum_variant,
    reason = "a module has a handful of sites; keeping them `Copy` matters more than their size"
)]
pub enum SiteKind<'t> {
    /// Runs an awaitable to completion: `asyncio.run(E)`, `uvloop.run(E)`, `runner.run(E)`,
    /// `anyio.run(f, *args)`, `loop.run_until_complete(E)`.
    Run {
        /// What to await instead.
        awaitable: Awaitable<'t>,
        /// Which loop runs it.
        via: Via<'t>,
    },
    /// `asyncio.new_event_loop()`; `var` when assigned to a module-level name.
    NewLoop {
        /// The loop global.
        var: Option<&'t [u8]>,
    },
    /// `asyncio.get_event_loop()` alone or kept in a global.
    GetLoop {
        /// The loop global.
        var: Option<&'t [u8]>,
    },
    /// `asyncio.set_event_loop(X)`.
    SetLoop {
        /// `X`, when it is a loop global.
        var: Option<&'t [u8]>,
    },
    /// `loop.close()` on a loop global.
    CloseLoop {
        /// The loop global.
        var: &'t [u8],
    },
    /// `asyncio.get_running_loop()`, `asyncio.create_task(...)`, `asyncio.current_task()`,
    /// `asyncio.all_tasks()`: they need a running loop, and none runs at import time (LF007).
    RunningLoop,
}

/// What a run site awaits once rewritten.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Awaitable<'t> {
    /// An expression that is itself awaitable: `main()` in `asyncio.run(main())`.
    Expression(Node<'t>),
    /// `anyio.run(func, *args)`: `func(*args)` is awaited; `arguments` is the whole list.
    CallOf {
        /// The async function.
        function: Node<'t>,
        /// The `anyio.run` argument list (the function first, then its arguments).
        arguments: Node<'t>,
    },
    /// Nothing to await (`asyncio.run()` without an argument).
    Missing,
}

/// The loop a run site uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via<'t> {
    /// A runner function that makes its own loop (`asyncio.run`, `uvloop.run`, `anyio.run`).
    Runner(&'static str),
    /// An `asyncio.Runner` object.
    RunnerObject,
    /// A loop global: `loop.run_until_complete(...)`.
    LoopVar(&'t [u8]),
    /// A loop made or fetched in place: `asyncio.get_event_loop().run_until_complete(...)`.
    InlineLoop {
        /// `get_event_loop()` rather than `new_event_loop()`.
        fetched: bool,
    },
    /// A loop loopfix cannot see the origin of (`app.loop.run_until_complete(...)`).
    Unknown,
    /// A function of the module whose body runs a loop (`DATA = load()`, LF004): its name, the
    /// call inside it that runs the loop, and whether it is a plain `return <run>` wrapper.
    Wrapper {
        /// The function's name.
        name: &'t [u8],
        /// The loop run at the end of the chain.
        inner: Node<'t>,
        /// The wrapper definitions along the chain, outermost first.
        chain: [Option<Node<'t>>; 4],
        /// Whether every function along the chain is a plain wrapper (its awaitable is used).
        plain: bool,
    },
}

/// One import-time event-loop call.
#[derive(Debug, Clone, Copy)]
pub struct Site<'t> {
    /// The rule it falls under.
    pub rule: Rule,
    /// What it does.
    pub kind: SiteKind<'t>,
    /// The call node (reported range).
    pub call: Node<'t>,
    /// The innermost statement that holds the call.
    pub statement: Node<'t>,
    /// Index of the module-level statement that holds it.
    pub top: usize,
}

/// The innermost statement holding `node`, and the index of its module-level statement.
pub fn enclosing_statement<'t>(model: &Model<'t>, node: Node<'t>) -> Option<(Node<'t>, usize)> {
    let mut statement = None;
    let mut current = Some(node);
    while let Some(n) = current {
        let parent = n.parent()?;
        if statement.is_none() && matches!(parent.kind(), "block" | "module") {
            statement = Some(n);
        }
        if parent.kind() == "module" {
            let top = model.statements.iter().position(|s| s.id() == n.id())?;
            return Some((statement.unwrap_or(n), top));
        }
        current = Some(parent);
    }
    None
}
