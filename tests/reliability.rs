//! What the outputs promise about fixes and failures: the edits that JSON and SARIF give for a
//! fix, applied in order to the file, make exactly what `fix` writes (checked on every fixture);
//! a file that could not be written keeps its findings, with the error, in every format.

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use loopfix::analyze::{self, AnalysisOptions};
use loopfix::options::{FixOptions, PythonVersion, Strategy};
use loopfix::source::SourceFile;
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn loopfix() -> Command {
    Command::new(env!("CARGO_BIN_EXE_loopfix"))
}

/// Every `.py` file under `dir`, sorted.
fn python_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "py") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The command-line flags a fixture's first line asks for (`# fixture: strategy=init ...`),
/// with `--unsafe-fixes` always: one run covers the safe and the unsafe fixes.
fn fixture_flags(code: &[u8]) -> Vec<String> {
    // (A CR-only fixture's first line ends at its first CR.)
    let first_line = code
        .split(|&b| b == b'\n' || b == b'\r')
        .next()
        .unwrap_or_default();
    let first_line = String::from_utf8_lossy(first_line);
    let mut flags = vec!["--unsafe-fixes".to_owned()];
    if let Some(rest) = first_line.trim().strip_prefix("# fixture:") {
        for option in rest.split_whitespace() {
            if let Some((key, value)) = option.split_once('=') {
                flags.push(format!("--{key}"));
                flags.push(value.to_owned());
            }
        }
    }
    flags
}

/// Runs loopfix with `stdin` on standard input.
fn run_with_input(mut command: Command, stdin: &[u8]) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

/// What `fix` writes for `path`: the fixed file, through standard input with its settings.
fn fixed_bytes(path: &Path, flags: &[String]) -> Vec<u8> {
    let mut command = loopfix();
    command
        .arg("fix")
        .args(flags)
        .arg("--stdin-filename")
        .arg(path)
        .arg("-");
    let out = run_with_input(command, &fs::read(path).unwrap());
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The diagnostics `check` reports for `path` in a machine-readable format.
fn check_output(path: &Path, flags: &[String], format: &str) -> Value {
    let out = loopfix()
        .arg("check")
        .args(flags)
        .args(["--output-format", format])
        .arg(path)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: {e}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// A fix as a machine-readable format gives it: the finding's code, message and start, and the
/// edits.
#[derive(Debug, Clone, PartialEq, Eq)]
struct GivenFix {
    code: String,
    message: String,
    at: (usize, usize),
    edits: Vec<RowColEdit>,
}

/// A fix's edit: start and end as 1-based row and column, and the new text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RowColEdit {
    start: (usize, usize),
    end: (usize, usize),
    content: String,
}

/// The byte offset of a 1-based row and column in `code`, where a column counts characters
/// when the line is UTF-8 (bytes otherwise), as loopfix counts them.
fn offset_of(code: &[u8], (row, column): (usize, usize)) -> usize {
    let mut start = 0;
    for _ in 1..row {
        match memchr(code, start) {
            Some(newline) => start = newline + 1,
            None => return code.len(),
        }
    }
    let end = memchr(code, start).map_or(code.len(), |n| n + 1);
    let line = &code[start..end];
    let within = match std::str::from_utf8(line) {
        Ok(text) => text
            .char_indices()
            .nth(column - 1)
            .map_or(line.len(), |(i, _)| i),
        Err(_) => column - 1,
    };
    start + within
}

fn memchr(code: &[u8], from: usize) -> Option<usize> {
    code[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map(|i| from + i)
}

/// Applies edits given in the original's coordinates, in order, as an editor does.
fn apply(code: &[u8], edits: &[RowColEdit], encode: impl Fn(&str) -> Vec<u8>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut at = 0;
    for edit in edits {
        let (start, end) = (offset_of(code, edit.start), offset_of(code, edit.end));
        assert!(start >= at, "edits out of order or overlapping: {edits:?}");
        out.extend_from_slice(&code[at..start]);
        out.extend_from_slice(&encode(&edit.content));
        at = end;
    }
    out.extend_from_slice(&code[at..]);
    out
}

fn row_col(value: &Value, row: &str, column: &str) -> (usize, usize) {
    let number = |key: &str| value[key].as_u64().unwrap() as usize;
    (number(row), number(column))
}

/// The fix of each finding of the JSON output.
fn json_fixes(findings: &Value) -> Vec<GivenFix> {
    let mut fixes = Vec::new();
    for finding in findings.as_array().unwrap() {
        let Some(edits) = finding["fix"]["edits"].as_array() else {
            continue;
        };
        let edits: Vec<RowColEdit> = edits
            .iter()
            .map(|e| RowColEdit {
                start: row_col(&e["location"], "row", "column"),
                end: row_col(&e["end_location"], "row", "column"),
                content: e["content"].as_str().unwrap().to_owned(),
            })
            .collect();
        fixes.push(GivenFix {
            code: finding["code"].as_str().unwrap().to_owned(),
            message: finding["message"].as_str().unwrap().to_owned(),
            at: row_col(&finding["location"], "row", "column"),
            edits,
        });
    }
    fixes
}

/// The fix of each result of the SARIF output.
fn sarif_fixes(log: &Value) -> Vec<GivenFix> {
    let mut fixes = Vec::new();
    for result in log["runs"][0]["results"].as_array().unwrap() {
        let Some(replacements) =
            result["fixes"][0]["artifactChanges"][0]["replacements"].as_array()
        else {
            continue;
        };
        let edits: Vec<RowColEdit> = replacements
            .iter()
            .map(|r| {
                let region = &r["deletedRegion"];
                RowColEdit {
                    start: row_col(region, "startLine", "startColumn"),
                    end: row_col(region, "endLine", "endColumn"),
                    content: r["insertedContent"]["text"].as_str().unwrap().to_owned(),
                }
            })
            .collect();
        let region = &result["locations"][0]["physicalLocation"]["region"];
        fixes.push(GivenFix {
            code: result["ruleId"].as_str().unwrap().to_owned(),
            message: result["message"]["text"].as_str().unwrap().to_owned(),
            at: row_col(region, "startLine", "startColumn"),
            edits,
        });
    }
    fixes
}

/// The analysis options a fixture's first line asks for, as `fixture_flags` gives them to the
/// command line.
fn fixture_options(code: &[u8]) -> AnalysisOptions {
    let first_line = code.split(|&b| b == b'\n').next().unwrap_or_default();
    let first_line = String::from_utf8_lossy(first_line);
    let mut fix = FixOptions::default();
    if let Some(rest) = first_line.trim().strip_prefix("# fixture:") {
        for option in rest.split_whitespace() {
            match option.split_once('=') {
                Some(("strategy", value)) => fix.strategy = value.parse::<Strategy>().unwrap(),
                Some(("target-version", value)) => {
                    fix.target = value.parse::<PythonVersion>().unwrap();
                }
                _ => {}
            }
        }
    }
    AnalysisOptions {
        fix: fix.into(),
        ..AnalysisOptions::default()
    }
}

/// What `fix` makes of `source` with the fix of the finding `given` names alone applied: the
/// editor's quick fix for it, which runs the one fix loop of `fix`.
fn fixed_alone(source: &SourceFile, options: &AnalysisOptions, given: &GivenFix) -> Vec<u8> {
    let findings = analyze::analyze(source, options).unwrap();
    let finding = findings
        .iter()
        .find(|f| {
            f.rule.code() == given.code && f.message == given.message && {
                let at = source.location(f.range.start);
                (at.row, at.column) == given.at
            }
        })
        .unwrap_or_else(|| panic!("no finding like {given:?}"));
    let fix = finding.fix.as_ref().unwrap();
    let fixed = analyze::fix_chosen(source, options, &[fix.id()]).unwrap();
    source.to_file_bytes(&fixed.code)
}

#[test]
fn json_and_sarif_edits_applied_give_what_fix_writes_for_every_fixture() {
    let mut failures = Vec::new();
    let (mut files_with_fixes, mut compared) = (0, 0);
    for path in python_files(Path::new(FIXTURES)) {
        let original = fs::read(&path).unwrap();
        let flags = fixture_flags(&original);
        let options = fixture_options(&original);
        let source = SourceFile::new(original.clone()).unwrap();
        // Edits apply to the file's text (decoded from a declared single-byte encoding), which
        // `to_file_bytes` encodes back.
        let encode = |text: &str| text.as_bytes().to_vec();
        let json = json_fixes(&check_output(&path, &flags, "json"));
        let sarif = sarif_fixes(&check_output(&path, &flags, "sarif"));
        files_with_fixes += usize::from(!json.is_empty());
        // A file with one fix: what one `fix` run writes.
        let one_run = {
            let mut distinct: Vec<&Vec<RowColEdit>> = json.iter().map(|f| &f.edits).collect();
            distinct.dedup();
            (distinct.len() == 1).then(|| fixed_bytes(&path, &flags))
        };
        let mut alone_of: Vec<(GivenFix, Vec<u8>)> = Vec::new();
        for (format, fixes) in [("json", &json), ("sarif", &sarif)] {
            for given in fixes {
                let applied = source.to_file_bytes(&apply(source.code(), &given.edits, encode));
                let known = alone_of
                    .iter()
                    .find(|(g, _)| g == given)
                    .map(|(_, a)| a.clone());
                let alone = known.unwrap_or_else(|| fixed_alone(&source, &options, given));
                alone_of.push((given.clone(), alone.clone()));
                for (what, expected) in [("fix alone", Some(&alone)), ("fix", one_run.as_ref())] {
                    let Some(expected) = expected else { continue };
                    compared += 1;
                    if applied != *expected {
                        failures.push(format!(
                            "{} ({format}, {} at {:?}, against {what}):\n--- edits applied\n{}\n--- {what}\n{}",
                            path.display(),
                            given.code,
                            given.at,
                            String::from_utf8_lossy(&applied),
                            String::from_utf8_lossy(expected)
                        ));
                    }
                }
            }
        }
    }
    assert!(
        files_with_fixes > 50,
        "only {files_with_fixes} fixtures have fixes"
    );
    assert!(compared > 200, "only {compared} comparisons");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

const SEED: &str = "import asyncio\n\n\nasync def fetch():\n    return 1\n\n\nDATA = asyncio.run(fetch())\n\n\nasync def handler():\n    return DATA\n";

/// The uid and gid of `nobody`, whom the test runs as when it runs as root (root may write
/// any file).
const NOBODY: u32 = 65534;

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// A folder with `locked.py`, which the user running loopfix may not write, and `good.py`;
/// and the command that runs loopfix there (as `nobody` when the test runs as root, with a
/// copy of the binary that `nobody` can reach).
fn unwritable_project() -> (tempfile::TempDir, Command) {
    let dir = tempfile::tempdir().unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let work = dir.path().join("work");
    fs::create_dir(&work).unwrap();
    fs::write(work.join("good.py"), SEED).unwrap();
    fs::write(work.join("locked.py"), SEED).unwrap();
    let locked = work.join("locked.py");
    let mut command = if is_root() {
        let binary = dir.path().join("loopfix");
        fs::copy(env!("CARGO_BIN_EXE_loopfix"), &binary).unwrap();
        fs::set_permissions(&binary, fs::Permissions::from_mode(0o755)).unwrap();
        for path in [&work, &work.join("good.py")] {
            std::os::unix::fs::chown(path, Some(NOBODY), Some(NOBODY)).unwrap();
        }
        let mut command = Command::new(binary);
        command.uid(NOBODY).gid(NOBODY);
        command
    } else {
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o444)).unwrap();
        loopfix()
    };
    command.current_dir(&work);
    (dir, command)
}

/// Runs `command` (made by `unwritable_project`), trying again while a copy of the binary is
/// still open for writing in a child another test forked meanwhile.
fn run_retrying_busy(command: &mut Command) -> Output {
    for _ in 0..50 {
        match command.output() {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other.unwrap(),
        }
    }
    command.output().unwrap()
}

#[test]
fn a_failed_write_keeps_the_findings_with_the_error_in_every_format() {
    for format in ["full", "concise", "json", "sarif", "github"] {
        let (dir, mut command) = unwritable_project();
        let out = run_retrying_busy(command.args(["fix", "--output-format", format, "."]));
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{format}: {stdout}{stderr}");
        let reason = "cannot write: this user may not write the file";
        let together = "not written: locked.py could not be written";
        for file in ["locked.py", "good.py"] {
            let written = fs::read_to_string(dir.path().join("work").join(file)).unwrap();
            assert_eq!(written, SEED, "{format}: {file} changed");
        }
        assert!(!stdout.contains("No findings"), "{format}: {stdout}");
        assert!(!stderr.contains("Fixed"), "{format}: {stderr}");
        // No diff is shown as if it had been applied.
        let diff_header = |text: &str| text.lines().any(|l| l.starts_with("+++ b/"));
        assert!(
            !diff_header(&stdout) && !diff_header(&stderr),
            "{format}: {stdout}{stderr}"
        );
        match format {
            "json" => {
                let items: Value = serde_json::from_str(&stdout).unwrap();
                let items = items.as_array().unwrap();
                let messages: Vec<&str> = items
                    .iter()
                    .map(|i| i["message"].as_str().unwrap())
                    .collect();
                assert!(
                    messages.iter().any(|m| m.starts_with(reason)),
                    "{messages:?}"
                );
                assert!(
                    messages.iter().any(|m| m.starts_with(together)),
                    "{messages:?}"
                );
                let findings: Vec<&Value> = items.iter().filter(|i| i["code"] == "LF001").collect();
                assert_eq!(findings.len(), 2, "{stdout}");
                assert!(
                    findings
                        .iter()
                        .all(|f| f["fix"]["edits"].as_array().is_some_and(|e| !e.is_empty()))
                );
            }
            "sarif" => {
                let log: Value = serde_json::from_str(&stdout).unwrap();
                let results = log["runs"][0]["results"].as_array().unwrap();
                let errors = results.iter().filter(|r| r["ruleId"].is_null()).count();
                let findings = results.iter().filter(|r| r["ruleId"] == "LF001").count();
                assert_eq!((errors, findings), (2, 2), "{stdout}");
            }
            _ => {
                assert!(
                    stdout.contains(reason) && stdout.contains(together),
                    "{format}: {stdout}"
                );
                assert!(stdout.matches("LF001").count() >= 2, "{format}: {stdout}");
                if format != "github" {
                    assert!(
                        stdout.contains("Found 2 findings remaining and 2 errors in 2 files."),
                        "{format}: {stdout}"
                    );
                }
            }
        }
    }
}

/// `code` with every line ending `\r\n` (a file with CRLF endings already stays as it is).
fn to_crlf(code: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(code.len() + code.len() / 16);
    let mut previous = 0u8;
    for &byte in code {
        if byte == b'\n' && previous != b'\r' {
            out.push(b'\r');
        }
        out.push(byte);
        previous = byte;
    }
    out
}

/// What `fix` writes for `bytes` as the file at `path`.
fn fix_bytes(path: &Path, bytes: &[u8], flags: &[String]) -> Vec<u8> {
    let mut command = loopfix();
    command
        .arg("fix")
        .args(flags)
        .arg("--stdin-filename")
        .arg(path)
        .arg("-");
    let out = run_with_input(command, bytes);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The 1-based lines of `code` that end in a lone `\n` or in `\r\r\n`.
fn foreign_line_endings(code: &[u8]) -> Vec<usize> {
    let mut lines = Vec::new();
    for (i, line) in code.split_inclusive(|&b| b == b'\n').enumerate() {
        let ends_crlf = line.ends_with(b"\r\n") && !line.ends_with(b"\r\r\n");
        if line.ends_with(b"\n") && !ends_crlf {
            lines.push(i + 1);
        }
    }
    lines
}

#[test]
fn every_fixture_in_crlf_is_fixed_as_in_lf_with_crlf_endings() {
    let mut failures = Vec::new();
    let mut changed = 0;
    for path in python_files(Path::new(FIXTURES)) {
        let original = fs::read(&path).unwrap();
        let flags = fixture_flags(&original);
        let lf: Vec<u8> = original.clone();
        let crlf = to_crlf(&lf);
        if crlf == lf || lf.windows(2).any(|w| w == b"\r\n") {
            continue;
        }
        let fixed_lf = fix_bytes(&path, &lf, &flags);
        let fixed_crlf = fix_bytes(&path, &crlf, &flags);
        changed += usize::from(fixed_lf != lf);
        let foreign = foreign_line_endings(&fixed_crlf);
        if !foreign.is_empty() {
            failures.push(format!(
                "{}: lines {foreign:?} do not end in CRLF",
                path.display()
            ));
        } else if fixed_crlf != to_crlf(&fixed_lf) {
            failures.push(format!(
                "{}: the CRLF fix is not the LF fix with CRLF endings:\n{}",
                path.display(),
                String::from_utf8_lossy(&fixed_crlf)
            ));
        }
    }
    assert!(changed > 50, "only {changed} fixtures changed");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every fixture written with CR-only line ends (classic Mac OS) is fixed as its LF version,
/// with each LF a CR: CR-only files are read with LF line ends and written back with CRs.
#[test]
fn every_fixture_in_cr_only_is_fixed_as_in_lf_with_cr_endings() {
    let mut failures = Vec::new();
    let mut changed = 0;
    for path in python_files(Path::new(FIXTURES)) {
        let lf = fs::read(&path).unwrap();
        if lf.contains(&b'\r') || !lf.contains(&b'\n') {
            continue;
        }
        let flags = fixture_flags(&lf);
        let to_cr = |bytes: &[u8]| -> Vec<u8> {
            let text = bytes.iter().map(|&b| if b == b'\n' { b'\r' } else { b });
            text.collect()
        };
        let fixed_lf = fix_bytes(&path, &lf, &flags);
        let fixed_cr = fix_bytes(&path, &to_cr(&lf), &flags);
        changed += usize::from(fixed_lf != lf);
        if fixed_cr != to_cr(&fixed_lf) {
            failures.push(format!(
                "{}: the CR-only fix is not the LF fix with CR endings:\n{}",
                path.display(),
                String::from_utf8_lossy(&fixed_cr).replace('\r', "\n")
            ));
        }
    }
    assert!(changed > 50, "only {changed} fixtures changed");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Marks of Rust's debug output and of serde's vocabulary, which no message may show.
const NOT_USER_TERMS: &[&str] = &[
    "Some(",
    "None)",
    "Error {",
    "Err(",
    "Ok(",
    "::",
    "sequence",
    "unknown field",
];

#[test]
fn messages_speak_the_users_terms() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(
        root.join("mac.py"),
        "import asyncio\rX = asyncio.run(f())\r",
    )
    .unwrap();
    fs::write(root.join("bin.py"), b"import asyncio\0\n").unwrap();
    fs::write(root.join("broken.py"), "import asyncio\nX = asyncio.run(\n").unwrap();
    fs::write(root.join("latin.py"), b"import asyncio\nX = '\xe9'\n").unwrap();
    fs::write(root.join("good.py"), SEED).unwrap();
    let configs = [
        "select = \"LF001\"\n",
        "per-file-ignores = [\"x\"]\n",
        "unsafe-fixes = \"yes\"\n",
        "bogus = 1\n",
        "strategy = \"fast\"\n",
        "target-version = \"py2\"\n",
        "init-name = \"open\"\n",
        "loader-name = \"__{name}__\"\n",
        "flag-name = \"class\"\n",
        "init-flag-name = \"1x\"\n",
    ];
    let mut outputs = Vec::new();
    for config in configs {
        fs::write(root.join("loopfix.toml"), config).unwrap();
        let out = loopfix()
            .args(["check", "good.py"])
            .current_dir(root)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{config}");
        outputs.push((
            config.to_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ));
    }
    fs::remove_file(root.join("loopfix.toml")).unwrap();
    for format in ["full", "concise", "json"] {
        let out = loopfix()
            .args(["fix", "--output-format", format, ".", "missing.py"])
            .current_dir(root)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{format}");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        outputs.push((format!("bad files, {format}"), text));
    }
    for (what, text) in &outputs {
        for mark in NOT_USER_TERMS {
            assert!(!text.contains(mark), "{what}: `{mark}` in:\n{text}");
        }
    }
    let named = |key: &str, problem: &str| {
        outputs
            .iter()
            .any(|(_, text)| text.contains(&format!("`{key}`: ")) && text.contains(problem))
    };
    assert!(named("init-name", "`open` would shadow a Python builtin"));
    assert!(named("loader-name", "`__{name}__` is a dunder name"));
    assert!(named("flag-name", "`class` is a Python keyword"));
    assert!(named(
        "init-flag-name",
        "`1x` does not make a Python identifier"
    ));
}

/// The `.loopfix-` temporaries directly in `dir`.
fn temporaries(dir: &Path) -> usize {
    fs::read_dir(dir).map_or(0, |entries| {
        entries
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with(".loopfix-"))
            .count()
    })
}

#[test]
fn a_folder_that_vanishes_before_the_write_is_an_error_with_the_kept_files_findings() {
    if !cfg!(debug_assertions) {
        eprintln!("skipped: the pause this test needs exists in debug builds only");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (kept, gone) = (dir.path().join("kept"), dir.path().join("gone"));
    for folder in [&kept, &gone] {
        fs::create_dir(folder).unwrap();
        fs::write(folder.join("m.py"), SEED).unwrap();
    }
    let child = loopfix()
        .args(["fix", "--output-format", "json", "kept/m.py", "gone/m.py"])
        .current_dir(dir.path())
        .env("LOOPFIX_TEST_PAUSE_BEFORE_COMMIT", "2")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while temporaries(&gone) == 0 {
        assert!(start.elapsed().as_secs() < 30, "no temporaries appeared");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    fs::remove_dir_all(&gone).unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert_eq!(fs::read_to_string(kept.join("m.py")).unwrap(), SEED);
    assert_eq!(temporaries(&kept), 0);
    let items: Value = serde_json::from_str(&stdout).unwrap();
    let items = items.as_array().unwrap();
    let of = |file: &str| -> Vec<&Value> {
        items
            .iter()
            .filter(|i| i["filename"].as_str().unwrap().ends_with(file))
            .collect()
    };
    for file in ["kept/m.py", "gone/m.py"] {
        let diagnostics = of(file);
        assert!(
            diagnostics.iter().any(|d| d["code"].is_null()),
            "{file}: an error expected: {stdout}"
        );
    }
    // The file that stays keeps its finding; the one that is gone has no bytes to report on
    // (loopfix holds what turns a file into its fix, not the file).
    assert!(
        of("kept/m.py").iter().any(|d| d["code"] == "LF001"),
        "its finding expected: {stdout}"
    );
    assert!(
        !of("gone/m.py").iter().any(|d| d["code"] == "LF001"),
        "{stdout}"
    );
    assert!(stderr.contains("gone/m.py: cannot write"), "{stderr}");
    assert!(
        stderr.contains("kept/m.py: not written: gone/m.py could not be written"),
        "{stderr}"
    );
}
