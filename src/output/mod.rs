//! Printing what a run found: one module per output format behind [`Emitter`], the located
//! diagnostics they all read, the summary line and `--statistics`. Emitters read reports only:
//! what they show was computed before (the fix previews by the runner).

mod format;
mod full;
mod github;
mod gitlab;
mod json;
mod junit;
mod located;
mod pylint;
mod rdjson;
mod sarif;
mod summary;

use std::io::{self, Write};

use crate::runner::FileReport;

pub use format::{Emitter, OutputFormat, Printer};
pub use summary::{Counts, statistics, summary};

impl Printer {
    /// Writes the diagnostics of all reports in the printer's format.
    pub fn emit(&self, out: &mut dyn Write, reports: &[FileReport]) -> io::Result<()> {
        let located = located::locate(reports);
        let emitter: &dyn Emitter = match self.format {
            OutputFormat::Full => &full::Full { concise: false },
            OutputFormat::Concise => &full::Full { concise: true },
            OutputFormat::Json => &json::Json,
            OutputFormat::Sarif => &sarif::Sarif,
            OutputFormat::Github => &github::Github,
            OutputFormat::JsonLines => &json::JsonLines,
            OutputFormat::Gitlab => &gitlab::Gitlab,
            OutputFormat::Pylint => &pylint::Pylint,
            OutputFormat::Junit => &junit::Junit,
            OutputFormat::Rdjson => &rdjson::Rdjson,
        };
        emitter.emit(out, &located, self)
    }

    /// Whether the format is for machines (no summary line on standard output).
    pub fn is_machine_readable(&self) -> bool {
        self.format.is_machine_readable()
    }
}
