//! `loopfix server` driven over stdio by a real LSP client: pygls' language client from PyPI, in
//! a virtual environment cached under the target directory (`tests/lsp/requirements.txt`).
//!
//! `tests/lsp/client.py` runs an editor's session against the built binary on a scratch project
//! and checks each answer (diagnostics with UTF-16 ranges on a CRLF file with non-ASCII text,
//! quick fix and fix-all edits, hover, the cross-module LF005 following the imported module as
//! it changes in the editor and on the disk, a document that does not parse, an unknown request,
//! shutdown and exit). This test then checks that the quick fix and "fix all" turn the file into
//! exactly what `loopfix fix` writes, and so does the quick fix of a cross-module finding (LF005)
//! what `loopfix fix --unsafe-fixes` writes when it fixes the modules together.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::process;

const REQUIREMENTS: &str = "tests/lsp/requirements.txt";
const CLIENT: &str = "tests/lsp/client.py";
const SESSION_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// One LF001 with a safe fix; CRLF line endings, and on the finding's line characters that take
/// two bytes (`é`) and two UTF-16 code units (`𝄞`).
const JOBS: &str = "\"\"\"Jobs (café).\"\"\"\r\nimport asyncio\r\n\r\n\r\nasync def fetch(word):\r\n    await asyncio.sleep(0)\r\n    return {\"greeting\": word}\r\n\r\n\r\nDATA = {\"é𝄞\": asyncio.run(fetch(\"é𝄞\"))}\r\n\r\n\r\nasync def handler():\r\n    return DATA\r\n";

const CONFIG: &str = "\"\"\"Settings fetched when the module is imported.\"\"\"\nimport asyncio\n\n\nasync def fetch_settings():\n    await asyncio.sleep(0)\n    return {\"region\": \"eu-west-1\"}\n\n\nSETTINGS = asyncio.run(fetch_settings())\n";

const ROUTES: &str = "from app.config import SETTINGS\n\n\nasync def region():\n    return {\"region\": SETTINGS[\"region\"]}\n";

const BROKEN: &str = "import asyncio\n\nDATA = asyncio.run(fetch(\n";

fn write_project(root: &Path) {
    for (path, text) in [
        ("app/__init__.py", ""),
        ("app/jobs.py", JOBS),
        ("app/config.py", CONFIG),
        ("app/routes.py", ROUTES),
        ("app/broken.py", BROKEN),
    ] {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
}

#[test]
fn an_editor_session_over_stdio() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let venv = common::venv::venv("lsp-client", &manifest.join(REQUIREMENTS));
    let scratch = tempfile::tempdir().unwrap();
    let project = scratch.path().join("project");
    let out = scratch.path().join("out");
    write_project(&project);
    fs::create_dir_all(&out).unwrap();

    let session = process::run(
        Command::new(venv.join("bin").join("python"))
            .arg(manifest.join(CLIENT))
            .arg(env!("CARGO_BIN_EXE_loopfix"))
            .arg(&project)
            .arg(&out),
        SESSION_TIMEOUT,
    );
    assert!(session.success(), "the LSP session failed:\n{session}");
    assert!(session.stdout.contains("all checks passed"), "{session}");

    // What `loopfix fix` writes for the same file, from the project's root (the client restored
    // every file it changed).
    let fixed = process::run(
        Command::new(env!("CARGO_BIN_EXE_loopfix"))
            .args(["fix", "app/jobs.py"])
            .current_dir(&project),
        Duration::from_secs(60),
    );
    assert_eq!(fixed.code(), Some(0), "{fixed}");
    let expected = fs::read(project.join("app/jobs.py")).unwrap();
    assert_ne!(
        expected,
        JOBS.as_bytes(),
        "`loopfix fix` must rewrite jobs.py"
    );
    assert!(expected.windows(2).any(|w| w == b"\r\n"));
    for name in ["jobs.quickfix.py", "jobs.fixall.py"] {
        let got = fs::read(out.join(name)).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&expected),
            "{name} differs from what `loopfix fix` writes"
        );
    }

    // The LF005 quick fix, computed with the workspace in view, is what `loopfix fix` writes for
    // that file when it fixes the modules together.
    let fixed = process::run(
        Command::new(env!("CARGO_BIN_EXE_loopfix"))
            .args([
                "fix",
                "--unsafe-fixes",
                "app/__init__.py",
                "app/config.py",
                "app/routes.py",
            ])
            .current_dir(&project),
        Duration::from_secs(60),
    );
    assert_eq!(fixed.code(), Some(0), "{fixed}");
    let expected = fs::read_to_string(project.join("app/routes.py")).unwrap();
    assert_ne!(expected, ROUTES);
    let got = fs::read_to_string(out.join("routes.quickfix.py")).unwrap();
    assert_eq!(
        got, expected,
        "the LF005 quick fix differs from `loopfix fix`"
    );
}
