//! Problems between modules, found in the project phases: an import-time call of a function that
//! another module of the project defines and that runs a loop (LF004), an import of a module
//! without an app whose `init()` this module's app must await ([`awaits_init`], LF004), and reads
//! of a global that its module loads after import: `from m import X` holds the placeholder
//! forever ([`by_name`]), `m.X` needs the guard awaited first ([`by_attribute`]) (LF005).

mod awaits_init;
mod by_attribute;
mod by_name;
mod uses;

use self::awaits_init::awaits_init;
use self::by_attribute::late_globals_by_attribute;
use self::by_name::late_globals_by_name;
use self::uses::{LateFinding, Use, project_uses};
use crate::diagnostic::{Blocked, Finding, FunctionRef};
use crate::fix::ctx::Ctx;
use crate::paths::display_path;
use crate::project::{ExternalUse, LoopFunction, ProjectContext, absolute_module};
use crate::rules::Rule;
use crate::semantic::Place;
use crate::semantic::reads::UseSite;

/// What the second phase finds in a module.
#[derive(Default)]
pub struct CrossFindings {
    /// LF004 across modules, LF005.
    pub findings: Vec<Finding>,
    /// Fixes that follow other modules' proposed fixes (`m.X` awaits `m`'s new guard): no
    /// findings; `fix` applies them with the other module's fix.
    pub follow_ups: Vec<Finding>,
    /// The names of other modules this module uses that their fixes delete or load late (and
    /// the entry scripts it imports).
    pub uses_of_others: Vec<ExternalUse>,
}

/// The second-phase findings of a module, its follow-ups of other modules' fixes, and the names
/// of other modules it uses that their fixes would delete.
pub fn findings(ctx: &Ctx, project: &ProjectContext) -> CrossFindings {
    let uses = project_uses(ctx, project);
    let mut uses_of_others: Vec<ExternalUse> = uses
        .iter()
        .filter(|u| u.module.exports.removed_globals.contains(&u.name))
        .map(|u| ExternalUse {
            module: u.module.path.clone(),
            name: u.name.clone(),
            user: project.path.clone(),
            blocked: Some(Blocked::UsesRemovedName),
            awaits_init: false,
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
    let mut follow_ups = Vec::new();
    let (by_attribute, quiet) = late_globals_by_attribute(ctx, &uses);
    for late in by_attribute {
        uses_of_others.push(late_use(project, &late));
        // A follower that cannot follow blocks the other module's fix, which says why.
        match (late.follow_up, late.finding.fix.is_some()) {
            (false, _) => findings.push(late.finding),
            (true, true) => follow_ups.push(late.finding),
            (true, false) => {}
        }
    }
    // Reads of globals `init()` loads: the exporter must know it has readers.
    uses_of_others.extend(quiet.into_iter().map(|q| ExternalUse {
        module: q.module,
        name: q.name,
        user: project.path.clone(),
        blocked: None,
        awaits_init: false,
        lazy_blocked: q.lazy_blocked,
    }));
    let (init_findings, init_uses) = awaits_init(ctx, project);
    findings.extend(init_findings);
    uses_of_others.extend(init_uses);
    uses_of_others.extend(entry_scripts_imported(ctx, project));
    uses_of_others.extend(reads_of_unread_results(ctx, project, &uses));
    uses_of_others.sort();
    uses_of_others.dedup();
    CrossFindings {
        findings,
        follow_ups,
        uses_of_others,
    }
}

/// Reads of names another module binds to loop work and reads nowhere itself
/// ([`crate::project::Exports::unread_results`]): they tell that module its work is a value
/// someone reads, not an effect. A read at import time blocks every fix; a read outside an
/// `async def` could not await a lazy guard.
fn reads_of_unread_results(ctx: &Ctx, project: &ProjectContext, uses: &[Use]) -> Vec<ExternalUse> {
    uses.iter()
        .filter(|u| u.module.exports.unread_results.contains(&u.name))
        .filter_map(|u| {
            let (blocked, lazy_blocked) = match ctx.model.use_site(&u.reference) {
                UseSite::NeverRuns => return None,
                UseSite::AsyncFunction(_) => (None, None),
                UseSite::ImportTime => {
                    let line = ctx.line(u.node.start_byte());
                    let reason = Blocked::AttributeAtImportTime { line };
                    (Some(reason.clone()), Some(reason))
                }
                UseSite::SyncFunction(f) => (
                    None,
                    Some(Blocked::AttributeInFunction {
                        function: ctx.function_ref(f),
                    }),
                ),
                UseSite::EntryPoint | UseSite::Unscoped => (
                    None,
                    Some(Blocked::AttributeInFunction {
                        function: FunctionRef::Unknown,
                    }),
                ),
            };
            Some(ExternalUse {
                module: u.module.path.clone(),
                name: u.name.clone(),
                user: project.path.clone(),
                blocked,
                awaits_init: false,
                lazy_blocked,
            })
        })
        .collect()
}

/// The entry scripts of the run that this module imports (`from main import bot`,
/// `import main`, `import app.jobs`): an import of one, recorded with an empty name, tells it
/// that it is not an entry point.
fn entry_scripts_imported(ctx: &Ctx, project: &ProjectContext) -> Vec<ExternalUse> {
    let mut found = Vec::new();
    for module in imported_module_names(ctx) {
        let Some(summary) = project
            .index
            .resolve(&project.module, project.is_package, &module)
        else {
            continue;
        };
        // Any import counts here, so the import must name the script surely: all its dotted
        // name, or more (`from hypothesis import example` does not import a script `example`).
        let absolute =
            absolute_module(&project.module, project.is_package, &module).unwrap_or_default();
        let named = summary.module == absolute
            || summary.module.ends_with(&format!(".{absolute}"))
            || (summary.module.contains('.')
                && absolute.ends_with(&format!(".{}", summary.module)));
        if named && summary.exports.entry_script && summary.path != project.path {
            found.push(ExternalUse {
                module: summary.path.clone(),
                name: String::new(),
                user: project.path.clone(),
                blocked: None,
                awaits_init: false,
                lazy_blocked: None,
            });
        }
    }
    found
}

/// Every module an import statement of the module may name: `a.b` for `import a.b as c`; `m`
/// and `m.x` for `from m import x` (`x` may be a submodule).
fn imported_module_names(ctx: &Ctx) -> Vec<String> {
    let text = |node: tree_sitter::Node| {
        String::from_utf8_lossy(ctx.model.node_text(node))
            .split_whitespace()
            .collect::<String>()
    };
    let dotted = |node: tree_sitter::Node| match node.kind() {
        "aliased_import" => node.child_by_field_name("name").map(text),
        "dotted_name" => Some(text(node)),
        _ => None,
    };
    let mut modules = Vec::new();
    for import in &ctx.model.imports {
        let node = import.node;
        let mut cursor = node.walk();
        let names: Vec<String> = node
            .children_by_field_name("name", &mut cursor)
            .filter_map(dotted)
            .collect();
        match node.kind() {
            "import_statement" => modules.extend(names),
            "import_from_statement" => {
                let Some(module) = node.child_by_field_name("module_name").map(text) else {
                    continue;
                };
                let separator = if module.ends_with('.') { "" } else { "." };
                modules.extend(names.iter().map(|n| format!("{module}{separator}{n}")));
                modules.push(module);
            }
            _ => {}
        }
    }
    modules
}

fn late_use(project: &ProjectContext, late: &LateFinding) -> ExternalUse {
    ExternalUse {
        module: late.module.clone(),
        name: late.name.clone(),
        user: project.path.clone(),
        blocked: late.blocked.clone(),
        awaits_init: false,
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
    let remedy = if function.constructor {
        format!(
            "no fix: `{}` runs its own loop when constructed; give the class an `async def` method that does this work, and await it inside the application's loop",
            function.name
        )
    } else {
        format!(
            "no safe fix: `{}` runs its own loop, so call an async version of it from a lazy loader or `init()` instead",
            function.name
        )
    };
    Some(Finding {
        rule: Rule::IndirectLoopAtImport,
        message: format!(
            "`{}` runs an event loop at import time, through {} ({}, line {}); {remedy}",
            ctx.evidence(call),
            function.chain,
            display_path(&u.module.path),
            function.line,
        ),
        range: call.byte_range(),
        fix: None,
    })
}
