//! Whether the globals a fix loads after import are read only where the fix allows it: the one
//! rule the lazy and init passes apply to the read classifier's answers
//! ([`crate::semantic::reads`]). The lazy guard needs every reader to be an `async def` that can
//! await it; `init()` runs at start-up, so any function may read, but nothing at import time:
//! neither code that runs then, nor a function an import-time call runs
//! ([`crate::semantic::calls`]).

use std::collections::BTreeSet;

use super::ctx::Ctx;
use super::text;
use crate::diagnostic::{Access, Blocked, Until};
use crate::semantic::ScopeId;
use crate::semantic::reads::UseSite;

/// Which functions may read a global that loads after import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Readers {
    /// Only `async def`s, which then await the loader first (the lazy guard).
    AsyncOnly,
    /// Any function: the value is loaded at start-up, before any runs (`init()`).
    Any,
}

/// The `async def`s that read `names`, in source order, or why the fix is blocked: a binding
/// outside what the fix moves (`moved` tells offsets inside it) that runs when the module is
/// imported or run as a script, a read at import time outside what moves (it comes before
/// `until`), directly or in a function that an import-time call outside what moves runs, a read
/// under `if __name__ == "__main__":`, or a read in a function that `readers` does not allow.
/// Each name's bindings are checked before its reads, in source order.
pub(crate) fn late_readers(
    ctx: &Ctx,
    names: &[&[u8]],
    moved: &dyn Fn(usize) -> bool,
    until: Until,
    readers: Readers,
) -> Result<Vec<ScopeId>, Blocked> {
    let model = ctx.model;
    let mut functions = BTreeSet::new();
    for &name in names {
        let display = text::name_text(name);
        if let Some(binding) = model.eager_bindings(name).find(|b| !moved(b.offset)) {
            return Err(Blocked::AlsoAssigned {
                name: display,
                line: ctx.line(binding.offset),
            });
        }
        for (read, site) in model.classified_reads(name) {
            let offset = read.node.start_byte();
            let line = ctx.line(offset);
            if let UseSite::AsyncFunction(function) | UseSite::SyncFunction(function) = site
                && let Some(&call) = ctx
                    .import_time_calls()
                    .roots_of(function)
                    .iter()
                    .find(|&&call| !moved(call))
            {
                return Err(Blocked::ReadThroughCall {
                    name: display,
                    line,
                    function: ctx.function_ref(function),
                    call_line: ctx.line(call),
                    until,
                });
            }
            match site {
                UseSite::NeverRuns => {}
                UseSite::ImportTime if moved(offset) => {}
                UseSite::ImportTime => {
                    return Err(Blocked::AtImportTime {
                        name: display,
                        access: Access::Read,
                        line,
                        until,
                    });
                }
                UseSite::EntryPoint => {
                    return Err(Blocked::InEntryPoint {
                        name: display,
                        access: Access::Read,
                        line,
                    });
                }
                UseSite::AsyncFunction(function) => {
                    functions.insert(function);
                }
                UseSite::SyncFunction(_) | UseSite::Unscoped if readers == Readers::Any => {}
                UseSite::SyncFunction(function) => {
                    return Err(Blocked::InFunction {
                        name: display,
                        access: Access::Read,
                        function: ctx.function_ref(function),
                        line,
                        cannot_await: false,
                    });
                }
                UseSite::Unscoped => {
                    return Err(Blocked::ReadOutsideFunction {
                        name: display,
                        line,
                    });
                }
            }
        }
    }
    let mut ordered: Vec<ScopeId> = functions.into_iter().collect();
    ordered.sort_by_key(|&f| model.scopes[f].node.start_byte());
    Ok(ordered)
}
