//! Awaiting a start-up coroutine in an app's start-up (SPEC §4.2): first in the first start-up
//! hook that runs (so that the hook's own reads see the loaded values), or in a new hook; and,
//! for an ASGI app, before every request too, through a request guard, so that the work also
//! runs, once, when the server runs no lifespan (`Mangum(app, lifespan="off")`, maybe in a
//! module loopfix cannot see). An app whose start-up the awaited work itself runs by hand
//! (`loop.run_until_complete(app.router.startup())`, moved into `init()`) gets the guard only:
//! a hook awaiting `init()` would run inside `init()`.

use tree_sitter::Node;

use super::detect::{App, Frameworks, Hook, StartUp, module_function};
use super::table::{HookName, Placement, Template};
use crate::diagnostic::{Blocked, Edit};
use crate::fix::ctx::Ctx;
use crate::fix::imports::imported_name;
use crate::fix::parts::FixParts;
use crate::fix::statements::{blank_lines_after, first_statement_edit};
use crate::fix::template;
use crate::fix::text;
use crate::semantic::Place;
use crate::syntax::tree::named_children;

const AWAIT: &str = include_str!("../../../transforms/init/await.py");

/// The new text around the app, gathered so that texts at one place make one edit.
#[derive(Default)]
struct Additions {
    /// Definitions before the statement that builds the app.
    before: Vec<Vec<u8>>,
    /// Statements right after it.
    after: Vec<Vec<u8>>,
    /// `keyword=value` arguments added to the constructor.
    keywords: Vec<String>,
}

/// Makes `app`'s start-up await `{awaited}()` (a coroutine function of the module, or
/// `module.init` of another); returns how, for the fix's title.
pub fn wire_app(
    ctx: &Ctx,
    found: &Frameworks,
    app: &App,
    awaited: &str,
    parts: &mut FixParts,
) -> Result<String, Blocked> {
    let startup = found.startup(app);
    let mut additions = Additions::default();
    let mut how = Vec::new();
    let by_hand = runs_startup_by_hand(ctx, &startup);
    if by_hand.is_none() {
        how.push(wire_startup(
            ctx,
            app,
            &startup,
            awaited,
            &mut additions,
            parts,
        )?);
    }
    match (&app.framework.guard, by_hand) {
        (Some(guard), _) => {
            let name = add_template(ctx, app, guard, awaited, &mut additions, parts)?;
            how.push(format!("before every request by `{name}`"));
        }
        (None, Some(call)) => {
            return Err(Blocked::StartUpRunByHand {
                call: ctx.evidence(call),
            });
        }
        (None, None) => {}
    }
    additions.into_edits(ctx, app, parts);
    let how = how.join(" and ");
    Ok(match by_hand {
        Some(call) => format!(
            "awaited {how} (`{}` runs the app's start-up inside it)",
            ctx.evidence(call)
        ),
        None => format!("awaited {how}"),
    })
}

/// The call that runs the app's start-up by hand at import time, if any: the framework's own
/// (`app.router.startup()`) or a direct call of a start-up hook.
fn runs_startup_by_hand<'t>(ctx: &Ctx<'_, 't>, startup: &StartUp<'t>) -> Option<Node<'t>> {
    if let Some(&call) = startup.manual.first() {
        return Some(call);
    }
    startup.hooks.iter().find_map(|hook| {
        let function = editable_function(ctx, hook)?;
        let name = ctx.model.node_text(function.child_by_field_name("name")?);
        ctx.model.global_reads(name).find_map(|read| {
            let call = read.node.parent().filter(|p| {
                p.kind() == "call"
                    && p.child_by_field_name("function")
                        .is_some_and(|f| f.id() == read.node.id())
            })?;
            (read.place == Place::ImportTime).then_some(call)
        })
    })
}

/// `await {awaited}()` first in the first start-up hook, or a new hook that runs first.
fn wire_startup(
    ctx: &Ctx,
    app: &App,
    startup: &StartUp,
    awaited: &str,
    additions: &mut Additions,
    parts: &mut FixParts,
) -> Result<String, Blocked> {
    let framework = app.framework;
    let Some(first) = startup.hooks.first() else {
        let template = framework.hook.as_ref().ok_or(Blocked::NoStartUpHook {
            app: text::name_text(app.name),
            framework: framework.display,
        })?;
        let name = add_template(ctx, app, template, awaited, additions, parts)?;
        return Ok(match template.placement {
            Placement::Keyword(_) => format!("first by a new lifespan `{name}` passed to the app"),
            _ => format!("first by a new start-up hook `{name}`"),
        });
    };
    if let Some(function) = editable_function(ctx, first) {
        let statement = template::render(AWAIT, &[("init", awaited.as_bytes())], &ctx.style);
        parts
            .edits
            .push(first_statement_edit(ctx, function, &statement)?);
        let name = function
            .child_by_field_name("name")
            .map(|n| text::name_text(ctx.original(n)))
            .unwrap_or_default();
        let kind = if holds_yield(function) {
            "lifespan"
        } else {
            "start-up hook"
        };
        return Ok(format!("first by the {kind} `{name}`"));
    }
    // The first hook is not an `async def` of the module: a new one must run before it.
    let goes_first = match framework.hook.as_ref().map(|t| t.placement) {
        Some(Placement::FirstInList(keyword)) => keyword_of(ctx, first.site) == Some(keyword),
        Some(Placement::AfterApp) => first.site.start_byte() > app.statement.end_byte(),
        _ => false,
    };
    match &framework.hook {
        Some(template) if goes_first => {
            let name = add_template(ctx, app, template, awaited, additions, parts)?;
            Ok(format!("first by a new start-up hook `{name}`"))
        }
        _ => Err(Blocked::StartUpHookNotEditable {
            hook: ctx.evidence(first.site),
        }),
    }
}

/// The `async def` of the module that a hook runs, which `await` can go first in.
fn editable_function<'t>(ctx: &Ctx<'_, 't>, hook: &Hook<'t>) -> Option<Node<'t>> {
    let mut node = hook.function;
    if node.kind() == "list" {
        node = named_children(node).find(|c| c.kind() != "comment")?;
    }
    let function = match node.kind() {
        "function_definition" => node,
        "identifier" => module_function(ctx, ctx.model.node_text(node))?,
        _ => return None,
    };
    let is_async = function.child(0).is_some_and(|c| c.kind() == "async");
    is_async.then_some(function)
}

/// The keyword a hook is passed as, when it is a constructor argument.
fn keyword_of<'t>(ctx: &Ctx<'_, 't>, site: Node<'t>) -> Option<&'t str> {
    (site.kind() == "keyword_argument")
        .then(|| site.child_by_field_name("name"))
        .flatten()
        .and_then(|n| std::str::from_utf8(ctx.model.node_text(n)).ok())
}

/// Whether a function's own body yields (a lifespan).
fn holds_yield(function: Node) -> bool {
    let Some(body) = function.child_by_field_name("body") else {
        return false;
    };
    let mut stack = vec![body];
    while let Some(node) = stack.pop() {
        if node.kind() == "yield" {
            return true;
        }
        if matches!(
            node.kind(),
            "function_definition" | "lambda" | "class_definition"
        ) {
            continue;
        }
        stack.extend(named_children(node));
    }
    false
}

/// Renders a template for `app` and records where it goes; returns the name it defines.
fn add_template(
    ctx: &Ctx,
    app: &App,
    template: &Template,
    awaited: &str,
    additions: &mut Additions,
    parts: &mut FixParts,
) -> Result<String, Blocked> {
    let name = match template.name {
        HookName::Fresh(base) => ctx.fresh_name(base),
        HookName::Fixed(name) if ctx.model.mentions(name.as_bytes()) => {
            return Err(Blocked::HookNameTaken { name });
        }
        HookName::Fixed(name) => name.to_owned(),
    };
    let imported = spell_template_imports(ctx, template.text, parts);
    let app_name = text::name_text(app.name);
    let mut values: Vec<(&str, &[u8])> = vec![
        ("hook", name.as_bytes()),
        ("init", awaited.as_bytes()),
        ("app", app_name.as_bytes()),
    ];
    values.extend(imported.iter().map(|(k, v)| (k.as_str(), v.as_bytes())));
    let rendered = template::render(template.text, &values, &ctx.style);
    match template.placement {
        Placement::Keyword(keyword) => {
            additions.before.push(rendered);
            additions.keywords.push(format!("{keyword}={name}"));
        }
        Placement::FirstInList(keyword) => {
            additions.before.push(rendered);
            match keyword_argument(ctx, app.call, keyword) {
                None => additions.keywords.push(format!("{keyword}=[{name}]")),
                Some(value) if value.kind() == "list" => {
                    parts.edits.push(prepend_to_list(value, &name));
                }
                Some(value) => {
                    return Err(Blocked::NotAList {
                        keyword,
                        value: ctx.evidence(value),
                    });
                }
            }
        }
        Placement::AfterApp => additions.after.push(rendered),
    }
    Ok(name)
}

/// Each `{module.name}` key of a template with the name the module spells it by (importing it
/// when the module does not yet).
pub(super) fn spell_template_imports(
    ctx: &Ctx,
    template: &str,
    parts: &mut FixParts,
) -> Vec<(String, String)> {
    import_keys(template)
        .into_iter()
        .map(|key| {
            let (module, member) = key.rsplit_once('.').unwrap_or(("", &key));
            let spelled = imported_name(ctx, module, member, &mut parts.imports);
            (key.clone(), spelled)
        })
        .collect()
}

/// The `{module.name}` keys of a template: names it needs imported.
fn import_keys(template: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let key = &rest[open + 1..open + close];
        if key.contains('.') && !keys.iter().any(|k| k == key) {
            keys.push(key.to_owned());
        }
        rest = &rest[open + close + 1..];
    }
    keys
}

/// The value of a constructor's `keyword=` argument.
fn keyword_argument<'t>(ctx: &Ctx<'_, 't>, call: Node<'t>, keyword: &str) -> Option<Node<'t>> {
    let arguments = call.child_by_field_name("arguments")?;
    named_children(arguments)
        .filter(|a| a.kind() == "keyword_argument")
        .find(|a| {
            a.child_by_field_name("name")
                .is_some_and(|n| ctx.model.node_text(n) == keyword.as_bytes())
        })
        .and_then(|a| a.child_by_field_name("value"))
}

/// `name` first in a list literal.
fn prepend_to_list(list: Node, name: &str) -> Edit {
    let open = list.start_byte() + 1;
    let empty = named_children(list).all(|c| c.kind() == "comment");
    if empty {
        Edit::insert(open, name.to_owned())
    } else {
        Edit::insert(open, format!("{name}, "))
    }
}

impl Additions {
    /// The edits that put the gathered text in place.
    fn into_edits(self, ctx: &Ctx, app: &App, parts: &mut FixParts) {
        let newline = ctx.style.newline.clone();
        if !self.before.is_empty() {
            let (line_start, padding) = definitions_point(ctx, app.statement, &parts.edits);
            let mut text = Vec::new();
            for _ in 0..padding {
                text.extend_from_slice(&newline);
            }
            for definition in self.before {
                text.extend_from_slice(&definition);
                for _ in 0..3 {
                    text.extend_from_slice(&newline);
                }
            }
            parts.edits.push(Edit::insert(line_start, text));
        }
        if !self.keywords.is_empty()
            && let Some(arguments) = app.call.child_by_field_name("arguments")
            && arguments.kind() == "argument_list"
        {
            parts
                .edits
                .push(keyword_arguments_edit(ctx, arguments, &self.keywords));
        }
        if !self.after.is_empty() {
            parts
                .edits
                .push(after_statement(ctx, app.statement, &self.after));
        }
    }
}

/// Where definitions go before a module-level statement: the start of its line, or of the
/// comment lines right above it; and how many newlines they need before them so that two blank
/// lines part them from the code above, given the other parts' `edits` (lines they delete do
/// not count; text they insert just above brings its own blank lines).
pub(super) fn definitions_point(ctx: &Ctx, statement: Node, edits: &[Edit]) -> (usize, usize) {
    let code = ctx.src.code();
    let line_text = |line: usize| code[ctx.src.line_range(line)].trim_ascii();
    let deleted = |line: usize| {
        let whole = ctx.src.line_start(line)..ctx.src.line_start(line + 1);
        edits.iter().any(|e| {
            e.content.is_empty() && e.range.start <= whole.start && whole.end <= e.range.end
        })
    };
    let mut line = ctx.src.line_index(statement.start_byte());
    while line > 0 && line_text(line - 1).starts_with(b"#") {
        line -= 1;
    }
    let at = ctx.src.line_start(line);
    let mut blank = 0;
    let mut above = line;
    while above > 0 && (deleted(above - 1) || line_text(above - 1).is_empty()) {
        if !deleted(above - 1) {
            blank += 1;
        }
        above -= 1;
    }
    if above == 0 {
        return (at, 0);
    }
    let code_above_ends = ctx.src.line_start(above);
    let inserted_between = edits
        .iter()
        .any(|e| e.range.is_empty() && (code_above_ends..=at).contains(&e.range.start));
    let padding = if inserted_between {
        0
    } else {
        2usize.saturating_sub(blank)
    };
    (at, padding)
}

/// Blocks of text right after a module-level statement, two blank lines around each.
fn after_statement(ctx: &Ctx, statement: Node, blocks: &[Vec<u8>]) -> Edit {
    let code = ctx.src.code();
    let newline = &ctx.style.newline;
    let insert_at = ctx.src.line_end_after_newline(statement.end_byte());
    let at_eof = insert_at == code.len();
    let mut text = Vec::new();
    if at_eof && !code.ends_with(b"\n") && !code.ends_with(b"\r") {
        text.extend_from_slice(newline);
    }
    for block in blocks {
        text.extend_from_slice(newline);
        text.extend_from_slice(newline);
        text.extend_from_slice(block);
        text.extend_from_slice(newline);
    }
    if !at_eof {
        for _ in blank_lines_after(ctx, insert_at, &[])..2 {
            text.extend_from_slice(newline);
        }
    }
    Edit::insert(insert_at, text)
}

/// Adds `keywords` as the last arguments of a call.
fn keyword_arguments_edit(ctx: &Ctx, arguments: Node, keywords: &[String]) -> Edit {
    let code = ctx.src.code();
    let close = arguments.end_byte() - 1;
    let last = named_children(arguments)
        .filter(|c| c.kind() != "comment")
        .last();
    match last {
        None => Edit::insert(close, keywords.join(", ")),
        Some(last) => {
            let between = &code[last.end_byte()..close];
            match between.iter().position(|&b| b == b',') {
                // `FastAPI(\n    title="x",\n)`: a line of the same shape per keyword.
                Some(comma) => {
                    let indent = ctx.src.line_indent(last.start_byte()).to_vec();
                    let mut text = Vec::new();
                    for keyword in keywords {
                        text.extend_from_slice(&ctx.style.newline);
                        text.extend_from_slice(&indent);
                        text.extend_from_slice(keyword.as_bytes());
                        text.push(b',');
                    }
                    Edit::insert(last.end_byte() + comma + 1, text)
                }
                None => Edit::insert(last.end_byte(), format!(", {}", keywords.join(", "))),
            }
        }
    }
}

/// Adds the request guard alone to an ASGI app whose start-up hooks await `{awaited}()` only
/// in the lifespan; returns the guard's name.
pub fn guard_app(
    ctx: &Ctx,
    app: &App,
    awaited: &str,
    parts: &mut FixParts,
) -> Result<String, Blocked> {
    let guard = app.framework.guard.as_ref().ok_or(Blocked::NoStartUpHook {
        app: text::name_text(app.name),
        framework: app.framework.display,
    })?;
    let mut additions = Additions::default();
    let name = add_template(ctx, app, guard, awaited, &mut additions, parts)?;
    additions.into_edits(ctx, app, parts);
    Ok(name)
}
