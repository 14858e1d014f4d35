//! Turns import-time loop sites into findings with fixes. Sites that must change together (the
//! statements of one module-level statement, the uses of one loop global) form a group that gets
//! one fix; each pass (lazy guard, loop-statement removal, running-loop rewrite) contributes edits.

mod cross;
mod group;
mod init;
mod lazy;
mod lifespan;
mod loops;
pub mod text;
pub mod tidy;
mod unit;

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::Arc;

use crate::detect::{self, Site};
use crate::diagnostic::{Applicability, Finding, Fix, FixId};
use crate::project::{Exports, ProjectContext};
use crate::semantic::Model;
use crate::source::SourceFile;

pub use group::analyze_sites;

use crate::options::FixOptions;

/// Everything a pass needs about the module it rewrites.
pub struct Ctx<'a, 't> {
    /// The semantic model.
    pub model: &'a Model<'t>,
    /// The file (original bytes, style).
    pub src: &'a SourceFile,
    /// Options.
    pub options: &'a FixOptions,
    /// The file's newline and indent unit.
    pub style: text::Style,
    /// The rest of the project, in the second phase.
    pub project: Option<&'a ProjectContext>,
    reserved: RefCell<HashSet<String>>,
}

impl<'a, 't> Ctx<'a, 't> {
    /// A context for one analysis of one module.
    pub fn new(
        model: &'a Model<'t>,
        src: &'a SourceFile,
        options: &'a FixOptions,
        project: Option<&'a ProjectContext>,
    ) -> Self {
        Ctx {
            model,
            src,
            options,
            project,
            style: text::Style::of(src),
            reserved: RefCell::new(HashSet::new()),
        }
    }

    /// The original bytes of a node (not the masked parse text).
    pub fn original(&self, node: tree_sitter::Node) -> &'a [u8] {
        &self.src.code()[node.byte_range()]
    }

    /// A name that the module does not use and no other fix has taken: `base`, else `base_2`, ...
    pub fn fresh_name(&self, base: &str) -> String {
        let mut reserved = self.reserved.borrow_mut();
        let taken = |candidate: &str| {
            reserved.contains(candidate) || self.model.mentions(candidate.as_bytes())
        };
        let mut candidate = base.to_owned();
        let mut n = 2;
        while taken(&candidate) {
            candidate = format!("{base}_{n}");
            n += 1;
        }
        reserved.insert(candidate.clone());
        candidate
    }

    /// The 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        self.src.line_index(offset) + 1
    }
}

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
        late_globals: crate::semantic::guards::existing_guards(model)
            .into_iter()
            .map(|guarded| crate::project::LateGlobal {
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
    let group::SiteAnalysis {
        mut findings,
        init,
        effects,
    } = if detection.sites.is_empty() {
        group::SiteAnalysis::default()
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
) -> crate::project::LoopFunction {
    let mut chain = vec![format!("`{}`", text::name_text(function.name))];
    let mut current = function;
    while let Some(next) = current.next {
        if chain.len() > detect::wrappers::MAX_CHAIN {
            break;
        }
        current = &all[next];
        chain.push(format!("`{}`", text::name_text(current.name)));
    }
    chain.push(format!("`{}`", evidence(ctx, current.evidence)));
    crate::project::LoopFunction {
        name: text::name_text(function.name),
        chain: chain.join(" -> "),
        line: ctx.line(current.evidence.start_byte()),
    }
}

/// The one-line message of a site ([`detect::message::site_message`]).
pub fn site_message(ctx: &Ctx, site: &Site) -> String {
    detect::message::site_message(ctx.src, site)
}

/// The source of a node on one line, shortened ([`detect::message::evidence`]).
pub fn evidence(ctx: &Ctx, node: tree_sitter::Node) -> String {
    detect::message::evidence(ctx.src, node)
}
