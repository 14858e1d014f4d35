//! Whether one driver run worked: the answers, the count of the start-up work, and the warnings
//! that reveal a wrong rewrite.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Deserialize;
use serde_json::Value;

use crate::spec::Spec;

/// Text that makes any run fail wherever it appears (warnings, logs, errors, standard error):
/// each reveals work that runs on the wrong loop, or never.
pub const FATAL_WARNINGS: &[&str] = &[
    "was never awaited",
    "Task was destroyed",
    "Unclosed",
    "attached to a different loop",
];

/// What `harness/driver.py` prints.
#[derive(Debug, Deserialize)]
pub struct DriverOutput {
    pub import: Import,
    pub responses: Vec<Answer>,
    pub work: BTreeMap<String, u64>,
    pub warnings: Vec<String>,
    pub logged: Vec<PyError>,
}

#[derive(Debug, Deserialize)]
pub struct Import {
    pub ok: bool,
    #[serde(default)]
    pub error: Option<PyError>,
}

#[derive(Debug, Deserialize)]
pub struct Answer {
    pub status: Option<u16>,
    pub body: Option<String>,
    pub error: Option<PyError>,
    pub logged: Vec<PyError>,
}

#[derive(Debug, Deserialize)]
pub struct PyError {
    #[serde(rename = "type")]
    pub kind: String,
    pub message: String,
    #[serde(default)]
    pub at: Option<String>,
}

impl PyError {
    pub fn short(&self) -> String {
        let mut text = format!("{}: {}", self.kind, self.message);
        if let Some(at) = &self.at {
            let _ = write!(text, " (at {at})");
        }
        text
    }
}

impl Answer {
    fn short(&self) -> String {
        let mut text = match (&self.error, self.status) {
            (Some(error), _) => format!("raised {}", error.short()),
            (None, Some(status)) => {
                format!("{status} {}", clip(self.body.as_deref().unwrap_or("")))
            }
            (None, None) => "no answer".into(),
        };
        if let Some(logged) = self.logged.iter().find(|e| e.kind != "log") {
            let _ = write!(text, " [logged {}]", logged.short());
        }
        text
    }

    /// The body as JSON, or as a JSON string when it is not JSON.
    fn body_value(&self) -> Value {
        let body = self.body.as_deref().unwrap_or("");
        serde_json::from_str(body).unwrap_or_else(|_| Value::String(body.to_owned()))
    }

    fn is_success(&self, spec: &Spec) -> bool {
        self.error.is_none()
            && self.status == Some(spec.response.status)
            && self.body_value() == spec.response.body
    }
}

/// One line of text, at most 160 characters.
pub fn clip(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 160 {
        let cut: String = line.chars().take(157).collect();
        format!("{cut}...")
    } else {
        line
    }
}

/// The verdict on one driver run.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub passed: bool,
    /// Why it failed (the first problem), or a summary of the working run.
    pub summary: String,
    /// The start-up work ran more than once, or a fatal warning was seen: wrong whatever the
    /// run was expected to do.
    pub harmful: bool,
    /// The app was imported, but some start-up work never ran: nothing awaited it.
    pub work_never_ran: bool,
}

/// Judges one run from the driver's output and its standard error.
pub fn judge(spec: &Spec, output: &DriverOutput, stderr: &str) -> Outcome {
    let warning = fatal_warning(output, stderr);
    let over_counted = spec
        .work
        .iter()
        .find(|name| output.work.get(*name).copied().unwrap_or(0) > 1);
    let harmful = warning.is_some() || over_counted.is_some();
    let work_never_ran = output.import.ok
        && spec
            .work
            .iter()
            .any(|name| output.work.get(name).copied().unwrap_or(0) == 0);
    let problem = first_problem(spec, output, warning);
    match problem {
        Some(summary) => Outcome {
            passed: false,
            summary,
            harmful,
            work_never_ran,
        },
        None => Outcome {
            passed: true,
            summary: format!(
                "{} answers {}, work {}",
                output.responses.len(),
                spec.response.status,
                work_summary(spec, output)
            ),
            harmful,
            work_never_ran,
        },
    }
}

fn first_problem(spec: &Spec, output: &DriverOutput, warning: Option<String>) -> Option<String> {
    if !output.import.ok {
        let error = output
            .import
            .error
            .as_ref()
            .map_or("?".into(), PyError::short);
        return Some(format!("import or start-up failed: {error}"));
    }
    if let Some(problem) = answers_problem(spec, &output.responses) {
        return Some(problem);
    }
    for name in &spec.work {
        let count = output.work.get(name).copied().unwrap_or(0);
        if count != 1 {
            return Some(format!("work {name:?} ran {count} times (once expected)"));
        }
    }
    if let Some(warning) = warning {
        return Some(format!("warning: {}", clip(&warning)));
    }
    None
}

/// The first wrong answer. Before the first success an answer may have `retry_status`; the
/// last answer must be a success.
fn answers_problem(spec: &Spec, answers: &[Answer]) -> Option<String> {
    let Some(last) = answers.last() else {
        return Some("no answer".into());
    };
    let mut succeeded = false;
    for (i, answer) in answers.iter().enumerate() {
        if answer.is_success(spec) {
            succeeded = true;
            continue;
        }
        let retried = !succeeded
            && answer.error.is_none()
            && answer.status.is_some()
            && answer.status == spec.retry_status;
        if !retried {
            return Some(format!(
                "answer {} of {}: {}",
                i + 1,
                answers.len(),
                answer.short()
            ));
        }
    }
    if !last.is_success(spec) {
        return Some(format!("last answer: {}", last.short()));
    }
    None
}

/// The first fatal warning in the run, wherever it showed.
fn fatal_warning(output: &DriverOutput, stderr: &str) -> Option<String> {
    let errors = output
        .logged
        .iter()
        .chain(
            output
                .responses
                .iter()
                .flat_map(|a| a.logged.iter().chain(&a.error)),
        )
        .chain(&output.import.error)
        .map(PyError::short);
    output
        .warnings
        .iter()
        .cloned()
        .chain(errors)
        .chain(stderr.lines().map(str::to_owned))
        .find(|line| FATAL_WARNINGS.iter().any(|w| line.contains(w)))
}

fn work_summary(spec: &Spec, output: &DriverOutput) -> String {
    spec.work
        .iter()
        .map(|name| format!("{name}={}", output.work.get(name).copied().unwrap_or(0)))
        .collect::<Vec<_>>()
        .join(",")
}
