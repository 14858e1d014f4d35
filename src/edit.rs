//! Findings and fixes as data: byte-range edits, fixes with an applicability, and findings.

use std::ops::Range;
use std::sync::Arc;

use crate::rules::Rule;

/// How far a fix can be trusted, from least to most. `fix` applies `Safe`; `--unsafe-fixes` adds
/// `Unsafe`; `DisplayOnly` fixes are only ever shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// Shown to the user as a suggestion, never applied.
    DisplayOnly,
    /// Keeps the program correct, but changes when something happens (start-up work moves to the
    /// first request) or touches more than one file; applied with `--unsafe-fixes`.
    Unsafe,
    /// Keeps the program's behaviour, with the loop work moved into the running loop.
    Safe,
}

impl Applicability {
    /// The lowercase name used in JSON and SARIF output.
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::DisplayOnly => "display-only",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

/// Replace the bytes of `range` with `content` (an insertion when the range is empty).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Edit {
    /// Byte range in the module's code.
    pub range: Range<usize>,
    /// The new bytes, in the file's own encoding and newline style.
    pub content: Vec<u8>,
}

impl Edit {
    /// Replaces `range` with `content`.
    pub fn replace(range: Range<usize>, content: impl Into<Vec<u8>>) -> Self {
        Edit {
            range,
            content: content.into(),
        }
    }

    /// Inserts `content` at `offset`.
    pub fn insert(offset: usize, content: impl Into<Vec<u8>>) -> Self {
        Edit::replace(offset..offset, content)
    }

    /// Deletes `range`.
    pub fn delete(range: Range<usize>) -> Self {
        Edit::replace(range, Vec::new())
    }

    /// Whether two edits touch the same bytes. Insertions at one point do not overlap each other
    /// (they are applied in order), nor a replacement that starts or ends there.
    pub fn overlaps(&self, other: &Edit) -> bool {
        self.range.start < other.range.end && other.range.start < self.range.end
    }
}

/// An import that a fix's text needs; added once per file after all fixes are applied.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RequiredImport {
    /// `import <module>`.
    Module(String),
    /// `from <module> import <name>`.
    Member {
        /// The module.
        module: String,
        /// The imported name.
        name: String,
    },
}

/// A remedy for one or more findings: a title, sorted non-overlapping edits, an applicability.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, e.g. "Load `PROMPT` lazily with `await load_prompt()`".
    pub title: String,
    /// The edits, sorted by start.
    pub edits: Vec<Edit>,
    /// How far the fix can be trusted.
    pub applicability: Applicability,
    /// Imports the edits' text needs.
    pub imports: Vec<RequiredImport>,
    /// Globals the fix makes load after import, which importers must read through the module.
    pub late_globals: Vec<crate::project::LateGlobal>,
    /// Globals the fix deletes.
    pub removed_globals: Vec<String>,
}

impl Fix {
    /// Builds a fix, sorting its edits.
    pub fn new(title: String, mut edits: Vec<Edit>, applicability: Applicability) -> Self {
        edits.sort_by_key(|e| (e.range.start, e.range.end));
        Fix {
            title,
            edits,
            applicability,
            imports: Vec::new(),
            late_globals: Vec::new(),
            removed_globals: Vec::new(),
        }
    }

    /// Whether any edit of this fix overlaps any of `edits`.
    pub fn overlaps(&self, edits: &[Edit]) -> bool {
        self.edits
            .iter()
            .any(|mine| edits.iter().any(|theirs| mine.overlaps(theirs)))
    }
}

/// One reported problem.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The rule it breaks.
    pub rule: Rule,
    /// One line, with the evidence.
    pub message: String,
    /// The byte range reported (the offending call).
    pub range: Range<usize>,
    /// The fix, shared by every finding it resolves.
    pub fix: Option<Arc<Fix>>,
}

impl Finding {
    /// Whether the finding has a fix at or above `threshold`.
    pub fn is_fixable(&self, threshold: Applicability) -> bool {
        self.fix
            .as_ref()
            .is_some_and(|f| f.applicability >= threshold)
    }
}

/// Applies sorted, non-overlapping edits to `code`.
pub fn apply_edits(code: &[u8], edits: &[&Edit]) -> Vec<u8> {
    let mut sorted: Vec<&Edit> = edits.to_vec();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = Vec::with_capacity(code.len() + 256);
    let mut at = 0;
    for edit in sorted {
        debug_assert!(edit.range.start >= at, "edits must not overlap");
        out.extend_from_slice(&code[at..edit.range.start]);
        out.extend_from_slice(&edit.content);
        at = edit.range.end;
    }
    out.extend_from_slice(&code[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insertions_at_one_point_keep_their_order() {
        let a = Edit::insert(2, "A");
        let b = Edit::insert(2, "B");
        assert!(!a.overlaps(&b));
        assert_eq!(apply_edits(b"xxyy", &[&a, &b]), b"xxAByy");
    }

    #[test]
    fn replacements_overlap_when_they_share_bytes() {
        let a = Edit::replace(0..3, "");
        assert!(a.overlaps(&Edit::replace(2..4, "")));
        assert!(!a.overlaps(&Edit::replace(3..4, "")));
        assert!(!a.overlaps(&Edit::insert(3, "z")));
    }
}
