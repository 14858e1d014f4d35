//! What the analysis of one file knows of the rest of the project, in the project phases.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::exports::ExternalUse;
use super::index::ProjectIndex;

/// What the analysis of one file knows of the rest of the project (the second phase).
#[derive(Debug, Clone)]
pub struct ProjectContext {
    /// The project's modules with exports.
    pub index: Arc<ProjectIndex>,
    /// The file analysed.
    pub path: PathBuf,
    /// Its dotted module name.
    pub module: String,
    /// Whether it is a package's `__init__`.
    pub is_package: bool,
    /// Other modules' uses of this module's names, which its fixes must take into account.
    pub used_elsewhere: Vec<ExternalUse>,
}

impl ProjectContext {
    /// The other modules' uses of this module's `name`.
    pub fn uses_of<'a>(&'a self, name: &'a [u8]) -> impl Iterator<Item = &'a ExternalUse> {
        self.used_elsewhere
            .iter()
            .filter(move |u| u.name.as_bytes() == name)
    }

    /// A module of the run that imports this one, when this one is an entry script: then it is
    /// not an entry point ([`super::Exports::entry_script`]).
    pub fn importer_of_module(&self) -> Option<&Path> {
        self.used_elsewhere
            .iter()
            .find(|u| u.name.is_empty())
            .map(|u| u.user.as_path())
    }

    /// The module that uses this module's `name`, if another one does.
    pub fn used_elsewhere_by(&self, name: &[u8]) -> Option<&Path> {
        self.used_elsewhere
            .iter()
            .find(|u| u.name.as_bytes() == name)
            .map(|u| u.user.as_path())
    }
}
