//! Turns import-time loop sites into findings with fixes (docs/architecture.md, "The fix
//! layer"). Sites that must change together (the statements of one module-level statement, the
//! uses of one loop global) form a group that gets one fix ([`group`]); each pass (lazy guard,
//! `init()`, loop-statement removal, running-loop rewrite) contributes edits. With the project in
//! view, problems between modules too ([`cross`]). [`tidy`] runs after fixes are applied.

mod cross;
mod ctx;
mod entry;
mod frameworks;
mod group;
mod imports;
mod init;
mod lazy;
mod lifespan;
mod loops;
mod mover;
mod parts;
mod reads;
mod removal;
mod safety;
mod statements;
mod template;
mod text;
pub mod tidy;
mod unit;

use std::sync::Arc;

use self::ctx::Ctx;
use self::group::{SiteAnalysis, analyze_sites};
use crate::detect;
use crate::diagnostic::{Applicability, Finding, Fix, FixId};
use crate::options::FixOptions;
use crate::project::{Exports, LateGlobal, LoopFunction, ProjectContext};
use crate::semantic::Model;
use crate::semantic::guards::existing_guards;
use crate::source::SourceFile;

/// What the analysis of a module finds.
pub struct Analysis {
    /// Findings, sorted by position.
    pub findings: Vec<Finding>,
    /// Fixes that follow other modules' proposed fixes, not findings of their own
    /// ([`crate::analyze::Analyzed::follow_ups`]).
    pub follow_ups: Vec<Finding>,
    /// What the module exports to the rest of the project.
    pub exports: Exports,
}

/// Finds every import-time loop problem of a module and builds its fixes; with the project's
/// context, also the problems between modules (LF004 across modules, LF005). `dunder_main`
/// when the module is a package's `__main__.py` (an entry point, [`entry`]).
pub fn analyze(
    model: &Model,
    src: &SourceFile,
    options: &FixOptions,
    project: Option<&ProjectContext>,
    dunder_main: bool,
) -> Analysis {
    let detection = detect::find_sites(model);
    let mentions_mangum = memchr::memmem::find(src.code(), b"Mangum").is_some();
    let ctx = Ctx::new(model, src, options, project);
    let mut exports = Exports {
        late_globals: existing_guards(model, &options.naming.init)
            .into_iter()
            .map(|guarded| LateGlobal {
                name: guarded.name,
                loader: guarded.loader,
                existing: true,
            })
            .collect(),
        ..Exports::default()
    };
    // A classmethod's calls go through its class (`Database.create()`): only functions and
    // constructors are followed across modules.
    exports.loop_functions = detection
        .loop_functions
        .iter()
        .filter(|f| !f.is_factory())
        .map(|f| exported_function(&ctx, &detection.loop_functions, f))
        .collect();
    // A call that needs a running loop has no fix (LF007): it takes no part in the groups.
    let (running, sites): (Vec<_>, Vec<_>) = detection
        .sites
        .iter()
        .partition(|s| s.kind == detect::SiteKind::RunningLoop);
    let sites: Vec<detect::Site> = sites.into_iter().copied().collect();
    let cross::CrossFindings {
        findings: cross_findings,
        follow_ups,
        uses_of_others,
    } = match project {
        Some(project) => cross::findings(&ctx, project),
        None => cross::CrossFindings::default(),
    };
    // Another module's loop function called at import time is a loop too, for an entry point.
    let indirect: Vec<(usize, tree_sitter::Node)> = cross_findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.rule == crate::rules::Rule::IndirectLoopAtImport)
        .filter_map(|(i, f)| {
            let call = model
                .root
                .descendant_for_byte_range(f.range.start, f.range.end)?;
            Some((i, call))
        })
        .collect();
    let calls: Vec<tree_sitter::Node> = indirect.iter().map(|(_, c)| *c).collect();
    let imported = project
        .and_then(ProjectContext::importer_of_module)
        .is_some();
    // Only a script with loops of its own has findings once imported: only such a script
    // asks its importers to say so (a script without them is not even parsed, alone).
    let has_sites = !sites.is_empty();
    let entry = entry::entry_sites(&ctx, sites, &calls, dunder_main, imported);
    exports.entry_script = entry.script && has_sites;
    let program_calls: Vec<usize> = entry.program_calls.iter().map(|&c| indirect[c].0).collect();
    let cross_findings: Vec<Finding> = cross_findings
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !program_calls.contains(i))
        .map(|(_, f)| f)
        .collect();
    let SiteAnalysis {
        mut findings,
        init,
        effects,
        unread,
    } = if entry.sites.is_empty() {
        SiteAnalysis::default()
    } else {
        analyze_sites(&ctx, &entry.sites, entry.context.as_ref())
    };
    findings.extend(entry.findings);
    findings.extend(running.into_iter().map(|site| Finding {
        rule: site.rule,
        message: detect::message::site_message(src, site),
        range: site.call.byte_range(),
        fix: None,
    }));
    if mentions_mangum {
        findings.extend(lifespan::lifespan_disabled(&ctx, init.wired));
    }
    exports.lifespan_needs = lifespan::lifespan_needs(&ctx, init.wired);
    findings.extend(cross_findings);
    exports.uses_of_others = uses_of_others;
    findings.sort_by_key(|f| (f.range.start, f.range.end));
    exports.unwired_init = init.unwired;
    exports.unread_results = unread;
    for (built, identified) in identify(&mut findings, src) {
        // Unsafe fixes count too: their importers' fixes are unsafe as well, so `fix` applies
        // both or neither.
        let effect = effects.iter().find(|(fix, _)| Arc::ptr_eq(fix, &built));
        if let Some((_, effect)) = effect
            && identified.applies_at(Applicability::Unsafe)
        {
            exports
                .late_globals
                .extend(effect.late_globals.iter().cloned());
            exports
                .removed_globals
                .extend(effect.removed_globals.iter().cloned());
        }
    }
    let mut follow_ups = follow_ups;
    identify(&mut follow_ups, src);
    Analysis {
        findings,
        follow_ups,
        exports,
    }
}

/// Gives each distinct fix of the sorted `findings` its identity ([`FixId`]), from its first
/// finding and its title, and returns each fix as built with the fix as identified, in the order
/// of their first findings. (Findings that share a fix share one allocation until here.) Each
/// fix's edits are fitted to the file's newline style here, once for all the passes.
fn identify(findings: &mut [Finding], src: &SourceFile) -> Vec<(Arc<Fix>, Arc<Fix>)> {
    let mut distinct: Vec<(Arc<Fix>, Arc<Fix>)> = Vec::new();
    let mut seen_keys: Vec<u64> = Vec::new();
    for finding in findings.iter_mut() {
        let Some(built) = finding.fix.take() else {
            continue;
        };
        let identified = match distinct.iter().find(|(b, _)| Arc::ptr_eq(b, &built)) {
            Some((_, identified)) => Arc::clone(identified),
            None => {
                let code = finding.rule.code();
                let key = FixId::key(code, &finding.message, built.title());
                let nth = seen_keys.iter().filter(|&&k| k == key).count();
                seen_keys.push(key);
                let id = FixId::new(code, &finding.message, built.title(), nth as u32);
                let (code, newline) = (src.code(), src.newline());
                let identified = (*built)
                    .clone()
                    .map_edits(|edit| text::in_newline_style(code, newline, edit))
                    .identified(id);
                let identified = Arc::new(identified);
                distinct.push((Arc::clone(&built), Arc::clone(&identified)));
                identified
            }
        };
        finding.fix = Some(identified);
    }
    distinct
}

/// A loop function as other modules see it: its name and the chain to its loop.
fn exported_function(
    ctx: &Ctx,
    all: &[detect::wrappers::LoopFunction],
    function: &detect::wrappers::LoopFunction,
) -> LoopFunction {
    let label = |f: &detect::wrappers::LoopFunction| {
        format!("`{}`", detect::wrappers::def_label(ctx.src.code(), f.def))
    };
    let mut chain = vec![label(function)];
    let mut current = function;
    while let Some(next) = current.next {
        if chain.len() > detect::wrappers::MAX_CHAIN {
            break;
        }
        current = &all[next];
        chain.push(label(current));
    }
    chain.push(format!("`{}`", ctx.evidence(current.evidence)));
    LoopFunction {
        name: text::name_text(function.name),
        chain: chain.join(" -> "),
        line: ctx.line(current.evidence.start_byte()),
        constructor: function.class.is_some(),
    }
}
