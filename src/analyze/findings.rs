//! The findings of one source: prefilter, parse, semantic model, passes, rule selection,
//! suppression.

use std::sync::Arc;

use crate::diagnostic::Finding;
use crate::lexer::needs_parse;
use crate::noqa;
use crate::options::FixOptions;
use crate::project::{Exports, ProjectContext};
use crate::rules::RuleSet;
use crate::semantic::Model;
use crate::source::SourceFile;
use crate::syntax::parse::{self, ParseError};

/// What the analysis of one file needs to know.
#[derive(Debug, Clone, Default)]
pub struct AnalysisOptions {
    /// Rules to report.
    pub rules: RuleSet,
    /// How fixes are built.
    pub fix: Arc<FixOptions>,
    /// The rest of the project, in the second phase.
    pub project: Option<Arc<ProjectContext>>,
    /// Parse every file that holds a needle, without the lexical fast path (for comparisons).
    pub full_parse: bool,
}

/// The findings of one source, sorted by position; suppressed and unselected ones left out.
pub fn analyze(src: &SourceFile, options: &AnalysisOptions) -> Result<Vec<Finding>, ParseError> {
    analyze_with_exports(src, options).map(|(findings, _)| findings)
}

/// The findings of one source and what it exports to the rest of the project.
pub fn analyze_with_exports(
    src: &SourceFile,
    options: &AnalysisOptions,
) -> Result<(Vec<Finding>, Exports), ParseError> {
    if options.project.is_none() && !needs_parse(src.code(), options.full_parse) {
        return Ok((Vec::new(), Exports::default()));
    }
    parse::check_size(src.code().len())?;
    let tree = parse::parse(src.parse_text())?;
    Ok(analyze_tree(src, &tree, options))
}

/// [`analyze_with_exports`] of a source already parsed into `tree` (by [`parse::parse`] or
/// [`parse::parse_reusing`], so without syntax errors): the language server re-parses each
/// version of a document from the tree of the one before.
pub fn analyze_tree(
    src: &SourceFile,
    tree: &tree_sitter::Tree,
    options: &AnalysisOptions,
) -> (Vec<Finding>, Exports) {
    let model = Model::build(tree, src.parse_text());
    let analysis = crate::fix::analyze(&model, src, &options.fix, options.project.as_deref());
    let findings = analysis
        .findings
        .into_iter()
        .filter(|f| options.rules.contains(f.rule))
        .filter(|f| {
            noqa::suppression_at(src, tree.root_node(), f.range.start)
                .is_none_or(|s| !s.covers(f.rule))
        })
        .collect();
    (findings, analysis.exports)
}
