//! Text the rewrites emit: templates from `transforms/`, moved statements re-indented without
//! touching string contents, statement removal, and the file's newline and indent style.

use std::ops::Range;

use tree_sitter::Node;

use crate::diagnostic::Edit;
use crate::source::SourceFile;

/// The newline and indent unit inserted code follows.
#[derive(Debug, Clone)]
pub struct Style {
    /// The file's newline bytes.
    pub newline: Vec<u8>,
    /// The file's indent unit.
    pub indent: Vec<u8>,
}

impl Style {
    /// The style of a source file.
    pub fn of(src: &SourceFile) -> Self {
        Style {
            newline: src.newline().as_bytes().to_vec(),
            indent: src.indent_unit().to_vec(),
        }
    }

    /// `levels` indent units.
    pub fn indent(&self, levels: usize) -> Vec<u8> {
        self.indent.repeat(levels)
    }
}

/// Renders a template from `transforms/`: `{key}` is replaced by its value, every four leading
/// spaces become one indent unit, lines are joined with the file's newline, and the template's
/// final newline is dropped. A value may span several lines; it is inserted as it is.
pub fn render(template: &str, values: &[(&str, &[u8])], style: &Style) -> Vec<u8> {
    let template = template.strip_suffix('\n').unwrap_or(template);
    let mut out = Vec::with_capacity(template.len() * 2);
    for (i, line) in template.split('\n').enumerate() {
        if i > 0 {
            out.extend_from_slice(&style.newline);
        }
        let spaces = line.len() - line.trim_start_matches(' ').len();
        for _ in 0..spaces / 4 {
            out.extend_from_slice(&style.indent);
        }
        out.extend(std::iter::repeat_n(b' ', spaces % 4));
        substitute(&line[spaces..], values, &mut out);
    }
    out
}

fn substitute(mut line: &str, values: &[(&str, &[u8])], out: &mut Vec<u8>) {
    while let Some(open) = line.find('{') {
        let Some(close) = line[open..].find('}').map(|c| open + c) else {
            break;
        };
        let key = &line[open + 1..close];
        match values.iter().find(|(k, _)| *k == key) {
            Some((_, value)) => {
                out.extend_from_slice(&line.as_bytes()[..open]);
                out.extend_from_slice(value);
            }
            None => out.extend_from_slice(&line.as_bytes()[..=close]),
        }
        line = &line[close + 1..];
    }
    out.extend_from_slice(line.as_bytes());
}

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
fn multiline_strings(root: Node) -> Vec<Range<usize>> {
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

/// Whether the rest of the line after `offset` holds only blanks and a comment.
pub fn rest_of_line_is_trivia(code: &[u8], offset: usize) -> bool {
    let rest = &code[offset..];
    let end = memchr::memchr2(b'\n', b'\r', rest).unwrap_or(rest.len());
    let rest = rest[..end].trim_ascii_start();
    rest.is_empty() || rest.starts_with(b"#")
}

/// Why a statement ending at `offset` cannot be rewritten alone, when code follows it on its
/// line: a trailing `;` (with nothing after it) or another statement.
pub fn shared_line_reason(code: &[u8], offset: usize) -> Option<&'static str> {
    if rest_of_line_is_trivia(code, offset) {
        return None;
    }
    let rest = code[offset..].trim_ascii_start();
    if rest.starts_with(b";") && rest_of_line_is_trivia(code, code.len() - rest.len() + 1) {
        return Some("remove the `;` that ends the statement first");
    }
    Some("the statement shares its line with another; split the line first")
}

/// Whether only blanks precede `offset` on its line.
pub fn start_of_line_is_blank(code: &[u8], offset: usize) -> bool {
    code[..offset]
        .iter()
        .rev()
        .take_while(|&&b| b != b'\n' && b != b'\r')
        .all(|b| matches!(b, b' ' | b'\t' | b'\x0c'))
}

/// The edit that removes a statement: its whole lines when it has them to itself, the statement
/// and its `;` when it shares a line, or `pass` when it is the only statement of its block.
pub fn remove_statement(src: &SourceFile, statement: Node) -> Edit {
    let code = src.code();
    if is_only_statement_in_block(statement) {
        return Edit::replace(statement.byte_range(), "pass");
    }
    let (start, end) = (statement.start_byte(), statement.end_byte());
    if start_of_line_is_blank(code, start) && rest_of_line_is_trivia(code, end) {
        let first_line = src.line_index(start);
        let line_start = src.line_start(first_line);
        let mut line_end = src.line_end_after_newline(end);
        // Between blank lines, the blank lines after the statement go with it, so that two
        // separated blocks do not leave four blank lines behind.
        let blank_before = first_line == 0 || is_blank_line(src, first_line - 1);
        if blank_before {
            let mut next = src.line_index(line_end.min(code.len().saturating_sub(1)));
            while line_end < code.len() && next < src.line_count() && is_blank_line(src, next) {
                line_end = src.line_start(next + 1);
                next += 1;
            }
        }
        return Edit::delete(line_start..line_end);
    }
    let after = &code[end..];
    let blanks = after
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count();
    if after.get(blanks) == Some(&b';') {
        let more = after[blanks + 1..]
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
        return Edit::delete(start..end + blanks + 1 + more);
    }
    let before = &code[..start];
    let semicolon = before.iter().rposition(|&b| b == b';').unwrap_or(start);
    Edit::delete(semicolon..end)
}

/// Deletes one item of a comma-separated list (`run` in `from asyncio import run, sleep`) with
/// its comma.
pub fn remove_list_item(code: &[u8], item: Node) -> Edit {
    let (start, end) = (item.start_byte(), item.end_byte());
    let after = &code[end..];
    let blanks = after
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count();
    if after.get(blanks) == Some(&b',') {
        let more = after[blanks + 1..]
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
        return Edit::delete(start..end + blanks + 1 + more);
    }
    let comma = code[..start]
        .iter()
        .rposition(|&b| b == b',')
        .unwrap_or(start);
    Edit::delete(comma..end)
}

fn is_blank_line(src: &SourceFile, line: usize) -> bool {
    src.code()[src.line_range(line)]
        .iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\x0c'))
}

fn is_only_statement_in_block(statement: Node) -> bool {
    let Some(parent) = statement.parent() else {
        return false;
    };
    if parent.kind() != "block" {
        return false;
    }
    let mut cursor = parent.walk();
    parent
        .named_children(&mut cursor)
        .filter(|c| c.kind() != "comment")
        .count()
        == 1
}

/// Converts bytes to an ASCII identifier fragment for generated names (`PROMPT_TEXT`,
/// `prompt_text`), keeping non-ASCII identifier bytes as they are.
pub fn name_text(name: &[u8]) -> String {
    String::from_utf8_lossy(name).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_uses_the_file_style() {
        let style = Style {
            newline: b"\r\n".to_vec(),
            indent: b"\t".to_vec(),
        };
        let text = render(
            "def {name}():\n    return {value}\n",
            &[("name", b"f"), ("value", b"1")],
            &style,
        );
        assert_eq!(text, b"def f():\r\n\treturn 1");
    }

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
