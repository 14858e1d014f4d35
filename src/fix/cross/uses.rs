//! What a module uses of the names other project modules export: each read of a loop function,
//! a late global or a deleted global, found through the module's imports; and how the messages
//! name a late global's loader.

use tree_sitter::Node;

use crate::diagnostic::{Applicability, Blocked, Finding};
use crate::fix::ctx::Ctx;
use crate::paths::display_path;
use crate::project::{LateGlobal, ModuleSummary, ProjectContext};
use crate::semantic::{BindingKind, NameRef, Role};

/// A read of something another module of the project exports.
pub(super) struct Use<'t, 'p> {
    /// The identifier, or the attribute chain ending in the exported name.
    pub(super) node: Node<'t>,
    /// The name's occurrence (the chain's root).
    pub(super) reference: NameRef<'t>,
    /// The exporting module.
    pub(super) module: &'p ModuleSummary,
    /// The exported name.
    pub(super) name: String,
    /// `from m import X` read as `X`, rather than `m.X`.
    pub(super) by_name: bool,
}

/// An LF005 finding, with what the exporting module must know of it.
pub(super) struct LateFinding {
    /// The finding.
    pub(super) finding: Finding,
    /// The module that exports the global.
    pub(super) module: std::path::PathBuf,
    /// The global.
    pub(super) name: String,
    /// Why the user cannot follow the fix, when it cannot.
    pub(super) blocked: Option<Blocked>,
    /// A read that follows the exporter's proposed fix (`m.X` awaits the new guard): part of
    /// that fix, not a finding of its own.
    pub(super) follow_up: bool,
    /// Why the user could not follow a lazy guard ([`crate::project::ExternalUse::lazy_blocked`]).
    pub(super) lazy_blocked: Option<Blocked>,
}

/// Every read in the module of a name another project module exports.
pub(super) fn project_uses<'t, 'p>(
    ctx: &Ctx<'_, 't>,
    project: &'p ProjectContext,
) -> Vec<Use<'t, 'p>> {
    let model = ctx.model;
    let imported: Vec<&[u8]> = model
        .bindings
        .iter()
        .filter(|b| matches!(b.kind, BindingKind::Module(_) | BindingKind::Member(_)))
        .map(|b| b.name)
        .collect();
    let mut uses = Vec::new();
    for reference in &model.refs {
        if reference.role != Role::Load
            || !imported.contains(&reference.name)
            || !model.resolves_to_global(reference.name, reference.scope)
        {
            continue;
        }
        let mut node = reference.node;
        let mut candidates = vec![node];
        while let Some(parent) = node.parent() {
            let is_object = parent.kind() == "attribute"
                && parent
                    .child_by_field_name("object")
                    .is_some_and(|o| o.id() == node.id());
            if !is_object {
                break;
            }
            node = parent;
            candidates.push(node);
        }
        for candidate in candidates.into_iter().rev() {
            let Some(qualified) = model.qualified_name(candidate) else {
                continue;
            };
            let Some((module, name)) = qualified.rsplit_once('.') else {
                continue;
            };
            let module = if module.is_empty() { "." } else { module };
            let Some(summary) = project
                .index
                .resolve(&project.module, project.is_package, module)
            else {
                continue;
            };
            if summary.path == project.path {
                continue;
            }
            let exported = summary
                .exports
                .loop_functions
                .iter()
                .any(|f| f.name == name)
                || summary.exports.late_globals.iter().any(|g| g.name == name)
                || summary.exports.removed_globals.iter().any(|g| g == name)
                || summary.exports.unread_results.iter().any(|g| g == name);
            if exported {
                uses.push(Use {
                    node: candidate,
                    reference: *reference,
                    module: summary,
                    name: name.to_owned(),
                    by_name: candidate.id() == reference.node.id(),
                });
                break;
            }
        }
    }
    uses
}

pub(super) fn describe_late(global: &LateGlobal, module: &ModuleSummary) -> String {
    match &global.loader {
        Some(loader) => format!(
            "is loaded lazily by `{loader}()` in {}",
            display_path(&module.path)
        ),
        None => format!(
            "is loaded by `init()` at start-up in {}",
            display_path(&module.path)
        ),
    }
}

/// Following a module that is already fixed is safe; following a fix that is only proposed
/// touches a second file's contract, so it is unsafe (applied with `--unsafe-fixes`, together
/// with the module's own fix).
pub(super) fn follower_applicability(global: &LateGlobal) -> Applicability {
    if global.existing {
        Applicability::Safe
    } else {
        Applicability::Unsafe
    }
}
