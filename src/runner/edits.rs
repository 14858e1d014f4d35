//! A fix's complete edits, as the machine-readable formats give them: the fix's own edits and
//! the imports tidying adds or removes with it, so that applying them in order to the file gives
//! exactly what `fix` writes for that fix alone.

use std::ops::Range;

use crate::analyze;
use crate::diagnostic::{Edit, Fix, apply_edits};
use crate::diff::changed_runs;
use crate::fix::tidy::ImportFacts;
use crate::source::SourceFile;

/// The edits that turn `source` into `fixed` (the source with `fix` alone applied and imports
/// tidied). The fix's own edits when they suffice; else those edits with tidying's changes
/// beside them, when these touch none of them; else one edit per run of changed lines.
pub fn complete_edits(source: &SourceFile, fix: &Fix, fixed: &[u8]) -> Vec<Edit> {
    let code = source.code();
    let own = fix.edits();
    let rewritten = apply_edits(code, &own.iter().collect::<Vec<_>>());
    if rewritten == fixed {
        return own.to_vec();
    }
    if let Some(edits) = own_and_tidying(code, own, &rewritten, fixed) {
        return edits;
    }
    line_edits(code, fixed)
}

/// The fix's edits and tidying's, each of tidying's mapped back onto the original code; `None`
/// when one of them falls inside or against an edit of the fix (where their order would be
/// ambiguous) or the result is not `fixed`.
fn own_and_tidying(code: &[u8], own: &[Edit], rewritten: &[u8], fixed: &[u8]) -> Option<Vec<Edit>> {
    let mut sorted: Vec<&Edit> = own.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut edits = own.to_vec();
    for (range, new) in changed_runs(rewritten, fixed) {
        let original = to_original(&sorted, &range)?;
        edits.push(Edit::replace(original, fixed[new].to_vec()));
    }
    let applied = apply_edits(code, &edits.iter().collect::<Vec<_>>());
    (applied == fixed).then(|| {
        edits.sort_by_key(|e| (e.range.start, e.range.end));
        edits
    })
}

/// The range of the original code that `range` of the rewritten code came from unchanged: the
/// gap between two of the fix's edits (sorted) that holds it, if one does.
fn to_original(sorted: &[&Edit], range: &Range<usize>) -> Option<Range<usize>> {
    // How far the rewritten code has moved from the original before the current gap.
    let mut shift: isize = 0;
    let mut gap_start = 0;
    for edit in sorted {
        if let Some(original) = within_gap(gap_start..edit.range.start, shift, range) {
            return Some(original);
        }
        shift += edit.content.len() as isize - edit.range.len() as isize;
        gap_start = edit.range.end;
    }
    within_gap(gap_start..usize::MAX, shift, range)
}

/// `range` (rewritten) in original terms, when it lies in the unchanged `gap` (original) that
/// the rewritten code holds `shift` bytes further on.
fn within_gap(gap: Range<usize>, shift: isize, range: &Range<usize>) -> Option<Range<usize>> {
    let start = range.start.checked_add_signed(-shift)?;
    let end = range.end.checked_add_signed(-shift)?;
    (gap.start <= start && end <= gap.end).then_some(start..end)
}

/// One edit per run of changed lines between `code` and `fixed`.
fn line_edits(code: &[u8], fixed: &[u8]) -> Vec<Edit> {
    changed_runs(code, fixed)
        .into_iter()
        .map(|(old, new)| Edit::replace(old, fixed[new].to_vec()))
        .collect()
}

/// [`complete_edits`] for `fix` in `source`, previewing it when `preview` is `None`; the fix's
/// own edits when the module's imports (`facts`) show that tidying cannot change them, or when
/// the result does not parse (then `fix` does not apply it alone either).
pub fn complete_edits_of(
    source: &SourceFile,
    fix: &std::sync::Arc<Fix>,
    preview: Option<&[u8]>,
    facts: Option<&ImportFacts>,
) -> Vec<Edit> {
    if preview.is_none() && facts.is_some_and(|f| f.untouched_by(fix.edits(), fix.imports())) {
        return fix.edits().to_vec();
    }
    match preview {
        Some(fixed) => complete_edits(source, fix, fixed),
        None => match analyze::preview(source, fix) {
            Some(fixed) => complete_edits(source, fix, &fixed),
            None => fix.edits().to_vec(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applied(code: &[u8], edits: &[Edit]) -> Vec<u8> {
        apply_edits(code, &edits.iter().collect::<Vec<_>>())
    }

    fn check(code: &str, own: Vec<Edit>, fixed: &str) -> Vec<Edit> {
        let source = SourceFile::new(code.as_bytes().to_vec()).unwrap();
        let fix = Fix::safe_edits("t", own);
        let edits = complete_edits(&source, &fix, fixed.as_bytes());
        assert_eq!(
            String::from_utf8(applied(source.code(), &edits)).unwrap(),
            fixed
        );
        edits
    }

    #[test]
    fn own_edits_that_suffice_are_kept() {
        let own = vec![Edit::replace(4..5, "B")];
        assert_eq!(check("a\nx\nb\n", own.clone(), "a\nx\nB\n").len(), 1);
        assert_eq!(check("a\nx\nb\n", own.clone(), "a\nx\nB\n"), own);
    }

    #[test]
    fn tidying_apart_from_the_edits_is_added_beside_them() {
        let code = "import os\nfrom asyncio import run\n\nX = run(f())\n";
        let own = vec![Edit::replace(39..47, "None")];
        let fixed = "import asyncio\nimport os\n\nX = None\n";
        let edits = check(code, own.clone(), fixed);
        assert!(edits.contains(&own[0]), "{edits:?}");
        assert_eq!(edits.len(), 3, "{edits:?}");
    }

    #[test]
    fn tidying_inside_an_edit_gives_line_edits() {
        let code = "x = 1\ny = 2\n";
        let own = vec![Edit::insert(6, "import a\nz = a\n")];
        // Tidying rewrote a line the fix inserted.
        let fixed = "x = 1\nimport a, b\nz = a\ny = 2\n";
        let edits = check(code, own, fixed);
        assert_eq!(edits, vec![Edit::insert(6, "import a, b\nz = a\n")]);
    }
}
