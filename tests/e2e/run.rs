//! Running things: copies of an app, `loopfix` on them, and the Python drivers.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::process::{self, Output};
use crate::judge::{self, DriverOutput, Outcome};
use crate::spec::{App, Driver, Spec, e2e_dir};

const PYTHON_TIMEOUT: Duration = Duration::from_secs(180);
const LOOPFIX_TIMEOUT: Duration = Duration::from_secs(60);

/// The Python files of an app directory, by name.
pub type Files = BTreeMap<String, Vec<u8>>;

/// A fresh directory holding a copy of the app's Python modules.
pub fn copy_app(app: &App, label: &str) -> Result<(tempfile::TempDir, Files), String> {
    let dir = tempfile::Builder::new()
        .prefix(&format!("loopfix-e2e-{}-{label}-", app.name))
        .tempdir()
        .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let files = python_files(&app.dir)?;
    for (name, bytes) in &files {
        fs::write(dir.path().join(name), bytes)
            .map_err(|e| format!("cannot write {name} in {}: {e}", dir.path().display()))?;
    }
    Ok((dir, files))
}

/// Every `*.py` file directly in `dir`.
pub fn python_files(dir: &Path) -> Result<Files, String> {
    let mut files = Files::new();
    let entries = fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        if path.extension().is_some_and(|e| e == "py") {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let bytes = fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            files.insert(name, bytes);
        }
    }
    Ok(files)
}

/// `loopfix SUBCOMMAND ARGS .` in `dir`.
pub fn loopfix(dir: &Path, subcommand: &str, args: &[String]) -> Output {
    process::run(
        Command::new(env!("CARGO_BIN_EXE_loopfix"))
            .arg(subcommand)
            .args(args)
            .arg(".")
            .current_dir(dir)
            .env("NO_COLOR", "1"),
        LOOPFIX_TIMEOUT,
    )
}

/// `python -m py_compile` on every Python file of `dir`.
pub fn py_compile(python: &Path, dir: &Path, files: &Files) -> Output {
    process::run(
        Command::new(python)
            .args(["-m", "py_compile"])
            .args(files.keys())
            .current_dir(dir)
            .env("PYTHONDONTWRITEBYTECODE", "1"),
        PYTHON_TIMEOUT,
    )
}

/// A finding of `loopfix check --output-format json`: its code, message and fix applicability.
#[derive(Debug)]
pub struct Finding {
    pub code: String,
    pub message: String,
    pub location: String,
    pub applicability: Option<String>,
}

impl Finding {
    pub fn short(&self) -> String {
        format!(
            "{} {} ({}): {}",
            self.code,
            self.location,
            self.applicability.as_deref().unwrap_or("no fix"),
            self.message
        )
    }
}

/// The findings `loopfix check` reports on `dir` with `args`.
pub fn check(dir: &Path, args: &[String]) -> Result<Vec<Finding>, String> {
    let mut all = args.to_vec();
    all.extend(["--output-format".into(), "json".into()]);
    let out = loopfix(dir, "check", &all);
    if !matches!(out.code(), Some(0 | 1)) {
        return Err(format!("`loopfix check` failed\n{out}"));
    }
    let value: Value = serde_json::from_str(&out.stdout)
        .map_err(|e| format!("`loopfix check` printed no JSON: {e}\n{out}"))?;
    let findings = value
        .as_array()
        .ok_or_else(|| format!("`loopfix check` printed no JSON array\n{out}"))?;
    Ok(findings
        .iter()
        .map(|f| {
            let text = |key: &str| f[key].as_str().unwrap_or("").to_owned();
            let file = Path::new(f["filename"].as_str().unwrap_or(""))
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            Finding {
                code: text("code"),
                message: text("message"),
                location: format!("{file}:{}", f["location"]["row"]),
                applicability: f["fix"]["applicability"].as_str().map(str::to_owned),
            }
        })
        .collect())
}

/// One driver run: the verdict, and what to show when it is wrong.
#[derive(Debug, Clone)]
pub struct DriverRun {
    pub outcome: Outcome,
    pub details: String,
}

/// The Python of each environment.
pub type Pythons = BTreeMap<&'static str, PathBuf>;

/// Runs `driver` on the app copy in `dir`, in a fresh Python process.
pub fn run_driver(pythons: &Pythons, spec: &Spec, dir: &Path, driver: &Driver) -> DriverRun {
    let python = &pythons[driver.env()];
    let config = json!({
        "driver": driver.kind(),
        "app_dir": dir,
        "module": spec.module,
        "app": spec.app,
        "handler": match driver {
            Driver::Lambda { lifespan: None, .. } => spec.handler.clone(),
            _ => None,
        },
        "lifespan": match driver {
            Driver::Lambda { lifespan, .. } => *lifespan,
            _ => None,
        },
        "request": spec.request,
        "invocations": 3,
        "concurrency": 20,
    });
    let mut command = Command::new(python);
    command
        .arg(e2e_dir().join("harness/driver.py"))
        .arg(config.to_string())
        .current_dir(dir)
        .env_remove("PYTHONPATH")
        .env_remove("PYTHONHOME")
        .env_remove("PYTHONSTARTUP")
        .env_remove("PYTHONWARNINGS")
        .env_remove("PYTHONASYNCIODEBUG")
        .env_remove("PYTHONDEVMODE")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONNOUSERSITE", "1")
        .env("PYTHONHASHSEED", "0");
    if let Driver::Lambda { .. } = driver {
        // What the Lambda runtime sets; apps test it to run their Lambda-only start-up.
        command
            .env("AWS_EXECUTION_ENV", "AWS_Lambda_python3.11")
            .env("AWS_LAMBDA_FUNCTION_NAME", "loopfix-e2e")
            .env("LAMBDA_TASK_ROOT", dir);
    } else {
        command
            .env_remove("AWS_EXECUTION_ENV")
            .env_remove("AWS_LAMBDA_FUNCTION_NAME")
            .env_remove("LAMBDA_TASK_ROOT");
    }
    let out = process::run(&mut command, PYTHON_TIMEOUT);
    let details = format!("driver {driver}:\n{out}");
    let parsed: Result<DriverOutput, String> = if out.success() {
        serde_json::from_str(&out.stdout).map_err(|e| format!("the driver printed no result: {e}"))
    } else {
        Err(format!(
            "the driver exited with {}: {}",
            out.status,
            judge::clip(out.stderr.lines().last().unwrap_or(""))
        ))
    };
    let outcome = match parsed {
        Ok(output) => judge::judge(spec, &output, &out.stderr),
        Err(summary) => Outcome {
            passed: false,
            summary,
            harmful: false,
            work_never_ran: false,
        },
    };
    DriverRun { outcome, details }
}
