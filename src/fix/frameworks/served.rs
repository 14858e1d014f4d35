//! Which app of a module is served (SPEC §4.0 rule 3): the app passed to `Mangum(...)`,
//! `uvicorn.run(...)` or `web.run_app(...)`, else the only app that is not mounted under
//! another, else the conventional ASGI entry (`app`, `application`). A sub-app given to
//! `.mount(...)` is served through the app it is mounted under, whose start-up runs instead.

use tree_sitter::{Node, QueryCursor, StreamingIterator};

use super::detect::App;
use crate::diagnostic::Blocked;
use crate::fix::ctx::Ctx;
use crate::fix::text;
use crate::semantic::Place;
use crate::syntax::queries::SERVING;
use crate::syntax::tree::named_children;

/// Callables that serve the app they are given first.
const SERVERS: &[&str] = &[
    "mangum.Mangum",
    "mangum.adapter.Mangum",
    "uvicorn.run",
    "aiohttp.web.run_app",
];

/// The names an ASGI server looks for when it is given only a module.
const CONVENTIONAL: &[&[u8]] = &[b"app", b"application"];

/// A call of a server, and the name of the app it serves.
#[derive(Debug, Clone, Copy)]
pub struct Served<'t> {
    /// The call (`Mangum(app, lifespan="off")`).
    pub call: Node<'t>,
    /// The callee's qualified name.
    pub server: &'static str,
    /// The expression it serves (first positional argument, or `app=`).
    pub app: Node<'t>,
    /// The argument list.
    pub arguments: Node<'t>,
}

/// The import-time calls of servers in the module.
pub fn server_calls<'t>(ctx: &Ctx<'_, 't>) -> Vec<Served<'t>> {
    let q = &*SERVING;
    let mut cursor = QueryCursor::new();
    let mut matches = cursor.matches(&q.query, ctx.model.root, ctx.model.text);
    let mut out = Vec::new();
    while let Some(m) = matches.next() {
        let capture = |index: u32| m.captures.iter().find(|c| c.index == index).map(|c| c.node);
        let (Some(call), Some(function), Some(arguments)) =
            (capture(q.serve), capture(q.function), capture(q.arguments))
        else {
            continue;
        };
        if !matches!(
            ctx.model.place_at(call.start_byte()),
            Place::ImportTime | Place::EntryPoint
        ) {
            continue;
        }
        let Some(server) = ctx
            .model
            .qualified_name(function)
            .and_then(|q| SERVERS.iter().find(|s| **s == q))
        else {
            continue;
        };
        let Some(app) = served_argument(ctx, arguments) else {
            continue;
        };
        out.push(Served {
            call,
            server,
            app,
            arguments,
        });
    }
    out
}

/// The first positional argument, or the `app=` keyword.
fn served_argument<'t>(ctx: &Ctx<'_, 't>, arguments: Node<'t>) -> Option<Node<'t>> {
    let mut children = named_children(arguments).filter(|a| a.kind() != "comment");
    let first = children.next()?;
    if !matches!(
        first.kind(),
        "keyword_argument" | "list_splat" | "dictionary_splat"
    ) {
        return Some(first);
    }
    named_children(arguments)
        .filter(|a| a.kind() == "keyword_argument")
        .find(|a| {
            a.child_by_field_name("name")
                .is_some_and(|n| ctx.model.node_text(n) == b"app")
        })
        .and_then(|a| a.child_by_field_name("value"))
}

/// The names of the apps mounted under another app at import time.
fn mounted<'t>(ctx: &Ctx<'_, 't>) -> Vec<&'t [u8]> {
    let q = &*SERVING;
    let mut cursor = QueryCursor::new();
    let mut matches = cursor.matches(&q.query, ctx.model.root, ctx.model.text);
    let mut out = Vec::new();
    while let Some(m) = matches.next() {
        for capture in m.captures.iter().filter(|c| c.index == q.mounted) {
            if ctx.model.place_at(capture.node.start_byte()) == Place::ImportTime {
                out.push(ctx.model.node_text(capture.node));
            }
        }
    }
    out
}

/// The app of the module that is served, `None` when the module builds none; an error when it
/// builds several and nothing tells which one is served.
pub fn served_app<'a, 't>(
    ctx: &Ctx<'_, 't>,
    apps: &'a [App<'t>],
) -> Result<Option<&'a App<'t>>, Blocked> {
    if apps.is_empty() {
        return Ok(None);
    }
    let mounted = mounted(ctx);
    let candidates: Vec<&App> = apps.iter().filter(|a| !mounted.contains(&a.name)).collect();
    let mut named: Vec<&App> = Vec::new();
    for served in server_calls(ctx) {
        if served.app.kind() != "identifier" {
            continue;
        }
        let name = ctx.model.node_text(served.app);
        if let Some(app) = candidates.iter().find(|a| a.name == name)
            && !named.iter().any(|n| n.name == name)
        {
            named.push(app);
        }
    }
    let chosen: Vec<&App> = match named.len() {
        0 if candidates.len() == 1 => candidates,
        0 => candidates
            .iter()
            .copied()
            .filter(|a| CONVENTIONAL.contains(&a.name))
            .collect(),
        _ => named,
    };
    match chosen.as_slice() {
        [app] => Ok(Some(app)),
        _ => Err(Blocked::SeveralApps {
            names: apps.iter().map(|a| text::name_text(a.name)).collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::frameworks::detect::Frameworks;
    use crate::options::FixOptions;
    use crate::semantic::Model;
    use crate::source::SourceFile;

    /// The name of the served app of `code`, or the reason there is none.
    fn served(code: &str) -> Result<Option<String>, Blocked> {
        let src = SourceFile::new(code.as_bytes().to_vec()).unwrap();
        let tree = crate::syntax::parse::parse(src.parse_text()).unwrap();
        let model = Model::build(&tree, src.parse_text());
        let options = FixOptions::default();
        let ctx = Ctx::new(&model, &src, &options, None);
        let found = Frameworks::find(&ctx);
        served_app(&ctx, found.apps()).map(|app| app.map(|a| text::name_text(a.name)))
    }

    const HEADER: &str = "from fastapi import FastAPI\nfrom mangum import Mangum\n";

    #[test]
    fn a_mounted_sub_app_is_served_through_the_app_it_is_mounted_under() {
        let code = format!("{HEADER}api = FastAPI()\nroot = FastAPI()\nroot.mount(\"/v1\", api)\n");
        assert_eq!(served(&code).unwrap().as_deref(), Some("root"));
        let code =
            format!("{HEADER}api = FastAPI()\nroot = FastAPI()\nroot.mount(\"/v1\", app=api)\n");
        assert_eq!(served(&code).unwrap().as_deref(), Some("root"));
    }

    #[test]
    fn the_app_handed_to_a_server_is_served() {
        let code =
            format!("{HEADER}admin = FastAPI()\npublic = FastAPI()\nhandler = Mangum(public)\n");
        assert_eq!(served(&code).unwrap().as_deref(), Some("public"));
    }

    #[test]
    fn the_conventional_name_decides_between_apps() {
        let code = format!("{HEADER}admin = FastAPI()\napp = FastAPI()\n");
        assert_eq!(served(&code).unwrap().as_deref(), Some("app"));
    }

    #[test]
    fn several_apps_and_nothing_to_tell_them_apart_is_no_served_app() {
        let code = format!("{HEADER}admin = FastAPI()\npublic = FastAPI()\n");
        assert!(matches!(served(&code), Err(Blocked::SeveralApps { names }) if names.len() == 2));
        let code = format!("{HEADER}a = FastAPI()\nb = FastAPI()\nx = Mangum(a)\ny = Mangum(b)\n");
        assert!(matches!(served(&code), Err(Blocked::SeveralApps { .. })));
    }

    #[test]
    fn a_module_without_an_app_serves_none() {
        assert_eq!(served("import asyncio\n").unwrap(), None);
    }
}
