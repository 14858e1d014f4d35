//! Processing one file: read it (again, in the project phases), analyse it, and in fix mode fix
//! it; a panic inside is caught and reported as an internal error for that file.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use super::mode::Mode;
use super::report::{Change, FileReport, Learned};
use crate::analyze::{self, AnalysisOptions};
use crate::diagnostic::{Applicability, FileError};
use crate::fs::ReadLimit;
use crate::lexer::ImportTokens;
use crate::project::{Exports, ProjectContext};
use crate::settings::{Resolver, Settings};
use crate::source::SourceFile;
use crate::syntax::parse::MAX_PARSE_BYTES;

/// Processes one file; a panic inside is caught and reported as an internal error.
pub(super) fn process_path(
    path: &Path,
    resolver: &Resolver,
    mode: Mode,
    project: Option<Arc<ProjectContext>>,
) -> (FileReport, Learned) {
    // With the project in view the file is parsed: it is held to the parser's limit.
    let bytes = match crate::fs::read_bounded(path, ReadLimit::Parse(MAX_PARSE_BYTES)) {
        Ok(bytes) => bytes,
        Err(e) => return (FileReport::error(path, e.into()), Learned::default()),
    };
    let tokens = crate::lexer::import_tokens(&bytes);
    analyse_path(path, bytes, tokens, resolver, mode, project)
}

/// The applicability at which a file's fixes apply or count as available: its settings'
/// `unsafe-fixes`, which the command line's `--unsafe-fixes` turns on for every file.
pub fn threshold(settings: &Settings) -> Applicability {
    if settings.unsafe_fixes {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    }
}

/// Analyses (and in fix mode fixes) the bytes of the file at `path`; a panic inside is caught
/// and reported as an internal error.
pub(super) fn analyse_path(
    path: &Path,
    bytes: Vec<u8>,
    tokens: ImportTokens,
    resolver: &Resolver,
    mode: Mode,
    project: Option<Arc<ProjectContext>>,
) -> (FileReport, Learned) {
    let settings = match resolver.settings_for_file(path) {
        Ok(settings) => settings,
        Err(e) => {
            let error = FileError::Configuration(e.to_string());
            return (FileReport::error(path, error), Learned::default());
        }
    };
    let mut options = settings.analysis_for(path);
    options.project = project.clone();
    let threshold = threshold(&settings);
    let outcome =
        std::panic::catch_unwind(|| process_bytes_learning(bytes, &options, mode, threshold));
    match outcome {
        Ok((mut report, exports)) => {
            report.path = path.to_path_buf();
            if let Some(change) = &mut report.change {
                change.let_go_of_original();
            }
            report.context = project;
            (report, Learned::new(exports, tokens))
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            let report = FileReport::error(path, FileError::Internal(what));
            (report, Learned::default())
        }
    }
}

/// The report of a file whose change could not be written: the file is as it was, so its
/// findings are those of a check of its bytes as read (their fixes still to apply), with its
/// errors (the reason it was not written among them) kept.
pub fn keep_unwritten(report: &mut FileReport, resolver: &Resolver) {
    let Some(change) = report.change.take() else {
        return;
    };
    let Ok(settings) = resolver.settings_for_file(&report.path) else {
        return;
    };
    let mut options = settings.analysis_for(&report.path);
    options.project = report.context.clone();
    let threshold = threshold(&settings);
    // The file as it stays: its bytes as read, or what it holds now if it changed since.
    let original = match change.original(&report.path) {
        Ok(original) => original.into_owned(),
        Err(_) => match crate::fs::read_bounded(&report.path, ReadLimit::Parse(MAX_PARSE_BYTES)) {
            Ok(current) => current,
            Err(_) => {
                report.findings.clear();
                report.source = None;
                report.previews.clear();
                return;
            }
        },
    };
    let checked =
        std::panic::catch_unwind(|| process_bytes(original, &options, Mode::Check, threshold));
    if let Ok(checked) = checked {
        report.source = checked.source;
        report.findings = checked.findings;
        report.threshold = checked.threshold;
        report.previews.clear();
        report.import_facts = OnceLock::new();
    }
}

/// Analyses (and in fix mode fixes) bytes that are not read from disk (standard input, an
/// editor's buffer) as the file at `path`, with that file's settings: its rules, fix options and
/// threshold; with the rest of the project in view when `project` is given (an editor's
/// workspace). The report's `path` is `path`.
pub fn process_buffer(
    settings: &Settings,
    path: &Path,
    bytes: Vec<u8>,
    mode: Mode,
    project: Option<Arc<ProjectContext>>,
) -> FileReport {
    let mut options = settings.analysis_for(path);
    options.project = project;
    let mut report = process_bytes(bytes, &options, mode, threshold(settings));
    report.path = path.to_path_buf();
    report
}

/// Analyses (and in fix mode fixes, at `threshold`) the bytes of one file.
pub fn process_bytes(
    bytes: Vec<u8>,
    options: &AnalysisOptions,
    mode: Mode,
    threshold: Applicability,
) -> FileReport {
    process_bytes_learning(bytes, options, mode, threshold).0
}

/// [`process_bytes`], and what the file exports to the rest of the project.
fn process_bytes_learning(
    bytes: Vec<u8>,
    options: &AnalysisOptions,
    mode: Mode,
    threshold: Applicability,
) -> (FileReport, Exports) {
    let empty = PathBuf::new();
    let clean = || FileReport {
        threshold,
        ..FileReport::clean()
    };
    if options.project.is_none() && !crate::lexer::might_contain_loop(&bytes) {
        return (clean(), Exports::default());
    }
    let source = match SourceFile::new(bytes) {
        Ok(source) => source,
        Err(e) => return (FileReport::error(&empty, e.into()), Exports::default()),
    };
    if mode == Mode::Check {
        return match analyze::analyze_with_exports(&source, options) {
            Ok((findings, exports)) => {
                let report = FileReport {
                    source: (!findings.is_empty()).then(|| Box::new(source)),
                    findings,
                    ..clean()
                };
                (report, exports)
            }
            Err(e) => (FileReport::error(&empty, e.into()), Exports::default()),
        };
    }
    match analyze::fix_all(&source, options, threshold) {
        Ok(fixed) => {
            let errors = fixed.errors();
            let changed = fixed.code != source.code();
            let change = changed.then(|| {
                let fixed_bytes = source.to_file_bytes(&fixed.code);
                let change = Change::new(
                    source.to_file_bytes(source.code()),
                    &fixed_bytes,
                    fixed.applied.clone(),
                );
                (Box::new(change), fixed_bytes)
            });
            let (change, final_source) = match change {
                Some((change, fixed_bytes)) => (Some(change), fixed_source(fixed_bytes, &fixed)),
                None => (None, Some(source)),
            };
            let report = FileReport {
                source: final_source
                    .filter(|_| !fixed.remaining.is_empty())
                    .map(Box::new),
                findings: fixed.remaining,
                errors,
                change,
                ..clean()
            };
            (report, fixed.exports)
        }
        Err(e) => (FileReport::error(&empty, e.into()), Exports::default()),
    }
}

/// The source after the fixes, when findings remain to refer to it.
fn fixed_source(fixed_bytes: Vec<u8>, fixed: &analyze::Fixed) -> Option<SourceFile> {
    if fixed.remaining.is_empty() {
        return None;
    }
    SourceFile::new(fixed_bytes).ok()
}
