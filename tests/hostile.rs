//! Bad input gets a clear answer: the file and the reason on standard error, the file left
//! untouched, the other files processed, exit code 2; and no input makes loopfix panic, hang or
//! use unbounded memory.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const SEED: &str = "import asyncio\n\n\nasync def fetch():\n    return 1\n\n\nDATA = asyncio.run(fetch())\n\n\nasync def handler():\n    return DATA\n";

fn loopfix(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_loopfix"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A directory with a good file that must still be fixed next to the bad input.
fn with_good_file() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("good.py"), SEED).unwrap();
    dir
}

fn assert_good_file_fixed(dir: &Path) {
    let good = fs::read_to_string(dir.join("good.py")).unwrap();
    assert!(good.contains("async def load_data() -> None:"), "{good}");
}

#[test]
fn undecodable_files_are_reported_and_kept() {
    let cases: &[(&str, &[u8], &str)] = &[
        ("nul.py", b"import asyncio\nX = 1\0\n", "binary file"),
        (
            "utf8.py",
            b"import asyncio\nX = '\xff\xfe'\n",
            "invalid UTF-8 at line 2, column 6",
        ),
        (
            "cookie.py",
            b"# coding: shift_jis\nimport asyncio\nX = '\x82\xa0'\n",
            "unsupported source encoding `shift_jis`",
        ),
        (
            "syntax.py",
            b"import asyncio\nX = asyncio.run(f(\n",
            "syntax error at line",
        ),
    ];
    for (name, bytes, reason) in cases {
        let dir = with_good_file();
        fs::write(dir.path().join(name), bytes).unwrap();
        let out = loopfix(dir.path(), &["fix", "."]);
        assert_eq!(out.status.code(), Some(2), "{name}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(&format!("{name}: {reason}")), "{name}: {err}");
        assert_eq!(
            fs::read(dir.path().join(name)).unwrap(),
            *bytes,
            "{name} untouched"
        );
        assert_good_file_fixed(dir.path());
    }
}

#[test]
fn latin1_with_a_cookie_is_fixed_in_its_own_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let mut source = b"# -*- coding: latin-1 -*-\nimport asyncio\nNAME = 'caf\xe9'\n".to_vec();
    source.extend_from_slice(&SEED.as_bytes()[15..]);
    fs::write(dir.path().join("m.py"), &source).unwrap();
    let out = loopfix(dir.path(), &["fix", "m.py"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let fixed = fs::read(dir.path().join("m.py")).unwrap();
    assert!(
        fixed.windows(5).any(|w| w == b"caf\xe9'"),
        "the latin-1 byte is kept as it was"
    );
    assert!(String::from_utf8_lossy(&fixed).contains("async def load_data() -> None:"));
}

#[test]
fn paths_that_are_not_files() {
    let dir = with_good_file();
    let root = dir.path();
    std::os::unix::fs::symlink(root.join("missing.py"), root.join("broken.py")).unwrap();
    fs::create_dir(root.join("loop")).unwrap();
    std::os::unix::fs::symlink(root.join("loop"), root.join("loop/self")).unwrap();
    std::os::unix::fs::symlink("a.py", root.join("b.py")).unwrap();
    std::os::unix::fs::symlink("b.py", root.join("a.py")).unwrap();
    fs::create_dir(root.join("package.py")).unwrap();
    fs::write(root.join("package.py/inner.py"), SEED).unwrap();

    // The walk skips symlinks (as ripgrep does), so loops cannot trap it.
    let out = loopfix(root, &["check", "--output-format", "concise", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("package.py/inner.py"),
        "a directory named x.py is walked: {text}"
    );

    // Named explicitly, each gets its reason.
    let out = loopfix(root, &["check", "broken.py", "a.py", "nope.py", "good.py"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("broken.py: no such file or directory"),
        "{err}"
    );
    assert!(err.contains("a.py: "), "{err}");
    assert!(err.contains("nope.py: no such file or directory"), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("good.py"));
}

/// Runs within a deadline, so a hang fails the test instead of blocking it.
fn within(seconds: u64, dir: &Path, args: &[&str]) -> Output {
    let start = Instant::now();
    let out = loopfix(dir, args);
    assert!(
        start.elapsed() < Duration::from_secs(seconds),
        "{args:?} took {:?}",
        start.elapsed()
    );
    out
}

#[test]
fn pathological_sources_do_not_crash_or_hang() {
    let dir = with_good_file();
    let root = dir.path();
    let depth = 50_000;
    let deep = format!(
        "import asyncio\nX = asyncio.run({}1{})\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    fs::write(root.join("deep.py"), &deep).unwrap();
    let long_line = format!("import asyncio\nX = [{}]\n", vec!["1"; 1_000_000].join(","));
    fs::write(root.join("long_line.py"), &long_line).unwrap();
    let long_candidate = format!(
        "import asyncio\nX = asyncio.run(f([{}]))\n\n\nasync def read():\n    return X\n",
        vec!["1"; 200_000].join(",")
    );
    fs::write(root.join("long_candidate.py"), &long_candidate).unwrap();
    let out = within(120, root, &["fix", "."]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("deep.py: nesting deeper than"), "{err}");
    assert!(!err.contains("long_line.py"), "{err}");
    assert_eq!(fs::read_to_string(root.join("deep.py")).unwrap(), deep);
    assert!(
        fs::read_to_string(root.join("long_candidate.py"))
            .unwrap()
            .contains("load_x")
    );
    assert_good_file_fixed(root);
}

#[test]
fn huge_files_are_refused_only_when_they_need_the_parse() {
    let dir = with_good_file();
    let root = dir.path();
    let mut body = String::from("import asyncio\n");
    let mut i = 0;
    while body.len() < 50 * 1024 * 1024 {
        body.push_str(&format!("def f{i}(x):\n    return asyncio.sleep(x)\n"));
        i += 1;
    }
    fs::write(root.join("huge_clean.py"), &body).unwrap();
    body.push_str("X = asyncio.run(f0(1))\n");
    fs::write(root.join("huge_candidate.py"), &body).unwrap();
    let out = within(120, root, &["check", "--output-format", "concise", "."]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("huge_candidate.py: ") && err.contains("more than the"),
        "{err}"
    );
    assert!(!err.contains("huge_clean.py"), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("good.py"));
}
