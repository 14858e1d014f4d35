//! What the interactive fixer asks and what it may be answered: the question about one fix, the
//! answers with their keys and help, and the [`Prompt`] trait that asks.

use anyhow::Result;

use crate::diagnostic::{Finding, Fix};
use crate::options::Strategy;

/// An answer to "apply this fix?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// Apply it.
    Yes,
    /// Skip it.
    No,
    /// Apply it and every other fix of this file without asking.
    AllInFile,
    /// Skip it and every other fix of this file.
    NoneInFile,
    /// Apply it and every fix that follows, in every file, without asking.
    AllRemaining,
    /// Show the same finding fixed with the other strategy (lazy <-> init).
    SwitchStrategy,
    /// Edit the file with this fix applied; the edited text is what gets written.
    Edit,
    /// Stop: keep what was accepted, write nothing else.
    Quit,
}

impl Choice {
    /// Every answer, in the order the prompt lists their keys.
    pub const ALL: [Choice; 8] = [
        Choice::Yes,
        Choice::No,
        Choice::AllInFile,
        Choice::NoneInFile,
        Choice::AllRemaining,
        Choice::SwitchStrategy,
        Choice::Edit,
        Choice::Quit,
    ];

    /// The key that gives this answer.
    pub fn key(self) -> char {
        match self {
            Choice::Yes => 'y',
            Choice::No => 'n',
            Choice::AllInFile => 'a',
            Choice::NoneInFile => 'd',
            Choice::AllRemaining => 'A',
            Choice::SwitchStrategy => 's',
            Choice::Edit => 'e',
            Choice::Quit => 'q',
        }
    }

    /// The answer a key gives.
    pub fn from_key(key: char) -> Option<Choice> {
        Choice::ALL.into_iter().find(|c| c.key() == key)
    }

    /// One line of help.
    pub fn help(self) -> &'static str {
        match self {
            Choice::Yes => "apply this fix",
            Choice::No => "do not apply this fix",
            Choice::AllInFile => "apply this fix and all later fixes in this file",
            Choice::NoneInFile => "do not apply this fix nor any later fix in this file",
            Choice::AllRemaining => "apply this fix and all later fixes, in every file",
            Choice::SwitchStrategy => {
                "show this finding fixed with the other strategy (lazy, init)"
            }
            Choice::Edit => "edit the file with this fix applied; your text is what gets written",
            Choice::Quit => "quit; the fixes accepted so far are written",
        }
    }

    /// The keys, as the prompt lists them: `y,n,a,d,A,s,e,q,?`.
    pub fn keys() -> String {
        let mut keys: Vec<String> = Choice::ALL.iter().map(|c| c.key().to_string()).collect();
        keys.push("?".to_owned());
        keys.join(",")
    }

    /// The help `?` prints: one line per key.
    pub fn help_text() -> String {
        let mut text: String = Choice::ALL
            .iter()
            .map(|c| format!("{} - {}\n", c.key(), c.help()))
            .collect();
        text.push_str("? - print this help\n");
        text.push_str("Ctrl-D quits as q does; Ctrl-C also keeps the fixes accepted so far.\n");
        text
    }
}

/// Where a question stands in the session: "finding 3 of 8 · file 2 of 5".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// The fix asked about, counted from 1 over the session.
    pub finding: usize,
    /// The fixes the session expects to ask about (it grows when a fix leaves another).
    pub findings: usize,
    /// The file, counted from 1 among the files with a fix.
    pub file: usize,
    /// The files with a fix.
    pub files: usize,
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "finding {} of {} \u{b7} file {} of {}",
            self.finding, self.findings, self.file, self.files
        )
    }
}

/// One question: a finding and the diff of its fix.
pub struct Question<'a> {
    /// Where the question stands in the session.
    pub position: Position,
    /// The file, for display.
    pub path: &'a str,
    /// The finding.
    pub finding: &'a Finding,
    /// Its 1-based line.
    pub line: usize,
    /// The fix.
    pub fix: &'a Fix,
    /// The file's diff with this fix applied.
    pub diff: &'a [u8],
    /// The strategy the fix was built with.
    pub strategy: Strategy,
}

/// Asks the user.
pub trait Prompt {
    /// Shows the question and returns the answer.
    fn ask(&mut self, question: &Question) -> Result<Choice>;

    /// Lets the user edit `text` (the file at `path` with the fix applied) and returns the
    /// edited text.
    fn edit(&mut self, path: &str, text: &[u8]) -> Result<Vec<u8>>;

    /// Tells the user something (why an edited text was not taken) before the next question.
    fn tell(&mut self, message: &str);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_distinct_and_maps_back() {
        for choice in Choice::ALL {
            assert_eq!(Choice::from_key(choice.key()), Some(choice));
        }
        assert_eq!(Choice::keys(), "y,n,a,d,A,s,e,q,?");
        assert_eq!(Choice::from_key('x'), None);
        assert_eq!(Choice::help_text().lines().count(), Choice::ALL.len() + 2);
    }

    #[test]
    fn the_position_reads_as_git_add_p_counts() {
        let position = Position {
            finding: 3,
            findings: 8,
            file: 2,
            files: 5,
        };
        assert_eq!(position.to_string(), "finding 3 of 8 \u{b7} file 2 of 5");
    }
}
