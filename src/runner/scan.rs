//! The first look at each file, in the walker's threads: read it once into a reused buffer,
//! settle it there when it cannot hold a finding (most files), and keep the bytes of the few
//! that need the analysis.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use super::mode::Counters;
use super::report::{FileReport, Learned};
use crate::diagnostic::FileError;
use crate::fs::{ReadError, ReadLimit};
use crate::lexer::{ImportTokens, ParseNeed};
use crate::project::Exports;
use crate::settings::Resolver;
use crate::source::SourceFile;

/// Puts the outcomes of the analyses done during the walk in their files' places.
pub(super) fn with_early_outcomes(
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
pub(super) enum Scanned {
    /// Holds nothing to report (most files): only its import tokens are kept.
    Clean(ImportTokens),
    Settled(Box<FileReport>, Learned),
    Analyse {
        /// The file's bytes, when the scan could keep them ([`Counters::hold`]); else the
        /// analysis reads the file again.
        bytes: Option<Vec<u8>>,
        tokens: ImportTokens,
        /// For a module that is only worth analysing when another file calls one of its
        /// functions at import time ([`ParseNeed::IfImported`]): the names of those functions.
        if_called: Option<Vec<Box<[u8]>>>,
    },
    /// Being analysed on the pool (see [`walk_and_process`]); the outcome brings its tokens.
    Analysing,
}

pub(super) fn scan(path: &Path, resolver: &Resolver, counters: &Counters) -> Scanned {
    counters.found.fetch_add(1, Ordering::Relaxed);
    let mut scanned = scan_file(path, resolver);
    if let Scanned::Analyse { bytes, .. } = &mut scanned
        && bytes.as_ref().is_some_and(|b| !counters.hold(b.len()))
    {
        *bytes = None;
    }
    if matches!(scanned, Scanned::Settled(..) | Scanned::Clean(_)) {
        counters.done.fetch_add(1, Ordering::Relaxed);
    }
    scanned
}

/// The bytes of a scanned file for its analysis: those the scan kept (no longer counted as
/// held), or the file read again.
pub(super) fn bytes_to_analyse(
    path: &Path,
    kept: Option<Vec<u8>>,
    counters: &Counters,
) -> Result<Vec<u8>, Box<FileReport>> {
    match kept {
        Some(bytes) => {
            counters.release(bytes.len());
            Ok(bytes)
        }
        None => crate::fs::read_bounded(path, ReadLimit::ANY_FILE)
            .map_err(|e| Box::new(FileReport::error(path, e.into()))),
    }
}

fn scan_file(path: &Path, resolver: &Resolver) -> Scanned {
    READ_BUFFER.with_borrow_mut(|buffer| {
        let scanned = match read_into(path, buffer) {
            Ok(len) => scan_bytes(path, &buffer[..len], resolver),
            Err(e) => {
                let report = FileReport::error(path, e.into());
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
fn read_into(path: &Path, buffer: &mut Vec<u8>) -> Result<usize, ReadError> {
    if buffer.is_empty() {
        buffer.resize(FIRST_BUFFER_BYTES, 0);
    }
    crate::fs::read_bounded_into(path, ReadLimit::ANY_FILE, buffer)
}

fn scan_bytes(path: &Path, bytes: &[u8], resolver: &Resolver) -> Scanned {
    let look = crate::lexer::first_look(bytes);
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
            return settled(
                FileReport::error(path, FileError::Configuration(e.to_string())),
                tokens,
            );
        }
    };
    match SourceFile::new(bytes.to_vec()) {
        Err(e) => settled(FileReport::error(path, FileError::Undecodable(e)), tokens),
        Ok(source) => match crate::lexer::parse_verdict(source.code(), settings.full_parse) {
            (ParseNeed::Skip, _) => Scanned::Clean(tokens),
            (need, functions) => {
                if need == ParseNeed::Parse {
                    crate::syntax::queries::prepare();
                }
                let if_called = (need == ParseNeed::IfImported)
                    .then(|| functions.into_iter().map(Box::from).collect());
                Scanned::Analyse {
                    bytes: Some(source.to_file_bytes(source.code())),
                    tokens,
                    if_called,
                }
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_the_scan_did_not_keep_is_read_again_for_its_analysis() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.py");
        std::fs::write(&path, "import asyncio\nX = asyncio.run(f())\n").unwrap();
        let counters = Counters::default();
        let bytes = bytes_to_analyse(&path, None, &counters).unwrap();
        assert_eq!(bytes, b"import asyncio\nX = asyncio.run(f())\n");
        assert!(counters.hold(5));
        assert_eq!(
            bytes_to_analyse(&path, Some(b"kept!".to_vec()), &counters).unwrap(),
            b"kept!"
        );
        std::fs::remove_file(&path).unwrap();
        let gone = bytes_to_analyse(&path, None, &counters).unwrap_err();
        assert_eq!(
            gone.errors.len(),
            1,
            "a file gone since the scan is an error of that file"
        );
    }
}
