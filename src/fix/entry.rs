//! Fixes in entry points (SPEC §4.5, `detect::entry`): the program's run statements go under
//! `if __name__ == "__main__":` where the script could be imported (never in a file a
//! framework loads by path); an earlier `asyncio.run(X)` moves into the program's
//! `async def main()` as `await X`, so the program runs one loop.

use std::sync::Arc;

use tree_sitter::Node;

use super::ctx::Ctx;
use super::removal::removal_edits;
use super::statements::first_statement_edit;
use crate::detect::entry::{self, EntryKind, ProgramRun};
use crate::detect::message::site_message;
use crate::detect::{Awaitable, Site, SiteKind, Via};
use crate::diagnostic::{Blocked, Edit, Finding, Fix, UnsafeBecause};
use crate::semantic::{MODULE_SCOPE, ScopeKind};

/// The guard's title, added to the fixes that carry it.
pub const GUARD_TITLE: &str = "run the program under `if __name__ == \"__main__\":`";

/// The edit that puts the program's run statement under `if __name__ == "__main__":`, when it
/// is not under it yet and can move: a module-level statement with its lines to itself and no
/// string that spans lines (indenting would change it).
pub fn guard_edit(ctx: &Ctx, program: &ProgramRun) -> Option<Edit> {
    if program.guarded {
        return None;
    }
    let statement = program.statement;
    let code = ctx.src.code();
    let start = ctx
        .src
        .line_start(ctx.src.line_index(statement.start_byte()));
    if start != statement.start_byte()
        || !super::text::rest_of_line_is_trivia(code, statement.end_byte())
        || has_multiline_string(statement)
    {
        return None;
    }
    let end = ctx
        .src
        .line_range(ctx.src.line_index(statement.end_byte()))
        .end;
    let newline = ctx.style.newline.as_slice();
    let indent = ctx.style.indent(1);
    let mut text = b"if __name__ == \"__main__\":".to_vec();
    let mut first = true;
    for line in code[start..end].split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        text.extend_from_slice(newline);
        if !line.iter().all(u8::is_ascii_whitespace) || first {
            text.extend_from_slice(&indent);
        }
        text.extend_from_slice(line);
        first = false;
    }
    Some(Edit::replace(start..end, text))
}

fn has_multiline_string(node: Node) -> bool {
    !super::mover::multiline_strings(node).is_empty()
}

/// `fix` with the guard edit added (and its title), when the two do not overlap.
pub fn with_guard(fix: &Arc<Fix>, guard: &Edit) -> Arc<Fix> {
    if fix.edits().iter().any(|e| e.overlaps(guard)) {
        return Arc::clone(fix);
    }
    let mut edits = fix.edits().to_vec();
    edits.push(guard.clone());
    let title = format!("{}; {GUARD_TITLE}", fix.title());
    Arc::new(
        Fix::applicable_edits(title, edits, fix.applicability())
            .with_imports(fix.imports().to_vec()),
    )
}

/// The program's run is `asyncio.run(main())` where `main` is the module's own `async def`:
/// an earlier bare `asyncio.run(X)` statement becomes `await X` at the top of `main()`, so
/// that the program runs one loop. Safe when only definitions and imports lie between the two
/// statements (nothing else then runs before `X` that ran after it).
pub fn into_main(ctx: &Ctx, site: &Site, program: &ProgramRun) -> Option<Result<Fix, Blocked>> {
    let SiteKind::Run {
        awaitable: Awaitable::Expression(awaited),
        via: Via::Runner("asyncio.run" | "uvloop.run"),
    } = site.kind
    else {
        return None;
    };
    let statement = site.statement;
    let bare = statement.kind() == "expression_statement"
        && statement.named_child_count() == 1
        && statement
            .named_child(0)
            .is_some_and(|c| c.id() == site.call.id())
        && statement.parent().is_some_and(|p| p.kind() == "module");
    if !bare
        || site
            .call
            .child_by_field_name("arguments")?
            .named_child_count()
            != 1
    {
        return None;
    }
    let main = program_main(ctx, program)?;
    let awaited_text = String::from_utf8_lossy(ctx.original(awaited)).into_owned();
    if awaited_text.contains('\n') {
        return None;
    }
    let main_name =
        String::from_utf8_lossy(ctx.original(main.child_by_field_name("name")?)).into_owned();
    let mut edits =
        match first_statement_edit(ctx, main, format!("await {awaited_text}").as_bytes()) {
            Ok(edit) => vec![edit],
            Err(reason) => return Some(Err(reason)),
        };
    edits.extend(removal_edits(ctx.src, &[statement]));
    let between = ctx
        .model
        .statements
        .iter()
        .filter(|s| {
            s.start_byte() > statement.end_byte() && s.end_byte() <= program.statement.start_byte()
        })
        .find(|s| !is_definition_or_import(**s));
    let title =
        format!("Await `{awaited_text}` at the top of `{main_name}()`, in the program's loop");
    Some(Ok(match between {
        None => Fix::safe_edits(title, edits),
        Some(s) => {
            let because = UnsafeBecause::RunsLater {
                line: ctx.line(s.start_byte()),
            };
            Fix::unsafe_edits(format!("{title} (unsafe: {because})"), edits)
        }
    }))
}

/// The module's `async def` that the program's `asyncio.run(main())` runs, when nothing else
/// calls it (the work moved into it must run once).
fn program_main<'t>(ctx: &Ctx<'_, 't>, program: &ProgramRun<'t>) -> Option<Node<'t>> {
    let site_runs_main = program.site.is_some();
    let arguments = program.call.child_by_field_name("arguments")?;
    let awaited = arguments.named_child(0)?;
    if !site_runs_main || awaited.kind() != "call" || arguments.named_child_count() != 1 {
        return None;
    }
    let function = awaited.child_by_field_name("function")?;
    if function.kind() != "identifier" {
        return None;
    }
    let name = ctx.model.node_text(function);
    let scope = ctx.model.scopes.iter().find(|s| {
        s.kind == (ScopeKind::Function { is_async: true })
            && s.parent == Some(MODULE_SCOPE)
            && s.node
                .child_by_field_name("name")
                .is_some_and(|n| ctx.model.node_text(n) == name)
    })?;
    let calls = ctx.model.global_reads(name).count();
    (calls == 1 && ctx.model.bindings_of(name).count() == 1).then_some(scope.node)
}

/// `def`, `class`, decorated definitions and imports: statements that run nothing of the
/// program's.
fn is_definition_or_import(statement: Node) -> bool {
    matches!(
        statement.kind(),
        "function_definition"
            | "class_definition"
            | "decorated_definition"
            | "import_statement"
            | "import_from_statement"
            | "future_import_statement"
    )
}

/// What the entry-point rules make of a module's sites: the sites left for the groups, the
/// findings settled here, and what the groups add to their findings and fixes.
#[derive(Default)]
pub struct EntrySites<'t> {
    /// The sites the groups fix as usual.
    pub sites: Vec<Site<'t>>,
    /// Findings settled here: an earlier loop moved into `main()`.
    pub findings: Vec<Finding>,
    /// What the groups add to their findings and fixes.
    pub context: Option<EntryContext>,
    /// The calls of other modules' loop functions (by index in the list given) that are the
    /// program's one loop: not findings.
    pub program_calls: Vec<usize>,
    /// Whether the module is a script that only the run's imports decide about.
    pub script: bool,
}

/// What the groups of an entry point add to their findings and fixes.
#[derive(Debug, Clone, Default)]
pub struct EntryContext {
    /// Appended to each finding's message.
    pub note: Option<String>,
    /// Added to each fix: the program's run under the guard.
    pub guard: Option<Edit>,
    /// When set, an `init()` that nothing would await is no fix; this is why.
    pub unwired_init: Option<Blocked>,
}

/// Applies the entry-point rules to a module's sites (`sites` without LF007's) and to the
/// import-time calls of other modules' loop functions (`calls`). `imported` when a module of
/// the run imports this one.
pub fn entry_sites<'t>(
    ctx: &Ctx<'_, 't>,
    sites: Vec<Site<'t>>,
    calls: &[Node<'t>],
    dunder_main: bool,
    imported: bool,
) -> EntrySites<'t> {
    let Some(shape) = entry::entry_point(ctx.model, ctx.src.code(), dunder_main, &sites) else {
        return EntrySites {
            sites,
            ..EntrySites::default()
        };
    };
    let script = shape.kind == EntryKind::Script;
    let guard = shape
        .program
        .filter(|_| !shape.kind.loaded_by_path())
        .and_then(|program| guard_edit(ctx, &program));
    if script && imported {
        return imported_script(sites, &shape, guard);
    }
    let plan = entry::plan_loops(&shape, &sites, calls);
    let mut out = EntrySites {
        program_calls: plan.program_calls.clone(),
        script,
        ..EntrySites::default()
    };
    let program_sites = plan.program_sites.clone();
    let earlier: Vec<Site> = sites
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !program_sites.contains(i))
        .map(|(_, s)| s)
        .collect();
    if earlier.is_empty() {
        return out;
    }
    let note = plan.program_call.map(|(start, end)| {
        let run = ctx
            .model
            .root
            .descendant_for_byte_range(start, end)
            .map_or_else(String::new, |n| ctx.evidence(n));
        format!(
            "; {} then runs its program in another loop (`{run}` on line {}), and what this creates is bound to a loop that does not run it",
            shape.kind.describe(),
            ctx.line(start)
        )
    });
    for site in earlier {
        let merged = shape
            .program
            .as_ref()
            .and_then(|p| into_main(ctx, &site, p));
        match merged {
            Some(Ok(fix)) => {
                let mut fix = Arc::new(fix);
                if let Some(guard) = &guard {
                    fix = with_guard(&fix, guard);
                }
                let mut message = site_message(ctx.src, &site);
                message.push_str(note.as_deref().unwrap_or_default());
                out.findings.push(Finding {
                    rule: site.rule,
                    message,
                    range: site.call.byte_range(),
                    fix: Some(fix),
                });
            }
            Some(Err(_)) | None => out.sites.push(site),
        }
    }
    out.context = Some(EntryContext {
        note,
        guard,
        unwired_init: Some(Blocked::SeparateProgramLoop),
    });
    out
}

/// A script that another module of the run imports: its loops are findings as in any module
/// (an `asyncio.run(...)` it ends with may be work its importers want done on import). When it
/// ends in a framework's blocking run (`uvicorn.run(app)`), importing it starts the program:
/// the fixes put that run under the guard too.
fn imported_script<'t>(
    sites: Vec<Site<'t>>,
    shape: &entry::EntryPoint<'t>,
    guard: Option<Edit>,
) -> EntrySites<'t> {
    let framework_run = shape.program.is_some_and(|p| p.site.is_none());
    EntrySites {
        sites,
        findings: Vec::new(),
        context: Some(EntryContext {
            note: None,
            guard: guard.filter(|_| framework_run),
            unwired_init: None,
        }),
        program_calls: Vec::new(),
        script: true,
    }
}
