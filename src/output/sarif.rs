//! `sarif`: SARIF 2.1.0, as GitHub code scanning accepts it, with rule metadata and fixes. A file
//! that could not be processed is a result without a rule (`"ruleId": null`), level `error`.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::format::{Emitter, Printer};
use super::located::{Located, What};
use crate::rules::Rule;
use crate::source::SourceFile;

/// The SARIF format.
pub struct Sarif;

impl Emitter for Sarif {
    fn emit(&self, out: &mut dyn Write, located: &[Located], _printer: &Printer) -> io::Result<()> {
        let rules: Vec<Value> = Rule::ALL.iter().map(|&rule| rule_json(rule)).collect();
        let results: Vec<Value> = located.iter().map(result_json).collect();
        let log = json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": {
                    "driver": {
                        "name": "loopfix",
                        "version": env!("CARGO_PKG_VERSION"),
                        "informationUri": "https://loopfix.dev",
                        "rules": rules,
                    }
                },
                "results": results,
            }]
        });
        serde_json::to_writer_pretty(&mut *out, &log)?;
        writeln!(out)
    }
}

fn rule_json(rule: Rule) -> Value {
    json!({
        "id": rule.code(),
        "name": rule.name(),
        "shortDescription": { "text": rule.summary() },
        "fullDescription": { "text": rule.summary() },
        "help": { "text": rule.explanation(), "markdown": rule.explanation() },
        "helpUri": rule.url(),
        "defaultConfiguration": { "level": "error" },
        "properties": { "tags": ["asyncio", "correctness"] },
    })
}

fn result_json(located: &Located) -> Value {
    let uri = located.display.clone();
    let physical = json!({
        "artifactLocation": { "uri": uri, "uriBaseId": "%SRCROOT%" },
        "region": {
            "startLine": located.start.row,
            "startColumn": located.start.column,
            "endLine": located.end.row,
            "endColumn": located.end.column,
        }
    });
    let (source, finding) = match located.what {
        What::Finding { source, finding } => (source, finding),
        What::Error(error) => {
            return json!({
                "ruleId": null,
                "level": "error",
                "message": { "text": error.to_string() },
                "locations": [{ "physicalLocation": physical }],
            });
        }
    };
    let mut result = json!({
        "ruleId": finding.rule.code(),
        "ruleIndex": Rule::ALL.iter().position(|&r| r == finding.rule).unwrap_or(0),
        "level": "error",
        "message": { "text": finding.message },
        "locations": [{ "physicalLocation": physical }],
    });
    if let Some(fix) = &finding.fix {
        let replacements: Vec<Value> = located
            .report
            .complete_edits(fix)
            .iter()
            .map(|edit| {
                json!({
                    "deletedRegion": region(source, &edit.range),
                    "insertedContent": { "text": String::from_utf8_lossy(&edit.content) },
                })
            })
            .collect();
        result["fixes"] = json!([{
            "description": { "text": format!("{} ({})", fix.title(), fix.applicability().as_str()) },
            "artifactChanges": [{
                "artifactLocation": { "uri": uri, "uriBaseId": "%SRCROOT%" },
                "replacements": replacements,
            }],
        }]);
    }
    result
}

fn region(source: &SourceFile, range: &std::ops::Range<usize>) -> Value {
    let start = source.location(range.start);
    let end = source.location(range.end);
    json!({
        "startLine": start.row,
        "startColumn": start.column,
        "endLine": end.row,
        "endColumn": end.column,
    })
}
