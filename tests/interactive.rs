//! The interactive fixer: the session logic with scripted answers, and the real binary in a
//! pseudo-terminal with the real keys pressed (arrow down, Enter); without a terminal it stops
//! with exit code 2 and touches nothing.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use expectrl::session::OsSession;
use expectrl::{Expect, Session};
use loopfix::interactive::{Choice, Prompt, Question, run_with_prompt};
use loopfix::settings::{CliOverrides, Resolver};

const TWO_GLOBALS: &str = "import asyncio\n\n\nasync def fetch(name):\n    return name\n\n\nA = asyncio.run(fetch('a'))\nB = asyncio.run(fetch('b'))\n\n\nasync def handler():\n    return A, B\n";
const ONE_GLOBAL: &str = "import asyncio\n\n\nasync def fetch():\n    return 1\n\n\nC = asyncio.run(fetch())\n\n\nasync def handler():\n    return C\n";
const WITH_APP: &str = "import asyncio\n\nfrom fastapi import FastAPI\n\n\nasync def fetch():\n    return 1\n\n\nD = asyncio.run(fetch())\napp = FastAPI()\n\n\nasync def handler():\n    return D\n";

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn read(dir: &Path, name: &str) -> String {
    fs::read_to_string(dir.join(name)).unwrap()
}

/// Answers from a script, recording what was asked.
struct Scripted {
    answers: Vec<Choice>,
    asked: Vec<String>,
}

impl Prompt for Scripted {
    fn ask(&mut self, question: &Question) -> anyhow::Result<Choice> {
        self.asked.push(format!(
            "{}:{} {} [{}]",
            question.path,
            question.line,
            question.finding.rule.code(),
            question.strategy
        ));
        assert!(!question.diff.is_empty(), "every question shows a diff");
        Ok(self.answers.remove(0))
    }
}

fn session(dir: &Path, answers: Vec<Choice>) -> (loopfix::interactive::Summary, Vec<String>) {
    let resolver = Arc::new(Resolver::new(CliOverrides::default(), None).unwrap());
    let mut prompt = Scripted {
        answers,
        asked: Vec::new(),
    };
    let summary = run_with_prompt(&[dir.to_path_buf()], &resolver, false, &mut prompt).unwrap();
    assert!(prompt.answers.is_empty(), "every scripted answer was used");
    (summary, prompt.asked)
}

#[test]
fn yes_and_no_apply_and_skip_one_fix_each() {
    let dir = project(&[("m.py", TWO_GLOBALS)]);
    let (summary, asked) = session(dir.path(), vec![Choice::Yes, Choice::No]);
    assert_eq!(asked.len(), 2);
    let text = read(dir.path(), "m.py");
    assert!(text.contains("async def load_a() -> None:"), "{text}");
    assert!(text.contains("B = asyncio.run(fetch('b'))"), "{text}");
    assert_eq!(
        (summary.applied, summary.skipped, summary.files_written),
        (1, 1, 1)
    );
    assert_eq!(summary.remaining, 1);
}

#[test]
fn all_in_file_stops_asking_for_that_file_only() {
    let dir = project(&[("a.py", TWO_GLOBALS), ("b.py", ONE_GLOBAL)]);
    let (summary, asked) = session(dir.path(), vec![Choice::AllInFile, Choice::No]);
    assert_eq!(asked.len(), 2, "{asked:?}");
    assert!(
        asked[0].contains("a.py") && asked[1].contains("b.py"),
        "{asked:?}"
    );
    let a = read(dir.path(), "a.py");
    assert!(a.contains("load_a") && a.contains("load_b"), "{a}");
    assert_eq!(read(dir.path(), "b.py"), ONE_GLOBAL);
    assert_eq!(summary.applied, 2);
}

#[test]
fn all_remaining_applies_everything_after_one_answer() {
    let dir = project(&[("a.py", TWO_GLOBALS), ("b.py", ONE_GLOBAL)]);
    let (summary, asked) = session(dir.path(), vec![Choice::AllRemaining]);
    assert_eq!(asked.len(), 1);
    assert!(read(dir.path(), "b.py").contains("load_c"));
    assert_eq!(
        (summary.applied, summary.files_written, summary.remaining),
        (3, 2, 0)
    );
}

#[test]
fn switch_strategy_shows_the_other_fix() {
    let dir = project(&[("app.py", WITH_APP)]);
    let (_, asked) = session(dir.path(), vec![Choice::SwitchStrategy, Choice::Yes]);
    assert!(asked[0].ends_with("[auto]"), "{asked:?}");
    assert!(asked[1].ends_with("[init]"), "{asked:?}");
    let text = read(dir.path(), "app.py");
    assert!(text.contains("async def init() -> None:"), "{text}");
    assert!(text.contains("FastAPI(lifespan=lifespan)"), "{text}");
}

#[test]
fn quit_keeps_what_was_accepted_and_writes_nothing_else() {
    let dir = project(&[("a.py", TWO_GLOBALS), ("b.py", ONE_GLOBAL)]);
    let (summary, asked) = session(dir.path(), vec![Choice::Yes, Choice::Quit]);
    assert_eq!(asked.len(), 2);
    let a = read(dir.path(), "a.py");
    assert!(a.contains("load_a") && !a.contains("load_b"), "{a}");
    assert_eq!(read(dir.path(), "b.py"), ONE_GLOBAL);
    assert!(summary.quit);
    assert_eq!(summary.files_written, 1);
}

/// The binary in a pseudo-terminal, in `dir`.
fn spawn(dir: &Path) -> OsSession {
    let mut command = Command::new(env!("CARGO_BIN_EXE_loopfix"));
    command
        .args(["fix", "-i", "--color", "never", "."])
        .current_dir(dir)
        .env("TERM", "xterm")
        .env_remove("NO_COLOR");
    let mut session = Session::spawn(command).expect("spawn in a pty");
    session.set_expect_timeout(Some(Duration::from_secs(30)));
    session
}

const DOWN: &str = "\x1b[B";
const ENTER: &str = "\r";

#[test]
fn pty_yes_then_no() {
    let dir = project(&[("m.py", TWO_GLOBALS)]);
    let mut p = spawn(dir.path());
    p.expect("Apply this fix?").unwrap();
    p.send(ENTER).unwrap();
    p.expect("Apply this fix?").unwrap();
    p.send(DOWN).unwrap();
    p.send(ENTER).unwrap();
    p.expect("Applied 1 fix and skipped 1; wrote 1 file.")
        .unwrap();
    p.expect(expectrl::Eof).unwrap();
    let text = read(dir.path(), "m.py");
    assert!(text.contains("async def load_a() -> None:"), "{text}");
    assert!(text.contains("B = asyncio.run(fetch('b'))"), "{text}");
}

#[test]
fn pty_switch_strategy_then_quit() {
    let dir = project(&[("app.py", WITH_APP), ("b.py", ONE_GLOBAL)]);
    let mut p = spawn(dir.path());
    p.expect("strategy auto").unwrap();
    p.expect("Apply this fix?").unwrap();
    for _ in 0..4 {
        p.send(DOWN).unwrap();
    }
    p.send(ENTER).unwrap();
    p.expect("strategy init").unwrap();
    p.expect("async def init() -> None:").unwrap();
    p.expect("Apply this fix?").unwrap();
    p.send(ENTER).unwrap();
    p.expect("Apply this fix?").unwrap();
    for _ in 0..5 {
        p.send(DOWN).unwrap();
    }
    p.send(ENTER).unwrap();
    p.expect("Quit. Applied 1 fix and skipped 0; wrote 1 file.")
        .unwrap();
    p.expect(expectrl::Eof).unwrap();
    assert!(read(dir.path(), "app.py").contains("async def init() -> None:"));
    assert_eq!(read(dir.path(), "b.py"), ONE_GLOBAL);
}

#[test]
fn pty_all_remaining() {
    let dir = project(&[("a.py", TWO_GLOBALS), ("b.py", ONE_GLOBAL)]);
    let mut p = spawn(dir.path());
    p.expect("Apply this fix?").unwrap();
    for _ in 0..3 {
        p.send(DOWN).unwrap();
    }
    p.send(ENTER).unwrap();
    p.expect("Applied 3 fixes and skipped 0; wrote 2 files.")
        .unwrap();
    p.expect(expectrl::Eof).unwrap();
    assert!(read(dir.path(), "b.py").contains("load_c"));
}

#[test]
fn without_a_terminal_it_stops_with_exit_2_and_touches_nothing() {
    let dir = project(&[("m.py", TWO_GLOBALS)]);
    let output = Command::new(env!("CARGO_BIN_EXE_loopfix"))
        .args(["fix", "-i", "."])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("needs a terminal"), "{err}");
    assert_eq!(read(dir.path(), "m.py"), TWO_GLOBALS);
}
