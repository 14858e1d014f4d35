//! Unified diffs of rewritten files: `--- a/path` / `+++ b/path` headers that `git apply` and
//! `patch -p1` accept, "\ No newline at end of file" markers, optional colour.

use std::io::{self, Write};

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

/// Writes the unified diff of `old` -> `new` for the file at `path` (a path with `/`; a
/// relative one gets git's `a/` and `b/` prefixes, an absolute one is written as it is, as
/// `diff -u` does).
pub fn write_diff(
    out: &mut dyn Write,
    path: &str,
    old: &[u8],
    new: &[u8],
    style: &DiffStyle,
) -> io::Result<()> {
    if old == new {
        return Ok(());
    }
    let diff = TextDiff::from_lines(old, new);
    let (a, b) = if path.starts_with('/') {
        ("", "")
    } else {
        ("a/", "b/")
    };
    let header_a = format!("--- {a}{path}");
    let header_b = format!("+++ {b}{path}");
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
            let value: &[u8] = change.value();
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
        }
    }
    Ok(())
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

/// The unified diff as bytes.
pub fn diff_bytes(path: &str, old: &[u8], new: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    write_diff(&mut out, path, old, new, &DiffStyle::default())
        .expect("writing to a Vec cannot fail");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn absolute_paths_have_no_git_prefixes() {
        let text = String::from_utf8(diff_bytes("/srv/app/m.py", b"a\n", b"b\n")).unwrap();
        assert!(
            text.starts_with("--- /srv/app/m.py\n+++ /srv/app/m.py\n"),
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
}
