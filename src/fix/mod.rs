//! Turns import-time loop sites into findings with fixes (docs/architecture.md, "The fix
//! layer"). Sites that must change together (the statements of one module-level statement, the
//! uses of one loop global) form a group that gets one fix ([`group`]); each pass (lazy guard,
//! `init()`, loop-statement removal, running-loop rewrite) contributes edits. With the project in
//! view, problems between modules too ([`cross`]). [`tidy`] runs after fixes are applied.

mod cross;
mod ctx;
mod group;
mod imports;
mod init;
mod lazy;
mod lifespan;
mod loops;
mod mover;
mod parts;
mod reads;
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
    /// What the module exports to the rest of the project.
    pub exports: Exports,
}

/// Finds every import-time loop problem of a module and builds its fixes; with the project's
/// context, also the problems between modules (LF004 across modules, LF005).
pub fn analyze(
    model: &Model,
    src: &SourceFile,
    options: &FixOptions,
    project: Option<&ProjectContext>,
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
    exports.loop_functions = detection
        .loop_functions
        .iter()
        .map(|f| exported_function(&ctx, &detection.loop_functions, f))
        .collect();
    let SiteAnalysis {
        mut findings,
        init,
        effects,
    } = if detection.sites.is_empty() {
        SiteAnalysis::default()
    } else {
        analyze_sites(&ctx, &detection.sites)
    };
    if mentions_mangum {
        let needs_lifespan = init.wired || lifespan::has_startup_hook(&ctx);
        findings.extend(lifespan::lifespan_disabled(&ctx, needs_lifespan));
    }
    if let Some(project) = project {
        let (cross_findings, uses_of_others) = cross::findings(&ctx, project);
        findings.extend(cross_findings);
        exports.uses_of_others = uses_of_others;
    }
    findings.sort_by_key(|f| (f.range.start, f.range.end));
    exports.unwired_init = init.unwired;
    for (built, identified) in identify(&mut findings) {
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
    Analysis { findings, exports }
}

/// Gives each distinct fix of the sorted `findings` its identity ([`FixId`]), from its first
/// finding and its title, and returns each fix as built with the fix as identified, in the order
/// of their first findings. (Findings that share a fix share one allocation until here.)
fn identify(findings: &mut [Finding]) -> Vec<(Arc<Fix>, Arc<Fix>)> {
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
                let identified = Arc::new((*built).clone().identified(id));
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
    let mut chain = vec![format!("`{}`", text::name_text(function.name))];
    let mut current = function;
    while let Some(next) = current.next {
        if chain.len() > detect::wrappers::MAX_CHAIN {
            break;
        }
        current = &all[next];
        chain.push(format!("`{}`", text::name_text(current.name)));
    }
    chain.push(format!("`{}`", ctx.evidence(current.evidence)));
    LoopFunction {
        name: text::name_text(function.name),
        chain: chain.join(" -> "),
        line: ctx.line(current.evidence.start_byte()),
    }
}
