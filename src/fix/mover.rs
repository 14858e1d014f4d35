//! Moving a statement's text into a function: its lines re-indented (string contents left
//! alone), with edits applied on the way (a loop run becomes an `await`).

use std::ops::Range;

use tree_sitter::Node;

/// A piece of a moved statement: literal text, or a range of the original code (copied with the
/// same re-indentation as the statement around it).
#[derive(Debug, Clone)]
pub enum Piece {
    /// New text.
    Literal(Vec<u8>),
    /// Original bytes.
    Original(Range<usize>),
}

/// Copies a range of code to a new indentation, applying edits inside it on the way.
///
/// Each original line start inside the range loses `strip` (or what it has of it) and gains
/// `add`; line starts inside a string literal are left alone, so a triple-quoted string keeps
/// its exact value. Blank lines stay empty.
pub struct Mover<'a> {
    code: &'a [u8],
    strings: Vec<Range<usize>>,
    strip: Vec<u8>,
    add: Vec<u8>,
    edits: Vec<(Range<usize>, Vec<Piece>)>,
}

impl<'a> Mover<'a> {
    /// A mover for the code under `root` (whose string literals it protects).
    pub fn new(code: &'a [u8], root: Node, strip: &[u8], add: &[u8]) -> Self {
        Mover {
            code,
            strings: multiline_strings(root),
            strip: strip.to_vec(),
            add: add.to_vec(),
            edits: Vec::new(),
        }
    }

    /// Keeps the string literals under `node` too (text copied from outside the moved range).
    pub fn protect(&mut self, node: Node) {
        for range in multiline_strings(node) {
            if !self.strings.contains(&range) {
                self.strings.push(range);
            }
        }
    }

    /// Replaces `range` with `pieces` in the moved text.
    pub fn edit(&mut self, range: Range<usize>, pieces: Vec<Piece>) {
        self.edits.push((range, pieces));
    }

    /// Whether an edit is already registered that overlaps `range`.
    pub fn overlaps(&self, range: &Range<usize>) -> bool {
        self.edits
            .iter()
            .any(|(r, _)| r.start < range.end && range.start < r.end)
    }

    /// The moved text of `range`; its first line is indented with `add` too.
    pub fn finish(mut self, range: Range<usize>) -> Vec<u8> {
        self.edits.sort_by_key(|(r, _)| (r.start, r.end));
        let mut out = Vec::new();
        out.extend_from_slice(&self.add);
        let mut at_line_start = false;
        self.copy(range, &mut out, &mut at_line_start);
        out
    }

    fn copy(&self, range: Range<usize>, out: &mut Vec<u8>, at_line_start: &mut bool) {
        let mut at = range.start;
        for (edit_range, pieces) in &self.edits {
            if edit_range.start < at || edit_range.end > range.end {
                continue;
            }
            self.copy_plain(at..edit_range.start, out, at_line_start);
            for piece in pieces {
                match piece {
                    Piece::Literal(text) => self.copy_literal(text, out, at_line_start),
                    Piece::Original(inner) => self.copy_plain(inner.clone(), out, at_line_start),
                }
            }
            at = edit_range.end;
        }
        self.copy_plain(at..range.end, out, at_line_start);
    }

    fn copy_literal(&self, text: &[u8], out: &mut Vec<u8>, at_line_start: &mut bool) {
        if text.is_empty() {
            return;
        }
        if *at_line_start {
            out.extend_from_slice(&self.add);
            *at_line_start = false;
        }
        out.extend_from_slice(text);
    }

    /// Copies original bytes; every line that starts in them (or right after the previous
    /// piece ended a line) is re-indented.
    fn copy_plain(&self, range: Range<usize>, out: &mut Vec<u8>, at_line_start: &mut bool) {
        let mut at = range.start;
        while at < range.end {
            if *at_line_start {
                *at_line_start = false;
                if !self.in_string(at) {
                    at = self.reindent_line(at, range.end, out);
                    continue;
                }
            }
            let rest = &self.code[at..range.end];
            match memchr::memchr(b'\n', rest) {
                Some(pos) => {
                    out.extend_from_slice(&rest[..=pos]);
                    at += pos + 1;
                    *at_line_start = true;
                }
                None => {
                    out.extend_from_slice(rest);
                    at = range.end;
                }
            }
        }
    }

    /// Re-indents the line starting at `start`; returns where its content starts.
    fn reindent_line(&self, start: usize, end: usize, out: &mut Vec<u8>) -> usize {
        let line = &self.code[start..end];
        let blank_len = line
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\x0c'))
            .count();
        // Whether the line is blank is a property of the whole line, not of the part copied
        // before an edit that starts on it.
        if matches!(self.code.get(start + blank_len), None | Some(b'\n' | b'\r')) {
            return start + blank_len;
        }
        let stripped = common_prefix(&line[..blank_len], &self.strip);
        out.extend_from_slice(&self.add);
        out.extend_from_slice(&line[stripped..blank_len]);
        start + blank_len
    }

    fn in_string(&self, offset: usize) -> bool {
        self.strings
            .iter()
            .any(|r| r.start < offset && offset < r.end)
    }
}

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// Byte ranges of the string literals under `root` that span more than one line.
pub(crate) fn multiline_strings(root: Node) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        let spans_lines = node.start_position().row != node.end_position().row;
        if node.kind() == "string" && spans_lines {
            ranges.push(node.byte_range());
        } else if spans_lines && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() || cursor.node().id() == root.id() {
                return ranges;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mover_reindents_code_but_not_strings() {
        let code = b"try:\n    x = '''a\n  b'''\nexcept E:\n\n    x = 2\n";
        let tree = crate::syntax::parse::parse(code).unwrap();
        let statement = tree.root_node().named_child(0).unwrap();
        let mover = Mover::new(code, statement, b"", b"  ");
        let moved = mover.finish(statement.byte_range());
        assert_eq!(
            moved,
            b"  try:\n      x = '''a\n  b'''\n  except E:\n\n      x = 2"
        );
    }

    #[test]
    fn mover_applies_edits_with_original_pieces() {
        let code = b"X = run(\n    f())\n";
        let tree = crate::syntax::parse::parse(code).unwrap();
        let statement = tree.root_node().named_child(0).unwrap();
        let mut mover = Mover::new(code, statement, b"", b"    ");
        mover.edit(
            4..code.len() - 1,
            vec![Piece::Literal(b"await ".to_vec()), Piece::Original(13..16)],
        );
        assert_eq!(mover.finish(statement.byte_range()), b"    X = await f()");
    }
}
