//! The report formats for CI systems and tools (`json-lines`, `gitlab`, `pylint`, `junit`,
//! `rdjson`, JSON `--statistics`), where the report goes (`-o/--output-file`) and how the run
//! exits (`--exit-zero`), driven through the built binary.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const SEED: &str = "import asyncio\n\n\nasync def fetch():\n    return 'data'\n\n\nDATA = asyncio.run(fetch())\n\n\nasync def handler():\n    return DATA\n";
const LOOP: &str = "import asyncio\nasyncio.get_event_loop()\n";
/// Not Python: a file that cannot be processed.
const BROKEN: &str = "import asyncio\n\nDATA = asyncio.run(fetch(\n";

fn loopfix(dir: &Path, args: &[&str]) -> Output {
    common::bin::loopfix(dir)
        .args(args)
        .output()
        .expect("the binary runs")
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

/// Two files with findings (one fixable safely) and one that does not parse.
fn mixed_project() -> tempfile::TempDir {
    project(&[
        ("pkg/app.py", SEED),
        ("pkg/loop.py", LOOP),
        ("pkg/broken.py", BROKEN),
    ])
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exited normally")
}

/// Standard output of `check --output-format FORMAT` on the mixed project, with the project's
/// directory replaced by `[PROJECT]`.
fn check_in(dir: &Path, format: &str) -> String {
    let out = loopfix(dir, &["check", "--output-format", format]);
    assert_eq!(code(&out), 2, "a broken file exits 2: {}", stderr(&out));
    let root = dir.canonicalize().unwrap();
    stdout(&out)
        .replace(&root.display().to_string(), "[PROJECT]")
        .replace(&dir.display().to_string(), "[PROJECT]")
}

fn snapshot(name: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(format!("outputs@{name}"), text));
}

#[test]
fn json_lines_prints_the_json_objects_one_per_line() {
    let dir = mixed_project();
    let lines = check_in(dir.path(), "json-lines");
    snapshot("json-lines", &lines);
    let array: Vec<Value> = serde_json::from_str(&check_in(dir.path(), "json")).unwrap();
    let objects: Vec<Value> = lines
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is one JSON object"))
        .collect();
    assert_eq!(objects, array, "the same objects as `json`, in its order");
    assert_eq!(objects.len(), 3);
}

#[test]
fn json_objects_carry_the_rule_name_beside_every_field() {
    let dir = mixed_project();
    let array: Vec<Value> = serde_json::from_str(&check_in(dir.path(), "json")).unwrap();
    let fields = [
        "cell",
        "code",
        "end_location",
        "filename",
        "fix",
        "location",
        "message",
        "name",
        "noqa_row",
        "url",
    ];
    for object in &array {
        let keys: Vec<&str> = object
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, fields, "{object}");
    }
    let name_of = |code: &str| {
        array
            .iter()
            .find(|o| o["code"] == code)
            .map(|o| o["name"].clone())
    };
    assert_eq!(name_of("LF001"), Some("asyncio-run-at-import".into()));
    assert_eq!(name_of("LF003"), Some("get-event-loop-at-import".into()));
    let error = array.iter().find(|o| o["code"].is_null()).unwrap();
    assert!(error["name"].is_null(), "a file error has no rule: {error}");
}

#[test]
fn gitlab_is_a_code_quality_report() {
    let dir = mixed_project();
    let text = check_in(dir.path(), "gitlab");
    snapshot("gitlab", &text);
    let issues: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(issues.len(), 3);
    let mut fingerprints = std::collections::HashSet::new();
    for issue in &issues {
        for key in ["description", "check_name", "fingerprint", "severity"] {
            assert!(issue[key].is_string(), "{key} in {issue}");
        }
        assert!(
            issue["location"]["path"]
                .as_str()
                .unwrap()
                .starts_with("pkg/")
        );
        assert!(issue["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
        assert!(fingerprints.insert(issue["fingerprint"].as_str().unwrap().to_owned()));
    }
    let lf001 = issues.iter().find(|i| i["check_name"] == "LF001").unwrap();
    assert_eq!(lf001["location"]["path"], "pkg/app.py");
    assert_eq!(lf001["location"]["lines"]["begin"], 8);
    assert!(
        lf001["description"]
            .as_str()
            .unwrap()
            .starts_with("LF001: ")
    );
    assert_eq!(
        text,
        check_in(dir.path(), "gitlab"),
        "fingerprints are stable"
    );

    // Under GitLab, paths are relative to the project's directory.
    let out = common::bin::loopfix(&dir.path().join("pkg"))
        .args(["check", "--output-format", "gitlab", "app.py"])
        .env("CI_PROJECT_DIR", dir.path())
        .output()
        .unwrap();
    let issues: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(issues[0]["location"]["path"], "pkg/app.py");
}

#[test]
fn pylint_prints_path_line_code_and_name() {
    let dir = mixed_project();
    let text = check_in(dir.path(), "pylint");
    snapshot("pylint", &text);
    assert!(
        text.lines()
            .any(|l| l.starts_with("pkg/app.py:8: [LF001(asyncio-run-at-import)] ")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l == "pkg/broken.py:3: error: syntax error at line 3, column 1"),
        "{text}"
    );
}

#[test]
fn junit_is_well_formed_xml_with_a_case_per_diagnostic() {
    let dir = mixed_project();
    let text = check_in(dir.path(), "junit");
    snapshot("junit", &text);
    let summary = xml_summary(&text);
    assert_eq!(
        summary,
        "testsuites tests=3 failures=2 errors=1; suites=3; cases=3; failure=2; error=1"
    );
    assert!(
        text.contains(r#"<testcase name="loopfix.LF001" classname="pkg/app" line="8" column="8">"#)
    );

    let clean = project(&[("app.py", "x = 1\n")]);
    let out = loopfix(clean.path(), &["check", "--output-format", "junit"]);
    assert_eq!(code(&out), 0);
    let summary = xml_summary(&stdout(&out));
    assert_eq!(
        summary,
        "testsuites tests=1 failures=0 errors=0; suites=1; cases=1; failure=0; error=0"
    );
}

/// Parses the XML with Python's parser (which rejects anything not well-formed) and counts its
/// elements.
fn xml_summary(xml: &str) -> String {
    const SCRIPT: &str = r#"
import sys
import xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.buffer.read())
a = root.attrib
print(f"{root.tag} tests={a['tests']} failures={a['failures']} errors={a['errors']}; "
      f"suites={len(root.findall('testsuite'))}; cases={len(root.findall('.//testcase'))}; "
      f"failure={len(root.findall('.//failure'))}; error={len(root.findall('.//error'))}", end="")
"#;
    let mut child = Command::new("python3")
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), xml.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "not well-formed XML: {}\n{xml}",
        stderr(&out)
    );
    stdout(&out)
}

#[test]
fn rdjson_is_reviewdog_s_format() {
    let dir = mixed_project();
    let text = check_in(dir.path(), "rdjson");
    snapshot("rdjson", &text);
    let result: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(result["source"]["name"], "loopfix");
    let diagnostics = result["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 3);
    let lf001 = diagnostics
        .iter()
        .find(|d| d["code"]["value"] == "LF001")
        .unwrap();
    assert_eq!(lf001["location"]["path"], "pkg/app.py");
    assert_eq!(lf001["location"]["range"]["start"]["line"], 8);
    assert_eq!(lf001["location"]["range"]["start"]["column"], 8);
    let suggestion = &lf001["suggestions"][0];
    assert!(suggestion["text"].is_string() && suggestion["range"]["end"]["line"].is_u64());
    let error = diagnostics
        .iter()
        .find(|d| d.get("code").is_none())
        .unwrap();
    assert_eq!(error["location"]["path"], "pkg/broken.py");
}

#[test]
fn statistics_in_json_are_an_array_of_rules() {
    let dir = mixed_project();
    let out = loopfix(
        dir.path(),
        &["check", "--statistics", "--output-format", "json"],
    );
    assert_eq!(code(&out), 2);
    let rows: Value = serde_json::from_slice(&out.stdout).expect("only JSON on stdout");
    assert_eq!(
        rows,
        serde_json::json!([
            {"code": "LF001", "name": "asyncio-run-at-import", "count": 1, "fixable": true},
            {"code": "LF003", "name": "get-event-loop-at-import", "count": 1, "fixable": true},
        ])
    );
    let clean = project(&[("app.py", "x = 1\n")]);
    let out = loopfix(
        clean.path(),
        &["check", "--statistics", "--output-format", "json"],
    );
    assert_eq!(stdout(&out).trim(), "[]");
}

#[test]
fn sarif_rule_descriptions_are_whole() {
    let dir = project(&[("app.py", SEED)]);
    let out = loopfix(dir.path(), &["check", "--output-format", "sarif"]);
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    for rule in rules {
        let short = rule["shortDescription"]["text"].as_str().unwrap();
        let full = rule["fullDescription"]["text"].as_str().unwrap();
        assert!(short.ends_with('.') && full.starts_with(short), "{rule}");
    }
    let lf001 = &rules[0]["shortDescription"]["text"];
    assert!(
        lf001
            .as_str()
            .unwrap()
            .ends_with("decorators and default values."),
        "{lf001}"
    );
}

#[test]
fn output_file_receives_the_whole_report() {
    let dir = mixed_project();
    let out = loopfix(
        dir.path(),
        &[
            "check",
            "--output-format",
            "json",
            "-o",
            "reports/nested/lint.json",
        ],
    );
    assert_eq!(code(&out), 2);
    assert_eq!(stdout(&out), "", "nothing on standard output");
    let written = fs::read(dir.path().join("reports/nested/lint.json")).unwrap();
    let array: Vec<Value> = serde_json::from_slice(&written).unwrap();
    assert_eq!(array.len(), 3);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = fs::metadata(dir.path().join("reports/nested/lint.json")).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o644);
    }

    // A longer report is replaced whole, the human format goes uncoloured with its summary,
    // and no temporary file is left.
    let report = dir.path().join("report.txt");
    fs::write(&report, "x".repeat(100_000)).unwrap();
    let out = loopfix(
        dir.path(),
        &[
            "check",
            "--output-format",
            "concise",
            "--color",
            "auto",
            "--output-file",
            "report.txt",
        ],
    );
    assert_eq!(code(&out), 2);
    let text = fs::read_to_string(&report).unwrap();
    assert!(
        text.starts_with("pkg/app.py:8:8: LF001 [*] "),
        "{text:.200}"
    );
    assert!(text.contains("\npkg/broken.py:3:1: error: "), "{text}");
    assert!(
        text.ends_with("Found 2 findings (2 fixable) and 1 error in 3 files.\n"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "no colour in a file");
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".loopfix-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn an_output_file_that_cannot_be_written_is_an_error() {
    let dir = project(&[("app.py", SEED), ("taken/keep.txt", "")]);
    let out = loopfix(dir.path(), &["check", "-o", "taken"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("cannot write the report to taken"),
        "{}",
        stderr(&out)
    );
    assert!(dir.path().join("taken/keep.txt").is_file());
}

#[test]
fn output_file_with_standard_input() {
    let dir = project(&[]);
    let run = |args: &[&str]| {
        let mut child = common::bin::loopfix(dir.path())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), SEED.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let out = run(&["check", "-", "--output-format", "json", "-o", "report.json"]);
    assert_eq!(code(&out), 1);
    assert_eq!(stdout(&out), "");
    let report: Vec<Value> =
        serde_json::from_slice(&fs::read(dir.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(report[0]["code"], "LF001");

    // `fix` keeps standard output for the source; the report (what is left) goes to the file.
    let out = run(&[
        "fix",
        "-",
        "--unsafe-fixes",
        "--output-format",
        "json",
        "-o",
        "left.json",
    ]);
    assert!(
        stdout(&out).contains("async def load_data()"),
        "{}",
        stdout(&out)
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let left = fs::read_to_string(dir.path().join("left.json")).unwrap();
    assert_eq!(left.trim(), "[]", "nothing left, still JSON");
    let out = run(&[
        "fix",
        "-",
        "--select",
        "LF003",
        "--output-format",
        "json",
        "-o",
        "left.json",
    ]);
    assert_eq!(stdout(&out), SEED, "nothing selected to fix");
    let left: Vec<Value> =
        serde_json::from_slice(&fs::read(dir.path().join("left.json")).unwrap()).unwrap();
    assert!(left.is_empty());
    let out = run(&["fix", "-", "--output-format", "json", "-o", "left.json"]);
    assert!(
        stdout(&out).contains("async def load_data()"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn exit_zero_turns_findings_but_not_errors_into_success() {
    let dir = project(&[("app.py", SEED)]);
    let out = loopfix(dir.path(), &["check", "--exit-zero"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("Found 1 finding"), "{}", stdout(&out));
    let out = loopfix(dir.path(), &["check", "-e"]);
    assert_eq!(code(&out), 0);
    let out = loopfix(dir.path(), &["fix", "--diff", "--exit-zero"]);
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).starts_with("--- a/app.py"), "{}", stdout(&out));
    assert_eq!(fs::read_to_string(dir.path().join("app.py")).unwrap(), SEED);

    let broken = project(&[("app.py", SEED), ("broken.py", BROKEN)]);
    let out = loopfix(broken.path(), &["check", "--exit-zero"]);
    assert_eq!(
        code(&out),
        2,
        "a file that cannot be processed still exits 2"
    );
}

#[test]
fn check_fix_and_check_diff_point_to_the_fix_command() {
    let dir = project(&[("app.py", SEED)]);
    let out = loopfix(dir.path(), &["check", "--fix"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("use `loopfix fix`"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
    let out = loopfix(dir.path(), &["check", "--diff", "app.py"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("use `loopfix fix --diff`"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fs::read_to_string(dir.path().join("app.py")).unwrap(), SEED);
}

#[test]
fn rule_with_a_prefix_lists_the_matching_rules() {
    let dir = project(&[]);
    let out = loopfix(dir.path(), &["rule", "LF"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    let listed: Vec<&str> = text.lines().take_while(|l| !l.is_empty()).collect();
    assert_eq!(listed.len(), 7, "{text}");
    assert_eq!(listed[0], "LF001  asyncio-run-at-import");
    assert_eq!(listed[6], "LF007  no-running-loop-at-import");
    assert!(text.contains("`loopfix rule CODE`"), "{text}");

    let out = loopfix(dir.path(), &["rule", "lf00"]);
    assert_eq!(code(&out), 0);
    assert_eq!(stdout(&out), text, "prefixes are case-insensitive");

    let out = loopfix(dir.path(), &["rule", "LF001"]);
    assert!(stdout(&out).starts_with("# asyncio-run-at-import (LF001)"));

    let out = loopfix(dir.path(), &["rule", "LF9"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("unknown rule `LF9`"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
}

/// Whether `check` on a file with a finding prints colour (standard output is a pipe) with
/// the environment variables and flags given.
fn coloured(env: &[(&str, &str)], args: &[&str]) -> bool {
    let dir = project(&[("app.py", SEED)]);
    let mut command = Command::new(env!("CARGO_BIN_EXE_loopfix"));
    command
        .arg("check")
        .args(args)
        .current_dir(dir.path())
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("LOOPFIX_OUTPUT_FORMAT")
        .envs(env.iter().copied());
    let out = command.output().unwrap();
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    stdout(&out).contains('\u{1b}')
}

#[test]
fn force_color_and_clicolor_force_are_honoured_and_no_color_wins() {
    assert!(!coloured(&[], &[]), "no colour into a pipe");
    assert!(coloured(&[("FORCE_COLOR", "1")], &[]));
    assert!(coloured(&[("CLICOLOR_FORCE", "1")], &[]));
    assert!(!coloured(&[("CLICOLOR_FORCE", "0")], &[]));
    assert!(!coloured(&[("FORCE_COLOR", "")], &[]));
    assert!(!coloured(&[("NO_COLOR", "1"), ("FORCE_COLOR", "1")], &[]));
    assert!(!coloured(
        &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")],
        &[]
    ));
    assert!(!coloured(&[("FORCE_COLOR", "1")], &["--color", "never"]));
    assert!(coloured(&[("NO_COLOR", "1")], &["--color", "always"]));
}

/// Runs loopfix with its standard output closed before it writes (a reader that went away, as
/// `| head -1` leaves it), and returns how it ended.
fn with_closed_stdout(dir: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_loopfix"))
        .args(args)
        .current_dir(dir)
        .env_remove("LOOPFIX_OUTPUT_FORMAT")
        .env_remove("LOOPFIX_OUTPUT_FILE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn broken_pipes_end_the_run_quietly() {
    let dir = project(&[("app.py", SEED), ("loop.py", LOOP)]);
    for args in [
        &["rule", "--all"][..],
        &["rule", "LF"],
        &["rule", "LF001"],
        &["completions", "bash"],
        &["check"],
        &["check", "--output-format", "json"],
        &["check", "--statistics"],
        &["fix", "--diff"],
    ] {
        let out = with_closed_stdout(dir.path(), args);
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{args:?}");
    }
    assert_eq!(fs::read_to_string(dir.path().join("app.py")).unwrap(), SEED);

    // As a shell runs it: the first line arrives, nothing on standard error.
    let loopfix = env!("CARGO_BIN_EXE_loopfix");
    for pipeline in [
        format!("'{loopfix}' rule --all | head -1"),
        format!("'{loopfix}' check | head -1"),
        format!("'{loopfix}' completions bash | true"),
    ] {
        let out = Command::new("sh")
            .args(["-c", &pipeline])
            .current_dir(dir.path())
            .env_remove("LOOPFIX_OUTPUT_FORMAT")
            .output()
            .unwrap();
        assert!(out.status.success(), "{pipeline}");
        assert_eq!(stderr(&out), "", "{pipeline}");
        assert!(stdout(&out).lines().count() <= 1, "{pipeline}");
    }
}

/// Runs loopfix in `dir` with `input` on standard input.
fn with_stdin(dir: &Path, args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_loopfix"))
        .args(args)
        .current_dir(dir)
        .env_remove("LOOPFIX_OUTPUT_FORMAT")
        .env_remove("LOOPFIX_OUTPUT_FILE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// A project whose files on disk all have fixable findings, excluding `generated/` and
/// `legacy_*.py` by configuration.
fn editor_project() -> tempfile::TempDir {
    project(&[
        (
            "pyproject.toml",
            "[tool.loopfix]\nextend-exclude = [\"generated\", \"legacy_*.py\"]\n",
        ),
        ("app.py", SEED),
        ("other.py", LOOP),
        ("generated/app.py", SEED),
    ])
}

/// Every file of the editor project, as it was written.
fn assert_disk_untouched(dir: &Path) {
    assert_eq!(fs::read_to_string(dir.join("app.py")).unwrap(), SEED);
    assert_eq!(fs::read_to_string(dir.join("other.py")).unwrap(), LOOP);
    assert_eq!(
        fs::read_to_string(dir.join("generated/app.py")).unwrap(),
        SEED
    );
}

#[test]
fn stdin_filename_alone_reads_standard_input() {
    let dir = editor_project();
    let out = with_stdin(
        dir.path(),
        &[
            "check",
            "--stdin-filename",
            "api/app.py",
            "--output-format",
            "concise",
        ],
        SEED,
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("api/app.py:8:8: LF001"), "{text}");
    assert!(
        !text.contains("other.py"),
        "files on disk are not checked: {text}"
    );

    // `fix` prints the fixed input and writes no file: not the one named, not the project's.
    let out = with_stdin(dir.path(), &["fix", "--stdin-filename", "app.py"], SEED);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("async def load_data() -> None:"),
        "{}",
        stdout(&out)
    );
    assert!(!stdout(&out).contains("--- "), "the source, not a diff");
    assert_disk_untouched(dir.path());

    let out = with_stdin(
        dir.path(),
        &["fix", "--diff", "--stdin-filename", "app.py"],
        SEED,
    );
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).starts_with("--- a/app.py\n+++ b/app.py\n"),
        "{}",
        stdout(&out)
    );
    assert_disk_untouched(dir.path());

    // Paths beside it are ignored with a warning, as ruff does.
    let out = with_stdin(
        dir.path(),
        &["fix", "other.py", "--stdin-filename", "app.py"],
        SEED,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("async def load_data()"),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out)
            .contains("warning: ignoring other.py: `--stdin-filename` reads standard input"),
        "{}",
        stderr(&out)
    );
    assert_disk_untouched(dir.path());

    let out = with_stdin(
        dir.path(),
        &["fix", "-i", "--stdin-filename", "app.py"],
        SEED,
    );
    assert_eq!(code(&out), 2);
    assert_disk_untouched(dir.path());
}

#[test]
fn force_exclude_applies_to_the_stdin_filename() {
    let dir = editor_project();
    for name in ["generated/app.py", "legacy_app.py", "generated/sub/app.py"] {
        let out = with_stdin(
            dir.path(),
            &[
                "check",
                "--force-exclude",
                "--stdin-filename",
                name,
                "--output-format",
                "json",
            ],
            SEED,
        );
        assert_eq!(code(&out), 0, "{name}: {}", stderr(&out));
        assert_eq!(stdout(&out).trim(), "[]", "{name}: nothing reported");

        let out = with_stdin(
            dir.path(),
            &["fix", "--force-exclude", "--stdin-filename", name, "-"],
            SEED,
        );
        assert_eq!(code(&out), 0, "{name}: {}", stderr(&out));
        assert_eq!(stdout(&out), SEED, "{name}: the input comes back unchanged");

        // Without `--force-exclude`, a name given is processed (as a file named on the
        // command line is).
        let out = with_stdin(dir.path(), &["check", "--stdin-filename", name], SEED);
        assert_eq!(code(&out), 1, "{name}");
    }
    // A name that is not excluded is processed under `--force-exclude` too.
    let out = with_stdin(
        dir.path(),
        &["fix", "--force-exclude", "--stdin-filename", "src/app.py"],
        SEED,
    );
    assert!(
        stdout(&out).contains("async def load_data()"),
        "{}",
        stdout(&out)
    );

    // `force-exclude = true` in the configuration does the same.
    fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.loopfix]\nextend-exclude = [\"generated\"]\nforce-exclude = true\n",
    )
    .unwrap();
    let out = with_stdin(
        dir.path(),
        &["fix", "--stdin-filename", "generated/app.py"],
        SEED,
    );
    assert_eq!(stdout(&out), SEED, "{}", stderr(&out));
    assert_disk_untouched(dir.path());
}

#[test]
fn interactive_refuses_an_output_file() {
    let dir = project(&[("app.py", SEED)]);
    let out = loopfix(dir.path(), &["fix", "-i", "-o", "report.txt"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--output-file"), "{}", stderr(&out));
    assert!(!dir.path().join("report.txt").exists());
    assert_eq!(fs::read_to_string(dir.path().join("app.py")).unwrap(), SEED);
}

/// A file with more fixes than the full format previews: the first ones show their diff, the
/// rest say where to see theirs, and every finding is still listed.
#[test]
fn full_output_previews_a_bounded_number_of_fixes_per_file() {
    let count = 70;
    let mut text = String::from(
        "import asyncio\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\nasync def f(i):\n    return i\n\n\n",
    );
    for i in 0..count {
        text.push_str(&format!("X{i} = asyncio.run(f({i}))\n"));
    }
    let names: Vec<String> = (0..count).map(|i| format!("X{i}")).collect();
    text.push_str(&format!(
        "\n\n@app.get(\"/\")\nasync def root():\n    return [{}]\n",
        names.join(", ")
    ));
    let dir = project(&[("many.py", &text)]);
    let output = loopfix(dir.path(), &["check", "--output-format", "full", "many.py"]);
    let out = stdout(&output);
    assert_eq!(code(&output), 1, "{out}{}", stderr(&output));
    assert_eq!(out.matches(": LF001 ").count(), count, "{out}");
    let skipped = out
        .matches("(diff not shown: the file has more than 64 fixes;")
        .count();
    let shown = out.matches("+++ b/many.py").count();
    assert_eq!(shown + skipped, count, "{out}");
    assert_eq!(shown, 64, "{out}");
}
