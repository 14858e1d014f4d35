//! `json`: an array of ruff-compatible objects.

use std::io::{self, Write};

use serde::Serialize;

use super::{Emitter, Located, Printer};
use crate::paths::absolute_path;
use crate::source::{Location, SourceFile};

/// The JSON format.
pub struct Json;

#[derive(Serialize)]
struct JsonFinding<'a> {
    cell: Option<()>,
    code: &'static str,
    end_location: Location,
    filename: String,
    fix: Option<JsonFix<'a>>,
    location: Location,
    message: &'a str,
    noqa_row: usize,
    url: String,
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
    fn emit(
        &self,
        out: &mut dyn Write,
        findings: &[Located],
        _printer: &Printer,
    ) -> io::Result<()> {
        let items: Vec<JsonFinding> = findings.iter().map(to_json).collect();
        serde_json::to_writer_pretty(&mut *out, &items)?;
        writeln!(out)
    }
}

fn to_json<'a>(located: &'a Located) -> JsonFinding<'a> {
    let finding = located.finding;
    JsonFinding {
        cell: None,
        code: finding.rule.code(),
        end_location: located.end,
        filename: absolute_path(&located.report.path),
        fix: finding.fix.as_ref().map(|fix| JsonFix {
            applicability: fix.applicability().as_str(),
            edits: fix
                .edits()
                .iter()
                .map(|edit| edit_json(located.source, &edit.range, &edit.content))
                .collect(),
            message: fix.title(),
        }),
        location: located.start,
        message: &finding.message,
        noqa_row: located.start.row,
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
