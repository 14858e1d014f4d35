//! `github`: GitHub Actions workflow commands (`::error file=...,line=...::message`).

use std::io::{self, Write};

use super::{Emitter, Located, Printer};

/// The GitHub Actions format.
pub struct Github;

impl Emitter for Github {
    fn emit(
        &self,
        out: &mut dyn Write,
        findings: &[Located],
        _printer: &Printer,
    ) -> io::Result<()> {
        for located in findings {
            let code = located.finding.rule.code();
            writeln!(
                out,
                "::error title=loopfix ({code}),file={},line={},col={},endLine={},endColumn={}::{}:{}:{}: {code} {}",
                escape_property(&located.display),
                located.start.row,
                located.start.column,
                located.end.row,
                located.end.column,
                escape_data(&located.display),
                located.start.row,
                located.start.column,
                escape_data(&located.finding.message),
            )?;
        }
        Ok(())
    }
}

/// Escapes a workflow command's message.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}
