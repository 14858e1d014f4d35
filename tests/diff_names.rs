//! `fix --diff` is git-safe for every file name: for each tricky name, the diff made in a git
//! repository applies with `git apply` and `patch -p1` and gives what `fix` writes, and it
//! patches that file and no other. Lone and only carriage returns too.

use std::ffi::OsStr;
use std::fs;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const SEED: &str = "import asyncio\n\n\nasync def fetch():\n    return 1\n\n\nDATA = asyncio.run(fetch())\n\n\nasync def handler():\n    return DATA\n";

fn loopfix(dir: &Path, args: &[&OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_loopfix"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

/// Feeds `patch` to `program args` in `dir`; returns whether it succeeded, and its output.
fn apply(dir: &Path, program: &str, args: &[&str], patch: &[u8]) -> (bool, String) {
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    child.stdin.take().unwrap().write_all(patch).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn has_patch() -> bool {
    Command::new("patch").arg("--version").output().is_ok()
}

/// The regular files under `dir` (outside `.git`), with their bytes.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in fs::read_dir(&current).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_name() == ".git" {
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap().to_path_buf();
                out.push((relative, fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// Three copies of a git repository holding `files` (relative path, bytes).
fn three_repositories(files: &[(&[u8], &[u8])]) -> [tempfile::TempDir; 3] {
    let make = || {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q"]);
        for (name, bytes) in files {
            let path = dir.path().join(OsStr::from_bytes(name));
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, bytes).unwrap();
        }
        dir
    };
    [make(), make(), make()]
}

/// Runs `fix --diff` and `fix` on `target` (from `cwd`, a folder of the repository) in two
/// copies, applies the diff with `git apply` and `patch -p1` at the root of the others, and
/// checks that every copy ends the same. Returns the diff.
fn diff_applies_like_fix(files_in_repo: &[(&[u8], &[u8])], cwd: &str, target: &[u8]) -> Vec<u8> {
    let target = OsStr::from_bytes(target);
    let [by_git, by_fix, by_patch] = three_repositories(files_in_repo);
    let label = String::from_utf8_lossy(target.as_bytes()).into_owned();

    let diff = loopfix(
        &by_git.path().join(cwd),
        &["fix".as_ref(), "--diff".as_ref(), target],
    );
    assert_eq!(
        diff.status.code(),
        Some(1),
        "{label:?}: {}",
        String::from_utf8_lossy(&diff.stderr)
    );
    let patch = diff.stdout;
    assert!(!patch.is_empty(), "{label:?}: a diff");
    let fixed = loopfix(&by_fix.path().join(cwd), &["fix".as_ref(), target]);
    assert_eq!(
        fixed.status.code(),
        Some(0),
        "{label:?}: {}",
        String::from_utf8_lossy(&fixed.stderr)
    );
    let expected = files(by_fix.path());
    assert_ne!(files(by_git.path()), expected, "{label:?}: fix changed it");

    let (ok, text) = apply(
        by_git.path(),
        "git",
        &["apply", "--whitespace=nowarn", "-"],
        &patch,
    );
    assert!(
        ok,
        "{label:?}: git apply: {text}\n{}",
        String::from_utf8_lossy(&patch)
    );
    assert_eq!(files(by_git.path()), expected, "{label:?}: git apply");

    if has_patch() {
        let (ok, text) = apply(by_patch.path(), "patch", &["-p1", "--binary"], &patch);
        assert!(
            ok,
            "{label:?}: patch -p1: {text}\n{}",
            String::from_utf8_lossy(&patch)
        );
        assert_eq!(files(by_patch.path()), expected, "{label:?}: patch -p1");
    }
    patch
}

#[test]
fn tricky_file_names_get_diffs_that_apply_to_them() {
    let names: &[&[u8]] = &[
        b"back\\slash.py",
        b"q\"uote.py",
        b"tab\tname.py",
        b"new\nline.py",
        b"bad\xffbyte.py",
        b"with space.py",
        b"-leading.py",
        "caf\u{e9}_\u{65e5}\u{672c}.py".as_bytes(),
        b"sub dir/x\\y \"z\".py",
    ];
    for name in names {
        // A decoy where a wrong reading of the name would point.
        let files: &[(&[u8], &[u8])] = &[
            (name, SEED.as_bytes()),
            (b"back/slash.py", b"x = 1\n"),
            (b"other.py", b"y = 2\n"),
        ];
        let mut given = b"./".to_vec();
        given.extend_from_slice(name);
        let patch = diff_applies_like_fix(files, ".", &given);
        let first_line = patch.split(|&b| b == b'\n').next().unwrap();
        assert!(
            first_line.is_ascii(),
            "{:?}",
            String::from_utf8_lossy(first_line)
        );
    }
}

#[test]
fn names_are_relative_to_the_repository_root() {
    let files: &[(&[u8], &[u8])] = &[(b"m.py", SEED.as_bytes()), (b"sub/keep.py", b"x = 1\n")];
    let patch = diff_applies_like_fix(files, "sub", b"../m.py");
    assert!(patch.starts_with(b"--- a/m.py\n+++ b/m.py\n"));

    let files: &[(&[u8], &[u8])] = &[(b"pkg/deep/m.py", SEED.as_bytes())];
    let patch = diff_applies_like_fix(files, "pkg", b"deep/m.py");
    assert!(patch.starts_with(b"--- a/pkg/deep/m.py\n+++ b/pkg/deep/m.py\n"));

    // From the root, the path as given.
    let patch = diff_applies_like_fix(files, ".", b"pkg/deep/m.py");
    assert!(patch.starts_with(b"--- a/pkg/deep/m.py\n+++ b/pkg/deep/m.py\n"));
}

#[test]
fn a_symlink_is_diffed_as_the_file_it_leads_to() {
    let [by_git, by_fix, _] = three_repositories(&[(b"real.py", SEED.as_bytes())]);
    for dir in [&by_git, &by_fix] {
        std::os::unix::fs::symlink("real.py", dir.path().join("link.py")).unwrap();
    }
    let diff = loopfix(
        by_git.path(),
        &["fix".as_ref(), "--diff".as_ref(), "link.py".as_ref()],
    );
    assert!(diff.stdout.starts_with(b"--- a/real.py\n+++ b/real.py\n"));
    let fixed = loopfix(by_fix.path(), &["fix".as_ref(), "link.py".as_ref()]);
    assert_eq!(fixed.status.code(), Some(0));
    let (ok, text) = apply(
        by_git.path(),
        "git",
        &["apply", "--whitespace=nowarn", "-"],
        &diff.stdout,
    );
    assert!(ok, "{text}");
    assert_eq!(files(by_git.path()), files(by_fix.path()));
}

#[test]
fn a_file_inside_the_git_directory_gets_an_error_not_a_diff() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    fs::write(dir.path().join(".git/hook.py"), SEED).unwrap();
    let out = loopfix(
        dir.path(),
        &["fix".as_ref(), "--diff".as_ref(), ".git/hook.py".as_ref()],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("hook.py: no diff: git cannot apply"), "{err}");
    assert_eq!(
        fs::read_to_string(dir.path().join(".git/hook.py")).unwrap(),
        SEED
    );
}

/// The file without a diff is a file error like any other: a diagnostic in the JSON output
/// (`"code": null`), nothing written; and standard input named inside `.git` gets it too.
#[test]
fn a_file_without_a_diff_is_an_error_in_every_format_and_stays_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    fs::write(dir.path().join(".git/hook.py"), SEED).unwrap();
    let args: [&OsStr; 4] = [
        "fix".as_ref(),
        "--output-format".as_ref(),
        "json".as_ref(),
        ".git/hook.py".as_ref(),
    ];
    let out = loopfix(dir.path(), &args);
    assert_eq!(out.status.code(), Some(2));
    let diagnostics: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors: Vec<&serde_json::Value> = diagnostics
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"].is_null())
        .collect();
    assert_eq!(errors.len(), 1, "{diagnostics}");
    assert_eq!(
        errors[0]["message"],
        "no diff: git cannot apply a diff to `.git/hook.py`"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join(".git/hook.py")).unwrap(),
        SEED
    );

    let mut child = Command::new(env!("CARGO_BIN_EXE_loopfix"))
        .args(["fix", "--diff", "--stdin-filename", ".git/hook.py", "-"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(SEED.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("hook.py: no diff: git cannot apply"), "{err}");
}

#[test]
fn a_lone_carriage_return_in_the_context_applies() {
    // Python ends a line at a lone CR, git and patch do not: the diff must keep it inside
    // its line, never put "\ No newline at end of file" before the end.
    let source = SEED.replace("handler():\n", "handler():\n    \"\"\"Doc\rmore.\"\"\"\n");
    let files: &[(&[u8], &[u8])] = &[(b"m.py", source.as_bytes())];
    let patch = diff_applies_like_fix(files, ".", b"m.py");
    let text = String::from_utf8_lossy(&patch);
    assert!(
        text.contains("\n     \"\"\"Doc\rmore.\"\"\"\n+    await load_data()\n"),
        "the line with the CR is context: {text}"
    );
    assert!(!text.contains("No newline"), "{text}");
}

/// CR-only text through the diff writer, applied by git and patch.
#[test]
fn carriage_return_only_files_diff_and_apply() {
    let cases: &[(&[u8], &[u8])] = &[
        (b"import asyncio\rX = 1\r", b"import asyncio\rX = 2\r"),
        (b"a = 1\rb = 2", b"a = 1\rb = 3"),
        (b"a\nb\rc\nd\n", b"a\nb\rC\nd\n"),
        (b"a\rb\n", b"a\rb"),
    ];
    for (old, new) in cases {
        let [by_git, by_patch, _] = three_repositories(&[(b"m.py", old)]);
        let patch = loopfix::diff::diff_bytes("m.py", old, new);
        let (ok, text) = apply(by_git.path(), "git", &["apply", "-"], &patch);
        assert!(ok, "{old:?}: git apply: {text}");
        assert_eq!(fs::read(by_git.path().join("m.py")).unwrap(), *new);
        if has_patch() {
            let (ok, text) = apply(by_patch.path(), "patch", &["-p1", "--binary"], &patch);
            assert!(ok, "{old:?}: patch: {text}");
            assert_eq!(fs::read(by_patch.path().join("m.py")).unwrap(), *new);
        }
    }
}

/// A CR-only file is one line to git and patch: `fix --diff` replaces that line, and applying
/// it gives what `fix` writes, with CR line ends only.
#[test]
fn a_cr_only_file_diffs_and_applies_like_fix() {
    let source = SEED.replace('\n', "\r");
    let files: &[(&[u8], &[u8])] = &[(b"m.py", source.as_bytes())];
    let patch = diff_applies_like_fix(files, ".", b"m.py");
    let text = String::from_utf8_lossy(&patch);
    assert!(text.contains("@@ -1 +1 @@\n"), "{text}");
    assert!(
        text.contains("\r    await load_data()\r    return DATA\r\n"),
        "{text}"
    );
}
