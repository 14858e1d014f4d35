//! A module that builds no app but hands one to Mangum (`from app.main import app` then
//! `handler = Mangum(app, lifespan="off")`, the common Lambda handler module): `init()` is
//! awaited by a request guard that wraps the app where it is handed over
//! (`Mangum(_InitGuard(app), ...)`), whatever the app's framework and the lifespan setting.

use tree_sitter::Node;

use super::served::{Served, server_calls};
use super::wire::{definitions_point, spell_template_imports};
use crate::diagnostic::{Blocked, Edit};
use crate::fix::ctx::Ctx;
use crate::fix::parts::FixParts;
use crate::fix::template;

const HANDED_GUARD: &str = include_str!("../../../transforms/init/handed_guard.py");

/// Wraps the app the module hands to Mangum in a guard that awaits `{awaited}()` before every
/// request; returns how, for the fix's title. Only when Mangum is the module's one server: an
/// app also served another way (`uvicorn.run(app)`) would run without the guard.
pub fn guard_handed_app(
    ctx: &Ctx,
    awaited: &str,
    parts: &mut FixParts,
) -> Option<Result<String, Blocked>> {
    let served = handed_to_mangum(ctx)?;
    let statement = top_statement(served.call)?;
    let hook = ctx.fresh_name("_InitGuard");
    let imported = spell_template_imports(ctx, HANDED_GUARD, parts);
    let mut values: Vec<(&str, &[u8])> =
        vec![("hook", hook.as_bytes()), ("init", awaited.as_bytes())];
    values.extend(imported.iter().map(|(k, v)| (k.as_str(), v.as_bytes())));
    let rendered = template::render(HANDED_GUARD, &values, &ctx.style);
    parts
        .edits
        .push(definition_edit(ctx, statement, rendered, parts));
    parts.edits.push(wrap_edit(ctx, &served, &hook));
    Some(Ok(format!(
        "awaited before every request by `{hook}`, which wraps the app handed to `Mangum`"
    )))
}

/// The call that hands an app to Mangum, when Mangum is the module's one server.
pub fn handed_to_mangum<'t>(ctx: &Ctx<'_, 't>) -> Option<Served<'t>> {
    let servers = server_calls(ctx);
    match servers.as_slice() {
        [served] if served.server.starts_with("mangum.") => Some(*served),
        _ => None,
    }
}

/// The module-level statement that holds `node`.
fn top_statement(node: Node) -> Option<Node> {
    let mut node = node;
    while let Some(parent) = node.parent() {
        if parent.kind() == "module" {
            return Some(node);
        }
        node = parent;
    }
    None
}

/// The guard's class, two blank lines before and after, above `statement`.
fn definition_edit(ctx: &Ctx, statement: Node, rendered: Vec<u8>, parts: &FixParts) -> Edit {
    let newline = ctx.style.newline.clone();
    let (line_start, padding) = definitions_point(ctx, statement, &parts.edits);
    let mut text = Vec::new();
    for _ in 0..padding {
        text.extend_from_slice(&newline);
    }
    text.extend_from_slice(&rendered);
    for _ in 0..3 {
        text.extend_from_slice(&newline);
    }
    Edit::insert(line_start, text)
}

/// `Mangum(app, ...)` becomes `Mangum(Guard(app), ...)`.
fn wrap_edit(ctx: &Ctx, served: &Served, hook: &str) -> Edit {
    let app = ctx.model.node_text(served.app);
    let mut wrapped = format!("{hook}(").into_bytes();
    wrapped.extend_from_slice(app);
    wrapped.push(b')');
    Edit::replace(served.app.byte_range(), wrapped)
}
