//! The interactive fixer (`fix -i`), as `git add -p` asks: for each fix, a header ("finding 3 of
//! 8 · file 2 of 5"), the finding and its diff, and one key (yes, no, all or none of the rest of
//! this file, all remaining, switch strategy, edit, quit, help). A file is written once its
//! answers are in; an interrupt writes the fixes accepted so far.
//!
//! The answers and their keys are in `prompt`, the session over files in `session` and one file
//! in `file`; the terminal (keys, header) in `terminal`, with the pager in `pager`, the editor in
//! `editor` and the programs the user names in `child`; what an interrupt restores and writes in
//! `interrupt`. The questions go through the [`Prompt`] trait, so the session logic is tested
//! without a terminal and the terminal in a pseudo-terminal.

mod child;
mod editor;
mod file;
mod interrupt;
mod pager;
mod prompt;
mod session;
mod terminal;

pub use self::prompt::{Choice, Position, Prompt, Question};
pub use self::session::{Summary, run_with_prompt};
pub use self::terminal::TerminalPrompt;
