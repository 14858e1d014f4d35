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
        "shortDescription": { "text": first_sentence(&what_it_does(rule)) },
        "fullDescription": { "text": what_it_does(rule) },
        "help": { "text": rule.explanation(), "markdown": rule.explanation() },
        "defaultConfiguration": { "level": "error" },
        "properties": { "tags": ["asyncio", "correctness"] },
    })
}

/// The "What it does" section of the rule's documentation, each paragraph on one line.
fn what_it_does(rule: Rule) -> String {
    let section = rule
        .explanation()
        .split("## What it does")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .unwrap_or_default();
    section
        .split("\n\n")
        .map(|paragraph| paragraph.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|paragraph| !paragraph.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The text up to the end of its first sentence (a full stop before a space or the end).
fn first_sentence(text: &str) -> &str {
    let paragraph = text.split("\n\n").next().unwrap_or_default();
    match paragraph.find(". ") {
        Some(end) => &paragraph[..=end],
        None => paragraph,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_descriptions_are_whole_sentences() {
        for rule in Rule::ALL {
            let full = what_it_does(rule);
            let short = first_sentence(&full);
            assert!(short.starts_with("Finds "), "{rule}: {short}");
            assert!(short.ends_with('.'), "{rule}: {short}");
            assert!(full.starts_with(short), "{rule}");
            assert!(
                !full.contains("\n\n\n") && !full.contains("##"),
                "{rule}: {full}"
            );
        }
        let lf001 = what_it_does(Rule::AsyncioRunAtImport);
        assert!(
            first_sentence(&lf001).ends_with("in class bodies, decorators and default values."),
            "{lf001}"
        );
        assert!(lf001.contains("never reported."), "{lf001}");
    }
}
