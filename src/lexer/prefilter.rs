//! The first look at a file's bytes: whether it holds a needle (a file without one cannot have a
//! finding and is never parsed), its import tokens in the same pass, and the verdict on whether
//! a file with a needle needs the parse.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, Input, MatchKind};
use memchr::memmem;

use super::imports::{IMPORT_WORD, ImportTokens, ImportTokensBuilder, import_line_at};
use super::scan::{ParseNeed, verdict};

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
/// ([`might_contain_loop`]), and its import tokens ([`super::imports::import_tokens`]).
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
    patterns.push(IMPORT_WORD);
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .build(patterns)
        .expect("the needles are a handful of short literals")
});

/// [`might_contain_loop`] and [`super::imports::import_tokens`] in one pass over `code`: the
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
        let Some(line) = import_line_at(code, found.start()) else {
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
/// [`ParseNeed::IfImported`] module to matter ([`verdict`]).
pub fn parse_verdict(code: &[u8], full_parse: bool) -> (ParseNeed, Vec<&[u8]>) {
    if !might_contain_loop(code) {
        return (ParseNeed::Skip, Vec::new());
    }
    if full_parse || memmem::find(code, GUARD_DOCSTRING.as_bytes()).is_some() {
        return (ParseNeed::Parse, Vec::new());
    }
    verdict(code)
}
