//! Tree-sitter parser setup and syntax-error detection (ERROR / MISSING nodes, runaway nesting,
//! files too large to parse).

use std::cell::RefCell;
use std::time::{Duration, Instant};

use thiserror::Error;
use tree_sitter::{Language, Node, ParseOptions, ParseState, Parser, Point, Tree};

use super::comment_runs;

/// Deepest syntax tree loopfix analyses. CPython refuses 200 nested parentheses, but a flat
/// chain such as `1 + 1 + ... + 1` nests one tree level per operator and CPython compiles
/// thousands of them; its parser stops near 6000. loopfix runs its passes on threads with large
/// stacks (see `main.rs` and the worker pool) so that this depth fits.
pub const MAX_DEPTH: usize = 6_000;

/// The largest file loopfix parses. Tree-sitter needs about fifty times a file's size in memory;
/// a module this large is generated code, and a clear refusal beats gigabytes of memory.
pub const MAX_PARSE_BYTES: usize = 8 * 1024 * 1024;

/// The longest one parse may run. The largest file loopfix parses takes well under a second;
/// this only stops a pathology of the grammar's scanner that nothing else contains.
pub const PARSE_BUDGET: Duration = Duration::from_secs(20);

/// Why a module cannot be analysed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// Tree-sitter found an ERROR or MISSING node.
    #[error("syntax error at line {line}, column {column}{detail}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based byte column.
        column: usize,
        /// What is missing, when tree-sitter knows.
        detail: String,
    },
    /// Indentation that tree-sitter reads but CPython rejects (`TabError`, or a dedent to no
    /// enclosing level).
    #[error(
        "indentation at line {line} that Python rejects (tabs and spaces mixed inconsistently, or a dedent that matches no outer level)"
    )]
    Indentation {
        /// 1-based line.
        line: usize,
    },
    /// The tree is deeper than [`MAX_DEPTH`].
    #[error("nesting deeper than {MAX_DEPTH} levels at line {line} (CPython rejects this too)")]
    TooDeep {
        /// 1-based line where the limit was crossed.
        line: usize,
    },
    /// Tree-sitter gave up (it only does so when cancelled).
    #[error("the parser gave up")]
    Aborted,
    /// The parse ran past [`PARSE_BUDGET`].
    #[error(
        "parsing took longer than {seconds} seconds; skipped so that one file cannot stall the run"
    )]
    TooSlow {
        /// The budget, in seconds.
        seconds: u64,
    },
    /// The file is larger than loopfix parses.
    #[error("{size} bytes is more than the {limit} bytes loopfix parses; skipped")]
    TooLarge {
        /// The file's size.
        size: usize,
        /// The limit.
        limit: usize,
    },
}

/// The Python grammar.
pub fn language() -> Language {
    tree_sitter_python::LANGUAGE.into()
}

thread_local! {
    static PARSER: RefCell<Parser> = RefCell::new(new_parser());
}

fn new_parser() -> Parser {
    let mut parser = Parser::new();
    parser.set_language(&language()).expect(
        "the bundled grammar matches the tree-sitter version (guarded by syntax::parse::tests)",
    );
    parser
}

/// Refuses a source larger than [`MAX_PARSE_BYTES`].
pub fn check_size(len: usize) -> Result<(), ParseError> {
    if len > MAX_PARSE_BYTES {
        return Err(ParseError::TooLarge {
            size: len,
            limit: MAX_PARSE_BYTES,
        });
    }
    Ok(())
}

/// Parses Python source and refuses trees with syntax errors or runaway nesting.
pub fn parse(text: &[u8]) -> Result<Tree, ParseError> {
    parse_reusing(text, None)
}

/// [`parse`], reusing `old`: the tree of an earlier version of the text, already told of the
/// change with [`Tree::edit`], so that tree-sitter parses again only what the change touched
/// (the language server, after each keystroke).
///
/// Long runs of comment lines are blanked for the parser ([`comment_runs`]); such a text is
/// parsed whole, without `old`. A parse that runs past [`PARSE_BUDGET`] is given up.
pub fn parse_reusing(text: &[u8], old: Option<&Tree>) -> Result<Tree, ParseError> {
    let blanked = comment_runs::blanked_for_parse(text);
    let (text, old) = match &blanked {
        Some(blanked) => (blanked.as_slice(), None),
        None => (text, old),
    };
    let tree = PARSER.with(|parser| parse_within_budget(&mut parser.borrow_mut(), text, old))?;
    check_tree(&tree)?;
    if let Some(line) = super::indent::inconsistent_line(&tree, text) {
        return Err(ParseError::Indentation { line });
    }
    Ok(tree)
}

/// Parses with tree-sitter, cancelling once [`PARSE_BUDGET`] has passed.
fn parse_within_budget(
    parser: &mut Parser,
    text: &[u8],
    old: Option<&Tree>,
) -> Result<Tree, ParseError> {
    let started = Instant::now();
    let mut over_budget = |_: &ParseState| started.elapsed() > PARSE_BUDGET;
    let options = ParseOptions::new().progress_callback(&mut over_budget);
    let mut read = |offset: usize, _: Point| text.get(offset..).unwrap_or_default();
    let Some(tree) = parser.parse_with_options(&mut read, old, Some(options)) else {
        // A cancelled parse is kept for resuming; the next file starts afresh.
        parser.reset();
        return Err(ParseError::TooSlow {
            seconds: PARSE_BUDGET.as_secs(),
        });
    };
    Ok(tree)
}

/// Whether `text` parses without ERROR or MISSING nodes, and with indentation that CPython
/// accepts (tree-sitter reads some mixes of tabs and spaces that CPython rejects).
pub fn parses_cleanly(text: &[u8]) -> bool {
    parse(text).is_ok()
}

fn check_tree(tree: &Tree) -> Result<(), ParseError> {
    let root = tree.root_node();
    let mut cursor = root.walk();
    let mut depth = 0usize;
    let check_errors = root.has_error();
    loop {
        let node = cursor.node();
        if check_errors && (node.is_error() || node.is_missing()) {
            return Err(syntax_error(node));
        }
        if depth > MAX_DEPTH {
            return Err(ParseError::TooDeep {
                line: node.start_position().row + 1,
            });
        }
        let descend = check_errors && node.has_error() || depth_may_exceed(node, depth);
        if descend && cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return Ok(());
            }
            depth -= 1;
        }
    }
}

/// A subtree can only be too deep if it spans enough bytes to hold the nesting: every level of
/// real nesting costs at least one byte, and the grammar wraps a token in a handful of nodes at
/// most, so eight levels per byte is a safe over-estimate.
fn depth_may_exceed(node: Node, depth: usize) -> bool {
    (node.end_byte() - node.start_byte()) * 8 + depth > MAX_DEPTH
}

fn syntax_error(node: Node) -> ParseError {
    let position = node.start_position();
    let detail = if node.is_missing() {
        format!(": missing `{}`", node.kind())
    } else {
        String::new()
    };
    ParseError::Syntax {
        line: position.row + 1,
        column: position.column + 1,
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar_loads_and_parses() {
        assert!(parse(b"import asyncio\nX = asyncio.run(f())\n").is_ok());
    }

    #[test]
    fn a_rewrite_that_cpython_would_reject_for_its_tabs_does_not_parse_cleanly() {
        // tree-sitter reads both; CPython raises TabError on the second.
        assert!(parses_cleanly(b"def f():\n\tx = 1\n\treturn x\n"));
        assert!(!parses_cleanly(b"def f():\n    x = 1\n\treturn x\n"));
    }

    #[test]
    fn a_file_whose_indentation_cpython_rejects_is_refused_with_its_line() {
        // tree-sitter reads it; CPython raises IndentationError (the fuzz targets found it:
        // `check` offered a fix that `fix` then refused as invalid Python).
        let text = b"import asyncio\n\n\n\tasync def fetch():\n    return 1\n\n\nX = asyncio.run(fetch())\n";
        let err = parse(text).unwrap_err();
        assert!(
            matches!(err, ParseError::Indentation { line: 5 }),
            "{err:?}"
        );
    }

    #[test]
    fn syntax_errors_have_a_location() {
        let err = parse(b"x = 1\ndef f(:\n    pass\n").unwrap_err();
        assert!(matches!(err, ParseError::Syntax { line: 2, .. }), "{err:?}");
    }

    /// The non-comment nodes of a tree, with their kinds and byte ranges, in order.
    fn code_nodes(tree: &Tree) -> Vec<(&'static str, std::ops::Range<usize>)> {
        let mut nodes = Vec::new();
        let mut stack = vec![tree.root_node()];
        while let Some(node) = stack.pop() {
            if node.kind() != "comment" {
                nodes.push((node.kind(), node.byte_range()));
            }
            let mut cursor = node.walk();
            let children: Vec<Node> = node.children(&mut cursor).collect();
            stack.extend(children.into_iter().rev());
        }
        nodes
    }

    #[test]
    fn long_comment_runs_are_blanked_and_the_code_parses_the_same() {
        let comments: String = (0..200)
            .map(|i| format!("    # note {i}\n# it's {i}\n\n"))
            .collect();
        let text = format!("def f():\n    x = 1\n{comments}    return x\n{comments}X = f()\n");
        assert!(comment_runs::blanked_for_parse(text.as_bytes()).is_some());
        let blanked = parse(text.as_bytes()).expect("parses");
        let as_written = new_parser().parse(text.as_bytes(), None).unwrap();
        assert_eq!(code_nodes(&blanked), code_nodes(&as_written));
    }

    #[test]
    fn deep_nesting_is_refused_not_crashed() {
        let depth = 50_000;
        let text = format!("x = {}1{}\n", "(".repeat(depth), ")".repeat(depth));
        assert!(parse(text.as_bytes()).is_err());
    }
}
