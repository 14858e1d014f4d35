//! Groups sites that must be fixed together and composes each group's fix from the passes: its
//! own lazy fix, or a share of the module's one `init()` fix, or no fix and why.

use std::collections::BTreeMap;
use std::sync::Arc;

use tree_sitter::Node;

use super::ctx::Ctx;
use super::entry::EntryContext;
use super::parts::{FixEffects, FixParts};
use super::removal::removal_edits;
use super::text;
use super::{init, lazy, loops, unit};
use crate::detect::message::site_message;
use crate::detect::{Site, SiteKind};
use crate::diagnostic::{Applicability, Blocked, Finding, Fix};
use crate::options::Strategy;

mod sites;

use self::sites::{has_readers, is_bare_call, partition, suppressed_line, wrappers_to_remove};

/// What became of one group.
enum Outcome {
    /// Its own fix.
    Fixed(Arc<Fix>, FixEffects),
    /// Waiting for the module's init fix; the lazy pass's reason, for when init fails too.
    Init(Option<Blocked>),
    /// No fix, and why.
    Blocked(Blocked),
}

/// The findings of a module's sites, with what became of its `init()` fix and the effects of
/// each fix (beside the fix, as they were built).
#[derive(Default)]
pub struct SiteAnalysis {
    /// The findings, sorted.
    pub findings: Vec<Finding>,
    /// The module's `init()` fix.
    pub init: InitInfo,
    /// Each fix with a group's statements, and what it does to names other modules use.
    pub effects: Vec<(Arc<Fix>, FixEffects)>,
    /// The names bound to loop work that nothing reads ([`crate::project::Exports::unread_results`]).
    pub unread: Vec<String>,
}

/// What became of the module's `init()` fix.
#[derive(Debug, Default)]
pub struct InitInfo {
    /// The fix makes the app's lifespan await `init()`.
    pub wired: bool,
    /// The module serves no app: the name of the `init()` its importers must await (whether
    /// the fix could be built or not).
    pub unwired: Option<String>,
}

/// Builds findings for all sites of a module: one fix per group, except that every group the
/// init strategy takes shares the module's one `init()` fix.
pub fn analyze_sites(ctx: &Ctx, sites: &[Site], entry: Option<&EntryContext>) -> SiteAnalysis {
    let groups: Vec<Vec<&Site>> = partition(sites)
        .into_iter()
        .map(|g| g.into_iter().map(|i| &sites[i]).collect())
        .collect();
    let has_app = init::has_wiring_point(ctx);
    let mut outcomes = Vec::with_capacity(groups.len());
    let mut candidates = Vec::new();
    let mut unread = Vec::new();
    for (index, group) in groups.iter().enumerate() {
        if let Some(line) = suppressed_line(ctx, group) {
            outcomes.push(Outcome::Blocked(Blocked::Suppressed { line }));
            continue;
        }
        let outcome = match GroupPlan::prepare(ctx, group) {
            Err(reason) => Outcome::Blocked(reason),
            Ok(plan) => {
                let effect = plan.effect(ctx);
                if let Some(Blocked::NothingReads { names }) = &effect {
                    unread.extend(names.iter().cloned());
                }
                let (outcome, wants_init) = choose(ctx, &plan, effect, has_app);
                if wants_init {
                    candidates.push(plan.into_init_candidate(index));
                }
                outcome
            }
        };
        outcomes.push(outcome);
    }
    let init = if candidates.is_empty() {
        init::Outcome::default()
    } else {
        init::plan(ctx, candidates)
    };
    // In an entry point, an `init()` that nothing would await leaves the program without its
    // start-up work: no fix, and the reason says where the work belongs.
    let entry_blocks_init = entry
        .and_then(|e| e.unwired_init.clone())
        .filter(|_| !init.wires_lifespan && init.parts.is_some());
    let mut init_failure = None;
    let init_parts = init.parts.filter(|_| entry_blocks_init.is_none());
    let init_fix = match init_parts.map(FixParts::into_fix) {
        Some(Ok((fix, effects))) if !fix.edits().is_empty() => {
            Some((with_entry_guard(Arc::new(fix), entry), effects))
        }
        Some(Ok(_)) => {
            init_failure = Some(Blocked::NothingToRewrite);
            None
        }
        Some(Err(reason)) => {
            init_failure = Some(reason);
            None
        }
        None => None,
    };
    let mut effects = Vec::new();
    if let Some((fix, fix_effects)) = &init_fix {
        effects.push((Arc::clone(fix), fix_effects.clone()));
    }
    let init_fix = init_fix.map(|(fix, _)| fix);
    let mut findings = Vec::with_capacity(sites.len());
    for (index, (group, outcome)) in groups.iter().zip(outcomes).enumerate() {
        let (fix, reason) = match outcome {
            Outcome::Fixed(fix, fix_effects) => {
                let fix = with_entry_guard(fix, entry);
                effects.push((Arc::clone(&fix), fix_effects));
                (Some(fix), None)
            }
            Outcome::Blocked(reason) => (None, Some(reason)),
            // When `init()` cannot take the group either, its reason is the one to give: it is
            // the strategy that was tried last.
            Outcome::Init(lazy_reason) => match &init_fix {
                Some(fix) if init.included.contains(&index) => (Some(fix.clone()), None),
                _ if entry_blocks_init.is_some() && init.included.contains(&index) => {
                    (None, entry_blocks_init.clone())
                }
                _ => {
                    let init_reason = init
                        .excluded
                        .iter()
                        .find(|(i, _)| *i == index)
                        .map(|(_, r)| r.clone())
                        .or_else(|| init_failure.clone());
                    (None, init_reason.or(lazy_reason))
                }
            },
        };
        for site in group {
            let mut message = site_message(ctx.src, site);
            if let Some(note) = entry.and_then(|e| e.note.as_deref()) {
                message.push_str(note);
            }
            if let Some(reason) = &reason {
                message.push_str(&format!("; no fix: {reason}"));
            }
            findings.push(Finding {
                rule: site.rule,
                message,
                range: site.call.byte_range(),
                fix: fix.clone(),
            });
        }
    }
    findings.sort_by_key(|f| (f.range.start, f.range.end));
    let info = InitInfo {
        wired: init.wires_lifespan && init_fix.is_some(),
        // Announced before any importer awaits it: the importers' answers make the fix.
        unwired: init
            .awaited_by_importers
            .clone()
            .filter(|_| entry_blocks_init.is_none()),
    };
    SiteAnalysis {
        findings,
        init: info,
        effects,
        unread,
    }
}

/// `fix` with the program's run put under the guard, in an entry point that could be imported.
fn with_entry_guard(fix: Arc<Fix>, entry: Option<&EntryContext>) -> Arc<Fix> {
    match entry.and_then(|e| e.guard.as_ref()) {
        Some(guard) => super::entry::with_guard(&fix, guard),
        None => fix,
    }
}

/// The strategy for one group (docs/architecture.md, "Choosing a fix"): its outcome, and
/// whether it goes to the init pass. An effect (a bare call, or names nothing reads) goes to
/// `init()` only: a lazy loader that nothing awaits would drop its work. Otherwise `auto` takes
/// lazy when every read allows it, else init when the module has an app to wire into or the lazy
/// pass cannot express the statement (an attribute target, a class attribute), else no fix with
/// the lazy pass's reason.
fn choose(ctx: &Ctx, plan: &GroupPlan, effect: Option<Blocked>, has_app: bool) -> (Outcome, bool) {
    match ctx.options.strategy {
        Strategy::Init => (Outcome::Init(None), true),
        Strategy::Lazy => match effect {
            Some(reason) => (Outcome::Blocked(reason), false),
            None => match plan.lazy_fix(ctx) {
                Ok((fix, effects)) => (Outcome::Fixed(fix, effects), false),
                Err(reason) => (Outcome::Blocked(reason), false),
            },
        },
        Strategy::Auto if effect.is_some() => (Outcome::Init(None), true),
        Strategy::Auto => match plan.lazy_fix(ctx) {
            Ok((fix, effects)) => (Outcome::Fixed(fix, effects), false),
            Err(reason) if has_app || plan.needs_init(ctx) => (Outcome::Init(Some(reason)), true),
            Err(reason) => (Outcome::Blocked(reason), false),
        },
    }
}

/// A group's sites, sorted into the statements that move and the loop management that goes.
struct GroupPlan<'a, 't> {
    units: BTreeMap<usize, Vec<&'a Site<'t>>>,
    removals_inside: BTreeMap<usize, Vec<Node<'t>>>,
    removed_ranges: Vec<std::ops::Range<usize>>,
    common: FixParts,
}

impl<'a, 't> GroupPlan<'a, 't> {
    /// Loop-global uses and loop-management statements, which every strategy handles alike.
    fn prepare(ctx: &Ctx<'_, 't>, sites: &[&'a Site<'t>]) -> Result<Self, Blocked> {
        let mut common = FixParts::default();
        let management: Vec<&Site> = sites
            .iter()
            .copied()
            .filter(|s| !matches!(s.kind, SiteKind::Run { .. }))
            .collect();
        let mut units: BTreeMap<usize, Vec<&Site>> = BTreeMap::new();
        for site in sites
            .iter()
            .filter(|s| matches!(s.kind, SiteKind::Run { .. }))
        {
            units.entry(site.top).or_default().push(site);
        }
        loops::rewrite_loop_uses(ctx, sites, &mut common)?;
        let mut removals_outside: Vec<Node> = wrappers_to_remove(ctx, sites)?;
        for def in &removals_outside {
            if let Some(name) = def.child_by_field_name("name") {
                common
                    .removed_globals
                    .push(text::name_text(ctx.model.node_text(name)));
            }
        }
        let mut removals_inside: BTreeMap<usize, Vec<Node>> = BTreeMap::new();
        for site in &management {
            let statement = loops::plain_statement(ctx, site)?;
            if units.contains_key(&site.top) {
                removals_inside.entry(site.top).or_default().push(statement);
            } else {
                removals_outside.push(statement);
            }
        }
        let outside_edits = removal_edits(ctx.src, &removals_outside);
        let removed_ranges = outside_edits.iter().map(|e| e.range.clone()).collect();
        common.edits.extend(outside_edits);
        if !management.is_empty() {
            common
                .titles
                .push("Remove the import-time loop management".into());
            common.limit(Applicability::Safe);
        }
        Ok(GroupPlan {
            units,
            removals_inside,
            removed_ranges,
            common,
        })
    }

    /// The group's lazy fix (or, with no statement to move, its loop-management fix).
    fn lazy_fix(&self, ctx: &Ctx) -> Result<(Arc<Fix>, FixEffects), Blocked> {
        let mut parts = FixParts {
            edits: self.common.edits.clone(),
            applicability: self.common.applicability,
            imports: self.common.imports.clone(),
            titles: self.common.titles.clone(),
            late_globals: Vec::new(),
            removed_globals: self.common.removed_globals.clone(),
        };
        for (&top, run_sites) in &self.units {
            let removals = self.removals_inside.get(&top).cloned().unwrap_or_default();
            lazy::plan(
                ctx,
                top,
                run_sites,
                &removals,
                &self.removed_ranges,
                &mut parts,
            )?;
        }
        let (fix, effects) = parts.into_fix()?;
        if fix.edits().is_empty() {
            return Err(Blocked::NothingToRewrite);
        }
        Ok((Arc::new(fix), effects))
    }

    /// Whether a statement of the group is one the lazy pass cannot express at all: a class
    /// attribute, or an attribute or subscript target.
    fn needs_init(&self, ctx: &Ctx) -> bool {
        self.units.keys().any(|&top| {
            let statement = ctx.model.statements[top];
            let is_class = matches!(statement.kind(), "class_definition")
                || statement
                    .child_by_field_name("definition")
                    .is_some_and(|d| d.kind() == "class_definition");
            is_class || !unit::attribute_targets(statement).is_empty()
        })
    }

    /// Why a lazy loader cannot take the group, when a statement of it is an effect: its work
    /// matters for what it does, not for a value someone reads. A bare call
    /// (`asyncio.run(create_schema())`), a statement that keeps nothing in a name, or names that
    /// nothing reads, in the module or (with the project in view) in another module.
    fn effect(&self, ctx: &Ctx) -> Option<Blocked> {
        self.units.iter().find_map(|(&top, sites)| {
            let statement = ctx.model.statements[top];
            if is_bare_call(sites) {
                return Some(Blocked::NotKeptInName);
            }
            let removals = self.removals_inside.get(&top).cloned().unwrap_or_default();
            let unit = unit::unit_of(ctx, statement, sites, &removals).ok()?;
            if !unit.attribute_targets.is_empty() {
                return None;
            }
            if unit.names.is_empty() {
                return Some(Blocked::NotKeptInName);
            }
            let unread = unit
                .names
                .iter()
                .all(|name| !has_readers(ctx, name, statement));
            unread.then(|| Blocked::NothingReads {
                names: unit.names.iter().map(|n| text::name_text(n)).collect(),
            })
        })
    }
    fn into_init_candidate(self, index: usize) -> init::Candidate<'a, 't> {
        init::Candidate {
            index,
            units: self.units,
            removals_inside: self.removals_inside,
            parts: self.common,
        }
    }
}
