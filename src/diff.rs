//! Unified diffs of rewritten files that `git apply` and `patch -p1` accept for every file name:
//! `--- a/path` / `+++ b/path` headers named and quoted the way git names and quotes them,
//! lines split where git and patch split them, "\ No newline at end of file" markers, optional
//! colour.

use std::io::{self, Write};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use console::Style;
use similar::{ChangeTag, TextDiff};

/// Colours of a diff (plain when colour is off).
#[derive(Debug, Clone, Default)]
pub struct DiffStyle {
    header: Style,
    hunk: Style,
    removed: Style,
    added: Style,
}

impl DiffStyle {
    /// The style for a terminal with or without colour.
    pub fn new(color: bool) -> Self {
        if !color {
            return DiffStyle::default();
        }
        DiffStyle {
            header: Style::new().bold().force_styling(true),
            hunk: Style::new().cyan().force_styling(true),
            removed: Style::new().red().force_styling(true),
            added: Style::new().green().force_styling(true),
        }
    }
}

/// Why a file gets no diff.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    /// The file's name cannot be written in a diff that patches that file and no other.
    #[error("no diff: {0}")]
    Unrepresentable(String),
    /// Writing the diff failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Writes the unified diff of `old` -> `new` for the file at `path`, under the name git gives
/// it ([`git_name`]).
pub fn write_diff(
    out: &mut dyn Write,
    path: &Path,
    old: &[u8],
    new: &[u8],
    style: &DiffStyle,
) -> Result<(), DiffError> {
    if old == new {
        return Ok(());
    }
    let name = git_name(path)?;
    write_named_diff(out, &name, old, new, style)?;
    Ok(())
}

/// Writes the unified diff of `old` -> `new` under `name`, a path relative to where the diff
/// applies (quoted as git quotes it, not looked up on disk): for displays and snapshots.
pub fn write_labelled_diff(
    out: &mut dyn Write,
    name: &str,
    old: &[u8],
    new: &[u8],
    style: &DiffStyle,
) -> io::Result<()> {
    if old == new {
        return Ok(());
    }
    write_named_diff(out, name.as_bytes(), old, new, style)
}

/// The unified diff as bytes, under `name` ([`write_labelled_diff`]).
pub fn diff_bytes(name: &str, old: &[u8], new: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    write_labelled_diff(&mut out, name, old, new, &DiffStyle::default())
        .expect("writing to a Vec cannot fail");
    out
}

/// The name of the file at `path` in a diff's headers, before git's `a/` and `b/`:
///
/// - inside a git work tree, the path from the work tree's root (so the diff applies with
///   `git apply` and `patch -p1` run there; run from the root, that is the path as given);
/// - elsewhere, the path from the current directory when the file is under it, else the
///   absolute path without its leading `/` (as `git diff --no-index` writes it);
/// - `-` (standard input without a name) stays `-`.
///
/// Symlinks and `..` are resolved first: the diff names the file that is written. A file
/// inside a `.git` directory is refused: `git apply` rejects such paths.
pub fn git_name(path: &Path) -> Result<Vec<u8>, DiffError> {
    if path == Path::new("-") {
        return Ok(b"-".to_vec());
    }
    let cwd = std::env::current_dir().ok();
    let absolute = resolved(path, cwd.as_deref());
    let name = match work_tree_of(&absolute) {
        Some(root) => relative_name(&absolute, &root),
        None => cwd
            .as_deref()
            .and_then(|cwd| std::fs::canonicalize(cwd).ok())
            .filter(|cwd| absolute.starts_with(cwd))
            .map_or_else(
                || relative_name(&absolute, Path::new("/")),
                |cwd| relative_name(&absolute, &cwd),
            ),
    };
    let inside_git_dir = name
        .split(|&b| b == b'/')
        .any(|component| component.eq_ignore_ascii_case(b".git"));
    if inside_git_dir || name.is_empty() {
        return Err(DiffError::Unrepresentable(format!(
            "git cannot apply a diff to `{}`",
            String::from_utf8_lossy(&name)
        )));
    }
    Ok(name)
}

/// `path` made absolute, with symlinks and `..` resolved; a file that does not exist (a
/// `--stdin-filename`) is resolved through its directory, or lexically.
fn resolved(path: &Path, cwd: Option<&Path>) -> PathBuf {
    if let Ok(canonical) = std::fs::canonicalize(path) {
        return canonical;
    }
    let absolute = match cwd {
        Some(cwd) if path.is_relative() => cwd.join(path),
        _ => path.to_path_buf(),
    };
    let absolute = lexically_normal(&absolute);
    match (absolute.parent(), absolute.file_name()) {
        (Some(parent), Some(file)) => std::fs::canonicalize(parent)
            .map(|parent| parent.join(file))
            .unwrap_or(absolute),
        _ => absolute,
    }
}

/// `path` without `.` components, each `..` taking off the component before it.
fn lexically_normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The root of the git work tree holding the file at `absolute`: the nearest directory above
/// it with a `.git` entry (a directory, or a file in a linked work tree or a submodule).
fn work_tree_of(absolute: &Path) -> Option<PathBuf> {
    absolute
        .ancestors()
        .skip(1)
        .find(|dir| std::fs::symlink_metadata(dir.join(".git")).is_ok())
        .map(Path::to_path_buf)
}

/// The bytes of `absolute` below `base` (a prefix of it), its components joined with `/` as
/// git joins them on every platform.
fn relative_name(absolute: &Path, base: &Path) -> Vec<u8> {
    let relative = absolute.strip_prefix(base).unwrap_or(absolute);
    let mut name = Vec::with_capacity(relative.as_os_str().len());
    for component in relative.components() {
        if let Component::Normal(part) = component {
            if !name.is_empty() {
                name.push(b'/');
            }
            name.extend_from_slice(part.as_encoded_bytes());
        }
    }
    name
}

/// A header line's name as git writes it: `prefix` and `name` quoted together in C style when
/// the name holds a `"`, a `\`, a control character or a byte of 0x80 or more (git's
/// `core.quotePath`), followed by a tab when it holds a space (so that `patch` does not take
/// the rest for a date).
pub fn quoted_header_name(prefix: &str, name: &[u8]) -> String {
    let needs_quotes = name
        .iter()
        .any(|&b| b < 0x20 || b == b'"' || b == b'\\' || b >= 0x7f);
    let mut text = String::with_capacity(prefix.len() + name.len() + 3);
    if needs_quotes {
        text.push('"');
        text.push_str(prefix);
        for &byte in name {
            push_c_quoted(&mut text, byte);
        }
        text.push('"');
    } else {
        text.push_str(prefix);
        // Only printable ASCII is left.
        text.extend(name.iter().map(|&b| char::from(b)));
    }
    if text.contains(' ') {
        text.push('\t');
    }
    text
}

/// One byte of a C-quoted name, as git's `quote_c_style` writes it.
fn push_c_quoted(text: &mut String, byte: u8) {
    let escape = match byte {
        0x07 => Some('a'),
        0x08 => Some('b'),
        b'\t' => Some('t'),
        b'\n' => Some('n'),
        0x0b => Some('v'),
        0x0c => Some('f'),
        b'\r' => Some('r'),
        b'"' => Some('"'),
        b'\\' => Some('\\'),
        _ => None,
    };
    match escape {
        Some(letter) => {
            text.push('\\');
            text.push(letter);
        }
        None if !(0x20..0x7f).contains(&byte) => text.push_str(&format!("\\{byte:03o}")),
        None => text.push(char::from(byte)),
    }
}

/// The diff body under the header name `name`.
fn write_named_diff(
    out: &mut dyn Write,
    name: &[u8],
    old: &[u8],
    new: &[u8],
    style: &DiffStyle,
) -> io::Result<()> {
    let old_lines = split_lines(old);
    let new_lines = split_lines(new);
    let diff = TextDiff::from_slices(&old_lines, &new_lines);
    let header_a = format!("--- {}", quoted_header_name("a/", name));
    let header_b = format!("+++ {}", quoted_header_name("b/", name));
    writeln!(out, "{}", style.header.apply_to(header_a))?;
    writeln!(out, "{}", style.header.apply_to(header_b))?;
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        writeln!(out, "{}", style.hunk.apply_to(hunk.header()))?;
        for change in hunk.iter_changes() {
            let (sign, line_style) = match change.tag() {
                ChangeTag::Delete => ('-', &style.removed),
                ChangeTag::Insert => ('+', &style.added),
                ChangeTag::Equal => (' ', &Style::new()),
            };
            write_line(out, sign, change.value(), line_style)?;
        }
    }
    Ok(())
}

/// One line of a hunk: its sign, its bytes (colour around them, not around the line ending)
/// and its ending, or a "\ No newline at end of file" marker for a last line without one.
/// The runs of changed lines between `old` and `new` (lines end at `\n`), as pairs of byte
/// ranges: the bytes of `old` that a run replaces and the bytes of `new` that replace them.
/// Replacing each old range by its new bytes, in order, turns `old` into `new`.
pub fn changed_runs(old: &[u8], new: &[u8]) -> Vec<(Range<usize>, Range<usize>)> {
    let old_lines: Vec<&[u8]> = old.split_inclusive(|&b| b == b'\n').collect();
    let new_lines: Vec<&[u8]> = new.split_inclusive(|&b| b == b'\n').collect();
    let (old_starts, new_starts) = (line_offsets(&old_lines), line_offsets(&new_lines));
    let ops = similar::capture_diff_slices(similar::Algorithm::Myers, &old_lines, &new_lines);
    let mut runs = Vec::new();
    let mut pending: Option<(Range<usize>, Range<usize>)> = None;
    for op in ops {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        if tag == similar::DiffTag::Equal {
            runs.extend(pending.take());
            continue;
        }
        pending = Some(match pending.take() {
            Some((o, n)) => (o.start..old_range.end, n.start..new_range.end),
            None => (old_range, new_range),
        });
    }
    runs.extend(pending);
    runs.into_iter()
        .map(|(o, n)| {
            (
                old_starts[o.start]..old_starts[o.end],
                new_starts[n.start]..new_starts[n.end],
            )
        })
        .collect()
}

/// The byte offset where each line starts, and the end.
fn line_offsets(lines: &[&[u8]]) -> Vec<usize> {
    let mut offsets = Vec::with_capacity(lines.len() + 1);
    let mut at = 0;
    offsets.push(at);
    for line in lines {
        at += line.len();
        offsets.push(at);
    }
    offsets
}

fn write_line(out: &mut dyn Write, sign: char, value: &[u8], line_style: &Style) -> io::Result<()> {
    let (body, ending) = split_line_ending(value);
    let mut line = Vec::with_capacity(body.len() + 1);
    line.push(sign as u8);
    line.extend_from_slice(body);
    if line_style_is_plain(line_style) {
        out.write_all(&line)?;
    } else {
        write!(
            out,
            "{}",
            line_style.apply_to(String::from_utf8_lossy(&line))
        )?;
    }
    out.write_all(ending)?;
    if ending.is_empty() {
        out.write_all(b"\n\\ No newline at end of file\n")?;
    }
    Ok(())
}

/// The lines of `bytes` as git and patch see them: each ends after a `\n` (a lone `\r` is
/// part of its line, not an ending); the last may have no ending.
fn split_lines(bytes: &[u8]) -> Vec<&[u8]> {
    bytes.split_inclusive(|&b| b == b'\n').collect()
}

fn line_style_is_plain(style: &Style) -> bool {
    style.apply_to("x").to_string() == "x"
}

fn split_line_ending(line: &[u8]) -> (&[u8], &[u8]) {
    if let Some(body) = line.strip_suffix(b"\r\n") {
        (body, b"\r\n")
    } else if let Some(body) = line.strip_suffix(b"\n") {
        (body, b"\n")
    } else {
        (line, b"")
    }
}

#[cfg(test)]
mod tests;
