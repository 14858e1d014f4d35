//! Every diagnostic of the reports, located and in path order, as the emitters print them: the
//! findings, and the errors of files that could not be processed (a diagnostic without a rule
//! code, as ruff reports a syntax error).

use crate::diagnostic::{FileError, Finding};
use crate::paths::display_path;
use crate::runner::FileReport;
use crate::source::{Location, SourceFile};

/// One diagnostic, located, ready to print.
pub struct Located<'a> {
    /// The file's report.
    pub report: &'a FileReport,
    /// Path for display (relative to the working directory, `/`-separated).
    pub display: String,
    /// Start.
    pub start: Location,
    /// End.
    pub end: Location,
    /// What is reported.
    pub what: What<'a>,
}

/// What a diagnostic reports.
pub enum What<'a> {
    /// A finding, in the file's source.
    Finding {
        /// The file's source.
        source: &'a SourceFile,
        /// The finding.
        finding: &'a Finding,
    },
    /// The file could not be (fully) processed.
    Error(&'a FileError),
}

/// Every diagnostic of every report, in path order: a file's errors, then its findings.
pub fn locate(reports: &[FileReport]) -> Vec<Located<'_>> {
    let mut out = Vec::new();
    for report in reports {
        if report.errors.is_empty() && report.findings.is_empty() {
            continue;
        }
        let display = display_path(&report.path);
        for error in &report.errors {
            let (row, column) = error.location();
            let at = Location { row, column };
            out.push(Located {
                report,
                display: display.clone(),
                start: at,
                end: at,
                what: What::Error(error),
            });
        }
        let Some(source) = &report.source else {
            continue;
        };
        for finding in &report.findings {
            out.push(Located {
                report,
                display: display.clone(),
                start: source.location(finding.range.start),
                end: source.location(finding.range.end),
                what: What::Finding { source, finding },
            });
        }
    }
    out
}

/// `[*] ` when the finding's fix is applied at its file's threshold.
pub fn fix_marker(report: &FileReport, finding: &Finding) -> &'static str {
    if finding.is_fixable(report.threshold) {
        "[*] "
    } else {
        ""
    }
}
