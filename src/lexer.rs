//! A light lexical pass over Python source (strings, comments, brackets, indentation) that tells
//! whether a file that holds a needle can have a finding at all. A needle inside a string, a
//! comment, a function body or an entry-point block cannot; only a file with an import-time
//! candidate (or a module-level function that may run a loop) needs the full parse. The pass is
//! conservative: when in doubt it asks for the parse, so the fast path never hides a finding.

/// Words that make an import-time line a candidate wherever they appear in code.
const CANDIDATE_WORDS: &[&[u8]] = &[
    b"asyncio",
    b"uvloop",
    b"anyio",
    b"run_until_complete",
    b"get_event_loop",
    b"new_event_loop",
    b"set_event_loop",
    b"get_event_loop_policy",
    b"Runner",
    b"Mangum",
];

/// Modules whose imports bind names that can run a loop.
const LOOP_MODULES: &[&[u8]] = &[b"asyncio", b"uvloop", b"anyio"];

/// What a block's body is, for the lines inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    /// `def` / `async def`: runs when called. `module_level` for a module-level sync function.
    Function { sync_at_module_level: bool },
    /// `if __name__ == "__main__":` (and its `elif`/`else`) or `if TYPE_CHECKING:`.
    NotImportTime,
    /// Anything else (`class`, `if`, `try`, `with`, ...): runs where the block runs.
    ImportTime,
}

/// One logical line: its indentation, where it starts and ends, whether it opens a block.
struct Line<'a> {
    indent: usize,
    tokens: Vec<Token<'a>>,
}

/// A word of code (strings and comments are left out), or a `:` / `(` / `)` / `.` at depth 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token<'a> {
    Word(&'a [u8]),
    Colon,
    Dot,
    Equals,
    Open,
    Close,
    Other,
}

/// Whether the module needs the full parse: some import-time code may run a loop, or a
/// module-level sync function may (its calls, in this module or another, are LF004).
pub fn needs_parse(code: &[u8]) -> bool {
    let mut scan = Scan::default();
    let mut needed = false;
    for_each_logical_line(code, |line| {
        needed = scan.line(line);
        !needed
    });
    needed
}

/// The state of the scan between logical lines.
#[derive(Default)]
struct Scan<'a> {
    /// Names bound by imports of loop modules.
    aliases: Vec<&'a [u8]>,
    /// Of those, the names bound to the modules themselves (`import asyncio as aio`).
    module_aliases: Vec<&'a [u8]>,
    /// Open blocks: the indent of the header and the kind.
    stack: Vec<(usize, Block)>,
    /// The indent of the last entry-point guard, while its `elif`/`else` may follow.
    guard_indent: Option<usize>,
}

impl<'a> Scan<'a> {
    /// Takes one logical line; `true` when the module needs the full parse.
    fn line(&mut self, line: &Line<'a>) -> bool {
        while self
            .stack
            .last()
            .is_some_and(|(indent, _)| line.indent <= *indent)
        {
            self.stack.pop();
        }
        let context = self.stack.last().map_or(Block::ImportTime, |(_, b)| *b);
        let first = line.tokens.first().copied();
        let continues_guard = matches!(first, Some(Token::Word(b"elif" | b"else")));
        // `elif`/`else` of an entry-point guard is not import time either.
        if continues_guard && self.guard_indent == Some(line.indent) {
            self.stack.push((line.indent, Block::NotImportTime));
            return false;
        }
        if self.guard_indent.is_some_and(|i| line.indent <= i) && !continues_guard {
            self.guard_indent = None;
        }
        match context {
            Block::Function {
                sync_at_module_level: true,
            } => return self.may_run_loop(&line.tokens),
            Block::Function { .. } | Block::NotImportTime => {
                if let Some(kind) = opened_block(line, false) {
                    // Nested blocks stay out of import time.
                    let kind = match kind {
                        Block::Function { .. } => Block::Function {
                            sync_at_module_level: false,
                        },
                        _ => context,
                    };
                    self.stack.push((line.indent, kind));
                }
                return false;
            }
            Block::ImportTime => {}
        }
        if is_import(&line.tokens) {
            record_aliases(&line.tokens, &mut self.aliases, &mut self.module_aliases);
            return false;
        }
        let at_module_level = self.stack.is_empty();
        match opened_block(line, at_module_level) {
            Some(kind @ Block::Function { .. }) => {
                // The header (defaults, annotations) runs at import time; the body does not.
                // Decorators are lines of their own.
                if has_candidate(header_before_body(&line.tokens), &self.aliases) {
                    return true;
                }
                match body_after_colon_of_def(&line.tokens) {
                    Some(body) => {
                        kind == (Block::Function {
                            sync_at_module_level: true,
                        }) && self.may_run_loop(body)
                    }
                    None => {
                        self.stack.push((line.indent, kind));
                        false
                    }
                }
            }
            Some(Block::NotImportTime) => {
                let colon = line.tokens.iter().position(|t| *t == Token::Colon);
                let header = colon.map_or(&line.tokens[..], |c| &line.tokens[..c]);
                if has_candidate(header, &self.aliases) {
                    return true;
                }
                if body_after_colon(&line.tokens).is_none_or(|b| b.is_empty()) {
                    self.stack.push((line.indent, Block::NotImportTime));
                }
                self.guard_indent = Some(line.indent);
                false
            }
            Some(Block::ImportTime) => {
                self.stack.push((line.indent, Block::ImportTime));
                has_candidate(&line.tokens, &self.aliases)
            }
            None => has_candidate(&line.tokens, &self.aliases),
        }
    }
}

impl Scan<'_> {
    /// Whether a line of a module-level sync function may run a loop (making the function one
    /// that LF004 follows): `run_until_complete`, a `Runner`, `<loop module>.run`, or a name
    /// imported from a loop module. `asyncio.sleep(...)` in a sync helper is not.
    fn may_run_loop(&self, tokens: &[Token]) -> bool {
        tokens.iter().enumerate().any(|(i, token)| match token {
            Token::Word(b"run_until_complete" | b"Runner") => true,
            Token::Word(word) if self.aliases.contains(word) && !self.is_module(word) => true,
            Token::Word(word) if self.is_module(word) => {
                tokens.get(i + 1) == Some(&Token::Dot)
                    && tokens.get(i + 2) == Some(&Token::Word(b"run"))
            }
            _ => false,
        })
    }

    fn is_module(&self, word: &[u8]) -> bool {
        LOOP_MODULES.contains(&word) || self.module_aliases.contains(&word)
    }
}

fn is_import(tokens: &[Token]) -> bool {
    matches!(tokens.first(), Some(Token::Word(b"import" | b"from")))
        && tokens.contains(&Token::Word(b"import"))
}

/// The names an import of a loop module binds: `import asyncio as aio` -> `aio` (a module
/// alias), `from asyncio import run as r` -> `r`, `from asyncio import *` -> `run`.
fn record_aliases<'a>(
    tokens: &[Token<'a>],
    aliases: &mut Vec<&'a [u8]>,
    module_aliases: &mut Vec<&'a [u8]>,
) {
    let words: Vec<&[u8]> = tokens
        .iter()
        .filter_map(|t| match t {
            Token::Word(w) => Some(*w),
            _ => None,
        })
        .collect();
    let mentions_loop_module = words.iter().any(|w| LOOP_MODULES.contains(w));
    if !mentions_loop_module {
        return;
    }
    // Every word an import of a loop module names may be bound by it: conservative. In
    // `import a.b as c` every word may name a module.
    let is_plain_import = tokens.first() == Some(&Token::Word(b"import"));
    for word in words {
        if !matches!(word, b"import" | b"from" | b"as") {
            aliases.push(word);
            if is_plain_import {
                module_aliases.push(word);
            }
        }
    }
    if tokens.contains(&Token::Other) {
        // `from asyncio import *`: `*` lexes as Other; bare `run(...)` may be asyncio's.
        aliases.push(b"run");
    }
}

/// Whether tokens hold a word that can be (or resolve to) a loop operation.
fn has_candidate(tokens: &[Token], aliases: &[&[u8]]) -> bool {
    tokens.iter().any(|t| match t {
        Token::Word(word) => CANDIDATE_WORDS.contains(word) || aliases.contains(word),
        _ => false,
    })
}

/// The block a logical line opens, if it ends with its block's `:` (or holds its body after it).
fn opened_block(line: &Line, at_module_level: bool) -> Option<Block> {
    let tokens = &line.tokens;
    let (is_async, rest) = match tokens.first() {
        Some(Token::Word(b"async")) => (true, &tokens[1..]),
        _ => (false, &tokens[..]),
    };
    match rest.first() {
        Some(Token::Word(b"def")) => Some(Block::Function {
            sync_at_module_level: at_module_level && !is_async,
        }),
        Some(Token::Word(b"if")) if is_entry_point_or_type_checking(rest) => {
            Some(Block::NotImportTime)
        }
        Some(Token::Word(
            b"class" | b"if" | b"elif" | b"else" | b"try" | b"except" | b"finally" | b"with"
            | b"for" | b"while" | b"match" | b"case",
        )) if tokens.contains(&Token::Colon) => Some(Block::ImportTime),
        _ => None,
    }
}

/// `if __name__ == "__main__":` (either order; the string lexes as the word `__main__`) or
/// `if TYPE_CHECKING:` / `if typing.TYPE_CHECKING:`.
fn is_entry_point_or_type_checking(tokens: &[Token]) -> bool {
    let colon = tokens
        .iter()
        .position(|t| *t == Token::Colon)
        .unwrap_or(tokens.len());
    let header: Vec<Token> = tokens[1..colon]
        .iter()
        .copied()
        .filter(|t| !matches!(t, Token::Open | Token::Close))
        .collect();
    use Token::{Dot, Equals, Word};
    matches!(
        header.as_slice(),
        [Word(b"__name__"), Equals, Equals, Word(b"__main__")]
            | [Word(b"__main__"), Equals, Equals, Word(b"__name__")]
            | [Word(b"TYPE_CHECKING")]
            | [Word(_), Dot, Word(b"TYPE_CHECKING")]
    )
}

/// The tokens of a `def` line before its body's `:` (decorators are lines of their own).
fn header_before_body<'t, 'a>(tokens: &'t [Token<'a>]) -> &'t [Token<'a>] {
    match def_colon(tokens) {
        Some(colon) => &tokens[..colon],
        None => tokens,
    }
}

/// The body on a one-line `def f(): body`, if any.
fn body_after_colon_of_def<'t, 'a>(tokens: &'t [Token<'a>]) -> Option<&'t [Token<'a>]> {
    let colon = def_colon(tokens)?;
    let body = &tokens[colon + 1..];
    (!body.is_empty()).then_some(body)
}

/// The `:` that ends a `def` header: the first at depth 0 after the parameters' `)`.
fn def_colon(tokens: &[Token]) -> Option<usize> {
    let mut depth = 0i32;
    let mut seen_parameters = false;
    for (i, token) in tokens.iter().enumerate() {
        match token {
            Token::Open => depth += 1,
            Token::Close => {
                depth -= 1;
                if depth == 0 {
                    seen_parameters = true;
                }
            }
            Token::Colon if depth == 0 && seen_parameters => return Some(i),
            _ => {}
        }
    }
    None
}

/// The tokens after the first depth-0 `:`.
fn body_after_colon<'t, 'a>(tokens: &'t [Token<'a>]) -> Option<&'t [Token<'a>]> {
    let colon = tokens.iter().position(|t| *t == Token::Colon)?;
    Some(&tokens[colon + 1..])
}

/// Calls `each` with every logical line of tokens (strings, but not f-string expressions, and
/// comments left out; bracketed and backslash-continued lines joined) until it returns `false`.
/// One token buffer is reused, so memory follows the longest line, not the file.
fn for_each_logical_line<'a>(code: &'a [u8], mut each: impl FnMut(&Line<'a>) -> bool) {
    let mut line = Line {
        indent: 0,
        tokens: Vec::new(),
    };
    let tokens = &mut line.tokens;
    let mut indent = 0usize;
    let mut at_line_start = true;
    let mut depth = 0i32;
    let mut i = 0;
    let n = code.len();
    while i < n {
        let byte = code[i];
        if at_line_start {
            let mut width = 0;
            while i < n && matches!(code[i], b' ' | b'\t' | b'\x0c') {
                width += if code[i] == b'\t' { 8 } else { 1 };
                i += 1;
            }
            at_line_start = false;
            if i < n && !matches!(code[i], b'\n' | b'\r' | b'#') && depth == 0 && tokens.is_empty()
            {
                indent = width;
            }
            continue;
        }
        match byte {
            b'\n' | b'\r' => {
                i += 1;
                if depth <= 0 {
                    depth = 0;
                    if !tokens.is_empty() {
                        let finished = Line {
                            indent,
                            tokens: std::mem::take(tokens),
                        };
                        if !each(&finished) {
                            return;
                        }
                        *tokens = finished.tokens;
                        tokens.clear();
                    }
                    at_line_start = true;
                }
            }
            b'\\' => i += 2,
            b'#' => {
                while i < n && !matches!(code[i], b'\n' | b'\r') {
                    i += 1;
                }
            }
            b'"' | b'\'' => i = skip_string(code, i, b"", tokens),
            b'(' | b'[' | b'{' => {
                depth += 1;
                tokens.push(if byte == b'(' {
                    Token::Open
                } else {
                    Token::Other
                });
                i += 1;
            }
            b')' | b']' | b'}' => {
                depth -= 1;
                tokens.push(if byte == b')' {
                    Token::Close
                } else {
                    Token::Other
                });
                i += 1;
            }
            b':' => {
                tokens.push(if depth == 0 {
                    Token::Colon
                } else {
                    Token::Other
                });
                i += 1;
            }
            b'.' => {
                tokens.push(Token::Dot);
                i += 1;
            }
            b'=' => {
                tokens.push(Token::Equals);
                i += 1;
            }
            _ if is_word_byte(byte) => {
                let start = i;
                while i < n && is_word_byte(code[i]) {
                    i += 1;
                }
                // A string prefix (`f"`, `rb'`) belongs to the string.
                if i < n && matches!(code[i], b'"' | b'\'') && is_string_prefix(&code[start..i]) {
                    i = skip_string(code, i, &code[start..i], tokens);
                    continue;
                }
                tokens.push(Token::Word(&code[start..i]));
            }
            b' ' | b'\t' | b'\x0c' => i += 1,
            _ => {
                tokens.push(Token::Other);
                i += 1;
            }
        }
    }
    if !tokens.is_empty() {
        line.indent = indent;
        each(&line);
    }
}

fn is_word_byte(byte: u8) -> bool {
    byte == b'_' || byte.is_ascii_alphanumeric() || byte >= 0x80
}

fn is_string_prefix(word: &[u8]) -> bool {
    word.len() <= 2
        && word
            .iter()
            .all(|b| matches!(b.to_ascii_lowercase(), b'r' | b'b' | b'u' | b'f' | b't'))
}

/// Skips a string literal starting at the quote `start`; returns the index after it. The
/// expressions of an f-string are lexed as code (their words become tokens).
fn skip_string<'a>(
    code: &'a [u8],
    start: usize,
    prefix: &[u8],
    tokens: &mut Vec<Token<'a>>,
) -> usize {
    let n = code.len();
    let quote = code[start];
    let triple = start + 2 < n && code[start + 1] == quote && code[start + 2] == quote;
    let formatted = prefix
        .iter()
        .any(|b| matches!(b.to_ascii_lowercase(), b'f' | b't'));
    let mut i = start + if triple { 3 } else { 1 };
    while i < n {
        let byte = code[i];
        if byte == b'\\' {
            // Even in a raw string a backslash keeps the next quote from ending it.
            i += 2;
            continue;
        }
        if !triple && matches!(byte, b'\n' | b'\r') {
            return i;
        }
        if byte == quote {
            if !triple {
                if &code[start + 1..i] == b"__main__" {
                    tokens.push(Token::Word(b"__main__"));
                }
                return i + 1;
            }
            if i + 2 < n && code[i + 1] == quote && code[i + 2] == quote {
                return i + 3;
            }
        }
        if formatted && byte == b'{' {
            if code.get(i + 1) == Some(&b'{') {
                i += 2;
                continue;
            }
            // Lex the expression's words as code, conservatively.
            let mut j = i + 1;
            let mut braces = 1;
            while j < n && braces > 0 {
                match code[j] {
                    b'{' => braces += 1,
                    b'}' => braces -= 1,
                    b'\n' | b'\r' if !triple => break,
                    _ => {}
                }
                if braces > 0 && is_word_byte(code[j]) {
                    let word_start = j;
                    while j < n && is_word_byte(code[j]) {
                        j += 1;
                    }
                    tokens.push(Token::Word(&code[word_start..j]));
                    continue;
                }
                j += 1;
            }
            i = j;
            continue;
        }
        i += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_needed(code: &str) -> bool {
        needs_parse(code.as_bytes())
    }

    #[test]
    fn needles_in_strings_comments_and_bodies_need_no_parse() {
        assert!(!parse_needed(
            "import asyncio\n\nasync def f():\n    await asyncio.sleep(1)\n"
        ));
        assert!(!parse_needed(
            "import asyncio\nX = 'asyncio.run(f())'  # asyncio.run\n"
        ));
        assert!(!parse_needed(
            "import asyncio\nDOC = \"\"\"\nasyncio.run(x)\n\"\"\"\n"
        ));
        assert!(!parse_needed(
            "import asyncio\nclass T:\n    def test(self):\n        self.loop.run_until_complete(x)\n"
        ));
        assert!(!parse_needed(
            "import asyncio\n\nif __name__ == '__main__':\n    asyncio.run(main())\n"
        ));
        assert!(!parse_needed(
            "import asyncio\nif __name__ == '__main__': asyncio.run(main())\n"
        ));
    }

    #[test]
    fn import_time_code_needs_the_parse() {
        assert!(parse_needed("import asyncio\nX = asyncio.run(f())\n"));
        assert!(parse_needed("import asyncio as aio\nX = aio.run(f())\n"));
        assert!(parse_needed("from asyncio import run as go\nX = go(f())\n"));
        assert!(parse_needed("from asyncio import *\nX = run(f())\n"));
        assert!(parse_needed(
            "import asyncio\ntry:\n    X = asyncio.run(f())\nexcept E:\n    pass\n"
        ));
        assert!(parse_needed(
            "import asyncio\nclass C:\n    X = asyncio.run(f())\n"
        ));
        assert!(parse_needed(
            "import asyncio\ndef f(x=asyncio.run(g())):\n    pass\n"
        ));
        assert!(parse_needed(
            "import asyncio\nX = f\"{asyncio.run(g())}\"\n"
        ));
        assert!(parse_needed(
            "import asyncio\nif __name__ != '__main__':\n    asyncio.run(g())\n"
        ));
        assert!(parse_needed(
            "import asyncio\nif __name__ == 'app':\n    asyncio.run(g())\n"
        ));
        // Every branch of the entry-point guard is left alone (SPEC §2).
        assert!(!parse_needed(
            "import asyncio\nif __name__ == '__main__':\n    pass\nelse:\n    asyncio.run(g())\n"
        ));
    }

    #[test]
    fn module_level_sync_functions_that_may_run_a_loop_need_the_parse() {
        assert!(parse_needed(
            "import asyncio\ndef load():\n    return asyncio.run(f())\n"
        ));
        assert!(parse_needed(
            "import asyncio\ndef load(): return asyncio.run(f())\n"
        ));
        assert!(!parse_needed(
            "import asyncio\nasync def load():\n    return await asyncio.sleep(0)\n"
        ));
        assert!(!parse_needed(
            "import asyncio\ndef later(x):\n    return asyncio.sleep(x)\n"
        ));
        assert!(parse_needed(
            "import asyncio as aio\ndef load():\n    return aio.run(f())\n"
        ));
        assert!(parse_needed(
            "from asyncio import run as go\ndef load():\n    return go(f())\n"
        ));
        assert!(parse_needed(
            "import asyncio\ndef load(loop):\n    loop.run_until_complete(f())\n"
        ));
    }

    #[test]
    fn bracketed_lines_join() {
        assert!(parse_needed(
            "import asyncio\nX = (\n    asyncio.run(\n        f()\n    )\n)\n"
        ));
        assert!(!parse_needed("import asyncio\nX = (\n    1,\n    2,\n)\n"));
    }
}
