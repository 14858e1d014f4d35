//! Problems between modules, found in the project phases: an import-time call of a function that
//! another module of the project defines and that runs a loop (LF004), and reads of a global that
//! its module loads after import: `from m import X` holds the placeholder forever
//! ([`by_name`]), `m.X` needs the guard awaited first ([`by_attribute`]) (LF005).

mod by_attribute;
mod by_name;
mod uses;

use self::by_attribute::late_globals_by_attribute;
use self::by_name::late_globals_by_name;
use self::uses::{LateFinding, Use, project_uses};
use crate::diagnostic::{Blocked, Finding};
use crate::fix::ctx::Ctx;
use crate::paths::display_path;
use crate::project::{ExternalUse, LoopFunction, ProjectContext};
use crate::rules::Rule;
use crate::semantic::Place;

/// The second-phase findings of a module, and the names of other modules it uses that their
/// fixes would delete.
pub fn findings(ctx: &Ctx, project: &ProjectContext) -> (Vec<Finding>, Vec<ExternalUse>) {
    let uses = project_uses(ctx, project);
    let mut uses_of_others: Vec<ExternalUse> = uses
        .iter()
        .filter(|u| u.module.exports.removed_globals.contains(&u.name))
        .map(|u| ExternalUse {
            module: u.module.path.clone(),
            name: u.name.clone(),
            user: project.path.clone(),
            blocked: Some(Blocked::UsesRemovedName),
            lazy_blocked: Some(Blocked::UsesRemovedName),
        })
        .collect();
    let mut findings = Vec::new();
    for u in &uses {
        if let Some(function) = u
            .module
            .exports
            .loop_functions
            .iter()
            .find(|f| f.name == u.name)
        {
            findings.extend(indirect_call(ctx, u, function));
        }
    }
    for finding in late_globals_by_name(ctx, project) {
        uses_of_others.push(late_use(project, &finding));
        findings.push(finding.finding);
    }
    let (by_attribute, quiet) = late_globals_by_attribute(ctx, &uses);
    for finding in by_attribute {
        uses_of_others.push(late_use(project, &finding));
        findings.push(finding.finding);
    }
    // Reads of globals `init()` loads: the exporter must know it has readers.
    uses_of_others.extend(quiet.into_iter().map(|q| ExternalUse {
        module: q.module,
        name: q.name,
        user: project.path.clone(),
        blocked: None,
        lazy_blocked: q.lazy_blocked,
    }));
    uses_of_others.sort();
    uses_of_others.dedup();
    (findings, uses_of_others)
}

fn late_use(project: &ProjectContext, late: &LateFinding) -> ExternalUse {
    ExternalUse {
        module: late.module.clone(),
        name: late.name.clone(),
        user: project.path.clone(),
        blocked: late.blocked.clone(),
        lazy_blocked: late.lazy_blocked.clone(),
    }
}

/// LF004 across modules: an import-time call of another module's loop function. Reported with
/// the chain; the fix belongs in the other module, so there is none here.
fn indirect_call(ctx: &Ctx, u: &Use, function: &LoopFunction) -> Option<Finding> {
    if u.reference.place != Place::ImportTime {
        return None;
    }
    let call = u.node.parent().filter(|p| {
        p.kind() == "call"
            && p.child_by_field_name("function")
                .is_some_and(|f| f.id() == u.node.id())
    })?;
    Some(Finding {
        rule: Rule::IndirectLoopAtImport,
        message: format!(
            "`{}` runs an event loop at import time, through {} ({}, line {}); no safe fix: `{}` runs its own loop, so call an async version of it from a lazy loader or `init()` instead",
            ctx.evidence(call),
            function.chain,
            display_path(&u.module.path),
            function.line,
            function.name
        ),
        range: call.byte_range(),
        fix: None,
    })
}
