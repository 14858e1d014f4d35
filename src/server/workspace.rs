//! The workspace index: every Python file under the workspace folders (walked with loopfix's
//! walker and settings) and the open documents (their text as the editor holds it), with what
//! each tells the rest of the project, kept up to date file by file.
//!
//! [`Workspace::refresh`] runs the phases of `loopfix check` over the whole project (each file
//! alone; the files that import another module's exports, with the project in view; the modules
//! whose names those importers use; the importers again when that changed what a module
//! exports), so that a document's findings are those `loopfix check` reports for it in a run
//! over the workspace. Every analysis is cached by the file's version and the project context
//! it was given, so after an edit only the analyses whose inputs changed run again: usually the
//! edited file alone.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use super::engine::{
    self, Configuration, Context, Exported, Facts, Failure, FileSettings, Index, Outcome, Text, Use,
};

/// How many indexes are kept for reuse (each refresh needs up to two).
const KEPT_INDEXES: usize = 4;

/// One file of the project.
#[derive(Debug)]
struct Entry {
    /// Its text, when kept: open documents, and files that may hold findings of their own.
    /// Other files are read from the disk when an analysis needs them.
    bytes: Option<Arc<[u8]>>,
    /// An open document's text, with its parse (the next version re-parses from it).
    text: Option<Arc<Text>>,
    facts: Facts,
    settings: Result<FileSettings, String>,
    /// Whether the walk of the workspace found it (a file outside it is only there while open).
    walked: bool,
    /// Whether the editor has it open.
    open: bool,
    /// Its dotted module name, found when first needed.
    module: Option<String>,
    /// The modules its import statements name, found when first needed.
    imported: Option<Arc<[String]>>,
    /// Whether it imports an export of the index with that generation.
    imports_an_export: Option<(u64, bool)>,
    /// The generation of the index it was analysed with as an importer in the last refresh:
    /// after an edit it is analysed with that index first (see [`Workspace::refresh`]).
    importer_of: Option<u64>,
    /// Whether its analysis alone parses it, found when first needed.
    parsed_alone: OnceLock<bool>,
    /// Its analyses for this version, by project context.
    analyses: Vec<Analysis>,
}

/// A cached analysis.
#[derive(Debug)]
struct Analysis {
    key: Key,
    outcome: Arc<Outcome>,
    /// Whether the current refresh used it (those the last one did not use are dropped).
    used: bool,
}

/// The project context of an analysis: none (the file alone), or an index and other modules'
/// uses of the file's names.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Key {
    index: Option<u64>,
    used: Vec<Use>,
}

/// An index with the inputs it was built from.
#[derive(Debug)]
struct BuiltIndex {
    modules: Vec<(PathBuf, String, Exported)>,
    tokens_generation: u64,
    generation: u64,
    index: Index,
}

/// The project's files and the analyses of the last refresh.
#[derive(Debug)]
pub struct Workspace {
    config: Configuration,
    entries: HashMap<PathBuf, Entry>,
    /// Bumped whenever a file's import tokens change or a file comes or goes.
    tokens_generation: u64,
    next_index: u64,
    indexes: Vec<BuiltIndex>,
    /// The final analysis of each file that needed one, from the last refresh.
    outcomes: HashMap<PathBuf, Arc<Outcome>>,
    /// Analyses run by the last refresh (for tests and measurements).
    last_analyses: usize,
}

impl Workspace {
    /// An empty workspace under `config`.
    pub fn new(config: Configuration) -> Self {
        Workspace {
            config,
            entries: HashMap::new(),
            tokens_generation: 0,
            next_index: 0,
            indexes: Vec::new(),
            outcomes: HashMap::new(),
            last_analyses: 0,
        }
    }

    /// The workspace of the Python files under the configuration's folders, read from the disk
    /// (in parallel; only the files that may hold findings of their own are kept in memory).
    pub fn scan(config: Configuration) -> Self {
        let files = config.walk();
        let read: Vec<(PathBuf, Facts, Option<Vec<u8>>)> = files
            .into_par_iter()
            .filter_map(|path| {
                let bytes = engine::read_file(&path)?;
                let facts = engine::facts(&bytes);
                let kept = facts.might_contain_loop.then_some(bytes);
                Some((path, facts, kept))
            })
            .collect();
        let mut workspace = Workspace::new(config);
        for (path, facts, bytes) in read {
            workspace.insert_facts(path, facts, bytes, false, true);
        }
        workspace
    }

    /// The configuration.
    pub fn config(&self) -> &Configuration {
        &self.config
    }

    /// The settings of the file at `path` (its own when it is in the workspace).
    pub fn settings(&self, path: Option<&Path>) -> Result<FileSettings, String> {
        match path.and_then(|p| self.entries.get(p)) {
            Some(entry) => entry.settings.clone(),
            None => self.config.file_settings(path),
        }
    }

    /// The final analysis of the file at `path` from the last refresh (`None`: nothing to
    /// report, the file holds no needle and imports nothing that matters).
    pub fn outcome(&self, path: &Path) -> Option<&Arc<Outcome>> {
        self.outcomes.get(path)
    }

    /// How many analyses the last refresh ran.
    #[cfg(test)]
    pub fn last_analyses(&self) -> usize {
        self.last_analyses
    }

    /// The editor opened the file at `path`, or changed its text.
    pub fn set_open(&mut self, path: &Path, text: &[u8]) {
        let walked = self.entries.get(path).is_some_and(|e| e.walked);
        self.insert(path.to_path_buf(), text.to_vec(), true, walked);
    }

    /// The editor closed the file at `path`: the file on the disk counts again (if it is part of
    /// the workspace).
    pub fn set_closed(&mut self, path: &Path) {
        let Some(entry) = self.entries.get(path) else {
            return;
        };
        if !entry.walked {
            self.remove(path);
            return;
        }
        match engine::read_file(path) {
            Some(bytes) => self.insert(path.to_path_buf(), bytes, false, true),
            None => self.remove(path),
        }
    }

    /// A file changed, appeared or disappeared on the disk (open documents keep the editor's
    /// text). A file the walker would skip is left out.
    pub fn disk_changed(&mut self, path: &Path) {
        if self.entries.get(path).is_some_and(|e| e.open) {
            return;
        }
        if !path.exists() && !engine::is_python_path(path) {
            // A directory went (a client may report only the directory).
            let gone: Vec<PathBuf> = self
                .entries
                .iter()
                .filter(|(p, e)| p.starts_with(path) && !e.open)
                .map(|(p, _)| p.clone())
                .collect();
            for file in gone {
                self.disk_changed(&file);
            }
            return;
        }
        let is_package = path.file_name().is_some_and(|n| n == "__init__.py");
        if is_package && self.entries.contains_key(path) != path.exists() {
            // A package appeared or went: module names may change anywhere below.
            for entry in self.entries.values_mut() {
                entry.module = None;
                entry.analyses.clear();
            }
        }
        let wanted = engine::is_python_path(path)
            && self
                .config
                .file_settings(Some(path))
                .is_ok_and(|s| !s.excluded);
        match engine::read_file(path) {
            Some(bytes) if wanted => self.insert(path.to_path_buf(), bytes, false, true),
            _ => self.remove(path),
        }
    }

    /// Takes over the open documents of `other` (a workspace the editor has been using while
    /// this one was scanned): their text counts, not the disk's.
    pub fn adopt_open_documents(&mut self, other: &Workspace) {
        for (path, entry) in other.entries.iter().filter(|(_, e)| e.open) {
            let text = match &entry.bytes {
                Some(bytes) => bytes.to_vec(),
                None => continue,
            };
            let same = self
                .entries
                .get(path)
                .and_then(|e| e.bytes.as_deref())
                .is_some_and(|mine| *mine == *text);
            if same {
                if let Some(mine) = self.entries.get_mut(path) {
                    mine.open = true;
                }
            } else {
                self.set_open(path, &text);
            }
        }
    }

    fn insert(&mut self, path: PathBuf, bytes: Vec<u8>, open: bool, walked: bool) {
        let facts = engine::facts(&bytes);
        self.insert_facts(path, facts, Some(bytes), open, walked);
    }

    /// [`Self::insert`] with the facts of `bytes` known (`bytes` may have been dropped when not
    /// to be kept).
    fn insert_facts(
        &mut self,
        path: PathBuf,
        facts: Facts,
        bytes: Option<Vec<u8>>,
        open: bool,
        walked: bool,
    ) {
        let keep = open || facts.might_contain_loop;
        let previous = self.entries.get(&path);
        if previous.is_none_or(|p| p.facts != facts) {
            self.tokens_generation += 1;
        }
        let module = previous.and_then(|p| p.module.clone());
        let importer_of = previous.and_then(|p| p.importer_of);
        let settings = match previous {
            Some(p) => p.settings.clone(),
            None => self.config.file_settings(Some(&path)),
        };
        let bytes: Option<Arc<[u8]>> = bytes.filter(|_| keep).map(Arc::from);
        let text = match &bytes {
            Some(bytes) if open => {
                let before = previous.and_then(|p| p.text.as_deref());
                Some(Arc::new(Text::new(Arc::clone(bytes), before)))
            }
            _ => None,
        };
        let entry = Entry {
            bytes,
            text,
            importer_of,
            parsed_alone: OnceLock::new(),
            facts,
            settings,
            walked,
            open,
            module,
            imported: None,
            imports_an_export: None,
            analyses: Vec::new(),
        };
        self.entries.insert(path, entry);
    }

    fn remove(&mut self, path: &Path) {
        if self.entries.remove(path).is_some() {
            self.tokens_generation += 1;
            self.outcomes.remove(path);
        }
    }

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
    fn index_by_generation(&self, generation: u64) -> Option<(Index, u64)> {
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
fn bytes_of(path: &Path, entry: &Entry) -> Option<Arc<[u8]>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The multi-file fixture project where `app/config.py` loads `SETTINGS` at import time (and
    /// reads it) and two modules import it.
    fn lazy_config() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/projects/lazy_config")
    }

    fn codes(workspace: &Workspace, path: &Path) -> Vec<&'static str> {
        workspace
            .outcome(path)
            .map(|o| o.issues.iter().map(|i| i.rule.code()).collect())
            .unwrap_or_default()
    }

    /// A watcher may report any file; a named pipe is refused unread (reading it would wait
    /// for a writer forever), as `loopfix check` refuses it.
    #[cfg(unix)]
    #[test]
    fn a_named_pipe_reported_on_the_disk_is_passed_by_without_blocking() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::write(
            root.join("app.py"),
            "import asyncio\nX = asyncio.run(f())\n",
        )
        .unwrap();
        let fifo = root.join("pipe.py");
        let name = std::ffi::CString::new(fifo.as_os_str().as_bytes()).unwrap();
        // SAFETY: `name` is a NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
        let mut workspace = Workspace::scan(Configuration::discovered(std::slice::from_ref(&root)));
        let (done, finished) = std::sync::mpsc::channel();
        let app = root.join("app.py");
        std::thread::spawn(move || {
            workspace.disk_changed(&fifo);
            workspace.refresh();
            let seen = (workspace.outcome(&fifo).is_some(), codes(&workspace, &app));
            done.send(seen).unwrap();
        });
        let seen = finished.recv_timeout(std::time::Duration::from_secs(30));
        assert_eq!(seen, Ok((false, vec!["LF001"])));
    }

    #[test]
    fn importers_follow_the_module_they_import_and_unchanged_files_are_not_analysed_again() {
        let root = lazy_config();
        let config = root.join("app/config.py");
        let routes = root.join("app/routes.py");
        let handlers = root.join("app/api/handlers.py");
        let mut workspace = Workspace::scan(Configuration::discovered(std::slice::from_ref(&root)));
        workspace.refresh();
        assert_eq!(codes(&workspace, &config), ["LF001"]);
        assert_eq!(codes(&workspace, &routes), ["LF005"]);
        // `config.SETTINGS` read through the module follows config.py's fix: no finding.
        assert!(codes(&workspace, &handlers).is_empty());

        // An importer opened in the editor keeps its findings.
        let text = std::fs::read(&routes).unwrap();
        workspace.set_open(&routes, &text);
        workspace.refresh();
        assert_eq!(codes(&workspace, &routes), ["LF005"]);

        // Nothing changed: everything comes from the cache.
        workspace.refresh();
        assert_eq!(workspace.last_analyses(), 0);

        // An edit that keeps what the module exports analyses only the edited module.
        let original = std::fs::read_to_string(&config).unwrap();
        let edited = original.replace("\"orders\"", "\"orders\", \"x\": 1");
        workspace.set_open(&config, edited.as_bytes());
        workspace.refresh();
        assert_eq!(codes(&workspace, &routes), ["LF005"]);
        assert!(
            workspace.last_analyses() <= 2,
            "{}",
            workspace.last_analyses()
        );

        // An import line of an importer changes, but not what it may import: the index holds,
        // and only the importer is analysed again (alone, which parses nothing here, and as an
        // importer); the other modules keep the analyses they had with that index.
        let text = std::fs::read_to_string(&routes).unwrap();
        workspace.set_open(&routes, format!("import os\n{text}").as_bytes());
        workspace.refresh();
        assert_eq!(codes(&workspace, &routes), ["LF005"]);
        assert_eq!(workspace.last_analyses(), 2);

        // The module no longer runs a loop at import time: its importers' findings go.
        let fixed = original.replace(
            "SETTINGS = asyncio.run(fetch_settings())",
            "SETTINGS = {\"region\": \"eu-west-1\"}",
        );
        workspace.set_open(&config, fixed.as_bytes());
        workspace.refresh();
        assert!(codes(&workspace, &config).is_empty());
        assert!(codes(&workspace, &routes).is_empty());
        assert!(codes(&workspace, &handlers).is_empty());

        // Closed, the file on the disk counts again.
        workspace.set_closed(&config);
        workspace.refresh();
        assert_eq!(codes(&workspace, &routes), ["LF005"]);
    }

    #[test]
    fn exports_alone_and_as_an_importer_agree() {
        // What `refresh` relies on to analyse an edited importer once: on every multi-file
        // fixture project, each importer exports the same alone and with the project in view.
        let projects = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/projects");
        let mut importers = 0;
        for project in std::fs::read_dir(projects).unwrap() {
            let root = project.unwrap().path();
            let mut workspace =
                Workspace::scan(Configuration::discovered(std::slice::from_ref(&root)));
            workspace.refresh();
            let paths: Vec<PathBuf> = workspace.entries.keys().cloned().collect();
            for path in paths {
                let entry = &workspace.entries[&path];
                let Some(generation) = entry.importer_of else {
                    continue;
                };
                let (index, _) = workspace.index_by_generation(generation).unwrap();
                let settings = entry.settings.as_ref().unwrap();
                let text = Text::new(bytes_of(&path, entry).unwrap(), None);
                let module = engine::module_name(&path);
                let context = Context::new(&index, &path, &module, &[]);
                let alone = engine::analyse(&text, settings, None);
                let importer = engine::analyse(&text, settings, Some(&context));
                assert!(
                    alone.exported.same_public(&importer.exported),
                    "{}: {:?} alone, {:?} as an importer",
                    path.display(),
                    alone.exported,
                    importer.exported
                );
                importers += 1;
            }
        }
        assert!(
            importers >= 10,
            "only {importers} importers in the fixture projects"
        );
    }

    #[test]
    fn files_come_and_go_with_the_disk() {
        let scratch = tempfile::tempdir().unwrap();
        let root = scratch.path().to_path_buf();
        let package = root.join("app");
        std::fs::create_dir_all(&package).unwrap();
        std::fs::write(
            package.join("config.py"),
            "import asyncio\n\n\nasync def f():\n    return 1\n\n\nX = asyncio.run(f())\n",
        )
        .unwrap();
        let mut workspace = Workspace::scan(Configuration::discovered(std::slice::from_ref(&root)));
        workspace.refresh();
        let user = root.join("user.py");
        let config = package.join("config.py");
        assert!(workspace.outcome(&user).is_none());

        // A new importer on the disk.
        std::fs::write(
            &user,
            "from app.config import X\n\n\nasync def g():\n    return X\n",
        )
        .unwrap();
        workspace.disk_changed(&user);
        workspace.refresh();
        assert_eq!(codes(&workspace, &user), ["LF005"]);

        // The whole package goes; the client reports only the directory.
        std::fs::remove_dir_all(&package).unwrap();
        workspace.disk_changed(&package);
        workspace.refresh();
        assert!(!workspace.entries.contains_key(&config));
        assert!(codes(&workspace, &user).is_empty());
    }

    #[test]
    fn an_edit_of_an_importer_with_findings_of_its_own_is_one_analysis() {
        let scratch = tempfile::tempdir().unwrap();
        let root = scratch.path().to_path_buf();
        std::fs::create_dir_all(root.join("app")).unwrap();
        std::fs::write(root.join("app/__init__.py"), "").unwrap();
        // `config.py` reads `SETTINGS` itself: alone it is a lazy global already, as it is with
        // its importers in view (a name only importers read is an effect for `init()` alone,
        // and a lazy global once they are seen, which takes the importers one more analysis).
        let config = "import asyncio\n\n\nasync def fetch():\n    return {}\n\n\nSETTINGS = asyncio.run(fetch())\n\n\nasync def current():\n    return SETTINGS\n";
        std::fs::write(root.join("app/config.py"), config).unwrap();
        let big = root.join("app/big.py");
        let text = "import asyncio\n\nfrom app.config import SETTINGS\n\n\nasync def warm():\n    return 'x'\n\n\nCACHE = asyncio.run(warm())\n\n\nasync def handler():\n    return SETTINGS, CACHE, 'text'\n";
        std::fs::write(&big, text).unwrap();
        let mut workspace = Workspace::scan(Configuration::discovered(std::slice::from_ref(&root)));
        workspace.set_open(&big, text.as_bytes());
        workspace.refresh();
        assert_eq!(codes(&workspace, &big), ["LF005", "LF001"]);
        for (round, typed) in ["'textx'", "'textxy'", "'text'"].into_iter().enumerate() {
            workspace.set_open(&big, text.replace("'text'", typed).as_bytes());
            workspace.refresh();
            assert_eq!(codes(&workspace, &big), ["LF005", "LF001"]);
            assert_eq!(workspace.last_analyses(), 1, "edit {round}");
        }
    }
}
