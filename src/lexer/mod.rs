//! The lexical fast path: a light pass over a file's bytes that tells, without the parse,
//! whether the file can have a finding. A needle inside a string, a comment, a function body or
//! an entry-point block cannot; only a file with an import-time candidate (or a module-level
//! function that may run a loop) needs the full parse. The pass is conservative: when in doubt it
//! asks for the parse, so the fast path never hides a finding (a property test compares it with
//! `--full-parse`). One tokenizer ([`tokens`]) answers every logical-line question: the scan's,
//! the import reading's and the first look's.

mod imports;
mod prefilter;
mod scan;
mod shapes;
mod tokens;

pub use imports::{ImportTokens, import_tokens, imported_modules, token_hash};
pub use prefilter::{
    FirstLook, first_look, might_contain_loop, needs_parse, parse_need, parse_verdict,
    spells_names_in_compatibility_characters,
};
pub use scan::{ParseNeed, called_at_import_time};

#[cfg(test)]
mod tests;
