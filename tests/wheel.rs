//! `pip install` gives a working `loopfix` command: the wheel that maturin builds from
//! `pyproject.toml` (`bindings = "bin"`) installs into a fresh virtual environment, where
//! `loopfix --version` prints Cargo's version and `loopfix check` finds a loop run at import
//! time.
//!
//! The wheel is built as `tests/common/wheel.rs` says (maturin pinned in
//! `tests/wheel/requirements.txt`, the release build shared with `tests/precommit.rs`). The first
//! run needs `python3`, PyPI and crates.io (or cargo's registry cache); installing the wheel
//! needs no network.

mod common;

use std::env;
use std::fs;
use std::process::Command;
use std::time::Duration;

use common::process::{self, Output};

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

#[test]
fn wheel_installs_a_working_loopfix() {
    let work = tempfile::Builder::new()
        .prefix("loopfix-wheel-")
        .tempdir()
        .unwrap();
    let dist = work.path().join("dist");
    fs::create_dir(&dist).unwrap();
    let wheel = common::wheel::build(&dist);
    let maturin_venv = common::wheel::maturin_venv();

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
