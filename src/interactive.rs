//! The interactive fixer (`fix -i`): for each fix, show the finding and its diff and ask yes / no
//! / all in this file / all remaining / switch strategy / quit. A file is written once, after its
//! answers are in. The questions go through the [`Prompt`] trait, so the session logic is tested
//! without a terminal and the terminal with a pseudo-terminal.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};

use crate::ExitStatus;
use crate::check::{self, AnalysisOptions};
use crate::diff::{DiffStyle, write_diff};
use crate::edit::{Applicability, Finding, Fix};
use crate::output::display_path;
use crate::plan;
use crate::runner::{self, Mode};
use crate::settings::Resolver;
use crate::source::SourceFile;
use crate::transform::Strategy;

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
            question.fix.applicability.as_str(),
            question.strategy,
            question.fix.title
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

/// Runs the interactive fixer over `paths`.
pub fn run(
    paths: &[PathBuf],
    resolver: &Arc<Resolver>,
    threshold: Applicability,
    color: bool,
) -> Result<ExitStatus> {
    if !io::stdin().is_terminal() || !io::stderr().is_terminal() {
        anyhow::bail!(
            "`fix --interactive` needs a terminal to ask its questions; use `loopfix fix --diff` to review fixes in a pipe"
        );
    }
    let mut prompt = TerminalPrompt::new();
    let summary = run_with_prompt(paths, resolver, threshold, color, &mut prompt)?;
    let mut out = io::stdout().lock();
    for (path, reason) in &summary.errors {
        let _ = writeln!(
            io::stderr(),
            "loopfix: error: {}: {reason}",
            display_path(path)
        );
    }
    writeln!(out, "{}", summary.line())?;
    Ok(if !summary.errors.is_empty() {
        ExitStatus::Error
    } else if summary.remaining > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// The session, with any prompt.
pub fn run_with_prompt(
    paths: &[PathBuf],
    resolver: &Arc<Resolver>,
    threshold: Applicability,
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
            summary.errors.push((report.path.clone(), error.clone()));
        }
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
}

/// Asks about each fix of one file, then writes it once.
fn fix_file(
    path: &Path,
    mut options: AnalysisOptions,
    threshold: Applicability,
    color: bool,
    prompt: &mut dyn Prompt,
    session: &mut Session,
) -> Result<FileOutcome> {
    let original = crate::fs::read_bounded(path, crate::fs::MAX_READ_BYTES)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let mut current = SourceFile::new(original.clone())?;
    let mut outcome = FileOutcome::default();
    let mut declined: Vec<String> = Vec::new();
    let mut apply_rest = session.apply_all;
    let display = display_path(path);
    loop {
        let findings = check::analyze(&current, &options)?;
        let Some((finding, fix)) = next_fix(&findings, threshold, &declined) else {
            outcome.remaining = findings.len();
            break;
        };
        let key = plan::fix_key(finding, &fix);
        let Some(fixed) = plan::preview(&current, &fix) else {
            declined.push(key);
            continue;
        };
        let choice = if apply_rest {
            Choice::Yes
        } else {
            let mut diff = Vec::new();
            write_diff(
                &mut diff,
                path,
                &current.to_file_bytes(current.code()),
                &current.to_file_bytes(&fixed),
                &DiffStyle::new(color),
            )?;
            prompt.ask(&Question {
                path: &display,
                finding,
                line: current.location(finding.range.start).row,
                fix: &fix,
                diff: &diff,
                strategy: options.fix.strategy,
            })?
        };
        match choice {
            Choice::Yes | Choice::AllInFile | Choice::AllRemaining => {
                current = SourceFile::new(current.to_file_bytes(&fixed))?;
                outcome.applied += 1;
                apply_rest |= choice != Choice::Yes;
                session.apply_all |= choice == Choice::AllRemaining;
            }
            Choice::No => {
                declined.push(key);
                outcome.skipped += 1;
            }
            Choice::SwitchStrategy => {
                Arc::make_mut(&mut options.fix).strategy = match options.fix.strategy {
                    Strategy::Init => Strategy::Lazy,
                    Strategy::Lazy | Strategy::Auto => Strategy::Init,
                };
            }
            Choice::Quit => {
                session.quit = true;
                outcome.remaining = findings.len();
                break;
            }
        }
    }
    let new_bytes = current.to_file_bytes(current.code());
    if new_bytes != original {
        crate::fs::write_atomically(path, &original, &new_bytes)?;
        outcome.written = true;
    }
    Ok(outcome)
}

/// The first fix at or above the threshold that was not declined, with its first finding.
fn next_fix<'f>(
    findings: &'f [Finding],
    threshold: Applicability,
    declined: &[String],
) -> Option<(&'f Finding, Arc<Fix>)> {
    findings.iter().find_map(|finding| {
        let fix = finding.fix.as_ref()?;
        (fix.applicability >= threshold && !declined.contains(&plan::fix_key(finding, fix)))
            .then(|| (finding, Arc::clone(fix)))
    })
}
