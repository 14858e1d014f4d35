//! Indentation as CPython reads it: each logical line's indent measured with tabs to multiples of
//! eight and with tabs as one column must order the lines the same way, or CPython raises
//! `TabError` (and a dedent to no enclosing level raises `IndentationError`), where tree-sitter
//! reads the file without complaint.

use tree_sitter::{Node, Tree};

/// Nodes that start a logical line of their own when they start their line.
const CLAUSES: &[&str] = &[
    "elif_clause",
    "else_clause",
    "except_clause",
    "except_group_clause",
    "finally_clause",
    "case_clause",
];

/// The 1-based line of the first logical line whose indentation CPython rejects, if one does.
pub fn inconsistent_line(tree: &Tree, text: &[u8]) -> Option<usize> {
    let mut starts = Vec::new();
    line_starts(tree.root_node(), text, &mut starts);
    starts.sort_unstable();
    starts.dedup();
    let mut stack: Vec<(usize, usize)> = vec![(0, 0)];
    for start in starts {
        let indent = measure(&text[line_start(text, start)..start]);
        if !fits(&mut stack, indent) {
            return Some(
                tree.root_node()
                    .descendant_for_byte_range(start, start)?
                    .start_position()
                    .row
                    + 1,
            );
        }
    }
    None
}

/// Whether an indent fits the stack of open levels, as CPython's tokenizer checks it (opening
/// a level when deeper, closing levels when shallower).
fn fits(stack: &mut Vec<(usize, usize)>, (col, alt): (usize, usize)) -> bool {
    let &(top_col, top_alt) = stack.last().unwrap_or(&(0, 0));
    if col == top_col {
        return alt == top_alt;
    }
    if col > top_col {
        stack.push((col, alt));
        return alt > top_alt;
    }
    while stack.len() > 1 && stack.last().is_some_and(|&(c, _)| col < c) {
        stack.pop();
    }
    stack.last() == Some(&(col, alt))
}

/// The columns of an indent with tabs to multiples of eight and with tabs as one column; a form
/// feed starts both again at zero.
fn measure(indent: &[u8]) -> (usize, usize) {
    let (mut col, mut alt) = (0, 0);
    for &b in indent {
        match b {
            b'\t' => {
                col = (col / 8 + 1) * 8;
                alt += 1;
            }
            b'\x0c' => (col, alt) = (0, 0),
            _ => {
                col += 1;
                alt += 1;
            }
        }
    }
    (col, alt)
}

/// The byte offset where the line holding `offset` starts.
fn line_start(text: &[u8], offset: usize) -> usize {
    text[..offset]
        .iter()
        .rposition(|&b| b == b'\n' || b == b'\r')
        .map_or(0, |p| p + 1)
}

/// The starts of the statements and clauses that begin their line (comments left out). Only
/// statements hold statements, so expressions are not walked (a long list costs nothing).
fn line_starts(root: Node, text: &[u8], out: &mut Vec<usize>) {
    let mut pending = vec![root];
    while let Some(node) = pending.pop() {
        let holds_statements = matches!(node.kind(), "module" | "block" | "decorated_definition");
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            let kind = child.kind();
            let starts_a_line = (holds_statements || CLAUSES.contains(&kind))
                && kind != "comment"
                && first_on_line(text, child.start_byte());
            if starts_a_line {
                out.push(child.start_byte());
            }
            if may_hold_statements(kind) {
                pending.push(child);
            }
        }
    }
}

/// Whether a node of this kind may hold statements: a block, a compound statement or one of
/// its clauses, a definition.
fn may_hold_statements(kind: &str) -> bool {
    kind == "block"
        || kind.ends_with("_statement")
        || kind.ends_with("_clause")
        || kind.ends_with("_definition")
}

/// Whether only indentation comes before `offset` on its line.
fn first_on_line(text: &[u8], offset: usize) -> bool {
    text[..offset]
        .iter()
        .rev()
        .take_while(|&&b| b != b'\n' && b != b'\r')
        .all(|b| matches!(b, b' ' | b'\t' | b'\x0c'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(code: &str) -> Option<usize> {
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&tree_sitter_python::LANGUAGE.into())
            .unwrap();
        let tree = parser.parse(code, None).unwrap();
        inconsistent_line(&tree, code.as_bytes())
    }

    #[test]
    fn indents_that_cpython_compiles_pass() {
        assert_eq!(
            check("if x:\n\ty = 1\n\tif y:\n\t\tz = 2\nelse:\n    w = 3\n"),
            None
        );
        assert_eq!(
            check("def f():\n        \tx = 1\n        \treturn x\n"),
            None
        );
        assert_eq!(
            check("def f():\n# c\n\treturn 1\n\n\ndef g(): return 2\n"),
            None
        );
        assert_eq!(
            check("def f():\n    s = '''\n\tx\n'''\n    return s\n"),
            None
        );
    }

    #[test]
    fn tab_errors_are_found() {
        // Four spaces then a tab: one level under tabsize 8, where a tab alone is eight columns.
        assert_eq!(check("if x:\n    y = 1\n\tz = 2\n"), Some(3));
        assert_eq!(check("if x:\n\ty = 1\n        z = 2\n"), Some(3));
        // A dedent to a level that was never open.
        assert_eq!(check("if x:\n        y = 1\n    z = 2\n"), Some(3));
    }
}
