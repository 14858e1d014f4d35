//! The first look at a file's bytes: whether it holds a needle (a file without one cannot have a
//! finding and is never parsed), its import tokens in the same pass, and the verdict on whether
//! a file with a needle needs the parse.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, Input, MatchKind};
use memchr::memmem;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

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

/// Whether the bytes could hold an import-time loop: a file without any needle cannot, unless
/// it spells a name with characters that Python reads as ASCII letters
/// ([`spells_names_in_compatibility_characters`]: `ａｓｙｎｃｉｏ` is `asyncio`).
/// (One multi-needle pass measured 2.5 times faster here than one SIMD search per needle.)
pub fn might_contain_loop(code: &[u8]) -> bool {
    NEEDLE_SEARCH.is_match(code) || spells_names_in_compatibility_characters(code)
}

/// Whether `code` holds a character whose NFKC normal form holds an ASCII letter or `_`
/// (full-width `ａ`, `＿`, mathematical `𝐚`, a ligature `ﬁ`, ...): Python reads identifiers
/// NFKC-normalized, so such a file may name `asyncio`, `run` or `get_event_loop` without any
/// needle in its bytes, and only the parse can tell. Letters of other scripts, accents, CJK
/// text and emoji in strings and comments are their own normal form and cost one table lookup
/// each; an ASCII file costs one vectorized test. (Bytes that are not UTF-8 are skipped.)
pub fn spells_names_in_compatibility_characters(code: &[u8]) -> bool {
    if code.is_ascii() {
        return false;
    }
    // Chunks of ASCII (most of a file with a few non-ASCII strings) are skipped a word at a
    // time; in the others each byte that may lead a folding character is decoded.
    code.chunks(64).enumerate().any(|(i, chunk)| {
        !chunk.is_ascii()
            && (0..chunk.len())
                .any(|at| may_lead_a_folding_char(chunk[at]) && char_folds_at(code, i * 64 + at))
    })
}

/// Whether the UTF-8 character that starts at `start` folds into ASCII letters.
fn char_folds_at(code: &[u8], start: usize) -> bool {
    let end = (start + 4).min(code.len());
    let valid = match std::str::from_utf8(&code[start..end]) {
        Ok(text) => text,
        Err(e) => std::str::from_utf8(&code[start..start + e.valid_up_to()]).unwrap_or_default(),
    };
    valid.chars().next().is_some_and(folds_into_ascii_letters)
}

/// Whether `byte` leads the UTF-8 sequence of a character in a folding block
/// ([`in_a_folding_block`]): U+0080 to U+02FF, U+1xxx, U+2xxx, U+3xxx, U+Axxx, U+Fxxx and
/// U+1xxxx. Continuation bytes never do, so the search finds each such character once.
fn may_lead_a_folding_char(byte: u8) -> bool {
    matches!(byte, 0xC2..=0xCB | 0xE1..=0xE3 | 0xEA | 0xEF | 0xF0)
}

/// Whether NFKC turns `c` into text with an ASCII letter or `_`.
fn folds_into_ascii_letters(c: char) -> bool {
    in_a_folding_block(c)
        && is_nfkc_quick(std::iter::once(c)) != IsNormalized::Yes
        && c.nfkc().any(|f| f.is_ascii_alphabetic() || f == '_')
}

/// Whether `c` lies in one of the blocks of 256 code points that hold every character NFKC
/// folds into an ASCII letter or `_` (Latin-1 and Latin Extended, modifier letters, phonetic
/// extensions, super- and subscripts, letterlike symbols and numerals, enclosed and squared
/// letters, ligatures, full-width forms, mathematical letters): CJK, Cyrillic, Greek, Arabic,
/// Hangul and the rest are skipped without a table lookup. A test checks every code point.
fn in_a_folding_block(c: char) -> bool {
    matches!(
        u32::from(c) >> 8,
        0x00..=0x02
            | 0x1D
            | 0x1E
            | 0x20
            | 0x21
            | 0x24
            | 0x2C
            | 0x32
            | 0x33
            | 0xA7
            | 0xFB
            | 0xFE
            | 0xFF
            | 0x107
            | 0x1CC
            | 0x1D4..=0x1D6
            | 0x1F1
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_character_that_folds_into_ascii_letters_is_in_a_folding_block() {
        let lead = |c: char| c.encode_utf8(&mut [0; 4]).as_bytes()[0];
        let outside: Vec<char> = ('\u{80}'..=char::MAX)
            .filter(|&c| !in_a_folding_block(c) || !may_lead_a_folding_char(lead(c)))
            .filter(|c| c.nfkc().any(|f| f.is_ascii_alphabetic() || f == '_'))
            .collect();
        assert!(outside.is_empty(), "{outside:?}");
    }
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
        might_contain_loop: might_contain_loop || spells_names_in_compatibility_characters(code),
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
/// A module that spells names in compatibility characters is always parsed: the scan reads
/// names as bytes.
pub fn parse_verdict(code: &[u8], full_parse: bool) -> (ParseNeed, Vec<&[u8]>) {
    let folded = spells_names_in_compatibility_characters(code);
    if !folded && !NEEDLE_SEARCH.is_match(code) {
        return (ParseNeed::Skip, Vec::new());
    }
    if full_parse || folded || memmem::find(code, GUARD_DOCSTRING.as_bytes()).is_some() {
        return (ParseNeed::Parse, Vec::new());
    }
    verdict(code)
}
