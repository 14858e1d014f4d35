//! `gitlab`: a GitLab Code Quality report (a JSON array of issues with `description`,
//! `check_name`, `fingerprint`, `severity` and `location.path`/`location.lines`). Paths are
//! relative to `CI_PROJECT_DIR` when GitLab sets it, else to the working directory. A file that
//! could not be processed is an issue whose `check_name` is `error`.

use std::collections::HashSet;
use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use super::format::{Emitter, Printer};
use super::located::{Located, What};
use crate::paths::absolute_path;

/// The GitLab Code Quality format.
pub struct Gitlab;

#[derive(Serialize)]
struct Issue<'a> {
    check_name: &'a str,
    description: String,
    fingerprint: String,
    severity: &'static str,
    location: IssueLocation,
}

#[derive(Serialize)]
struct IssueLocation {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

impl Emitter for Gitlab {
    fn emit(&self, out: &mut dyn Write, located: &[Located], _printer: &Printer) -> io::Result<()> {
        let project_dir = std::env::var_os("CI_PROJECT_DIR");
        let mut taken = HashSet::new();
        let issues: Vec<Issue> = located
            .iter()
            .map(|diagnostic| {
                let path = project_path(diagnostic, project_dir.as_deref().map(Path::new));
                to_issue(diagnostic, path, &mut taken)
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &issues)?;
        writeln!(out)
    }
}

fn to_issue<'a>(diagnostic: &'a Located, path: String, taken: &mut HashSet<u64>) -> Issue<'a> {
    let (check_name, message) = match diagnostic.what {
        What::Finding { finding, .. } => (finding.rule.code(), finding.message.clone()),
        What::Error(error) => ("error", error.to_string()),
    };
    // Stable across runs and line moves (GitLab matches issues between pipelines by it);
    // identical issues in one file are told apart by salting with the previous value.
    let mut fingerprint = fingerprint(0, &[check_name, &message, &path]);
    while !taken.insert(fingerprint) {
        fingerprint = self::fingerprint(fingerprint, &[check_name, &message, &path]);
    }
    Issue {
        check_name,
        // GitLab shows the description, not the check name: prefix it, as ruff does.
        description: format!("{check_name}: {message}"),
        fingerprint: format!("{fingerprint:016x}"),
        severity: "major",
        location: IssueLocation {
            path,
            lines: Lines {
                begin: diagnostic.start.row,
                end: diagnostic.end.row,
            },
        },
    }
}

/// The path relative to the project directory when it contains the file, else for display.
fn project_path(diagnostic: &Located, project_dir: Option<&Path>) -> String {
    let Some(dir) = project_dir else {
        return diagnostic.display.clone();
    };
    let absolute = absolute_path(&diagnostic.report.path);
    let dir = absolute_path(dir);
    match Path::new(&absolute).strip_prefix(&dir) {
        Ok(relative) => relative.to_string_lossy().replace('\\', "/"),
        Err(_) => diagnostic.display.clone(),
    }
}

/// The fingerprint of the parts (each followed by a NUL) after the salt.
fn fingerprint(salt: u64, parts: &[&str]) -> u64 {
    let bytes = salt
        .to_le_bytes()
        .into_iter()
        .chain(parts.iter().flat_map(|p| p.bytes().chain([0])));
    fnv1a(bytes)
}

/// 64-bit FNV-1a: the same on every platform and Rust version, unlike the standard library's
/// hasher.
fn fnv1a(bytes: impl IntoIterator<Item = u8>) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    bytes.into_iter().fold(OFFSET, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(PRIME)
    })
}

#[cfg(test)]
mod tests {
    use super::{fingerprint, fnv1a};

    #[test]
    fn fnv1a_matches_the_published_test_vectors() {
        assert_eq!(fnv1a(*b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(*b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(*b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn the_fingerprint_depends_on_every_part_and_the_salt() {
        let base = fingerprint(0, &["LF001", "msg", "app.py"]);
        assert_eq!(base, fingerprint(0, &["LF001", "msg", "app.py"]));
        assert_ne!(base, fingerprint(0, &["LF001", "msg", "other.py"]));
        assert_ne!(base, fingerprint(0, &["LF001", "msgapp.py", ""]));
        assert_ne!(base, fingerprint(base, &["LF001", "msg", "app.py"]));
    }
}
