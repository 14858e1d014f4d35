//! Multi-file fixture projects under `tests/projects/`: what loopfix sees across modules (LF004,
//! LF005, a loop global another module uses, an `init()` nobody awaits), snapshotted with the
//! safe and the unsafe fix diffs; and on every project, the invariants: `--diff` applied with
//! `git apply` equals `fix`, every rewritten file compiles, a second `fix` changes nothing and
//! leaves no fixable finding; `check` without the lexical fast path (`--full-parse`) says the
//! same.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn loopfix(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_loopfix"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("the binary runs")
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn python_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(python_files(&path));
        } else if path.extension().is_some_and(|e| e == "py") {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn tree_bytes(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    python_files(dir)
        .into_iter()
        .map(|p| {
            (
                p.strip_prefix(dir).unwrap().to_path_buf(),
                fs::read(&p).unwrap(),
            )
        })
        .collect()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs the invariants on one project and returns its snapshot text.
fn check_project(project: &Path) -> String {
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("project");
    copy_tree(project, &root);

    let check = loopfix(
        &root,
        &["check", "--output-format", "concise", "--unsafe-fixes", "."],
    );
    assert_ne!(check.status.code(), Some(2), "{}", text(&check.stderr));
    let full_parse = loopfix(
        &root,
        &[
            "check",
            "--output-format",
            "concise",
            "--unsafe-fixes",
            "--full-parse",
            ".",
        ],
    );
    assert_eq!(
        text(&check.stdout),
        text(&full_parse.stdout),
        "the fast path and its project phases change nothing"
    );
    let safe_diff = loopfix(&root, &["fix", "--diff", "."]);
    let unsafe_diff = loopfix(&root, &["fix", "--diff", "--unsafe-fixes", "."]);
    assert_ne!(
        unsafe_diff.status.code(),
        Some(2),
        "{}",
        text(&unsafe_diff.stderr)
    );
    assert_eq!(
        tree_bytes(project),
        tree_bytes(&root),
        "--diff writes nothing"
    );

    let fixed = work.path().join("fixed");
    copy_tree(project, &fixed);
    let fix = loopfix(&fixed, &["fix", "--unsafe-fixes", "."]);
    assert_ne!(fix.status.code(), Some(2), "{}", text(&fix.stderr));

    let applied = work.path().join("applied");
    copy_tree(project, &applied);
    if !unsafe_diff.stdout.is_empty() {
        git_apply(&applied, &unsafe_diff.stdout);
    }
    assert_eq!(
        tree_bytes(&fixed),
        tree_bytes(&applied),
        "--diff applied equals fix"
    );

    let files = python_files(&fixed);
    let compile = Command::new("python3")
        .args(["-m", "py_compile"])
        .args(&files)
        .output()
        .unwrap();
    assert!(compile.status.success(), "{}", text(&compile.stderr));

    let again = loopfix(&fixed, &["fix", "--diff", "--unsafe-fixes", "."]);
    assert!(
        again.stdout.is_empty(),
        "a second fix changes nothing:\n{}",
        text(&again.stdout)
    );
    let json = loopfix(
        &fixed,
        &["check", "--unsafe-fixes", "--output-format", "json", "."],
    );
    let findings: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    for finding in findings.as_array().unwrap() {
        assert!(
            finding["fix"].is_null(),
            "a fixable finding is left: {finding}"
        );
    }

    format!(
        "check --unsafe-fixes:\n{}\nfix --diff:\n{}\nfix --diff --unsafe-fixes:\n{}",
        text(&check.stdout),
        text(&safe_diff.stdout),
        text(&unsafe_diff.stdout)
    )
}

/// Applies a unified diff with `git apply` in `dir`.
fn git_apply(dir: &Path, diff: &[u8]) {
    let status = Command::new("git")
        .args(["init", "-q"])
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(status.success());
    let mut git = Command::new("git")
        .args(["apply", "--whitespace=nowarn", "-"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    git.stdin.take().unwrap().write_all(diff).unwrap();
    assert!(git.wait().unwrap().success(), "git apply accepts the diff");
}

#[test]
fn projects() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/projects");
    let mut names: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    names.sort();
    assert!(!names.is_empty());
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for project in names {
            let name = project.file_name().unwrap().to_string_lossy().into_owned();
            let snapshot = check_project(&project);
            insta::assert_snapshot!(format!("project@{name}"), snapshot);
        }
    });
}
