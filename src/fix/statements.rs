//! Where new statements go: the first statement of a function (after its docstring, on its own
//! line or after a `;`), and the blank lines that part a new block from the code after it.

use tree_sitter::Node;

use super::ctx::Ctx;
use super::text;
use crate::diagnostic::{Blocked, Edit};
use crate::syntax::tree::is_docstring;

/// Blank lines from `offset` to the next line with content, passing over lines the fix removes;
/// only blank lines up to the end of the file need no padding, so they count as enough.
pub(crate) fn blank_lines_after(
    ctx: &Ctx,
    offset: usize,
    removed: &[std::ops::Range<usize>],
) -> usize {
    let code = ctx.src.code();
    let mut line = ctx.src.line_index(offset.min(code.len()));
    if offset >= code.len() {
        return 2;
    }
    let mut count = 0;
    while line < ctx.src.line_count() {
        let range = ctx.src.line_range(line);
        let whole_line = ctx.src.line_start(line)..ctx.src.line_start(line + 1);
        line += 1;
        let is_removed = removed
            .iter()
            .any(|r| r.start <= whole_line.start && whole_line.end <= r.end);
        if is_removed {
            continue;
        }
        if !code[range].iter().all(|b| b.is_ascii_whitespace()) {
            return count;
        }
        count += 1;
    }
    2
}

/// Inserts `statement` as the first statement of a function, after its docstring.
pub(crate) fn first_statement_edit(
    ctx: &Ctx,
    def: Node,
    statement: &[u8],
) -> Result<Edit, Blocked> {
    let code = ctx.src.code();
    let body = def
        .child_by_field_name("body")
        .ok_or(Blocked::AsyncDefWithoutBody)?;
    let mut cursor = body.walk();
    let statements: Vec<Node> = body
        .named_children(&mut cursor)
        .filter(|c| c.kind() != "comment")
        .collect();
    let first = *statements.first().ok_or(Blocked::AsyncDefWithoutBody)?;
    let docstring = is_docstring(first).then_some(first);
    let first_line = ctx.src.line_index(first.start_byte());
    // `async def f(): \` continues onto the body's line: the body is a one-line suite.
    let continued = first_line > 0
        && code[ctx.src.line_range(first_line - 1)]
            .trim_ascii_end()
            .ends_with(b"\\");
    let one_line = first_line == ctx.src.line_index(def.start_byte())
        || continued
        || !text::start_of_line_is_blank(code, first.start_byte());
    if one_line {
        return Ok(match docstring {
            Some(doc) => Edit::insert(doc.end_byte(), [b"; ".as_slice(), statement].concat()),
            None => Edit::insert(first.start_byte(), [statement, b"; ".as_slice()].concat()),
        });
    }
    let indent = ctx.src.line_indent(first.start_byte()).to_vec();
    match docstring {
        Some(doc) if text::rest_of_line_is_trivia(code, doc.end_byte()) => {
            let line_end = ctx.src.line_range(ctx.src.line_index(doc.end_byte())).end;
            Ok(Edit::insert(
                line_end,
                [ctx.style.newline.as_slice(), &indent, statement].concat(),
            ))
        }
        Some(doc) => Ok(Edit::insert(
            doc.end_byte(),
            [b"; ".as_slice(), statement].concat(),
        )),
        None => Ok(Edit::insert(
            first.start_byte(),
            [statement, &ctx.style.newline, &indent].concat(),
        )),
    }
}
