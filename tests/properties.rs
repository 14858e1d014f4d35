//! Property tests: generated modules that combine the rules' shapes with random surrounding
//! code, comments, indentation and newline styles. For each, the fixed output re-parses, a second
//! fix changes nothing and leaves nothing fixable, no line outside the fixes' edits (and the
//! imports they tidy) changes, the newline style and BOM are kept, and CPython compiles it.
//! Arbitrary and mutated bytes never make loopfix panic.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;

mod common;

use common::generate::{Module, module};
use loopfix::analyze::{self, AnalysisOptions};
use loopfix::diagnostic::Applicability;
use loopfix::options::FixOptions;
use loopfix::source::SourceFile;
use proptest::prelude::*;
use proptest::test_runner::Config;

/// Every fixed output, compiled by CPython in one go after the properties ran.
static OUTPUTS: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());

/// Lines of `before` that a fix may change: those its edits touch, and the loop-library imports
/// the tidy step may remove.
fn changeable_lines(source: &SourceFile, options: &AnalysisOptions) -> Vec<bool> {
    let mut allowed = vec![false; source.line_count() + 1];
    let findings = analyze::analyze(source, options).unwrap();
    for fix in findings.iter().filter_map(|f| f.fix.as_ref()) {
        for edit in fix.edits() {
            let first = source.line_index(edit.range.start);
            let last = source.line_index(edit.range.end.max(edit.range.start));
            let last = last.min(allowed.len() - 1);
            allowed[first..=last].fill(true);
        }
    }
    for (line, allow) in allowed.iter_mut().enumerate().take(source.line_count()) {
        let text = &source.code()[source.line_range(line)];
        if text.starts_with(b"import ") || text.starts_with(b"from ") {
            *allow = true;
        }
    }
    // A removed statement takes the blank lines after it along.
    for line in 1..source.line_count() {
        let blank = source.code()[source.line_range(line)]
            .iter()
            .all(|b| b.is_ascii_whitespace());
        if blank && allowed[line - 1] {
            allowed[line] = true;
        }
    }
    allowed
}

fn check_module(module: &Module) -> Result<(), TestCaseError> {
    let raw = module.bytes();
    let source = SourceFile::new(raw.clone()).unwrap();
    let options = AnalysisOptions {
        fix: FixOptions {
            strategy: module.strategy,
            ..FixOptions::default()
        }
        .into(),
        ..AnalysisOptions::default()
    };
    let allowed = changeable_lines(&source, &options);
    let fixed = analyze::fix_all(&source, &options, Applicability::Unsafe).unwrap();
    prop_assert!(fixed.refused.is_empty(), "refused: {:?}", fixed.refused);
    let output = source.to_file_bytes(&fixed.code);
    let after = SourceFile::new(output.clone()).unwrap();
    prop_assert!(loopfix::syntax::parse::parses_cleanly(after.parse_text()));
    prop_assert!(
        fixed
            .remaining
            .iter()
            .all(|f| !f.is_fixable(Applicability::Unsafe))
    );
    let again = analyze::fix_all(&after, &options, Applicability::Unsafe).unwrap();
    prop_assert_eq!(
        &again.code,
        &after.code().to_vec(),
        "a second fix changed the output"
    );
    prop_assert_eq!(output.starts_with(b"\xEF\xBB\xBF"), module.bom);
    if module.newline == "\r\n" {
        let bare_lf = after
            .code()
            .iter()
            .enumerate()
            .any(|(i, &b)| b == b'\n' && (i == 0 || after.code()[i - 1] != b'\r'));
        prop_assert!(!bare_lf, "a bare LF in a CRLF module");
    }
    // The lines no edit touches appear in the output, in order, byte for byte.
    let output_lines: Vec<&[u8]> = (0..after.line_count())
        .map(|l| &after.code()[after.line_range(l)])
        .collect();
    let mut next = 0;
    for line in (0..source.line_count()).filter(|&l| !allowed[l]) {
        let text = &source.code()[source.line_range(line)];
        match output_lines[next..].iter().position(|o| *o == text) {
            Some(found) => next += found + 1,
            None => prop_assert!(
                false,
                "line {} changed outside every edit:\n{}",
                line + 1,
                String::from_utf8_lossy(&raw)
            ),
        }
    }
    OUTPUTS.lock().unwrap().push(output);
    Ok(())
}

/// Fragments that put needles before, inside and after import lines, bracketed or not.
fn look_piece() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(vec![
        "import ",
        "from ",
        "asyncio",
        "anyio",
        "uvloop",
        " as aio",
        "(",
        ")",
        ",",
        "\n",
        "\\\n",
        "    ",
        "x = ",
        "importlib",
        "get_event_loop",
        "run_until_complete",
        "Mangum",
        "new_event_loop",
        "inside the running event loop",
        "# note",
        "'",
        "\"",
        ".",
        "config",
        "asyncimport",
        "imp",
        "ort",
    ])
}

proptest! {
    #![proptest_config(Config { cases: 320, failure_persistence: None, ..Config::default() })]

    #[test]
    fn generated_modules_fix_cleanly(module in module()) {
        check_module(&module)?;
    }

    #[test]
    fn first_look_agrees_with_its_two_passes(pieces in proptest::collection::vec(look_piece(), 0..24)) {
        let code = pieces.concat();
        let look = loopfix::lexer::first_look(code.as_bytes());
        prop_assert_eq!(look.might_contain_loop, loopfix::lexer::might_contain_loop(code.as_bytes()));
        prop_assert_eq!(look.tokens, loopfix::lexer::import_tokens(code.as_bytes()));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        exercise(&bytes);
    }

    #[test]
    fn mutated_modules_never_panic(
        module in module(),
        cuts in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        let mut bytes = module.bytes();
        for (index, byte) in cuts {
            if bytes.is_empty() {
                break;
            }
            let at = index.index(bytes.len());
            match byte % 3 {
                0 => bytes[at] = byte,
                1 => bytes.insert(at, byte),
                _ => { bytes.remove(at); }
            }
        }
        exercise(&bytes);
    }
}

/// Check and fix, with and without the fast path; any outcome but a panic is fine.
fn exercise(bytes: &[u8]) {
    let Ok(source) = SourceFile::new(bytes.to_vec()) else {
        return;
    };
    for full_parse in [false, true] {
        let options = AnalysisOptions {
            full_parse,
            ..AnalysisOptions::default()
        };
        let _ = analyze::analyze(&source, &options);
        if let Ok(fixed) = analyze::fix_all(&source, &options, Applicability::Unsafe) {
            let output = source.to_file_bytes(&fixed.code);
            if output != bytes {
                let after = SourceFile::new(output).unwrap();
                assert!(loopfix::syntax::parse::parses_cleanly(after.parse_text()));
            }
        }
    }
}

/// Runs after the properties in this binary (test names sort after them): CPython compiles every
/// fixed output the generated-module property produced.
#[test]
fn zz_cpython_compiles_every_output() {
    // The properties run in parallel threads; wait for the generator to have produced outputs.
    generated_modules_fix_cleanly();
    let outputs = std::mem::take(&mut *OUTPUTS.lock().unwrap());
    assert!(!outputs.is_empty());
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = outputs
        .iter()
        .enumerate()
        .map(|(i, bytes)| {
            let path = dir.path().join(format!("m{i}.py"));
            std::fs::write(&path, bytes).unwrap();
            path
        })
        .collect();
    let output = Command::new("python3")
        .args(["-m", "py_compile"])
        .args(&files)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
