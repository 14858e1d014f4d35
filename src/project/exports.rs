//! What one module exports that matters to the modules importing it: functions that run a loop,
//! globals loaded after import (now, or once loopfix's fix applies), an `init()` nothing awaits,
//! globals a fix deletes, apps whose start-up needs the lifespan, and the module's own uses of
//! such names in other modules.

use std::path::PathBuf;

use crate::diagnostic::Blocked;

/// A module-level function that runs an event loop when called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoopFunction {
    /// Its name.
    pub name: String,
    /// The chain down to the loop, for messages: "`load` -> `asyncio.run(fetch())`".
    pub chain: String,
    /// The line of the loop run.
    pub line: usize,
    /// A class whose `__init__` runs the loop, called as `Class(...)`.
    pub constructor: bool,
}

/// A global that is loaded after import: lazily by a guard, or by `init()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateGlobal {
    /// Its name.
    pub name: String,
    /// The guard to await before reading it; `None` when `init()` loads it at start-up.
    pub loader: Option<String>,
    /// Already so in the source (rather than once loopfix's fix is applied).
    pub existing: bool,
}

/// Why the start-up of an app of the module needs the ASGI lifespan, for LF006 in the modules
/// that hand the app to `Mangum(...)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifespanNeed {
    /// The app's name.
    pub app: String,
    /// Start-up hooks with work of their own (not only loopfix's `init()`), as named.
    pub hooks: Vec<String>,
    /// The `init()` that only the lifespan awaits (no request guard), as called (`init`).
    pub init: Option<String>,
    /// The app has shut-down work, which `lifespan="auto"` runs after every invocation.
    pub shutdown: bool,
}

/// What one module exports that matters to the modules that import it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exports {
    /// Functions that run a loop.
    pub loop_functions: Vec<LoopFunction>,
    /// Globals loaded after import (now, or once loopfix's safe fix is applied).
    pub late_globals: Vec<LateGlobal>,
    /// Names bound to import-time loop work that nothing in the module reads, so their work is
    /// an effect for `init()`: a read in another module makes them values, and that module says
    /// so ([`ExternalUse`]).
    pub unread_results: Vec<String>,
    /// An `init()` (now, or after the fix) that no app of the module awaits.
    pub unwired_init: Option<String>,
    /// Globals the safe fixes delete (a loop global, a wrapper function): another module that
    /// uses one must keep it.
    pub removed_globals: Vec<String>,
    /// This module's uses of names that other project modules' fixes delete or load late.
    pub uses_of_others: Vec<ExternalUse>,
    /// The apps whose start-up needs the lifespan.
    pub lifespan_needs: Vec<LifespanNeed>,
    /// The module is a script that ends in its program's run: an entry point unless another
    /// module of the run imports it (its importers say so).
    pub entry_script: bool,
}

/// A use, in one module, of a name that another module's fix deletes or loads late; or, with
/// an empty `name`, an import of a module that is an entry script ([`Exports::entry_script`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ExternalUse {
    /// The module that defines the name.
    pub module: PathBuf,
    /// The name.
    pub name: String,
    /// The module that uses it.
    pub user: PathBuf,
    /// Why the user cannot be rewritten to follow the fix, when it cannot.
    pub blocked: Option<Blocked>,
    /// The name is the module's `init()`, which the user awaits at the start-up of the app it
    /// serves (the module serves none).
    pub awaits_init: bool,
    /// Why the user could not follow if a lazy guard loaded the name (its reads would have to
    /// await the guard): `blocked` when a guard loads it already; for a name `init()` loads, what
    /// the module must know before it turns that name into a lazy global instead.
    pub lazy_blocked: Option<Blocked>,
}

impl Exports {
    /// Whether two modules' exports say the same to other modules.
    pub fn same_public(&self, other: &Exports) -> bool {
        self.loop_functions == other.loop_functions
            && self.late_globals == other.late_globals
            && self.unread_results == other.unread_results
            && self.unwired_init == other.unwired_init
            && self.removed_globals == other.removed_globals
            && self.lifespan_needs == other.lifespan_needs
            && self.entry_script == other.entry_script
    }

    /// The names other modules may use: loop functions, late globals, deleted globals, unread
    /// results.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.loop_functions
            .iter()
            .map(|f| f.name.as_str())
            .chain(self.late_globals.iter().map(|g| g.name.as_str()))
            .chain(self.removed_globals.iter().map(String::as_str))
            .chain(self.unread_results.iter().map(String::as_str))
    }

    /// Whether there is anything for other modules to know.
    pub fn is_empty(&self) -> bool {
        self.loop_functions.is_empty()
            && self.late_globals.is_empty()
            && self.unread_results.is_empty()
            && self.unwired_init.is_none()
            && self.removed_globals.is_empty()
            && self.lifespan_needs.is_empty()
            && !self.entry_script
    }
}
