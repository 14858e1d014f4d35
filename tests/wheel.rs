//! `pip install` gives a working `loopfix` command: the wheel that maturin builds from
//! `pyproject.toml` (`bindings = "bin"`) installs into a fresh virtual environment, where
//! `loopfix --version` prints Cargo's version and `loopfix check` finds a loop run at import
//! time.
//!
//! maturin (pinned in `tests/wheel/requirements.txt`) lives in a cached virtual environment (see
//! `tests/common/venv.rs`). The wheel is built with the release profile minus LTO into the
//! target directory `<target>/packaging` that `tests/precommit.rs` shares, so only the first
//! run pays for a full release build. The first run needs `python3`, PyPI and crates.io (or
//! cargo's registry cache); installing the wheel needs no network.

mod common;

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::cargo::{manifest_dir, path_with_cargo, target_root};
use common::process::{self, Output};

const REQUIREMENTS: &str = "tests/wheel/requirements.txt";

/// A release build of loopfix, from scratch on the first run.
const BUILD_TIMEOUT: Duration = Duration::from_secs(30 * 60);
const PIP_TIMEOUT: Duration = Duration::from_secs(5 * 60);
const RUN_TIMEOUT: Duration = Duration::from_secs(60);

const BAD: &str = "import asyncio\n\n\nasync def fetch():\n    return 'data'\n\n\nDATA = asyncio.run(fetch())\n\n\nasync def handler():\n    return DATA\n";
const CLEAN: &str = "import asyncio\n\n\nasync def main():\n    await asyncio.sleep(0)\n\n\nif __name__ == '__main__':\n    asyncio.run(main())\n";

fn expect(out: Output, code: i32, what: &str) -> Output {
    assert_eq!(
        out.code(),
        Some(code),
        "{what}: expected exit code {code}\n{out}"
    );
    out
}

/// Builds the wheel with the maturin of `venv` into `out_dir` and returns its path.
fn build_wheel(venv: &Path, out_dir: &Path) -> PathBuf {
    // Not `bin/maturin` by name: the cached environment was made elsewhere and moved.
    let mut build = Command::new(venv.join("bin").join("python"));
    build
        .args(["-m", "maturin", "build", "--release", "--locked", "--out"])
        .arg(out_dir)
        .current_dir(manifest_dir())
        .env("PATH", path_with_cargo())
        .env("CARGO_TARGET_DIR", target_root().join("packaging"))
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env("CARGO_TERM_COLOR", "never");
    let built = expect(process::run(&mut build, BUILD_TIMEOUT), 0, "maturin build");

    let wheels: Vec<PathBuf> = fs::read_dir(out_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "whl"))
        .collect();
    assert_eq!(
        wheels.len(),
        1,
        "maturin should write one wheel, wrote {wheels:?}\n{built}"
    );
    let wheel = wheels.into_iter().next().unwrap();
    let name = wheel.file_name().unwrap().to_string_lossy().into_owned();
    let prefix = format!("loopfix-{}-py3-none-", env!("CARGO_PKG_VERSION"));
    assert!(
        name.starts_with(&prefix),
        "the wheel {name} should start with {prefix}\n{built}"
    );
    wheel
}

#[test]
fn wheel_installs_a_working_loopfix() {
    let work = tempfile::Builder::new()
        .prefix("loopfix-wheel-")
        .tempdir()
        .unwrap();
    let dist = work.path().join("dist");
    fs::create_dir(&dist).unwrap();
    let maturin_venv = common::venv::venv("maturin-1.16.0", &manifest_dir().join(REQUIREMENTS));
    let wheel = build_wheel(&maturin_venv, &dist);

    // A fresh environment, and the wheel alone: no index, nothing else. The environment gets
    // no pip of its own (that takes most of the time); maturin's environment's pip installs
    // into it.
    let venv = work.path().join("venv");
    expect(
        process::run(
            Command::new(common::venv::base_python())
                .args(["-m", "venv", "--without-pip"])
                .arg(&venv),
            PIP_TIMEOUT,
        ),
        0,
        "python3 -m venv",
    );
    let python = venv.join("bin").join("python");
    expect(
        process::run(
            Command::new(maturin_venv.join("bin").join("python"))
                .args(["-m", "pip", "--python"])
                .arg(&python)
                .args([
                    "install",
                    "--no-input",
                    "--disable-pip-version-check",
                    "--no-index",
                    "--no-deps",
                ])
                .arg(&wheel),
            PIP_TIMEOUT,
        ),
        0,
        "pip install of the wheel",
    );

    // The package's metadata.
    let metadata = expect(
        process::run(
            Command::new(&python).args([
                "-c",
                "import importlib.metadata as m; d = m.metadata('loopfix'); \
                 print(d['Version']); print(d['Requires-Python'])",
            ]),
            RUN_TIMEOUT,
        ),
        0,
        "reading the installed metadata",
    );
    let lines: Vec<&str> = metadata.stdout.lines().collect();
    assert_eq!(
        lines,
        [env!("CARGO_PKG_VERSION"), ">=3.8"],
        "version and requires-python\n{metadata}"
    );

    // The command on PATH of the environment.
    let loopfix = venv.join("bin").join("loopfix");
    assert!(
        loopfix.is_file(),
        "the wheel installed no {}",
        loopfix.display()
    );
    let run = |args: &[&str]| {
        process::run(
            Command::new(&loopfix)
                .args(args)
                .current_dir(work.path())
                .env("NO_COLOR", "1")
                .env_remove("LOOPFIX_OUTPUT_FORMAT"),
            RUN_TIMEOUT,
        )
    };
    let version = expect(run(&["--version"]), 0, "loopfix --version");
    assert_eq!(
        version.stdout.trim(),
        format!("loopfix {}", env!("CARGO_PKG_VERSION")),
        "{version}"
    );

    fs::write(work.path().join("app.py"), BAD).unwrap();
    fs::write(work.path().join("clean.py"), CLEAN).unwrap();
    let check = expect(
        run(&["check", "app.py"]),
        1,
        "loopfix check on a bad module",
    );
    for needle in ["app.py", "LF001"] {
        assert!(
            check.stdout.contains(needle),
            "no {needle:?} in the output\n{check}"
        );
    }
    expect(
        run(&["check", "clean.py"]),
        0,
        "loopfix check on a clean module",
    );
}
