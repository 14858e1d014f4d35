//! The refresh of the workspace: the phases of `loopfix check` over the project (each file
//! alone, the importers of modules with exports with the project in view, those modules with
//! their users in view, the importers again), with every analysis cached by the file's version
//! and its project context.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::{Analysis, BuiltIndex, Entry, KEPT_INDEXES, Key, Workspace};
use crate::server::engine::{self, Context, Exported, Failure, Index, Outcome, Text, Use};

impl Workspace {
    /// Runs the project phases, analysing again only what changed since the last refresh.
    ///
    /// A file that was an importer in the last refresh and has changed since is first analysed
    /// with the index it was analysed with then, rather than alone: what it exports is the same
    /// either way (an analysis with the project in view adds findings, and what the file uses
    /// of other modules, but exports only what the analysis alone exports, as long as no other
    /// module uses its names: `exports_alone_and_as_an_importer_agree` checks this on every
    /// multi-file fixture project). When the index comes out the same, which it does unless the
    /// edit changed what some module exports, that analysis is its importer analysis, and an
    /// edit costs one analysis instead of two.
    pub fn refresh(&mut self) {
        self.last_analyses = 0;
        let mut latest: HashMap<PathBuf, Arc<Outcome>> = HashMap::new();
        let mut guessed: Vec<PathBuf> = Vec::new();
        let mut requests = Vec::new();
        for (path, entry) in &self.entries {
            if !entry.facts.might_contain_loop && !entry.open {
                continue;
            }
            let analysed_alone = entry.analyses.iter().any(|a| a.key.index.is_none());
            // Only a file that the analysis alone parses exports the same alone and as an
            // importer (one it does not parse exports nothing; that analysis costs nothing).
            let last_index = entry
                .importer_of
                .filter(|_| !analysed_alone && parsed_alone(path, entry))
                .and_then(|generation| self.index_by_generation(generation));
            match last_index {
                Some(known) => {
                    guessed.push(path.clone());
                    requests.push((path.clone(), Some(known), Vec::new()));
                }
                None => requests.push((path.clone(), None, Vec::new())),
            }
        }
        latest.extend(self.analyse_all(requests));
        let (first, first_generation) = self.index_of(&latest);
        if first.is_empty() {
            self.analyse_alone(&mut latest, guessed);
            self.finish(latest, &[], 0);
            return;
        }

        // Files that import what a module exports, with the project in view.
        let mut importers = self.importers(&first, first_generation);
        importers.extend(
            latest
                .iter()
                .filter(|(_, o)| o.exported.has_unwired_init())
                .map(|(path, _)| path.clone()),
        );
        importers.sort();
        importers.dedup();
        let requests = importers
            .iter()
            .map(|p| {
                (
                    p.clone(),
                    Some((first.clone(), first_generation)),
                    Vec::new(),
                )
            })
            .collect();
        latest.extend(self.analyse_all(requests));
        guessed.retain(|path| importers.binary_search(path).is_err());
        self.analyse_alone(&mut latest, guessed);

        // Modules whose names importers use, with those uses in view.
        let used = uses_by_module(&latest);
        let requests = used
            .iter()
            .filter(|(path, _)| self.entries.contains_key(*path))
            .map(|(path, uses)| {
                let context = Some((first.clone(), first_generation));
                (path.clone(), context, uses.clone())
            })
            .collect();
        latest.extend(self.analyse_all(requests));

        // The importers of the modules whose exports that changed look again.
        let (second, second_generation) = self.index_of(&latest);
        if second_generation != first_generation {
            let changed = first.changed_in(&second);
            let affected: HashSet<PathBuf> = changed
                .iter()
                .flat_map(|c| {
                    first
                        .importers_of(c)
                        .into_iter()
                        .chain(second.importers_of(c))
                })
                .collect();
            let requests = importers
                .iter()
                .filter(|p| affected.contains(*p))
                .map(|p| {
                    let uses = used.get(p).cloned().unwrap_or_default();
                    (p.clone(), Some((second.clone(), second_generation)), uses)
                })
                .collect();
            latest.extend(self.analyse_all(requests));
        }
        self.finish(latest, &importers, first_generation);
    }

    /// Replaces the analyses of `paths` that the refresh guessed would be importer analyses,
    /// and were not, by their analyses alone.
    fn analyse_alone(&mut self, latest: &mut HashMap<PathBuf, Arc<Outcome>>, paths: Vec<PathBuf>) {
        let requests = paths.into_iter().map(|p| (p, None, Vec::new())).collect();
        latest.extend(self.analyse_all(requests));
    }

    /// The kept index of generation `generation`, if it is still kept.
    pub(super) fn index_by_generation(&self, generation: u64) -> Option<(Index, u64)> {
        self.indexes
            .iter()
            .find(|b| b.generation == generation)
            .map(|b| (b.index.clone(), generation))
    }

    /// Keeps the final analyses, only the cached analyses this refresh used, and which files
    /// were importers (sorted `importers`, analysed with index `generation`).
    fn finish(
        &mut self,
        latest: HashMap<PathBuf, Arc<Outcome>>,
        importers: &[PathBuf],
        generation: u64,
    ) {
        for (path, entry) in &mut self.entries {
            entry.analyses.retain(|a| a.used);
            for analysis in &mut entry.analyses {
                analysis.used = false;
            }
            entry.importer_of = importers.binary_search(path).is_ok().then_some(generation);
        }
        self.outcomes = latest;
    }

    /// The files that may import a module of `index` and use one of its exports.
    fn importers(&mut self, index: &Index, generation: u64) -> Vec<PathBuf> {
        let candidates: Vec<PathBuf> = self
            .entries
            .iter()
            .filter(|(path, entry)| {
                index.may_import_any(path)
                    && entry.imports_an_export.is_none_or(|(g, _)| g != generation)
            })
            .map(|(path, _)| path.clone())
            .collect();
        for path in candidates {
            let answer = self.imports_an_export(&path, index);
            if let Some(entry) = self.entries.get_mut(&path) {
                entry.imports_an_export = Some((generation, answer));
            }
        }
        self.entries
            .iter()
            .filter(|(path, entry)| {
                index.may_import_any(path) && entry.imports_an_export == Some((generation, true))
            })
            .map(|(path, _)| path.clone())
            .collect()
    }

    fn imports_an_export(&mut self, path: &Path, index: &Index) -> bool {
        let module = self.module(path);
        let Some(entry) = self.entries.get_mut(path) else {
            return false;
        };
        let Some(bytes) = bytes_of(path, entry) else {
            // Unreadable: the analysis reports why.
            return true;
        };
        let imported = entry
            .imported
            .get_or_insert_with(|| engine::imported_modules(&bytes));
        index.imports_an_export(path, &module, &bytes, imported)
    }

    /// The module name of the file at `path`, found once.
    fn module(&mut self, path: &Path) -> String {
        match self.entries.get_mut(path) {
            Some(entry) => entry
                .module
                .get_or_insert_with(|| engine::module_name(path))
                .clone(),
            None => engine::module_name(path),
        }
    }

    /// The index of the modules whose analyses in `latest` export something, and its generation
    /// (the same index when its inputs are the same as those of a recent one).
    fn index_of(&mut self, latest: &HashMap<PathBuf, Arc<Outcome>>) -> (Index, u64) {
        let mut exporters: Vec<&PathBuf> = latest
            .iter()
            .filter(|(_, o)| !o.exported.is_empty())
            .map(|(path, _)| path)
            .collect();
        exporters.sort();
        let exporters: Vec<PathBuf> = exporters.into_iter().cloned().collect();
        let modules: Vec<(PathBuf, String, Exported)> = exporters
            .into_iter()
            .map(|path| {
                let module = self.module(&path);
                let exported = latest[&path].exported.public();
                (path, module, exported)
            })
            .collect();
        let tokens_generation = self.tokens_generation;
        let known = self.indexes.iter_mut().find(|b| b.modules == modules);
        if let Some(known) = &known
            && known.tokens_generation == tokens_generation
        {
            return (known.index.clone(), known.generation);
        }
        let index = Index::build(
            modules.clone(),
            self.entries.iter().map(|(p, e)| (p.as_path(), &e.facts)),
        );
        // Import lines changed, but not which files may import which module (an `import os`
        // added): the index is the one already built, and the analyses made with it hold.
        if let Some(known) = known
            && known.index.same_importers(&index)
        {
            known.tokens_generation = tokens_generation;
            return (known.index.clone(), known.generation);
        }
        self.next_index += 1;
        if self.indexes.len() == KEPT_INDEXES {
            self.indexes.remove(0);
        }
        self.indexes.push(BuiltIndex {
            modules,
            tokens_generation: self.tokens_generation,
            generation: self.next_index,
            index: index.clone(),
        });
        (index, self.next_index)
    }

    /// The analyses asked for, from the cache or run (in parallel).
    fn analyse_all(&mut self, requests: Vec<Request>) -> Vec<(PathBuf, Arc<Outcome>)> {
        let mut done = Vec::with_capacity(requests.len());
        let mut missing = Vec::new();
        for (path, index, used) in requests {
            let key = Key {
                index: index.as_ref().map(|(_, generation)| *generation),
                used,
            };
            let Some(entry) = self.entries.get_mut(&path) else {
                continue;
            };
            match entry.analyses.iter_mut().find(|a| a.key == key) {
                Some(cached) => {
                    cached.used = true;
                    done.push((path, Arc::clone(&cached.outcome)));
                }
                None => missing.push((path, key, index)),
            }
        }
        let missing: Vec<(PathBuf, Key, Option<Context>)> = missing
            .into_iter()
            .map(|(path, key, index)| {
                let context = index.map(|(index, _)| {
                    let module = self.module(&path);
                    Context::new(&index, &path, &module, &key.used)
                });
                (path, key, context)
            })
            .collect();
        let entries = &self.entries;
        let run = |(path, key, context): (PathBuf, Key, Option<Context>)| {
            let entry = entries.get(&path)?;
            let outcome = analyse_entry(&path, entry, context.as_ref());
            Some((path, key, Arc::new(outcome)))
        };
        // One analysis (an edit) runs on this thread: the pool may be busy with a scan.
        let computed: Vec<(PathBuf, Key, Arc<Outcome>)> = if missing.len() == 1 {
            missing.into_iter().filter_map(run).collect()
        } else {
            missing.into_par_iter().filter_map(run).collect()
        };
        self.last_analyses += computed.len();
        for (path, key, outcome) in computed {
            if let Some(entry) = self.entries.get_mut(&path) {
                entry.analyses.push(Analysis {
                    key,
                    outcome: Arc::clone(&outcome),
                    used: true,
                });
            }
            done.push((path, outcome));
        }
        done
    }
}

/// An analysis to run: the file, the index (and its generation) if in the project's view, and
/// other modules' uses of its names.
type Request = (PathBuf, Option<(Index, u64)>, Vec<Use>);

/// Analyses one file with its own settings.
fn analyse_entry(path: &Path, entry: &Entry, context: Option<&Context>) -> Outcome {
    let settings = match &entry.settings {
        Ok(settings) => settings,
        Err(error) => return Outcome::failed(Failure::Configuration(error.clone())),
    };
    if let Some(text) = &entry.text {
        return engine::analyse(text, settings, context);
    }
    match bytes_of(path, entry) {
        Some(bytes) => engine::analyse(&Text::new(bytes, None), settings, context),
        None => Outcome::failed(Failure::Unreadable("cannot be read".into())),
    }
}

/// Whether the analysis alone of the file parses it.
fn parsed_alone(path: &Path, entry: &Entry) -> bool {
    *entry.parsed_alone.get_or_init(|| {
        let Ok(settings) = &entry.settings else {
            return false;
        };
        bytes_of(path, entry).is_some_and(|bytes| settings.needs_parse(&bytes))
    })
}

/// The file's text: kept, or read from the disk.
pub(super) fn bytes_of(path: &Path, entry: &Entry) -> Option<Arc<[u8]>> {
    match &entry.bytes {
        Some(bytes) => Some(Arc::clone(bytes)),
        None => engine::read_file(path).map(Arc::from),
    }
}

/// Each module's names that other files use, as their analyses tell, in path order.
fn uses_by_module(latest: &HashMap<PathBuf, Arc<Outcome>>) -> HashMap<PathBuf, Vec<Use>> {
    let mut users: Vec<(&PathBuf, &Arc<Outcome>)> = latest.iter().collect();
    users.sort_by(|a, b| a.0.cmp(b.0));
    let mut used: HashMap<PathBuf, Vec<Use>> = HashMap::new();
    for (_, outcome) in users {
        for external in outcome.exported.uses_of_others() {
            used.entry(external.module().to_path_buf())
                .or_default()
                .push(external);
        }
    }
    used
}
