//! Analysis of one source: prefilter, parse, semantic model, passes, rule selection, suppression.

use aho_corasick::{AhoCorasick, Input, MatchKind};
use memchr::memmem;
use std::sync::{Arc, LazyLock};

pub use crate::lexer::ParseNeed;

use crate::edit::Finding;
use crate::noqa;
use crate::parse::{self, ParseError};
use crate::project::{Exports, ImportTokens, ImportTokensBuilder, ProjectContext};
use crate::rules::Rule;
use crate::semantic::Model;
use crate::source::SourceFile;
use crate::transform::{self, FixOptions};

/// Which rules are on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleSet {
    enabled: [bool; Rule::ALL.len()],
}

impl RuleSet {
    /// Every rule.
    pub fn all() -> Self {
        RuleSet {
            enabled: [true; Rule::ALL.len()],
        }
    }

    /// No rule.
    pub fn none() -> Self {
        RuleSet {
            enabled: [false; Rule::ALL.len()],
        }
    }

    /// Turns `rule` on or off.
    pub fn set(&mut self, rule: Rule, on: bool) {
        self.enabled[rule as usize] = on;
    }

    /// Whether `rule` is on.
    pub fn contains(&self, rule: Rule) -> bool {
        self.enabled[rule as usize]
    }

    /// Whether any rule is on.
    pub fn any(&self) -> bool {
        self.enabled.iter().any(|&on| on)
    }
}

impl Default for RuleSet {
    fn default() -> Self {
        RuleSet::all()
    }
}

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

/// Byte strings one of which any file with a finding holds: loop libraries, `Mangum` (LF006),
/// and the docstring of loopfix's own guards and `init()` (what other modules must know).
const NEEDLES: &[&str] = &[
    "asyncio",
    "get_event_loop",
    "run_until_complete",
    "new_event_loop",
    "uvloop",
    "anyio",
    "Mangum",
    GUARD_DOCSTRING,
];

/// Leftmost-first semantics let the automaton use its SIMD (Teddy) prefilter, which the
/// standard semantics rule out; for a yes-or-no answer the semantics make no difference.
static NEEDLE_SEARCH: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .build(NEEDLES)
        .expect("the needles are a handful of short literals")
});

/// Whether the bytes could hold an import-time loop: a file without any needle cannot.
/// (One multi-needle pass measured 2.5 times faster here than one SIMD search per needle.)
pub fn might_contain_loop(code: &[u8]) -> bool {
    NEEDLE_SEARCH.is_match(code)
}

/// What one pass over a file's bytes tells: whether it holds a needle
/// ([`might_contain_loop`]), and its import tokens ([`crate::project::import_tokens`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstLook {
    /// Whether the file holds a needle.
    pub might_contain_loop: bool,
    /// The identifiers of its import lines.
    pub tokens: ImportTokens,
}

/// The needles and the word `import`, found in one pass. None of them can overlap another, so
/// the leftmost-first search finds every occurrence of each.
static FIRST_LOOK_SEARCH: LazyLock<AhoCorasick> = LazyLock::new(|| {
    let mut patterns: Vec<&[u8]> = NEEDLES.iter().map(|n| n.as_bytes()).collect();
    patterns.push(crate::project::IMPORT_WORD);
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .build(patterns)
        .expect("the needles are a handful of short literals")
});

/// [`might_contain_loop`] and [`crate::project::import_tokens`] in one pass over `code`: the
/// first look the run takes at every file.
pub fn first_look(code: &[u8]) -> FirstLook {
    let import = NEEDLES.len();
    let mut might_contain_loop = false;
    let mut tokens = ImportTokensBuilder::default();
    let mut from = 0;
    while let Some(found) = FIRST_LOOK_SEARCH.find(Input::new(code).range(from..)) {
        if found.pattern().as_usize() != import {
            might_contain_loop = true;
            from = found.end();
            continue;
        }
        let Some(line) = crate::project::import_line_at(code, found.start()) else {
            from = found.end();
            continue;
        };
        tokens.add_line(&code[line.clone()]);
        // The search goes on after the line: a needle after `import` on it counts here.
        let rest = &code[found.end()..line.end.max(found.end())];
        might_contain_loop = might_contain_loop || self::might_contain_loop(rest);
        from = line.end.max(found.end());
    }
    FirstLook {
        might_contain_loop,
        tokens: tokens.finish(),
    }
}

/// The largest file loopfix parses. Tree-sitter needs about fifty times a file's size in memory;
/// a module this large is generated code, and a clear refusal beats gigabytes of memory.
pub const MAX_PARSE_BYTES: usize = 8 * 1024 * 1024;

/// The docstring of loopfix's guards and `init()`: a module holding it exports late globals.
const GUARD_DOCSTRING: &str = "inside the running event loop";

/// Whether a source needs the full parse: it holds a needle, and the lexical pass finds
/// import-time code (or a module-level function) that may run a loop, or loopfix's own guards.
pub fn needs_parse(code: &[u8], full_parse: bool) -> bool {
    parse_need(code, full_parse) != ParseNeed::Skip
}

/// [`needs_parse`], telling the modules whose only loops are in functions they do not call at
/// import time (parsed only when another module may import them) from the rest.
pub fn parse_need(code: &[u8], full_parse: bool) -> ParseNeed {
    parse_verdict(code, full_parse).0
}

/// [`parse_need`], with the functions another module must call at import time for a
/// [`ParseNeed::IfImported`] module to matter ([`crate::lexer::verdict`]).
pub fn parse_verdict(code: &[u8], full_parse: bool) -> (ParseNeed, Vec<&[u8]>) {
    if !might_contain_loop(code) {
        return (ParseNeed::Skip, Vec::new());
    }
    if full_parse || memmem::find(code, GUARD_DOCSTRING.as_bytes()).is_some() {
        return (ParseNeed::Parse, Vec::new());
    }
    crate::lexer::verdict(code)
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
    if src.code().len() > MAX_PARSE_BYTES {
        return Err(ParseError::TooLarge {
            size: src.code().len(),
            limit: MAX_PARSE_BYTES,
        });
    }
    let tree = parse::parse(src.parse_text())?;
    Ok(analyze_tree(src, &tree, options))
}

/// [`analyze_with_exports`] of a source already parsed (by [`parse::parse`] or
/// [`parse::parse_reusing`], so without syntax errors) into `tree`.
pub fn analyze_tree(
    src: &SourceFile,
    tree: &tree_sitter::Tree,
    options: &AnalysisOptions,
) -> (Vec<Finding>, Exports) {
    let model = Model::build(tree, src.parse_text());
    let analysis = transform::analyze(&model, src, &options.fix, options.project.as_deref());
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
