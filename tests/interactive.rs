//! The interactive fixer: the session logic with scripted answers, and the real binary in a
//! pseudo-terminal with the real keys pressed (`keys`: each answer; `interrupts`: Ctrl-C,
//! Ctrl-D, signals and the pager); without a terminal it stops with exit code 2 and touches
//! nothing.

#[cfg(unix)]
#[path = "interactive/interrupts.rs"]
mod interrupts;
#[cfg(unix)]
#[path = "interactive/keys.rs"]
mod keys;
#[cfg(unix)]
#[path = "interactive/pty.rs"]
mod pty;

use std::fs;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use loopfix::interactive::{Choice, Prompt, Question, run_with_prompt};
use loopfix::settings::{CliOverrides, Resolver};

pub const TWO_GLOBALS: &str = "import asyncio\n\n\nasync def fetch(name):\n    return name\n\n\nA = asyncio.run(fetch('a'))\nB = asyncio.run(fetch('b'))\n\n\nasync def handler():\n    return A, B\n";
pub const ONE_GLOBAL: &str = "import asyncio\n\n\nasync def fetch():\n    return 1\n\n\nC = asyncio.run(fetch())\n\n\nasync def handler():\n    return C\n";
pub const WITH_APP: &str = "import asyncio\n\nfrom fastapi import FastAPI\n\n\nasync def fetch():\n    return 1\n\n\nD = asyncio.run(fetch())\napp = FastAPI()\n\n\nasync def handler():\n    return D\n";

pub fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

pub fn read(dir: &Path, name: &str) -> String {
    fs::read_to_string(dir.join(name)).unwrap()
}

/// Answers from a script, recording what was asked (and told); an edit gives the next text
/// of `edits`.
#[derive(Default)]
struct Scripted {
    answers: Vec<Choice>,
    edits: Vec<String>,
    asked: Vec<String>,
    told: Vec<String>,
}

impl Prompt for Scripted {
    fn ask(&mut self, question: &Question) -> anyhow::Result<Choice> {
        self.asked.push(format!(
            "{} {}:{} {} [{}]",
            question.position,
            question.path,
            question.line,
            question.finding.rule.code(),
            question.strategy
        ));
        assert!(!question.diff.is_empty(), "every question shows a diff");
        Ok(self.answers.remove(0))
    }

    fn edit(&mut self, _path: &str, text: &[u8]) -> anyhow::Result<Vec<u8>> {
        assert!(String::from_utf8_lossy(text).contains("async def load_"));
        Ok(self.edits.remove(0).into_bytes())
    }

    fn tell(&mut self, message: &str) {
        self.told.push(message.to_owned());
    }
}

fn run(dir: &Path, prompt: &mut Scripted) -> loopfix::interactive::Summary {
    let resolver = Arc::new(Resolver::new(CliOverrides::default(), None).unwrap());
    let summary = run_with_prompt(&[dir.to_path_buf()], &resolver, false, prompt).unwrap();
    assert!(prompt.answers.is_empty(), "every scripted answer was used");
    assert!(prompt.edits.is_empty(), "every scripted edit was used");
    summary
}

fn session(dir: &Path, answers: Vec<Choice>) -> (loopfix::interactive::Summary, Vec<String>) {
    let mut prompt = Scripted {
        answers,
        ..Scripted::default()
    };
    let summary = run(dir, &mut prompt);
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

#[test]
fn questions_are_numbered_over_the_session_and_none_in_file_moves_on() {
    let dir = project(&[("a.py", TWO_GLOBALS), ("b.py", ONE_GLOBAL)]);
    let (summary, asked) = session(dir.path(), vec![Choice::NoneInFile, Choice::Yes]);
    assert_eq!(asked.len(), 2, "{asked:?}");
    assert!(
        asked[0].starts_with("finding 1 of 3 \u{b7} file 1 of 2 ")
            && asked[0].contains("a.py:8 LF001"),
        "{asked:?}"
    );
    assert!(
        asked[1].starts_with("finding 3 of 3 \u{b7} file 2 of 2 ") && asked[1].contains("b.py"),
        "{asked:?}"
    );
    assert_eq!(read(dir.path(), "a.py"), TWO_GLOBALS);
    assert!(read(dir.path(), "b.py").contains("load_c"));
    assert_eq!((summary.applied, summary.skipped), (1, 1));
    assert_eq!(summary.remaining, 2);
}

#[test]
fn an_edit_that_parses_is_what_gets_written() {
    let dir = project(&[("m.py", TWO_GLOBALS)]);
    let mut prompt = Scripted {
        answers: vec![Choice::Edit, Choice::No],
        edits: vec![TWO_GLOBALS.replace("A = asyncio.run(fetch('a'))", "A = 'mine'")],
        ..Scripted::default()
    };
    let summary = run(dir.path(), &mut prompt);
    let text = read(dir.path(), "m.py");
    assert!(text.contains("A = 'mine'"), "{text}");
    assert!(text.contains("B = asyncio.run(fetch('b'))"), "{text}");
    assert_eq!((summary.applied, summary.skipped), (1, 1));
    assert!(prompt.told.is_empty(), "{:?}", prompt.told);
    assert!(
        prompt.asked[1].starts_with("finding 2 of 2"),
        "{:?}",
        prompt.asked
    );
}

#[test]
fn an_edit_that_does_not_parse_is_refused_and_the_question_asked_again() {
    let dir = project(&[("m.py", ONE_GLOBAL)]);
    let mut prompt = Scripted {
        answers: vec![Choice::Edit, Choice::Yes],
        edits: vec!["async def load_c(:\n".to_owned()],
        ..Scripted::default()
    };
    let summary = run(dir.path(), &mut prompt);
    assert_eq!(prompt.told.len(), 1);
    assert!(
        prompt.told[0].contains("does not parse"),
        "{:?}",
        prompt.told
    );
    assert_eq!(prompt.asked.len(), 2);
    assert_eq!(prompt.asked[0], prompt.asked[1]);
    let text = read(dir.path(), "m.py");
    assert!(text.contains("async def load_c() -> None:"), "{text}");
    assert!(!text.contains("load_c(:"), "{text}");
    assert_eq!(summary.applied, 1);
}
