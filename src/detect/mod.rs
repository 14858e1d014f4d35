//! Import-time loop sites: the calls that run, create, fetch, set or close an event loop while
//! the module is imported, the module's functions that run a loop when called, and their
//! import-time calls (LF004); with the one-line message of each ([`message`]).

mod calls;
pub mod entry;
pub mod identity;
pub mod message;
mod shim;
mod site;
pub mod wrappers;

use tree_sitter::Node;

use self::calls::{classify_calls, first_argument};
use crate::semantic::{MODULE_SCOPE, Model, Place, ScopeId};

pub use self::site::{Awaitable, Site, SiteKind, Via, enclosing_statement};

/// What detection finds in a module.
pub struct Detection<'t> {
    /// Import-time loop sites, in source order.
    pub sites: Vec<Site<'t>>,
    /// The module's functions that run a loop when called.
    pub loop_functions: Vec<wrappers::LoopFunction<'t>>,
}

/// Finds every import-time event-loop call of a module, in source order: direct ones, and calls
/// of the module's own functions that run a loop (LF004).
pub fn find_sites<'t>(model: &Model<'t>) -> Detection<'t> {
    let classified = classify_calls(model);
    let mut sites = Vec::new();
    let mut runs_in_functions: Vec<(ScopeId, Node<'t>, Awaitable<'t>)> = Vec::new();
    for (call, rule, kind) in classified {
        match model.place_at(call.start_byte()) {
            Place::ImportTime => {
                let Some((statement, top)) = enclosing_statement(model, call) else {
                    continue;
                };
                sites.push(Site {
                    rule,
                    kind,
                    call,
                    statement,
                    top,
                });
            }
            Place::Deferred(scope) => {
                if let SiteKind::Run { awaitable, .. } = kind {
                    runs_in_functions.push((scope, call, awaitable));
                }
            }
            Place::EntryPoint | Place::TypeChecking => {}
        }
    }
    sites.sort_by_key(|s| (s.call.start_byte(), std::cmp::Reverse(s.call.end_byte())));
    drop_nested_sites(&mut sites);
    let sites = shim::drop_shims(model, attach_loop_vars(model, sites));
    let mut sites = classify_loop_uses(sites);
    let loop_functions = wrappers::loop_functions(model, &runs_in_functions);
    if !loop_functions.is_empty() {
        sites.extend(wrappers::wrapper_sites(model, &loop_functions, &sites));
        sites.sort_by_key(|s| (s.call.start_byte(), s.call.end_byte()));
    }
    Detection {
        sites,
        loop_functions,
    }
}

/// A call inside another site's call is part of it: `asyncio.set_event_loop(asyncio.new_event_loop())`
/// is one statement and one finding.
fn drop_nested_sites(sites: &mut Vec<Site>) {
    let mut kept: Vec<Site> = Vec::with_capacity(sites.len());
    for site in sites.drain(..) {
        let nested = kept.iter().any(|outer| {
            outer.call.start_byte() <= site.call.start_byte()
                && site.call.end_byte() <= outer.call.end_byte()
        });
        if !nested {
            kept.push(site);
        }
    }
    *sites = kept;
}

/// Names loop globals: `loop = asyncio.new_event_loop()` makes `loop` the var of its site, and
/// `asyncio.set_event_loop(loop)` refers to it.
fn attach_loop_vars<'t>(model: &Model<'t>, mut sites: Vec<Site<'t>>) -> Vec<Site<'t>> {
    for site in &mut sites {
        match &mut site.kind {
            SiteKind::NewLoop { var } | SiteKind::GetLoop { var } => {
                *var = assigned_name(model, site.call);
            }
            SiteKind::SetLoop { var } => {
                if let Awaitable::Expression(argument) = site
                    .call
                    .child_by_field_name("arguments")
                    .map_or(Awaitable::Missing, first_argument)
                    && argument.kind() == "identifier"
                {
                    *var = Some(model.node_text(argument));
                }
            }
            _ => {}
        }
    }
    sites
}

/// `name` in `name = <call>` at module scope.
fn assigned_name<'t>(model: &Model<'t>, call: Node<'t>) -> Option<&'t [u8]> {
    let assignment = call.parent()?;
    if assignment.kind() != "assignment"
        || assignment.child_by_field_name("right")?.id() != call.id()
    {
        return None;
    }
    let left = assignment.child_by_field_name("left")?;
    (left.kind() == "identifier" && model.scope_of_identifier(left) == MODULE_SCOPE)
        .then(|| model.node_text(left))
}

/// `loop.close()` and `loop.run_until_complete()` count only on a loop global; a name loopfix
/// knows nothing about keeps `run_until_complete` (it is still a loop run at import time) and
/// drops `close` (any object has a `close`).
fn classify_loop_uses(sites: Vec<Site>) -> Vec<Site> {
    let loop_vars: Vec<&[u8]> = sites
        .iter()
        .filter_map(|s| match s.kind {
            SiteKind::NewLoop { var } | SiteKind::GetLoop { var } => var,
            _ => None,
        })
        .collect();
    sites
        .into_iter()
        .filter_map(|mut site| {
            match &mut site.kind {
                SiteKind::CloseLoop { var } if !loop_vars.contains(var) => return None,
                SiteKind::Run {
                    via: via @ Via::LoopVar(_),
                    ..
                } => {
                    if let Via::LoopVar(name) = via
                        && !loop_vars.contains(name)
                    {
                        *via = Via::Unknown;
                    }
                }
                _ => {}
            }
            Some(site)
        })
        .collect()
}
