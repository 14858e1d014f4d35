//! Problems between modules, found in the second phase: an import-time call of a function that
//! another module of the project defines and that runs a loop (LF004), and reads of a global that
//! its module loads after import: `from m import X` holds the placeholder forever, `m.X` needs the
//! guard awaited first (LF005).

use std::sync::Arc;

use tree_sitter::Node;

use super::group::Blocked;
use super::unit::{describe_function, first_statement_edit};
use super::{Ctx, evidence, text};
use crate::diagnostic::{Applicability, Edit, Finding, Fix};
use crate::paths::display_path;
use crate::project::{ExternalUse, LateGlobal, LoopFunction, ModuleSummary, ProjectContext};
use crate::rules::Rule;
use crate::semantic::{BindingKind, NameRef, Place, Role};

/// A read of something another module of the project exports.
struct Use<'t, 'p> {
    /// The identifier, or the attribute chain ending in the exported name.
    node: Node<'t>,
    /// The name's occurrence (the chain's root).
    reference: NameRef<'t>,
    /// The exporting module.
    module: &'p ModuleSummary,
    /// The exported name.
    name: String,
    /// `from m import X` read as `X`, rather than `m.X`.
    by_name: bool,
}

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
            blocked: Some("uses it".into()),
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
    for finding in late_globals_by_attribute(ctx, &uses) {
        uses_of_others.push(late_use(project, &finding));
        findings.push(finding.finding);
    }
    uses_of_others.sort();
    uses_of_others.dedup();
    (findings, uses_of_others)
}

/// An LF005 finding, with what the exporting module must know of it.
struct LateFinding {
    finding: Finding,
    module: std::path::PathBuf,
    name: String,
    blocked: Option<String>,
}

fn late_use(project: &ProjectContext, late: &LateFinding) -> ExternalUse {
    ExternalUse {
        module: late.module.clone(),
        name: late.name.clone(),
        user: project.path.clone(),
        blocked: late.blocked.clone(),
    }
}

/// Every read in the module of a name another project module exports.
fn project_uses<'t, 'p>(ctx: &Ctx<'_, 't>, project: &'p ProjectContext) -> Vec<Use<'t, 'p>> {
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
                || summary.exports.removed_globals.iter().any(|g| g == name);
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
            evidence(ctx, call),
            function.chain,
            display_path(&u.module.path),
            function.line,
            function.name
        ),
        range: call.byte_range(),
        fix: None,
    })
}

fn describe_late(global: &LateGlobal, module: &ModuleSummary) -> String {
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

/// LF005 for `from m import X`: one finding per imported name, at the import, whether or not
/// the module reads it (an unread name still holds the placeholder for whoever imports it next).
fn late_globals_by_name(ctx: &Ctx, project: &ProjectContext) -> Vec<LateFinding> {
    let mut findings = Vec::new();
    for binding in &ctx.model.bindings {
        if !matches!(binding.kind, BindingKind::Member(_)) || binding.place == Place::TypeChecking {
            continue;
        }
        let Some(local) = ctx
            .model
            .root
            .descendant_for_byte_range(binding.offset, binding.offset + binding.name.len())
            .filter(|n| n.kind() == "identifier")
        else {
            continue;
        };
        let (Some(binding_ref), Some((module, global))) =
            (ctx.model.ref_at(local), late_target(ctx, project, local))
        else {
            continue;
        };
        let item = import_item(local);
        let statement = item.and_then(|i| i.parent());
        let fix = match (item, statement) {
            (Some(item), Some(statement)) => {
                by_name_fix(ctx, project, statement, item, binding_ref, module, global)
            }
            _ => Err("the import is not a plain `from ... import` statement".into()),
        };
        let import_text = statement.map_or_else(String::new, |s| evidence(ctx, s));
        let mut message = format!(
            "`{import_text}` copies the placeholder of `{}`, which {}",
            global.name,
            describe_late(global, module)
        );
        if let Err(reason) = &fix {
            message.push_str("; no fix: ");
            message.push_str(reason);
        }
        let blocked = fix.as_ref().err().cloned();
        findings.push(LateFinding {
            finding: Finding {
                rule: Rule::LazyGlobalImportedByName,
                message,
                range: local.byte_range(),
                fix: fix.ok().map(Arc::new),
            },
            module: module.path.clone(),
            name: global.name.clone(),
            blocked,
        });
    }
    findings
}

/// The module and global a `from m import X` binding refers to.
fn late_target<'p>(
    ctx: &Ctx,
    project: &'p ProjectContext,
    local: Node,
) -> Option<(&'p ModuleSummary, &'p LateGlobal)> {
    let binding = ctx
        .model
        .bindings
        .iter()
        .find(|b| b.offset == local.start_byte())?;
    let BindingKind::Member(qualified) = &binding.kind else {
        return None;
    };
    let (module, name) = qualified.rsplit_once('.')?;
    let module = if module.is_empty() { "." } else { module };
    let summary = project
        .index
        .resolve(&project.module, project.is_package, module)?;
    let global = summary
        .exports
        .late_globals
        .iter()
        .find(|g| g.name == name)?;
    Some((summary, global))
}

/// The `X` or `X as Y` item of a `from` import holding the bound identifier.
fn import_item(local: Node) -> Option<Node> {
    let mut node = local;
    loop {
        let parent = node.parent()?;
        match parent.kind() {
            "aliased_import" | "dotted_name" => node = parent,
            "import_from_statement" => return Some(node),
            _ => return None,
        }
    }
}

/// Rewrites the importer to read the live value: `import m` (or `from pkg import m`), every
/// read of `X` becomes `m.X`, and each `async def` that reads it awaits the guard first.
fn by_name_fix(
    ctx: &Ctx,
    project: &ProjectContext,
    statement: Node,
    item: Node,
    binding: &NameRef,
    module: &ModuleSummary,
    global: &LateGlobal,
) -> Result<Fix, Blocked> {
    let local = binding.name;
    let display = text::name_text(local);
    let mut async_readers = Vec::new();
    for r in ctx.model.global_uses(local) {
        if r.node.id() == binding.node.id() {
            continue;
        }
        let line = ctx.line(r.node.start_byte());
        if r.role != Role::Load {
            return Err(format!("`{display}` is rebound on line {line}"));
        }
        match r.place {
            Place::ImportTime => {
                return Err(format!(
                    "`{display}` is read at import time on line {line}, before it is loaded"
                ));
            }
            Place::EntryPoint => {
                return Err(format!(
                    "`{display}` is read under `if __name__ == \"__main__\":` on line {line}"
                ));
            }
            Place::TypeChecking => {}
            Place::Deferred(_) => {
                let function = ctx.model.enclosing_function(r.scope);
                let is_async = function.is_some_and(|f| ctx.model.scopes[f].is_async_function());
                match (function, is_async, &global.loader) {
                    (Some(f), true, _) => async_readers.push(f),
                    (_, _, None) => {}
                    (Some(f), false, Some(_)) => {
                        return Err(format!(
                            "`{display}` is read in {} on line {line}, which cannot await its guard",
                            describe_function(ctx, f)
                        ));
                    }
                    (None, _, Some(_)) => {
                        return Err(format!("`{display}` is read on line {line}"));
                    }
                }
            }
        }
    }
    let module_text = statement
        .child_by_field_name("module_name")
        .map(|m| {
            String::from_utf8_lossy(ctx.original(m))
                .split_whitespace()
                .collect::<String>()
        })
        .ok_or_else(|| "the import names no module".to_owned())?;
    let existing = module_alias(ctx, project, module);
    let (import_line, alias) = match &existing {
        Some(alias) => (None, alias.clone()),
        None => {
            let (line, alias) = module_import(ctx, &module_text);
            (Some(line), alias)
        }
    };
    let mut edits = Vec::new();
    let mut cursor = statement.walk();
    let items = statement
        .children_by_field_name("name", &mut cursor)
        .count();
    match (items, import_line) {
        (1, Some(line)) => edits.push(Edit::replace(statement.byte_range(), line)),
        (1, None) => edits.push(super::text::remove_statement(ctx.src, statement)),
        (_, line) => {
            edits.push(super::text::remove_list_item(ctx.src.code(), item));
            if let Some(line) = line {
                let line_end = ctx.src.line_end_after_newline(statement.end_byte());
                let mut text = line.into_bytes();
                text.extend_from_slice(&ctx.style.newline);
                edits.push(Edit::insert(line_end, text));
            }
        }
    }
    for r in ctx.model.global_reads(local) {
        edits.push(Edit::replace(
            r.node.byte_range(),
            format!("{alias}.{}", global.name),
        ));
    }
    async_readers.sort_unstable();
    async_readers.dedup();
    if let Some(loader) = &global.loader {
        for function in async_readers {
            let statement = format!("await {alias}.{loader}()");
            let def = ctx.model.scopes[function].node;
            edits.push(first_statement_edit(ctx, def, statement.as_bytes())?);
        }
    }
    let title = format!(
        "Read `{}` through `{alias}` so it sees the loaded value ({})",
        global.name,
        display_path(&module.path)
    );
    Ok(Fix::applicable_edits(
        title,
        edits,
        follower_applicability(global),
    ))
}

/// A module-level name the module already binds to `module` itself (`from . import config`).
fn module_alias(ctx: &Ctx, project: &ProjectContext, module: &ModuleSummary) -> Option<String> {
    ctx.model.bindings.iter().find_map(|b| {
        let qualified = match &b.kind {
            BindingKind::Module(m) | BindingKind::Member(m) => m,
            _ => return None,
        };
        if b.place != Place::ImportTime || !b.unconditional {
            return None;
        }
        let target = project
            .index
            .resolve(&project.module, project.is_package, qualified)?;
        (target.path == module.path).then(|| text::name_text(b.name))
    })
}

/// `import config` / `from app import config` / `from . import config`, and the name it binds.
fn module_import(ctx: &Ctx, module_text: &str) -> (String, String) {
    let (parent, last) = match module_text.rsplit_once('.') {
        Some(("", last)) => (Some(".".to_owned()), last.to_owned()),
        Some((parent, last)) if parent.chars().all(|c| c == '.') => {
            (Some(format!("{parent}.")), last.to_owned())
        }
        Some((parent, last)) => (Some(parent.to_owned()), last.to_owned()),
        None => (None, module_text.to_owned()),
    };
    let alias = if ctx.model.mentions(last.as_bytes()) {
        ctx.fresh_name(&format!("{last}_module"))
    } else {
        last.clone()
    };
    let suffix = if alias == last {
        String::new()
    } else {
        format!(" as {alias}")
    };
    let line = match parent {
        Some(parent) => format!("from {parent} import {last}{suffix}"),
        None => format!("import {last}{suffix}"),
    };
    (line, alias)
}

/// LF005 for `m.X` read in an `async def` that does not await `m`'s guard first: one finding per
/// function, fixed by awaiting the guard at its top.
fn late_globals_by_attribute(ctx: &Ctx, uses: &[Use]) -> Vec<LateFinding> {
    let mut findings = Vec::new();
    let mut seen: Vec<(usize, String)> = Vec::new();
    for u in uses.iter().filter(|u| !u.by_name) {
        let Some(global) = u
            .module
            .exports
            .late_globals
            .iter()
            .find(|g| g.name == u.name)
        else {
            continue;
        };
        let expression = evidence(ctx, u.node);
        let line = ctx.line(u.node.start_byte());
        let (fix, reason) = match (u.reference.place, &global.loader) {
            (Place::ImportTime, _) => (
                None,
                Some(format!(
                    "it is read at import time on line {line}, before it is loaded"
                )),
            ),
            (Place::Deferred(_), Some(loader)) => {
                let function = ctx.model.enclosing_function(u.reference.scope);
                match function {
                    Some(f) if ctx.model.scopes[f].is_async_function() => {
                        let key = (f, global.name.clone());
                        if seen.contains(&key) || awaits_guard(ctx, f, loader) {
                            continue;
                        }
                        seen.push(key);
                        let prefix = expression
                            .rsplit_once('.')
                            .map_or(expression.as_str(), |(p, _)| p)
                            .to_owned();
                        let statement = format!("await {prefix}.{loader}()");
                        let fix = first_statement_edit(
                            ctx,
                            ctx.model.scopes[f].node,
                            statement.as_bytes(),
                        )
                        .ok()
                        .map(|edit| {
                            Fix::applicable_edits(
                                format!("Await `{prefix}.{loader}()` first"),
                                vec![edit],
                                follower_applicability(global),
                            )
                        });
                        (fix, None)
                    }
                    Some(f) => (
                        None,
                        Some(format!(
                            "it is read in {}, which cannot await its guard",
                            describe_function(ctx, f)
                        )),
                    ),
                    None => continue,
                }
            }
            _ => continue,
        };
        let mut message = format!(
            "`{expression}` {} and is read before it is loaded",
            describe_late(global, u.module)
        );
        if let Some(reason) = &reason {
            message.push_str("; no fix: ");
            message.push_str(reason);
        }
        findings.push(LateFinding {
            finding: Finding {
                rule: Rule::LazyGlobalImportedByName,
                message,
                range: u.node.byte_range(),
                fix: fix.map(Arc::new),
            },
            module: u.module.path.clone(),
            name: global.name.clone(),
            blocked: reason,
        });
    }
    findings
}

/// Following a module that is already fixed is safe; following a fix that is only proposed
/// touches a second file's contract, so it is unsafe (applied with `--unsafe-fixes`, together
/// with the module's own fix).
fn follower_applicability(global: &LateGlobal) -> Applicability {
    if global.existing {
        Applicability::Safe
    } else {
        Applicability::Unsafe
    }
}

/// Whether an `async def` already awaits the guard (`await config.load_settings()`).
fn awaits_guard(ctx: &Ctx, function: crate::semantic::ScopeId, loader: &str) -> bool {
    let body = ctx.model.scopes[function].node;
    let text = ctx.original(body);
    memchr::memmem::find(text, format!(".{loader}()").as_bytes()).is_some()
        || memchr::memmem::find(text, format!(" {loader}()").as_bytes()).is_some()
}
