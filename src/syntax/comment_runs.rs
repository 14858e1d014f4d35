//! Long runs of comment lines, blanked for the parse: tree-sitter-python's scanner looks ahead
//! through every following comment line each time it meets one, so a run of `n` comment lines
//! costs `n²` (8,000 lines: seconds). Blank lines cost nothing, so the parser is given the text
//! with the inside of each long run turned into spaces; offsets, lines and every token outside
//! the blanked comments stay as they are.

use std::ops::Range;

/// Runs of more comment lines than this are blanked (all but their first and last line).
pub const LONG_RUN: usize = 32;

/// The text to parse in place of `text` when it holds a run of more than [`LONG_RUN`] comment
/// lines, or `None` when it holds none (nearly always: no copy is made).
///
/// A comment is blanked only when nothing but a comment can be on its line: after the
/// indentation it starts with `#` and holds no quote, backslash or brace, so that even inside
/// a triple-quoted string or an f-string the tokens are the same without it. Comments that
/// mention `noqa` keep their text for the suppressions. The first and last line of a run stay.
pub fn blanked_for_parse(text: &[u8]) -> Option<Vec<u8>> {
    let runs = long_runs(text);
    if runs.is_empty() {
        return None;
    }
    let mut copy = text.to_vec();
    for run in runs {
        for comment in run[1..run.len() - 1].iter().flatten() {
            copy[comment.clone()].fill(b' ');
        }
    }
    Some(copy)
}

/// One comment line of a run: the comment's range when it may be blanked.
type RunLine = Option<Range<usize>>;

/// The comment lines of each run of more than [`LONG_RUN`] of them; blank lines do not end a
/// run.
fn long_runs(text: &[u8]) -> Vec<Vec<RunLine>> {
    let mut runs = Vec::new();
    let mut run: Vec<RunLine> = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let end = memchr::memchr(b'\n', &text[start..]).map_or(text.len(), |i| start + i);
        let line = &text[start..end];
        match comment_start(line) {
            Some(hash) => run.push(blankable(line, hash).map(|r| start + r.start..start + r.end)),
            None if is_blank(line) => {}
            None => end_run(&mut run, &mut runs),
        }
        start = end + 1;
    }
    end_run(&mut run, &mut runs);
    runs
}

fn end_run(run: &mut Vec<RunLine>, runs: &mut Vec<Vec<RunLine>>) {
    if run.len() > LONG_RUN {
        runs.push(std::mem::take(run));
    } else {
        run.clear();
    }
}

/// Where the comment of a comment-only line starts.
fn comment_start(line: &[u8]) -> Option<usize> {
    let hash = line.iter().position(|&b| !is_indentation(b))?;
    (line[hash] == b'#').then_some(hash)
}

/// The comment from `hash` to the end of the line (without a `\r`), when it may be blanked.
fn blankable(line: &[u8], hash: usize) -> Option<Range<usize>> {
    let end = line.len() - usize::from(line.ends_with(b"\r"));
    let comment = &line[hash..end];
    let safe = !comment
        .iter()
        .any(|b| matches!(b, b'\'' | b'"' | b'\\' | b'{' | b'}' | b'\r'));
    (safe && !mentions_noqa(comment)).then_some(hash..end)
}

fn mentions_noqa(comment: &[u8]) -> bool {
    comment.windows(4).any(|w| w.eq_ignore_ascii_case(b"noqa"))
}

fn is_indentation(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\x0c')
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|&b| is_indentation(b) || b == b'\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comments(n: usize, indent: &str) -> String {
        (0..n).map(|i| format!("{indent}# note {i}\n")).collect()
    }

    #[test]
    fn short_runs_are_parsed_as_written() {
        let text = format!("x = 1\n{}y = 2\n", comments(LONG_RUN, ""));
        assert_eq!(blanked_for_parse(text.as_bytes()), None);
    }

    #[test]
    fn a_long_run_keeps_its_ends_and_every_offset() {
        let text = format!(
            "def f():\n    x = 1\n{}y = 2\n",
            comments(LONG_RUN + 1, "    ")
        );
        let blanked = blanked_for_parse(text.as_bytes()).expect("a long run");
        assert_eq!(blanked.len(), text.len());
        let lines: Vec<&[u8]> = blanked.split(|&b| b == b'\n').collect();
        assert_eq!(lines[2], b"    # note 0");
        assert_eq!(lines[3], b"            ");
        assert_eq!(lines[2 + LONG_RUN], b"    # note 32");
        assert_eq!(lines[3 + LONG_RUN], b"y = 2");
    }

    #[test]
    fn blank_lines_do_not_end_a_run_and_crlf_stays() {
        let text = (0..40)
            .map(|i| format!("# c{i}\r\n\r\n"))
            .collect::<String>();
        let blanked = blanked_for_parse(text.as_bytes()).expect("a long run");
        assert_eq!(&blanked[..14], b"# c0\r\n\r\n    \r\n");
        assert_eq!(blanked.iter().filter(|&&b| b == b'\r').count(), 80);
    }

    #[test]
    fn lines_that_could_be_string_text_or_suppressions_are_kept() {
        let kept = [
            "# it's here",
            "# \"q\"",
            "# a \\ b",
            "# {name}",
            "# noqa: LF001",
            "# loopfix: NOQA",
        ];
        for line in kept {
            let text = format!("{}{line}\n{}", comments(20, ""), comments(20, ""));
            let blanked = blanked_for_parse(text.as_bytes()).expect("a run of 41 lines");
            let shown = String::from_utf8(blanked).unwrap();
            assert!(shown.contains(line), "{line:?} was blanked");
        }
    }
}
