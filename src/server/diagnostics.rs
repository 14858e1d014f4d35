//! Findings as LSP diagnostics: the rule's code, a link to its documentation, the message, and
//! the range in the negotiated position encoding.

use std::str::FromStr;

use lsp_types::{CodeDescription, Diagnostic, DiagnosticSeverity, NumberOrString, Uri};

use super::documents::Document;
use super::engine::{Issue, RuleInfo};
use super::position::Encoding;

/// The `source` of every diagnostic.
pub const SOURCE: &str = "loopfix";

/// The diagnostics of `issues` in `document`. `docs_base` is where loopfix's repository files
/// are served from (the rule's documentation is `transforms/rules/CODE.md` below it); without
/// one, diagnostics carry no link.
pub fn to_diagnostics(
    issues: &[Issue],
    document: &Document,
    encoding: Encoding,
    docs_base: Option<&str>,
) -> Vec<Diagnostic> {
    issues
        .iter()
        .map(|issue| Diagnostic {
            range: document
                .index()
                .range(document.text(), issue.range.clone(), encoding),
            severity: Some(DiagnosticSeverity::WARNING),
            code: Some(NumberOrString::String(issue.rule.code().to_owned())),
            code_description: docs_base
                .and_then(|base| documentation_url(base, issue.rule))
                .map(|href| CodeDescription { href }),
            source: Some(SOURCE.to_owned()),
            message: issue.message.clone(),
            related_information: None,
            tags: None,
            data: None,
        })
        .collect()
}

/// The link to a rule's documentation file below `base`.
pub fn documentation_url(base: &str, rule: RuleInfo) -> Option<Uri> {
    let base = base.trim_end_matches('/');
    Uri::from_str(&format!("{base}/{}", rule.documentation_path())).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::engine;

    #[test]
    fn links_join_the_base_and_the_documentation_file() {
        let rule = engine::rule("LF005").unwrap();
        let url = documentation_url("https://example.org/loopfix/blob/v0.1.0/", rule).unwrap();
        assert_eq!(
            url.as_str(),
            "https://example.org/loopfix/blob/v0.1.0/transforms/rules/LF005.md"
        );
        assert!(documentation_url("not a url", rule).is_none());
    }
}
