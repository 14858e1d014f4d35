//! The application's start-up: the FastAPI/Starlette app a module builds, its lifespan and
//! startup hooks, and LF006, `Mangum(app, lifespan="off")` where start-up work needs the lifespan.

use std::sync::Arc;

use tree_sitter::{Node, QueryCursor, StreamingIterator};

use super::ctx::Ctx;
use crate::diagnostic::{Edit, Finding, Fix};
use crate::rules::Rule;
use crate::semantic::{MODULE_SCOPE, Place, ScopeKind};
use crate::syntax::queries::LIFESPAN;

/// Constructors of ASGI apps whose `lifespan=` loopfix can wire `init()` into.
const APP_CONSTRUCTORS: &[&str] = &[
    "fastapi.FastAPI",
    "fastapi.applications.FastAPI",
    "starlette.applications.Starlette",
];

/// The Mangum adapter.
const MANGUM: &[&str] = &["mangum.Mangum", "mangum.adapter.Mangum"];

/// A module-level `app = FastAPI(...)`.
pub struct App<'t> {
    /// The assignment statement.
    pub statement: Node<'t>,
    /// The name the app is bound to.
    pub name: &'t [u8],
    /// The constructor call.
    pub call: Node<'t>,
    /// The value of the constructor's `lifespan=` argument.
    pub lifespan: Option<Node<'t>>,
}

impl<'t> App<'t> {
    /// The module-level function passed as `lifespan=`.
    pub fn lifespan_function(&self, ctx: &Ctx<'_, 't>) -> Option<Node<'t>> {
        let value = self.lifespan?;
        if value.kind() != "identifier" {
            return None;
        }
        module_function(ctx, ctx.model.node_text(value))
    }

    /// An `async def` decorated with `@app.on_event("startup")`.
    pub fn startup_handler(&self, ctx: &Ctx<'_, 't>) -> Option<Node<'t>> {
        startup_decorators(ctx)
            .into_iter()
            .filter(|(app, _)| *app == self.name)
            .find_map(|(_, decorator)| {
                let definition = decorator.parent()?.child_by_field_name("definition")?;
                let is_async = definition.child(0).is_some_and(|c| c.kind() == "async");
                (definition.kind() == "function_definition" && is_async).then_some(definition)
            })
    }
}

/// A module-level function definition named `name`.
fn module_function<'t>(ctx: &Ctx<'_, 't>, name: &[u8]) -> Option<Node<'t>> {
    ctx.model.scopes.iter().find_map(|scope| {
        let is_module_function = matches!(scope.kind, ScopeKind::Function { .. })
            && scope.parent == Some(MODULE_SCOPE)
            && scope
                .node
                .child_by_field_name("name")
                .is_some_and(|n| ctx.model.node_text(n) == name);
        is_module_function.then_some(scope.node)
    })
}

/// The first module-level `name = FastAPI(...)` / `Starlette(...)`.
pub fn find_app<'t>(ctx: &Ctx<'_, 't>) -> Option<App<'t>> {
    ctx.model.statements.iter().find_map(|&statement| {
        if statement.kind() != "expression_statement" {
            return None;
        }
        let assignment = statement
            .named_child(0)
            .filter(|a| a.kind() == "assignment")?;
        let left = assignment.child_by_field_name("left")?;
        let call = assignment.child_by_field_name("right")?;
        if left.kind() != "identifier" || call.kind() != "call" {
            return None;
        }
        let constructor = ctx
            .model
            .qualified_name(call.child_by_field_name("function")?)?;
        if !APP_CONSTRUCTORS.contains(&constructor.as_str()) {
            return None;
        }
        Some(App {
            statement,
            name: ctx.model.node_text(left),
            call,
            lifespan: keyword_value(call, ctx, b"lifespan"),
        })
    })
}

fn keyword_value<'t>(call: Node<'t>, ctx: &Ctx<'_, 't>, keyword: &[u8]) -> Option<Node<'t>> {
    let arguments = call.child_by_field_name("arguments")?;
    let mut cursor = arguments.walk();
    arguments
        .named_children(&mut cursor)
        .filter(|a| a.kind() == "keyword_argument")
        .find(|a| {
            a.child_by_field_name("name")
                .is_some_and(|n| ctx.model.node_text(n) == keyword)
        })
        .and_then(|a| a.child_by_field_name("value"))
}

/// `(app name, decorator)` of every `@app.on_event("startup")`.
fn startup_decorators<'t>(ctx: &Ctx<'_, 't>) -> Vec<(&'t [u8], Node<'t>)> {
    let q = &*LIFESPAN;
    let mut cursor = QueryCursor::new();
    let mut matches = cursor.matches(&q.query, ctx.model.root, ctx.model.text);
    let mut out = Vec::new();
    while let Some(m) = matches.next() {
        let capture = |index: u32| m.captures.iter().find(|c| c.index == index).map(|c| c.node);
        let (Some(decorator), Some(app), Some(event)) =
            (capture(q.startup), capture(q.app), capture(q.event))
        else {
            continue;
        };
        if string_value(ctx, event).as_deref() == Some("startup") {
            out.push((ctx.model.node_text(app), decorator));
        }
    }
    out
}

/// The text of a plain string literal (no f-string, no concatenation).
fn string_value(ctx: &Ctx, string: Node) -> Option<String> {
    let mut cursor = string.walk();
    let contents: Vec<Node> = string
        .named_children(&mut cursor)
        .filter(|c| c.kind() == "string_content" || c.kind() == "interpolation")
        .collect();
    match contents.as_slice() {
        [] => Some(String::new()),
        [content] if content.kind() == "string_content" => {
            Some(String::from_utf8_lossy(ctx.model.node_text(*content)).into_owned())
        }
        _ => None,
    }
}

/// Whether the module's start-up work already runs in the lifespan: a `lifespan=` passed to the
/// app, a `@app.on_event("startup")` handler, or `app.router.lifespan_context = ...`.
pub fn has_startup_hook(ctx: &Ctx) -> bool {
    if find_app(ctx).is_some_and(|app| app.lifespan.is_some()) {
        return true;
    }
    if !startup_decorators(ctx).is_empty() {
        return true;
    }
    ctx.model.statements.iter().any(|s| {
        let text = ctx.original(*s);
        s.kind() == "expression_statement"
            && memchr::memmem::find(text, b".lifespan_context").is_some()
            && memchr::memchr(b'=', text).is_some()
    })
}

/// LF006 findings: `Mangum(app, lifespan="off")` at import time, when `needs_lifespan`.
pub fn lifespan_disabled(ctx: &Ctx, needs_lifespan: bool) -> Vec<Finding> {
    if !needs_lifespan {
        return Vec::new();
    }
    let q = &*LIFESPAN;
    let mut cursor = QueryCursor::new();
    let mut matches = cursor.matches(&q.query, ctx.model.root, ctx.model.text);
    let mut findings = Vec::new();
    while let Some(m) = matches.next() {
        let capture = |index: u32| m.captures.iter().find(|c| c.index == index).map(|c| c.node);
        let (Some(call), Some(function), Some(value)) =
            (capture(q.call), capture(q.function), capture(q.value))
        else {
            continue;
        };
        if ctx.model.place_at(call.start_byte()) != Place::ImportTime {
            continue;
        }
        let is_mangum = ctx
            .model
            .qualified_name(function)
            .is_some_and(|q| MANGUM.contains(&q.as_str()));
        if !is_mangum || string_value(ctx, value).as_deref() != Some("off") {
            continue;
        }
        findings.push(lifespan_finding(ctx, call, value));
    }
    findings
}

fn lifespan_finding(ctx: &Ctx, call: Node, value: Node) -> Finding {
    let quoted = ctx.original(value);
    let quote = quoted.last().copied().unwrap_or(b'"');
    let prefix_len = quoted
        .iter()
        .take_while(|&&b| b != b'\'' && b != b'"')
        .count();
    let mut replacement = quoted[..prefix_len].to_vec();
    replacement.push(quote);
    replacement.extend_from_slice(b"auto");
    replacement.push(quote);
    let fix = Fix::safe_edits(
        "Set `lifespan=\"auto\"` so Mangum runs the app's start-up",
        vec![Edit::replace(value.byte_range(), replacement)],
    );
    Finding {
        rule: Rule::LifespanDisabled,
        message: format!(
            "`{}` never runs the app's lifespan, but its start-up work needs it",
            ctx.evidence(call)
        ),
        range: call.byte_range(),
        fix: Some(Arc::new(fix)),
    }
}
