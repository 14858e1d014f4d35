//! Hover on a finding: the documentation of its rule, as `loopfix rule CODE` prints it.

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

use super::documents::Document;
use super::engine::{Issue, RuleInfo};
use super::position::Encoding;

/// The hover at `position`: the documentation of the rules of the findings there (each once),
/// over the range of the first of them.
pub fn hover(
    issues: &[Issue],
    document: &Document,
    position: Position,
    encoding: Encoding,
) -> Option<Hover> {
    let offset = document.index().offset(document.text(), position, encoding);
    let here: Vec<&Issue> = issues
        .iter()
        .filter(|i| i.range.start <= offset && offset <= i.range.end)
        .collect();
    let first = here.first()?;
    let mut rules: Vec<RuleInfo> = Vec::new();
    for issue in &here {
        if !rules.contains(&issue.rule) {
            rules.push(issue.rule);
        }
    }
    let value = rules
        .iter()
        .map(|rule| rule.documentation().trim_end())
        .collect::<Vec<_>>()
        .join("\n\n---\n\n");
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: Some(
            document
                .index()
                .range(document.text(), first.range.clone(), encoding),
        ),
    })
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use lsp_types::Uri;

    use super::*;
    use crate::server::engine;

    #[test]
    fn hover_shows_the_rule_documentation_inside_the_range_only() {
        let uri = Uri::from_str("file:///p/app.py").unwrap();
        let text = "x = 'é'; y = run()\n";
        let document = Document::new(&uri, "python", 1, text.into());
        let start = text.find("run").unwrap();
        let issues = vec![Issue {
            rule: engine::rule("LF001").unwrap(),
            message: "m".into(),
            range: start..start + "run()".len(),
            fix: None,
        }];
        // Character 13 (UTF-16) is the `r` of `run`: `é` is one unit but two bytes.
        let found = hover(&issues, &document, Position::new(0, 13), Encoding::Utf16).unwrap();
        let HoverContents::Markup(markup) = found.contents else {
            panic!("markdown expected");
        };
        assert!(markup.value.starts_with("# asyncio-run-at-import (LF001)"));
        assert_eq!(found.range.unwrap().start, Position::new(0, 13));
        assert!(hover(&issues, &document, Position::new(0, 2), Encoding::Utf16).is_none());
    }
}
