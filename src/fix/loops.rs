//! Loop objects (rule docs of LF002 and LF003): which statements manage a loop and can go, and
//! uses of a loop global inside `async def` that become `asyncio.get_running_loop()`.

use std::collections::HashSet;

use tree_sitter::Node;

use super::ctx::Ctx;
use super::parts::FixParts;
use super::text;
use crate::detect::{Site, SiteKind, Via};
use crate::diagnostic::{Access, Applicability, Blocked, Edit, FunctionRef, RequiredImport, Until};
use crate::semantic::reads::UseSite;
use crate::semantic::{BindingKind, Place, Role};

/// The statement a management site stands alone in (`asyncio.set_event_loop(loop)`,
/// `loop = asyncio.new_event_loop()`), which its fix removes.
pub fn plain_statement<'t>(ctx: &Ctx<'_, 't>, site: &Site<'t>) -> Result<Node<'t>, Blocked> {
    let statement = site.statement;
    let call = site.call;
    let plain = statement.kind() == "expression_statement"
        && statement.named_child_count() == 1
        && statement.named_child(0).is_some_and(|expression| {
            expression.id() == call.id()
                || (expression.kind() == "assignment"
                    && expression
                        .child_by_field_name("right")
                        .is_some_and(|r| r.id() == call.id())
                    && expression
                        .child_by_field_name("left")
                        .is_some_and(|l| l.kind() == "identifier")
                    && expression.child_by_field_name("type").is_none())
        });
    if plain {
        Ok(statement)
    } else {
        Err(Blocked::PartOfLargerStatement {
            call: ctx.evidence(call),
        })
    }
}

/// Checks every use of the group's loop globals: uses that the removed statements account for
/// are fine, a read inside an `async def` becomes `asyncio.get_running_loop()`, anything else
/// blocks the fix.
pub fn rewrite_loop_uses(ctx: &Ctx, sites: &[&Site], parts: &mut FixParts) -> Result<(), Blocked> {
    let vars: Vec<&[u8]> = {
        let mut vars: Vec<&[u8]> = sites.iter().filter_map(|s| loop_var(s)).collect();
        vars.sort();
        vars.dedup();
        vars
    };
    if vars.is_empty() {
        return Ok(());
    }
    let accounted = accounted_identifiers(sites);
    let mut rewrote = false;
    for var in vars {
        if let Some(user) = ctx.project.and_then(|p| p.used_elsewhere_by(var)) {
            return Err(Blocked::UsedByModule {
                name: text::name_text(var),
                user: crate::paths::display_path(user),
            });
        }
        parts.removed_globals.push(text::name_text(var));
        for use_ in ctx.model.global_uses(var) {
            if accounted.contains(&use_.node.id()) {
                continue;
            }
            let name = text::name_text(var);
            let line = ctx.line(use_.node.start_byte());
            let access = if use_.role == Role::Load {
                Access::Used
            } else {
                Access::Assigned
            };
            let function = match ctx.model.use_site(use_) {
                UseSite::NeverRuns => continue,
                // The message names what happens on that line: a read, or an assignment.
                UseSite::ImportTime => {
                    return Err(Blocked::AtImportTime {
                        name,
                        access,
                        line,
                        until: Until::Unsaid,
                    });
                }
                UseSite::EntryPoint => {
                    return Err(Blocked::InEntryPoint { name, access, line });
                }
                UseSite::AsyncFunction(_) if access == Access::Used => None,
                UseSite::AsyncFunction(f) | UseSite::SyncFunction(f) => Some(ctx.function_ref(f)),
                UseSite::Unscoped => Some(FunctionRef::Unknown),
            };
            if let Some(function) = function {
                return Err(Blocked::InFunction {
                    name,
                    access,
                    function,
                    line,
                    cannot_await: false,
                });
            }
            let asyncio = asyncio_module_name(ctx, &mut parts.imports);
            parts.edits.push(Edit::replace(
                use_.node.byte_range(),
                format!("{asyncio}.get_running_loop()"),
            ));
            rewrote = true;
        }
    }
    if rewrote {
        parts
            .titles
            .push("Use `asyncio.get_running_loop()` inside `async def`".into());
        parts.limit(Applicability::Safe);
    }
    Ok(())
}

/// The identifiers of loop globals that the group's own statements use: the target of
/// `loop = new_event_loop()`, the receiver of `loop.run_until_complete(...)` and `loop.close()`,
/// the argument of `set_event_loop(loop)`.
fn accounted_identifiers(sites: &[&Site]) -> HashSet<usize> {
    let mut ids = HashSet::new();
    for site in sites {
        let node = match site.kind {
            SiteKind::NewLoop { var: Some(_) } | SiteKind::GetLoop { var: Some(_) } => site
                .call
                .parent()
                .and_then(|assignment| assignment.child_by_field_name("left")),
            SiteKind::SetLoop { var: Some(_) } => site
                .call
                .child_by_field_name("arguments")
                .and_then(|a| a.named_child(0)),
            SiteKind::CloseLoop { .. } | SiteKind::Run { .. } => site
                .call
                .child_by_field_name("function")
                .and_then(|f| f.child_by_field_name("object")),
            _ => None,
        };
        if let Some(node) = node.filter(|n| n.kind() == "identifier") {
            ids.insert(node.id());
        }
    }
    ids
}

/// The name the module imports asyncio under; `asyncio` (and an import to add) when it has none.
pub fn asyncio_module_name(ctx: &Ctx, imports: &mut Vec<RequiredImport>) -> String {
    let alias = ctx.model.bindings.iter().find(|b| {
        b.place == Place::ImportTime && matches!(&b.kind, BindingKind::Module(m) if m == "asyncio")
    });
    match alias {
        Some(binding) => text::name_text(binding.name),
        None => {
            imports.push(RequiredImport::Module("asyncio".into()));
            "asyncio".into()
        }
    }
}

/// The loop global a site refers to.
pub fn loop_var<'t>(site: &Site<'t>) -> Option<&'t [u8]> {
    match site.kind {
        SiteKind::NewLoop { var } | SiteKind::GetLoop { var } | SiteKind::SetLoop { var } => var,
        SiteKind::CloseLoop { var } => Some(var),
        SiteKind::Run {
            via: Via::LoopVar(var),
            ..
        } => Some(var),
        SiteKind::Run { .. } | SiteKind::RunningLoop => None,
    }
}
