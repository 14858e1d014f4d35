//! The project phases: the modules kept only in case an importer calls them are settled when
//! none does; then the files that may import a module with exports are analysed again with the
//! project in view (LF004, LF005), the exporters with their users in view, and the importers
//! once more when that changed what a module exports.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use rayon::prelude::*;

use super::file::process_path;
use super::mode::{Counters, Mode, Phase};
use super::report::{FileReport, Learned};
use super::scan::Scanned;
use crate::fs::{ReadLimit, read_bounded};
use crate::project::{
    self, Exports, ExternalUse, ModuleNames, ModuleSummary, ProjectContext, ProjectIndex,
};
use crate::settings::Resolver;
use crate::sync::lock;

/// Settles the files kept only in case another file imports them ([`ParseNeed::IfImported`])
/// when no file of the run imports them and uses one of their possible loop functions at
/// import time: only such a use is a finding (LF004), the test the project phases apply to
/// importers ([`imports_an_export`]). The import tokens narrow the files to read; the import
/// statements of those decide.
pub(super) fn settle_unimported(
    mut scanned: Vec<(PathBuf, Scanned)>,
    counters: &Counters,
    names: &ModuleNames,
    imports: &ImportedModules,
) -> Vec<(PathBuf, Scanned)> {
    let deferred: Vec<usize> = (0..scanned.len())
        .filter(|&i| {
            matches!(
                scanned[i].1,
                Scanned::Analyse {
                    if_called: Some(_),
                    ..
                }
            )
        })
        .collect();
    if deferred.is_empty() {
        return scanned;
    }
    let summaries = deferred
        .iter()
        .map(|&i| ModuleSummary {
            path: scanned[i].0.clone(),
            module: names.name(&scanned[i].0),
            exports: Exports::default(),
        })
        .collect();
    let functions: Vec<&[Box<[u8]>]> = deferred
        .iter()
        .map(|&i| match &scanned[i].1 {
            Scanned::Analyse {
                if_called: Some(functions),
                ..
            } => functions.as_slice(),
            _ => &[],
        })
        .collect();
    let index = ProjectIndex::new(summaries);
    let used = modules_called_at_import_time(&scanned, &index, &functions, names, imports);
    for (module, &i) in deferred.iter().enumerate() {
        if used[module] {
            continue;
        }
        let entry = &mut scanned[i].1;
        if let Scanned::Analyse { tokens, bytes, .. } = entry {
            if let Some(bytes) = bytes {
                counters.release(bytes.len());
            }
            *entry = Scanned::Clean(std::mem::take(tokens));
            counters.done.fetch_add(1, Ordering::Relaxed);
        }
    }
    scanned
}

/// Which modules of `index` some scanned file imports (by its import statements; the files
/// whose import tokens cannot name a module are not read) and calls at import time one of
/// the `functions` of (by name, as [`crate::lexer::called_at_import_time`] tells).
fn modules_called_at_import_time(
    scanned: &[(PathBuf, Scanned)],
    index: &ProjectIndex,
    functions: &[&[Box<[u8]>]],
    names: &ModuleNames,
    imports: &ImportedModules,
) -> Vec<bool> {
    let hits: Vec<usize> = scanned
        .par_iter()
        .filter_map(|(path, scanned)| {
            let tokens = match scanned {
                Scanned::Clean(tokens) => tokens,
                Scanned::Settled(_, learned) => &learned.tokens,
                Scanned::Analyse { tokens, .. } => tokens,
                Scanned::Analysing => unreachable!("the walk's analyses are all collected"),
            };
            (!index.imported_by_tokens(path, tokens).is_empty()).then_some(path)
        })
        .flat_map_iter(|path| {
            let (imported, bytes) = imports.resolved(path, index, names);
            imported
                .into_iter()
                .filter_map(|summary| index.position(&summary.path))
                .filter(|&module| {
                    bytes
                        .as_deref()
                        .is_none_or(|bytes| calls_at_import_time(bytes, functions[module]))
                })
                .collect::<Vec<usize>>()
        })
        .collect();
    let mut used = vec![false; index.modules().len()];
    for i in hits {
        used[i] = true;
    }
    used
}

/// Whether `bytes` use one of the `functions` in import-time code (a byte search first).
fn calls_at_import_time<N: AsRef<[u8]>>(bytes: &[u8], functions: &[N]) -> bool {
    let mentioned: Vec<&[u8]> = functions
        .iter()
        .map(AsRef::as_ref)
        .filter(|name| memchr::memmem::find(bytes, name).is_some())
        .collect();
    !mentioned.is_empty() && crate::lexer::called_at_import_time(bytes, &mentioned)
}

/// The state of a run across the project phases.
pub(super) struct ProjectRun<'a> {
    /// The run's progress counts, told the phase.
    pub(super) counters: &'a Counters,
    pub(super) resolver: &'a Resolver,
    pub(super) mode: Mode,
    pub(super) reports: Vec<FileReport>,
    pub(super) learned: Vec<Learned>,
    /// Other modules' uses of each module's names.
    pub(super) used: BTreeMap<PathBuf, Vec<ExternalUse>>,
    /// The module names of the run's files.
    pub(super) names: ModuleNames,
    /// What the files read in the project phases import.
    pub(super) imports: ImportedModules,
}

/// At most this many turns of exporters and importers answering each other.
const MAX_ROUNDS: usize = 4;

impl ProjectRun<'_> {
    pub(super) fn project_phases(&mut self) {
        let index = self.index();
        if index.is_empty() {
            return;
        }
        let candidates: Vec<usize> = (0..self.reports.len())
            .into_par_iter()
            .filter(|&i| index.may_import_any(&self.reports[i].path))
            .collect();
        // The token filter is coarse (a module named `utils` has many possible importers): read
        // each candidate's imports and keep those that name a module with exports, and use
        // one of its names.
        let mut importers: Vec<usize> = candidates
            .par_iter()
            .copied()
            .filter(|&i| {
                imports_an_export_cached(&self.reports[i].path, &index, &self.names, &self.imports)
            })
            .collect();
        importers.extend((0..self.reports.len()).filter(|&i| {
            self.learned[i]
                .exports()
                .is_some_and(|e| e.unwired_init.is_some())
        }));
        importers.sort_unstable();
        importers.dedup();
        let mut index = Arc::new(index);
        self.counters.enter(Phase::Project(0));
        self.reprocess(&importers, &index);
        // Each answer may change the other side's fix (an entry script learns it is imported,
        // then announces the `init()` its importers await, then takes their answer): exporters
        // and importers take turns until nothing changes, a few rounds at most.
        for round in 1..=MAX_ROUNDS {
            let used = self.uses_of_others();
            if used.is_empty() || used == self.used {
                return;
            }
            self.counters.enter(Phase::Project(round));
            self.used = used;
            let exporters: Vec<usize> = (0..self.reports.len())
                .filter(|&i| self.used.contains_key(&self.reports[i].path))
                .collect();
            self.reprocess(&exporters, &index);
            // The exporters' fixes may have changed with their users in view: the importers of
            // those whose exports changed look again.
            let updated = Arc::new(self.index());
            let changed: Vec<&std::path::Path> = index
                .modules()
                .iter()
                .filter(|m| {
                    updated
                        .position(&m.path)
                        .is_none_or(|u| !updated.modules()[u].exports.same_public(&m.exports))
                })
                .map(|m| m.path.as_path())
                .collect();
            if changed.is_empty() {
                return;
            }
            let affected: std::collections::HashSet<PathBuf> = changed
                .iter()
                .flat_map(|c| {
                    index
                        .importers_of(c)
                        .into_iter()
                        .chain(updated.importers_of(c))
                })
                .collect();
            let again: Vec<usize> = importers
                .iter()
                .copied()
                .filter(|&i| affected.contains(&self.reports[i].path))
                .collect();
            self.reprocess(&again, &updated);
            index = updated;
        }
    }

    /// Every module's uses of other modules' names, by the module used.
    fn uses_of_others(&self) -> BTreeMap<PathBuf, Vec<ExternalUse>> {
        let mut used: BTreeMap<PathBuf, Vec<ExternalUse>> = BTreeMap::new();
        for learned in &self.learned {
            let Some(exports) = learned.exports() else {
                continue;
            };
            for external in &exports.uses_of_others {
                used.entry(external.module.clone())
                    .or_default()
                    .push(external.clone());
            }
        }
        for uses in used.values_mut() {
            uses.sort();
            uses.dedup();
        }
        used
    }

    /// The index of the modules that export something, with their possible importers.
    fn index(&self) -> ProjectIndex {
        let summaries: Vec<ModuleSummary> = self
            .reports
            .iter()
            .zip(&self.learned)
            .filter_map(|(report, l)| Some((report, l.exports().filter(|e| !e.is_empty())?)))
            .map(|(report, exports)| ModuleSummary {
                path: report.path.clone(),
                module: self.names.name(&report.path),
                exports: exports.clone(),
            })
            .collect();
        let mut index = ProjectIndex::new(summaries);
        if index.is_empty() {
            return index;
        }
        let imported: Vec<(usize, Vec<usize>)> = self
            .reports
            .par_iter()
            .zip(&self.learned)
            .enumerate()
            .filter_map(|(i, (report, learned))| {
                let modules = index.imported_by_tokens(&report.path, &learned.tokens);
                (!modules.is_empty()).then_some((i, modules))
            })
            .collect();
        for (i, modules) in imported {
            for module in modules {
                index.add_importer(module, self.reports[i].path.clone());
            }
        }
        index
    }

    /// Processes the files at `which` again with the project in view.
    fn reprocess(&mut self, which: &[usize], index: &Arc<ProjectIndex>) {
        self.counters.phase_files(which.len());
        let results: Vec<(usize, FileReport, Learned)> = which
            .par_iter()
            .map(|&i| {
                let path = &self.reports[i].path;
                let context = Arc::new(ProjectContext {
                    index: Arc::clone(index),
                    path: path.clone(),
                    module: self.names.name(path),
                    is_package: project::is_package_init(path),
                    used_elsewhere: self.used.get(path).cloned().unwrap_or_default(),
                });
                let (report, learned) = process_path(path, self.resolver, self.mode, Some(context));
                self.counters.phase_file_done();
                (i, report, learned)
            })
            .collect();
        for (i, report, learned) in results {
            self.reports[i] = report;
            self.learned[i] = learned;
        }
    }
}

/// Whether the second phase must analyse the file ([`imports_an_export`]), its imports and
/// bytes read once per run; a file that cannot be read is analysed (and gets its error).
fn imports_an_export_cached(
    path: &Path,
    index: &ProjectIndex,
    names: &ModuleNames,
    imports: &ImportedModules,
) -> bool {
    let (exporters, bytes) = imports.resolved(path, index, names);
    if exporters.is_empty() {
        return false;
    }
    bytes.is_none_or(|bytes| uses_an_export(&exporters, &bytes))
}

/// Whether the file at `path` (module `module`, whose import statements name the modules
/// `imported`, [`crate::lexer::imported_modules`]) must be analysed with the project in view:
/// it imports a module of `index` and uses one of the names it exports: a late or deleted global
/// anywhere, a loop function at import time (a call of it inside a function body is not LF004).
/// The test `check` applies to each possible importer, and an editor to the files it has read.
pub fn imports_an_export(
    index: &ProjectIndex,
    path: &Path,
    module: &str,
    imported: &[String],
    bytes: &[u8],
) -> bool {
    let exporters = exporters_imported(index, path, module, imported);
    !exporters.is_empty() && uses_an_export(&exporters, bytes)
}

/// The modules of `index` among those the file at `path` (module `module`) imports, itself
/// left out.
fn exporters_imported<'i>(
    index: &'i ProjectIndex,
    path: &Path,
    module: &str,
    imported: &[String],
) -> Vec<&'i ModuleSummary> {
    let is_package = project::is_package_init(path);
    imported
        .iter()
        .filter_map(|name| index.resolve(module, is_package, name))
        .filter(|summary| summary.path != path)
        .collect()
}

/// Whether `bytes` use one of the names that `exporters` export: a late or deleted global
/// anywhere, a loop function at import time.
fn uses_an_export(exporters: &[&ModuleSummary], bytes: &[u8]) -> bool {
    let mentioned = |name: &str| memchr::memmem::find(bytes, name.as_bytes()).is_some();
    exporters.iter().any(|summary| {
        let exports = &summary.exports;
        // A module without an app: the importer's app may have to await its `init()`; an app
        // whose start-up needs the lifespan: the importer may hand it to `Mangum(...)`.
        let hands_an_app =
            exports.lifespan_needs.iter().any(|n| mentioned(&n.app)) && mentioned("Mangum");
        // Importing an entry script at all tells it that it is not an entry point.
        if exports.unwired_init.is_some() || hands_an_app || exports.entry_script {
            return true;
        }
        let late_or_deleted = exports
            .late_globals
            .iter()
            .map(|g| g.name.as_str())
            .chain(exports.removed_globals.iter().map(String::as_str))
            .chain(exports.unread_results.iter().map(String::as_str))
            .any(mentioned);
        let functions: Vec<&[u8]> = exports
            .loop_functions
            .iter()
            .map(|f| f.name.as_bytes())
            .collect();
        late_or_deleted || calls_at_import_time(bytes, &functions)
    })
}

/// The modules each file read in the project phases imports ([`crate::lexer::imported_modules`]),
/// read once per run: the files that may import a deferred module and those that may import a
/// module with exports are mostly the same.
#[derive(Default)]
pub(super) struct ImportedModules {
    by_path: std::sync::Mutex<std::collections::HashMap<PathBuf, Arc<[String]>>>,
}

impl ImportedModules {
    /// The modules of `index` that the file at `path` imports (itself left out), and, when
    /// there are some, the file's bytes (`None` if it cannot be read). A file is read once:
    /// its imports are kept for the next question, its bytes are not.
    fn resolved<'i>(
        &self,
        path: &Path,
        index: &'i ProjectIndex,
        names: &ModuleNames,
    ) -> (Vec<&'i ModuleSummary>, Option<Vec<u8>>) {
        let known = lock(&self.by_path).get(path).cloned();
        let (modules, bytes) = match known {
            Some(modules) => (modules, None),
            None => {
                let bytes = read_bounded(path, ReadLimit::ANY_FILE).ok();
                let modules: Arc<[String]> =
                    crate::lexer::imported_modules(bytes.as_deref().unwrap_or_default()).into();
                lock(&self.by_path).insert(path.to_path_buf(), Arc::clone(&modules));
                (modules, bytes)
            }
        };
        let resolved = exporters_imported(index, path, &names.name(path), &modules);
        if resolved.is_empty() {
            return (resolved, None);
        }
        let bytes = bytes.or_else(|| read_bounded(path, ReadLimit::ANY_FILE).ok());
        (resolved, bytes)
    }
}
