//! Ending `fix -i` early in a pseudo-terminal: Ctrl-C, Ctrl-D, SIGTERM, SIGHUP, SIGINT and a
//! panic keep the fixes accepted so far (the current file's too) and leave the terminal cooked;
//! Ctrl-C while the editor runs is the editor's; and a diff taller than the terminal goes
//! through the pager.

use expectrl::process::unix::Signal;

use super::pty::Pty;
use super::{ONE_GLOBAL, TWO_GLOBALS, project, read};

/// Accepts the first fix of `a.py` (of two), ends the session at the second question with
/// `end`, and checks that `a.py` keeps the accepted fix, `b.py` is untouched, the terminal is
/// restored and the exit code is `code`.
fn accept_one_then(end: impl FnOnce(&mut Pty), code: i32) {
    let dir = project(&[("a.py", TWO_GLOBALS), ("b.py", ONE_GLOBAL)]);
    let env = [("LOOPFIX_TEST_PANIC_ON_KEY", "!")];
    let Some(mut p) = Pty::spawn(dir.path(), &env) else {
        return;
    };
    p.expect("finding 1 of 3 \u{b7} file 1 of 2");
    p.answer("y");
    p.expect("finding 2 of 3 \u{b7} file 1 of 2");
    p.expect("Apply this fix [y,n,a,d,A,s,e,q,?]? ");
    end(&mut p);
    assert_eq!(p.finish(), code, "{}", p.transcript);
    assert!(p.is_cooked(), "the terminal is left raw");
    let a = read(dir.path(), "a.py");
    assert!(a.contains("async def load_a() -> None:"), "{a}");
    assert!(a.contains("B = asyncio.run(fetch('b'))"), "{a}");
    assert_eq!(read(dir.path(), "b.py"), ONE_GLOBAL);
}

/// An interrupt says what it kept and shows the cursor again.
fn says_interrupted(p: &mut Pty) {
    p.expect("loopfix: interrupted; the fixes accepted so far are written");
    assert!(p.transcript.contains("\x1b[?25h"), "{}", p.transcript);
}

#[test]
fn ctrl_c_keeps_the_accepted_fixes_of_the_current_file() {
    accept_one_then(
        |p| {
            p.press("\x03");
            says_interrupted(p);
        },
        130,
    );
}

#[test]
fn ctrl_c_while_the_editor_runs_is_the_editors_and_the_question_is_asked_again() {
    // As in git: the editor has the terminal, cooked, and Ctrl-C is its own (vi takes it as a
    // key; this editor dies of it). loopfix takes no edit, keeps what was accepted and asks
    // again.
    let dir = project(&[("a.py", TWO_GLOBALS), ("b.py", ONE_GLOBAL)]);
    let editor = "sh -c 'echo EDITOR-OPEN; sleep 30' editor";
    let Some(mut p) = Pty::spawn(dir.path(), &[("EDITOR", editor)]) else {
        return;
    };
    p.answer("y");
    p.answer("e");
    p.expect("EDITOR-OPEN");
    assert!(p.is_cooked(), "the editor runs in a raw terminal");
    p.type_now("\x03");
    p.expect("The edit was not taken");
    p.answer("q");
    p.expect("Quit. Applied 1 fix and skipped 0; wrote 1 file.");
    assert_eq!(p.finish(), 1, "{}", p.transcript);
    assert!(p.is_cooked(), "the terminal is left raw");
    let a = read(dir.path(), "a.py");
    assert!(a.contains("async def load_a() -> None:"), "{a}");
    assert!(a.contains("B = asyncio.run(fetch('b'))"), "{a}");
    assert_eq!(read(dir.path(), "b.py"), ONE_GLOBAL);
}

#[test]
fn ctrl_d_quits_as_q_does() {
    accept_one_then(
        |p| {
            p.press("\x04");
            p.expect("Quit. Applied 1 fix and skipped 0; wrote 1 file.");
        },
        1,
    );
}

#[test]
fn sigterm_while_a_key_is_awaited_keeps_the_accepted_fixes() {
    accept_one_then(
        |p| {
            p.wait_until_reading();
            p.signal(Signal::SIGTERM);
            says_interrupted(p);
        },
        143,
    );
}

#[test]
fn sighup_keeps_the_accepted_fixes() {
    accept_one_then(
        |p| {
            p.wait_until_reading();
            p.signal(Signal::SIGHUP);
            says_interrupted(p);
        },
        129,
    );
}

#[test]
fn sigint_from_outside_keeps_the_accepted_fixes() {
    accept_one_then(
        |p| {
            p.wait_until_reading();
            p.signal(Signal::SIGINT);
            says_interrupted(p);
        },
        130,
    );
}

#[test]
fn a_panic_keeps_the_accepted_fixes_and_ends_with_exit_2() {
    accept_one_then(
        |p| {
            p.press("!");
            p.expect("LOOPFIX_TEST_PANIC_ON_KEY was pressed");
            p.expect("loopfix: error: internal error: loopfix panicked");
        },
        2,
    );
}

/// A module whose fix rewrites many reads: a diff taller than the terminal (24 rows).
fn long_module() -> String {
    let mut text = String::from(
        "import asyncio\n\n\nasync def fetch(name):\n    return name\n\n\nA = asyncio.run(fetch('a'))\n",
    );
    for i in 0..15 {
        text.push_str(&format!("\n\nasync def handler{i}():\n    return A\n"));
    }
    text
}

#[test]
fn a_diff_taller_than_the_terminal_goes_through_the_pager() {
    let long = long_module();
    let files = [
        ("a.py", ONE_GLOBAL),
        ("b_long.py", &long),
        ("c_short.py", ONE_GLOBAL),
    ];
    let dir = project(&files);
    let pager = [("PAGER", "sed s/^/paged:/")];
    let Some(mut p) = Pty::spawn(dir.path(), &pager) else {
        return;
    };
    // 24 rows: the first diff (35 lines) is paged. At its question the binary waits for a
    // key, so the next questions see 60 rows: the long diff (over 100 lines) is paged, the
    // short one is printed as it is.
    p.expect("paged:--- a/a.py");
    p.expect("Apply this fix [y,n,a,d,A,s,e,q,?]? ");
    p.resize(60);
    p.press("n");
    p.expect("b_long.py:8:");
    p.expect("paged:--- a/b_long.py");
    p.expect("paged:+async def load_a() -> None:");
    p.answer("n");
    p.expect("c_short.py:8:");
    p.expect("+async def load_c() -> None:");
    p.answer("n");
    p.expect("Applied 0 fixes and skipped 3; wrote 0 files.");
    assert_eq!(p.finish(), 1);
    let short = p
        .transcript
        .split("c_short.py:8:")
        .nth(1)
        .unwrap_or_default();
    assert!(!short.contains("paged:"), "{short}");
    assert_eq!(read(dir.path(), "b_long.py"), long);
}
