//! LF005 for `from m import X`: the importer holds the placeholder forever; the fix imports the
//! module and reads `m.X`, awaiting the guard in each `async def` that reads it.

use std::sync::Arc;

use tree_sitter::Node;

use super::uses::{LateFinding, describe_late, follower_applicability};
use crate::diagnostic::{Access, Blocked, Edit, Finding, Fix, Until};
use crate::fix::ctx::Ctx;
use crate::fix::statements::first_statement_edit;
use crate::fix::text;
use crate::paths::display_path;
use crate::project::{LateGlobal, ModuleSummary, ProjectContext};
use crate::rules::Rule;
use crate::semantic::reads::UseSite;
use crate::semantic::{BindingKind, NameRef, Place, Role, ScopeId};

/// LF005 for `from m import X`: one finding per imported name, at the import, whether or not
/// the module reads it (an unread name still holds the placeholder for whoever imports it next).
pub(super) fn late_globals_by_name(ctx: &Ctx, project: &ProjectContext) -> Vec<LateFinding> {
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
            _ => Err(Blocked::ImportNotPlain),
        };
        let import_text = statement.map_or_else(String::new, |s| ctx.evidence(s));
        // The placeholder exists today only when the module already loads the name late; a
        // proposed fix is described as such.
        let mut message = if global.existing {
            format!(
                "`{import_text}` copies the placeholder of `{}`, which {}",
                global.name,
                describe_late(global, module)
            )
        } else {
            format!(
                "`{import_text}` copies `{}` once, at import; the fix of {} loads it after import, and this copy would keep its placeholder",
                global.name,
                display_path(&module.path)
            )
        };
        if let Err(reason) = &fix {
            message.push_str(&format!("; no fix: {reason}"));
        }
        let blocked = fix.as_ref().err().cloned();
        // A name `init()` loads may become a lazy global once the module sees this reader:
        // whether the reads here could await a guard is for it to know.
        let lazy_blocked = match (&blocked, &global.loader) {
            (None, None) => readers(ctx, binding_ref, true).err(),
            _ => blocked.clone(),
        };
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
            follow_up: false,
            lazy_blocked,
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

/// The `async def`s that read the name `binding` imports, or why its reads cannot follow:
/// a read at import time, under `if __name__ == "__main__":`, a rebinding, or, when a guard
/// loads the name (`guarded`), a read that cannot await it.
fn readers(ctx: &Ctx, binding: &NameRef, guarded: bool) -> Result<Vec<ScopeId>, Blocked> {
    let display = text::name_text(binding.name);
    let mut async_readers = Vec::new();
    for r in ctx.model.global_uses(binding.name) {
        if r.node.id() == binding.node.id() {
            continue;
        }
        let line = ctx.line(r.node.start_byte());
        let name = display.clone();
        if r.role != Role::Load {
            return Err(Blocked::Rebound { name, line });
        }
        match ctx.model.use_site(r) {
            UseSite::ImportTime => {
                return Err(Blocked::AtImportTime {
                    name,
                    access: Access::Read,
                    line,
                    until: Until::Loaded,
                });
            }
            UseSite::EntryPoint => {
                return Err(Blocked::InEntryPoint {
                    name,
                    access: Access::Read,
                    line,
                });
            }
            UseSite::NeverRuns => {}
            UseSite::AsyncFunction(f) => async_readers.push(f),
            UseSite::SyncFunction(f) if guarded => {
                return Err(Blocked::InFunction {
                    name,
                    access: Access::Read,
                    function: ctx.function_ref(f),
                    line,
                    cannot_await: true,
                });
            }
            UseSite::Unscoped if guarded => {
                return Err(Blocked::ReadOutsideFunction { name, line });
            }
            UseSite::SyncFunction(_) | UseSite::Unscoped => {}
        }
    }
    Ok(async_readers)
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
    let mut async_readers = readers(ctx, binding, global.loader.is_some())?;
    let module_text = statement
        .child_by_field_name("module_name")
        .map(|m| {
            String::from_utf8_lossy(ctx.original(m))
                .split_whitespace()
                .collect::<String>()
        })
        .ok_or(Blocked::ImportNamesNoModule)?;
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
        (1, None) => edits.push(text::remove_statement(ctx.src, statement)),
        (_, line) => {
            edits.push(text::remove_list_item(ctx.src.code(), item));
            if let Some(line) = line {
                let line_end = ctx.src.line_end_after_newline(statement.end_byte());
                let mut text = line.into_bytes();
                text.extend_from_slice(&ctx.style.newline);
                edits.push(Edit::insert(line_end, text));
            }
        }
    }
    for r in ctx.model.global_reads(binding.name) {
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
        ctx.fresh_alias(&format!("{last}_module"))
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
