//! The init pass (rule docs of LF001, "Use instead"): the module's import-time loop work moves,
//! in source order, into one idempotent `async def init()`, wired into the FastAPI/Starlette
//! app's start-up ([`wiring`]); a loop run in a class body moves as its attribute
//! ([`class_attribute`]).

mod class_attribute;
mod wiring;

use std::collections::BTreeMap;

use tree_sitter::Node;

use self::class_attribute::class_attribute;
pub(crate) use self::wiring::has_wiring_point;
use self::wiring::wire;
use crate::detect::Site;
use crate::diagnostic::{
    Access, Applicability, Blocked, Edit, RequiredImport, UnsafeBecause, Until,
};
use crate::fix::ctx::Ctx;
use crate::fix::imports::asyncio_module;
use crate::fix::parts::FixParts;
use crate::fix::reads::{Readers, late_readers};
use crate::fix::removal::removal_edits;
use crate::fix::safety::{conditional_binding, dropped_arguments, external_readers};
use crate::fix::statements::blank_lines_after;
use crate::fix::template;
use crate::fix::text;
use crate::fix::unit::moved::moved_body;
use crate::fix::unit::placeholder::placeholder_lines;
use crate::fix::unit::{Unit, check_movable, unit_of};
use crate::options::Naming;
use crate::semantic::Place;

const INIT: &str = include_str!("../../../transforms/init/init.py");

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
    /// The module serves no app: the `init()` its importers must await, fixed or not.
    pub awaited_by_importers: Option<String>,
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
    let mut unsafe_because: Vec<UnsafeBecause> = Vec::new();
    let mut parts = FixParts::default();
    let mut imports = Vec::new();
    for candidate in candidates {
        let mut unsafe_here = Vec::new();
        match candidate_moves(ctx, &candidate, &everything, &mut imports, &mut unsafe_here) {
            Ok(mut moves) => {
                unsafe_because.append(&mut unsafe_here);
                moved.append(&mut moves);
                parts.edits.extend(candidate.parts.edits);
                parts.imports.extend(candidate.parts.imports);
                parts.titles.extend(candidate.parts.titles);
                // What the group deletes (a loop global, a wrapper) must reach the module's
                // exports, so that another module that uses it keeps it.
                parts
                    .removed_globals
                    .extend(candidate.parts.removed_globals);
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
    let asyncio = match asyncio_module(ctx, &mut imports) {
        Ok(asyncio) => asyncio,
        Err(reason) => {
            outcome.excluded.extend(
                std::mem::take(&mut outcome.included)
                    .into_iter()
                    .map(|index| (index, reason.clone())),
            );
            return outcome;
        }
    };
    parts.imports.extend(imports);
    let naming = &ctx.options.naming;
    let names = InitNames {
        init: ctx.fresh_name(&naming.init),
        flag: ctx.fresh_name(&naming.init_flag),
        in_flight: ctx.fresh_name(&Naming::in_flight(&naming.init_flag)),
        asyncio,
        inner: ctx.local_name("start"),
        future: ctx.local_name("starting"),
    };
    let init = names.init.clone();
    let removed: Vec<std::ops::Range<usize>> =
        parts.edits.iter().map(|e| e.range.clone()).collect();
    parts
        .edits
        .extend(statement_edits(ctx, &moved, &names, &removed));
    let wiring = wire(ctx, &init, &mut parts);
    outcome.wires_lifespan = wiring.how.is_ok();
    outcome.name = Some(init.clone());
    outcome.awaited_by_importers = wiring.through_importers.then(|| init.clone());
    let count = moved.len();
    let what = if count == 1 {
        "the start-up work".to_owned()
    } else {
        format!("the {count} start-up statements")
    };
    let mut title = match wiring.how {
        Ok(how) => {
            parts.limit(Applicability::Safe);
            format!("Move {what} into `async def {init}()`, {how}")
        }
        // Nothing would await `init()`: the work stays, and each group says why (no orphans).
        Err(reason) => {
            let included = std::mem::take(&mut outcome.included);
            outcome
                .excluded
                .extend(included.into_iter().map(|index| (index, reason.clone())));
            return outcome;
        }
    };
    if let Some(why) = unsafe_because.first() {
        title.push_str(&format!(" (unsafe: {why})"));
        parts.limit(Applicability::Unsafe);
    }
    parts.titles.push(title);
    outcome.parts = Some(parts);
    outcome
}

/// The moved statements of one candidate group, or why the group cannot move; what makes
/// moving them unsafe (runner arguments the rewrite drops) goes to `unsafe_because`.
fn candidate_moves<'t>(
    ctx: &Ctx<'_, 't>,
    candidate: &Candidate<'_, 't>,
    everything: &[std::ops::Range<usize>],
    imports: &mut Vec<RequiredImport>,
    unsafe_because: &mut Vec<UnsafeBecause>,
) -> Result<Vec<Moved<'t>>, Blocked> {
    let mut moves = Vec::new();
    for (&top, sites) in &candidate.units {
        let statement = ctx.model.statements[top];
        let removals = candidate
            .removals_inside
            .get(&top)
            .cloned()
            .unwrap_or_default();
        let moved = match class_attribute(ctx, statement, sites, imports)? {
            Some(class) => Moved {
                statement,
                text: class.text,
                placeholders: Vec::new(),
                names: Vec::new(),
                class_edit: Some(class.class_edit),
            },
            None => movable_statement(ctx, statement, sites, &removals, everything, imports)?,
        };
        let inside = |offset: usize| everything.iter().any(|r| r.contains(&offset));
        late_readers(ctx, &moved.names, &inside, Until::StartUp, Readers::Any)?;
        // An importer that cannot follow, or a coroutine run by another library, blocks the fix;
        // the fix's applicability is its wiring's to decide.
        external_readers(ctx, &moved.names, Readers::Any)?;
        if let Some(reason) = dropped_arguments(ctx, sites)? {
            unsafe_because.push(reason);
        }
        unsafe_because.extend(conditional_binding(ctx, statement, &moved.names, sites));
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
        return Err(reason);
    }
    let unit: Unit = unit_of(ctx, statement, sites, removals)?;
    let text = moved_body(ctx, &unit, sites, removals, 2)?;
    let placeholders = placeholder_lines(ctx, &unit, sites, imports);
    check_attribute_targets(ctx, &unit, everything)?;
    Ok(Moved {
        statement,
        text,
        placeholders,
        names: unit.names,
        class_edit: None,
    })
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
            return Err(Blocked::AtImportTime {
                name: ctx.evidence(*target),
                access: Access::Read,
                line: ctx.line(read.node.start_byte()),
                until: Until::StartUp,
            });
        }
    }
    Ok(())
}

/// The names `init()`'s text uses.
struct InitNames {
    /// The start-up coroutine.
    init: String,
    /// The global that says the start-up work is done.
    flag: String,
    /// The global that holds the start-up while it runs.
    in_flight: String,
    /// How the module spells `asyncio`.
    asyncio: String,
    /// The inner coroutine that runs the moved work.
    inner: String,
    /// The local that holds the start-up `init()` awaits.
    future: String,
}

/// Each moved statement leaves its placeholders (or nothing); the first is followed by the flag
/// and `async def init()`.
fn statement_edits(
    ctx: &Ctx,
    moved: &[Moved],
    names: &InitNames,
    removed: &[std::ops::Range<usize>],
) -> Vec<Edit> {
    let code = ctx.src.code();
    let newline = ctx.style.newline.clone();
    let mut edits = Vec::new();
    let mut statements_removed: Vec<Node> = Vec::new();
    for (i, m) in moved.iter().enumerate() {
        let mut after_line: Vec<Vec<u8>> = Vec::new();
        let mut block = (i == 0).then(|| init_block(ctx, moved, names));
        if let Some(edit) = &m.class_edit {
            edits.push(edit.clone());
        } else if let Some((first, rest)) = m.placeholders.split_first() {
            edits.push(Edit::replace(m.statement.byte_range(), first.clone()));
            after_line.extend(rest.iter().cloned());
        } else if let Some(text) = block.take() {
            // A bare call that opens `init()`: the flag's line takes its place (keeping a
            // comment after it), the rest of `init()` follows.
            let (flag_line, rest) = split_first_line(&text, &newline);
            edits.push(Edit::replace(m.statement.byte_range(), flag_line.to_vec()));
            after_line.push(rest.to_vec());
        } else {
            statements_removed.push(m.statement);
        }
        after_line.extend(block);
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
    edits.extend(removal_edits(ctx.src, &statements_removed));
    edits
}

/// The first line of `text` and the lines after it.
fn split_first_line<'a>(text: &'a [u8], newline: &[u8]) -> (&'a [u8], &'a [u8]) {
    match text.windows(newline.len()).position(|w| w == newline) {
        Some(at) => (&text[..at], &text[at + newline.len()..]),
        None => (text, &[]),
    }
}

fn init_block(ctx: &Ctx, moved: &[Moved], names: &InitNames) -> Vec<u8> {
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
    global_list.extend_from_slice(names.flag.as_bytes());
    let body = moved
        .iter()
        .map(|m| m.text.clone())
        .collect::<Vec<_>>()
        .join(ctx.style.newline.as_slice());
    template::render(
        INIT,
        &[
            ("flag", names.flag.as_bytes()),
            ("in_flight", names.in_flight.as_bytes()),
            ("asyncio", names.asyncio.as_bytes()),
            ("init", names.init.as_bytes()),
            ("inner", names.inner.as_bytes()),
            ("globals", &global_list),
            ("body", &body),
            ("future", names.future.as_bytes()),
        ],
        &ctx.style,
    )
}
