//! The documents the editor has open: their text as the editor holds it (not as saved), kept up
//! to date from full or incremental changes.

use std::collections::HashMap;
use std::path::PathBuf;

use lsp_types::{TextDocumentContentChangeEvent, Uri};

use super::position::{Encoding, LineIndex};
use super::uri;

/// One open document.
#[derive(Debug, Clone)]
pub struct Document {
    /// The file it shows, when its URI is a `file:` URI.
    pub path: Option<PathBuf>,
    /// The editor's version of its text.
    pub version: i32,
    /// Whether loopfix analyses it: Python by language id or file name.
    pub is_python: bool,
    text: String,
    index: LineIndex,
}

impl Document {
    /// A document as opened.
    pub fn new(uri: &Uri, language_id: &str, version: i32, text: String) -> Self {
        let path = uri::to_path(uri);
        let is_python = language_id == "python"
            || path
                .as_ref()
                .and_then(|p| p.extension())
                .is_some_and(|ext| ext == "py" || ext == "pyi");
        Document {
            path,
            version,
            is_python,
            index: LineIndex::new(&text),
            text,
        }
    }

    /// Its text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Its line index.
    pub fn index(&self) -> &LineIndex {
        &self.index
    }

    /// Applies the editor's changes, in order: a change with a range replaces that range, one
    /// without replaces the whole text.
    pub fn apply(
        &mut self,
        changes: Vec<TextDocumentContentChangeEvent>,
        version: i32,
        encoding: Encoding,
    ) {
        for change in changes {
            match change.range {
                Some(range) => {
                    let start = self.index.offset(&self.text, range.start, encoding);
                    let end = self.index.offset(&self.text, range.end, encoding);
                    let end = end.max(start);
                    self.text.replace_range(start..end, &change.text);
                }
                None => self.text = change.text,
            }
            self.index = LineIndex::new(&self.text);
        }
        self.version = version;
    }
}

/// The open documents, by URI.
#[derive(Debug, Default)]
pub struct Documents {
    open: HashMap<Uri, Document>,
}

impl Documents {
    /// Records an opened document.
    pub fn open(&mut self, uri: Uri, document: Document) {
        self.open.insert(uri, document);
    }

    /// Takes a document out (closed, or to change it), returning it.
    pub fn remove(&mut self, uri: &Uri) -> Option<Document> {
        self.open.remove(uri)
    }

    /// The document at `uri`, if open.
    pub fn get(&self, uri: &Uri) -> Option<&Document> {
        self.open.get(uri)
    }

    /// Every open document.
    pub fn iter(&self) -> impl Iterator<Item = (&Uri, &Document)> {
        self.open.iter()
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use lsp_types::{Position, Range};

    use super::*;

    fn change(
        range: Option<((u32, u32), (u32, u32))>,
        text: &str,
    ) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: range.map(|((l1, c1), (l2, c2))| {
                Range::new(Position::new(l1, c1), Position::new(l2, c2))
            }),
            range_length: None,
            text: text.to_owned(),
        }
    }

    #[test]
    fn incremental_changes_apply_in_order_with_utf16_columns() {
        let uri = Uri::from_str("file:///p/app.py").unwrap();
        let mut doc = Document::new(&uri, "python", 1, "s = '𝄞'\r\nx = 1\r\n".into());
        assert!(doc.is_python);
        // After the clef (2 UTF-16 units at characters 5-6), before the quote.
        doc.apply(
            vec![
                change(Some(((0, 7), (0, 7))), "é"),
                change(Some(((1, 4), (1, 5))), "22"),
                change(Some(((2, 0), (2, 0))), "y = x\r\n"),
            ],
            2,
            Encoding::Utf16,
        );
        assert_eq!(doc.text(), "s = '𝄞é'\r\nx = 22\r\ny = x\r\n");
        assert_eq!(doc.version, 2);
        doc.apply(vec![change(None, "z = 0\n")], 3, Encoding::Utf16);
        assert_eq!(doc.text(), "z = 0\n");
    }
}
