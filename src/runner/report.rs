//! What processing a file produces: its report (findings, typed errors, the change in fix
//! mode, the applicability threshold its settings give, the fix previews the full output
//! shows), and what it learns for the project phases.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use super::edits;
use crate::analyze::{self, Applied};
use crate::diagnostic::{Applicability, Edit, FileError, Finding, Fix, FixId};
use crate::fix::tidy::ImportFacts;
use crate::lexer::ImportTokens;
use crate::project::{Exports, ProjectContext};
use crate::source::SourceFile;

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
