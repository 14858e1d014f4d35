//! What processing a file produces: its report (findings, typed errors, the change in fix
//! mode, the applicability threshold its settings give, the fix previews the full output
//! shows), and what it learns for the project phases.

use std::borrow::Cow;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use super::edits;
use crate::analyze::{self, Applied};
use crate::diagnostic::{Applicability, Edit, FileError, Finding, Fix, FixId};
use crate::fix::tidy::ImportFacts;
use crate::fs::{Fingerprint, ReadError, ReadLimit, WriteError};
use crate::lexer::ImportTokens;
use crate::project::{Exports, ProjectContext};
use crate::source::SourceFile;

/// A file whose fixes changed it: what turns its bytes as read into its bytes after the fixes
/// (the runs of lines that change, not the whole file), and the fixes applied. The bytes as
/// read are held for a buffer (standard input, an editor's); a file on disk is read again when
/// its change is shown or written, and must still hold them.
#[derive(Debug, Clone)]
pub struct Change {
    original: Original,
    /// Each run of changed lines: the range of the original it replaces, and its new bytes.
    runs: Vec<(Range<usize>, Vec<u8>)>,
    /// The fixes applied.
    pub applied: Vec<Applied>,
}

/// The bytes a change applies to.
#[derive(Debug, Clone)]
enum Original {
    /// Held (a buffer).
    Held(Vec<u8>),
    /// In the file, which is read again when needed.
    InFile(Fingerprint),
}

impl Change {
    /// The change from `original` to `fixed`, holding `original`.
    pub fn new(original: Vec<u8>, fixed: &[u8], applied: Vec<Applied>) -> Self {
        let runs = crate::diff::changed_runs(&original, fixed)
            .into_iter()
            .map(|(old, new)| (old, fixed[new].to_vec()))
            .collect();
        Change {
            original: Original::Held(original),
            runs,
            applied,
        }
    }

    /// Lets go of the bytes as read (those of the file on disk): only their fingerprint stays.
    pub(super) fn let_go_of_original(&mut self) {
        if let Original::Held(bytes) = &self.original {
            self.original = Original::InFile(Fingerprint::of(bytes));
        }
    }

    /// The bytes as read: those held, or the file at `path` read again, which must still hold
    /// them.
    pub fn original(&self, path: &Path) -> Result<Cow<'_, [u8]>, FileError> {
        let print = match &self.original {
            Original::Held(bytes) => return Ok(Cow::Borrowed(bytes)),
            Original::InFile(print) => print,
        };
        match crate::fs::read_bounded(path, ReadLimit::Read(print.len())) {
            Ok(bytes) if print.matches(&bytes) => Ok(Cow::Owned(bytes)),
            Ok(_) | Err(ReadError::TooLarge { .. }) => {
                Err(FileError::Unwritable(WriteError::Changed.to_string()))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// How many bytes were read.
    pub fn original_len(&self) -> usize {
        match &self.original {
            Original::Held(bytes) => bytes.len(),
            Original::InFile(print) => print.len(),
        }
    }

    /// Whether `bytes` are the bytes as read.
    pub fn is_original(&self, bytes: &[u8]) -> bool {
        match &self.original {
            Original::Held(held) => held == bytes,
            Original::InFile(print) => print.matches(bytes),
        }
    }

    /// The bytes after the fixes, made from the bytes as read (see [`Change::original`]).
    pub fn fixed(&self, original: &[u8]) -> Vec<u8> {
        let mut fixed = Vec::with_capacity(original.len());
        let mut copied = 0;
        for (range, bytes) in &self.runs {
            fixed.extend_from_slice(&original[copied..range.start]);
            fixed.extend_from_slice(bytes);
            copied = range.end;
        }
        fixed.extend_from_slice(&original[copied..]);
        fixed
    }
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
    /// Problems with the file (unreadable, unparsable, refused rewrites, ...).
    pub errors: Vec<FileError>,
    /// The change, in fix mode, when there is one.
    pub change: Option<Box<Change>>,
    /// The project context the file was last analysed with (the interactive fixer reuses it).
    pub context: Option<Arc<ProjectContext>>,
    /// The applicability at which this file's fixes apply (`fix`) or count as available
    /// (`check`): decided once, from the file's settings and the command line.
    pub threshold: Applicability,
    /// The source with each fix alone applied, for the full output format
    /// ([`FileReport::add_previews`]); `None` for a fix whose result does not parse. Fixes past
    /// the first [`MAX_PREVIEWS`] of a file are not previewed.
    pub previews: Vec<(FixId, Option<Vec<u8>>)>,
    /// What the source's imports are, read once when a machine-readable format first asks for
    /// a fix's complete edits ([`FileReport::complete_edits`]).
    pub import_facts: OnceLock<Option<ImportFacts>>,
}

impl FileReport {
    /// A report of a file without findings.
    pub fn clean_at(path: PathBuf) -> Self {
        FileReport {
            path,
            ..FileReport::clean()
        }
    }

    pub(super) fn clean() -> Self {
        FileReport {
            path: PathBuf::new(),
            source: None,
            findings: Vec::new(),
            errors: Vec::new(),
            change: None,
            context: None,
            threshold: Applicability::Safe,
            previews: Vec::new(),
            import_facts: OnceLock::new(),
        }
    }

    /// A report of a file that could not be processed.
    pub fn error(path: &Path, error: FileError) -> Self {
        FileReport {
            path: path.to_path_buf(),
            errors: vec![error],
            ..FileReport::clean()
        }
    }

    /// The file with the fix `id` alone applied, if it was previewed and its result parses.
    pub fn preview(&self, id: FixId) -> Option<&[u8]> {
        self.previews
            .iter()
            .find(|(fix, _)| *fix == id)
            .and_then(|(_, code)| code.as_deref())
    }

    /// Whether the fix `id` was left without a preview because the file has more than
    /// [`MAX_PREVIEWS`] fixes.
    pub fn preview_skipped(&self, id: FixId) -> bool {
        self.previews.len() >= MAX_PREVIEWS && !self.previews.iter().any(|(fix, _)| *fix == id)
    }

    /// The complete edits of `fix`, one of this report's: applied in order to the file's source
    /// they give what `fix` writes for that fix alone, the imports it adds or removes included.
    /// Their text ends its lines as the file does (in `\r` in a CR-only file).
    pub fn complete_edits(&self, fix: &Arc<Fix>) -> Vec<Edit> {
        match &self.source {
            Some(source) => {
                let facts = self.import_facts.get_or_init(|| ImportFacts::of(source));
                let edits =
                    edits::complete_edits_of(source, fix, self.preview(fix.id()), facts.as_ref());
                edits
                    .into_iter()
                    .map(|edit| {
                        Edit::replace(edit.range, source.with_file_line_ends(&edit.content))
                    })
                    .collect()
            }
            None => fix.edits().to_vec(),
        }
    }

    /// Previews each fix of the findings (once per fix, the first [`MAX_PREVIEWS`] of them),
    /// for the full output format.
    pub fn add_previews(&mut self) {
        let Some(source) = &self.source else { return };
        for finding in &self.findings {
            let Some(fix) = &finding.fix else { continue };
            if self.previews.iter().any(|(id, _)| *id == fix.id()) {
                continue;
            }
            if self.previews.len() == MAX_PREVIEWS {
                return;
            }
            self.previews
                .push((fix.id(), analyze::preview(source, fix)));
        }
    }
}

/// Fixes previewed per file in the full output format. A preview rewrites, tidies and parses
/// the whole file, so previewing every fix of a file with many would make the output grow
/// with the square of its findings; past this many, `loopfix fix --diff` shows the diff.
pub const MAX_PREVIEWS: usize = 64;

/// What processing a file learns of it for the project phases (kept for every file of the run,
/// so small: most files export nothing).
#[derive(Debug, Default)]
pub(super) struct Learned {
    exports: Option<Box<Exports>>,
    pub(super) tokens: ImportTokens,
}

impl Learned {
    pub(super) fn new(exports: Exports, tokens: ImportTokens) -> Self {
        Learned {
            exports: (exports != Exports::default()).then(|| Box::new(exports)),
            tokens,
        }
    }

    pub(super) fn new_clean(tokens: ImportTokens) -> Self {
        Learned {
            exports: None,
            tokens,
        }
    }

    /// What the file exports, when it exports anything.
    pub(super) fn exports(&self) -> Option<&Exports> {
        self.exports.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::Change;

    #[test]
    fn a_change_holds_its_runs_and_makes_the_fixed_bytes_again() {
        let helpers = "def helper():\r\n    return 1\r\n".repeat(40);
        let original = format!("import asyncio\r\n{helpers}A = asyncio.run(f())\r\nB = 1\r\nC = 2")
            .into_bytes();
        let fixed = format!("import asyncio\r\n{helpers}A = None\r\n\r\nasync def load_a():\r\n    pass\r\nB = 1\r\nC = 3\n")
            .into_bytes();
        let fixed = &fixed[..];
        let mut change = Change::new(original.clone(), fixed, Vec::new());
        assert_eq!(change.fixed(&original), fixed);
        let held: usize = change.runs.iter().map(|(_, bytes)| bytes.len()).sum();
        assert!(held < fixed.len() / 2, "only the changed lines are kept");
        change.let_go_of_original();
        assert!(change.is_original(&original));
        assert!(!change.is_original(fixed));
        assert_eq!(change.original_len(), original.len());
        let missing = std::path::Path::new("no such file.py");
        assert!(change.original(missing).is_err());
    }
}
