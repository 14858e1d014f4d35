//! The calls the query of `transforms/detect/calls.scm` finds, kept when they resolve to a loop
//! operation of asyncio, uvloop or anyio (through the module's imports), and classified by what
//! they do and which loop they use.

use tree_sitter::{Node, QueryCursor, StreamingIterator};

use super::site::{Awaitable, SiteKind, Via};
use crate::rules::Rule;
use crate::semantic::{BindingKind, MODULE_SCOPE, Model};
use crate::syntax::queries::CALLS;

/// The method names of asyncio's loop entry points that a method-style call may name.
const LOOP_METHODS: &[&[u8]] = &[
    b"run",
    b"run_until_complete",
    b"new_event_loop",
    b"set_event_loop",
    b"get_event_loop",
    b"close",
    b"get_running_loop",
    b"create_task",
    b"current_task",
    b"all_tasks",
];

/// Every candidate call of the module that resolves to a loop operation, wherever it runs.
pub(super) fn classify_calls<'t>(model: &Model<'t>) -> Vec<(Node<'t>, Rule, SiteKind<'t>)> {
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
            "asyncio.get_running_loop"
            | "asyncio.create_task"
            | "asyncio.current_task"
            | "asyncio.all_tasks" => Some((Rule::NoRunningLoopAtImport, SiteKind::RunningLoop)),
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
            (_, Receiver::NotALoop) => None,
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
                if !self
                    .model
                    .resolves_to_global(name, self.model.scope_of_identifier(receiver))
                {
                    return Receiver::Other;
                }
                if self.is_not_a_loop(name) {
                    return Receiver::NotALoop;
                }
                if self
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

    /// Whether the module-level `name` is surely not a loop: a module imported under it
    /// (`import worker`, which is not a loop library), a class the module defines, or an object
    /// every binding of which is built by a class that makes no loop (`db = Database()`, where
    /// `Database` is the module's class, or a class imported by name that is not a loop
    /// library's and whose name does not end in `Loop`).
    fn is_not_a_loop(&self, name: &[u8]) -> bool {
        let mut bindings = self.model.bindings_of(name).peekable();
        if bindings.peek().is_none() {
            return false;
        }
        bindings.all(|binding| match &binding.kind {
            BindingKind::Module(module) => !is_loop_library(module),
            BindingKind::Member(_) | BindingKind::Star(_) => false,
            BindingKind::Other => {
                let Some(target) = self
                    .model
                    .root
                    .descendant_for_byte_range(binding.offset, binding.offset + name.len())
                else {
                    return false;
                };
                let defines_class = target
                    .parent()
                    .is_some_and(|p| p.kind() == "class_definition");
                defines_class
                    || runner_value_of_target(target)
                        .is_some_and(|value| self.is_non_loop_construction(value))
            }
        })
    }

    /// `C(...)` where `C` is a class that makes no loop (see [`Self::is_not_a_loop`]).
    fn is_non_loop_construction(&self, value: Node<'t>) -> bool {
        if value.kind() != "call" {
            return false;
        }
        let Some(function) = value.child_by_field_name("function") else {
            return false;
        };
        let callee = match function.kind() {
            "identifier" => function,
            "attribute" => match function.child_by_field_name("attribute") {
                Some(attribute) => attribute,
                None => return false,
            },
            _ => return false,
        };
        let class_name = self.model.node_text(callee);
        if !is_class_name(class_name) || class_name.ends_with(b"Loop") {
            return false;
        }
        if let Some(qualified) = self.qualified(function) {
            return !is_loop_library(&qualified);
        }
        // A class of the module itself.
        function.kind() == "identifier"
            && self.model.bindings_of(class_name).any(|b| {
                self.model
                    .root
                    .descendant_for_byte_range(b.offset, b.offset + class_name.len())
                    .and_then(|n| n.parent())
                    .is_some_and(|p| p.kind() == "class_definition")
            })
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
    /// Surely not a loop: a module, a class, an instance of a class that makes no loop.
    NotALoop,
    FetchedLoop,
    NewLoop,
    RunnerObject,
    Policy,
    Name(&'t [u8]),
    Other,
}

/// `CapWords`: an upper-case first letter and a lower-case letter somewhere.
fn is_class_name(name: &[u8]) -> bool {
    name.first().is_some_and(u8::is_ascii_uppercase) && name.iter().any(u8::is_ascii_lowercase)
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

pub(super) fn first_argument(arguments: Node) -> Awaitable {
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
