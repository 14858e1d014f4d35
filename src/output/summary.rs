//! The summary line(s) at the end of a run, their counts, and `--statistics`. Each file's fixes
//! count as available at that file's own threshold (its settings and the command line), so
//! `check` says what `fix` would do.

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::diagnostic::Applicability;
use crate::rules::Rule;
use crate::runner::FileReport;

/// Counts for the summary line.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    /// Findings reported.
    pub findings: usize,
    /// Of those, fixable at their file's threshold.
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
    /// Errors reported (files that could not be processed, refused fixes, ...).
    pub errors: usize,
    /// Files with findings or errors.
    pub files_with_diagnostics: usize,
}

impl Counts {
    /// Counts of the reports.
    pub fn of(reports: &[FileReport]) -> Self {
        let mut counts = Counts {
            files: reports.len(),
            ..Counts::default()
        };
        for report in reports {
            let threshold = report.threshold;
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
            counts.errors += report.errors.len();
            counts.files_with_diagnostics +=
                usize::from(!report.findings.is_empty() || !report.errors.is_empty());
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
    let errors = plural(counts.errors, "error", "errors");
    if counts.findings > 0 {
        let left = if fixing { " remaining" } else { "" };
        let fixable = if counts.fixable > 0 && !fixing {
            format!(" ({} fixable)", counts.fixable)
        } else {
            String::new()
        };
        let (and_errors, files) = if counts.errors > 0 {
            (format!(" and {errors}"), counts.files_with_diagnostics)
        } else {
            (String::new(), counts.files_with_findings)
        };
        lines.push(format!(
            "Found {}{left}{fixable}{and_errors} in {}.",
            plural(counts.findings, "finding", "findings"),
            plural(files, "file", "files")
        ));
        if counts.hidden > 0 {
            lines.push(format!(
                "{} available with `--unsafe-fixes`.",
                plural(counts.hidden, "more fix", "more fixes")
            ));
        }
    } else if counts.errors > 0 {
        lines.push(format!(
            "Found {errors} in {}.",
            plural(counts.files_with_diagnostics, "file", "files")
        ));
    } else if !(fixing && counts.files_changed > 0) {
        lines.push(format!(
            "No findings in {}.",
            plural(counts.files, "file", "files")
        ));
    }
    lines.join("\n")
}

/// One row of `--statistics`: a rule, how many findings it has and whether any is fixable.
#[derive(Debug, serde::Serialize)]
struct RuleStatistics {
    code: &'static str,
    name: &'static str,
    count: usize,
    fixable: bool,
}

/// The rows of `--statistics`, in code order.
fn rule_statistics(reports: &[FileReport]) -> Vec<RuleStatistics> {
    let mut per_rule: BTreeMap<Rule, (usize, bool)> = BTreeMap::new();
    for report in reports {
        for finding in &report.findings {
            let entry = per_rule.entry(finding.rule).or_default();
            entry.0 += 1;
            entry.1 |= finding.is_fixable(report.threshold);
        }
    }
    per_rule
        .into_iter()
        .map(|(rule, (count, fixable))| RuleStatistics {
            code: rule.code(),
            name: rule.name(),
            count,
            fixable,
        })
        .collect()
}

/// `--statistics`: a count of findings per rule; with `--output-format json` a JSON array of
/// `{code, name, count, fixable}` (ruff's shape), else a table.
pub fn statistics(out: &mut dyn Write, reports: &[FileReport], json: bool) -> io::Result<()> {
    let rows = rule_statistics(reports);
    if json {
        serde_json::to_writer_pretty(&mut *out, &rows)?;
        return writeln!(out);
    }
    let width = rows
        .iter()
        .map(|row| row.count.to_string().len())
        .max()
        .unwrap_or(1);
    for row in rows {
        let marker = if row.fixable { "[*]" } else { "[ ]" };
        writeln!(
            out,
            "{:>width$}\t{}\t{marker} {}",
            row.count, row.code, row.name
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(findings: usize, errors: usize, files: usize) -> Counts {
        Counts {
            findings,
            errors,
            files,
            files_with_findings: findings.min(1),
            files_with_diagnostics: (findings + errors).min(files),
            ..Counts::default()
        }
    }

    #[test]
    fn errors_are_counted_in_the_summary() {
        assert_eq!(
            summary(&counts(0, 0, 3), false, false),
            "No findings in 3 files."
        );
        assert_eq!(
            summary(&counts(0, 1, 1), false, false),
            "Found 1 error in 1 file."
        );
        assert_eq!(
            summary(&counts(1, 2, 3), false, false),
            "Found 1 finding and 2 errors in 3 files."
        );
        assert_eq!(
            summary(&counts(2, 0, 3), true, false),
            "Found 2 findings remaining in 1 file."
        );
    }
}
