//! Processing files: read each once, analyse, fix; in parallel, with results in path order.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::check::{self, AnalysisOptions};
use crate::edit::{Applicability, Finding};
use crate::plan::{self, Applied};
use crate::settings::Resolver;
use crate::source::SourceFile;

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
    pub source: Option<SourceFile>,
    /// Findings left, sorted.
    pub findings: Vec<Finding>,
    /// Problems with the file (unreadable, unparsable, refused rewrites), each a reason.
    pub errors: Vec<String>,
    /// The change, in fix mode, when there is one.
    pub change: Option<Change>,
}

impl FileReport {
    fn error(path: &Path, reason: String) -> Self {
        FileReport {
            path: path.to_path_buf(),
            source: None,
            findings: Vec::new(),
            errors: vec![reason],
            change: None,
        }
    }
}

/// Processes files in parallel; `done` counts finished files for progress reporting.
pub fn process_files(
    files: &[PathBuf],
    resolver: &Resolver,
    mode: Mode,
    done: &AtomicUsize,
) -> Vec<FileReport> {
    files
        .par_iter()
        .map(|path| {
            let report = process_path(path, resolver, mode);
            done.fetch_add(1, Ordering::Relaxed);
            report
        })
        .collect()
}

/// Processes one file; a panic inside is caught and reported as an internal error.
pub fn process_path(path: &Path, resolver: &Resolver, mode: Mode) -> FileReport {
    let settings = match resolver.settings_for(path) {
        Ok(settings) => settings,
        Err(e) => return FileReport::error(path, e.to_string()),
    };
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => return FileReport::error(path, crate::walk::io_reason(&e)),
    };
    let options = settings.analysis_for(path);
    let threshold = match mode {
        Mode::Fix if settings.unsafe_fixes => Some(Applicability::Unsafe),
        Mode::Fix => Some(Applicability::Safe),
        Mode::Check => None,
    };
    let outcome = std::panic::catch_unwind(|| process_bytes(bytes, &options, threshold));
    match outcome {
        Ok(mut report) => {
            report.path = path.to_path_buf();
            report
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            FileReport::error(
                path,
                format!("internal error: {what} (please report this with the file)"),
            )
        }
    }
}

/// Analyses (and in fix mode fixes) the bytes of one file.
pub fn process_bytes(
    bytes: Vec<u8>,
    options: &AnalysisOptions,
    threshold: Option<Applicability>,
) -> FileReport {
    let empty = PathBuf::new();
    if !check::might_contain_loop(&bytes) {
        return FileReport {
            path: empty,
            source: None,
            findings: Vec::new(),
            errors: Vec::new(),
            change: None,
        };
    }
    let source = match SourceFile::new(bytes) {
        Ok(source) => source,
        Err(e) => return FileReport::error(&empty, e.to_string()),
    };
    let Some(threshold) = threshold else {
        return match check::analyze(&source, options) {
            Ok(findings) => FileReport {
                path: empty,
                source: (!findings.is_empty()).then_some(source),
                findings,
                errors: Vec::new(),
                change: None,
            },
            Err(e) => FileReport::error(&empty, e.to_string()),
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
            let change = (fixed.code != source.code()).then(|| Change {
                original: source.to_file_bytes(source.code()),
                fixed: source.to_file_bytes(&fixed.code),
                applied: fixed.applied.clone(),
            });
            let final_source = match &change {
                Some(change) => SourceFile::new(change.fixed.clone()).ok(),
                None => Some(source),
            };
            FileReport {
                path: empty,
                source: final_source.filter(|_| !fixed.remaining.is_empty()),
                findings: fixed.remaining,
                errors,
                change,
            }
        }
        Err(e) => FileReport::error(&empty, e.to_string()),
    }
}
