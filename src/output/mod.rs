//! Printing findings: one module per output format behind [`Emitter`], plus the summary line
//! and `--statistics`.

mod full;
mod github;
mod json;
mod sarif;

use std::io::{self, Write};

use crate::diagnostic::{Applicability, Finding};
use crate::paths::display_path;
use crate::runner::FileReport;
use crate::source::{Location, SourceFile};

/// Output formats of findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum OutputFormat {
    /// Message, code frame and the fix's diff.
    #[default]
    Full,
    /// One line per finding.
    Concise,
    /// A JSON array of ruff-compatible objects.
    Json,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
    /// GitHub Actions workflow commands.
    Github,
}

impl OutputFormat {
    /// Whether the format is for machines (no summary line on standard output).
    pub fn is_machine_readable(self) -> bool {
        matches!(
            self,
            OutputFormat::Json | OutputFormat::Sarif | OutputFormat::Github
        )
    }
}

/// One finding, located, ready to print.
pub struct Located<'a> {
    /// The file's report.
    pub report: &'a FileReport,
    /// The file's source.
    pub source: &'a SourceFile,
    /// The finding.
    pub finding: &'a Finding,
    /// Path for display (relative to the working directory, `/`-separated).
    pub display: String,
    /// Start.
    pub start: Location,
    /// End.
    pub end: Location,
}

/// How to print.
#[derive(Debug, Clone)]
pub struct Printer {
    /// The format.
    pub format: OutputFormat,
    /// Colour on.
    pub color: bool,
    /// Applicability at which a fix counts as available (`[*]`).
    pub threshold: Applicability,
    /// Whether fix mode is printing (fixed findings are gone already).
    pub fixing: bool,
}

/// A format.
pub trait Emitter {
    /// Writes the findings of all files.
    fn emit(&self, out: &mut dyn Write, findings: &[Located], printer: &Printer) -> io::Result<()>;
}

impl Printer {
    /// Writes the findings of all reports in the printer's format.
    pub fn emit(&self, out: &mut dyn Write, reports: &[FileReport]) -> io::Result<()> {
        let located = locate(reports);
        let emitter: &dyn Emitter = match self.format {
            OutputFormat::Full => &full::Full { concise: false },
            OutputFormat::Concise => &full::Full { concise: true },
            OutputFormat::Json => &json::Json,
            OutputFormat::Sarif => &sarif::Sarif,
            OutputFormat::Github => &github::Github,
        };
        emitter.emit(out, &located, self)
    }

    /// Whether the format is for machines (no summary line on standard output).
    pub fn is_machine_readable(&self) -> bool {
        self.format.is_machine_readable()
    }
}

/// Every finding of every report, located, in path order.
pub fn locate(reports: &[FileReport]) -> Vec<Located<'_>> {
    let mut out = Vec::new();
    for report in reports {
        let Some(source) = &report.source else {
            continue;
        };
        let display = display_path(&report.path);
        for finding in &report.findings {
            out.push(Located {
                report,
                source,
                finding,
                display: display.clone(),
                start: source.location(finding.range.start),
                end: source.location(finding.range.end),
            });
        }
    }
    out
}

/// `[*]` when the finding's fix is applied at the threshold.
pub fn fix_marker(finding: &Finding, threshold: Applicability) -> &'static str {
    if finding.is_fixable(threshold) {
        "[*] "
    } else {
        ""
    }
}

/// Counts for the summary line.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    /// Findings reported.
    pub findings: usize,
    /// Of those, fixable at the threshold.
    pub fixable: usize,
    /// Of those, fixable only with `--unsafe-fixes`.
    pub hidden: usize,
    /// Files with findings.
    pub files_with_findings: usize,
    /// Files processed.
    pub files: usize,
    /// Findings fixed (fix mode).
    pub fixed: usize,
    /// Files changed (fix mode).
    pub files_changed: usize,
    /// Files with errors.
    pub errors: usize,
}

impl Counts {
    /// Counts of the reports.
    pub fn of(reports: &[FileReport], threshold: Applicability) -> Self {
        let mut counts = Counts {
            files: reports.len(),
            ..Counts::default()
        };
        for report in reports {
            counts.findings += report.findings.len();
            counts.fixable += report
                .findings
                .iter()
                .filter(|f| f.is_fixable(threshold))
                .count();
            counts.hidden += report
                .findings
                .iter()
                .filter(|f| !f.is_fixable(threshold) && f.is_fixable(Applicability::Unsafe))
                .count();
            counts.files_with_findings += usize::from(!report.findings.is_empty());
            counts.errors += usize::from(!report.errors.is_empty());
            if let Some(change) = &report.change {
                counts.files_changed += 1;
                counts.fixed += change.applied.iter().map(|a| a.findings).sum::<usize>();
            }
        }
        counts
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The summary line(s).
pub fn summary(counts: &Counts, fixing: bool, diff_only: bool) -> String {
    let mut lines = Vec::new();
    if fixing && counts.files_changed > 0 {
        let verb = if diff_only { "Would fix" } else { "Fixed" };
        lines.push(format!(
            "{verb} {} in {}.",
            plural(counts.fixed, "finding", "findings"),
            plural(counts.files_changed, "file", "files")
        ));
    }
    if counts.findings > 0 {
        let left = if fixing { " remaining" } else { "" };
        let fixable = if counts.fixable > 0 && !fixing {
            format!(" ({} fixable)", counts.fixable)
        } else {
            String::new()
        };
        lines.push(format!(
            "Found {}{left}{fixable} in {}.",
            plural(counts.findings, "finding", "findings"),
            plural(counts.files_with_findings, "file", "files")
        ));
        if counts.hidden > 0 {
            lines.push(format!(
                "{} available with `--unsafe-fixes`.",
                plural(counts.hidden, "more fix", "more fixes")
            ));
        }
    } else if !(fixing && counts.files_changed > 0) {
        lines.push(format!(
            "No findings in {}.",
            plural(counts.files, "file", "files")
        ));
    }
    lines.join("\n")
}

/// `--statistics`: a count of findings per rule.
pub fn statistics(
    out: &mut dyn Write,
    reports: &[FileReport],
    threshold: Applicability,
) -> io::Result<()> {
    let mut per_rule: std::collections::BTreeMap<crate::rules::Rule, (usize, usize)> =
        Default::default();
    for finding in reports.iter().flat_map(|r| &r.findings) {
        let entry = per_rule.entry(finding.rule).or_default();
        entry.0 += 1;
        entry.1 += usize::from(finding.is_fixable(threshold));
    }
    let width = per_rule
        .values()
        .map(|(n, _)| n.to_string().len())
        .max()
        .unwrap_or(1);
    for (rule, (count, fixable)) in per_rule {
        let marker = if fixable > 0 { "[*]" } else { "[ ]" };
        writeln!(
            out,
            "{count:>width$}\t{}\t{marker} {}",
            rule.code(),
            rule.name()
        )?;
    }
    Ok(())
}
