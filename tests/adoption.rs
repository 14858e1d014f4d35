//! Adopting loopfix on an existing codebase: `check --add-noqa` (idempotent, merging into the
//! `# noqa` a line has, keeping every other byte) and the file-level `# loopfix: noqa`.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn loopfix(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_loopfix"))
        .args(args)
        .current_dir(dir)
        .env_remove("LOOPFIX_OUTPUT_FORMAT")
        .env_remove("LOOPFIX_OUTPUT_FILE")
        .output()
        .expect("the binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn project(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, bytes) in files {
        fs::write(dir.path().join(path), bytes).unwrap();
    }
    dir
}

/// CRLF, a tab indent, an existing `# noqa: E501`, a `#` inside a string.
const CRLF: &[u8] = b"import asyncio\r\n\r\n\r\nasync def fetch(text):\r\n\treturn text\r\n\r\n\r\nDATA = asyncio.run(fetch('# not a comment'))\r\nLOOP = asyncio.get_event_loop()  # noqa: E501\r\n";
const CRLF_ADDED: &[u8] = b"import asyncio\r\n\r\n\r\nasync def fetch(text):\r\n\treturn text\r\n\r\n\r\nDATA = asyncio.run(fetch('# not a comment'))  # noqa: LF001\r\nLOOP = asyncio.get_event_loop()  # noqa: E501, LF003\r\n";
/// A BOM, a finding whose line ends inside a multi-line string, no final newline.
const BOM: &[u8] = b"\xef\xbb\xbfimport asyncio\n\n\nasync def fetch(text):\n    return text\n\n\nDATA = asyncio.run(fetch(\"\"\"\n  long\n\"\"\"))";
const BOM_ADDED: &[u8] = b"\xef\xbb\xbfimport asyncio\n\n\nasync def fetch(text):\n    return text\n\n\nDATA = asyncio.run(fetch(\"\"\"\n  long\n\"\"\"))  # noqa: LF001";

#[test]
fn add_noqa_keeps_every_other_byte_and_leaves_nothing_to_report() {
    let dir = project(&[("crlf.py", CRLF), ("bom.py", BOM)]);
    assert_eq!(loopfix(dir.path(), &["check"]).status.code(), Some(1));

    let added = loopfix(dir.path(), &["check", "--add-noqa"]);
    assert_eq!(added.status.code(), Some(0), "{}", stderr(&added));
    assert_eq!(stderr(&added), "Added 3 noqa directives.\n");
    assert_eq!(fs::read(dir.path().join("crlf.py")).unwrap(), CRLF_ADDED);
    assert_eq!(fs::read(dir.path().join("bom.py")).unwrap(), BOM_ADDED);

    let check = loopfix(dir.path(), &["check"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
}

#[test]
fn add_noqa_twice_changes_nothing_the_second_time() {
    let dir = project(&[("crlf.py", CRLF)]);
    loopfix(dir.path(), &["check", "--add-noqa"]);
    let once = fs::read(dir.path().join("crlf.py")).unwrap();
    let again = loopfix(dir.path(), &["check", "--add-noqa"]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(stderr(&again), "Added 0 noqa directives.\n");
    assert_eq!(fs::read(dir.path().join("crlf.py")).unwrap(), once);
}

#[test]
fn add_noqa_merges_into_the_comment_a_line_has() {
    let source = b"import asyncio\n\n\nasync def fetch():\n    return 1\n\n\nDATA = asyncio.run(fetch())  # type: ignore\nLOOP = asyncio.get_event_loop()  # loopfix: ignore[LF001]\n";
    let dir = project(&[("m.py", source)]);
    let added = loopfix(dir.path(), &["check", "--add-noqa"]);
    assert_eq!(added.status.code(), Some(0), "{}", stderr(&added));
    assert_eq!(stderr(&added), "Added 2 noqa directives.\n");
    let text = fs::read_to_string(dir.path().join("m.py")).unwrap();
    assert!(
        text.contains("DATA = asyncio.run(fetch())  # type: ignore  # noqa: LF001\n"),
        "{text}"
    );
    assert!(
        text.contains("LOOP = asyncio.get_event_loop()  # loopfix: ignore[LF001]  # noqa: LF003\n"),
        "{text}"
    );
    assert_eq!(
        loopfix(dir.path(), &["check"]).status.code(),
        Some(0),
        "{text}"
    );
}

#[test]
fn a_file_level_noqa_suppresses_the_whole_file_or_one_rule() {
    let mut all = b"# loopfix: noqa\n".to_vec();
    all.extend_from_slice(CRLF);
    let mut one = CRLF.to_vec();
    one.extend_from_slice(b"# loopfix: noqa: LF003\r\n");
    let dir = project(&[("all.py", &all), ("one.py", &one)]);
    let check = loopfix(dir.path(), &["check", "--output-format", "concise"]);
    let out = String::from_utf8(check.stdout).unwrap();
    assert!(!out.contains("all.py"), "{out}");
    assert!(!out.contains("LF003"), "{out}");
    assert!(out.contains("one.py:8:8: LF001"), "{out}");
}

#[test]
fn add_noqa_refuses_standard_input() {
    let dir = project(&[]);
    let output = loopfix(
        dir.path(),
        &["check", "--add-noqa", "--stdin-filename", "a.py"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("cannot read standard input"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn add_noqa_reports_a_file_it_cannot_parse_and_exits_2() {
    let dir = project(&[
        ("bad.py", b"import asyncio\nasyncio.run(main(\n"),
        ("crlf.py", CRLF),
    ]);
    let output = loopfix(dir.path(), &["check", "--add-noqa"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("bad.py"), "{}", stderr(&output));
    assert_eq!(
        fs::read(dir.path().join("bad.py")).unwrap(),
        b"import asyncio\nasyncio.run(main(\n"
    );
}
