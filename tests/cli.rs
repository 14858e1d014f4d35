//! The built binary, driven as users and CI systems drive it: exit codes, output formats,
//! `--diff` applied with `git apply` and `patch -p1`, standard input, configuration discovery,
//! ignore files, selection and suppression.

mod common;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const SEED: &str = "import asyncio\n\n\nasync def fetch():\n    return 'data'\n\n\nDATA = asyncio.run(fetch())\n\n\nasync def handler():\n    return DATA\n";
const BLOCKED: &str = "import asyncio\n\n\nasync def fetch():\n    return 'data'\n\n\nDATA = asyncio.run(fetch())\nCOPY = DATA\n";
/// The seed with an app to await `init()` in (the init strategy needs a start-up to wire into).
const SEED_APP: &str = "import asyncio\nfrom fastapi import FastAPI\n\n\nasync def fetch():\n    return 'data'\n\nDATA = asyncio.run(fetch())\napp = FastAPI()\n\n\nasync def handler():\n    return DATA\n";
const CLEAN: &str = "import asyncio\n\n\nasync def main():\n    await asyncio.sleep(0)\n\n\nif __name__ == '__main__':\n    asyncio.run(main())\n";

fn loopfix(dir: &Path, args: &[&str]) -> Output {
    common::bin::loopfix(dir)
        .args(args)
        .output()
        .expect("the binary runs")
}

fn loopfix_stdin(dir: &Path, args: &[&str], input: &str) -> Output {
    let mut child = common::bin::loopfix(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exited normally")
}

#[test]
fn check_exit_codes_follow_ruff() {
    let clean = project(&[("app.py", CLEAN)]);
    let out = loopfix(clean.path(), &["check"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("No findings in 1 file."),
        "{}",
        stdout(&out)
    );

    let dirty = project(&[("app.py", SEED), ("other.py", CLEAN)]);
    let out = loopfix(dirty.path(), &["check"]);
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains("Found 1 finding (1 fixable) in 1 file."),
        "{}",
        stdout(&out)
    );

    let missing = loopfix(clean.path(), &["check", "nope.py"]);
    assert_eq!(code(&missing), 2);
    assert!(
        stderr(&missing).contains("nope.py: no such file or directory"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn broken_files_are_reported_and_the_rest_processed() {
    let dir = project(&[
        ("bad.py", "import asyncio\nX = asyncio.run(f(\n"),
        ("binary.py", "import asyncio\0\n"),
        ("app.py", SEED),
    ]);
    let before_bad = fs::read(dir.path().join("bad.py")).unwrap();
    let out = loopfix(dir.path(), &["fix"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("bad.py: syntax error at line"), "{err}");
    assert!(err.contains("binary.py: binary file"), "{err}");
    assert_eq!(fs::read(dir.path().join("bad.py")).unwrap(), before_bad);
    let fixed = fs::read_to_string(dir.path().join("app.py")).unwrap();
    assert!(fixed.contains("await load_data()"), "{fixed}");
}

#[test]
fn fix_writes_reports_and_exits_by_what_is_left() {
    let dir = project(&[("app.py", SEED)]);
    let out = loopfix(dir.path(), &["fix"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("--- a/app.py\n+++ b/app.py\n"), "{text}");
    assert!(text.contains("Fixed 1 finding in 1 file."), "{text}");
    let second = loopfix(dir.path(), &["fix", "--exit-non-zero-on-fix"]);
    assert_eq!(code(&second), 0, "a second fix changes nothing");

    let dir = project(&[("app.py", SEED)]);
    let out = loopfix(dir.path(), &["fix", "--exit-non-zero-on-fix"]);
    assert_eq!(code(&out), 1);

    let dir = project(&[("app.py", BLOCKED)]);
    let out = loopfix(dir.path(), &["fix"]);
    assert_eq!(code(&out), 1, "an unfixable finding remains");
    assert!(
        stdout(&out).contains("is read at import time on line 9"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("app.py")).unwrap(),
        BLOCKED
    );

    let dir = project(&[("app.py", SEED)]);
    let out = loopfix(dir.path(), &["fix", "--quiet"]);
    assert_eq!(stdout(&out).trim(), "Fixed 1 finding in 1 file.");
}

#[test]
fn diff_writes_nothing_and_applies_like_fix() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let c = tempfile::tempdir().unwrap();
    for dir in [&a, &b, &c] {
        copy_tree(&fixtures, dir.path());
    }
    let diff = loopfix(a.path(), &["fix", "--diff", "."]);
    assert_eq!(code(&diff), 1, "{}", stderr(&diff));
    let patch = diff.stdout.clone();
    assert!(!patch.is_empty());
    assert_trees_equal(&fixtures, a.path());

    let fixed = loopfix(b.path(), &["fix", "."]);
    assert_eq!(code(&fixed), code(&diff), "{}", stderr(&fixed));

    run_in(a.path(), "git", &["init", "-q"]);
    let mut apply = Command::new("git")
        .args(["apply", "--whitespace=nowarn", "-"])
        .current_dir(a.path())
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    apply.stdin.take().unwrap().write_all(&patch).unwrap();
    assert!(
        apply.wait().unwrap().success(),
        "git apply accepts the diff"
    );
    fs::remove_dir_all(a.path().join(".git")).unwrap();
    assert_trees_equal(b.path(), a.path());

    if Command::new("patch").arg("--version").output().is_ok() {
        let mut patch_cmd = Command::new("patch")
            .args(["-p1", "--quiet", "--binary"])
            .current_dir(c.path())
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        patch_cmd.stdin.take().unwrap().write_all(&patch).unwrap();
        assert!(
            patch_cmd.wait().unwrap().success(),
            "patch -p1 accepts the diff"
        );
        assert_trees_equal(b.path(), c.path());
    }
}

fn run_in(dir: &Path, program: &str, args: &[&str]) {
    let status = Command::new(program)
        .args(args)
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(status.success(), "{program} {args:?}");
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn files_of(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            out.extend(files_of(&entry.path()));
        } else {
            out.push(entry.path());
        }
    }
    out.sort();
    out
}

fn assert_trees_equal(expected: &Path, actual: &Path) {
    let left: Vec<PathBuf> = files_of(expected)
        .iter()
        .map(|p| p.strip_prefix(expected).unwrap().to_path_buf())
        .collect();
    let right: Vec<PathBuf> = files_of(actual)
        .iter()
        .map(|p| p.strip_prefix(actual).unwrap().to_path_buf())
        .collect();
    assert_eq!(left, right);
    for path in left {
        assert_eq!(
            fs::read(expected.join(&path)).unwrap(),
            fs::read(actual.join(&path)).unwrap(),
            "{} differs",
            path.display()
        );
    }
}

#[test]
fn json_is_ruff_compatible() {
    let dir = project(&[("pkg/app.py", SEED)]);
    let out = loopfix(dir.path(), &["check", "--output-format", "json"]);
    assert_eq!(code(&out), 1);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let finding = &json.as_array().unwrap()[0];
    assert_eq!(finding["code"], "LF001");
    assert_eq!(finding["location"]["row"], 8);
    assert_eq!(finding["location"]["column"], 8);
    assert_eq!(finding["end_location"]["row"], 8);
    assert_eq!(finding["noqa_row"], 8);
    assert!(
        finding["filename"]
            .as_str()
            .unwrap()
            .ends_with("pkg/app.py")
    );
    assert!(Path::new(finding["filename"].as_str().unwrap()).is_absolute());
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("asyncio.run(fetch())")
    );
    // No published rule pages: `url` is null rather than an invented address.
    assert!(finding["url"].is_null());
    assert_eq!(finding["name"], "asyncio-run-at-import");
    let fix = &finding["fix"];
    assert_eq!(fix["applicability"], "safe");
    assert!(fix["message"].as_str().unwrap().contains("load_data"));
    let edit = &fix["edits"][0];
    for key in ["content", "location", "end_location"] {
        assert!(!edit[key].is_null(), "edit has {key}");
    }
    assert!(
        stdout(&out).trim_start().starts_with('['),
        "nothing but JSON on stdout"
    );
}

#[test]
fn github_and_sarif_formats() {
    let dir = project(&[("app.py", SEED)]);
    let out = loopfix(dir.path(), &["check", "--output-format", "github"]);
    let line = stdout(&out);
    assert!(
        line.starts_with("::error title=loopfix (LF001),file=app.py,line=8,col=8,"),
        "{line}"
    );
    assert!(
        line.contains("endLine=8,endColumn=28::app.py:8:8: LF001 "),
        "{line}"
    );

    let out = loopfix(dir.path(), &["check", "--output-format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "loopfix");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(
        rules
            .iter()
            .any(|r| r["id"] == "LF001" && r["shortDescription"]["text"].is_string())
    );
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "LF001");
    assert!(result["message"]["text"].is_string());
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "app.py");
    assert_eq!(location["region"]["startLine"], 8);
    assert_eq!(location["region"]["startColumn"], 8);
    assert!(result["fixes"][0]["artifactChanges"][0]["replacements"].is_array());
}

#[test]
fn concise_statistics_and_selection() {
    let dir = project(&[
        ("app.py", SEED),
        ("loop.py", "import asyncio\nasyncio.get_event_loop()\n"),
    ]);
    let out = loopfix(dir.path(), &["check", "--output-format", "concise"]);
    let text = stdout(&out);
    assert!(
        text.contains("app.py:8:8: LF001 [*] `asyncio.run(fetch())`"),
        "{text}"
    );
    assert!(text.contains("loop.py:2:1: LF003 [*]"), "{text}");

    let out = loopfix(dir.path(), &["check", "--statistics"]);
    let text = stdout(&out);
    assert!(
        text.contains("1\tLF001\t[*] asyncio-run-at-import"),
        "{text}"
    );

    let out = loopfix(dir.path(), &["check", "--select", "LF003"]);
    assert!(!stdout(&out).contains("LF001"), "{}", stdout(&out));
    let out = loopfix(dir.path(), &["check", "--ignore", "LF001,LF003"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let out = loopfix(dir.path(), &["check", "--select", "E501"]);
    assert_eq!(code(&out), 2);
}

#[test]
fn standard_input() {
    let dir = project(&[]);
    let out = loopfix_stdin(
        dir.path(),
        &[
            "check",
            "-",
            "--stdin-filename",
            "api/app.py",
            "--output-format",
            "concise",
        ],
        SEED,
    );
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains("api/app.py:8:8: LF001"),
        "{}",
        stdout(&out)
    );

    let out = loopfix_stdin(dir.path(), &["fix", "-"], SEED);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("async def load_data() -> None:"),
        "{}",
        stdout(&out)
    );
    assert!(
        !stdout(&out).contains("---"),
        "fix - prints the source, not a diff"
    );

    let out = loopfix_stdin(dir.path(), &["fix", "-"], CLEAN);
    assert_eq!(
        stdout(&out),
        CLEAN,
        "an unchanged source comes back as it was"
    );

    let out = loopfix_stdin(
        dir.path(),
        &["fix", "--diff", "-", "--stdin-filename", "app.py"],
        SEED,
    );
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).starts_with("--- a/app.py\n+++ b/app.py\n"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn gitignore_and_excludes_are_respected_unless_a_file_is_named() {
    let dir = project(&[
        (".gitignore", "generated/\n"),
        ("generated/app.py", SEED),
        ("build/app.py", SEED),
        (".hidden/app.py", SEED),
        ("src/app.py", SEED),
    ]);
    fs::create_dir(dir.path().join(".git")).unwrap();
    let out = loopfix(dir.path(), &["check", "--output-format", "concise"]);
    let text = stdout(&out);
    assert!(text.contains("src/app.py"), "{text}");
    for skipped in ["generated/", "build/", ".hidden/"] {
        assert!(!text.contains(skipped), "{skipped} is skipped: {text}");
    }
    let out = loopfix(
        dir.path(),
        &[
            "check",
            "--output-format",
            "concise",
            "generated/app.py",
            "build/app.py",
        ],
    );
    assert!(stdout(&out).contains("generated/app.py") && stdout(&out).contains("build/app.py"));
    let out = loopfix(dir.path(), &["check", "--force-exclude", "build/app.py"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let out = loopfix(
        dir.path(),
        &[
            "check",
            "--output-format",
            "concise",
            "--extend-exclude",
            "src",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stdout(&out));
}

#[test]
fn excludes_with_a_slash_match_paths_under_dot() {
    let dir = project(&[
        (
            "pyproject.toml",
            "[tool.loopfix]\nextend-exclude = [\"tests/fixtures\"]\n",
        ),
        ("tests/fixtures/a.py", SEED),
        ("src/b.py", SEED),
    ]);
    for args in [
        &["check", "--output-format", "concise", "."][..],
        &["check", "--output-format", "concise"],
    ] {
        let out = loopfix(dir.path(), args);
        let text = stdout(&out);
        assert!(text.contains("src/b.py"), "{text}");
        assert!(!text.contains("fixtures"), "{args:?}: {text}");
    }
}

#[test]
fn configuration_is_discovered_per_file() {
    let dir = project(&[
        ("pyproject.toml", "[tool.loopfix]\nignore = [\"LF003\"]\n"),
        ("app.py", "import asyncio\nasyncio.get_event_loop()\n"),
        ("service/loopfix.toml", "select = [\"LF003\"]\n"),
        (
            "service/app.py",
            "import asyncio\nasyncio.get_event_loop()\n",
        ),
    ]);
    let out = loopfix(dir.path(), &["check", "--output-format", "concise"]);
    let text = stdout(&out);
    assert!(text.contains("service/app.py:2:1: LF003"), "{text}");
    assert!(
        !text.contains("\napp.py") && !text.starts_with("app.py"),
        "{text}"
    );

    let out = loopfix(
        dir.path(),
        &[
            "check",
            "--config",
            "service/loopfix.toml",
            "--output-format",
            "concise",
        ],
    );
    assert_eq!(stdout(&out).matches("LF003").count(), 2, "{}", stdout(&out));
}

#[test]
fn per_file_ignores_and_strategy_from_configuration() {
    let dir = project(&[
        (
            "pyproject.toml",
            "[tool.loopfix]\nstrategy = \"init\"\nper-file-ignores = { \"scripts/*\" = [\"LF001\"] }\n",
        ),
        ("scripts/tool.py", SEED),
        ("app.py", SEED_APP),
    ]);
    let out = loopfix(
        dir.path(),
        &["check", "--output-format", "concise", "--unsafe-fixes"],
    );
    let text = stdout(&out);
    assert!(text.contains("app.py:8:8: LF001"), "{text}");
    assert!(!text.contains("scripts/tool.py"), "{text}");
    let out = loopfix(dir.path(), &["fix", "--diff", "--unsafe-fixes", "app.py"]);
    assert!(
        stdout(&out).contains("async def init() -> None:"),
        "the configured strategy: {}",
        stdout(&out)
    );
    let out = loopfix(
        dir.path(),
        &["fix", "--diff", "--strategy", "lazy", "app.py"],
    );
    assert!(
        stdout(&out).contains("async def load_data() -> None:"),
        "the flag wins: {}",
        stdout(&out)
    );
}

#[test]
fn bad_configuration_names_file_line_and_column() {
    let dir = project(&[
        (
            "pyproject.toml",
            "[tool.loopfix]\nselect = [\"LF001\"]\nstratgy = \"lazy\"\n",
        ),
        ("app.py", SEED),
    ]);
    let out = loopfix(dir.path(), &["check"]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(err.contains("pyproject.toml:3:1:"), "{err}");
    assert!(err.contains("stratgy"), "{err}");
}

#[test]
fn a_broken_unrelated_pyproject_is_a_warning_and_the_run_goes_on() {
    let broken = "[tool.black]\nline-length = 100\nexclude = '''\n";
    let dir = project(&[("pyproject.toml", broken), ("app.py", SEED)]);
    let out = loopfix(dir.path(), &["check", "--output-format", "concise"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("loopfix: warning: "), "{err}");
    assert!(err.contains("pyproject.toml:4:1:"), "{err}");
    assert!(stdout(&out).contains("LF001"), "{}", stdout(&out));
    // With a [tool.loopfix] table, the same problem stays an error.
    let dir = project(&[
        (
            "pyproject.toml",
            &format!("[tool.loopfix]\nselect = [\"LF\"]\n{broken}"),
        ),
        ("app.py", SEED),
    ]);
    let out = loopfix(dir.path(), &["check"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("loopfix: error: "),
        "{}",
        stderr(&out)
    );
}

#[test]
fn suppression_comments() {
    let source = "import asyncio\n\n\nasync def f():\n    return 1\n\n\nA = asyncio.run(f())  # noqa: LF001\nB = asyncio.run(f())  # loopfix: ignore[LF001]\nC = asyncio.run(f())  # noqa\nD = asyncio.run(f())  # noqa: LF002\n";
    let dir = project(&[("app.py", source)]);
    let out = loopfix(dir.path(), &["check", "--output-format", "concise"]);
    let text = stdout(&out);
    assert!(text.contains("app.py:11:5: LF001"), "{text}");
    assert_eq!(text.matches("LF001").count(), 1, "{text}");
}

#[test]
fn rule_documentation() {
    let dir = project(&[]);
    let out = loopfix(dir.path(), &["rule", "LF001"]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert!(
        text.starts_with("# asyncio-run-at-import (LF001)"),
        "{text}"
    );
    assert!(text.contains("## Fix safety"));
    let out = loopfix(dir.path(), &["rule", "loop-created-at-import"]);
    assert!(stdout(&out).starts_with("# loop-created-at-import (LF002)"));
    let out = loopfix(dir.path(), &["rule", "--all"]);
    for code in [
        "LF001", "LF002", "LF003", "LF004", "LF005", "LF006", "LF007",
    ] {
        assert!(stdout(&out).contains(&format!("({code})")), "{code}");
    }
    let out = loopfix(dir.path(), &["rule", "LF999"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("LF999"));
}

#[test]
fn usage_errors_exit_2() {
    let dir = project(&[]);
    assert_eq!(
        code(&loopfix(dir.path(), &["check", "--output-format", "xml"])),
        2
    );
    assert_eq!(code(&loopfix(dir.path(), &["frobnicate"])), 2);
    assert_eq!(code(&loopfix(dir.path(), &["--version"])), 0);
    assert_eq!(
        code(&loopfix(dir.path(), &["fix", "--strategy", "eager"])),
        2
    );
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let dir = project(&[("app.py", SEED)]);
    let out = loopfix(dir.path(), &["check", "--color", "always"]);
    assert!(stdout(&out).contains("\x1b["), "colour when forced");
    let out = loopfix(dir.path(), &["check"]);
    assert!(!stdout(&out).contains("\x1b["), "no colour into a pipe");
    let out = common::bin::loopfix(dir.path())
        .args(["check", "--color", "never"])
        .output()
        .unwrap();
    assert!(!stdout(&out).contains("\x1b["));
}

#[test]
fn completions_are_generated() {
    let dir = project(&[]);
    let out = loopfix(dir.path(), &["completions", "bash"]);
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("loopfix"));
}

/// A lazy fix that is unsafe: a function assigns the name too.
const WRITTEN_IN_FUNCTION: &str = "import asyncio\n\n\nasync def fetch():\n    return 1\n\n\nX = asyncio.run(fetch())\n\n\nasync def reset():\n    global X\n    X = 2\n\n\nasync def read():\n    return X\n";

#[test]
fn check_and_fix_agree_under_nested_configuration() {
    let dir = project(&[
        ("pyproject.toml", "[tool.loopfix]\nselect = [\"LF\"]\n"),
        (
            "sub/pyproject.toml",
            "[tool.loopfix]\nunsafe-fixes = true\n",
        ),
        ("sub/m.py", WRITTEN_IN_FUNCTION),
    ]);
    let check = loopfix(dir.path(), &["check", "--output-format", "concise", "."]);
    let text = stdout(&check);
    assert!(text.contains("sub/m.py:8:5: LF001 [*]"), "{text}");
    assert!(
        text.contains("Found 1 finding (1 fixable) in 1 file."),
        "{text}"
    );
    assert!(!text.contains("available with `--unsafe-fixes`"), "{text}");
    let fix = loopfix(dir.path(), &["fix", "."]);
    assert_eq!(code(&fix), 0, "{}", stderr(&fix));
    let fixed = fs::read_to_string(dir.path().join("sub/m.py")).unwrap();
    assert!(fixed.contains("async def load_x() -> None:"), "{fixed}");
}

#[test]
fn file_errors_appear_in_every_output_format_and_the_summary() {
    let dir = project(&[("broken.py", "import asyncio\nX = asyncio.run(f(\n")]);
    let json = loopfix(
        dir.path(),
        &["check", "--output-format", "json", "broken.py"],
    );
    assert_eq!(code(&json), 2);
    let items: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let error = &items.as_array().unwrap()[0];
    assert!(error["code"].is_null(), "{error}");
    assert!(error["fix"].is_null() && error["url"].is_null(), "{error}");
    let message = error["message"].as_str().unwrap();
    assert!(message.starts_with("syntax error at line"), "{message}");
    assert_eq!(error["location"]["row"], error["end_location"]["row"]);
    assert!(error["filename"].as_str().unwrap().ends_with("broken.py"));
    assert!(
        stderr(&json).contains("Found 1 error in 1 file."),
        "{}",
        stderr(&json)
    );
    assert!(
        stderr(&json).contains("loopfix: error: broken.py: syntax error at line"),
        "{}",
        stderr(&json)
    );

    let sarif = loopfix(
        dir.path(),
        &["check", "--output-format", "sarif", "broken.py"],
    );
    let log: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let result = &log["runs"][0]["results"][0];
    assert!(result["ruleId"].is_null(), "{result}");
    assert_eq!(result["level"], "error");
    assert!(
        result["message"]["text"]
            .as_str()
            .unwrap()
            .contains("syntax error")
    );

    let github = loopfix(
        dir.path(),
        &["check", "--output-format", "github", "broken.py"],
    );
    assert!(
        stdout(&github).starts_with("::error title=loopfix (error),file=broken.py,line="),
        "{}",
        stdout(&github)
    );
    for format in ["concise", "full"] {
        let out = loopfix(
            dir.path(),
            &["check", "--output-format", format, "broken.py"],
        );
        let text = stdout(&out);
        assert!(text.contains("broken.py:"), "{format}: {text}");
        assert!(
            text.contains(": error: syntax error at line"),
            "{format}: {text}"
        );
        assert!(
            text.contains("Found 1 error in 1 file."),
            "{format}: {text}"
        );
        assert_eq!(code(&out), 2);
    }
}

/// A CR-only file (classic Mac OS line ends) is checked and fixed: the fix writes CR line ends
/// only, CPython compiles the result, a second fix changes nothing, and the JSON edits end
/// their lines in CR too.
#[test]
fn a_cr_only_file_is_fixed_with_cr_line_ends() {
    let source = SEED.replace('\n', "\r");
    let dir = project(&[("app.py", &source)]);
    let json = loopfix(dir.path(), &["check", "--output-format", "json"]);
    assert_eq!(code(&json), 1, "{}", stderr(&json));
    let findings: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let finding = &findings.as_array().unwrap()[0];
    assert_eq!(finding["location"]["row"], 8);
    let edits = finding["fix"]["edits"].as_array().unwrap();
    let contents: String = edits
        .iter()
        .map(|e| e["content"].as_str().unwrap())
        .collect();
    assert!(
        contents.contains('\r') && !contents.contains('\n'),
        "{contents:?}"
    );

    let fixed = loopfix(dir.path(), &["fix"]);
    assert_eq!(code(&fixed), 0, "{}", stderr(&fixed));
    let written = fs::read(dir.path().join("app.py")).unwrap();
    assert_ne!(written, source.as_bytes());
    assert!(
        !written.contains(&b'\n'),
        "{:?}",
        String::from_utf8_lossy(&written)
    );
    assert!(written.ends_with(b"return DATA\r"));
    let compiled = Command::new("python3")
        .args(["-m", "py_compile", "app.py"])
        .current_dir(dir.path())
        .output()
        .expect("python3 runs");
    assert!(compiled.status.success(), "{}", stderr(&compiled));

    let again = loopfix(dir.path(), &["fix"]);
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    assert_eq!(fs::read(dir.path().join("app.py")).unwrap(), written);
    assert_eq!(code(&loopfix(dir.path(), &["check"])), 0);
}

/// A module that spells `asyncio` only in full-width letters (Python imports it as `asyncio`)
/// is not settled by the first look: `check` finds what `check --full-parse` finds.
#[test]
fn full_width_names_are_found_without_the_full_parse() {
    let source = SEED
        .replace("asyncio.run", "ａｓｙｎｃｉｏ.ｒｕｎ")
        .replace("import asyncio", "import ａｓｙｎｃｉｏ");
    let dir = project(&[("app.py", &source)]);
    let fast = loopfix(dir.path(), &["check", "--output-format", "concise"]);
    let full = loopfix(
        dir.path(),
        &["check", "--full-parse", "--output-format", "concise"],
    );
    assert_eq!(code(&fast), 1, "{}", stderr(&fast));
    assert_eq!(stdout(&fast), stdout(&full));
    assert!(stdout(&fast).contains("LF001"), "{}", stdout(&fast));
}
