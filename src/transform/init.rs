//! The init pass (SPEC §4.2): the module's import-time loop work moves, in source order, into one
//! idempotent `async def init()`, wired into the FastAPI/Starlette app's start-up (an existing
//! lifespan or startup hook awaits it, or a new lifespan is created and passed to the app).

use std::collections::BTreeMap;

use tree_sitter::Node;

use super::group::{Blocked, FixParts, removal_edits};
use super::lifespan::{App, find_app};
use super::text::{self, Mover, Piece};
use super::unit::{
    Unit, await_pieces, blank_lines_after, check_movable, dropped_arguments, external_readers,
    is_deferred, moved_body, placeholder_lines, unit_of,
};
use super::{Ctx, evidence};
use crate::detect::{Site, SiteKind};
use crate::diagnostic::{Applicability, Edit, RequiredImport};
use crate::semantic::{Place, Role};

const INIT: &str = include_str!("../../transforms/init/init.py");
const LIFESPAN: &str = include_str!("../../transforms/init/lifespan.py");
const AWAIT_INIT: &str = include_str!("../../transforms/init/await.py");

/// A group of sites that the init strategy should fix.
pub struct Candidate<'a, 't> {
    /// The group's index, to report back.
    pub index: usize,
    /// Module-level statement index -> the run sites in it.
    pub units: BTreeMap<usize, Vec<&'a Site<'t>>>,
    /// Loop-management statements inside those statements, removed from the moved text.
    pub removals_inside: BTreeMap<usize, Vec<Node<'t>>>,
    /// The group's own edits (loop-management removals elsewhere, running-loop rewrites).
    pub parts: FixParts,
}

/// What the init pass made of its candidates.
#[derive(Default)]
pub struct Outcome {
    /// The one fix for every included group, if any was included.
    pub parts: Option<FixParts>,
    /// Groups the fix covers.
    pub included: Vec<usize>,
    /// Groups it cannot cover, and why.
    pub excluded: Vec<(usize, Blocked)>,
    /// Whether the fix makes the app's lifespan await `init()`.
    pub wires_lifespan: bool,
    /// The name of the `init()` the fix adds.
    pub name: Option<String>,
}

/// One module-level statement whose work moves into `init()`.
struct Moved<'t> {
    statement: Node<'t>,
    /// Its text inside `init()`, one indent level deep.
    text: Vec<u8>,
    /// Module-level lines that replace it (`NAME = None`); none for a bare call.
    placeholders: Vec<Vec<u8>>,
    /// Globals it binds.
    names: Vec<&'t [u8]>,
    /// For a class attribute: the edit that leaves `None` in the class body.
    class_edit: Option<Edit>,
}

/// Builds the one init fix of the module from the candidate groups.
pub fn plan<'a, 't>(ctx: &Ctx<'_, 't>, candidates: Vec<Candidate<'a, 't>>) -> Outcome {
    let mut outcome = Outcome::default();
    let everything: Vec<std::ops::Range<usize>> = candidates
        .iter()
        .flat_map(|c| c.units.keys())
        .map(|&top| ctx.model.statements[top].byte_range())
        .collect();
    let mut moved: Vec<Moved> = Vec::new();
    let mut parts = FixParts::default();
    let mut imports = Vec::new();
    let mut unsafe_because = None;
    for candidate in candidates {
        match candidate_moves(
            ctx,
            &candidate,
            &everything,
            &mut imports,
            &mut unsafe_because,
        ) {
            Ok(mut moves) => {
                moved.append(&mut moves);
                parts.edits.extend(candidate.parts.edits);
                parts.imports.extend(candidate.parts.imports);
                parts.titles.extend(candidate.parts.titles);
                if let Some(level) = candidate.parts.applicability {
                    parts.limit(level);
                }
                outcome.included.push(candidate.index);
            }
            Err(reason) => outcome.excluded.push((candidate.index, reason)),
        }
    }
    if moved.is_empty() {
        return outcome;
    }
    moved.sort_by_key(|m| m.statement.start_byte());
    parts
        .late_globals
        .extend(
            moved
                .iter()
                .flat_map(|m| &m.names)
                .map(|name| crate::project::LateGlobal {
                    name: text::name_text(name),
                    loader: None,
                    existing: false,
                }),
        );
    parts.imports.extend(imports);
    let init = ctx.fresh_name(&ctx.options.naming.init);
    let flag = ctx.fresh_name(&ctx.options.naming.init_flag);
    let removed: Vec<std::ops::Range<usize>> =
        parts.edits.iter().map(|e| e.range.clone()).collect();
    parts
        .edits
        .extend(statement_edits(ctx, &moved, &init, &flag, &removed));
    let wiring = wire(ctx, &init, &mut parts);
    outcome.wires_lifespan = wiring.is_some();
    outcome.name = Some(init.clone());
    let count = moved.len();
    let what = if count == 1 {
        "the start-up work".to_owned()
    } else {
        format!("the {count} start-up statements")
    };
    match wiring {
        Some(how) => {
            parts
                .titles
                .push(format!("Move {what} into `async def {init}()`, {how}"));
            parts.limit(Applicability::Safe);
        }
        None => {
            parts.titles.push(format!(
                "Move {what} into `async def {init}()`; await `{init}()` at the application's start-up{}",
                importers_hint(ctx)
            ));
            parts.limit(Applicability::Unsafe);
        }
    }
    outcome.parts = Some(parts);
    outcome
}

/// ` (imported by a.py, b.py)` when the project walk found modules that import this one.
fn importers_hint(ctx: &Ctx) -> String {
    let Some(project) = ctx.project else {
        return String::new();
    };
    let importers: Vec<String> = project
        .index
        .importers_of(&project.path)
        .iter()
        .map(|p| crate::paths::display_path(p))
        .collect();
    if importers.is_empty() {
        String::new()
    } else {
        format!(" (imported by {})", importers.join(", "))
    }
}

/// The moved statements of one candidate group, or why the group cannot move.
fn candidate_moves<'t>(
    ctx: &Ctx<'_, 't>,
    candidate: &Candidate<'_, 't>,
    everything: &[std::ops::Range<usize>],
    imports: &mut Vec<RequiredImport>,
    unsafe_because: &mut Option<String>,
) -> Result<Vec<Moved<'t>>, Blocked> {
    let mut moves = Vec::new();
    for (&top, sites) in &candidate.units {
        let statement = ctx.model.statements[top];
        let removals = candidate
            .removals_inside
            .get(&top)
            .cloned()
            .unwrap_or_default();
        let moved = match class_attribute(ctx, statement, sites)? {
            Some(moved) => moved,
            None => movable_statement(ctx, statement, sites, &removals, everything, imports)?,
        };
        check_reads(ctx, &moved, everything)?;
        if let Some(why) = external_readers(ctx, &moved.names)? {
            *unsafe_because = Some(why);
        }
        if let Some(why) = dropped_arguments(ctx, sites)? {
            *unsafe_because = Some(why);
        }
        moves.push(moved);
    }
    Ok(moves)
}

fn movable_statement<'t>(
    ctx: &Ctx<'_, 't>,
    statement: Node<'t>,
    sites: &[&Site<'t>],
    removals: &[Node<'t>],
    everything: &[std::ops::Range<usize>],
    imports: &mut Vec<RequiredImport>,
) -> Result<Moved<'t>, Blocked> {
    check_movable(ctx, statement)?;
    if let Some(reason) = text::shared_line_reason(ctx.src.code(), statement.end_byte()) {
        return Err(reason.into());
    }
    let unit: Unit = unit_of(ctx, statement, sites, removals)?;
    let text = moved_body(ctx, &unit, sites, removals, 1)?;
    let placeholders = placeholder_lines(ctx, &unit, imports);
    check_attribute_targets(ctx, &unit, everything)?;
    Ok(Moved {
        statement,
        text,
        placeholders,
        names: unit.names,
        class_edit: None,
    })
}

/// `class Settings: VALUE = asyncio.run(fetch())` -> `VALUE = None` in the class and
/// `Settings.VALUE = await fetch()` in `init()`. `None` when the sites are not class attributes.
fn class_attribute<'t>(
    ctx: &Ctx<'_, 't>,
    statement: Node<'t>,
    sites: &[&Site<'t>],
) -> Result<Option<Moved<'t>>, Blocked> {
    let class = match statement.kind() {
        "decorated_definition" => statement.child_by_field_name("definition"),
        _ => Some(statement),
    }
    .filter(|d| d.kind() == "class_definition");
    let Some(class) = class else {
        return Ok(None);
    };
    let [site] = sites else {
        return Err("several loop runs in one class body; move them by hand".into());
    };
    let assignment_statement = site.statement;
    let in_class_body = assignment_statement
        .parent()
        .and_then(|block| block.parent())
        .is_some_and(|owner| owner.id() == class.id());
    let assignment = assignment_statement
        .named_child(0)
        .filter(|a| a.kind() == "assignment" && assignment_statement.named_child_count() == 1);
    let (Some(assignment), true) = (assignment, in_class_body) else {
        return Err("the call is not a plain class attribute assignment".into());
    };
    let (Some(left), Some(right)) = (
        assignment.child_by_field_name("left"),
        assignment.child_by_field_name("right"),
    ) else {
        return Err("the call is not a plain class attribute assignment".into());
    };
    if left.kind() != "identifier" {
        return Err("the class attribute target is not a plain name".into());
    }
    let class_name = class
        .child_by_field_name("name")
        .map(|n| ctx.original(n))
        .unwrap_or_default();
    let attribute = ctx.original(left);
    check_class_attribute_reads(ctx, class, assignment_statement, class_name, attribute)?;
    let SiteKind::Run { awaitable, .. } = site.kind else {
        return Err("the call is not a loop run".into());
    };
    if super::unit::inside_generator_expression(site.call, statement) {
        return Err(
            "the call is inside a generator expression, which an `await` would make asynchronous"
                .into(),
        );
    }
    let indent = ctx
        .src
        .line_indent(assignment_statement.start_byte())
        .to_vec();
    let mut mover = Mover::new(
        ctx.src.code(),
        assignment_statement,
        &indent,
        &ctx.style.indent(1),
    );
    let mut target = class_name.to_vec();
    target.push(b'.');
    target.extend_from_slice(attribute);
    mover.edit(left.byte_range(), vec![Piece::Literal(target)]);
    if let Some(annotation) = assignment.child_by_field_name("type") {
        mover.edit(left.end_byte()..annotation.end_byte(), Vec::new());
    }
    mover.edit(
        site.call.byte_range(),
        await_pieces(ctx, site.call, awaitable)?,
    );
    Ok(Some(Moved {
        statement,
        text: mover.finish(assignment_statement.byte_range()),
        placeholders: Vec::new(),
        names: Vec::new(),
        class_edit: Some(Edit::replace(right.byte_range(), "None")),
    }))
}

fn check_class_attribute_reads(
    ctx: &Ctx,
    class: Node,
    assignment: Node,
    class_name: &[u8],
    attribute: &[u8],
) -> Result<(), Blocked> {
    let display = format!(
        "{}.{}",
        String::from_utf8_lossy(class_name),
        String::from_utf8_lossy(attribute)
    );
    let class_scope = ctx.model.scope_of(class);
    for r in &ctx.model.refs {
        let after = r.node.start_byte() > assignment.end_byte();
        if r.role != Role::Load || r.place != Place::ImportTime || !after {
            continue;
        }
        let in_class_body = Some(r.scope) == class_scope && r.name == attribute;
        let through_class = r.name == class_name
            && r.node.parent().is_some_and(|p| {
                p.kind() == "attribute"
                    && p.child_by_field_name("attribute")
                        .is_some_and(|a| ctx.model.node_text(a) == attribute)
            });
        if in_class_body || through_class {
            return Err(format!(
                "`{display}` is read at import time on line {}, before start-up",
                ctx.line(r.node.start_byte())
            ));
        }
    }
    Ok(())
}

/// `CACHE["k"] = asyncio.run(...)` cannot move when `CACHE` is read at import time after it,
/// outside the statements that move too.
fn check_attribute_targets(
    ctx: &Ctx,
    unit: &Unit,
    everything: &[std::ops::Range<usize>],
) -> Result<(), Blocked> {
    for target in &unit.attribute_targets {
        let mut root = *target;
        while let Some(inner) = root
            .child_by_field_name("object")
            .or_else(|| root.child_by_field_name("value"))
        {
            root = inner;
        }
        if root.kind() != "identifier" {
            continue;
        }
        let name = ctx.model.node_text(root);
        let late_read = ctx.model.global_reads(name).find(|r| {
            let offset = r.node.start_byte();
            r.place == Place::ImportTime
                && offset > unit.statement.end_byte()
                && !everything.iter().any(|m| m.contains(&offset))
        });
        if let Some(read) = late_read {
            return Err(format!(
                "`{}` is read at import time on line {}, before start-up",
                evidence(ctx, *target),
                ctx.line(read.node.start_byte())
            ));
        }
    }
    Ok(())
}

/// The globals a moved statement binds must not be read at import time, nor by the script's
/// entry point: `init()` runs later, at start-up. Functions read them after start-up.
fn check_reads(
    ctx: &Ctx,
    moved: &Moved,
    everything: &[std::ops::Range<usize>],
) -> Result<(), Blocked> {
    let inside = |offset: usize| everything.iter().any(|r| r.contains(&offset));
    for &name in &moved.names {
        let display = text::name_text(name);
        for binding in ctx.model.bindings_of(name) {
            if !inside(binding.offset)
                && binding.place != Place::TypeChecking
                && !is_deferred(binding.place)
            {
                return Err(format!(
                    "`{display}` is also assigned on line {}",
                    ctx.line(binding.offset)
                ));
            }
        }
        for read in ctx.model.global_reads(name) {
            let line = ctx.line(read.node.start_byte());
            match read.place {
                Place::ImportTime if !inside(read.node.start_byte()) => {
                    return Err(format!(
                        "`{display}` is read at import time on line {line}, before start-up"
                    ));
                }
                Place::EntryPoint => {
                    return Err(format!(
                        "`{display}` is read under `if __name__ == \"__main__\":` on line {line}"
                    ));
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Each moved statement leaves its placeholders (or nothing); the first is followed by the flag
/// and `async def init()`.
fn statement_edits(
    ctx: &Ctx,
    moved: &[Moved],
    init: &str,
    flag: &str,
    removed: &[std::ops::Range<usize>],
) -> Vec<Edit> {
    let code = ctx.src.code();
    let newline = ctx.style.newline.clone();
    let mut edits = Vec::new();
    let mut statements_removed: Vec<Node> = Vec::new();
    for (i, m) in moved.iter().enumerate() {
        let mut after_line: Vec<Vec<u8>> = Vec::new();
        if let Some(edit) = &m.class_edit {
            edits.push(edit.clone());
        } else if let Some((first, rest)) = m.placeholders.split_first() {
            edits.push(Edit::replace(m.statement.byte_range(), first.clone()));
            after_line.extend(rest.iter().cloned());
        } else {
            statements_removed.push(m.statement);
        }
        if i == 0 {
            after_line.push(init_block(ctx, moved, init, flag));
        }
        if after_line.is_empty() {
            continue;
        }
        let insert_at = ctx.src.line_end_after_newline(m.statement.end_byte());
        let at_eof = insert_at == code.len() && !code.ends_with(b"\n") && !code.ends_with(b"\r");
        let mut text = Vec::new();
        if at_eof {
            text.extend_from_slice(&newline);
        }
        if m.class_edit.is_some() {
            // The class stays; two blank lines part it from what follows.
            text.extend_from_slice(&newline);
            text.extend_from_slice(&newline);
        }
        text.extend_from_slice(&after_line.join(newline.as_slice()));
        if !at_eof {
            text.extend_from_slice(&newline);
            if i == 0 {
                for _ in blank_lines_after(ctx, insert_at, removed)..2 {
                    if insert_at < code.len() {
                        text.extend_from_slice(&newline);
                    }
                }
            }
        }
        edits.push(Edit::insert(insert_at, text));
    }
    edits.extend(removal_edits(ctx, &statements_removed));
    edits
}

fn init_block(ctx: &Ctx, moved: &[Moved], init: &str, flag: &str) -> Vec<u8> {
    let mut globals: Vec<&[u8]> = Vec::new();
    for m in moved {
        for name in &m.names {
            if !globals.contains(name) {
                globals.push(name);
            }
        }
    }
    let mut global_list = globals.join(b", ".as_slice());
    if !global_list.is_empty() {
        global_list.extend_from_slice(b", ");
    }
    global_list.extend_from_slice(flag.as_bytes());
    let body = moved
        .iter()
        .map(|m| m.text.clone())
        .collect::<Vec<_>>()
        .join(ctx.style.newline.as_slice());
    text::render(
        INIT,
        &[
            ("flag", flag.as_bytes()),
            ("init", init.as_bytes()),
            ("globals", &global_list),
            ("body", &body),
        ],
        &ctx.style,
    )
}

/// Makes the app's start-up await `init()`; returns how, or `None` when there is no app.
fn wire(ctx: &Ctx, init: &str, parts: &mut FixParts) -> Option<String> {
    let app = find_app(ctx)?;
    let await_text = text::render(AWAIT_INIT, &[("init", init.as_bytes())], &ctx.style);
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
            .push(super::unit::first_statement_edit(ctx, handler, &await_text).ok()?);
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
    let decorator =
        super::unit::imported_name(ctx, "contextlib", "asynccontextmanager", &mut parts.imports);
    let definition = text::render(
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
