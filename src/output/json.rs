//! `json`: an array of ruff-compatible objects. A file that could not be processed is an object
//! with `"code": null` and the reason as its `message` (as ruff reports a syntax error), at the
//! place the error points to (else the file's start), with no fix, `name`, `noqa_row` or `url`.
//! `json-lines` prints the same objects, one per line.

use std::io::{self, Write};

use serde::Serialize;

use super::format::{Emitter, Printer};
use super::located::{Located, What};
use crate::paths::absolute_path;
use crate::source::{Location, SourceFile};

/// The JSON format.
pub struct Json;

/// The JSON Lines format: one object of [`Json`] per line.
pub struct JsonLines;

/// One diagnostic as a ruff-compatible JSON object.
#[derive(Serialize)]
struct JsonFinding<'a> {
    cell: Option<()>,
    code: Option<&'static str>,
    end_location: Location,
    filename: String,
    fix: Option<JsonFix<'a>>,
    location: Location,
    message: String,
    name: Option<&'static str>,
    noqa_row: Option<usize>,
    url: Option<String>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    applicability: &'static str,
    edits: Vec<JsonEdit>,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonEdit {
    content: String,
    end_location: Location,
    location: Location,
}

impl Emitter for Json {
    fn emit(&self, out: &mut dyn Write, located: &[Located], _printer: &Printer) -> io::Result<()> {
        let items: Vec<JsonFinding> = located.iter().map(to_json).collect();
        serde_json::to_writer_pretty(&mut *out, &items)?;
        writeln!(out)
    }
}

impl Emitter for JsonLines {
    fn emit(&self, out: &mut dyn Write, located: &[Located], _printer: &Printer) -> io::Result<()> {
        for diagnostic in located {
            serde_json::to_writer(&mut *out, &to_json(diagnostic))?;
            writeln!(out)?;
        }
        Ok(())
    }
}

/// The JSON object of one diagnostic.
fn to_json<'a>(located: &'a Located) -> JsonFinding<'a> {
    let filename = absolute_path(&located.report.path);
    let (source, finding) = match located.what {
        What::Finding { source, finding } => (source, finding),
        What::Error(error) => {
            return JsonFinding {
                cell: None,
                code: None,
                end_location: located.end,
                filename,
                fix: None,
                location: located.start,
                message: error.to_string(),
                name: None,
                noqa_row: None,
                url: None,
            };
        }
    };
    JsonFinding {
        cell: None,
        code: Some(finding.rule.code()),
        end_location: located.end,
        filename,
        fix: finding.fix.as_ref().map(|fix| JsonFix {
            applicability: fix.applicability().as_str(),
            edits: located
                .report
                .complete_edits(fix)
                .iter()
                .map(|edit| edit_json(source, &edit.range, &edit.content))
                .collect(),
            message: fix.title(),
        }),
        location: located.start,
        message: finding.message.clone(),
        name: Some(finding.rule.name()),
        noqa_row: Some(located.start.row),
        url: finding.rule.url(),
    }
}

fn edit_json(source: &SourceFile, range: &std::ops::Range<usize>, content: &[u8]) -> JsonEdit {
    JsonEdit {
        content: String::from_utf8_lossy(content).into_owned(),
        end_location: source.location(range.end),
        location: source.location(range.start),
    }
}
