//! Processing files: read each once, analyse, fix; in parallel, with results in path order.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use rayon::prelude::*;

use crate::check::{self, AnalysisOptions, ParseNeed};
use crate::edit::{Applicability, Finding};
use crate::plan::{self, Applied};
use crate::progress::Counters;
use crate::project::{
    self, Exports, ExternalUse, ImportTokens, ModuleNames, ModuleSummary, ProjectContext,
    ProjectIndex,
};
use crate::settings::Resolver;
use crate::source::SourceFile;
use crate::walk::lock;

/// What to do with each file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Report findings.
    Check,
    /// Compute the fixes the file's settings allow (writing is the caller's job).
    Fix,
}

/// A file whose fixes changed it.
#[derive(Debug, Clone)]
pub struct Change {
    /// The file's bytes as read.
    pub original: Vec<u8>,
    /// The file's bytes after the fixes.
    pub fixed: Vec<u8>,
    /// The fixes applied.
    pub applied: Vec<Applied>,
}

/// The outcome for one file.
#[derive(Debug)]
pub struct FileReport {
    /// The path as walked or given.
    pub path: PathBuf,
    /// The source the findings refer to (after fixes in fix mode).
    pub source: Option<Box<SourceFile>>,
    /// Findings left, sorted.
    pub findings: Vec<Finding>,
    /// Problems with the file (unreadable, unparsable, refused rewrites), each a reason.
    pub errors: Vec<String>,
    /// The change, in fix mode, when there is one.
    pub change: Option<Box<Change>>,
    /// The project context the file was last analysed with (the interactive fixer reuses it).
    pub context: Option<Arc<ProjectContext>>,
}

impl FileReport {
    fn clean_at(path: PathBuf) -> Self {
        FileReport {
            path,
            ..FileReport::clean()
        }
    }

    fn clean() -> Self {
        FileReport {
            path: PathBuf::new(),
            source: None,
            findings: Vec::new(),
            errors: Vec::new(),
            change: None,
            context: None,
        }
    }

    fn error(path: &Path, reason: String) -> Self {
        FileReport {
            path: path.to_path_buf(),
            source: None,
            findings: Vec::new(),
            errors: vec![reason],
            change: None,
            context: None,
        }
    }
}

/// What processing a file learns of it for the project phases (kept for every file of the run,
/// so small: most files export nothing).
#[derive(Debug, Default)]
struct Learned {
    exports: Option<Box<Exports>>,
    tokens: ImportTokens,
}

impl Learned {
    fn new(exports: Exports, tokens: ImportTokens) -> Self {
        Learned {
            exports: (exports != Exports::default()).then(|| Box::new(exports)),
            tokens,
        }
    }

    fn new_clean(tokens: ImportTokens) -> Self {
        Learned {
            exports: None,
            tokens,
        }
    }

    /// What the file exports, when it exports anything.
    fn exports(&self) -> Option<&Exports> {
        self.exports.as_deref()
    }
}

/// Processes files in parallel, in phases. First every file alone. Then, when some module exports
/// something other modules must know (a loop function, a global loaded after import, an
/// unawaited `init()`): the files that may import it, with the project in view (LF004, LF005);
/// the modules whose names those importers use, so that their fixes account for the use; and
/// the importers again if that changed what a module exports.
pub fn process_files(files: &[PathBuf], resolver: &Resolver, mode: Mode) -> Vec<FileReport> {
    let counters = Counters::default();
    let scanned: Vec<(PathBuf, Scanned)> = files
        .par_iter()
        .map(|path| (path.clone(), scan(path, resolver, &counters)))
        .collect();
    finish(scanned, resolver, mode, &counters)
}

/// Walks `paths` and processes the files found, scanning each while the walk goes on (see
/// [`process_files`] for the phases). Returns the reports in path order and the walk's errors.
pub fn walk_and_process(
    paths: &[PathBuf],
    resolver: &Arc<Resolver>,
    mode: Mode,
    counters: &Counters,
) -> (Vec<FileReport>, Vec<crate::walk::WalkError>) {
    let early = std::sync::Mutex::new(Vec::new());
    let (scanned, errors) = rayon::in_place_scope(|scope| {
        crate::walk::walk_files(paths, resolver, |path| {
            match scan(path, resolver, counters) {
                // A file that needs the parse whatever the others hold is analysed on the pool
                // while the walk goes on.
                Scanned::Analyse {
                    bytes,
                    tokens,
                    if_called: None,
                } => {
                    let path = path.to_path_buf();
                    let early = &early;
                    scope.spawn(move |_| {
                        let outcome = analyse_path(&path, bytes, tokens, resolver, mode, None);
                        counters.done.fetch_add(1, Ordering::Relaxed);
                        lock(early).push((path, outcome));
                    });
                    Scanned::Analysing
                }
                scanned => scanned,
            }
        })
    });
    let scanned = with_early_outcomes(
        scanned,
        early.into_inner().unwrap_or_else(|p| p.into_inner()),
    );
    (finish(scanned, resolver, mode, counters), errors)
}

/// Puts the outcomes of the analyses done during the walk in their files' places.
fn with_early_outcomes(
    mut scanned: Vec<(PathBuf, Scanned)>,
    early: Vec<(PathBuf, (FileReport, Learned))>,
) -> Vec<(PathBuf, Scanned)> {
    let mut early: std::collections::HashMap<PathBuf, (FileReport, Learned)> =
        early.into_iter().collect();
    for (path, scanned) in &mut scanned {
        if matches!(scanned, Scanned::Analysing)
            && let Some((report, learned)) = early.remove(path)
        {
            *scanned = Scanned::Settled(Box::new(report), learned);
        }
    }
    scanned
}

/// The first look at a file, done in the walker's threads: read it, and settle it there when it
/// cannot hold a finding (most files); else keep its bytes for the analysis.
enum Scanned {
    /// Holds nothing to report (most files): only its import tokens are kept.
    Clean(ImportTokens),
    Settled(Box<FileReport>, Learned),
    Analyse {
        bytes: Vec<u8>,
        tokens: ImportTokens,
        /// For a module that is only worth analysing when another file calls one of its
        /// functions at import time ([`ParseNeed::IfImported`]): the names of those functions.
        if_called: Option<Vec<Box<[u8]>>>,
    },
    /// Being analysed on the pool (see [`walk_and_process`]); the outcome brings its tokens.
    Analysing,
}

fn scan(path: &Path, resolver: &Resolver, counters: &Counters) -> Scanned {
    counters.found.fetch_add(1, Ordering::Relaxed);
    let scanned = scan_file(path, resolver);
    if matches!(scanned, Scanned::Settled(..)) {
        counters.done.fetch_add(1, Ordering::Relaxed);
    }
    scanned
}

fn scan_file(path: &Path, resolver: &Resolver) -> Scanned {
    READ_BUFFER.with_borrow_mut(|buffer| {
        let scanned = match read_into(path, buffer) {
            Ok(len) => scan_bytes(path, &buffer[..len], resolver),
            Err(e) => {
                let report = FileReport::error(path, e.to_string());
                Scanned::Settled(Box::new(report), Learned::default())
            }
        };
        if buffer.len() > KEPT_BUFFER_BYTES {
            *buffer = Vec::new();
        }
        scanned
    })
}

thread_local! {
    /// Each walker thread reads every file into the same buffer: no allocation, page faults or
    /// size lookup per file. Only the few files kept for the analysis are copied out.
    static READ_BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The read buffer's first size: most Python files fit in one read.
const FIRST_BUFFER_BYTES: usize = 256 * 1024;

/// A buffer grown past this by a large file is given back after it.
const KEPT_BUFFER_BYTES: usize = 4 * 1024 * 1024;

/// Reads the file at `path` into the start of `buffer` (grown as needed, its length its
/// capacity), and returns the file's length; special files and files over
/// [`crate::fs::MAX_READ_BYTES`] are refused.
fn read_into(path: &Path, buffer: &mut Vec<u8>) -> Result<usize, crate::fs::ReadError> {
    if buffer.is_empty() {
        buffer.resize(FIRST_BUFFER_BYTES, 0);
    }
    crate::fs::read_bounded_into(path, crate::fs::MAX_READ_BYTES, buffer)
}

fn scan_bytes(path: &Path, bytes: &[u8], resolver: &Resolver) -> Scanned {
    let look = check::first_look(bytes);
    let tokens = look.tokens;
    let settled = |mut report: FileReport, tokens| {
        report.path = path.to_path_buf();
        Scanned::Settled(Box::new(report), Learned::new(Exports::default(), tokens))
    };
    if !look.might_contain_loop {
        return Scanned::Clean(tokens);
    }
    // Settings are looked up only for the few files that hold a needle.
    let settings = match resolver.settings_for_file(path) {
        Ok(settings) => settings,
        Err(e) => {
            return settled(FileReport::error(path, e.to_string()), tokens);
        }
    };
    match SourceFile::new(bytes.to_vec()) {
        Err(e) => settled(FileReport::error(path, e.to_string()), tokens),
        Ok(source) => match check::parse_verdict(source.code(), settings.full_parse) {
            (ParseNeed::Skip, _) => Scanned::Clean(tokens),
            (need, functions) => {
                if need == ParseNeed::Parse {
                    crate::detect::prepare();
                }
                let if_called = (need == ParseNeed::IfImported)
                    .then(|| functions.into_iter().map(Box::from).collect());
                Scanned::Analyse {
                    bytes: source.to_file_bytes(source.code()),
                    tokens,
                    if_called,
                }
            }
        },
    }
}

/// Analyses the files the scan kept (on the pool's large-stack threads), then runs the
/// project phases.
fn finish(
    scanned: Vec<(PathBuf, Scanned)>,
    resolver: &Resolver,
    mode: Mode,
    counters: &Counters,
) -> Vec<FileReport> {
    let names = ModuleNames::default();
    let imports = ImportedModules::default();
    let scanned = settle_unimported(scanned, counters, &names, &imports);
    let (reports, learned): (Vec<FileReport>, Vec<Learned>) = scanned
        .into_par_iter()
        .map(|(path, scanned)| match scanned {
            Scanned::Clean(tokens) => (FileReport::clean_at(path), Learned::new_clean(tokens)),
            Scanned::Settled(report, learned) => (*report, learned),
            Scanned::Analysing => unreachable!("the walk's analyses are all collected"),
            Scanned::Analyse { bytes, tokens, .. } => {
                let outcome = analyse_path(&path, bytes, tokens, resolver, mode, None);
                counters.done.fetch_add(1, Ordering::Relaxed);
                outcome
            }
        })
        .unzip();
    let mut run = ProjectRun {
        resolver,
        mode,
        reports,
        learned,
        used: BTreeMap::new(),
        names,
        imports,
    };
    run.project_phases();
    run.reports
}

/// Settles the files kept only in case another file imports them ([`ParseNeed::IfImported`])
/// when no file of the run imports them and uses one of their possible loop functions at
/// import time: only such a use is a finding (LF004), the test the project phases apply to
/// importers ([`imports_an_export`]). The import tokens narrow the files to read; the import
/// statements of those decide.
fn settle_unimported(
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
        if let Scanned::Analyse { tokens, .. } = entry {
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
struct ProjectRun<'a> {
    resolver: &'a Resolver,
    mode: Mode,
    reports: Vec<FileReport>,
    learned: Vec<Learned>,
    /// Other modules' uses of each module's names.
    used: BTreeMap<PathBuf, Vec<ExternalUse>>,
    /// The module names of the run's files.
    names: ModuleNames,
    /// What the files read in the project phases import.
    imports: ImportedModules,
}

impl ProjectRun<'_> {
    fn project_phases(&mut self) {
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
                imports_an_export(&self.reports[i].path, &index, &self.names, &self.imports)
            })
            .collect();
        importers.extend((0..self.reports.len()).filter(|&i| {
            self.learned[i]
                .exports()
                .is_some_and(|e| e.unwired_init.is_some())
        }));
        importers.sort_unstable();
        importers.dedup();
        let index = Arc::new(index);
        self.reprocess(&importers, &index);

        for learned in &self.learned {
            let Some(exports) = learned.exports() else {
                continue;
            };
            for external in &exports.uses_of_others {
                self.used
                    .entry(external.module.clone())
                    .or_default()
                    .push(external.clone());
            }
        }
        let exporters: Vec<usize> = (0..self.reports.len())
            .filter(|&i| self.used.contains_key(&self.reports[i].path))
            .collect();
        if exporters.is_empty() {
            return;
        }
        self.reprocess(&exporters, &index);

        // The exporters' fixes may have changed with their users in view: the importers of
        // those whose exports changed look again.
        let updated = self.index();
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
            .into_iter()
            .filter(|&i| affected.contains(&self.reports[i].path))
            .collect();
        self.reprocess(&again, &Arc::new(updated));
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
                (i, report, learned)
            })
            .collect();
        for (i, report, learned) in results {
            self.reports[i] = report;
            self.learned[i] = learned;
        }
    }
}

/// Whether the second phase must analyse the file: it imports a module of the index and uses
/// one of the names it exports: a late or deleted global anywhere, a loop function at import
/// time (a call of it inside a function body is not LF004).
fn imports_an_export(
    path: &Path,
    index: &ProjectIndex,
    names: &ModuleNames,
    imports: &ImportedModules,
) -> bool {
    let (exporters, bytes) = imports.resolved(path, index, names);
    if exporters.is_empty() {
        return false;
    }
    let Some(bytes) = bytes else {
        return true;
    };
    let mentioned = |name: &str| memchr::memmem::find(&bytes, name.as_bytes()).is_some();
    exporters.iter().any(|summary| {
        let exports = &summary.exports;
        let late_or_deleted = exports
            .late_globals
            .iter()
            .map(|g| g.name.as_str())
            .chain(exports.removed_globals.iter().map(String::as_str))
            .any(mentioned);
        let functions: Vec<&[u8]> = exports
            .loop_functions
            .iter()
            .map(|f| f.name.as_bytes())
            .collect();
        late_or_deleted || calls_at_import_time(&bytes, &functions)
    })
}

/// The modules each file read in the project phases imports ([`crate::lexer::imported_modules`]),
/// read once per run: the files that may import a deferred module and those that may import a
/// module with exports are mostly the same.
#[derive(Default)]
struct ImportedModules {
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
                let bytes = crate::fs::read_bounded(path, crate::fs::MAX_READ_BYTES).ok();
                let modules: Arc<[String]> =
                    crate::lexer::imported_modules(bytes.as_deref().unwrap_or_default()).into();
                lock(&self.by_path).insert(path.to_path_buf(), Arc::clone(&modules));
                (modules, bytes)
            }
        };
        let module = names.name(path);
        let is_package = project::is_package_init(path);
        let resolved: Vec<&ModuleSummary> = modules
            .iter()
            .filter_map(|imported| index.resolve(&module, is_package, imported))
            .filter(|summary| summary.path != path)
            .collect();
        if resolved.is_empty() {
            return (resolved, None);
        }
        let bytes = bytes.or_else(|| crate::fs::read_bounded(path, crate::fs::MAX_READ_BYTES).ok());
        (resolved, bytes)
    }
}

/// Processes one file; a panic inside is caught and reported as an internal error.
fn process_path(
    path: &Path,
    resolver: &Resolver,
    mode: Mode,
    project: Option<Arc<ProjectContext>>,
) -> (FileReport, Learned) {
    // With the project in view the file is parsed: it is held to the parse's limit.
    let bytes = match crate::fs::read_bounded(path, check::MAX_PARSE_BYTES) {
        Ok(bytes) => bytes,
        Err(e) => {
            let report = FileReport::error(path, e.to_string());
            return (report, Learned::default());
        }
    };
    let tokens = project::import_tokens(&bytes);
    analyse_path(path, bytes, tokens, resolver, mode, project)
}

/// Analyses (and in fix mode fixes) the bytes of the file at `path`; a panic inside is caught
/// and reported as an internal error.
fn analyse_path(
    path: &Path,
    bytes: Vec<u8>,
    tokens: ImportTokens,
    resolver: &Resolver,
    mode: Mode,
    project: Option<Arc<ProjectContext>>,
) -> (FileReport, Learned) {
    let settings = match resolver.settings_for_file(path) {
        Ok(settings) => settings,
        Err(e) => return (FileReport::error(path, e.to_string()), Learned::default()),
    };
    let mut options = settings.analysis_for(path);
    options.project = project.clone();
    let threshold = match mode {
        Mode::Fix if settings.unsafe_fixes => Some(Applicability::Unsafe),
        Mode::Fix => Some(Applicability::Safe),
        Mode::Check => None,
    };
    let outcome = std::panic::catch_unwind(|| process_bytes_learning(bytes, &options, threshold));
    match outcome {
        Ok((mut report, exports)) => {
            report.path = path.to_path_buf();
            report.context = project;
            (report, Learned::new(exports, tokens))
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            let report = FileReport::error(
                path,
                format!("internal error: {what} (please report this with the file)"),
            );
            (report, Learned::default())
        }
    }
}

/// Analyses (and in fix mode fixes) the bytes of one file.
pub fn process_bytes(
    bytes: Vec<u8>,
    options: &AnalysisOptions,
    threshold: Option<Applicability>,
) -> FileReport {
    process_bytes_learning(bytes, options, threshold).0
}

/// [`process_bytes`], and what the file exports to the rest of the project.
fn process_bytes_learning(
    bytes: Vec<u8>,
    options: &AnalysisOptions,
    threshold: Option<Applicability>,
) -> (FileReport, Exports) {
    let empty = PathBuf::new();
    if options.project.is_none() && !check::might_contain_loop(&bytes) {
        return (FileReport::clean(), Exports::default());
    }
    let source = match SourceFile::new(bytes) {
        Ok(source) => source,
        Err(e) => return (FileReport::error(&empty, e.to_string()), Exports::default()),
    };
    let Some(threshold) = threshold else {
        return match check::analyze_with_exports(&source, options) {
            Ok((findings, exports)) => {
                let report = FileReport {
                    source: (!findings.is_empty()).then(|| Box::new(source)),
                    findings,
                    ..FileReport::clean()
                };
                (report, exports)
            }
            Err(e) => (FileReport::error(&empty, e.to_string()), Exports::default()),
        };
    };
    match plan::fix_source(&source, options, threshold, |_, _| true) {
        Ok(fixed) => {
            let errors = fixed
                .refused
                .iter()
                .map(|r| {
                    format!(
                        "internal error: the fix for {} (\"{}\") produced invalid Python; the file keeps its other fixes",
                        r.codes.join(", "),
                        r.title
                    )
                })
                .collect();
            let change = (fixed.code != source.code()).then(|| {
                Box::new(Change {
                    original: source.to_file_bytes(source.code()),
                    fixed: source.to_file_bytes(&fixed.code),
                    applied: fixed.applied.clone(),
                })
            });
            let final_source = match &change {
                Some(change) => SourceFile::new(change.fixed.clone()).ok(),
                None => Some(source),
            };
            let report = FileReport {
                source: final_source
                    .filter(|_| !fixed.remaining.is_empty())
                    .map(Box::new),
                findings: fixed.remaining,
                errors,
                change,
                ..FileReport::clean()
            };
            (report, fixed.exports)
        }
        Err(e) => (FileReport::error(&empty, e.to_string()), Exports::default()),
    }
}
