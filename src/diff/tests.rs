//! Unit tests of the unified diffs: headers, quoting, line splitting and markers.

use super::*;

#[test]
fn changed_runs_replace_runs_of_lines() {
    let old = b"a\nb\nc\nd\n";
    let new = b"a\nB\nc\nd\ne";
    let runs = changed_runs(old, new);
    assert_eq!(runs, vec![(2..4, 2..4), (8..8, 8..9)]);
    assert!(changed_runs(old, old).is_empty());
}

#[test]
fn diff_has_git_headers_and_no_newline_markers() {
    let text = diff_bytes("pkg/m.py", b"a\nb\nc", b"a\nB\nc");
    let text = String::from_utf8(text).unwrap();
    assert!(
        text.starts_with("--- a/pkg/m.py\n+++ b/pkg/m.py\n@@ -1,3 +1,3 @@\n"),
        "{text}"
    );
    assert!(
        text.contains("-b\n+B\n c\n\\ No newline at end of file\n"),
        "{text}"
    );
}

#[test]
fn crlf_lines_keep_their_endings() {
    let text = diff_bytes("m.py", b"a\r\nb\r\n", b"a\r\nc\r\n");
    assert!(
        text.ends_with(b"-b\r\n+c\r\n"),
        "{:?}",
        String::from_utf8_lossy(&text)
    );
}

#[test]
fn identical_files_have_no_diff() {
    assert!(diff_bytes("m.py", b"x\n", b"x\n").is_empty());
}

#[test]
fn a_lone_cr_is_part_of_its_line() {
    let text = diff_bytes("m.py", b"a\rb\nc\nd\n", b"a\rb\nc\nD\n");
    assert_eq!(
        String::from_utf8(text).unwrap(),
        "--- a/m.py\n+++ b/m.py\n@@ -1,3 +1,3 @@\n a\rb\n c\n-d\n+D\n"
    );
}

#[test]
fn a_cr_only_file_is_one_line_without_a_newline() {
    let text = diff_bytes("m.py", b"a\rb\r", b"a\rc\r");
    assert_eq!(
        String::from_utf8(text).unwrap(),
        "--- a/m.py\n+++ b/m.py\n@@ -1 +1 @@\n-a\rb\r\n\\ No newline at end of file\n\
         +a\rc\r\n\\ No newline at end of file\n"
    );
}

#[test]
fn names_are_quoted_as_git_quotes_them() {
    let cases: &[(&[u8], &str)] = &[
        (b"plain.py", "a/plain.py"),
        (b"-lead.py", "a/-lead.py"),
        (b"with space.py", "a/with space.py\t"),
        (b"back\\slash.py", r#""a/back\\slash.py""#),
        (b"q\"uote.py", r#""a/q\"uote.py""#),
        (b"tab\tx.py", r#""a/tab\tx.py""#),
        (b"new\nline.py", r#""a/new\nline.py""#),
        (b"bad\xff.py", r#""a/bad\377.py""#),
        ("café.py".as_bytes(), r#""a/caf\303\251.py""#),
        (b"bell\x07\x01\x7f.py", r#""a/bell\a\001\177.py""#),
        (b"both \\.py", "\"a/both \\\\.py\"\t"),
    ];
    for (name, quoted) in cases {
        assert_eq!(quoted_header_name("a/", name), *quoted, "{name:?}");
    }
}

#[test]
fn a_quoted_name_never_holds_a_raw_newline() {
    let text = diff_bytes("x\n+++ b/evil.py", b"a\n", b"b\n");
    let text = String::from_utf8(text).unwrap();
    assert!(
        text.starts_with("--- \"a/x\\n+++ b/evil.py\"\t\n+++ \"b/x\\n+++ b/evil.py\"\t\n"),
        "{text}"
    );
}

#[test]
fn files_of_a_work_tree_are_named_from_its_root() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::create_dir_all(root.join("pkg/sub")).unwrap();
    std::fs::write(root.join("pkg/m.py"), b"x\n").unwrap();
    assert_eq!(git_name(&root.join("pkg/m.py")).unwrap(), b"pkg/m.py");
    assert_eq!(
        git_name(&root.join("pkg/sub/../m.py")).unwrap(),
        b"pkg/m.py"
    );
    // A name that does not exist yet (standard input's name) resolves through its folder.
    assert_eq!(git_name(&root.join("pkg/new.py")).unwrap(), b"pkg/new.py");
    std::fs::write(root.join(".git/hook.py"), b"x\n").unwrap();
    assert!(matches!(
        git_name(&root.join(".git/hook.py")),
        Err(DiffError::Unrepresentable(_))
    ));
}

#[test]
fn symlinks_are_named_by_the_file_they_lead_to() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::write(root.join("real.py"), b"x\n").unwrap();
    std::os::unix::fs::symlink("real.py", root.join("link.py")).unwrap();
    assert_eq!(git_name(&root.join("link.py")).unwrap(), b"real.py");
}

#[test]
fn files_outside_any_work_tree_and_the_current_directory_are_absolute_without_slash() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    if work_tree_of(&root.join("m.py")).is_some() {
        eprintln!("skipped: the temporary directory is inside a git work tree");
        return;
    }
    std::fs::write(root.join("m.py"), b"x\n").unwrap();
    let expected = root.join("m.py");
    let expected = expected.as_os_str().as_encoded_bytes();
    assert_eq!(git_name(&root.join("m.py")).unwrap(), &expected[1..]);
}

#[test]
fn standard_input_keeps_its_dash() {
    assert_eq!(git_name(Path::new("-")).unwrap(), b"-");
}
