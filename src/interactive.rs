//! The interactive fixer (`fix -i`): for each fix, show the finding and its diff and ask yes / no
//! / all in this file / all remaining / switch strategy / quit. A file is written once, after its
//! answers are in. The questions go through the [`Prompt`] trait, so the session logic is tested
//! without a terminal and the terminal with a pseudo-terminal.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};

use crate::analyze::AnalysisOptions;
use crate::analyze::{self, Answer, Offer, Pace};
use crate::diagnostic::{Applicability, FileError, Finding, Fix};
use crate::diff::{DiffStyle, write_diff};
use crate::fs::ReadLimit;
use crate::options::{FixOptions, Strategy};
use crate::paths::display_path;
use crate::runner::{self, Mode};
use crate::settings::Resolver;
use crate::source::SourceFile;

/// An answer to "apply this fix?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// Apply it.
    Yes,
    /// Skip it.
    No,
    /// Apply it and every other fix of this file without asking.
    AllInFile,
    /// Apply it and every fix that follows, in every file, without asking.
    AllRemaining,
    /// Show the same finding fixed with the other strategy (lazy <-> init).
    SwitchStrategy,
    /// Stop: keep what was accepted, write nothing else.
    Quit,
}

impl Choice {
    /// Every answer, in the order the menu lists them.
    pub const ALL: [Choice; 6] = [
        Choice::Yes,
        Choice::No,
        Choice::AllInFile,
        Choice::AllRemaining,
        Choice::SwitchStrategy,
        Choice::Quit,
    ];

    /// The menu label.
    pub fn label(self) -> &'static str {
        match self {
            Choice::Yes => "yes, apply this fix",
            Choice::No => "no, skip it",
            Choice::AllInFile => "all fixes in this file",
            Choice::AllRemaining => "all remaining fixes",
            Choice::SwitchStrategy => "switch strategy (lazy <-> init)",
            Choice::Quit => "quit",
        }
    }
}

/// One question: a finding and the diff of its fix.
pub struct Question<'a> {
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
}

/// The terminal: the question and the coloured diff on standard error, a dialoguer menu.
pub struct TerminalPrompt {
    term: console::Term,
}

impl TerminalPrompt {
    /// A prompt on standard error.
    pub fn new() -> Self {
        TerminalPrompt {
            term: console::Term::stderr(),
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
        let mut text = Vec::new();
        writeln!(
            text,
            "\n{}:{}: {} {}",
            question.path,
            question.line,
            question.finding.rule.code(),
            question.finding.message
        )?;
        writeln!(
            text,
            "fix ({}, strategy {}): {}",
            question.fix.applicability().as_str(),
            question.strategy,
            question.fix.title()
        )?;
        text.extend_from_slice(question.diff);
        let mut err = io::stderr().lock();
        err.write_all(&text)?;
        err.flush()?;
        drop(err);
        let labels: Vec<&str> = Choice::ALL.iter().map(|c| c.label()).collect();
        let theme = dialoguer::theme::SimpleTheme;
        let index = dialoguer::Select::with_theme(&theme)
            .with_prompt("Apply this fix?")
            .items(&labels)
            .default(0)
            .interact_on_opt(&self.term)
            .context("failed to read the answer")?;
        Ok(index.map_or(Choice::Quit, |i| Choice::ALL[i]))
    }
}

/// What the session did.
#[derive(Debug, Default)]
pub struct Summary {
    /// Fixes applied.
    pub applied: usize,
    /// Fixes skipped.
    pub skipped: usize,
    /// Files written.
    pub files_written: usize,
    /// Findings left in the files visited.
    pub remaining: usize,
    /// Files that could not be read, parsed or written: `(path, reason)`.
    pub errors: Vec<(PathBuf, String)>,
    /// The user quit.
    pub quit: bool,
}

impl Summary {
    /// `Applied 2 fixes and skipped 1; wrote 1 file; 1 finding remains.`
    pub fn line(&self) -> String {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut line = format!(
            "{}Applied {} and skipped {}; wrote {}.",
            if self.quit { "Quit. " } else { "" },
            plural(self.applied, "fix", "fixes"),
            self.skipped,
            plural(self.files_written, "file", "files"),
        );
        if self.remaining > 0 {
            line.push_str(&format!(
                " {} {}.",
                plural(self.remaining, "finding", "findings"),
                if self.remaining == 1 {
                    "remains"
                } else {
                    "remain"
                }
            ));
        }
        line
    }
}

/// The answers that outlive one file.
#[derive(Debug, Default)]
struct Session {
    apply_all: bool,
    quit: bool,
}

/// The session, with any prompt.
pub fn run_with_prompt(
    paths: &[PathBuf],
    resolver: &Arc<Resolver>,
    color: bool,
    prompt: &mut dyn Prompt,
) -> Result<Summary> {
    let (files, walk_errors) = crate::walk::collect_files(paths, resolver);
    let mut summary = Summary::default();
    summary
        .errors
        .extend(walk_errors.into_iter().map(|e| (e.path, e.message)));
    let reports = runner::process_files(&files, resolver, Mode::Check);
    let mut session = Session::default();
    for report in reports {
        for error in &report.errors {
            summary
                .errors
                .push((report.path.clone(), error.to_string()));
        }
        let threshold = report.threshold;
        if !report.findings.iter().any(|f| f.is_fixable(threshold)) {
            summary.remaining += report.findings.len();
            continue;
        }
        if session.quit {
            summary.remaining += report.findings.len();
            continue;
        }
        let settings = resolver.settings_for(&report.path)?;
        let mut options = settings.analysis_for(&report.path);
        options.project = report.context.clone();
        match fix_file(
            &report.path,
            options,
            threshold,
            color,
            prompt,
            &mut session,
        ) {
            Ok(outcome) => {
                summary.errors.extend(
                    outcome
                        .errors
                        .iter()
                        .map(|e| (report.path.clone(), e.to_string())),
                );
                summary.applied += outcome.applied;
                summary.skipped += outcome.skipped;
                summary.remaining += outcome.remaining;
                summary.files_written += usize::from(outcome.written);
            }
            Err(e) => summary.errors.push((report.path.clone(), format!("{e:#}"))),
        }
    }
    summary.quit = session.quit;
    Ok(summary)
}

/// What happened to one file.
#[derive(Debug, Default)]
struct FileOutcome {
    applied: usize,
    skipped: usize,
    remaining: usize,
    written: bool,
    /// Fixes refused, or a fix loop without a fixed point.
    errors: Vec<FileError>,
}

/// Asks about each fix of one file (through the one fix loop, one fix at a time), then writes
/// the file once.
fn fix_file(
    path: &Path,
    options: AnalysisOptions,
    threshold: Applicability,
    color: bool,
    prompt: &mut dyn Prompt,
    session: &mut Session,
) -> Result<FileOutcome> {
    let original = crate::fs::read_bounded(path, ReadLimit::ANY_FILE)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let source = SourceFile::new(original.clone())?;
    let mut asker = Asker {
        path,
        display: display_path(path),
        color,
        apply_rest: session.apply_all,
        prompt,
        session,
        skipped: 0,
        failure: None,
    };
    let fixed = analyze::fix_source(&source, &options, threshold, Pace::OneAtATime, |offer| {
        asker.answer(offer)
    })?;
    if let Some(failure) = asker.failure {
        return Err(failure);
    }
    let mut outcome = FileOutcome {
        applied: fixed.applied.len(),
        skipped: asker.skipped,
        remaining: fixed.remaining.len(),
        written: false,
        errors: fixed
            .refused
            .iter()
            .map(|r| FileError::RefusedFix {
                codes: r.codes.clone(),
                title: r.title.clone(),
            })
            .chain(
                fixed
                    .unconverged_after
                    .map(|rounds| FileError::NotConverged { rounds }),
            )
            .collect(),
    };
    let new_bytes = source.to_file_bytes(&fixed.code);
    if new_bytes != original {
        crate::fs::write_atomically(path, &original, &new_bytes)?;
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
    color: bool,
    /// "all in this file" (or "all remaining") was answered.
    apply_rest: bool,
    prompt: &'p mut dyn Prompt,
    session: &'s mut Session,
    skipped: usize,
    /// The prompt failed (a closed terminal): the file is left as it was.
    failure: Option<anyhow::Error>,
}

impl Asker<'_, '_, '_> {
    fn answer(&mut self, offer: &Offer) -> Answer {
        if self.apply_rest {
            return Answer::Apply;
        }
        match self.ask(offer) {
            Ok(choice) => self.decide(choice, offer),
            Err(e) => {
                self.failure = Some(e);
                Answer::Stop
            }
        }
    }

    fn ask(&mut self, offer: &Offer) -> Result<Choice> {
        let current = offer.source;
        let fixed = offer.fixed().map_or(current.code(), SourceFile::code);
        let mut diff = Vec::new();
        write_diff(
            &mut diff,
            self.path,
            &current.to_file_bytes(current.code()),
            &current.to_file_bytes(fixed),
            &DiffStyle::new(self.color),
        )?;
        self.prompt.ask(&Question {
            path: &self.display,
            finding: offer.finding,
            line: current.location(offer.finding.range.start).row,
            fix: offer.fix,
            diff: &diff,
            strategy: offer.options.fix.strategy,
        })
    }

    fn decide(&mut self, choice: Choice, offer: &Offer) -> Answer {
        match choice {
            Choice::Yes => Answer::Apply,
            Choice::AllInFile | Choice::AllRemaining => {
                self.apply_rest = true;
                self.session.apply_all |= choice == Choice::AllRemaining;
                Answer::Apply
            }
            Choice::No => {
                self.skipped += 1;
                Answer::Skip
            }
            Choice::SwitchStrategy => {
                let strategy = match offer.options.fix.strategy {
                    Strategy::Init => Strategy::Lazy,
                    Strategy::Lazy | Strategy::Auto => Strategy::Init,
                };
                Answer::Rebuild(Arc::new(FixOptions {
                    strategy,
                    ..(*offer.options.fix).clone()
                }))
            }
            Choice::Quit => {
                self.session.quit = true;
                Answer::Stop
            }
        }
    }
}
