//! Import-time loop sites: the calls the queries in `transforms/detect/` find, kept when they
//! resolve to asyncio, uvloop or anyio and run at import time, and classified by what they do.

use tree_sitter::{Node, QueryCursor, StreamingIterator};

use crate::rules::Rule;
use crate::semantic::{BindingKind, MODULE_SCOPE, Model, Place, ScopeId};
use crate::syntax::queries::CALLS;

pub mod wrappers;

/// The method names of asyncio's loop entry points that a method-style call may name.
const LOOP_METHODS: &[&[u8]] = &[
    b"run",
    b"run_until_complete",
    b"new_event_loop",
    b"set_event_loop",
    b"get_event_loop",
    b"close",
];

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

/// What detection finds in a module.
pub struct Detection<'t> {
    /// Import-time loop sites, in source order.
    pub sites: Vec<Site<'t>>,
    /// The module's functions that run a loop when called.
    pub loop_functions: Vec<wrappers::LoopFunction<'t>>,
}

/// Finds every import-time event-loop call of a module, in source order: direct ones, and calls
/// of the module's own functions that run a loop (LF004).
pub fn find_sites<'t>(model: &Model<'t>) -> Detection<'t> {
    let classified = classify_calls(model);
    let mut sites = Vec::new();
    let mut runs_in_functions: Vec<(ScopeId, Node<'t>, Awaitable<'t>)> = Vec::new();
    for (call, rule, kind) in classified {
        match model.place_at(call.start_byte()) {
            Place::ImportTime => {
                let Some((statement, top)) = enclosing_statement(model, call) else {
                    continue;
                };
                sites.push(Site {
                    rule,
                    kind,
                    call,
                    statement,
                    top,
                });
            }
            Place::Deferred(scope) => {
                if let SiteKind::Run { awaitable, .. } = kind {
                    runs_in_functions.push((scope, call, awaitable));
                }
            }
            Place::EntryPoint | Place::TypeChecking => {}
        }
    }
    sites.sort_by_key(|s| (s.call.start_byte(), std::cmp::Reverse(s.call.end_byte())));
    drop_nested_sites(&mut sites);
    let mut sites = classify_loop_uses(attach_loop_vars(model, sites));
    let loop_functions = wrappers::loop_functions(model, &runs_in_functions);
    if !loop_functions.is_empty() {
        sites.extend(wrappers::wrapper_sites(model, &loop_functions, &sites));
        sites.sort_by_key(|s| (s.call.start_byte(), s.call.end_byte()));
    }
    Detection {
        sites,
        loop_functions,
    }
}

/// Every candidate call of the module that resolves to a loop operation, wherever it runs.
fn classify_calls<'t>(model: &Model<'t>) -> Vec<(Node<'t>, Rule, SiteKind<'t>)> {
    let mut out = Vec::new();
    let mut cursor = QueryCursor::new();
    let calls = &*CALLS;
    let mut matches = cursor.matches(&calls.query, model.root, model.text);
    let has_bare_imports = model.bindings.iter().any(|b| match &b.kind {
        BindingKind::Member(q) => is_loop_library(q),
        BindingKind::Star(m) => is_loop_library(m),
        _ => false,
    });
    let classifier = Classifier { model };
    while let Some(m) = matches.next() {
        let capture = |index: u32| m.captures.iter().find(|c| c.index == index).map(|c| c.node);
        let (Some(call), Some(arguments)) = (capture(calls.call), capture(calls.arguments)) else {
            continue;
        };
        let Some(function) = capture(calls.function) else {
            continue;
        };
        let kind = match function.kind() {
            "identifier" if has_bare_imports => classifier.bare_call(function, arguments),
            "attribute" => match (
                function.child_by_field_name("object"),
                function.child_by_field_name("attribute"),
            ) {
                (Some(receiver), Some(method))
                    if method.kind() == "identifier"
                        && LOOP_METHODS.contains(&model.node_text(method)) =>
                {
                    classifier.method_call(call, receiver, method, arguments)
                }
                _ => None,
            },
            _ => None,
        };
        if let Some((rule, kind)) = kind {
            out.push((call, rule, kind));
        }
    }
    out
}

fn is_loop_library(qualified: &str) -> bool {
    ["asyncio", "uvloop", "anyio"]
        .iter()
        .any(|m| qualified == *m || qualified.starts_with(&format!("{m}.")))
}

/// A call inside another site's call is part of it: `asyncio.set_event_loop(asyncio.new_event_loop())`
/// is one statement and one finding.
fn drop_nested_sites(sites: &mut Vec<Site>) {
    let mut kept: Vec<Site> = Vec::with_capacity(sites.len());
    for site in sites.drain(..) {
        let nested = kept.iter().any(|outer| {
            outer.call.start_byte() <= site.call.start_byte()
                && site.call.end_byte() <= outer.call.end_byte()
        });
        if !nested {
            kept.push(site);
        }
    }
    *sites = kept;
}

struct Classifier<'m, 't> {
    model: &'m Model<'t>,
}

impl<'t> Classifier<'_, 't> {
    fn qualified(&self, node: Node<'t>) -> Option<String> {
        self.model.qualified_name(node)
    }

    fn bare_call(&self, function: Node<'t>, arguments: Node<'t>) -> Option<(Rule, SiteKind<'t>)> {
        let qualified = self.qualified(function)?;
        self.library_call(&qualified, arguments)
    }

    /// A call of a resolved library function.
    fn library_call(&self, qualified: &str, arguments: Node<'t>) -> Option<(Rule, SiteKind<'t>)> {
        let run = |runner: &'static str, awaitable| {
            Some((
                Rule::AsyncioRunAtImport,
                SiteKind::Run {
                    awaitable,
                    via: Via::Runner(runner),
                },
            ))
        };
        match qualified {
            "asyncio.run" => run("asyncio.run", first_argument(arguments)),
            "uvloop.run" => run("uvloop.run", first_argument(arguments)),
            "anyio.run" => run("anyio.run", anyio_awaitable(arguments)),
            "asyncio.new_event_loop" | "uvloop.new_event_loop" => {
                Some((Rule::LoopCreatedAtImport, SiteKind::NewLoop { var: None }))
            }
            "asyncio.get_event_loop" => {
                Some((Rule::GetEventLoopAtImport, SiteKind::GetLoop { var: None }))
            }
            "asyncio.set_event_loop" => {
                Some((Rule::LoopCreatedAtImport, SiteKind::SetLoop { var: None }))
            }
            _ => None,
        }
    }

    fn method_call(
        &self,
        call: Node<'t>,
        receiver: Node<'t>,
        method: Node<'t>,
        arguments: Node<'t>,
    ) -> Option<(Rule, SiteKind<'t>)> {
        let function = call.child_by_field_name("function")?;
        if let Some(qualified) = self.qualified(function) {
            return self.library_call(&qualified, arguments);
        }
        let method = self.model.node_text(method);
        let receiver_kind = self.receiver_kind(receiver);
        match (method, receiver_kind) {
            (b"run_until_complete", Receiver::FetchedLoop) => Some((
                Rule::GetEventLoopAtImport,
                SiteKind::Run {
                    awaitable: first_argument(arguments),
                    via: Via::InlineLoop { fetched: true },
                },
            )),
            (b"run_until_complete", Receiver::NewLoop) => Some((
                Rule::LoopCreatedAtImport,
                SiteKind::Run {
                    awaitable: first_argument(arguments),
                    via: Via::InlineLoop { fetched: false },
                },
            )),
            (b"run_until_complete", Receiver::Name(name)) => Some((
                Rule::LoopCreatedAtImport,
                SiteKind::Run {
                    awaitable: first_argument(arguments),
                    via: Via::LoopVar(name),
                },
            )),
            (b"run_until_complete", _) => Some((
                Rule::LoopCreatedAtImport,
                SiteKind::Run {
                    awaitable: first_argument(arguments),
                    via: Via::Unknown,
                },
            )),
            (b"run", Receiver::RunnerObject) => Some((
                Rule::AsyncioRunAtImport,
                SiteKind::Run {
                    awaitable: first_argument(arguments),
                    via: Via::RunnerObject,
                },
            )),
            (b"run", Receiver::Name(name)) if self.is_runner_name(name, call) => Some((
                Rule::AsyncioRunAtImport,
                SiteKind::Run {
                    awaitable: first_argument(arguments),
                    via: Via::RunnerObject,
                },
            )),
            (b"close", Receiver::Name(name)) => {
                Some((Rule::LoopCreatedAtImport, SiteKind::CloseLoop { var: name }))
            }
            (b"new_event_loop", Receiver::Policy) => {
                Some((Rule::LoopCreatedAtImport, SiteKind::NewLoop { var: None }))
            }
            (b"get_event_loop", Receiver::Policy) => {
                Some((Rule::GetEventLoopAtImport, SiteKind::GetLoop { var: None }))
            }
            (b"set_event_loop", Receiver::Policy) => {
                Some((Rule::LoopCreatedAtImport, SiteKind::SetLoop { var: None }))
            }
            _ => None,
        }
    }

    fn receiver_kind(&self, receiver: Node<'t>) -> Receiver<'t> {
        match receiver.kind() {
            "call" => {
                let Some(function) = receiver.child_by_field_name("function") else {
                    return Receiver::Other;
                };
                match self.qualified(function).as_deref() {
                    Some("asyncio.get_event_loop") => Receiver::FetchedLoop,
                    Some("asyncio.new_event_loop" | "uvloop.new_event_loop") => Receiver::NewLoop,
                    Some("asyncio.Runner") => Receiver::RunnerObject,
                    Some(
                        "asyncio.get_event_loop_policy"
                        | "asyncio.DefaultEventLoopPolicy"
                        | "asyncio.events.DefaultEventLoopPolicy"
                        | "uvloop.EventLoopPolicy",
                    ) => Receiver::Policy,
                    _ => Receiver::Other,
                }
            }
            "identifier" => {
                let name = self.model.node_text(receiver);
                if self
                    .model
                    .resolves_to_global(name, self.model.scope_of_identifier(receiver))
                    && self
                        .model
                        .resolve_name(name, MODULE_SCOPE, receiver.start_byte())
                        .is_none()
                {
                    Receiver::Name(name)
                } else {
                    Receiver::Other
                }
            }
            _ => Receiver::Other,
        }
    }

    /// Whether `name` holds an `asyncio.Runner`: `with asyncio.Runner() as name:` or
    /// `name = asyncio.Runner()` at import time, before `call`.
    fn is_runner_name(&self, name: &[u8], call: Node<'t>) -> bool {
        self.model
            .bindings_of(name)
            .filter(|b| b.offset < call.start_byte())
            .any(|b| {
                let Some(target) = self
                    .model
                    .root
                    .descendant_for_byte_range(b.offset, b.offset + name.len())
                else {
                    return false;
                };
                runner_value_of_target(target).is_some_and(|value| {
                    value.kind() == "call"
                        && value
                            .child_by_field_name("function")
                            .and_then(|f| self.qualified(f))
                            .as_deref()
                            == Some("asyncio.Runner")
                })
            })
    }
}

enum Receiver<'t> {
    FetchedLoop,
    NewLoop,
    RunnerObject,
    Policy,
    Name(&'t [u8]),
    Other,
}

/// The value bound to a target: `value` in `with value as target` or `target = value`.
fn runner_value_of_target(target: Node) -> Option<Node> {
    let mut node = target.parent()?;
    if node.kind() == "as_pattern_target" {
        let pattern = node.parent()?;
        return pattern.named_child(0);
    }
    while node.kind() == "pattern_list" {
        node = node.parent()?;
    }
    if node.kind() == "assignment" {
        return node.child_by_field_name("right");
    }
    None
}

fn first_argument(arguments: Node) -> Awaitable {
    if arguments.kind() != "argument_list" {
        return Awaitable::Missing;
    }
    let mut cursor = arguments.walk();
    let first = arguments
        .named_children(&mut cursor)
        .find(|c| c.kind() != "comment");
    match first {
        Some(node)
            if !matches!(
                node.kind(),
                "keyword_argument" | "list_splat" | "dictionary_splat"
            ) =>
        {
            Awaitable::Expression(node)
        }
        _ => Awaitable::Missing,
    }
}

fn anyio_awaitable(arguments: Node) -> Awaitable {
    match first_argument(arguments) {
        Awaitable::Expression(function) => Awaitable::CallOf {
            function,
            arguments,
        },
        other => other,
    }
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

/// Names loop globals: `loop = asyncio.new_event_loop()` makes `loop` the var of its site, and
/// `asyncio.set_event_loop(loop)` refers to it.
fn attach_loop_vars<'t>(model: &Model<'t>, mut sites: Vec<Site<'t>>) -> Vec<Site<'t>> {
    for site in &mut sites {
        match &mut site.kind {
            SiteKind::NewLoop { var } | SiteKind::GetLoop { var } => {
                *var = assigned_name(model, site.call);
            }
            SiteKind::SetLoop { var } => {
                if let Awaitable::Expression(argument) = site
                    .call
                    .child_by_field_name("arguments")
                    .map_or(Awaitable::Missing, first_argument)
                    && argument.kind() == "identifier"
                {
                    *var = Some(model.node_text(argument));
                }
            }
            _ => {}
        }
    }
    sites
}

/// `name` in `name = <call>` at module scope.
fn assigned_name<'t>(model: &Model<'t>, call: Node<'t>) -> Option<&'t [u8]> {
    let assignment = call.parent()?;
    if assignment.kind() != "assignment"
        || assignment.child_by_field_name("right")?.id() != call.id()
    {
        return None;
    }
    let left = assignment.child_by_field_name("left")?;
    (left.kind() == "identifier" && model.scope_of_identifier(left) == MODULE_SCOPE)
        .then(|| model.node_text(left))
}

/// `loop.close()` and `loop.run_until_complete()` count only on a loop global; a name loopfix
/// knows nothing about keeps `run_until_complete` (it is still a loop run at import time) and
/// drops `close` (any object has a `close`).
fn classify_loop_uses(sites: Vec<Site>) -> Vec<Site> {
    let loop_vars: Vec<&[u8]> = sites
        .iter()
        .filter_map(|s| match s.kind {
            SiteKind::NewLoop { var } | SiteKind::GetLoop { var } => var,
            _ => None,
        })
        .collect();
    sites
        .into_iter()
        .filter_map(|mut site| {
            match &mut site.kind {
                SiteKind::CloseLoop { var } if !loop_vars.contains(var) => return None,
                SiteKind::Run {
                    via: via @ Via::LoopVar(_),
                    ..
                } => {
                    if let Via::LoopVar(name) = via
                        && !loop_vars.contains(name)
                    {
                        *via = Via::Unknown;
                    }
                }
                _ => {}
            }
            Some(site)
        })
        .collect()
}
