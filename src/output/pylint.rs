//! `pylint`: one line per diagnostic, `path:line: [LF001(asyncio-run-at-import)] message`, as
//! pylint's parseable format prints; a file that could not be processed is
//! `path:line: error: reason`.

use std::io::{self, Write};

use super::format::{Emitter, Printer};
use super::located::{Located, What};

/// The pylint format.
pub struct Pylint;

impl Emitter for Pylint {
    fn emit(&self, out: &mut dyn Write, located: &[Located], _printer: &Printer) -> io::Result<()> {
        for diagnostic in located {
            let (path, row) = (&diagnostic.display, diagnostic.start.row);
            match diagnostic.what {
                What::Finding { finding, .. } => writeln!(
                    out,
                    "{path}:{row}: [{}({})] {}",
                    finding.rule.code(),
                    finding.rule.name(),
                    finding.message
                )?,
                What::Error(error) => writeln!(out, "{path}:{row}: error: {error}")?,
            }
        }
        Ok(())
    }
}
