//! Edits on a file's lines: whether a statement has its line to itself, removing statements
//! (one statement; [`super::removal`] removes several without residue) and list items, and names as text.

use tree_sitter::Node;

use crate::diagnostic::{Blocked, Edit};
use crate::source::SourceFile;

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
