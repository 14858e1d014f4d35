//! Each key of `fix -i` pressed in a pseudo-terminal, single keys without Enter: the header of
//! each question, the files after the session and the exit code.

use super::pty::Pty;
use super::{ONE_GLOBAL, TWO_GLOBALS, WITH_APP, project, read};

/// The summary line ends the run: exit 1 while findings remain.
const FINDINGS_REMAIN: i32 = 1;

#[test]
fn y_applies_and_n_skips() {
    let dir = project(&[("m.py", TWO_GLOBALS)]);
    let Some(mut p) = Pty::spawn(dir.path(), &[]) else {
        return;
    };
    p.expect("finding 1 of 2 \u{b7} file 1 of 1");
    p.expect("LF001 m.py:8:");
    p.expect("fix (safe, strategy auto): ");
    p.expect("+async def load_a() -> None:");
    p.answer("y");
    p.expect("finding 2 of 2 \u{b7} file 1 of 1");
    p.answer("n");
    p.expect("Applied 1 fix and skipped 1; wrote 1 file. 1 finding remains.");
    assert_eq!(p.finish(), FINDINGS_REMAIN);
    let text = read(dir.path(), "m.py");
    assert!(text.contains("async def load_a() -> None:"), "{text}");
    assert!(text.contains("B = asyncio.run(fetch('b'))"), "{text}");
}

#[test]
fn a_applies_the_rest_of_this_file_only() {
    let dir = project(&[("a.py", TWO_GLOBALS), ("b.py", ONE_GLOBAL)]);
    let Some(mut p) = Pty::spawn(dir.path(), &[]) else {
        return;
    };
    p.expect("finding 1 of 3 \u{b7} file 1 of 2");
    p.answer("a");
    p.expect("finding 3 of 3 \u{b7} file 2 of 2");
    p.expect("b.py:8:");
    p.answer("n");
    p.expect("Applied 2 fixes and skipped 1; wrote 1 file.");
    assert_eq!(p.finish(), FINDINGS_REMAIN);
    let a = read(dir.path(), "a.py");
    assert!(a.contains("load_a") && a.contains("load_b"), "{a}");
    assert_eq!(read(dir.path(), "b.py"), ONE_GLOBAL);
}

#[test]
fn d_skips_the_rest_of_this_file_only() {
    let dir = project(&[("a.py", TWO_GLOBALS), ("b.py", ONE_GLOBAL)]);
    let Some(mut p) = Pty::spawn(dir.path(), &[]) else {
        return;
    };
    p.expect("finding 1 of 3 \u{b7} file 1 of 2");
    p.answer("d");
    p.expect("finding 3 of 3 \u{b7} file 2 of 2");
    p.answer("y");
    p.expect("Applied 1 fix and skipped 1; wrote 1 file. 2 findings remain.");
    assert_eq!(p.finish(), FINDINGS_REMAIN);
    assert_eq!(read(dir.path(), "a.py"), TWO_GLOBALS);
    assert!(read(dir.path(), "b.py").contains("load_c"));
}

#[test]
fn capital_a_applies_everything_that_follows() {
    let dir = project(&[("a.py", TWO_GLOBALS), ("b.py", ONE_GLOBAL)]);
    let Some(mut p) = Pty::spawn(dir.path(), &[]) else {
        return;
    };
    p.answer("A");
    p.expect("Applied 3 fixes and skipped 0; wrote 2 files.");
    assert_eq!(p.finish(), 0);
    assert!(read(dir.path(), "a.py").contains("load_b"));
    assert!(read(dir.path(), "b.py").contains("load_c"));
}

#[test]
fn q_quits_and_keeps_what_was_accepted() {
    let dir = project(&[("a.py", TWO_GLOBALS), ("b.py", ONE_GLOBAL)]);
    let Some(mut p) = Pty::spawn(dir.path(), &[]) else {
        return;
    };
    p.answer("y");
    p.expect("finding 2 of 3");
    p.answer("q");
    p.expect("Quit. Applied 1 fix and skipped 0; wrote 1 file.");
    assert_eq!(p.finish(), FINDINGS_REMAIN);
    let a = read(dir.path(), "a.py");
    assert!(a.contains("load_a") && !a.contains("load_b"), "{a}");
    assert_eq!(read(dir.path(), "b.py"), ONE_GLOBAL);
}

#[test]
fn s_switches_the_strategy() {
    let dir = project(&[("app.py", WITH_APP)]);
    let Some(mut p) = Pty::spawn(dir.path(), &[]) else {
        return;
    };
    p.expect("strategy auto");
    p.answer("s");
    p.expect("finding 1 of 1");
    p.expect("strategy init");
    p.expect("async def init() -> None:");
    p.answer("y");
    p.expect("Applied 1 fix and skipped 0; wrote 1 file.");
    assert_eq!(p.finish(), 0);
    assert!(read(dir.path(), "app.py").contains("async def init() -> None:"));
}

#[test]
fn e_writes_the_text_the_editor_leaves() {
    let dir = project(&[("m.py", TWO_GLOBALS)]);
    // The editor renames the new function everywhere in the file it is given.
    let editor = "sed -i s/load_a/load_mine/g";
    let Some(mut p) = Pty::spawn(dir.path(), &[("EDITOR", editor)]) else {
        return;
    };
    p.answer("e");
    p.expect("finding 2 of 2");
    p.answer("n");
    p.expect("Applied 1 fix and skipped 1; wrote 1 file.");
    assert_eq!(p.finish(), FINDINGS_REMAIN);
    let text = read(dir.path(), "m.py");
    assert!(text.contains("async def load_mine() -> None:"), "{text}");
    assert!(!text.contains("load_a"), "{text}");
    assert!(text.contains("B = asyncio.run(fetch('b'))"), "{text}");
}

#[test]
fn e_with_an_edit_that_does_not_parse_asks_again() {
    let dir = project(&[("m.py", ONE_GLOBAL)]);
    let Some(mut p) = Pty::spawn(dir.path(), &[("VISUAL", "printf 'def (\\n' >>")]) else {
        return;
    };
    p.answer("e");
    p.expect("The edited file does not parse (syntax error at line");
    p.answer("y");
    p.expect("Applied 1 fix and skipped 0; wrote 1 file.");
    assert_eq!(p.finish(), 0);
    let text = read(dir.path(), "m.py");
    assert!(text.contains("async def load_c() -> None:"), "{text}");
    assert!(!text.contains("def ("), "{text}");
}

#[test]
fn question_mark_prints_the_keys_and_an_unknown_key_asks_again() {
    let dir = project(&[("m.py", ONE_GLOBAL)]);
    let Some(mut p) = Pty::spawn(dir.path(), &[]) else {
        return;
    };
    p.answer("?");
    p.expect("y - apply this fix");
    p.expect("e - edit the file with this fix applied");
    p.expect("? - print this help");
    p.answer("x");
    p.answer("y");
    p.expect("Applied 1 fix and skipped 0; wrote 1 file.");
    assert_eq!(p.finish(), 0);
    assert!(read(dir.path(), "m.py").contains("load_c"));
}
