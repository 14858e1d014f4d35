//! The importer's side of a module without an app (SPEC §4.2, last paragraph): a module that
//! imports, at import time, a module of the project whose start-up work moves into an `init()`
//! that no app of its own awaits, and that serves an app, awaits `module.init()` in that app's
//! start-up. The finding (LF004: importing the module runs its loop) carries that half of the
//! fix; the exporter's half is unsafe and names this module. An importer whose app cannot await
//! it tells the exporter why, and the exporter gets no fix.

use std::sync::Arc;

use tree_sitter::Node;

use crate::diagnostic::{Applicability, Blocked, Finding, RequiredImport};
use crate::fix::ctx::Ctx;
use crate::fix::frameworks::{Frameworks, served_app, wire_app};
use crate::fix::parts::FixParts;
use crate::fix::text;
use crate::paths::display_path;
use crate::project::{ExternalUse, ModuleSummary, ProjectContext};
use crate::rules::Rule;
use crate::semantic::Place;
use crate::syntax::tree::named_children;

/// An import of a module whose `init()` the importer's app must await.
struct InitImport<'t, 'p> {
    /// The import statement.
    statement: Node<'t>,
    /// The module.
    module: &'p ModuleSummary,
    /// Its `init()`'s name.
    init: &'p str,
    /// The name the import binds the module to, if it binds it (`import db`, `from app import
    /// jobs`); else the module is imported for the call.
    bound: Option<String>,
}

/// The findings that await imported modules' `init()` in this module's app, and what the
/// exporters must know of them.
pub(super) fn awaits_init(ctx: &Ctx, project: &ProjectContext) -> (Vec<Finding>, Vec<ExternalUse>) {
    let imports = init_imports(ctx, project);
    if imports.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let found = Frameworks::find(ctx);
    let app = match served_app(ctx, found.apps()) {
        Ok(Some(app)) => Ok(app),
        // The module serves no app: another module that imports it must (not followed).
        Ok(None) => return (Vec::new(), Vec::new()),
        Err(reason) => Err(reason),
    };
    let mut findings = Vec::new();
    let mut uses = Vec::new();
    for (i, import) in imports.iter().enumerate() {
        let use_of = |blocked: Option<Blocked>| ExternalUse {
            module: import.module.path.clone(),
            name: import.init.to_owned(),
            user: project.path.clone(),
            blocked,
            awaits_init: true,
            lazy_blocked: None,
        };
        let app = match &app {
            Ok(app) => *app,
            Err(reason) => {
                uses.push(use_of(Some(reason.clone())));
                continue;
            }
        };
        if i > 0 {
            // One app's start-up takes one new await per fix: the next `fix` wires the rest.
            uses.push(use_of(Some(Blocked::AnotherInitFirst {
                user: display_path(&project.path),
            })));
            continue;
        }
        let spelled = import
            .bound
            .clone()
            .unwrap_or_else(|| import.module.module.clone());
        if calls(ctx, &format!("{spelled}.{}", import.init)) {
            // Already awaited (this fix, applied): nothing left to wire.
            uses.push(use_of(None));
            continue;
        }
        let mut parts = FixParts::default();
        let spelled = match &import.bound {
            Some(name) => name.clone(),
            None => {
                parts
                    .imports
                    .push(RequiredImport::Module(import.module.module.clone()));
                import.module.module.clone()
            }
        };
        let awaited = format!("{spelled}.{}", import.init);
        match wire_app(ctx, &found, app, &awaited, &mut parts) {
            Ok(how) => {
                let how = how.strip_prefix("awaited ").unwrap_or(&how);
                parts.titles.push(format!("Await `{awaited}()` {how}"));
                parts.limit(Applicability::Unsafe);
                let Ok((fix, _)) = parts.into_fix() else {
                    uses.push(use_of(Some(Blocked::RewritesOverlap)));
                    continue;
                };
                findings.push(Finding {
                    rule: Rule::IndirectLoopAtImport,
                    message: format!(
                        "`{}` runs the event loop of {} at import time; its fix moves that work into `{awaited}()`, which `{}` must await at start-up",
                        ctx.evidence(import.statement),
                        display_path(&import.module.path),
                        text::name_text(app.name)
                    ),
                    range: import.statement.byte_range(),
                    fix: Some(Arc::new(fix)),
                });
                uses.push(use_of(None));
            }
            Err(reason) => uses.push(use_of(Some(reason))),
        }
    }
    (findings, uses)
}

/// Whether the module calls `dotted` (`db.init`) anywhere.
fn calls(ctx: &Ctx, dotted: &str) -> bool {
    let root = dotted.split('.').next().unwrap_or_default().as_bytes();
    ctx.model.refs.iter().filter(|r| r.name == root).any(|r| {
        let mut node = r.node;
        while let Some(parent) = node.parent().filter(|p| {
            p.kind() == "attribute"
                && p.child_by_field_name("object")
                    .is_some_and(|o| o.id() == node.id())
        }) {
            node = parent;
        }
        ctx.model.node_text(node) == dotted.as_bytes()
            && node.parent().is_some_and(|p| {
                p.kind() == "call"
                    && p.child_by_field_name("function")
                        .is_some_and(|f| f.id() == node.id())
            })
    })
}

/// The import-time imports of modules of the project that export an `init()` to await.
fn init_imports<'t, 'p>(ctx: &Ctx<'_, 't>, project: &'p ProjectContext) -> Vec<InitImport<'t, 'p>> {
    let resolve = |name: &str| {
        project
            .index
            .resolve(&project.module, project.is_package, name)
            .filter(|m| m.path != project.path)
            .and_then(|m| m.exports.unwired_init.as_deref().map(|init| (m, init)))
    };
    let mut found: Vec<InitImport> = Vec::new();
    for import in &ctx.model.imports {
        if import.place != Place::ImportTime {
            continue;
        }
        let statement = import.node;
        let mut add = |module: &'p ModuleSummary, init: &'p str, bound: Option<String>| {
            if !found.iter().any(|f| f.module.path == module.path) {
                found.push(InitImport {
                    statement,
                    module,
                    init,
                    bound,
                });
            }
        };
        match statement.kind() {
            "import_statement" => {
                for name in imported_names(statement) {
                    let (dotted, alias) = dotted_and_alias(ctx, name);
                    if let Some((module, init)) = resolve(&dotted) {
                        add(module, init, Some(alias.unwrap_or(dotted)));
                    }
                }
            }
            "import_from_statement" => {
                let Some(from) = statement.child_by_field_name("module_name") else {
                    continue;
                };
                let from = text::name_text(ctx.model.node_text(from));
                for name in imported_names(statement) {
                    let (member, alias) = dotted_and_alias(ctx, name);
                    let joined = if from.ends_with('.') {
                        format!("{from}{member}")
                    } else {
                        format!("{from}.{member}")
                    };
                    if let Some((module, init)) = resolve(&joined) {
                        add(module, init, Some(alias.unwrap_or(member)));
                    }
                }
                if let Some((module, init)) = resolve(&from) {
                    add(module, init, None);
                }
            }
            _ => {}
        }
    }
    found
}

/// The names an import statement imports (`dotted_name` or `aliased_import` nodes).
fn imported_names(statement: Node) -> Vec<Node> {
    named_children(statement)
        .filter(|c| {
            matches!(c.kind(), "dotted_name" | "aliased_import")
                && statement
                    .child_by_field_name("module_name")
                    .is_none_or(|m| m.id() != c.id())
        })
        .collect()
}

/// `(dotted name, alias)` of an imported name.
fn dotted_and_alias(ctx: &Ctx, name: Node) -> (String, Option<String>) {
    match name.kind() {
        "aliased_import" => (
            name.child_by_field_name("name")
                .map(|n| text::name_text(ctx.model.node_text(n)))
                .unwrap_or_default(),
            name.child_by_field_name("alias")
                .map(|a| text::name_text(ctx.model.node_text(a))),
        ),
        _ => (text::name_text(ctx.model.node_text(name)), None),
    }
}
