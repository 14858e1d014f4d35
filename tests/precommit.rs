//! The hooks of `.pre-commit-hooks.yaml` run by the real `pre-commit` (see the README).
//!
//! In a scratch git repository whose `.pre-commit-config.yaml` points at this repository: a clean
//! module and a module the scratch project excludes pass (the hooks pass `--force-exclude`); the
//! `loopfix` hook fails on a module that runs `asyncio.run` at import time and leaves it alone;
//! `loopfix-fix` rewrites it and fails; the next run of both hooks passes and changes nothing.
//! Then the same through `git commit` with the hooks installed: the commit of a bad module is
//! refused and the module rewritten, and the commit of the rewrite goes through.
//!
//! pre-commit builds a hook from a git repository at a revision. `pre-commit try-repo` would make
//! one from the working tree, but it builds the hooks in a throw-away store on every call (a
//! release build each time) and leaves out files git does not track yet. So this test makes the
//! repository itself: `.pre-commit-hooks.yaml` and the crate's files (Cargo.toml's
//! `package.include`) as they are in the working tree, committed with a fixed author and date
//! into `<target>/precommit/hook-repo-<hash of those files>`. The same files give the same
//! repository and revision, so pre-commit's store (`PRE_COMMIT_HOME=<target>/precommit/home`)
//! keeps the hook environment it built; a change to the sources makes a new revision, and
//! pre-commit builds again. pre-commit builds a `language: rust` hook with `cargo install --bins
//! --root <env> --path <clone>`; that build runs with the release profile minus LTO, into the
//! target directory `<target>/packaging` that `tests/wheel.rs` shares, so a rebuild after a
//! change compiles only loopfix itself.
//!
//! The `language: python` hooks of the pre-commit mirror (`pre-commit-mirror/`, which
//! `scripts/stamp-pre-commit-mirror` copies to its repository at release) are checked the same
//! way: the same hooks as the top-level manifest but for the language; and, in a mirror stamped
//! with this version and committed, pre-commit installs the wheel that maturin builds here
//! (`tests/common/wheel.rs`), with pip held to the local wheels (`PIP_NO_INDEX`, `PIP_FIND_LINKS`:
//! the wheel and the mirror's build backend, downloaded once), and the hooks find and fix LF001.
//!
//! The first run needs `python3`, PyPI and crates.io (or cargo's registry cache), and takes a
//! release build; later runs take seconds.

mod common;

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::cargo::{manifest_dir, path_with_cargo, target_root};
use common::process::{self, Output};

const REQUIREMENTS: &str = "tests/precommit/requirements.txt";
const MIRROR_BUILD_REQUIREMENTS: &str = "tests/precommit/mirror-build-requirements.txt";

/// The first hook run builds loopfix in release mode.
const HOOK_TIMEOUT: Duration = Duration::from_secs(30 * 60);
const GIT_TIMEOUT: Duration = Duration::from_secs(120);

/// Bump to make new hook repositories after a change to how they are made.
const LAYOUT_VERSION: &str = "1";

/// A module that runs its event loop at import time (LF001).
const BAD: &str = r#""""Greetings loaded from a remote store."""

import asyncio


async def fetch():
    await asyncio.sleep(0)  # the network round trip
    return {"greeting": "hello"}


DATA = asyncio.run(fetch())


async def greet(name):
    return f"{DATA['greeting']}, {name}"
"#;

/// A module that runs its event loop only as a script.
const CLEAN: &str = r#"import asyncio


async def main():
    await asyncio.sleep(0)
    return "done"


if __name__ == "__main__":
    print(asyncio.run(main()))
"#;

const SCRATCH_PYPROJECT: &str = "[tool.loopfix]\nextend-exclude = [\"generated\"]\n";

/// Keeps git (and so pre-commit) away from the user's configuration and from a repository the
/// tests may be running inside of (`cargo test` from a git hook sets `GIT_DIR`).
fn isolate_git(command: &mut Command) -> &mut Command {
    for var in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_COMMON_DIR",
        "GIT_PREFIX",
    ] {
        command.env_remove(var);
    }
    command
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
}

fn git(dir: &Path, args: &[&str]) -> Output {
    let out = process::run(
        isolate_git(Command::new("git").args(args).current_dir(dir)),
        GIT_TIMEOUT,
    );
    assert!(out.success(), "git failed in {}:\n{out}", dir.display());
    out
}

/// `.pre-commit-hooks.yaml` and the files of the crate (Cargo.toml's `package.include`), as
/// they are in the working tree: relative paths (with `/`) and contents, sorted by path.
fn hook_files() -> Vec<(String, Vec<u8>)> {
    let root = manifest_dir();
    let manifest: toml::Table =
        toml::from_str(&fs::read_to_string(root.join("Cargo.toml")).expect("read Cargo.toml"))
            .expect("Cargo.toml parses");
    let include: Vec<String> = manifest["package"]
        .get("include")
        .and_then(|v| v.as_array())
        .map(|patterns| {
            patterns
                .iter()
                .filter_map(|p| p.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_else(|| vec!["**".to_owned()]);
    let mut globs = globset::GlobSetBuilder::new();
    for pattern in include
        .iter()
        .map(String::as_str)
        .chain([".pre-commit-hooks.yaml"])
    {
        globs.add(globset::Glob::new(pattern).expect("a valid include pattern"));
    }
    let globs = globs.build().expect("include patterns");

    let mut files = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .filter_entry(move |entry| {
            let name = entry.file_name();
            !(name == ".git" || (entry.depth() == 1 && name == "target"))
        })
        .build();
    for entry in walker {
        let entry = entry.expect("walk the repository");
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let relative = entry.path().strip_prefix(root).expect("under the root");
        let name = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        if globs.is_match(&name) {
            let bytes = fs::read(entry.path())
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", entry.path().display()));
            files.push((name, bytes));
        }
    }
    files.sort();
    for needed in [
        ".pre-commit-hooks.yaml",
        "Cargo.toml",
        "Cargo.lock",
        "src/main.rs",
    ] {
        assert!(
            files.iter().any(|(name, _)| name == needed),
            "{needed} is not among the hook repository's files"
        );
    }
    files
}

/// A git repository holding one commit of [`hook_files`]; returns its directory and revision.
fn hook_repo() -> (PathBuf, String) {
    let files = hook_files();
    let mut key = LAYOUT_VERSION.as_bytes().to_vec();
    for (name, bytes) in &files {
        key.extend_from_slice(name.as_bytes());
        key.push(0);
        key.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        key.extend_from_slice(bytes);
    }
    let parent = target_root().join("precommit");
    let dir = parent.join(format!("hook-repo-{:016x}", fnv1a64(&key)));
    let marker = Path::new(".git").join("loopfix-complete");

    if !dir.join(&marker).is_file() {
        fs::create_dir_all(&parent)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", parent.display()));
        let staging = tempfile::Builder::new()
            .prefix(".hook-repo-staging-")
            .tempdir_in(&parent)
            .unwrap_or_else(|e| panic!("cannot create a directory in {}: {e}", parent.display()));
        let tmp = staging.path();
        for (name, bytes) in &files {
            let path = tmp.join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, bytes).unwrap();
        }
        commit_all(tmp, "loopfix working tree, for pre-commit");
        fs::write(tmp.join(&marker), "").unwrap();
        let tmp = staging.keep();
        if fs::rename(&tmp, &dir).is_err() {
            // Another test run made it first.
            let _ = fs::remove_dir_all(&tmp);
            assert!(
                dir.join(&marker).is_file(),
                "cannot move {} to {}",
                tmp.display(),
                dir.display()
            );
        }
    }
    let rev = git(&dir, &["rev-parse", "HEAD"]).stdout.trim().to_owned();
    (dir, rev)
}

/// Makes `dir` a git repository with one commit of all its files, by a fixed author at a fixed
/// date: the same files give the same revision, which it returns.
fn commit_all(dir: &Path, message: &str) -> String {
    git(dir, &["init", "--quiet"]);
    git(dir, &["add", "--all"]);
    let mut commit = Command::new("git");
    isolate_git(&mut commit)
        .args([
            "-c",
            "user.name=loopfix tests",
            "-c",
            "user.email=tests@loopfix.invalid",
            "-c",
            "commit.gpgsign=false",
            "commit",
            "--quiet",
            "--no-verify",
            "--message",
            message,
        ])
        .current_dir(dir)
        .env("GIT_AUTHOR_DATE", "2000-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2000-01-01T00:00:00Z");
    let out = process::run(&mut commit, GIT_TIMEOUT);
    assert!(out.success(), "cannot commit in {}:\n{out}", dir.display());
    git(dir, &["rev-parse", "HEAD"]).stdout.trim().to_owned()
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

/// The pinned pre-commit, with a store under `<target>`.
struct PreCommit {
    venv: PathBuf,
    home: PathBuf,
    /// More environment for pre-commit and the hooks (pip's, for the mirror).
    vars: Vec<(&'static str, OsString)>,
}

impl PreCommit {
    fn new() -> Self {
        Self::with_store(target_root().join("precommit").join("home"))
    }

    /// pre-commit with its store (`PRE_COMMIT_HOME`) in `home`.
    fn with_store(home: PathBuf) -> Self {
        let venv = common::venv::venv("pre-commit-4.7.0", &manifest_dir().join(REQUIREMENTS));
        fs::create_dir_all(&home).unwrap();
        PreCommit {
            venv,
            home,
            vars: Vec::new(),
        }
    }

    fn python(&self) -> PathBuf {
        self.venv.join("bin").join("python")
    }

    /// Sets up the environment of pre-commit, of the hooks it runs, and of the cargo that
    /// builds them.
    fn env<'c>(&self, command: &'c mut Command) -> &'c mut Command {
        isolate_git(command)
            .env("PATH", path_with_cargo())
            .env("PRE_COMMIT_HOME", &self.home)
            .env("PRE_COMMIT_COLOR", "never")
            .env("NO_COLOR", "1")
            .env("CARGO_TARGET_DIR", target_root().join("packaging"))
            .env("CARGO_PROFILE_RELEASE_LTO", "false")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
            .env("CARGO_TERM_COLOR", "never")
            .env_remove("SKIP")
            .env_remove("PRE_COMMIT_ALLOW_NO_CONFIG")
            .env_remove("LOOPFIX_OUTPUT_FORMAT")
            .envs(self.vars.iter().map(|(k, v)| (k, v)))
    }

    fn run(&self, dir: &Path, args: &[&str]) -> Output {
        // Not `bin/pre-commit`: the cached environment was made elsewhere and moved, and the
        // shebangs of its scripts name the old place.
        let mut command = Command::new(self.python());
        command
            .args(["-m", "pre_commit"])
            .args(args)
            .current_dir(dir);
        process::run(self.env(&mut command), HOOK_TIMEOUT)
    }

    /// `git commit` in `dir`, which runs the installed hooks.
    fn commit(&self, dir: &Path, message: &str) -> Output {
        let mut command = Command::new("git");
        command
            .args(["commit", "--quiet", "--message", message])
            .current_dir(dir);
        process::run(self.env(&mut command), HOOK_TIMEOUT)
    }

    /// Panics unless `out` ended with `code`, with everything needed to see why.
    fn expect(&self, out: &Output, code: i32, what: &str) {
        if out.code() != Some(code) {
            let log = fs::read_to_string(self.home.join("pre-commit.log")).unwrap_or_default();
            panic!(
                "{what}: expected exit code {code}\n{out}\n--- {}/pre-commit.log ---\n{log}",
                self.home.display()
            );
        }
    }
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn read(dir: &Path, name: &str) -> String {
    fs::read_to_string(dir.join(name)).unwrap()
}

/// Panics unless `text` contains every one of `needles`.
fn assert_contains(out: &Output, needles: &[&str], what: &str) {
    let text = format!("{}\n{}", out.stdout, out.stderr);
    for needle in needles {
        assert!(text.contains(needle), "{what}: no {needle:?} in\n{out}");
    }
}

/// The hooks of the manifest `manifest` once `pre-commit validate-manifest` accepts it, as JSON
/// read by pre-commit's own YAML library.
fn manifest_hooks(pre_commit: &PreCommit, manifest: &Path) -> Vec<serde_json::Value> {
    let validated = pre_commit.run(
        manifest_dir(),
        &["validate-manifest", manifest.to_str().unwrap()],
    );
    pre_commit.expect(&validated, 0, "pre-commit validate-manifest");
    let mut command = Command::new(pre_commit.python());
    command.args([
        "-c",
        "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
        manifest.to_str().unwrap(),
    ]);
    let out = process::run(&mut command, GIT_TIMEOUT);
    assert!(out.success(), "{out}");
    serde_json::from_str(&out.stdout).unwrap()
}

#[test]
fn manifest_declares_both_hooks() {
    let pre_commit = PreCommit::new();
    let hooks = manifest_hooks(&pre_commit, &manifest_dir().join(".pre-commit-hooks.yaml"));
    let ids: Vec<&str> = hooks.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["loopfix", "loopfix-fix"]);
    let entries = [
        "loopfix check --force-exclude",
        "loopfix fix --force-exclude --exit-non-zero-on-fix",
    ];
    for (hook, entry) in hooks.iter().zip(entries) {
        let id = &hook["id"];
        assert_eq!(hook["entry"], *entry, "{id}: entry");
        assert_eq!(hook["language"], "rust", "{id}: language");
        assert_eq!(
            hook["types_or"],
            serde_json::json!(["python", "pyi"]),
            "{id}: types_or"
        );
        assert_eq!(hook["require_serial"], false, "{id}: require_serial");
        for key in ["name", "description"] {
            assert!(
                hook[key].as_str().is_some_and(|s| !s.is_empty()),
                "{id}: {key}"
            );
        }
    }
}

#[test]
fn hooks_check_and_fix_in_a_scratch_repository() {
    let pre_commit = PreCommit::new();
    let (repo, rev) = hook_repo();
    let _ = fs::remove_file(pre_commit.home.join("pre-commit.log"));

    let scratch = tempfile::Builder::new()
        .prefix("loopfix-precommit-")
        .tempdir()
        .unwrap();
    let dir = scratch.path();
    git(dir, &["init", "--quiet"]);
    git(dir, &["config", "user.name", "loopfix tests"]);
    git(dir, &["config", "user.email", "tests@loopfix.invalid"]);
    git(dir, &["config", "commit.gpgsign", "false"]);
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: loopfix\n      - id: loopfix-fix\n",
        repo.display()
    );
    write(dir, ".pre-commit-config.yaml", &config);
    write(dir, "pyproject.toml", SCRATCH_PYPROJECT);
    write(dir, "app.py", BAD);
    write(dir, "clean.py", CLEAN);
    write(dir, "generated/client.py", BAD);
    git(dir, &["add", "--all"]);
    let files = ["app.py", "clean.py", "generated/client.py"];
    let args = |hook: Option<&str>, files: &[&str]| -> Vec<String> {
        let mut args = vec!["run".to_owned()];
        args.extend(hook.map(str::to_owned));
        args.push("--files".to_owned());
        args.extend(files.iter().map(|f| (*f).to_owned()));
        args
    };
    let run = |hook: Option<&str>, files: &[&str]| {
        let args = args(hook, files);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        pre_commit.run(dir, &args)
    };

    // A clean module, and a bad one the project excludes: both hooks pass. (The first run
    // builds the hook environment.)
    let out = run(None, &["clean.py", "generated/client.py"]);
    pre_commit.expect(&out, 0, "both hooks on a clean and an excluded module");
    assert_contains(&out, &["loopfix", "Passed"], "clean run");
    assert_eq!(read(dir, "generated/client.py"), BAD, "excluded: untouched");

    // The check hook fails on the bad module and changes nothing.
    let out = run(Some("loopfix"), &files);
    pre_commit.expect(&out, 1, "the check hook on a bad module");
    assert_contains(
        &out,
        &["- hook id: loopfix", "Failed", "app.py", "LF001"],
        "check hook",
    );
    assert!(
        !out.stdout.contains("client.py"),
        "the excluded module is not reported:\n{out}"
    );
    assert!(
        !out.stdout.contains("- files were modified by this hook"),
        "the check hook modifies nothing:\n{out}"
    );
    assert_eq!(read(dir, "app.py"), BAD, "the check hook changed app.py");

    // The fix hook rewrites it and fails.
    let out = run(Some("loopfix-fix"), &files);
    pre_commit.expect(&out, 1, "the fix hook on a bad module");
    assert_contains(
        &out,
        &[
            "- hook id: loopfix-fix",
            "Failed",
            "- files were modified by this hook",
            "app.py",
        ],
        "fix hook",
    );
    let fixed = read(dir, "app.py");
    for needle in ["async def load_data(", "await load_data()"] {
        assert!(
            fixed.contains(needle),
            "the rewrite has no {needle:?}:\n{fixed}\n{out}"
        );
    }
    assert!(
        !fixed.contains("asyncio.run("),
        "the rewrite still runs a loop at import time:\n{fixed}"
    );
    assert_eq!(
        read(dir, "clean.py"),
        CLEAN,
        "the fix hook changed clean.py"
    );
    assert_eq!(
        read(dir, "generated/client.py"),
        BAD,
        "the fix hook changed an excluded module"
    );
    let mut compile = Command::new(pre_commit.python());
    compile
        .args(["-m", "py_compile", "app.py"])
        .current_dir(dir)
        .env("PYTHONDONTWRITEBYTECODE", "1");
    let compiled = process::run(&mut compile, GIT_TIMEOUT);
    assert!(
        compiled.success(),
        "the rewrite does not compile:\n{compiled}\n{fixed}"
    );

    // The next run of both hooks passes and changes nothing.
    let out = run(None, &files);
    pre_commit.expect(&out, 0, "both hooks after the fix");
    assert_eq!(
        out.stdout.matches("Passed").count(),
        2,
        "both hooks pass:\n{out}"
    );
    assert_eq!(read(dir, "app.py"), fixed, "a second fix changed app.py");

    // Through `git commit`, with the hooks installed.
    let out = pre_commit.run(dir, &["install"]);
    pre_commit.expect(&out, 0, "pre-commit install");
    git(dir, &["add", "--all"]);
    let out = pre_commit.commit(dir, "the fixed app");
    pre_commit.expect(&out, 0, "git commit of clean modules");

    write(dir, "worker.py", BAD);
    git(dir, &["add", "worker.py"]);
    let out = pre_commit.commit(dir, "a worker");
    pre_commit.expect(&out, 1, "git commit of a bad module");
    assert_contains(
        &out,
        &["- hook id: loopfix", "- hook id: loopfix-fix", "worker.py"],
        "refused commit",
    );
    let rewritten = read(dir, "worker.py");
    assert!(
        rewritten.contains("await load_data()"),
        "the fix hook did not rewrite worker.py:\n{rewritten}\n{out}"
    );
    git(dir, &["add", "worker.py"]);
    let out = pre_commit.commit(dir, "a worker, fixed");
    pre_commit.expect(&out, 0, "git commit of the rewritten module");
    let log = git(dir, &["log", "--format=%s"]);
    assert_eq!(
        log.stdout.lines().collect::<Vec<_>>(),
        ["a worker, fixed", "the fixed app"],
        "the commits made"
    );
}

#[test]
fn the_mirror_declares_the_same_hooks_in_python() {
    let pre_commit = PreCommit::new();
    let rust = manifest_hooks(&pre_commit, &manifest_dir().join(".pre-commit-hooks.yaml"));
    let python = manifest_hooks(
        &pre_commit,
        &manifest_dir().join("pre-commit-mirror/.pre-commit-hooks.yaml"),
    );
    assert_eq!(python.len(), rust.len(), "{python:?}");
    for (mirror, own) in python.iter().zip(&rust) {
        let mut expected = own.clone();
        expected["language"] = "python".into();
        assert_eq!(*mirror, expected, "the mirror's hook {}", own["id"]);
    }
}

/// A directory holding the wheels of the mirror's build backend (`pip download` once, cached
/// under `<target>`), so that installing the mirror needs no index.
fn mirror_build_wheels(pre_commit: &PreCommit) -> PathBuf {
    let requirements = manifest_dir().join(MIRROR_BUILD_REQUIREMENTS);
    let pins = fs::read(&requirements).unwrap();
    let parent = target_root().join("precommit");
    let dir = parent.join(format!("mirror-build-{:016x}", fnv1a64(&pins)));
    let marker = dir.join(".complete");
    if marker.is_file() {
        return dir;
    }
    fs::create_dir_all(&parent).unwrap();
    let staging = tempfile::Builder::new()
        .prefix(".mirror-build-staging-")
        .tempdir_in(&parent)
        .unwrap();
    let mut download = Command::new(pre_commit.python());
    download
        .args([
            "-m",
            "pip",
            "download",
            "--no-input",
            "--disable-pip-version-check",
            "--no-deps",
            "--only-binary=:all:",
            "--requirement",
        ])
        .arg(&requirements)
        .arg("--dest")
        .arg(staging.path());
    let out = process::run(&mut download, HOOK_TIMEOUT);
    assert!(
        out.success(),
        "pip download of the mirror's build backend:\n{out}"
    );
    fs::write(staging.path().join(".complete"), "").unwrap();
    let tmp = staging.keep();
    if fs::rename(&tmp, &dir).is_err() {
        // Another test run made it first.
        let _ = fs::remove_dir_all(&tmp);
        assert!(
            marker.is_file(),
            "cannot move {} to {}",
            tmp.display(),
            dir.display()
        );
    }
    dir
}

#[test]
fn the_python_mirror_installs_the_wheel_and_runs_both_hooks() {
    let work = tempfile::Builder::new()
        .prefix("loopfix-mirror-")
        .tempdir()
        .unwrap();
    let wheels = work.path().join("wheels");
    fs::create_dir(&wheels).unwrap();
    common::wheel::build(&wheels);

    // pre-commit in a store of its own, and pip that sees only the local wheels: the hooks'
    // environment gets this build of loopfix, never one from an index.
    let mut pre_commit = PreCommit::with_store(work.path().join("store"));
    let backend = mirror_build_wheels(&pre_commit);
    let mut find_links = OsString::from(&wheels);
    find_links.push(" ");
    find_links.push(&backend);
    pre_commit.vars = vec![
        ("PIP_NO_INDEX", "1".into()),
        ("PIP_FIND_LINKS", find_links),
        ("PIP_DISABLE_PIP_VERSION_CHECK", "1".into()),
        ("PIP_NO_INPUT", "1".into()),
    ];

    // The mirror, stamped with this version as the release workflow stamps it.
    let mirror = work.path().join("mirror");
    let mut stamp = Command::new(common::venv::base_python());
    stamp
        .arg(manifest_dir().join("scripts/stamp-pre-commit-mirror"))
        .arg(env!("CARGO_PKG_VERSION"))
        .arg(&mirror);
    let out = process::run(&mut stamp, GIT_TIMEOUT);
    assert!(out.success(), "scripts/stamp-pre-commit-mirror:\n{out}");
    let pin = format!("\"loopfix=={}\"", env!("CARGO_PKG_VERSION"));
    assert!(
        read(&mirror, "pyproject.toml").contains(&pin),
        "the stamped mirror does not pin {pin}"
    );
    let rev = commit_all(&mirror, "loopfix pre-commit mirror");

    let dir = &work.path().join("project");
    fs::create_dir(dir).unwrap();
    git(dir, &["init", "--quiet"]);
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: loopfix\n      - id: loopfix-fix\n",
        mirror.display()
    );
    write(dir, ".pre-commit-config.yaml", &config);
    write(dir, "app.py", BAD);
    write(dir, "clean.py", CLEAN);
    git(dir, &["add", "--all"]);

    // A clean module: both hooks pass. (The first run makes the hooks' environment.)
    let out = pre_commit.run(dir, &["run", "--files", "clean.py"]);
    pre_commit.expect(&out, 0, "both hooks of the mirror on a clean module");
    assert_eq!(out.stdout.matches("Passed").count(), 2, "both pass:\n{out}");

    // The environment holds the wheel's loopfix, at this version.
    let envs: Vec<PathBuf> = fs::read_dir(&pre_commit.home)
        .unwrap()
        .filter_map(|e| fs::read_dir(e.ok()?.path()).ok())
        .flatten()
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("py_env-"))
        })
        .collect();
    assert_eq!(envs.len(), 1, "one python hook environment: {envs:?}");
    let mut version = Command::new(envs[0].join("bin").join("loopfix"));
    version.arg("--version");
    let out = process::run(&mut version, GIT_TIMEOUT);
    assert_eq!(
        out.stdout.trim(),
        format!("loopfix {}", env!("CARGO_PKG_VERSION")),
        "{out}"
    );

    // The check hook finds LF001 in the bad module and changes nothing.
    let out = pre_commit.run(dir, &["run", "loopfix", "--files", "app.py", "clean.py"]);
    pre_commit.expect(&out, 1, "the mirror's check hook on a bad module");
    assert_contains(
        &out,
        &["- hook id: loopfix", "Failed", "app.py", "LF001"],
        "check hook",
    );
    assert_eq!(read(dir, "app.py"), BAD, "the check hook changed app.py");

    // The fix hook rewrites it and fails; then both pass.
    let out = pre_commit.run(dir, &["run", "loopfix-fix", "--files", "app.py"]);
    pre_commit.expect(&out, 1, "the mirror's fix hook on a bad module");
    assert_contains(&out, &["- files were modified by this hook"], "fix hook");
    let fixed = read(dir, "app.py");
    assert!(fixed.contains("await load_data()"), "{fixed}\n{out}");
    let out = pre_commit.run(dir, &["run", "--files", "app.py", "clean.py"]);
    pre_commit.expect(&out, 0, "both hooks of the mirror after the fix");
    assert_eq!(read(dir, "app.py"), fixed, "a second fix changed app.py");
}
