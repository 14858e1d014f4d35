//! The project as the analysis of one file sees it: what each module exports that matters to its
//! importers, which module each file is, the index of modules with exports and their possible
//! importers, and the context a file is analysed with in the project phases. Data and lookups
//! only: the phases that fill them run in the runner.

mod context;
mod exports;
mod index;
mod names;

pub use context::ProjectContext;
pub use exports::{Exports, ExternalUse, LateGlobal, LifespanNeed, LoopFunction};
pub use index::{ModuleSummary, ProjectIndex, absolute_module};
pub use names::{ModuleNames, is_package_init, module_name};
