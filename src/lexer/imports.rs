//! The import statements of a file, read with the tokenizer: the modules they name, and their
//! identifiers as a small set of hashes ([`ImportTokens`]) that tells, without the file's bytes,
//! whether it may import a module of the project.

use std::ops::Range;

use super::shapes::{is_import, statements};
use super::tokens::{
    Token, continued_line_start, for_each_logical_line, is_word_byte, logical_line_end,
};

/// The modules a file's import statements name, anywhere in the file (only the lines that hold
/// `import` are lexed): `import a.b as c` gives
/// `a.b`; `from pkg import x, y` gives `pkg`, `pkg.x` and `pkg.y` (each may be a submodule);
/// relative names keep their dots (`from . import config` gives `.` and `.config`).
pub fn imported_modules(code: &[u8]) -> Vec<String> {
    let mut modules = Vec::new();
    for range in import_lines(code) {
        for_each_logical_line(&code[range], |line| {
            for statement in statements(&line.tokens).filter(|s| is_import(s)) {
                modules.extend(modules_of_import(statement));
            }
            true
        });
    }
    modules.sort();
    modules.dedup();
    modules
}

fn modules_of_import(tokens: &[Token]) -> Vec<String> {
    // Dotted names, split at `,` (lexed as Other), `as`, `import` and brackets.
    let mut groups: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut after_as = false;
    let mut from_module: Option<String> = None;
    let finish = |current: &mut String, groups: &mut Vec<String>| {
        if !current.is_empty() {
            groups.push(std::mem::take(current));
        }
    };
    for token in tokens {
        match token {
            Token::Word(b"from") => {}
            Token::Word(b"import") => {
                finish(&mut current, &mut groups);
                from_module = groups.pop().or_else(|| Some(String::new()));
                if tokens.first() == Some(&Token::Word(b"import")) {
                    from_module = None;
                }
            }
            Token::Word(b"as") => {
                finish(&mut current, &mut groups);
                after_as = true;
            }
            Token::Word(word) => {
                if after_as {
                    after_as = false;
                    continue;
                }
                current.push_str(&String::from_utf8_lossy(word));
            }
            Token::Dot => current.push('.'),
            _ => {
                finish(&mut current, &mut groups);
                after_as = false;
            }
        }
    }
    finish(&mut current, &mut groups);
    match from_module {
        Some(module) => {
            let mut out = vec![module.clone()];
            for name in groups {
                let joined = if module.ends_with('.') {
                    format!("{module}{name}")
                } else {
                    format!("{module}.{name}")
                };
                out.push(joined);
            }
            out
        }
        None => groups,
    }
}

/// A stable hash of an identifier, for import tokens.
pub fn token_hash(token: &[u8]) -> u64 {
    // FNV-1a: small, stable across runs, good enough to tell identifiers apart.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in token {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// The identifiers on a file's import lines, as a sorted set of 32-bit hashes: a few bytes per
/// identifier, enough to tell which files may import a module without keeping their bytes or
/// reading them again. No false negatives; a false positive (two identifiers with one hash) is
/// rare and harmless.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportTokens(Box<[u32]>);

impl ImportTokens {
    /// Whether `token` may be among the file's import identifiers.
    pub fn may_contain(&self, token: &[u8]) -> bool {
        self.may_contain_hash(token_hash(token))
    }

    /// [`ImportTokens::may_contain`] for a token's [`token_hash`].
    pub fn may_contain_hash(&self, hash: u64) -> bool {
        self.0.binary_search(&short_hash(hash)).is_ok()
    }

    /// Whether the file has no import line at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Collects a file's [`ImportTokens`] line by line.
#[derive(Debug, Default)]
pub struct ImportTokensBuilder(Vec<u32>);

impl ImportTokensBuilder {
    /// Adds the identifiers of one import line.
    pub fn add_line(&mut self, line: &[u8]) {
        let mut word_start = None;
        for (i, &byte) in line.iter().enumerate() {
            match (is_word_byte(byte), word_start) {
                (true, None) => word_start = Some(i),
                (false, Some(start)) => {
                    self.0.push(short_hash(token_hash(&line[start..i])));
                    word_start = None;
                }
                _ => {}
            }
        }
        if let Some(start) = word_start {
            self.0.push(short_hash(token_hash(&line[start..])));
        }
    }

    /// The set of the identifiers added.
    pub fn finish(mut self) -> ImportTokens {
        self.0.sort_unstable();
        self.0.dedup();
        ImportTokens(self.0.into_boxed_slice())
    }
}

/// The 32 bits of a [`token_hash`] that [`ImportTokens`] keeps.
fn short_hash(hash: u64) -> u32 {
    (hash ^ (hash >> 32)) as u32
}

/// The identifiers of the lines that hold `import` (the dotted module paths and names a file
/// imports). A cheap lexical scan: a token too many is harmless, it only makes the file a
/// candidate for the second phase.
pub fn import_tokens(code: &[u8]) -> ImportTokens {
    let mut tokens = ImportTokensBuilder::default();
    for range in import_lines(code) {
        tokens.add_line(&code[range]);
    }
    tokens.finish()
}

/// The byte ranges of the logical lines that hold `import` (from the start of the physical line
/// to the end of a bracketed or continued list).
pub fn import_lines(code: &[u8]) -> impl Iterator<Item = Range<usize>> + '_ {
    static IMPORT: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(IMPORT_WORD));
    let mut from = 0;
    std::iter::from_fn(move || {
        if from >= code.len() {
            return None;
        }
        loop {
            let at = from + IMPORT.find(&code[from..])?;
            match import_line_at(code, at) {
                Some(line) => {
                    from = line.end.max(at + IMPORT_WORD.len());
                    return Some(line);
                }
                None => from = at + IMPORT_WORD.len(),
            }
        }
    })
}

/// The word whose every occurrence makes a line an import line.
pub const IMPORT_WORD: &[u8] = b"import";

/// The import line around an occurrence of `import` at `at`: from the start of its physical
/// line to the end of its logical line. `None` when the occurrence cannot be part of an import
/// statement that the lexer reads ([`imported_modules`]): its physical line
/// starts with neither `import` nor `from`, and holds no `;` or `:` before it (`try: import x`,
/// `import os; import sys`). Prose in docstrings and comments mostly stays out.
pub fn import_line_at(code: &[u8], at: usize) -> Option<Range<usize>> {
    let line_start = continued_line_start(code, at);
    let before = &code[line_start..at];
    let may_import = starts_with_an_import_keyword(before.trim_ascii_start())
        || (before.trim_ascii().is_empty() && starts_with_an_import_keyword(&code[at..]))
        || memchr::memchr2(b';', b':', before).is_some();
    may_import.then(|| line_start..logical_line_end(code, at))
}

/// Whether `text` starts with the word `import` or `from`.
fn starts_with_an_import_keyword(text: &[u8]) -> bool {
    [b"import".as_slice(), b"from"].iter().any(|keyword| {
        text.starts_with(keyword) && text.get(keyword.len()).is_none_or(|&b| !is_word_byte(b))
    })
}
