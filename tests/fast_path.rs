//! The lexical fast path never changes what loopfix reports: every fixture, the files under
//! `tests/fast_path/` (needles in strings, comments, function bodies and import-time code) and
//! the running CPython's standard library give the same findings with and without it (none at
//! all, on the standard library); and on generated modules (LF, CRLF and CR line breaks, `\`
//! continuations, tabs, form feeds) the fast path never reports fewer findings than the full
//! parse.

use std::path::{Path, PathBuf};
use std::process::Command;

use loopfix::analyze::{self, AnalysisOptions};
use loopfix::source::SourceFile;
use proptest::prelude::*;
use proptest::test_runner::Config;

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
    analyze::analyze(source, &options)
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
        // The runner's first look reads the file's own bytes (a CR-only file's lone CRs too).
        let asks_for_parse = loopfix::lexer::needs_parse(&bytes, false);
        let Ok(source) = SourceFile::new(bytes) else {
            continue;
        };
        let slow = findings(&source, true);
        if slow.as_ref().is_ok_and(|f| !f.is_empty()) {
            assert!(
                asks_for_parse,
                "{}: the first look skips a finding",
                path.display()
            );
        }
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
    // The standard library runs no loop at import time: no finding, with or without the fast
    // path (its `__main__.py` files and scripts included).
    assert_eq!(
        compare(&files),
        0,
        "files of the standard library with findings"
    );
}

/// One top-level piece of a generated module: `{n}` is the line break, `{i}` one indent unit.
fn piece() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(vec![
        "import asyncio{n}",
        "import asyncio as aio{n}",
        "from asyncio import run{n}",
        "from \\{n}    asyncio import get_event_loop, new_event_loop{n}",
        "X = asyncio \\{n}.run(main()){n}",
        "X = asyncio.run(\\{n}main()){n}",
        "Y = aio \\{n}    .run(main()){n}",
        "Z = run(main()){n}",
        "W = (asyncio{n}{i}.run(main())){n}",
        "L = get_event_loop(){n}",
        "loop = asyncio.new_event_loop() ;{n}",
        "asyncio.get_event_loop(){n}",
        "DATA = load(){n}",
        "def load():{n}{i}return asyncio.run(main()){n}",
        "def helper(x):{n}{i}y = x + \\{n}{i}{i}1{n}{i}return y{n}",
        "async def main():{n}{i}await asyncio.sleep(0){n}",
        "class C:{n}{i}V = asyncio.run(main()){n}",
        "if __name__ == '__main__':{n}{i}asyncio.run(main()){n}",
        "s = 'asyncio.run(x) \\{n}asyncio.run(y)'{n}",
        "t = '''{n}asyncio.run(x){n}'''{n}",
        "# asyncio.run(main()) \\{n}",
        "x = 1 + \\{n}2{n}",
        "\x0c{n}",
        "\x0cQ = asyncio.run(main()){n}",
        "{i}{n}",
        "{n}",
    ])
}

/// `(line, code, message)` of every finding; `None` when the module does not parse.
fn finding_set(source: &SourceFile, full_parse: bool) -> Option<Vec<(usize, String, String)>> {
    findings(source, full_parse).ok()
}

proptest! {
    #![proptest_config(Config { cases: 256, failure_persistence: None, ..Config::default() })]

    #[test]
    fn the_fast_path_never_reports_fewer_findings_than_the_full_parse(
        pieces in proptest::collection::vec(piece(), 1..10),
        newline in proptest::sample::select(vec!["\n", "\r\n", "\r"]),
        indent in proptest::sample::select(vec!["    ", "\t", "\x0c    ", "  \t"]),
    ) {
        let code = pieces.concat().replace("{i}", indent).replace("{n}", newline);
        let source = match SourceFile::new(code.clone().into_bytes()) {
            Ok(source) => source,
            Err(error) => panic!("{code:?}: {error}"),
        };
        let Some(slow) = finding_set(&source, true) else {
            return Ok(());
        };
        let fast = finding_set(&source, false).unwrap_or_default();
        prop_assert!(
            slow.is_empty() || loopfix::lexer::needs_parse(code.as_bytes(), false),
            "the first look skips {code:?}"
        );
        for finding in &slow {
            prop_assert!(fast.contains(finding), "the fast path misses {finding:?} in {code:?}");
        }
    }
}

#[test]
fn continuations_after_lf_crlf_and_cr_are_found() {
    // (A CR-only file is read with LF line ends, so a `\` before a lone CR continues its line
    // as CPython reads it.)
    for newline in ["\n", "\r\n", "\r"] {
        let code = format!(
            "import asyncio{newline}async def main():{newline}    pass{newline}X = asyncio \\{newline}.run(main()){newline}"
        );
        let source = SourceFile::new(code.clone().into_bytes()).unwrap();
        let slow = finding_set(&source, true).expect("the module parses");
        assert_eq!(slow.len(), 1, "{code:?}: {slow:?}");
        assert_eq!(finding_set(&source, false), Some(slow), "{code:?}");
    }
}
