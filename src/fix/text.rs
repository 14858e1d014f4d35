//! Edits on a file's lines: whether a statement has its line to itself, removing statements
//! (one statement; [`super::removal`] removes several without residue) and list items, names as
//! text, and edits fitted to a file's newline style.

use tree_sitter::Node;

use crate::diagnostic::{Blocked, Edit};
use crate::source::{Newline, SourceFile};

/// Whether the rest of the line after `offset` holds only blanks and a comment.
pub fn rest_of_line_is_trivia(code: &[u8], offset: usize) -> bool {
    let rest = &code[offset..];
    let end = memchr::memchr2(b'\n', b'\r', rest).unwrap_or(rest.len());
    let rest = rest[..end].trim_ascii_start();
    rest.is_empty() || rest.starts_with(b"#")
}

/// Why a statement ending at `offset` cannot be rewritten alone, when code follows it on its
/// line: a trailing `;` (with nothing after it) or another statement.
pub fn shared_line_reason(code: &[u8], offset: usize) -> Option<Blocked> {
    if rest_of_line_is_trivia(code, offset) {
        return None;
    }
    let rest = code[offset..].trim_ascii_start();
    if rest.starts_with(b";") && rest_of_line_is_trivia(code, code.len() - rest.len() + 1) {
        return Some(Blocked::EndsWithSemicolon);
    }
    Some(Blocked::SharesLine)
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

pub(crate) fn is_blank_line(src: &SourceFile, line: usize) -> bool {
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

/// `edit` fitted to the newline style of the file `code` (ends its lines with `newline`): in a
/// CRLF file no range starts or ends between a `\r` and its `\n` (a comment's node holds the
/// `\r` of its line: a statement's range that ends in one would drop it), and every line the
/// edit's text ends, ends with exactly `\r\n` (text built with `\n`, or copied from a line that
/// ends in a comment and then given a newline, would give `\n` or `\r\r\n`).
pub fn in_newline_style(code: &[u8], newline: Newline, mut edit: Edit) -> Edit {
    if newline != Newline::CrLf {
        return edit;
    }
    let splits_crlf =
        |at: usize| at > 0 && code.get(at - 1) == Some(&b'\r') && code.get(at) == Some(&b'\n');
    let range = &mut edit.range;
    if range.start == range.end {
        if splits_crlf(range.start) {
            range.start -= 1;
            range.end -= 1;
        }
    } else {
        if splits_crlf(range.end) {
            range.end -= 1;
        }
        if splits_crlf(range.start) {
            range.start -= 1;
        }
    }
    if edit.content.contains(&b'\n') {
        edit.content = crlf_line_endings(&edit.content);
    }
    edit
}

/// `text` with each `\n`, and the `\r`s just before it, made one `\r\n`.
fn crlf_line_endings(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + text.len() / 32 + 2);
    for line in text.split_inclusive(|&b| b == b'\n') {
        match line.strip_suffix(b"\n") {
            Some(body) => {
                let end = body.iter().rposition(|&b| b != b'\r').map_or(0, |i| i + 1);
                out.extend_from_slice(&body[..end]);
                out.extend_from_slice(b"\r\n");
            }
            None => out.extend_from_slice(line),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CODE: &[u8] = b"x = 1  # c\r\ny = 2\r\n";

    fn fitted(edit: Edit) -> Edit {
        in_newline_style(CODE, Newline::CrLf, edit)
    }

    #[test]
    fn a_range_that_ends_in_a_comment_keeps_the_lines_cr() {
        // A statement's node that ends in a comment holds the `\r`.
        let edit = fitted(Edit::replace(0..11, "x = None"));
        assert_eq!(edit, Edit::replace(0..10, "x = None"));
    }

    #[test]
    fn an_insertion_after_a_comment_goes_before_the_cr() {
        let edit = fitted(Edit::insert(11, "\r\nz = 3"));
        assert_eq!(edit, Edit::insert(10, "\r\nz = 3"));
        let replaced = fitted(Edit::replace(11..17, "\r\nz = 3"));
        assert_eq!(replaced.range, 10..17);
    }

    #[test]
    fn text_ends_its_lines_with_crlf_only() {
        let edit = fitted(Edit::insert(19, "a  # c\r\r\nb\nc\r\n"));
        assert_eq!(edit.content, b"a  # c\r\nb\r\nc\r\n");
    }

    #[test]
    fn other_styles_are_left_alone() {
        let edit = Edit::replace(0..11, "a\r\r\nb\n");
        assert_eq!(in_newline_style(CODE, Newline::Lf, edit.clone()), edit);
    }
}
