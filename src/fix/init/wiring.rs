//! Where `init()` is awaited (SPEC §4.0 rule 3, §4.2): in the start-up of the app the module
//! serves ([`crate::fix::frameworks`]: first in its first start-up hook or a new one, and before
//! every request through the request guard of an ASGI app); for a module that builds no app but
//! hands one to Mangum, in a guard wrapped around it; for a module that builds no app, in
//! the start-up of the app of each module of the run that imports it and serves one (a fix in
//! both files, unsafe); else nowhere, and the work does not move (no `init()` that nothing
//! awaits).

use crate::diagnostic::{Applicability, Blocked, UnsafeBecause};
use crate::fix::ctx::Ctx;
use crate::fix::frameworks::{
    Frameworks, guard_handed_app, handed_to_mangum, served_app, wire_app,
};
use crate::fix::parts::FixParts;
use crate::paths::display_path;

/// Where `init()` is awaited.
pub(super) struct Wiring {
    /// How, for the fix's title, or why nothing can await it.
    pub how: Result<String, Blocked>,
    /// The module serves no app: modules that import it must await `init()`, so it is part of
    /// what the module exports.
    pub through_importers: bool,
}

/// Makes the start-up of the served app await `init()`.
pub(super) fn wire(ctx: &Ctx, init: &str, parts: &mut FixParts) -> Wiring {
    let found = Frameworks::find(ctx);
    match served_app(ctx, found.apps()) {
        Ok(Some(app)) => Wiring {
            how: wire_app(ctx, &found, app, init, parts),
            through_importers: false,
        },
        Ok(None) => match guard_handed_app(ctx, init, parts) {
            Some(how) => Wiring {
                how,
                through_importers: false,
            },
            None => Wiring {
                how: awaited_by_importers(ctx, init, parts),
                through_importers: true,
            },
        },
        Err(reason) => Wiring {
            how: Err(reason),
            through_importers: false,
        },
    }
}

/// Whether the module has somewhere to await `init()`: an app it serves, or an importer that
/// serves one and awaits it (the project phases tell).
pub(crate) fn has_wiring_point(ctx: &Ctx) -> bool {
    let found = Frameworks::find(ctx);
    match served_app(ctx, found.apps()) {
        Ok(Some(_)) => return true,
        Ok(None) if handed_to_mangum(ctx).is_some() => return true,
        _ => {}
    }
    ctx.project.is_some_and(|project| {
        project
            .used_elsewhere
            .iter()
            .any(|u| u.awaits_init && u.blocked.is_none())
    })
}

/// A module without an app: the importers that serve one await `module.init()` (their own
/// fixes, found in the project phases); this side of the fix is unsafe.
fn awaited_by_importers(ctx: &Ctx, init: &str, parts: &mut FixParts) -> Result<String, Blocked> {
    let call = match ctx.project {
        Some(project) => format!("`{}.{init}()`", project.module),
        None => format!("this module's `{init}()`"),
    };
    let no_application = || Blocked::NoApplication {
        init: init.to_owned(),
        call: call.clone(),
    };
    let project = ctx.project.ok_or_else(no_application)?;
    let mut users: Vec<String> = Vec::new();
    let mut blocked = None;
    for external in project.uses_of(init.as_bytes()).filter(|u| u.awaits_init) {
        match &external.blocked {
            None => users.push(display_path(&external.user)),
            Some(reason) => blocked = blocked.or(Some(reason.clone())),
        }
    }
    users.sort();
    users.dedup();
    if users.is_empty() {
        return Err(blocked.unwrap_or_else(no_application));
    }
    let call = format!("{}.{init}()", project.module);
    let how = format!("awaited at the start-up of the app of {}", users.join(", "));
    let others: Vec<String> = project
        .index
        .importers_of(&project.path)
        .iter()
        .map(|p| display_path(p))
        .filter(|p| !users.contains(p))
        .collect();
    parts.limit(Applicability::Unsafe);
    let reason = UnsafeBecause::AwaitedByImporters {
        users,
        call,
        others,
    };
    Ok(format!("{how} (unsafe: {reason})"))
}
