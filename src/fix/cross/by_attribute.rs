//! `m.X` read in an `async def` that does not await `m`'s guard first, fixed by awaiting the
//! guard at its top, once per function. When `m` already has the guard, the read gets the
//! placeholder today: LF005. When `m`'s fix only proposes it, the read is one of that fix's
//! followers: no finding, a follow-up that `fix` applies with it.

use std::sync::Arc;

use super::uses::{LateFinding, Use, describe_late, follower_applicability};
use crate::diagnostic::{Blocked, Finding, Fix, FunctionRef};
use crate::fix::ctx::Ctx;
use crate::fix::statements::first_statement_edit;
use crate::rules::Rule;
use crate::semantic::ScopeId;
use crate::semantic::reads::UseSite;

/// A read `m.X` of a global that `m`'s `init()` loads, which needs no change: the module that
/// loads it must still know it has a reader, and whether the reader could await a guard.
pub(super) struct QuietUse {
    /// The module that exports the global.
    pub(super) module: std::path::PathBuf,
    /// The global.
    pub(super) name: String,
    /// Why the reader could not await a lazy guard, when it could not.
    pub(super) lazy_blocked: Option<Blocked>,
}

/// `m.X` read in an `async def` that does not await `m`'s guard first: one finding (or
/// follow-up, when the guard is only proposed) per function, fixed by awaiting the guard at its
/// top. Reads of globals that `init()` loads need no
/// finding; they come back as [`QuietUse`]s.
pub(super) fn late_globals_by_attribute(
    ctx: &Ctx,
    uses: &[Use],
) -> (Vec<LateFinding>, Vec<QuietUse>) {
    let mut findings = Vec::new();
    let mut quiet = Vec::new();
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
        let expression = ctx.evidence(u.node);
        let line = ctx.line(u.node.start_byte());
        let (fix, reason) = match (ctx.model.use_site(&u.reference), &global.loader) {
            (UseSite::ImportTime, _) => (None, Some(Blocked::AttributeAtImportTime { line })),
            (site @ (UseSite::AsyncFunction(_) | UseSite::SyncFunction(_)), Some(loader)) => {
                match site {
                    UseSite::AsyncFunction(f) => {
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
                    UseSite::SyncFunction(f) => (
                        None,
                        Some(Blocked::AttributeInFunction {
                            function: ctx.function_ref(f),
                        }),
                    ),
                    _ => continue,
                }
            }
            (site, None) => {
                let lazy_blocked = match site {
                    UseSite::AsyncFunction(_) => None,
                    UseSite::SyncFunction(f) => Some(Blocked::AttributeInFunction {
                        function: ctx.function_ref(f),
                    }),
                    UseSite::Unscoped => Some(Blocked::AttributeInFunction {
                        function: FunctionRef::Unknown,
                    }),
                    _ => continue,
                };
                quiet.push(QuietUse {
                    module: u.module.path.clone(),
                    name: global.name.clone(),
                    lazy_blocked,
                });
                continue;
            }
            _ => continue,
        };
        let mut message = if global.existing {
            format!(
                "`{expression}` {} and is read before it is loaded",
                describe_late(global, u.module)
            )
        } else {
            format!(
                "`{expression}` follows the fix of {}, which loads `{}` after import",
                crate::paths::display_path(&u.module.path),
                global.name
            )
        };
        if let Some(reason) = &reason {
            message.push_str(&format!("; no fix: {reason}"));
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
            lazy_blocked: reason.clone(),
            blocked: reason,
            follow_up: !global.existing,
        });
    }
    (findings, quiet)
}

/// Whether an `async def` already awaits the guard (`await config.load_settings()`).
fn awaits_guard(ctx: &Ctx, function: ScopeId, loader: &str) -> bool {
    let body = ctx.model.scopes[function].node;
    let text = ctx.original(body);
    memchr::memmem::find(text, format!(".{loader}()").as_bytes()).is_some()
        || memchr::memmem::find(text, format!(" {loader}()").as_bytes()).is_some()
}
