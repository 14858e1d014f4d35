//! What the server knows of the project: the first look at a file (its needles and import
//! tokens), what a file tells the rest of the project, the index of modules with exports and
//! their possible importers, and the project as one file's analysis sees it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::lexer::{self, ImportTokens};
use crate::project::{self, Exports, ExternalUse, ModuleSummary, ProjectContext, ProjectIndex};
use crate::runner;

/// What one cheap pass over a file's bytes tells.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Facts {
    tokens: ImportTokens,
    /// Whether the file holds a needle (it may have findings or exports of its own).
    pub might_contain_loop: bool,
}

/// The first look at a file: its needles and import tokens, in one pass.
pub fn facts(bytes: &[u8]) -> Facts {
    let look = lexer::first_look(bytes);
    Facts {
        tokens: look.tokens,
        might_contain_loop: look.might_contain_loop,
    }
}

/// The modules a file's import statements name.
pub fn imported_modules(bytes: &[u8]) -> Arc<[String]> {
    lexer::imported_modules(bytes).into()
}

/// The dotted module name of the file at `path` (packages found on the disk).
pub fn module_name(path: &Path) -> String {
    project::module_name(path)
}

/// What a file tells the rest of the project.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exported(pub(super) Exports);

impl Exported {
    /// Whether it tells other modules nothing.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// What other modules see of it (without its own uses of other modules).
    pub fn public(&self) -> Exported {
        Exported(Exports {
            uses_of_others: Vec::new(),
            ..self.0.clone()
        })
    }

    /// Whether two files' exports say the same to other modules.
    #[cfg(test)]
    pub fn same_public(&self, other: &Exported) -> bool {
        self.0.same_public(&other.0)
    }

    /// Whether the file has (or its fix makes) an `init()` that no application awaits.
    pub fn has_unwired_init(&self) -> bool {
        self.0.unwired_init.is_some()
    }

    /// The file's uses of names that other modules' fixes delete or load late.
    pub fn uses_of_others(&self) -> impl Iterator<Item = Use> + '_ {
        self.0.uses_of_others.iter().cloned().map(Use)
    }
}

/// A use, in one module, of a name another module's fix deletes or loads late.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Use(ExternalUse);

impl Use {
    /// The module that defines the name.
    pub fn module(&self) -> &Path {
        &self.0.module
    }
}

/// The project's modules with exports, and which files may import each.
#[derive(Debug, Clone)]
pub struct Index {
    inner: Arc<ProjectIndex>,
    /// The files that may import a module, and which modules, sorted.
    importers: Arc<[(PathBuf, Vec<usize>)]>,
}

impl Index {
    /// Indexes `modules` (path, module name, exports; those with empty exports are left out) and
    /// finds their possible importers among `files` by their import tokens.
    pub fn build<'a>(
        modules: Vec<(PathBuf, String, Exported)>,
        files: impl Iterator<Item = (&'a Path, &'a Facts)>,
    ) -> Self {
        let summaries = modules
            .into_iter()
            .filter(|(_, _, exports)| !exports.is_empty())
            .map(|(path, module, exports)| ModuleSummary {
                path,
                module,
                exports: exports.0,
            })
            .collect();
        let mut index = ProjectIndex::new(summaries);
        let mut importers: Vec<(PathBuf, Vec<usize>)> = Vec::new();
        if !index.is_empty() {
            importers = files
                .map(|(path, facts)| (path, index.imported_by_tokens(path, &facts.tokens)))
                .filter(|(_, modules)| !modules.is_empty())
                .map(|(path, modules)| (path.to_path_buf(), modules))
                .collect();
            importers.sort();
            for (importer, modules) in &importers {
                for &module in modules {
                    index.add_importer(module, importer.clone());
                }
            }
        }
        Index {
            inner: Arc::new(index),
            importers: importers.into(),
        }
    }

    /// Whether the same files may import the same modules in both (built from the same
    /// modules): then an edit of import lines left the index as it was.
    pub fn same_importers(&self, other: &Index) -> bool {
        self.importers == other.importers
    }

    /// Whether no module exports anything.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// Whether the file at `path` may import a module of the index (by its import tokens).
    pub fn may_import_any(&self, path: &Path) -> bool {
        self.inner.may_import_any(path)
    }

    /// The files that may import the module at `path`.
    pub fn importers_of(&self, path: &Path) -> Vec<PathBuf> {
        self.inner.importers_of(path)
    }

    /// The modules of this index whose public exports `other` no longer has the same.
    pub fn changed_in(&self, other: &Index) -> Vec<PathBuf> {
        self.inner
            .modules()
            .iter()
            .filter(|m| {
                other
                    .inner
                    .position(&m.path)
                    .is_none_or(|i| !other.inner.modules()[i].exports.same_public(&m.exports))
            })
            .map(|m| m.path.clone())
            .collect()
    }

    /// Whether the file at `path` (module `module`, whose import statements name `imported`)
    /// imports a module of the index and uses one of the names it exports: the test `loopfix
    /// check` applies before it analyses a file with the project in view.
    pub fn imports_an_export(
        &self,
        path: &Path,
        module: &str,
        bytes: &[u8],
        imported: &[String],
    ) -> bool {
        runner::imports_an_export(&self.inner, path, module, imported, bytes)
    }
}

/// The project as one file's analysis sees it.
#[derive(Debug, Clone)]
pub struct Context(pub(super) Arc<ProjectContext>);

impl Context {
    /// The context of the file at `path` (module `module`): the index, and other modules' uses
    /// of its names.
    pub fn new(index: &Index, path: &Path, module: &str, used: &[Use]) -> Self {
        Context(Arc::new(ProjectContext {
            index: Arc::clone(&index.inner),
            path: path.to_path_buf(),
            module: module.to_owned(),
            is_package: project::is_package_init(path),
            used_elsewhere: used.iter().map(|u| u.0.clone()).collect(),
        }))
    }
}
