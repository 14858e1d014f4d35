//! LF006 with Mangum's real semantics (SPEC §4.0): Mangum runs the ASGI lifespan's start-up and
//! shut-down around every invocation, or never with `lifespan="off"`. `Mangum(app, ...)` is
//! reported when its lifespan is off, or may be off (the second positional argument, or a value
//! loopfix cannot evaluate), and the app's start-up needs the lifespan: a start-up hook with work
//! of its own, or an `init()` awaited only there. A manual start-up of the app
//! (`run_until_complete(app.router.startup())`) makes the lifespan off deliberate: not reported.
//! The fix sets `lifespan="auto"` only when the start-up is loopfix's idempotent `init()` and
//! the app has no shut-down work; else it adds the request guard when the app is built in the
//! module; else there is none, and the message says what to do.

use std::sync::Arc;

use tree_sitter::Node;

use super::ctx::Ctx;
use super::frameworks::{App, Frameworks, Hook, Served, guard_app, server_calls};
use super::parts::FixParts;
use crate::diagnostic::{Applicability, Blocked, Edit, Finding, Fix};
use crate::fix::text;
use crate::paths::display_path;
use crate::project::{LifespanNeed, ModuleSummary};
use crate::rules::Rule;
use crate::syntax::tree::{is_docstring, named_children};

/// What Mangum's `lifespan` argument says.
#[derive(Debug, Clone, Copy)]
enum LifespanValue<'t> {
    /// `"auto"`, `"on"`, or the default: the lifespan runs.
    Runs,
    /// The literal `"off"`.
    Off(Node<'t>),
    /// A value loopfix cannot evaluate: it may be off.
    MayBeOff(Node<'t>),
}

/// Mangum's `lifespan`: the `lifespan=` keyword or the second positional argument.
fn mangum_lifespan<'t>(ctx: &Ctx<'_, 't>, served: &Served<'t>) -> LifespanValue<'t> {
    let arguments: Vec<Node> = named_children(served.arguments)
        .filter(|a| a.kind() != "comment")
        .collect();
    let keyword = arguments.iter().find_map(|a| {
        (a.kind() == "keyword_argument"
            && a.child_by_field_name("name")
                .is_some_and(|n| ctx.model.node_text(n) == b"lifespan"))
        .then(|| a.child_by_field_name("value"))
        .flatten()
    });
    let positional = arguments
        .iter()
        .take_while(|a| a.kind() != "keyword_argument")
        .nth(1)
        .copied();
    let Some(value) = keyword.or(positional) else {
        return LifespanValue::Runs;
    };
    if matches!(value.kind(), "list_splat" | "dictionary_splat") {
        return LifespanValue::MayBeOff(value);
    }
    match string_value(ctx, value).as_deref() {
        Some("auto" | "on") => LifespanValue::Runs,
        Some("off") => LifespanValue::Off(value),
        _ => LifespanValue::MayBeOff(value),
    }
}

/// The text of a plain string literal (no f-string, no concatenation).
fn string_value(ctx: &Ctx, string: Node) -> Option<String> {
    if string.kind() != "string" {
        return None;
    }
    let contents: Vec<Node> = named_children(string)
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

/// Why `app`'s start-up needs the lifespan, if it does; `guard_planned` when this module's
/// init fix adds the request guard.
fn lifespan_need(
    ctx: &Ctx,
    found: &Frameworks,
    app: &App,
    guard_planned: bool,
) -> Option<LifespanNeed> {
    let startup = found.startup(app);
    if !startup.manual.is_empty() || startup.manual_in_function {
        return None;
    }
    let mut hooks = Vec::new();
    let mut init = None;
    let mut shutdown = !startup.shutdown.is_empty();
    for hook in &startup.hooks {
        let Some(function) = hook_function(ctx, hook) else {
            hooks.push(ctx.evidence(hook.function));
            continue;
        };
        let (before, after) = around_yield(function);
        shutdown |= after;
        match awaited_inits(ctx, &before) {
            Some(awaited) if awaited.is_empty() => {}
            Some(awaited) => init = init.or(awaited.into_iter().next()),
            None => hooks.push(function.child_by_field_name("name").map_or_else(
                || ctx.evidence(hook.function),
                |n| text::name_text(ctx.original(n)),
            )),
        }
    }
    let guarded = guard_planned || !startup.guards.is_empty();
    let init = init.filter(|_| !guarded);
    (!hooks.is_empty() || init.is_some()).then(|| LifespanNeed {
        app: text::name_text(app.name),
        hooks,
        init,
        shutdown,
    })
}

/// The `def` a hook runs, when the module defines it.
fn hook_function<'t>(ctx: &Ctx<'_, 't>, hook: &Hook<'t>) -> Option<Node<'t>> {
    let mut node = hook.function;
    if node.kind() == "list" {
        node = named_children(node).find(|c| c.kind() != "comment")?;
    }
    match node.kind() {
        "function_definition" => Some(node),
        "identifier" => {
            let name = ctx.model.node_text(node);
            ctx.model.statements.iter().find_map(|&s| {
                let def = match s.kind() {
                    "function_definition" => s,
                    "decorated_definition" => s.child_by_field_name("definition")?,
                    _ => return None,
                };
                (def.kind() == "function_definition"
                    && def
                        .child_by_field_name("name")
                        .is_some_and(|n| ctx.model.node_text(n) == name))
                .then_some(def)
            })
        }
        _ => None,
    }
}

/// The statements of a function's body before its first `yield`, and whether any come after it.
fn around_yield(function: Node) -> (Vec<Node>, bool) {
    let Some(body) = function.child_by_field_name("body") else {
        return (Vec::new(), false);
    };
    let statements: Vec<Node> = named_children(body)
        .filter(|s| s.kind() != "comment")
        .collect();
    match statements.iter().position(|s| holds_yield(*s)) {
        Some(at) => (statements[..at].to_vec(), at + 1 < statements.len()),
        None => (statements, false),
    }
}

fn holds_yield(node: Node) -> bool {
    if node.kind() == "yield" {
        return true;
    }
    if matches!(
        node.kind(),
        "function_definition" | "lambda" | "class_definition"
    ) {
        return false;
    }
    named_children(node).any(holds_yield)
}

/// The `init()` coroutines the statements await, when they do nothing else (a docstring and
/// `pass` aside); `None` when they do other work.
fn awaited_inits(ctx: &Ctx, statements: &[Node]) -> Option<Vec<String>> {
    let mut awaited = Vec::new();
    for statement in statements {
        if is_docstring(*statement) || statement.kind() == "pass_statement" {
            continue;
        }
        let call = (statement.kind() == "expression_statement")
            .then(|| statement.named_child(0))
            .flatten()
            .filter(|e| e.kind() == "await")
            .and_then(|e| e.named_child(0))
            .filter(|c| c.kind() == "call")?;
        let function = call.child_by_field_name("function")?;
        let no_arguments = call
            .child_by_field_name("arguments")
            .is_some_and(|a| named_children(a).next().is_none());
        let last = match function.kind() {
            "identifier" => function,
            "attribute" => function.child_by_field_name("attribute")?,
            _ => return None,
        };
        if !no_arguments || !is_init_name(ctx, ctx.model.node_text(last)) {
            return None;
        }
        awaited.push(text::name_text(ctx.original(function)));
    }
    Some(awaited)
}

/// Whether a name is one loopfix gives `init()`: the configured name, or it with `_2`, `_3`...
fn is_init_name(ctx: &Ctx, name: &[u8]) -> bool {
    let base = ctx.options.naming.init.as_bytes();
    name == base
        || name
            .strip_prefix(base)
            .and_then(|rest| rest.strip_prefix(b"_"))
            .is_some_and(|n| !n.is_empty() && n.iter().all(u8::is_ascii_digit))
}

/// The apps of this module whose start-up needs the lifespan, for the modules that hand them
/// to `Mangum(...)`; `guard_planned` when this module's init fix adds the request guard.
pub fn lifespan_needs(ctx: &Ctx, guard_planned: bool) -> Vec<LifespanNeed> {
    let found = Frameworks::find(ctx);
    found
        .apps()
        .iter()
        .filter(|app| app.framework.asgi)
        .filter_map(|app| lifespan_need(ctx, &found, app, guard_planned))
        .collect()
}

/// LF006 findings: each import-time `Mangum(app, ...)` whose lifespan is off or may be off while
/// the app's start-up needs it, the app built in this module or, in the project phases, in a
/// module of the run it imports. `guard_planned` when this module's init fix adds the request
/// guard to its app.
pub fn lifespan_disabled(ctx: &Ctx, guard_planned: bool) -> Vec<Finding> {
    let servers: Vec<Served> = server_calls(ctx)
        .into_iter()
        .filter(|s| s.server.starts_with("mangum."))
        .collect();
    if servers.is_empty() {
        return Vec::new();
    }
    let found = Frameworks::find(ctx);
    let mut findings = Vec::new();
    for served in &servers {
        let value = mangum_lifespan(ctx, served);
        if matches!(value, LifespanValue::Runs) {
            continue;
        }
        let local = (served.app.kind() == "identifier")
            .then(|| {
                let name = ctx.model.node_text(served.app);
                found
                    .apps()
                    .iter()
                    .find(|a| a.name == name && a.framework.asgi)
            })
            .flatten();
        if let Some(app) = local {
            if let Some(need) = lifespan_need(ctx, &found, app, guard_planned) {
                findings.push(finding(ctx, served, value, Some(app), None, &need));
            }
        } else if let Some((module, need)) = imported_need(ctx, served.app) {
            findings.push(finding(ctx, served, value, None, Some(module), need));
        }
    }
    findings
}

/// The lifespan need of an app another module of the run builds (`from main import app`,
/// `main.app`), in the project phases.
fn imported_need<'a>(
    ctx: &Ctx<'a, '_>,
    expression: Node,
) -> Option<(&'a ModuleSummary, &'a LifespanNeed)> {
    let project = ctx.project?;
    let qualified = ctx.model.qualified_name(expression)?;
    let (module, name) = qualified.rsplit_once('.')?;
    let module = if module.is_empty() { "." } else { module };
    let summary = project
        .index
        .resolve(&project.module, project.is_package, module)?;
    if summary.path == project.path {
        return None;
    }
    let need = summary
        .exports
        .lifespan_needs
        .iter()
        .find(|n| n.app == name)?;
    Some((summary, need))
}

fn finding(
    ctx: &Ctx,
    served: &Served,
    value: LifespanValue,
    app: Option<&App>,
    module: Option<&ModuleSummary>,
    need: &LifespanNeed,
) -> Finding {
    let app_name = match module {
        Some(module) => format!("`{}` of {}", need.app, display_path(&module.path)),
        None => format!("`{}`", need.app),
    };
    let needs = match (need.hooks.as_slice(), &need.init) {
        ([], Some(init)) => format!("`{init}()` is awaited only there"),
        ([hook], _) => format!("its start-up hook `{hook}` runs only there"),
        (hooks, _) => {
            let quoted: Vec<String> = hooks.iter().map(|h| format!("`{h}`")).collect();
            format!("its start-up hooks {} run only there", quoted.join(", "))
        }
    };
    let call = ctx.evidence(served.call);
    let mut message = match value {
        LifespanValue::MayBeOff(value) => format!(
            "`{call}` may turn off the lifespan of {app_name} (loopfix cannot tell what `{}` is), but {needs}",
            ctx.evidence(value)
        ),
        _ => format!("`{call}` never runs the lifespan of {app_name}, but {needs}"),
    };
    let fix = match lifespan_fix(ctx, value, app, need) {
        Ok(fix) => Some(Arc::new(fix)),
        Err(reason) => {
            message.push_str(&format!("; no fix: {reason}"));
            None
        }
    };
    Finding {
        rule: Rule::LifespanDisabled,
        message,
        range: served.call.byte_range(),
        fix,
    }
}

/// `lifespan="auto"` when the start-up is only loopfix's idempotent `init()` and the app has no
/// shut-down work; else the request guard, for an `init()` of an app built here; else none.
fn lifespan_fix(
    ctx: &Ctx,
    value: LifespanValue,
    app: Option<&App>,
    need: &LifespanNeed,
) -> Result<Fix, Blocked> {
    let Some(init) = need.init.as_deref().filter(|_| need.hooks.is_empty()) else {
        return Err(Blocked::StartUpNotIdempotent);
    };
    if let (LifespanValue::Off(value), false) = (value, need.shutdown) {
        return Ok(Fix::safe_edits(
            "Set `lifespan=\"auto\"` so Mangum runs the app's start-up (an idempotent `init()`)",
            vec![Edit::replace(value.byte_range(), auto_literal(ctx, value))],
        ));
    }
    let Some(app) = app else {
        return Err(Blocked::GuardInOtherModule {
            app: need.app.clone(),
            init: init.to_owned(),
        });
    };
    let mut parts = FixParts::default();
    let guard = guard_app(ctx, app, init, &mut parts)?;
    parts.titles.push(format!(
        "Await `{init}()` before every request with `{guard}`, so that it runs with the lifespan off too"
    ));
    parts.limit(Applicability::Safe);
    parts.into_fix().map(|(fix, _)| fix)
}

/// `"auto"` in the quotes and prefix of the literal it replaces.
fn auto_literal(ctx: &Ctx, value: Node) -> Vec<u8> {
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
    replacement
}
