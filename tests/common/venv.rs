//! Cached Python virtual environments for the end-to-end tests.
//!
//! `venv("mangum-0.19.0", Path::new("tests/e2e/requirements/mangum-0.19.0.txt"))`
//! returns a virtual environment (its Python is `bin/python`) with exactly those
//! requirements installed, made with the machine's `python3` (or the interpreter
//! named by `LOOPFIX_E2E_PYTHON`).  Environments live under
//! `<target>/e2e-venvs/<name>-<hash>`, where the hash covers the requirements
//! file and the interpreter, so a later test run reuses them and editing a
//! requirements file makes a new one.
//!
//! Creating one is safe when tests run concurrently: threads of one test binary
//! wait for each other, and separate processes each build in a private
//! temporary directory next to the destination and rename it into place; the
//! first rename wins and the others throw their copy away.

use std::collections::BTreeMap;
use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::process::{self, Output};

/// Environment variable naming the Python interpreter to build environments with.
pub const PYTHON_VAR: &str = "LOOPFIX_E2E_PYTHON";

/// A file written last into a finished environment.
const COMPLETE_MARKER: &str = ".loopfix-e2e-complete";

/// Bump to rebuild every cached environment after a change to how they are made.
const LAYOUT_VERSION: &str = "1";

const PIP_TIMEOUT: Duration = Duration::from_secs(20 * 60);
const PYTHON_TIMEOUT: Duration = Duration::from_secs(120);

/// One lock per environment directory, so that threads of one test binary
/// wait for each other instead of building the same environment twice.
static CREATING: Mutex<BTreeMap<PathBuf, Arc<Mutex<()>>>> = Mutex::new(BTreeMap::new());

/// Returns the directory of a virtual environment named `name` (letters,
/// digits, `.`, `-`, `_`) with the packages of `requirements` installed,
/// creating it on first use.  Panics, with pip's output, if that fails.
pub fn venv(name: &str, requirements: &Path) -> PathBuf {
    assert!(
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')),
        "invalid virtual environment name {name:?}"
    );
    let requirements = requirements
        .canonicalize()
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", requirements.display()));
    let wanted = fs::read(&requirements)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", requirements.display()));
    let python = base_python();
    let identity = python_identity(&python);

    let mut key = Vec::new();
    for part in [LAYOUT_VERSION.as_bytes(), identity.as_bytes(), &wanted] {
        key.extend_from_slice(part);
        key.push(0);
    }
    let root = venvs_root();
    let dir = root.join(format!("{name}-{:016x}", fnv1a64(&key)));
    if is_complete(&dir) {
        return dir;
    }

    let lock = Arc::clone(
        CREATING
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .entry(dir.clone())
            .or_default(),
    );
    let _guard = lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if is_complete(&dir) {
        return dir;
    }
    fs::create_dir_all(&root).unwrap_or_else(|e| panic!("cannot create {}: {e}", root.display()));
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{name}-staging-"))
        .tempdir_in(&root)
        .unwrap_or_else(|e| panic!("cannot create a directory in {}: {e}", root.display()));
    let tmp = staging.path();

    eprintln!("e2e: creating virtual environment {} (once)", dir.display());
    check(process::run(
        Command::new(&python).arg("-m").arg("venv").arg(tmp),
        PYTHON_TIMEOUT,
    ));
    let tmp_python = tmp.join("bin").join("python");
    check(process::run(
        Command::new(&tmp_python)
            .args([
                "-m",
                "pip",
                "install",
                "--no-input",
                "--disable-pip-version-check",
            ])
            .arg("--requirement")
            .arg(&requirements)
            .env("PIP_NO_INPUT", "1"),
        PIP_TIMEOUT,
    ));
    // Everything the requirements pull in must be pinned there too.
    check(process::run(
        Command::new(&tmp_python).args(["-m", "pip", "check", "--disable-pip-version-check"]),
        PYTHON_TIMEOUT,
    ));
    let freeze = check(process::run(
        Command::new(&tmp_python).args(["-m", "pip", "freeze", "--disable-pip-version-check"]),
        PYTHON_TIMEOUT,
    ));
    let pinned = pins(&String::from_utf8_lossy(&wanted));
    for line in freeze.stdout.lines() {
        let installed = normalize(line.split("==").next().unwrap_or(line));
        assert!(
            pinned.contains(&installed),
            "{} installs {line:?}, which {} does not pin; pin it there",
            name,
            requirements.display()
        );
    }

    let mut marker = identity.clone();
    marker.push_str("\n\n");
    marker.push_str(&freeze.stdout);
    fs::write(tmp.join(COMPLETE_MARKER), marker)
        .unwrap_or_else(|e| panic!("cannot write in {}: {e}", tmp.display()));

    let tmp = staging.keep();
    if let Err(e) = fs::rename(&tmp, &dir) {
        // Another process got there first: use its environment.
        let _ = fs::remove_dir_all(&tmp);
        assert!(
            is_complete(&dir),
            "cannot move {} to {}: {e}",
            tmp.display(),
            dir.display()
        );
        return dir;
    }

    // The environment must work where it now lives.
    let prefix = check(process::run(
        Command::new(dir.join("bin").join("python")).args(["-c", "import sys; print(sys.prefix)"]),
        PYTHON_TIMEOUT,
    ));
    assert_eq!(
        Path::new(prefix.stdout.trim()).canonicalize().ok(),
        dir.canonicalize().ok(),
        "the virtual environment at {} does not find itself",
        dir.display()
    );
    dir
}

/// The interpreter that virtual environments are made with.
pub fn base_python() -> PathBuf {
    env::var_os(PYTHON_VAR).map_or_else(|| PathBuf::from("python3"), PathBuf::from)
}

/// `<target>/e2e-venvs`, next to the crate's build output.
fn venvs_root() -> PathBuf {
    // Cargo gives integration tests `<target>/tmp`.
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).join("e2e-venvs")
}

fn is_complete(dir: &Path) -> bool {
    dir.join(COMPLETE_MARKER).is_file() && dir.join("bin").join("python").exists()
}

/// Version and installation of the interpreter (part of the cache key).
fn python_identity(python: &Path) -> String {
    let out = check(process::run(
        Command::new(python).args([
            "-c",
            "import sys; print(sys.version); print(sys.implementation.cache_tag); print(sys.base_prefix)",
        ]),
        PYTHON_TIMEOUT,
    ));
    out.stdout.trim().to_owned()
}

fn check(out: Output) -> Output {
    assert!(out.success(), "command failed:\n{out}");
    out
}

/// The normalized names of the packages `requirements` pins.
fn pins(requirements: &str) -> Vec<String> {
    requirements
        .lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter(|line| !line.is_empty())
        .map(|line| normalize(line.split("==").next().unwrap_or(line)))
        .collect()
}

/// PEP 503 name normalization.
fn normalize(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        let c = if matches!(c, '-' | '_' | '.') {
            '-'
        } else {
            c.to_ascii_lowercase()
        };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    out
}

/// 64-bit FNV-1a: stable across Rust versions, unlike `DefaultHasher`.
fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}
