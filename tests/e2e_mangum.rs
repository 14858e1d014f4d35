//! The real bug, end to end (SPEC §8): FastAPI apps served by the real Mangum,
//! invoked the way the AWS Lambda runtime does it, before and after `loopfix fix`.
//!
//! Every `tests/e2e/apps/NAME.py` is a small realistic app with one shape of
//! import-time event loop, and `NAME.json` next to it declares what happens:
//!
//! ```json
//! {
//!   "description": "what the app does wrong",
//!   "request": {"method": "POST", "path": "/summarize", "body": {"text": "..."}},
//!   "data": {"prompt": "..."},
//!   "before": {
//!     "mangum-0.19.0": {"raises": {"type": "RuntimeError",
//!                                  "message": "There is no current event loop",
//!                                  "at": "mangum/protocols/lifespan.py:62"}},
//!     "mangum-0.22.0": {"status": 500, "body": "Internal Server Error",
//!                       "logged": {"type": "RuntimeError", "message": "Event loop is closed"}}
//!   },
//!   "fixes": [{"strategy": "lazy"}]
//! }
//! ```
//!
//! - `request` is the HTTP request sent in an API Gateway HTTP API (payload
//!   2.0) event (`method`, `path`, `query`, `headers`, `body`); see
//!   `tests/e2e/invoke.py`.
//! - `data` is the JSON body the app answers when it works.
//! - `before` has one expectation per environment of [`ENVS`], for the app as
//!   written; `fixes` lists the strategies to fix it with (`strategy`, extra
//!   `args` for `loopfix fix`, and `after`, which defaults to
//!   `{"status": 200}`).
//! - An expectation holds for both invocations. `raises`: `handler(event,
//!   context)` raised an exception of that `type`, whose message contains
//!   `message`, whose innermost frame outside the standard library is `at`
//!   (`file:line`, optional). Otherwise the handler answered `status`, with the
//!   JSON `body` (default: `data` when `status` is 200; a body that is not JSON
//!   compares as a string), and logged the exception `logged` (nothing, when
//!   absent).
//!
//! For each app and environment the test runs the harness on a copy of the app,
//! checks `before`, then for each fix: `loopfix fix --strategy S` (exit 0, file
//! changed), `python -m py_compile`, `loopfix fix` again (exit 0, no change),
//! and the harness again, checking `after`.
//!
//! The virtual environments are built once and cached under `target/` (see
//! `tests/common/venv.rs`); the first run needs `python3` and PyPI.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use common::process::{self, Output};

/// The environments every app is run in: name and requirements file.
const ENVS: &[(&str, &str)] = &[
    ("mangum-0.19.0", "tests/e2e/requirements-mangum-0.19.0.txt"),
    ("mangum-0.22.0", "tests/e2e/requirements-mangum-0.22.0.txt"),
];

const INVOCATIONS: usize = 2;
const PYTHON_TIMEOUT: Duration = Duration::from_secs(120);
const LOOPFIX_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    description: String,
    request: Value,
    data: Value,
    before: BTreeMap<String, Expect>,
    fixes: Vec<Fix>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fix {
    strategy: String,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    after: Option<Expect>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    #[serde(default)]
    raises: Option<ErrorPattern>,
    #[serde(default)]
    status: Option<u16>,
    #[serde(default)]
    body: Option<Value>,
    #[serde(default)]
    logged: Option<ErrorPattern>,
    /// Free text for the reader (why this is so).
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ErrorPattern {
    #[serde(rename = "type")]
    kind: String,
    message: String,
    #[serde(default)]
    at: Option<String>,
}

/// What `tests/e2e/invoke.py` prints.
#[derive(Debug, Deserialize)]
struct Harness {
    python: String,
    import: Import,
    invocations: Vec<Invocation>,
}

#[derive(Debug, Deserialize)]
struct Import {
    ok: bool,
    #[serde(default)]
    error: Option<PyError>,
}

#[derive(Debug, Deserialize)]
struct Invocation {
    ok: bool,
    #[serde(default)]
    status: Option<u16>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    json: Option<Value>,
    #[serde(default)]
    error: Option<PyError>,
    #[serde(default)]
    logged_errors: Vec<PyError>,
}

#[derive(Debug, Deserialize)]
struct PyError {
    #[serde(rename = "type")]
    kind: String,
    message: String,
    #[serde(default)]
    at: Option<String>,
}

impl PyError {
    fn matches(&self, pattern: &ErrorPattern) -> bool {
        self.kind == pattern.kind
            && self.message.contains(&pattern.message)
            && pattern
                .at
                .as_ref()
                .is_none_or(|at| self.at.as_ref() == Some(at))
    }

    fn short(&self) -> String {
        format!(
            "{}: {} (at {})",
            self.kind,
            self.message,
            self.at.as_deref().unwrap_or("?")
        )
    }
}

impl Invocation {
    /// The body as JSON, or as a JSON string when it is not JSON.
    fn body_value(&self) -> Value {
        self.json
            .clone()
            .unwrap_or_else(|| Value::String(self.body.clone().unwrap_or_default()))
    }

    fn short(&self) -> String {
        if self.ok {
            let mut s = format!(
                "{} {}",
                self.status.map_or("?".into(), |s| s.to_string()),
                self.body.as_deref().unwrap_or("")
            );
            for logged in &self.logged_errors {
                let _ = write!(s, " [logged {}]", logged.short());
            }
            s
        } else {
            self.error
                .as_ref()
                .map_or("raised ?".into(), |e| format!("raised {}", e.short()))
        }
    }
}

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn apps_dir() -> PathBuf {
    manifest_dir().join("tests/e2e/apps")
}

/// Every app (`NAME.py`) with its expectations (`NAME.json`), sorted by name.
fn load_apps() -> Vec<(String, Case)> {
    let mut apps = Vec::new();
    for entry in fs::read_dir(apps_dir()).expect("tests/e2e/apps") {
        let path = entry.expect("directory entry").path();
        if path.extension().is_some_and(|e| e == "py") {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let sidecar = path.with_extension("json");
            let text = fs::read_to_string(&sidecar)
                .unwrap_or_else(|e| panic!("{}: {e}", sidecar.display()));
            let case: Case = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: {e}", sidecar.display()));
            apps.push((name, case));
        }
    }
    apps.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(!apps.is_empty(), "no apps in tests/e2e/apps");
    apps
}

/// Checks one expectation against every invocation; `Err` says what differs.
fn check_expect(expect: &Expect, data: &Value, result: &Harness) -> Result<(), String> {
    if !result.import.ok {
        let error = result
            .import
            .error
            .as_ref()
            .map_or("?".into(), PyError::short);
        return Err(format!("importing the app failed: {error}"));
    }
    if result.invocations.len() != INVOCATIONS {
        return Err(format!(
            "expected {INVOCATIONS} invocations, got {}",
            result.invocations.len()
        ));
    }
    let mut problems = Vec::new();
    for (i, inv) in result.invocations.iter().enumerate() {
        let n = i + 1;
        if let Some(pattern) = &expect.raises {
            match (&inv.ok, &inv.error) {
                (false, Some(error)) if error.matches(pattern) => {}
                _ => problems.push(format!(
                    "invocation {n}: expected it to raise {}: {:?} at {}, got: {}",
                    pattern.kind,
                    pattern.message,
                    pattern.at.as_deref().unwrap_or("anywhere"),
                    inv.short()
                )),
            }
            continue;
        }
        let status = expect.status.unwrap_or(200);
        if !inv.ok || inv.status != Some(status) {
            problems.push(format!(
                "invocation {n}: expected status {status}, got: {}",
                inv.short()
            ));
            continue;
        }
        let body = expect
            .body
            .as_ref()
            .or(if status == 200 { Some(data) } else { None });
        if let Some(body) = body {
            if &inv.body_value() != body {
                problems.push(format!(
                    "invocation {n}: expected body {body}, got: {}",
                    inv.short()
                ));
            }
        }
        match &expect.logged {
            Some(pattern) => {
                if !inv.logged_errors.iter().any(|e| e.matches(pattern)) {
                    problems.push(format!(
                        "invocation {n}: expected a logged {}: {:?} at {}, got: {}",
                        pattern.kind,
                        pattern.message,
                        pattern.at.as_deref().unwrap_or("anywhere"),
                        inv.short()
                    ));
                }
            }
            None => {
                if !inv.logged_errors.is_empty() {
                    problems.push(format!(
                        "invocation {n}: expected no logged exception, got: {}",
                        inv.short()
                    ));
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// Runs the Lambda-style harness on the module `module` in `dir`.
fn invoke(
    python: &Path,
    dir: &Path,
    module: &str,
    request: &Value,
) -> (Output, Result<Harness, String>) {
    let harness = manifest_dir().join("tests/e2e/invoke.py");
    let out = process::run(
        Command::new(python)
            .arg(&harness)
            .arg(dir)
            .arg(module)
            .arg(request.to_string())
            .arg(INVOCATIONS.to_string())
            .current_dir(dir)
            .env_remove("PYTHONPATH")
            .env_remove("PYTHONHOME")
            .env_remove("PYTHONSTARTUP")
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("PYTHONNOUSERSITE", "1"),
        PYTHON_TIMEOUT,
    );
    let parsed = if out.success() {
        serde_json::from_str(&out.stdout).map_err(|e| format!("harness output is not JSON: {e}"))
    } else {
        Err("the harness failed".into())
    };
    (out, parsed)
}

fn loopfix(file: &Path, strategy: &str, args: &[String]) -> Output {
    process::run(
        Command::new(env!("CARGO_BIN_EXE_loopfix"))
            .arg("fix")
            .arg("--strategy")
            .arg(strategy)
            .args(args)
            .arg(file)
            .current_dir(file.parent().unwrap())
            .env("NO_COLOR", "1"),
        LOOPFIX_TIMEOUT,
    )
}

/// A fresh directory holding a copy of app `name`; returns it and the copy.
fn copy_app(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::Builder::new()
        .prefix(&format!("loopfix-e2e-{name}-"))
        .tempdir()
        .expect("temporary directory");
    let file = dir.path().join(format!("{name}.py"));
    fs::copy(apps_dir().join(format!("{name}.py")), &file).expect("copy the app");
    (dir, file)
}

/// Runs app `name` in one environment; returns one summary line per stage, or
/// the first failure with everything needed to understand it.
fn run_app(python: &Path, env: &str, name: &str, case: &Case) -> Result<Vec<String>, String> {
    let context = format!("app {name} ({}) with {env}", case.description);
    let mut lines = Vec::new();
    let expect = case
        .before
        .get(env)
        .ok_or_else(|| format!("{context}: {name}.json has no `before` for {env}"))?;

    // Before the fix.
    let (dir, _file) = copy_app(name);
    let (out, result) = invoke(python, dir.path(), name, &case.request);
    let result = result.map_err(|e| format!("{context}, before the fix: {e}\n{out}"))?;
    check_expect(expect, &case.data, &result)
        .map_err(|e| format!("{context}, before the fix:\n{e}\n{out}"))?;
    lines.push(format!(
        "{name:<24} {env:<14} python {} before       {}",
        result.python,
        result.invocations[0].short()
    ));

    for fix in &case.fixes {
        let stage = format!("{context}, fixed with --strategy {}", fix.strategy);
        let (dir, file) = copy_app(name);
        let original = fs::read(&file).unwrap();

        let fixed = loopfix(&file, &fix.strategy, &fix.args);
        if fixed.code() != Some(0) {
            return Err(format!("{stage}: `loopfix fix` should exit 0\n{fixed}"));
        }
        let rewritten = fs::read(&file).unwrap();
        if rewritten == original {
            return Err(format!(
                "{stage}: `loopfix fix` did not change the file\n{fixed}"
            ));
        }
        let source = String::from_utf8_lossy(&rewritten).into_owned();

        let compiled = process::run(
            Command::new(python)
                .args(["-m", "py_compile"])
                .arg(&file)
                .current_dir(dir.path()),
            PYTHON_TIMEOUT,
        );
        if !compiled.success() {
            return Err(format!(
                "{stage}: the rewrite does not compile\n{compiled}\n--- rewritten file ---\n{source}"
            ));
        }

        let again = loopfix(&file, &fix.strategy, &fix.args);
        let after_again = fs::read(&file).unwrap();
        if again.code() != Some(0) || after_again != rewritten {
            return Err(format!(
                "{stage}: a second `loopfix fix` should exit 0 and change nothing \
                 (changed: {})\n{again}\n--- first rewrite ---\n{source}",
                after_again != rewritten
            ));
        }

        let default_after = Expect::default();
        let after = fix.after.as_ref().unwrap_or(&default_after);
        let (out, result) = invoke(python, dir.path(), name, &case.request);
        let result = result.map_err(|e| {
            format!("{stage}: {e}\n{out}\n--- loopfix fix ---\n{fixed}\n--- rewritten file ---\n{source}")
        })?;
        check_expect(after, &case.data, &result).map_err(|e| {
            format!("{stage}:\n{e}\n{out}\n--- loopfix fix ---\n{fixed}\n--- rewritten file ---\n{source}")
        })?;
        lines.push(format!(
            "{name:<24} {env:<14} python {} after {:<6} {}",
            result.python,
            fix.strategy,
            result.invocations[0].short()
        ));
    }
    Ok(lines)
}

/// Runs every app in environment `env`, reporting every failing app.
fn run_env(env: &str) {
    let requirements = ENVS
        .iter()
        .find(|(name, _)| *name == env)
        .map(|(_, file)| manifest_dir().join(file))
        .expect("a known environment");
    let venv = common::venv::venv(env, &requirements);
    let python = venv.join("bin").join("python");

    let mut failures = Vec::new();
    let mut summary = Vec::new();
    for (name, case) in load_apps() {
        match run_app(&python, env, &name, &case) {
            Ok(lines) => summary.extend(lines),
            Err(failure) => failures.push(failure),
        }
    }
    // Shown with `cargo test -- --nocapture`: the measured outcomes.
    println!("{}", summary.join("\n"));
    assert!(
        failures.is_empty(),
        "{} of the apps failed with {env}:\n\n{}",
        failures.len(),
        failures.join("\n\n========================================\n\n")
    );
}

#[test]
fn every_app_declares_every_environment() {
    for (name, case) in load_apps() {
        for (env, _) in ENVS {
            assert!(
                case.before.contains_key(*env),
                "{name}.json: no `before` for {env}"
            );
        }
        for env in case.before.keys() {
            assert!(
                ENVS.iter().any(|(known, _)| known == env),
                "{name}.json: unknown environment {env}"
            );
        }
        assert!(!case.fixes.is_empty(), "{name}.json: no `fixes`");
        for expect in case
            .before
            .values()
            .chain(case.fixes.iter().filter_map(|f| f.after.as_ref()))
        {
            assert!(
                expect.raises.is_none()
                    || (expect.status.is_none()
                        && expect.body.is_none()
                        && expect.logged.is_none()),
                "{name}.json: `raises` excludes `status`, `body` and `logged`"
            );
        }
    }
}

#[test]
fn mangum_0_19_0() {
    run_env("mangum-0.19.0");
}

#[test]
fn mangum_0_22_0() {
    run_env("mangum-0.22.0");
}
