//! After a file's fixes are applied: remove loop-library imports the rewrite left unused, and add
//! the imports the new text needs, once each; and, from the module as it is, whether a fix
//! surely leaves its imports alone ([`ImportFacts`]).

mod add;
mod block;
mod keys;
mod references;
mod stdlib;
#[cfg(test)]
mod tests;
mod unused;

use std::ops::Range;

use crate::diagnostic::{Edit, RequiredImport, apply_edits};
use crate::semantic::{BindingKind, Model, Place};
use crate::source::SourceFile;
use crate::syntax::parse::{self, ParseError};

use self::add::missing_import_edits;
use self::unused::unused_import_edits;
pub use self::unused::used_loop_imports;

/// What tidying would look at in a module before any fix: where each loop-library import it
/// reads is read, and where each of its imports binds. Enough to tell, without rewriting and
/// parsing the module, that a fix's edits leave the imports as they are.
#[derive(Debug, Clone, Default)]
pub struct ImportFacts {
    /// The ranges of the global reads of each loop-library import that the module reads.
    loop_reads: Vec<Vec<Range<usize>>>,
    /// Each import the module binds at import time, as a required import, with its offset.
    bound: Vec<(RequiredImport, usize)>,
}

impl ImportFacts {
    /// The facts of `src`; `None` when it does not parse.
    pub fn of(src: &SourceFile) -> Option<Self> {
        let tree = parse::parse(src.parse_text()).ok()?;
        let model = Model::build(&tree, src.parse_text());
        let loop_reads = used_loop_imports(&model)
            .iter()
            .map(|name| {
                model
                    .global_reads(name)
                    .map(|r| r.node.byte_range())
                    .collect()
            })
            .collect();
        let bound = model
            .bindings
            .iter()
            .filter(|b| b.place == Place::ImportTime)
            .filter_map(|b| Some((as_required_import(b.name, &b.kind)?, b.offset)))
            .collect();
        Some(ImportFacts { loop_reads, bound })
    }

    /// Whether tidying after `edits`, which need the imports `required`, surely changes
    /// nothing: each import required is bound by an import that no edit touches, and each
    /// loop-library import keeps a read that no edit touches.
    pub fn untouched_by(&self, edits: &[Edit], required: &[RequiredImport]) -> bool {
        let touched = |range: &Range<usize>| {
            edits
                .iter()
                .any(|e| e.range.start <= range.end && range.start <= e.range.end)
        };
        let kept = |import: &RequiredImport| {
            self.bound
                .iter()
                .any(|(bound, at)| bound == import && !touched(&(*at..*at)))
        };
        required.iter().all(kept)
            && self
                .loop_reads
                .iter()
                .all(|reads| reads.iter().any(|read| !touched(read)))
    }
}

/// The import a binding makes, as the import a fix would require for it (`add::is_imported`).
fn as_required_import(name: &[u8], kind: &BindingKind) -> Option<RequiredImport> {
    match kind {
        BindingKind::Module(module) if name == module.as_bytes() => {
            Some(RequiredImport::Module(module.clone()))
        }
        BindingKind::Member(qualified) => {
            let (module, member) = qualified.rsplit_once('.')?;
            (member.as_bytes() == name).then(|| RequiredImport::Member {
                module: module.to_owned(),
                name: member.to_owned(),
            })
        }
        _ => None,
    }
}

/// Removes the imports in `previously_used` that `code` no longer reads and adds `required`,
/// each where isort and ruff would put it. Removals come first, so that additions are placed
/// among the imports that stay.
pub fn tidy(
    src: &SourceFile,
    code: &[u8],
    previously_used: &[Vec<u8>],
    required: &[RequiredImport],
) -> Result<Vec<u8>, ParseError> {
    let mut file = SourceFile::new(src.to_file_bytes(code)).map_err(|_| ParseError::Aborted)?;
    let mut tree = parse::parse(file.parse_text())?;
    let removals = {
        let model = Model::build(&tree, file.parse_text());
        unused_import_edits(&file, &model, previously_used)
    };
    if !removals.is_empty() {
        let refs: Vec<&Edit> = removals.iter().collect();
        let removed = apply_edits(file.code(), &refs);
        file = SourceFile::new(file.to_file_bytes(&removed)).map_err(|_| ParseError::Aborted)?;
        if required.is_empty() {
            return Ok(file.code().to_vec());
        }
        tree = parse::parse(file.parse_text())?;
    }
    let model = Model::build(&tree, file.parse_text());
    let additions = missing_import_edits(&file, &model, required);
    if additions.is_empty() {
        return Ok(file.code().to_vec());
    }
    let refs: Vec<&Edit> = additions.iter().collect();
    Ok(apply_edits(file.code(), &refs))
}
