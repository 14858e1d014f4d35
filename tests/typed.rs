//! Generated code keeps typed and linted projects green: the apps under `tests/typed/apps/` pass
//! strict mypy and ruff's default rules with isort (`ruff check --select I,F,E4,E7,E9`) as
//! written, and still pass both after `loopfix fix --unsafe-fixes` under each strategy: the
//! placeholders keep their types, the guard and `init()` type-check, and the imports the fix adds
//! sit where isort puts them. mypy and ruff come from the pinned `tests/typed/requirements.txt`,
//! in a virtual environment cached under `target/`.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::process::{self, Output};

const TIMEOUT: Duration = Duration::from_secs(300);

fn typed_dir() -> PathBuf {
    common::cargo::manifest_dir().join("tests/typed")
}

/// The Python files of `dir`, by name, with their bytes.
fn python_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "py"))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// `mypy --strict` and the ruff rules on every Python file of `dir`; the output of each that
/// reports something.
fn problems(venv: &Path, dir: &Path, cache: &Path) -> Vec<Output> {
    let files: Vec<String> = python_files(dir).into_iter().map(|(n, _)| n).collect();
    let mypy = process::run(
        // `python -m`: the environment was built elsewhere and moved, so its scripts' `#!`
        // lines point where it was built.
        Command::new(venv.join("bin/python"))
            .args(["-m", "mypy", "--strict", "--no-color-output", "--cache-dir"])
            .arg(cache)
            .args(&files)
            .current_dir(dir),
        TIMEOUT,
    );
    let ruff = process::run(
        Command::new(venv.join("bin/python"))
            .args([
                "-m",
                "ruff",
                "check",
                "--isolated",
                "--no-cache",
                "--select",
                "I,F,E4,E7,E9",
                "--output-format",
                "concise",
            ])
            .args(&files)
            .current_dir(dir),
        TIMEOUT,
    );
    [mypy, ruff].into_iter().filter(|o| !o.success()).collect()
}

fn report(outputs: &[Output]) -> String {
    outputs
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[test]
fn fixes_keep_typed_apps_clean_under_mypy_and_ruff() {
    let venv = common::venv::venv("typed", &typed_dir().join("requirements.txt"));
    let cache = common::cargo::target_root().join("typed-mypy-cache");
    let apps = typed_dir().join("apps");
    let before = problems(&venv, &apps, &cache);
    assert!(
        before.is_empty(),
        "the typed apps must be clean as written:\n{}",
        report(&before)
    );
    let originals = python_files(&apps);
    for strategy in ["auto", "lazy", "init"] {
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes) in &originals {
            fs::write(dir.path().join(name), bytes).unwrap();
        }
        let fix = process::run(
            Command::new(env!("CARGO_BIN_EXE_loopfix"))
                .args(["fix", "--unsafe-fixes", "--strategy", strategy, "."])
                .current_dir(dir.path())
                .env("NO_COLOR", "1"),
            TIMEOUT,
        );
        assert!(matches!(fix.code(), Some(0 | 1)), "{fix}");
        let fixed = python_files(dir.path());
        let changed: Vec<&str> = fixed
            .iter()
            .zip(&originals)
            .filter(|(after, before)| after.1 != before.1)
            .map(|(after, _)| after.0.as_str())
            .collect();
        let expected = match strategy {
            // A sync function reads the pool: the lazy guard cannot take that module.
            "lazy" => vec!["no_imports_to_spare.py", "settings_api.py"],
            _ => originals.iter().map(|(n, _)| n.as_str()).collect(),
        };
        assert_eq!(
            changed, expected,
            "--strategy {strategy}: rewritten apps\n{fix}"
        );
        let after = problems(&venv, dir.path(), &cache);
        let rewritten: String = fixed
            .iter()
            .map(|(name, bytes)| format!("--- {name}\n{}", String::from_utf8_lossy(bytes)))
            .collect();
        assert!(
            after.is_empty(),
            "--strategy {strategy}: new problems after the fix:\n{}\n\n{rewritten}",
            report(&after)
        );
    }
}
