//! What the passes of one group contribute to its fix, assembled into one [`Fix`] with its
//! effects on the names other modules use (which travel beside the fix, not inside it).

use crate::diagnostic::{Applicability, Blocked, Edit, Fix, RequiredImport};
use crate::project::LateGlobal;

/// What the passes of one group contribute to its fix.
#[derive(Debug, Default)]
pub struct FixParts {
    /// File-level edits.
    pub edits: Vec<Edit>,
    /// Lowest applicability among the parts.
    pub applicability: Option<Applicability>,
    /// Imports the new text needs.
    pub imports: Vec<RequiredImport>,
    /// What each part does.
    pub titles: Vec<String>,
    /// Globals the parts make load after import.
    pub late_globals: Vec<LateGlobal>,
    /// Globals the parts delete.
    pub removed_globals: Vec<String>,
}

/// What a fix does to the names other modules may use, which travels beside the fix (to the
/// module's exports), not inside it.
#[derive(Debug, Default, Clone)]
pub struct FixEffects {
    /// Globals the fix makes load after import, which importers must read through the module.
    pub late_globals: Vec<LateGlobal>,
    /// Globals the fix deletes.
    pub removed_globals: Vec<String>,
}

impl FixParts {
    /// Lowers the fix's applicability to `level` (never raises it).
    pub fn limit(&mut self, level: Applicability) {
        self.applicability = Some(self.applicability.map_or(level, |a| a.min(level)));
    }

    /// The fix these parts make, with overlapping deletions merged, and its effects.
    pub fn into_fix(self) -> Result<(Fix, FixEffects), Blocked> {
        let edits = merge_deletions(self.edits)?;
        let title = self.titles.join("; ");
        let fix = Fix::applicable_edits(
            title,
            edits,
            self.applicability.unwrap_or(Applicability::Safe),
        )
        .with_imports(self.imports);
        let effects = FixEffects {
            late_globals: self.late_globals,
            removed_globals: self.removed_globals,
        };
        Ok((fix, effects))
    }
}

/// Sorts edits and merges overlapping deletions; a deletion that runs past an insertion (a
/// removed statement takes the blank lines after it, where new text goes) stops there; any
/// other overlap means the parts conflict.
fn merge_deletions(mut edits: Vec<Edit>) -> Result<Vec<Edit>, Blocked> {
    let insertions: Vec<usize> = edits
        .iter()
        .filter(|e| e.range.is_empty() && !e.content.is_empty())
        .map(|e| e.range.start)
        .collect();
    for edit in edits.iter_mut().filter(|e| e.content.is_empty()) {
        if let Some(&at) = insertions
            .iter()
            .filter(|&&at| edit.range.start < at && at < edit.range.end)
            .min()
        {
            edit.range.end = at;
        }
    }
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    edits.dedup();
    let mut merged: Vec<Edit> = Vec::with_capacity(edits.len());
    for edit in edits {
        match merged.last_mut() {
            Some(last) if last.overlaps(&edit) => {
                if last.content.is_empty() && edit.content.is_empty() {
                    last.range.end = last.range.end.max(edit.range.end);
                } else {
                    return Err(Blocked::RewritesOverlap);
                }
            }
            _ => merged.push(edit),
        }
    }
    Ok(merged)
}
