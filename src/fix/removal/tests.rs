//! Tests of removals without residue: emptied clauses, unwrapped `try`, kept comments and `pass`.

use super::*;
use crate::diagnostic::apply_edits;
use crate::syntax::parse::parse;

/// Removes the statements whose text starts with one of `prefixes` (their first line).
fn remove(code: &str, prefixes: &[&str]) -> String {
    let src = SourceFile::new(code.as_bytes().to_vec()).unwrap();
    let tree = parse(src.parse_text()).unwrap();
    let mut found = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        let text = &code[node.byte_range()];
        let is_statement = node
            .parent()
            .is_some_and(|p| matches!(p.kind(), "block" | "module"));
        if is_statement && prefixes.iter().any(|p| text.starts_with(p)) {
            found.push(node);
            continue;
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
    let edits = removal_edits(&src, &found);
    let refs: Vec<&Edit> = edits.iter().collect();
    let out = String::from_utf8(apply_edits(src.code(), &refs)).unwrap();
    assert!(
        crate::syntax::parse::parses_cleanly(out.as_bytes()),
        "does not parse:\n{out}"
    );
    out
}

#[test]
fn an_emptied_finally_goes_and_the_try_unwraps() {
    let code = "try:\n    x = 1\n    y = 2\nfinally:\n    loop.close()\nz = 3\n";
    assert_eq!(remove(code, &["loop.close"]), "x = 1\ny = 2\nz = 3\n");
}

#[test]
fn a_nested_try_unwraps_at_its_own_indentation() {
    let code =
        "if a:\n    try:\n        x = f(\n            1)\n    finally:\n        loop.close()\n";
    assert_eq!(
        remove(code, &["loop.close"]),
        "if a:\n    x = f(\n        1)\n"
    );
}

#[test]
fn strings_keep_their_lines_when_a_try_unwraps() {
    let code = "try:\n    x = '''a\n        b'''\nfinally:\n    loop.close()\n";
    assert_eq!(remove(code, &["loop.close"]), "x = '''a\n        b'''\n");
}

#[test]
fn an_emptied_finally_beside_an_except_goes_alone() {
    let code = "try:\n    x = 1\nexcept E:\n    y = 2\nfinally:\n    loop.close()\n";
    assert_eq!(
        remove(code, &["loop.close"]),
        "try:\n    x = 1\nexcept E:\n    y = 2\n"
    );
}

#[test]
fn an_emptied_except_keeps_a_pass() {
    let code = "try:\n    x = 1\nexcept E:\n    loop.close()\n";
    assert_eq!(
        remove(code, &["loop.close"]),
        "try:\n    x = 1\nexcept E:\n    pass\n"
    );
}

#[test]
fn an_if_with_nothing_left_goes_keeping_its_comments() {
    let code = "a = 1\nif c:\n    # why\n    loop.close()\nelse:\n    loop.stop()\nb = 2\n";
    assert_eq!(
        remove(code, &["loop.close", "loop.stop"]),
        "a = 1\n# why\nb = 2\n"
    );
}

#[test]
fn a_trailing_else_goes_and_a_first_branch_keeps_a_pass() {
    let code = "if c:\n    x = 1\nelse:\n    loop.close()\n";
    assert_eq!(remove(code, &["loop.close"]), "if c:\n    x = 1\n");
    let code = "if c:\n    loop.close()\nelse:\n    x = 1\n";
    assert_eq!(
        remove(code, &["loop.close"]),
        "if c:\n    pass\nelse:\n    x = 1\n"
    );
}

#[test]
fn a_try_with_an_emptied_body_goes_with_its_handlers() {
    let code = "x = 1\ntry:\n    asyncio.set_event_loop(loop)\nexcept E:\n    log()\ny = 2\n";
    assert_eq!(remove(code, &["asyncio.set"]), "x = 1\ny = 2\n");
}

#[test]
fn removal_climbs_to_the_enclosing_if() {
    let code = "if a:\n    if b:\n        loop.close()\nz = 1\n";
    assert_eq!(remove(code, &["loop.close"]), "z = 1\n");
}

#[test]
fn a_with_body_keeps_a_pass() {
    let code = "with c:\n    loop.close()\n";
    assert_eq!(remove(code, &["loop.close"]), "with c:\n    pass\n");
}

#[test]
fn a_one_line_try_keeps_its_finally_with_a_pass() {
    let code = "try: x = 1\nfinally: loop.close()\n";
    assert_eq!(remove(code, &["loop.close"]), "try: x = 1\nfinally: pass\n");
}
