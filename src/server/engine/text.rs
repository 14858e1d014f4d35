//! One version of a document's text, decoded and parsed at most once, from the tree of the
//! version it was edited from (tree-sitter then parses again only what changed).

use std::sync::{Arc, Mutex, OnceLock};

use tree_sitter::{InputEdit, Point, Tree};

use crate::source::SourceFile;
use crate::syntax::parse;

/// One version of a file's text, parsed at most once, when an analysis first needs the tree;
/// from the tree of the version before it when there is one (tree-sitter then parses again only
/// what changed). An open document keeps its text from one analysis to the next.
#[derive(Debug)]
pub struct Text {
    bytes: Arc<[u8]>,
    parsed: OnceLock<Arc<Parsed>>,
    /// The previous version's parse, until this version is parsed.
    base: Mutex<Option<Arc<Parsed>>>,
}

/// A decoded and parsed text.
#[derive(Debug)]
pub(super) struct Parsed {
    pub(super) source: Result<SourceFile, String>,
    pub(super) tree: Result<Tree, String>,
}

impl Text {
    /// A version of a text; `previous` is the version it was edited from, if any.
    pub fn new(bytes: Arc<[u8]>, previous: Option<&Text>) -> Self {
        let base = previous.and_then(|p| p.parsed.get().cloned().or_else(|| p.take_base()));
        Text {
            bytes,
            parsed: OnceLock::new(),
            base: Mutex::new(base),
        }
    }

    /// The bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub(super) fn take_base(&self) -> Option<Arc<Parsed>> {
        self.base.lock().unwrap_or_else(|p| p.into_inner()).take()
    }

    pub(super) fn parsed(&self) -> &Parsed {
        self.parsed.get_or_init(|| {
            let base = self.take_base();
            Arc::new(parse_text(&self.bytes, base.as_deref()))
        })
    }
}

/// Decodes and parses `bytes`, reusing the tree of `base` (an earlier version of the text).
fn parse_text(bytes: &[u8], base: Option<&Parsed>) -> Parsed {
    let source = match SourceFile::new(bytes.to_vec()) {
        Ok(source) => source,
        Err(e) => {
            return Parsed {
                source: Err(e.to_string()),
                tree: Err(e.to_string()),
            };
        }
    };
    if let Err(error) = parse::check_size(source.code().len()) {
        return Parsed {
            source: Ok(source),
            tree: Err(error.to_string()),
        };
    }
    let old = base.and_then(|base| edited_tree(base, &source));
    let tree = parse::parse_reusing(source.parse_text(), old.as_ref()).map_err(|e| e.to_string());
    Parsed {
        source: Ok(source),
        tree,
    }
}

/// The tree of `base`, told of the change that turns its text into `source`'s: one edit, from
/// the first byte that differs to the last (a keystroke, a paste, a whole fix alike).
fn edited_tree(base: &Parsed, source: &SourceFile) -> Option<Tree> {
    let (Ok(old_source), Ok(old_tree)) = (&base.source, &base.tree) else {
        return None;
    };
    if old_source.has_bom() != source.has_bom() {
        return None;
    }
    let (old, new) = (old_source.parse_text(), source.parse_text());
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let longest = old.len().min(new.len()) - prefix;
    let suffix = old
        .iter()
        .rev()
        .zip(new.iter().rev())
        .take(longest)
        .take_while(|(a, b)| a == b)
        .count();
    let mut tree = old_tree.clone();
    tree.edit(&InputEdit {
        start_byte: prefix,
        old_end_byte: old.len() - suffix,
        new_end_byte: new.len() - suffix,
        start_position: point(old, prefix),
        old_end_position: point(old, old.len() - suffix),
        new_end_position: point(new, new.len() - suffix),
    });
    Some(tree)
}

/// Tree-sitter's point of byte `offset`: rows counted at `\n`, columns in bytes.
fn point(text: &[u8], offset: usize) -> Point {
    let before = &text[..offset];
    let row = memchr::memchr_iter(b'\n', before).count();
    let column = offset - memchr::memrchr(b'\n', before).map_or(0, |at| at + 1);
    Point::new(row, column)
}
