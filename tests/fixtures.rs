//! Fixture tests: one small Python file per shape under `tests/fixtures/`, with its findings and
//! its fix diff snapshotted side by side under `snapshots/`, and invariants asserted on each:
//! marked lines fire and `# OK` lines do not, the fix converges, the output re-parses and
//! compiles under CPython, a second fix changes nothing, newline style and indentation are kept.
//!
//! Markers: a trailing `# LF001` (several: `# LF001 LF002`) says a finding with that code starts
//! on the line; `# OK` says no finding may start there. A first-line comment
//! `# fixture: strategy=init target-version=py310 unsafe-fixes` sets options.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use loopfix::analyze::{self, AnalysisOptions};
use loopfix::diagnostic::Applicability;
use loopfix::options::{FixOptions, PythonVersion, Strategy};
use loopfix::source::SourceFile;

struct FixtureOptions {
    analysis: AnalysisOptions,
    threshold: Applicability,
}

fn fixture_options(code: &[u8]) -> FixtureOptions {
    let first_line = code.split(|&b| b == b'\n').next().unwrap_or_default();
    let first_line = String::from_utf8_lossy(first_line);
    let mut fix = FixOptions::default();
    let mut threshold = Applicability::Safe;
    if let Some(rest) = first_line.trim().strip_prefix("# fixture:") {
        for option in rest.split_whitespace() {
            match option.split_once('=') {
                Some(("strategy", value)) => fix.strategy = value.parse::<Strategy>().unwrap(),
                Some(("target-version", value)) => {
                    fix.target = value.parse::<PythonVersion>().unwrap();
                }
                None if option == "unsafe-fixes" => threshold = Applicability::Unsafe,
                _ => panic!("unknown fixture option {option}"),
            }
        }
    }
    FixtureOptions {
        analysis: AnalysisOptions {
            fix: fix.into(),
            ..AnalysisOptions::default()
        },
        threshold,
    }
}

/// `(line, code)` pairs the fixture's markers expect, and the lines marked `# OK`.
fn markers(code: &[u8]) -> (BTreeSet<(usize, String)>, BTreeSet<usize>) {
    let mut expected = BTreeSet::new();
    let mut ok = BTreeSet::new();
    for (i, line) in String::from_utf8_lossy(code).lines().enumerate() {
        let Some(pos) = line.rfind('#') else { continue };
        let comment = line[pos + 1..].trim();
        if comment == "OK" {
            ok.insert(i + 1);
            continue;
        }
        let codes: Vec<&str> = comment.split_whitespace().collect();
        if !codes.is_empty() && codes.iter().all(|c| is_code(c)) {
            for c in codes {
                expected.insert((i + 1, c.to_owned()));
            }
        }
    }
    (expected, ok)
}

fn is_code(text: &str) -> bool {
    text.len() == 5 && text.starts_with("LF") && text[2..].chars().all(|c| c.is_ascii_digit())
}

#[test]
fn fixtures() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let compile_dir = tempfile::tempdir().unwrap();
    let mut failures: Vec<String> = Vec::new();
    let mut to_compile: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
    settings.bind(|| {
        insta::glob!("fixtures/**/*.py", |path| {
            let rewritten = match std::panic::catch_unwind(|| check_fixture(path)) {
                Ok(rewritten) => rewritten,
                Err(panic) => {
                    let message = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                        .unwrap_or_default();
                    failures.push(message);
                    return;
                }
            };
            let name = path
                .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .unwrap_or(path)
                .to_string_lossy()
                .replace(['/', '\\'], "__");
            let original = compile_dir.path().join(format!("in__{name}"));
            std::fs::write(&original, std::fs::read(path).unwrap()).unwrap();
            let out = rewritten.map(|rewritten| {
                let out = compile_dir.path().join(format!("out__{name}"));
                std::fs::write(&out, rewritten).unwrap();
                out
            });
            to_compile.push((original, out));
        });
    });
    assert!(
        failures.is_empty(),
        "fixture failures:\n\n{}",
        failures.join("\n\n")
    );
    compile_with_cpython(&to_compile);
}

/// Checks one fixture and snapshots it; returns the rewritten file when the fix changed it.
fn check_fixture(path: &Path) -> Option<Vec<u8>> {
    let raw = std::fs::read(path).unwrap();
    let source = SourceFile::new(raw.clone()).expect("fixtures are valid source files");
    let options = fixture_options(source.code());
    let findings = analyze::analyze(&source, &options.analysis).expect("fixtures parse");

    let (expected, ok_lines) = markers(source.code());
    let found: BTreeSet<(usize, String)> = findings
        .iter()
        .map(|f| (source.location(f.range.start).row, f.rule.code().to_owned()))
        .collect();
    assert_eq!(
        found,
        expected,
        "{}: findings (left) differ from the markers (right)",
        path.display()
    );
    for (line, code) in &found {
        assert!(
            !ok_lines.contains(line),
            "{}:{line}: {code} on an `# OK` line",
            path.display()
        );
    }

    let fixed = analyze::fix_all(&source, &options.analysis, options.threshold)
        .expect("fixing a fixture works");
    assert!(
        fixed.refused.is_empty(),
        "{}: refused fixes {:?}",
        path.display(),
        fixed.refused
    );
    let output = source.to_file_bytes(&fixed.code);
    let after = SourceFile::new(output.clone()).expect("the output is a valid source file");
    assert!(
        loopfix::syntax::parse::parses_cleanly(after.parse_text()),
        "{}: the output does not parse",
        path.display()
    );
    assert!(
        fixed
            .remaining
            .iter()
            .all(|f| !f.is_fixable(options.threshold)),
        "{}: a fixable finding is left after fix",
        path.display()
    );
    let again = analyze::fix_all(&after, &options.analysis, options.threshold).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&again.code),
        String::from_utf8_lossy(after.code()),
        "{}: a second fix changed the output",
        path.display()
    );
    assert_style_kept(path, &source, &after);
    assert_eq!(
        output.starts_with(b"\xEF\xBB\xBF"),
        raw.starts_with(b"\xEF\xBB\xBF")
    );

    let snapshot = render_snapshot(path, &source, &findings, &output, &raw);
    insta::assert_snapshot!(snapshot);
    (output != raw).then_some(output)
}

fn assert_style_kept(path: &Path, before: &SourceFile, after: &SourceFile) {
    let code = after.code();
    if before.newline() == loopfix::source::Newline::CrLf {
        let bare_lf = code
            .iter()
            .enumerate()
            .any(|(i, &b)| b == b'\n' && (i == 0 || code[i - 1] != b'\r'));
        assert!(!bare_lf, "{}: a bare LF in a CRLF file", path.display());
    }
    if before.indent_unit() == b"\t" {
        let spaced = String::from_utf8_lossy(code)
            .lines()
            .any(|l| l.starts_with("    ") && !l.trim().is_empty());
        assert!(
            !spaced,
            "{}: space indentation added to a tab-indented file",
            path.display()
        );
    }
    let ends_with_newline = |c: &[u8]| c.ends_with(b"\n") || c.ends_with(b"\r");
    assert_eq!(
        ends_with_newline(before.code()),
        ends_with_newline(code),
        "{}: the final newline changed",
        path.display()
    );
}

fn render_snapshot(
    path: &Path,
    source: &SourceFile,
    findings: &[loopfix::diagnostic::Finding],
    output: &[u8],
    raw: &[u8],
) -> String {
    let name = path.file_name().unwrap().to_string_lossy();
    let mut text = String::from("Findings:\n");
    if findings.is_empty() {
        text.push_str("  (none)\n");
    }
    for finding in findings {
        let location = source.location(finding.range.start);
        let fix = match &finding.fix {
            Some(fix) => format!(" [fix, {}: {}]", fix.applicability().as_str(), fix.title()),
            None => String::new(),
        };
        text.push_str(&format!(
            "  {}:{}: {} {}{}\n",
            location.row,
            location.column,
            finding.rule.code(),
            finding.message,
            fix
        ));
    }
    text.push_str("\nFix:\n");
    let diff = loopfix::diff::diff_bytes(&name, raw, output);
    if diff.is_empty() {
        text.push_str("  (no change)\n");
    } else {
        text.push_str(&String::from_utf8_lossy(&diff).replace('\r', "␍"));
    }
    text
}

/// Compiles every fixture and its output with the machine's CPython; with Python 3.8 (the
/// default target) too when it is installed, for the fixtures that 3.8 itself accepts.
fn compile_with_cpython(pairs: &[(PathBuf, Option<PathBuf>)]) {
    let script = r#"
import sys, py_compile
strict = sys.argv[1] == "strict"
args = sys.argv[2:]
failed = []
def ok(path):
    try:
        py_compile.compile(path, doraise=True)
        return True
    except py_compile.PyCompileError as e:
        failed.append(str(e))
        return False
for original, rewritten in zip(args[::2], args[1::2]):
    before = len(failed)
    if not ok(original):
        if not strict:
            del failed[before:]
            continue
    if rewritten != "-":
        ok(rewritten)
print("\n".join(failed))
sys.exit(1 if failed else 0)
"#;
    let args: Vec<String> = pairs
        .iter()
        .flat_map(|(original, rewritten)| {
            [
                original.to_string_lossy().into_owned(),
                rewritten
                    .as_ref()
                    .map_or_else(|| "-".to_owned(), |p| p.to_string_lossy().into_owned()),
            ]
        })
        .collect();
    for (python, strict) in [("python3", "strict"), ("python3.8", "lenient")] {
        let available = Command::new(python)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !available {
            assert_ne!(python, "python3", "python3 is needed for the fixture tests");
            continue;
        }
        let output = Command::new(python)
            .arg("-c")
            .arg(script)
            .arg(strict)
            .args(&args)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{python} rejects:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
