//! The lexical fast path never changes what loopfix reports: every fixture, the files under
//! `tests/fast_path/` (needles in strings, comments, function bodies and import-time code) and
//! the running CPython's standard library give the same findings with and without it.

use std::path::{Path, PathBuf};
use std::process::Command;

use loopfix::check::{self, AnalysisOptions};
use loopfix::source::SourceFile;

fn python_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            python_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "py") {
            out.push(path);
        }
    }
}

/// `(line, code, message)` of every finding, or the error.
fn findings(source: &SourceFile, full_parse: bool) -> Result<Vec<(usize, String, String)>, String> {
    let options = AnalysisOptions {
        full_parse,
        ..AnalysisOptions::default()
    };
    check::analyze(source, &options)
        .map(|findings| {
            findings
                .iter()
                .map(|f| {
                    let location = source.location(f.range.start);
                    (location.row, f.rule.code().to_owned(), f.message.clone())
                })
                .collect()
        })
        .map_err(|e| e.to_string())
}

/// Compares both paths on each file; returns how many files held a finding.
fn compare(files: &[PathBuf]) -> usize {
    let mut with_findings = 0;
    for path in files {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let Ok(source) = SourceFile::new(bytes) else {
            continue;
        };
        let slow = findings(&source, true);
        let fast = findings(&source, false);
        match (&slow, &fast) {
            // A file the full parse rejects may be skipped by the fast path: it cannot hold
            // an import-time loop the lexer missed, since the lexer asks for the parse
            // whenever import-time code may run one.
            (Err(_), Ok(fast)) => assert!(fast.is_empty(), "{}", path.display()),
            _ => assert_eq!(
                slow,
                fast,
                "{}: the fast path changed the findings",
                path.display()
            ),
        }
        with_findings += usize::from(slow.is_ok_and(|f| !f.is_empty()));
    }
    with_findings
}

#[test]
fn fixtures_and_fast_path_cases_agree() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut files = Vec::new();
    for dir in ["fixtures", "fast_path", "projects", "e2e/apps"] {
        python_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 50);
    let with_findings = compare(&files);
    assert!(with_findings > 40, "{with_findings}");
}

#[test]
fn the_standard_library_agrees() {
    let output = Command::new("python3")
        .args([
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['stdlib'])",
        ])
        .output()
        .expect("python3 runs");
    let stdlib = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    let mut files = Vec::new();
    python_files(&stdlib, &mut files);
    files.retain(|p| !p.components().any(|c| c.as_os_str() == "site-packages"));
    assert!(
        files.len() > 500,
        "found the standard library at {}",
        stdlib.display()
    );
    compare(&files);
}
