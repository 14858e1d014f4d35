//! Suppression comments: `# noqa`, `# noqa: LF001`, `# loopfix: ignore[LF001]` on a finding's
//! line (the line a comment can end: a line inside a multi-line string or ending in a
//! backslash passes on to the line that closes it, as in ruff), the file-level
//! `# loopfix: noqa` and `# loopfix: noqa: LF001`, and the directives `--add-noqa` writes.

use std::collections::BTreeMap;
use std::ops::Range;

use tree_sitter::Node;

use crate::rules::Rule;
use crate::source::SourceFile;

/// What a line's trailing comment (or a file-level comment) suppresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Suppression {
    /// Every rule.
    All,
    /// These codes (as written, upper-cased).
    Codes(Vec<String>),
}

impl Suppression {
    /// Whether it suppresses `rule`.
    pub fn covers(&self, rule: Rule) -> bool {
        match self {
            Suppression::All => true,
            Suppression::Codes(codes) => codes.iter().any(|c| c == rule.code()),
        }
    }

    /// Both suppressions together.
    fn union(self, other: Suppression) -> Suppression {
        match (self, other) {
            (Suppression::Codes(mut a), Suppression::Codes(b)) => {
                for code in b {
                    if !a.contains(&code) {
                        a.push(code);
                    }
                }
                Suppression::Codes(a)
            }
            _ => Suppression::All,
        }
    }
}

/// What suppresses a finding at `offset`: the directive that ends its line (see
/// [`directive_line`]) together with the file-level `# loopfix: noqa` comments.
pub fn suppression_at(src: &SourceFile, root: Node, offset: usize) -> Option<Suppression> {
    let line = directive_line(src, root, offset);
    let local = trailing_comment(src, root, line).and_then(|c| parse_comment(&text(src, &c)));
    match (local, file_suppression(src, root)) {
        (Some(a), Some(b)) => Some(a.union(b)),
        (a, b) => a.or(b),
    }
}

/// The 0-based line whose end carries the suppression of a finding at `offset`: the line
/// holding it, or, when that line ends inside a multi-line string or with a backslash
/// continuation, the line that closes the string or the continuation (where ruff reads and
/// writes `# noqa`). A finding in a bracketed statement over several lines is suppressed on
/// the line where it starts: a comment may end any line of it.
pub fn directive_line(src: &SourceFile, root: Node, offset: usize) -> usize {
    let code = src.code();
    let mut line = src.line_index(offset);
    // Each step moves down at least one line, so the loop ends.
    while line + 1 < src.line_count() {
        let range = src.line_range(line);
        let Some(last) = last_non_blank(code, &range) else {
            return line;
        };
        if let Some(end) = open_string_end(root, last, range.end) {
            line = src.line_index(end.saturating_sub(1)).max(line + 1);
        } else if code[last] == b'\\' && !in_comment(root, last) {
            line += 1;
        } else {
            return line;
        }
    }
    line
}

/// The comment that ends 0-based `line`, if any, as a byte range.
fn trailing_comment(src: &SourceFile, root: Node, line: usize) -> Option<Range<usize>> {
    let last = last_non_blank(src.code(), &src.line_range(line))?;
    let node = root.descendant_for_byte_range(last, last + 1)?;
    (node.kind() == "comment").then(|| node.byte_range())
}

fn last_non_blank(code: &[u8], range: &Range<usize>) -> Option<usize> {
    range
        .clone()
        .rev()
        .find(|&i| !matches!(code[i], b' ' | b'\t' | b'\x0c'))
}

/// The end of the outermost string holding byte `at` when that string goes on past `line_end`.
fn open_string_end(root: Node, at: usize, line_end: usize) -> Option<usize> {
    let mut node = root.descendant_for_byte_range(at, at + 1);
    let mut end = None;
    while let Some(n) = node {
        if n.kind() == "string" && n.end_byte() > line_end {
            end = Some(n.end_byte());
        }
        node = n.parent();
    }
    end
}

fn in_comment(root: Node, at: usize) -> bool {
    root.descendant_for_byte_range(at, at + 1)
        .is_some_and(|n| n.kind() == "comment")
}

fn text(src: &SourceFile, range: &Range<usize>) -> String {
    String::from_utf8_lossy(&src.code()[range.clone()]).into_owned()
}

/// What the file-level comments (`# loopfix: noqa`, `# loopfix: noqa: LF001`) suppress in the
/// whole file. Each must be a comment of its own (it may follow code on its line).
pub fn file_suppression(src: &SourceFile, root: Node) -> Option<Suppression> {
    let code = src.code();
    let mut found: Option<Suppression> = None;
    for at in memchr::memmem::find_iter(code, b"loopfix") {
        let Some(node) = root.descendant_for_byte_range(at, at + 1) else {
            continue;
        };
        if node.kind() != "comment" {
            continue;
        }
        let Some(this) = parse_file_comment(&String::from_utf8_lossy(&code[node.byte_range()]))
        else {
            continue;
        };
        found = Some(match found {
            Some(before) => before.union(this),
            None => this,
        });
    }
    found
}

/// Parses a file-level directive: a comment that starts `# loopfix: noqa` (any case), with
/// an optional `: CODE, CODE` list.
pub fn parse_file_comment(comment: &str) -> Option<Suppression> {
    let lower = comment.to_ascii_lowercase();
    let rest = lower.strip_prefix('#')?.trim_start();
    let rest = rest.strip_prefix("loopfix:")?.trim_start();
    let rest = rest.strip_prefix("noqa")?;
    if rest.starts_with(|c: char| c.is_alphanumeric()) {
        return None;
    }
    let rest = rest.trim_start();
    match rest.strip_prefix(':') {
        Some(list) => Some(codes(list)),
        None => Some(Suppression::All),
    }
}

/// Parses the suppression directives of one comment; several directives in one comment
/// (`# loopfix: ignore[LF002]  # noqa: LF001`) suppress what each does.
pub fn parse_comment(comment: &str) -> Option<Suppression> {
    comment
        .split('#')
        .filter_map(|part| parse_directive(part.trim()))
        .reduce(Suppression::union)
}

/// One directive: `noqa`, `noqa: CODES`, `loopfix: ignore`, `loopfix: ignore[CODES]`.
fn parse_directive(part: &str) -> Option<Suppression> {
    let lower = part.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("noqa") {
        let rest = rest.trim_start();
        return match rest.strip_prefix(':') {
            Some(list) => Some(codes(list)),
            None if rest.is_empty() || !rest.starts_with(|c: char| c.is_alphanumeric()) => {
                Some(Suppression::All)
            }
            None => None,
        };
    }
    let rest = lower.strip_prefix("loopfix:")?.trim_start();
    let rest = rest.strip_prefix("ignore")?.trim_start();
    match rest.strip_prefix('[') {
        Some(list) => Some(codes(list.split(']').next().unwrap_or(""))),
        None => Some(Suppression::All),
    }
}

/// The source with a `# noqa: CODES` directive on the line of each finding (`offset`, rule)
/// that nothing suppresses yet, and how many lines got one; `None` when no line changes.
///
/// A line's directive goes where [`suppression_at`] reads it ([`directive_line`]). Codes
/// join the `# noqa: X` directive a line already has (`# noqa: X, LF001`); else
/// `  # noqa: LF001` is added after the line's last character (or its comment). Nothing
/// else changes: line endings, BOM, tabs and trailing blanks stay as they are.
pub fn add_directives(
    src: &SourceFile,
    root: Node,
    findings: &[(usize, Rule)],
) -> Option<(Vec<u8>, usize)> {
    let mut by_line: BTreeMap<usize, Vec<Rule>> = BTreeMap::new();
    for &(offset, rule) in findings {
        if suppression_at(src, root, offset).is_some_and(|s| s.covers(rule)) {
            continue;
        }
        let rules = by_line
            .entry(directive_line(src, root, offset))
            .or_default();
        if !rules.contains(&rule) {
            rules.push(rule);
        }
    }
    let mut edits: Vec<(usize, Vec<u8>)> = by_line
        .into_iter()
        .map(|(line, mut rules)| {
            rules.sort_by_key(|r| r.code());
            line_edit(src, root, line, &rules)
        })
        .collect();
    if edits.is_empty() {
        return None;
    }
    edits.sort_by_key(|(at, _)| *at);
    let code = src.code();
    let mut out = Vec::with_capacity(code.len() + edits.len() * 16);
    let mut copied = 0;
    for (at, insert) in &edits {
        out.extend_from_slice(&code[copied..*at]);
        out.extend_from_slice(insert);
        copied = *at;
    }
    out.extend_from_slice(&code[copied..]);
    Some((out, edits.len()))
}

/// Where and what to insert on 0-based `line` so that its directive covers `rules`.
fn line_edit(src: &SourceFile, root: Node, line: usize, rules: &[Rule]) -> (usize, Vec<u8>) {
    let list = rules
        .iter()
        .map(|r| r.code())
        .collect::<Vec<_>>()
        .join(", ");
    if let Some(comment) = trailing_comment(src, root, line) {
        if let Some(end) = noqa_codes_end(&src.code()[comment.clone()]) {
            return (comment.start + end, format!(", {list}").into_bytes());
        }
        return (comment.end, format!("  # noqa: {list}").into_bytes());
    }
    let range = src.line_range(line);
    let at = last_non_blank(src.code(), &range).map_or(range.start, |i| i + 1);
    (at, format!("  # noqa: {list}").into_bytes())
}

/// In a comment's bytes, the offset just after the last code of its `noqa: CODES` directive.
fn noqa_codes_end(comment: &[u8]) -> Option<usize> {
    let mut search = 0;
    while let Some(found) = memchr::memchr(b'#', &comment[search..]) {
        let hash = search + found;
        search = hash + 1;
        let mut i = skip(comment, hash + 1, |b| b == b' ' || b == b'\t');
        if !comment
            .get(i..i + 4)
            .is_some_and(|word| word.eq_ignore_ascii_case(b"noqa"))
        {
            continue;
        }
        i = skip(comment, i + 4, |b| b == b' ' || b == b'\t');
        if comment.get(i) != Some(&b':') {
            continue;
        }
        let mut last_end = None;
        i += 1;
        loop {
            i = skip(comment, i, |b| b == b',' || b.is_ascii_whitespace());
            let letters = skip(comment, i, |b| b.is_ascii_alphabetic());
            let digits = skip(comment, letters, |b| b.is_ascii_digit());
            let ends_word = comment
                .get(digits)
                .is_none_or(|b| !b.is_ascii_alphanumeric());
            if letters == i || digits == letters || !ends_word {
                break;
            }
            last_end = Some(digits);
            i = digits;
        }
        if last_end.is_some() {
            return last_end;
        }
    }
    None
}

fn skip(bytes: &[u8], from: usize, what: impl Fn(u8) -> bool) -> usize {
    from + bytes[from..].iter().take_while(|&&b| what(b)).count()
}

fn codes(list: &str) -> Suppression {
    let codes: Vec<String> = list
        .split(|c: char| c == ',' || c.is_whitespace())
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .take_while(|c| looks_like_code(c))
        .map(str::to_ascii_uppercase)
        .collect();
    if codes.is_empty() {
        Suppression::All
    } else {
        Suppression::Codes(codes)
    }
}

/// `LF001`, `E501`: letters, then digits.
fn looks_like_code(text: &str) -> bool {
    let letters = text.chars().take_while(char::is_ascii_alphabetic).count();
    letters > 0 && text.len() > letters && text[letters..].chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_are_recognised() {
        assert_eq!(parse_comment("# noqa"), Some(Suppression::All));
        assert_eq!(
            parse_comment("# NOQA: LF001, LF002"),
            Some(Suppression::Codes(vec!["LF001".into(), "LF002".into()]))
        );
        assert_eq!(
            parse_comment("# noqa:LF003 explained"),
            Some(Suppression::Codes(vec!["LF003".into()]))
        );
        assert_eq!(
            parse_comment("# loopfix: ignore[LF001]"),
            Some(Suppression::Codes(vec!["LF001".into()]))
        );
        assert_eq!(parse_comment("# loopfix: ignore"), Some(Suppression::All));
        assert_eq!(
            parse_comment("# type: ignore  # noqa: LF001"),
            Some(Suppression::Codes(vec!["LF001".into()]))
        );
        assert_eq!(parse_comment("# a normal comment"), None);
        assert_eq!(parse_comment("# noqability"), None);
    }

    fn with_tree<T>(text: &str, f: impl FnOnce(&SourceFile, Node) -> T) -> T {
        let src = SourceFile::new(text.as_bytes().to_vec()).unwrap();
        let tree = crate::syntax::parse::parse(src.parse_text()).unwrap();
        f(&src, tree.root_node())
    }

    fn added(text: &str, findings: &[(&str, Rule)]) -> Option<(String, usize)> {
        with_tree(text, |src, root| {
            let at: Vec<(usize, Rule)> = findings
                .iter()
                .map(|(needle, rule)| (text.find(needle).unwrap(), *rule))
                .collect();
            add_directives(src, root, &at).map(|(code, n)| (String::from_utf8(code).unwrap(), n))
        })
    }

    #[test]
    fn directives_are_added_merged_and_not_repeated() {
        let text = "a = run(x)\nb = run(y)  # noqa: E501 long\nc = run(z)  # type: ignore\n";
        let (out, n) = added(
            text,
            &[
                ("run(x)", Rule::AsyncioRunAtImport),
                ("run(x)", Rule::GetEventLoopAtImport),
                ("run(y)", Rule::AsyncioRunAtImport),
                ("run(z)", Rule::AsyncioRunAtImport),
            ],
        )
        .unwrap();
        assert_eq!(
            out,
            "a = run(x)  # noqa: LF001, LF003\nb = run(y)  # noqa: E501, LF001 long\nc = run(z)  # type: ignore  # noqa: LF001\n"
        );
        assert_eq!(n, 3);
        let again = added(
            &out,
            &[
                ("run(x)", Rule::AsyncioRunAtImport),
                ("run(z)", Rule::AsyncioRunAtImport),
            ],
        );
        assert_eq!(again, None);
    }

    #[test]
    fn a_line_inside_a_string_or_continued_passes_the_directive_on() {
        let text = "a = run(f(\"\"\"\n  text\n\"\"\"))\nb = run(1) + \\\n    2\n";
        let (out, n) = added(
            text,
            &[
                ("run(f", Rule::AsyncioRunAtImport),
                ("run(1)", Rule::AsyncioRunAtImport),
            ],
        )
        .unwrap();
        assert_eq!(
            out,
            "a = run(f(\"\"\"\n  text\n\"\"\"))  # noqa: LF001\nb = run(1) + \\\n    2  # noqa: LF001\n"
        );
        assert_eq!(n, 2);
        with_tree(&out, |src, root| {
            for needle in ["run(f", "run(1)"] {
                let s = suppression_at(src, root, out.find(needle).unwrap());
                assert!(
                    s.is_some_and(|s| s.covers(Rule::AsyncioRunAtImport)),
                    "{needle}"
                );
            }
        });
    }

    #[test]
    fn file_level_directives_cover_the_whole_file() {
        let text = "# loopfix: noqa: LF001\na = run(x)\n";
        with_tree(text, |src, root| {
            let s = suppression_at(src, root, text.find("run").unwrap()).unwrap();
            assert!(s.covers(Rule::AsyncioRunAtImport));
            assert!(!s.covers(Rule::GetEventLoopAtImport));
        });
        let text = "a = run(x)\n# loopfix: noqa\n";
        with_tree(text, |src, root| {
            assert_eq!(file_suppression(src, root), Some(Suppression::All));
        });
        let text = "a = \"# loopfix: noqa\"\n# loopfix: noqaish\n";
        with_tree(text, |src, root| {
            assert_eq!(file_suppression(src, root), None);
        });
    }

    #[test]
    fn several_directives_in_one_comment_add_up() {
        assert_eq!(
            parse_comment("# loopfix: ignore[LF002]  # noqa: LF001"),
            Some(Suppression::Codes(vec!["LF002".into(), "LF001".into()]))
        );
        assert_eq!(
            parse_comment("# noqa: LF001  # noqa"),
            Some(Suppression::All)
        );
    }
}
