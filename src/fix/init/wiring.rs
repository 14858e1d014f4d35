//! Wiring `init()` into the application's start-up: an existing lifespan awaits it before its
//! `yield`, else a `@app.on_event("startup")` handler as its first statement, else a new
//! `lifespan` passed to the app's constructor.

use tree_sitter::Node;

use crate::diagnostic::Edit;
use crate::fix::ctx::Ctx;
use crate::fix::imports::imported_name;
use crate::fix::lifespan::{App, find_app};
use crate::fix::parts::FixParts;
use crate::fix::statements::first_statement_edit;
use crate::fix::template;
use crate::fix::text;

const LIFESPAN: &str = include_str!("../../../transforms/init/lifespan.py");
const AWAIT_INIT: &str = include_str!("../../../transforms/init/await.py");

/// Makes the app's start-up await `init()`; returns how, or `None` when there is no app.
pub(super) fn wire(ctx: &Ctx, init: &str, parts: &mut FixParts) -> Option<String> {
    let app = find_app(ctx)?;
    let await_text = template::render(AWAIT_INIT, &[("init", init.as_bytes())], &ctx.style);
    if let Some(function) = app.lifespan_function(ctx) {
        let edit = before_first_yield(ctx, function, &await_text)?;
        parts.edits.push(edit);
        return Some(format!(
            "awaited by the lifespan `{}`",
            String::from_utf8_lossy(ctx.original(function.child_by_field_name("name")?))
        ));
    }
    if app.lifespan.is_some() {
        return None;
    }
    if let Some(handler) = app.startup_handler(ctx) {
        parts
            .edits
            .push(first_statement_edit(ctx, handler, &await_text).ok()?);
        return Some(format!(
            "awaited by the startup handler `{}`",
            String::from_utf8_lossy(ctx.original(handler.child_by_field_name("name")?))
        ));
    }
    new_lifespan(ctx, &app, init, parts)
}

/// A new `@asynccontextmanager` lifespan before the app, passed to its constructor.
fn new_lifespan(ctx: &Ctx, app: &App, init: &str, parts: &mut FixParts) -> Option<String> {
    let arguments = app.call.child_by_field_name("arguments")?;
    if arguments.kind() != "argument_list" {
        return None;
    }
    let lifespan = ctx.fresh_name("lifespan");
    let decorator = imported_name(ctx, "contextlib", "asynccontextmanager", &mut parts.imports);
    let definition = template::render(
        LIFESPAN,
        &[("lifespan", lifespan.as_bytes()), ("init", init.as_bytes())],
        &ctx.style,
    );
    let definition = String::from_utf8_lossy(&definition).replacen(
        "@asynccontextmanager",
        &format!("@{decorator}"),
        1,
    );
    let newline = &ctx.style.newline;
    let mut text = definition.into_bytes();
    for _ in 0..3 {
        text.extend_from_slice(newline);
    }
    let line_start = ctx
        .src
        .line_start(ctx.src.line_index(app.statement.start_byte()));
    parts.edits.push(Edit::insert(line_start, text));
    parts.edits.push(keyword_argument_edit(
        ctx,
        arguments,
        &format!("lifespan={lifespan}"),
    ));
    Some(format!(
        "awaited by a new lifespan `{lifespan}` passed to the app"
    ))
}

/// Inserts `keyword` as the last argument of a call.
fn keyword_argument_edit(ctx: &Ctx, arguments: Node, keyword: &str) -> Edit {
    let code = ctx.src.code();
    let close = arguments.end_byte() - 1;
    let mut cursor = arguments.walk();
    let last = arguments
        .named_children(&mut cursor)
        .filter(|c| c.kind() != "comment")
        .last();
    match last {
        None => Edit::insert(close, keyword.to_owned()),
        Some(last) => {
            let between = &code[last.end_byte()..close];
            let trailing_comma = between.contains(&b',');
            if trailing_comma {
                // `FastAPI(\n    title="x",\n)`: add a line of the same shape.
                let indent = ctx.src.line_indent(last.start_byte()).to_vec();
                let comma =
                    last.end_byte() + between.iter().position(|&b| b == b',').unwrap_or(0) + 1;
                let mut text = ctx.style.newline.clone();
                text.extend_from_slice(&indent);
                text.extend_from_slice(keyword.as_bytes());
                text.push(b',');
                Edit::insert(comma, text)
            } else {
                Edit::insert(last.end_byte(), format!(", {keyword}"))
            }
        }
    }
}

/// `await init()` just before the first `yield` of a lifespan function.
fn before_first_yield(ctx: &Ctx, function: Node, await_text: &[u8]) -> Option<Edit> {
    let body = function.child_by_field_name("body")?;
    let yield_node = first_yield(body)?;
    let mut statement = yield_node;
    while let Some(parent) = statement.parent() {
        if parent.kind() == "block" {
            break;
        }
        statement = parent;
    }
    let code = ctx.src.code();
    if text::start_of_line_is_blank(code, statement.start_byte()) {
        let indent = ctx.src.line_indent(statement.start_byte()).to_vec();
        let mut text = await_text.to_vec();
        text.extend_from_slice(&ctx.style.newline);
        text.extend_from_slice(&indent);
        Some(Edit::insert(statement.start_byte(), text))
    } else {
        let mut text = await_text.to_vec();
        text.extend_from_slice(b"; ");
        Some(Edit::insert(statement.start_byte(), text))
    }
}

fn first_yield(body: Node) -> Option<Node> {
    let mut cursor = body.walk();
    loop {
        let node = cursor.node();
        if node.kind() == "yield" {
            return Some(node);
        }
        let nested_scope = matches!(
            node.kind(),
            "function_definition" | "lambda" | "class_definition"
        );
        if !nested_scope && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() || cursor.node().id() == body.id() {
                return None;
            }
        }
    }
}
