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
    /// The file is a package's `__main__.py`: an entry point (SPEC §4.5).
    pub dunder_main: bool,
}

/// What the analysis of one source finds.
#[derive(Debug, Default)]
pub struct Analyzed {
    /// The findings, sorted by position; suppressed and unselected ones left out.
    pub findings: Vec<Finding>,
    /// Fixes that follow another module's fix and are no findings of their own (a read of
    /// `m.X` awaits `m`'s new guard first), each with the read it rewrites: `fix` applies them
    /// with that module's fix; nothing reports them.
    pub follow_ups: Vec<Finding>,
    /// What the source exports to the rest of the project.
    pub exports: Exports,
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
    analyze_fully(src, options).map(|a| (a.findings, a.exports))
}

/// The findings of one source, the fixes that follow other modules' fixes, and what the source
/// exports.
pub fn analyze_fully(src: &SourceFile, options: &AnalysisOptions) -> Result<Analyzed, ParseError> {
    if options.project.is_none() && !needs_parse(src.code(), options.full_parse) {
        return Ok(Analyzed::default());
    }
    parse::check_size(src.code().len())?;
    let tree = parse::parse(src.parse_text())?;
    Ok(analyze_tree_fully(src, &tree, options))
}

/// [`analyze_with_exports`] of a source already parsed into `tree` (by [`parse::parse`] or
/// [`parse::parse_reusing`], so without syntax errors): the language server re-parses each
/// version of a document from the tree of the one before.
pub fn analyze_tree(
    src: &SourceFile,
    tree: &tree_sitter::Tree,
    options: &AnalysisOptions,
) -> (Vec<Finding>, Exports) {
    let analyzed = analyze_tree_fully(src, tree, options);
    (analyzed.findings, analyzed.exports)
}

/// [`analyze_fully`] of a source already parsed into `tree`.
pub fn analyze_tree_fully(
    src: &SourceFile,
    tree: &tree_sitter::Tree,
    options: &AnalysisOptions,
) -> Analyzed {
    let model = Model::build(tree, src.parse_text());
    let analysis = crate::fix::analyze(
        &model,
        src,
        &options.fix,
        options.project.as_deref(),
        options.dunder_main,
    );
    let reported = |findings: Vec<Finding>| -> Vec<Finding> {
        findings
            .into_iter()
            .filter(|f| options.rules.contains(f.rule))
            .filter(|f| {
                noqa::suppression_at(src, tree.root_node(), f.range.start)
                    .is_none_or(|s| !s.covers(f.rule))
            })
            .collect()
    };
    Analyzed {
        findings: reported(analysis.findings),
        follow_ups: reported(analysis.follow_ups),
        exports: analysis.exports,
    }
}
