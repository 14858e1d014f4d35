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

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use super::engine::{
    self, Configuration, Exported, Facts, FileSettings, Index, Outcome, Text, Use,
};

mod refresh;

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
}

#[cfg(test)]
mod tests;
