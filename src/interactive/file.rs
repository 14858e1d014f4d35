//! One file of the interactive fixer: each fix offered by the one fix loop, one at a time, is
//! put to the prompt and the answer turned into the loop's; the file is written once its answers
//! are in (or an interrupt writes what was accepted).

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};

use super::interrupt;
use super::prompt::{Choice, Position, Prompt, Question};
use crate::analyze::{self, AnalysisOptions, Answer, Offer, Pace};
use crate::diagnostic::{Applicability, FileError};
use crate::diff::{DiffStyle, write_diff};
use crate::fs::ReadLimit;
use crate::options::{FixOptions, Strategy};
use crate::paths::display_path;
use crate::source::SourceFile;
use crate::syntax::parse;

/// The answers and counts that outlive one file.
#[derive(Debug)]
pub(super) struct Session {
    /// "all remaining" was answered.
    pub(super) apply_all: bool,
    /// The user quit.
    pub(super) quit: bool,
    /// Fixes settled in the files before this one.
    pub(super) settled: usize,
    /// The position of the next question (its `finding` is computed per question).
    pub(super) position: Position,
    /// Show diffs in colour.
    pub(super) color: bool,
}

/// What happened to one file.
#[derive(Debug, Default)]
pub(super) struct FileOutcome {
    pub(super) applied: usize,
    pub(super) skipped: usize,
    pub(super) remaining: usize,
    pub(super) written: bool,
    /// Fixes refused, or a fix loop without a fixed point.
    pub(super) errors: Vec<FileError>,
    /// The prompt failed (a terminal gone): what was accepted is written, the session ends.
    pub(super) failure: Option<anyhow::Error>,
}

/// Asks about each fix of one file (through the one fix loop, one fix at a time), then writes
/// the file once; `expected` fixes were found in it before the questions.
pub(super) fn fix_file(
    path: &Path,
    options: AnalysisOptions,
    threshold: Applicability,
    expected: usize,
    prompt: &mut dyn Prompt,
    session: &mut Session,
) -> Result<FileOutcome> {
    let original = crate::fs::read_bounded(path, ReadLimit::ANY_FILE)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let source = SourceFile::new(original.clone())?;
    interrupt::start_file(path, &original);
    let mut asker = Asker {
        path,
        display: display_path(path),
        apply_rest: session.apply_all,
        prompt,
        session,
        decided: 0,
        skipped: 0,
        failure: None,
    };
    let fixed = analyze::fix_source(&source, &options, threshold, Pace::OneAtATime, |offer| {
        asker.answer(offer)
    })?;
    let (decided, skipped, failure) = (asker.decided, asker.skipped, asker.failure);
    session.settled += decided.max(expected);
    let mut outcome = FileOutcome {
        applied: fixed.applied.len(),
        skipped,
        remaining: fixed.remaining.len(),
        written: false,
        errors: fixed.errors(),
        failure,
    };
    let new_bytes = source.to_file_bytes(&fixed.code);
    if new_bytes != original {
        interrupt::write_file(path, &original, &new_bytes)?;
        outcome.written = true;
    }
    Ok(outcome)
}

/// Puts each fix on offer to the prompt and turns the choice into the fix loop's answer.
struct Asker<'a, 'p, 's> {
    /// The file (its diffs name it as git does).
    path: &'a Path,
    /// The file as questions show it.
    display: String,
    /// "all in this file" (or "all remaining") was answered.
    apply_rest: bool,
    prompt: &'p mut dyn Prompt,
    session: &'s mut Session,
    /// Fixes answered in this file (applied, skipped or edited).
    decided: usize,
    skipped: usize,
    failure: Option<anyhow::Error>,
}

impl Asker<'_, '_, '_> {
    fn answer(&mut self, offer: &Offer) -> Answer {
        interrupt::checkpoint(offer.source.to_file_bytes(offer.source.code()));
        if self.apply_rest {
            self.decided += 1;
            return Answer::Apply;
        }
        self.ask(offer).unwrap_or_else(|e| {
            self.failure = Some(e);
            self.session.quit = true;
            Answer::Stop
        })
    }

    /// Asks until an answer settles the fix (an edit that does not parse asks again).
    fn ask(&mut self, offer: &Offer) -> Result<Answer> {
        let fixed = with_fix(offer);
        let mut diff = Vec::new();
        write_diff(
            &mut diff,
            self.path,
            &offer.source.to_file_bytes(offer.source.code()),
            &fixed,
            &DiffStyle::new(self.session.color),
        )?;
        // An edit that was not taken is where the next edit starts.
        let mut draft = fixed;
        loop {
            let question = Question {
                position: self.position(),
                path: &self.display,
                finding: offer.finding,
                line: offer.source.location(offer.finding.range.start).row,
                fix: offer.fix,
                diff: &diff,
                strategy: offer.options.fix.strategy,
            };
            let choice = self.prompt.ask(&question)?;
            if let Some(answer) = self.decide(choice, offer) {
                return Ok(answer);
            }
            if let Some(edited) = self.edit(&mut draft) {
                self.decided += 1;
                return Ok(Answer::Edited(edited));
            }
        }
    }

    /// Where the question about the next fix stands ("finding 3 of 8 · file 2 of 5"); the
    /// total grows when a fix leaves more to ask than was found.
    fn position(&mut self) -> Position {
        let position = &mut self.session.position;
        position.finding = self.session.settled + self.decided + 1;
        position.findings = position.findings.max(position.finding);
        *position
    }

    /// The fix loop's answer to `choice`; `None` for an edit, which [`Asker::edit`] answers.
    fn decide(&mut self, choice: Choice, offer: &Offer) -> Option<Answer> {
        let answer = match choice {
            Choice::Yes => Answer::Apply,
            Choice::AllInFile | Choice::AllRemaining => {
                self.apply_rest = true;
                self.session.apply_all |= choice == Choice::AllRemaining;
                Answer::Apply
            }
            Choice::No | Choice::NoneInFile => {
                self.skipped += 1;
                if choice == Choice::No {
                    Answer::Skip
                } else {
                    Answer::Stop
                }
            }
            Choice::SwitchStrategy => return Some(switch_strategy(offer)),
            Choice::Quit => {
                self.session.quit = true;
                return Some(Answer::Stop);
            }
            Choice::Edit => return None,
        };
        self.decided += 1;
        Some(answer)
    }

    /// Lets the user edit `draft`; the edited text when it parses, else says why and keeps it as
    /// the next draft.
    fn edit(&mut self, draft: &mut Vec<u8>) -> Option<SourceFile> {
        let edited = match self.prompt.edit(&self.display, draft) {
            Ok(edited) => edited,
            Err(e) => {
                self.prompt.tell(&format!("The edit was not taken: {e:#}"));
                return None;
            }
        };
        match parse_edited(&edited) {
            Ok(source) => Some(source),
            Err(reason) => {
                self.prompt.tell(&format!(
                    "The edited file does not parse ({reason}); it was not taken. Press e to edit it again."
                ));
                *draft = edited;
                None
            }
        }
    }
}

/// The file's bytes with the offered fix applied (as they are when it does not parse: the fix
/// loop never offers such a fix one at a time).
fn with_fix(offer: &Offer) -> Vec<u8> {
    let fixed = offer.fixed().map_or(offer.source.code(), SourceFile::code);
    offer.source.to_file_bytes(fixed)
}

/// The user's text as a module, if it parses.
fn parse_edited(bytes: &[u8]) -> Result<SourceFile, String> {
    let source = SourceFile::new(bytes.to_vec()).map_err(|e| e.to_string())?;
    parse::parse(source.parse_text()).map_err(|e| e.to_string())?;
    Ok(source)
}

/// The fixes of the file built again with the other strategy (lazy <-> init).
fn switch_strategy(offer: &Offer) -> Answer {
    let strategy = match offer.options.fix.strategy {
        Strategy::Init => Strategy::Lazy,
        Strategy::Lazy | Strategy::Auto => Strategy::Init,
    };
    Answer::Rebuild(Arc::new(FixOptions {
        strategy,
        ..(*offer.options.fix).clone()
    }))
}
