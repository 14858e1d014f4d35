//! `github`: GitHub Actions workflow commands (`::error file=...,line=...::message`); a file that
//! could not be processed gets one too, titled `loopfix (error)`.

use std::io::{self, Write};

use super::format::{Emitter, Printer};
use super::located::{Located, What};

/// The GitHub Actions format.
pub struct Github;

impl Emitter for Github {
    fn emit(&self, out: &mut dyn Write, located: &[Located], _printer: &Printer) -> io::Result<()> {
        for diagnostic in located {
            let (title, text) = match diagnostic.what {
                What::Finding { finding, .. } => {
                    let code = finding.rule.code();
                    (
                        format!("loopfix ({code})"),
                        format!("{code} {}", finding.message),
                    )
                }
                What::Error(error) => ("loopfix (error)".to_owned(), format!("error: {error}")),
            };
            writeln!(
                out,
                "::error title={title},file={},line={},col={},endLine={},endColumn={}::{}:{}:{}: {}",
                escape_property(&diagnostic.display),
                diagnostic.start.row,
                diagnostic.start.column,
                diagnostic.end.row,
                diagnostic.end.column,
                escape_data(&diagnostic.display),
                diagnostic.start.row,
                diagnostic.start.column,
                escape_data(&text),
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
