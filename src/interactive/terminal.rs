//! The prompt on a terminal, as `git add -p` asks: a header ("finding 3 of 8 · file 2 of 5", the
//! rule, `path:line`, the fix), the diff (through a pager when taller than the terminal), and one
//! key read without Enter. Ctrl-C ends the session keeping what was accepted; Ctrl-D quits.

use std::io::{self, Write};

use anyhow::{Context, Result};
use dialoguer::console::{Key, Term};

use super::prompt::{Choice, Prompt, Question};
use super::{editor, interrupt, pager};

/// Lines printed around the diff (blank line, header, fix, prompt): what a diff must leave room
/// for to be shown without a pager.
const FRAME_LINES: usize = 4;

/// What one key press asks for.
#[derive(Debug, PartialEq, Eq)]
enum Pressed {
    Choice(Choice),
    Help,
    Interrupt,
    Unknown,
}

/// The terminal: the questions on standard error, the answers as single keys.
pub struct TerminalPrompt {
    term: Term,
}

impl TerminalPrompt {
    /// A prompt on standard error; from now on an interrupt restores the terminal and writes
    /// the fixes accepted so far.
    pub fn new() -> Self {
        interrupt::guard_terminal();
        TerminalPrompt {
            term: Term::stderr(),
        }
    }

    fn show(&self, question: &Question) -> io::Result<()> {
        let mut err = io::stderr().lock();
        writeln!(err, "\n{}", question.position)?;
        writeln!(
            err,
            "{} {}:{}: {}",
            question.finding.rule.code(),
            question.path,
            question.line,
            question.finding.message
        )?;
        writeln!(
            err,
            "fix ({}, strategy {}): {}",
            question.fix.applicability().as_str(),
            question.strategy,
            question.fix.title()
        )?;
        err.flush()?;
        drop(err);
        let room = usize::from(self.term.size().0).saturating_sub(FRAME_LINES);
        pager::show(question.diff, room)
    }

    /// Reads keys until one is an answer; `?` prints the help, another key the keys again.
    fn read_choice(&self) -> Result<Choice> {
        loop {
            self.term
                .write_str(&format!("Apply this fix [{}]? ", Choice::keys()))?;
            let pressed = self.read_key()?;
            match pressed {
                Pressed::Choice(choice) => {
                    self.term.write_line(&choice.key().to_string())?;
                    return Ok(choice);
                }
                Pressed::Help => {
                    self.term.write_line("?")?;
                    self.term.write_str(&Choice::help_text())?;
                }
                Pressed::Unknown => self.term.write_line("")?,
                Pressed::Interrupt => {
                    self.term.write_line("^C")?;
                    interrupt::end(interrupt::SIGINT)
                }
            }
        }
    }

    fn read_key(&self) -> Result<Pressed> {
        match self.term.read_key_raw() {
            Ok(key) => {
                panic_for_tests(&key);
                Ok(pressed(&key))
            }
            // The terminal is gone: as Ctrl-D.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(Pressed::Choice(Choice::Quit)),
            Err(e) => Err(e).context("failed to read the answer"),
        }
    }
}

impl Default for TerminalPrompt {
    fn default() -> Self {
        TerminalPrompt::new()
    }
}

impl Prompt for TerminalPrompt {
    fn ask(&mut self, question: &Question) -> Result<Choice> {
        self.show(question)?;
        self.read_choice()
    }

    fn edit(&mut self, path: &str, text: &[u8]) -> Result<Vec<u8>> {
        editor::edit(path, text)
    }

    fn tell(&mut self, message: &str) {
        let _ = self.term.write_line(message);
    }
}

/// What `key` asks for: an answer's key, `?`, Ctrl-C, Ctrl-D (quit), or nothing known.
fn pressed(key: &Key) -> Pressed {
    match key {
        Key::CtrlC => Pressed::Interrupt,
        Key::Char('\u{4}') => Pressed::Choice(Choice::Quit),
        Key::Char('?') => Pressed::Help,
        Key::Char(c) => Choice::from_key(*c).map_or(Pressed::Unknown, Pressed::Choice),
        _ => Pressed::Unknown,
    }
}

/// Debug builds only: `LOOPFIX_TEST_PANIC_ON_KEY=K` panics when the key K is pressed, so that
/// a test sees what a crash in the middle of a session keeps.
fn panic_for_tests(key: &Key) {
    if !cfg!(debug_assertions) {
        return;
    }
    if let Key::Char(c) = key
        && std::env::var("LOOPFIX_TEST_PANIC_ON_KEY").is_ok_and(|k| k.starts_with(*c))
    {
        panic!("LOOPFIX_TEST_PANIC_ON_KEY was pressed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_to_answers() {
        assert_eq!(pressed(&Key::Char('y')), Pressed::Choice(Choice::Yes));
        assert_eq!(
            pressed(&Key::Char('A')),
            Pressed::Choice(Choice::AllRemaining)
        );
        assert_eq!(pressed(&Key::Char('\u{4}')), Pressed::Choice(Choice::Quit));
        assert_eq!(pressed(&Key::Char('?')), Pressed::Help);
        assert_eq!(pressed(&Key::CtrlC), Pressed::Interrupt);
        assert_eq!(pressed(&Key::Char('x')), Pressed::Unknown);
        assert_eq!(pressed(&Key::Enter), Pressed::Unknown);
    }
}
