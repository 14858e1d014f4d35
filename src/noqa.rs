//! Suppression comments: `# noqa`, `# noqa: LF001`, `# loopfix: ignore[LF001]` on a finding's
//! first line.

use tree_sitter::Node;

use crate::rules::Rule;
use crate::source::SourceFile;

/// What a line's trailing comment suppresses.
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
}

/// The suppression of the line that holds `offset`, read from its trailing comment.
pub fn suppression_at(src: &SourceFile, root: Node, offset: usize) -> Option<Suppression> {
    let line = src.line_range(src.line_index(offset));
    let code = src.code();
    let last = (line.start..line.end)
        .rev()
        .find(|&i| !code[i].is_ascii_whitespace())?;
    let node = root.descendant_for_byte_range(last, last + 1)?;
    if node.kind() != "comment" {
        return None;
    }
    parse_comment(&String::from_utf8_lossy(&code[node.byte_range()]))
}

/// Parses the suppression directives of one comment.
pub fn parse_comment(comment: &str) -> Option<Suppression> {
    // A comment may hold several directives: `# type: ignore  # noqa: LF001`.
    for part in comment.split('#').map(str::trim) {
        let lower = part.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("noqa") {
            let rest = rest.trim_start();
            let Some(list) = rest.strip_prefix(':') else {
                if rest.is_empty() || !rest.starts_with(|c: char| c.is_alphanumeric()) {
                    return Some(Suppression::All);
                }
                continue;
            };
            return Some(codes(list));
        }
        if let Some(rest) = lower.strip_prefix("loopfix:") {
            let rest = rest.trim_start();
            let Some(rest) = rest.strip_prefix("ignore") else {
                continue;
            };
            let rest = rest.trim_start();
            return match rest.strip_prefix('[') {
                Some(list) => Some(codes(list.split(']').next().unwrap_or(""))),
                None => Some(Suppression::All),
            };
        }
    }
    None
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
}
