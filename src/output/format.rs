//! The output formats, how a run prints (format, colour), and the trait each format's emitter
//! implements.

use std::io::{self, Write};

use super::located::Located;

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
    /// One JSON object (as in `json`) per line.
    JsonLines,
    /// GitLab Code Quality (a JSON array of issues).
    Gitlab,
    /// `path:line: [LF001(name)] message`, as pylint prints.
    Pylint,
    /// JUnit XML: a test suite per file, a failing test case per finding.
    Junit,
    /// reviewdog's Diagnostic Format (rdjson).
    Rdjson,
}

impl OutputFormat {
    /// Whether the format is for machines (no summary line on standard output).
    pub fn is_machine_readable(self) -> bool {
        !matches!(self, OutputFormat::Full | OutputFormat::Concise)
    }
}

/// How to print.
#[derive(Debug, Clone)]
pub struct Printer {
    /// The format.
    pub format: OutputFormat,
    /// Colour on.
    pub color: bool,
    /// Whether fix mode is printing (fixed findings are gone already).
    pub fixing: bool,
}

/// A format.
pub trait Emitter {
    /// Writes the diagnostics (findings and file errors) of all files.
    fn emit(&self, out: &mut dyn Write, located: &[Located], printer: &Printer) -> io::Result<()>;
}
