//! Byte-range edits and applying them, and the imports a fix's new text needs.

use std::ops::Range;

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
