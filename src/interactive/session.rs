//! The interactive session over files: the reports of a check, then the questions file by file
//! (numbered over the session), and what the session did.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Result;

use super::file::{FileOutcome, Session, fix_file};
use super::interrupt;
use super::prompt::{Position, Prompt};
use crate::diagnostic::FixId;
use crate::runner::{self, FileReport, Mode};
use crate::settings::Resolver;

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

    fn add(&mut self, report: &FileReport, outcome: FileOutcome) {
        self.errors.extend(
            outcome
                .errors
                .iter()
                .map(|e| (report.path.clone(), e.to_string())),
        );
        if let Some(failure) = outcome.failure {
            self.errors
                .push((report.path.clone(), format!("{failure:#}")));
        }
        self.applied += outcome.applied;
        self.skipped += outcome.skipped;
        self.remaining += outcome.remaining;
        self.files_written += usize::from(outcome.written);
    }
}

/// The session, with any prompt: each fix of each file under `paths` is put to `prompt`; a file
/// is written once its answers are in.
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
    let counts: Vec<usize> = reports.iter().map(fixes_to_ask).collect();
    let mut session = Session {
        apply_all: false,
        quit: false,
        settled: 0,
        position: Position {
            finding: 0,
            findings: counts.iter().sum(),
            file: 0,
            files: counts.iter().filter(|&&n| n > 0).count(),
        },
        color,
    };
    for (report, expected) in reports.iter().zip(counts) {
        for error in &report.errors {
            summary
                .errors
                .push((report.path.clone(), error.to_string()));
        }
        if expected == 0 || session.quit {
            summary.remaining += report.findings.len();
            continue;
        }
        session.position.file += 1;
        match visit(report, resolver, expected, prompt, &mut session) {
            Ok(outcome) => summary.add(report, outcome),
            Err(e) => summary.errors.push((report.path.clone(), format!("{e:#}"))),
        }
    }
    summary.quit = session.quit;
    Ok(summary)
}

/// Asks about the fixes of one report's file.
fn visit(
    report: &FileReport,
    resolver: &Resolver,
    expected: usize,
    prompt: &mut dyn Prompt,
    session: &mut Session,
) -> Result<FileOutcome> {
    let settings = resolver.settings_for(&report.path)?;
    let mut options = settings.analysis_for(&report.path);
    options.project = report.context.clone();
    let outcome = fix_file(
        &report.path,
        options,
        report.threshold,
        expected,
        prompt,
        session,
    );
    interrupt::forget_file();
    outcome
}

/// The distinct fixes of a report at or above its threshold: the questions it should ask.
fn fixes_to_ask(report: &FileReport) -> usize {
    let mut ids: Vec<FixId> = report
        .findings
        .iter()
        .filter(|f| f.is_fixable(report.threshold))
        .filter_map(|f| f.fix.as_ref().map(|fix| fix.id()))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids.len()
}
