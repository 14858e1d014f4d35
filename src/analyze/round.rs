//! One round of the fix loop: the accepted fixes that overlap no other applied together, imports
//! tidied, the result re-parsed; when it does not parse, the fixes one at a time, refusing those
//! that break the module.

use std::sync::Arc;

use crate::diagnostic::{Edit, Fix, apply_edits};
use crate::fix::tidy;
use crate::semantic::Model;
use crate::source::SourceFile;
use crate::syntax::parse;

/// Applies the non-overlapping fixes of one round; when the result does not parse, applies them
/// one at a time and refuses those that break the module. Returns the new source and the
/// indexes (in `chosen`) of the fixes taken and of those refused.
pub(super) fn apply_round(
    current: &SourceFile,
    chosen: &[(&Arc<Fix>, Option<SourceFile>)],
) -> (SourceFile, Vec<usize>, Vec<usize>) {
    if let [(_, Some(fixed))] = chosen {
        return (fixed.clone(), vec![0], Vec::new());
    }
    let mut taken: Vec<usize> = Vec::new();
    let mut edits: Vec<Edit> = Vec::new();
    for (i, (fix, _)) in chosen.iter().enumerate() {
        if !fix.overlaps(&edits) {
            edits.extend(fix.edits().iter().cloned());
            taken.push(i);
        }
    }
    let all: Vec<&Arc<Fix>> = taken.iter().map(|&i| chosen[i].0).collect();
    if let Some(next) = try_apply(current, &all) {
        return (next, taken, Vec::new());
    }
    let mut state = current.clone();
    let mut applied = Vec::new();
    let mut broken = Vec::new();
    for i in taken {
        match try_apply(&state, &[chosen[i].0]) {
            Some(next) => {
                state = next;
                applied.push(i);
            }
            None => broken.push(i),
        }
    }
    (state, applied, broken)
}

/// The module with `fixes` applied and imports tidied, if it still parses cleanly (and can be
/// written in the file's encoding).
pub(super) fn try_apply(current: &SourceFile, fixes: &[&Arc<Fix>]) -> Option<SourceFile> {
    let tree = parse::parse(current.parse_text()).ok()?;
    let model = Model::build(&tree, current.parse_text());
    let used_before = tidy::used_loop_imports(&model);
    let edits: Vec<&Edit> = fixes.iter().flat_map(|f| f.edits().iter()).collect();
    let rewritten = apply_edits(current.code(), &edits);
    let imports: Vec<_> = fixes
        .iter()
        .flat_map(|f| f.imports().iter().cloned())
        .collect();
    let tidied = tidy::tidy(current, &rewritten, &used_before, &imports).ok()?;
    if !current.can_write(&tidied) {
        return None;
    }
    let next = SourceFile::new(current.to_file_bytes(&tidied)).ok()?;
    parse::parses_cleanly(next.parse_text()).then_some(next)
}

/// The module as it would be with `fix` alone applied (imports tidied), if that parses cleanly.
pub fn preview(current: &SourceFile, fix: &Arc<Fix>) -> Option<Vec<u8>> {
    try_apply(current, &[fix]).map(|next| next.code().to_vec())
}
