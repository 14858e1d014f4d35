//! The wheel that maturin builds from `pyproject.toml` (`bindings = "bin"`), for the tests that
//! install it (`tests/wheel.rs`, the pre-commit mirror of `tests/precommit.rs`).
//!
//! maturin (pinned in `tests/wheel/requirements.txt`) lives in a cached virtual environment. The
//! wheel is built with the release profile minus LTO into the target directory
//! `<target>/packaging` that the `language: rust` hooks of `tests/precommit.rs` share, so only
//! the first build pays for a full release build; the next ones only package the binary.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::cargo::{manifest_dir, path_with_cargo, target_root};
use super::process;

const REQUIREMENTS: &str = "tests/wheel/requirements.txt";

/// A release build of loopfix, from scratch on the first run.
const BUILD_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// The virtual environment with the pinned maturin (its pip installs wheels elsewhere too).
pub fn maturin_venv() -> PathBuf {
    super::venv::venv("maturin-1.16.0", &manifest_dir().join(REQUIREMENTS))
}

/// Builds the wheel into `out_dir` (which must hold no other wheel) and returns its path.
pub fn build(out_dir: &Path) -> PathBuf {
    // Not `bin/maturin` by name: the cached environment was made elsewhere and moved.
    let mut build = Command::new(maturin_venv().join("bin").join("python"));
    build
        .args(["-m", "maturin", "build", "--release", "--locked", "--out"])
        .arg(out_dir)
        .current_dir(manifest_dir())
        .env("PATH", path_with_cargo())
        .env("CARGO_TARGET_DIR", target_root().join("packaging"))
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env("CARGO_TERM_COLOR", "never");
    let built = process::run(&mut build, BUILD_TIMEOUT);
    assert!(built.success(), "maturin build failed\n{built}");

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
