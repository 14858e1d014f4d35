//! `rdjson`: reviewdog's Diagnostic Format, as ruff prints it (`source`, `severity`,
//! `diagnostics` with `message`, `location.path`/`location.range`, `code.value`/`code.url` and a
//! fix's edits as `suggestions`). A file that could not be processed is a diagnostic without a
//! `code`.

use std::io::{self, Write};
use std::ops::Range;

use serde_json::{Map, Value, json};

use super::format::{Emitter, Printer};
use super::located::{Located, What};
use crate::source::{Location, SourceFile};

/// The reviewdog format.
pub struct Rdjson;

impl Emitter for Rdjson {
    fn emit(&self, out: &mut dyn Write, located: &[Located], _printer: &Printer) -> io::Result<()> {
        let diagnostics: Vec<Value> = located.iter().map(diagnostic_json).collect();
        let result = json!({
            "source": { "name": "loopfix" },
            "severity": "ERROR",
            "diagnostics": diagnostics,
        });
        serde_json::to_writer_pretty(&mut *out, &result)?;
        writeln!(out)
    }
}

fn diagnostic_json(located: &Located) -> Value {
    let mut object = Map::new();
    let message = match located.what {
        What::Finding { finding, .. } => finding.message.clone(),
        What::Error(error) => error.to_string(),
    };
    object.insert("message".into(), message.into());
    object.insert(
        "location".into(),
        json!({ "path": located.display, "range": range_json(located.start, located.end) }),
    );
    object.insert("severity".into(), "ERROR".into());
    if let What::Finding { source, finding } = located.what {
        object.insert("code".into(), json!({ "value": finding.rule.code() }));
        if let Some(fix) = &finding.fix {
            let suggestions: Vec<Value> = located
                .report
                .complete_edits(fix)
                .iter()
                .map(|edit| suggestion_json(source, &edit.range, &edit.content))
                .collect();
            object.insert("suggestions".into(), suggestions.into());
        }
    }
    Value::Object(object)
}

fn suggestion_json(source: &SourceFile, range: &Range<usize>, content: &[u8]) -> Value {
    json!({
        "range": range_json(source.location(range.start), source.location(range.end)),
        "text": String::from_utf8_lossy(content),
    })
}

fn range_json(start: Location, end: Location) -> Value {
    json!({
        "start": { "line": start.row, "column": start.column },
        "end": { "line": end.row, "column": end.column },
    })
}
