//! The one tokenizer of the lexical fast path: a module's logical lines as code tokens (strings
//! and comments left out, bracketed and `\`-continued lines joined), and where a logical line
//! starts and ends. Every logical-line question of loopfix is answered with it: the scan's
//! verdict, the import statements a file holds, the first look at a file's bytes. Line breaks
//! are `\n`, `\r\n` and `\r` alike, also after a `\`.

/// One logical line: its indentation and its tokens.
pub(super) struct Line<'a> {
    /// The width of its indentation (a tab counts eight).
    pub(super) indent: usize,
    /// Its tokens.
    pub(super) tokens: Vec<Token<'a>>,
}

/// A word of code (strings and comments are left out), or a `:` / `(` / `)` / `.` at depth 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Token<'a> {
    Word(&'a [u8]),
    Colon,
    Dot,
    Equals,
    Open,
    Close,
    /// `@`: a decorator when it starts a line.
    At,
    /// `;`: the end of a simple statement.
    Semicolon,
    Other,
}

/// Calls `each` with every logical line of tokens (strings, but not f-string expressions, and
/// comments left out; bracketed and backslash-continued lines joined) until it returns `false`.
/// One token buffer is reused, so memory follows the longest line, not the file.
pub(super) fn for_each_logical_line<'a>(code: &'a [u8], mut each: impl FnMut(&Line<'a>) -> bool) {
    for_each_logical_line_where(code, &mut (), |_, _| true, |_, line| each(line));
}

/// [`for_each_logical_line`], asking `wants` with each logical line's indent first: the lines
/// it declines are skipped without being tokenized (their strings, comments and brackets are
/// still followed, so the next line starts where it should). `state` is handed to both.
pub(super) fn for_each_logical_line_where<'a, S: ?Sized>(
    code: &'a [u8],
    state: &mut S,
    mut wants: impl FnMut(&mut S, usize) -> bool,
    mut each: impl FnMut(&mut S, &Line<'a>) -> bool,
) {
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
            // As CPython's tokenizer measures it: a tab to the next multiple of eight, a form
            // feed back to column zero.
            while i < n && matches!(code[i], b' ' | b'\t' | b'\x0c') {
                width = match code[i] {
                    b'\t' => (width / 8 + 1) * 8,
                    b'\x0c' => 0,
                    _ => width + 1,
                };
                i += 1;
            }
            at_line_start = false;
            if i < n && !matches!(code[i], b'\n' | b'\r' | b'#') && depth == 0 && tokens.is_empty()
            {
                indent = width;
                if !wants(state, indent) {
                    i = skip_logical_line(code, i);
                    at_line_start = true;
                }
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
                        if !each(state, &finished) {
                            return;
                        }
                        *tokens = finished.tokens;
                        tokens.clear();
                    }
                    at_line_start = true;
                }
            }
            b'\\' => i += escaped_len(code, i),
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
            b'.' | b'=' | b'@' | b';' => {
                tokens.push(match byte {
                    b'.' => Token::Dot,
                    b'=' => Token::Equals,
                    b'@' => Token::At,
                    _ => Token::Semicolon,
                });
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
        each(state, &line);
    }
}

/// The bytes that end a run of plain code for [`logical_line_end`].
static LINE_SKIP_STOPS: [bool; 256] = {
    let mut stops = [false; 256];
    let mut k = 0;
    let bytes = b"\n\r\\#\"'()[]{}";
    while k < bytes.len() {
        stops[bytes[k] as usize] = true;
        k += 1;
    }
    stops
};

/// The start of the line after the logical line that starts at `start`: past its strings,
/// comments, bracketed continuation lines and `\` continuations.
fn skip_logical_line(code: &[u8], start: usize) -> usize {
    (logical_line_end(code, start) + 1).min(code.len())
}

/// Where the logical line that goes on from `from` (outside any string or bracket) ends: the
/// offset of the line break that ends it, past its strings, comments, bracketed continuation
/// lines and `\` continuations; the end of the code when no break does.
pub(super) fn logical_line_end(code: &[u8], from: usize) -> usize {
    let n = code.len();
    let mut depth = 0i32;
    let mut i = from;
    let mut ignored = Vec::new();
    while i < n {
        while i < n && !LINE_SKIP_STOPS[usize::from(code[i])] {
            i += 1;
        }
        if i >= n {
            break;
        }
        match code[i] {
            b'\n' | b'\r' => {
                if depth <= 0 {
                    return i;
                }
                i += 1;
            }
            b'\\' => i += escaped_len(code, i),
            b'#' => i = memchr::memchr2(b'\n', b'\r', &code[i..]).map_or(n, |end| i + end),
            b'"' | b'\'' => {
                i = skip_string(code, i, string_prefix_before(code, i), &mut ignored);
                ignored.clear();
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                i += 1;
            }
            _ => {
                depth -= 1;
                i += 1;
            }
        }
    }
    n
}

/// How many bytes the backslash at `at` takes with it: itself and the next character, all of a
/// `\r\n` line break (a `\` before a CRLF continues the line as one before a LF does).
fn escaped_len(code: &[u8], at: usize) -> usize {
    if code.get(at + 1) == Some(&b'\r') && code.get(at + 2) == Some(&b'\n') {
        3
    } else {
        2
    }
}

/// The start of the physical line that holds `at`.
fn physical_line_start(code: &[u8], at: usize) -> usize {
    memchr::memrchr2(b'\n', b'\r', &code[..at]).map_or(0, |p| p + 1)
}

/// The start of the physical line holding `at`, or of the first of the lines that `\`
/// continuations join to it (`from pkg \` on the line before `import name`).
pub(super) fn continued_line_start(code: &[u8], at: usize) -> usize {
    let mut start = physical_line_start(code, at);
    while start > 0 {
        // The line before ends with the break just before `start`.
        let mut content_end = start - 1;
        if code[content_end] == b'\n' && content_end > 0 && code[content_end - 1] == b'\r' {
            content_end -= 1;
        }
        if content_end == 0 || code[content_end - 1] != b'\\' {
            break;
        }
        start = physical_line_start(code, content_end - 1);
    }
    start
}

/// The string prefix (`f`, `rb`, ...) right before the quote at `quote`, as the tokenizer of
/// [`for_each_logical_line_where`] would take it: the whole word before the quote, if it is one.
fn string_prefix_before(code: &[u8], quote: usize) -> &[u8] {
    let mut start = quote;
    while start > 0 && is_word_byte(code[start - 1]) {
        start -= 1;
    }
    let word = &code[start..quote];
    if is_string_prefix(word) { word } else { b"" }
}

/// Whether `byte` belongs to a Python identifier: `_`, an ASCII letter or digit, or any
/// non-ASCII byte.
pub fn is_word_byte(byte: u8) -> bool {
    WORD_BYTES[usize::from(byte)]
}

/// [`is_word_byte`] as a table: it runs for every byte the lexical passes tokenize.
static WORD_BYTES: [bool; 256] = {
    let mut word = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        word[byte] = b == b'_' || b.is_ascii_alphanumeric() || b >= 0x80;
        byte += 1;
    }
    word
};

fn is_string_prefix(word: &[u8]) -> bool {
    word.len() <= 2
        && word
            .iter()
            .all(|b| matches!(b.to_ascii_lowercase(), b'r' | b'b' | b'u' | b'f' | b't'))
}

/// Skips a string literal starting at the quote `start`; returns the index after it. The
/// expressions of an f-string are lexed as code (their words become tokens).
pub(super) fn skip_string<'a>(
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
            i += escaped_len(code, i);
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
                    push_formatted_word(code, word_start..j, tokens);
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

/// A word of an f-string's expression, as the scan needs it: after a `.` when it is an
/// attribute, and followed by an empty `()` when it is called (`{asyncio.run(g())}`). The
/// brackets are not lexed themselves, so they always balance.
fn push_formatted_word<'a>(
    code: &'a [u8],
    word: std::ops::Range<usize>,
    tokens: &mut Vec<Token<'a>>,
) {
    let before = code[..word.start].trim_ascii_end();
    if before.last() == Some(&b'.') {
        tokens.push(Token::Dot);
    }
    tokens.push(Token::Word(&code[word.clone()]));
    if code[word.end..].trim_ascii_start().first() == Some(&b'(') {
        tokens.push(Token::Open);
        tokens.push(Token::Close);
    }
}
