//! Processing files: walk them, take a first look at each in the walker's threads, analyse (and
//! in fix mode fix) the few that need it on the worker pool, then run the project phases. The
//! reports come back in path order; nothing here prints or writes a file.

mod edits;
mod file;
mod mode;
mod phases;
mod report;
mod scan;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use rayon::prelude::*;

use self::file::analyse_path;
use self::phases::{ImportedModules, ProjectRun, settle_unimported};
use self::report::Learned;
use self::scan::{Scanned, bytes_to_analyse, scan, with_early_outcomes};
use crate::project::ModuleNames;
use crate::settings::Resolver;
use crate::sync::lock;

pub use self::file::{keep_unwritten, process_buffer, process_bytes, threshold};
pub use self::mode::{Counters, Mode, Phase};
pub use self::phases::imports_an_export;
pub use self::report::{Change, FileReport, MAX_PREVIEWS};

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
                        let outcome =
                            analyse_scanned(&path, bytes, tokens, resolver, mode, counters);
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
                let outcome = analyse_scanned(&path, bytes, tokens, resolver, mode, counters);
                counters.done.fetch_add(1, Ordering::Relaxed);
                outcome
            }
        })
        .unzip();
    let mut run = ProjectRun {
        counters,
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

/// Analyses a file the scan kept, with the bytes it kept or read again.
fn analyse_scanned(
    path: &std::path::Path,
    kept: Option<Vec<u8>>,
    tokens: crate::lexer::ImportTokens,
    resolver: &Resolver,
    mode: Mode,
    counters: &Counters,
) -> (FileReport, Learned) {
    match bytes_to_analyse(path, kept, counters) {
        Ok(bytes) => analyse_path(path, bytes, tokens, resolver, mode, None),
        Err(report) => (*report, Learned::new_clean(tokens)),
    }
}

/// Previews each fix of each report (in parallel), for the full output format.
pub fn add_previews(reports: &mut [FileReport]) {
    reports
        .par_iter_mut()
        .filter(|r| r.findings.iter().any(|f| f.fix.is_some()))
        .for_each(FileReport::add_previews);
}
