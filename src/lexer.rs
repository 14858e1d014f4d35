//! A light lexical pass over Python source (strings, comments, brackets, indentation) that tells
//! whether a file that holds a needle can have a finding at all. A needle inside a string, a
//! comment, a function body or an entry-point block cannot; only a file with an import-time
//! candidate (or a module-level function that may run a loop) needs the full parse. The pass is
//! conservative: when in doubt it asks for the parse, so the fast path never hides a finding.

/// Words that make an import-time line a candidate wherever they appear in code.
const CANDIDATE_WORDS: &[&[u8]] = &[
    b"run_until_complete",
    b"get_event_loop",
    b"new_event_loop",
    b"set_event_loop",
    b"get_event_loop_policy",
    b"Runner",
    b"Mangum",
];

/// The loop entry points of the loop modules: a module name is a candidate only on a line that
/// also names one of these (`asyncio.Queue` is not; `asyncio.run(...)` is).
const API_WORDS: &[&[u8]] = &[
    b"run",
    b"run_until_complete",
    b"get_event_loop",
    b"new_event_loop",
    b"set_event_loop",
    b"get_event_loop_policy",
    b"Runner",
    b"DefaultEventLoopPolicy",
    b"EventLoopPolicy",
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
    /// `@`: a decorator when it starts a line.
    At,
    /// `;`: the end of a simple statement.
    Semicolon,
    Other,
}

/// Whether the module may need the full parse: some import-time code may run a loop, or a
/// module-level sync function may (its calls, in this module or another, are LF004).
pub fn needs_parse(code: &[u8]) -> bool {
    parse_need(code) != ParseNeed::Skip
}

/// What the lexical pass concludes about a module that holds a needle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseNeed {
    /// No import-time code can run a loop and no module-level function does: no finding.
    Skip,
    /// Some import-time code may run a loop, directly or through a function of the module.
    Parse,
    /// Module-level sync functions may run a loop, but the module itself never calls them at
    /// import time: only a module that imports this one can have a finding (LF004), so the
    /// parse waits for the project's import lines to name this module.
    IfImported,
}

/// [`needs_parse`], telling a module whose only loops are in functions it does not call at
/// import time from one that needs the parse regardless.
pub fn parse_need(code: &[u8]) -> ParseNeed {
    verdict(code).0
}

/// [`parse_need`], with the names of the module's possible loop functions when it is
/// [`ParseNeed::IfImported`]: another module must call one of them at import time for this one
/// to matter. A superset of the loop functions the analysis finds (callers included).
pub fn verdict(code: &[u8]) -> (ParseNeed, Vec<&[u8]>) {
    let mut scan = Scan::default();
    if scan.run(code) {
        return (ParseNeed::Parse, Vec::new());
    }
    if scan.loop_functions.is_empty() {
        return (ParseNeed::Skip, Vec::new());
    }
    let functions = with_callers(code, scan.loop_functions);
    if called_at_import_time(code, &functions) {
        (ParseNeed::Parse, Vec::new())
    } else {
        (ParseNeed::IfImported, functions)
    }
}

/// `functions` and the module-level sync functions that call them, to a fixed point (a
/// function that calls a loop function runs a loop too). Conservative: a call of a name
/// (`load(`, not `self.load(`) anywhere in a function's lines, nested functions included,
/// counts.
fn with_callers<'a>(code: &'a [u8], mut functions: Vec<&'a [u8]>) -> Vec<&'a [u8]> {
    loop {
        let mut added = false;
        let mut current: Option<&'a [u8]> = None;
        for_each_logical_line(code, |line| {
            if line.indent == 0 {
                current = module_level_sync_def(&line.tokens);
            }
            if let Some(name) = current
                && !functions.contains(&name)
                && calls_by_name(
                    line.tokens
                        .get(usize::from(line.indent == 0) * 2..)
                        .unwrap_or_default(),
                    &functions,
                )
            {
                functions.push(name);
                added = true;
            }
            true
        });
        if !added {
            return functions;
        }
    }
}

/// Whether the tokens call one of `names` by name: `load(...)`, not `x.load(...)` (an
/// attribute is not the module's function) nor a mention without a call (a parameter, an
/// annotation, an alias), which the analysis does not follow either.
fn calls_by_name(tokens: &[Token], names: &[&[u8]]) -> bool {
    tokens.windows(2).enumerate().any(|(k, pair)| {
        matches!(pair, [Token::Word(w), Token::Open] if names.contains(w))
            && (k == 0 || tokens[k - 1] != Token::Dot)
    })
}

/// Whether the tokens call one of `names`, by name or as an attribute (`helpers.load(...)`).
fn calls(tokens: &[Token], names: &[&[u8]]) -> bool {
    tokens
        .windows(2)
        .any(|pair| matches!(pair, [Token::Word(w), Token::Open] if names.contains(w)))
}

/// The name a line at module level defines with a sync `def`, if it does.
fn module_level_sync_def<'a>(tokens: &[Token<'a>]) -> Option<&'a [u8]> {
    match tokens {
        [Token::Word(b"def"), Token::Word(name), ..] => Some(name),
        _ => None,
    }
}

/// Whether the module's import-time code (outside its import lines, function bodies,
/// entry-point blocks, strings and comments) calls one of `words`, by name or as an attribute:
/// the only use of another function that can run its loop at import time (LF004).
pub fn called_at_import_time(code: &[u8], words: &[&[u8]]) -> bool {
    let mut scan = Scan {
        only: Some(words),
        ..Scan::default()
    };
    scan.run(code)
}

/// The state of the scan between logical lines.
#[derive(Default)]
struct Scan<'a> {
    /// Look only for these words at import time (not for loop operations): the second phase's
    /// question, "does this module call another module's loop function on import?".
    only: Option<&'a [&'a [u8]]>,
    /// Names bound to loop modules or their submodules and attributes (`asyncio`,
    /// `import asyncio as aio`, `from asyncio import events`).
    modules: Vec<&'a [u8]>,
    /// Names bound to loop entry points (`from asyncio import run as go`).
    members: Vec<&'a [u8]>,
    /// Open blocks: the indent of the header and the kind.
    stack: Vec<(usize, Block)>,
    /// The indent of the last entry-point guard, while its `elif`/`else` may follow.
    guard_indent: Option<usize>,
    /// The module-level sync function whose body the scan is in.
    function: Option<&'a [u8]>,
    /// The module-level sync functions whose bodies may run a loop.
    loop_functions: Vec<&'a [u8]>,
    /// The module's source.
    code: &'a [u8],
    /// Whether the module holds a `from <loop module> import ...` anywhere (computed when a bare
    /// loop name first needs it).
    imports_from_a_loop_module: std::cell::OnceCell<bool>,
}

impl<'a> Scan<'a> {
    /// Scans the module's logical lines until one needs the full parse; `true` if one does.
    /// The lines that cannot matter (in function bodies and entry-point blocks) are skipped
    /// without being tokenized.
    fn run(&mut self, code: &'a [u8]) -> bool {
        self.code = code;
        let mut found = false;
        for_each_logical_line_where(
            code,
            self,
            |scan, indent| scan.wants(indent),
            |scan, line| {
                found = scan.line(line);
                !found
            },
        );
        found
    }

    /// Whether a logical line starting at `indent` can matter. Closes the blocks the line ends,
    /// as [`Scan::line`] would; the lines it declines are those that [`Scan::line`] would only
    /// have used to open blocks nested in a function body or an entry-point block, which stay
    /// out of import time whatever their kind.
    fn wants(&mut self, indent: usize) -> bool {
        while self.stack.last().is_some_and(|(open, _)| indent <= *open) {
            self.stack.pop();
        }
        match self.stack.last().map_or(Block::ImportTime, |(_, b)| *b) {
            Block::ImportTime => true,
            Block::Function {
                sync_at_module_level: true,
            } => self.only.is_none(),
            Block::Function { .. } | Block::NotImportTime => false,
        }
    }

    /// Whether import-time tokens hold a candidate.
    fn candidate(&self, tokens: &[Token]) -> bool {
        match self.only {
            Some(words) => calls(tokens, words),
            None => {
                let names_an_entry_point = tokens
                    .iter()
                    .any(|t| matches!(t, Token::Word(w) if API_WORDS.contains(w)));
                may_call(tokens)
                    && tokens.iter().enumerate().any(|(k, t)| match t {
                        Token::Word(word) => {
                            (self.may_name_a_loop_entry_point(tokens, k)
                                && !names_a_new_class(tokens, k))
                                || (names_an_entry_point && self.is_module(word))
                        }
                        _ => false,
                    })
            }
        }
    }

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
            } if self.only.is_none() => {
                // Lines of nested functions run when those are called, not this one.
                if let Some(kind) = nested_block(line, context) {
                    self.stack.push((line.indent, kind));
                    if kind != context {
                        let header = header_before_body(&line.tokens);
                        self.note_loop_function(header);
                        return false;
                    }
                }
                self.note_loop_function(&line.tokens);
                return false;
            }
            Block::Function { .. } | Block::NotImportTime => {
                // Nested blocks stay out of import time.
                if let Some(kind) = nested_block(line, context) {
                    self.stack.push((line.indent, kind));
                }
                return false;
            }
            Block::ImportTime => {}
        }
        if line.tokens.contains(&Token::Word(b"import")) {
            for statement in statements(&line.tokens).filter(|s| is_import(s)) {
                record_aliases(statement, &mut self.modules, &mut self.members);
            }
            if is_import(&line.tokens) && !line.tokens.contains(&Token::Semicolon) {
                return false;
            }
        }
        let at_module_level = self.stack.is_empty();
        match opened_block(line, at_module_level) {
            Some(kind @ Block::Function { .. }) => {
                // The header (defaults, annotations) runs at import time; the body does not.
                // Decorators are lines of their own.
                if self.candidate(header_before_body(&line.tokens)) {
                    return true;
                }
                let sync_at_module_level = kind
                    == (Block::Function {
                        sync_at_module_level: true,
                    });
                self.function = if sync_at_module_level {
                    module_level_sync_def(&line.tokens)
                } else {
                    None
                };
                match body_after_colon_of_def(&line.tokens) {
                    Some(body) => {
                        if self.only.is_none() && sync_at_module_level {
                            self.note_loop_function(body);
                        }
                        false
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
                if self.candidate(header) {
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
                self.candidate(&line.tokens)
            }
            None => self.candidate(&line.tokens),
        }
    }
}

impl<'a> Scan<'a> {
    /// Notes the current module-level sync function as one that may run a loop when `tokens`,
    /// a line of its body, may.
    fn note_loop_function(&mut self, tokens: &[Token<'a>]) {
        let Some(name) = self.function else { return };
        if !self.loop_functions.contains(&name) && self.may_run_loop(tokens) {
            self.loop_functions.push(name);
        }
    }

    /// Whether a line of a module-level sync function may run a loop (making the function one
    /// that LF004 follows): `run_until_complete`, a `Runner`, `<loop module>.run`, or a name
    /// imported from a loop module. `asyncio.sleep(...)` in a sync helper is not.
    fn may_run_loop(&self, tokens: &[Token]) -> bool {
        may_call(tokens)
            && tokens.iter().enumerate().any(|(i, token)| match token {
                Token::Word(b"run_until_complete") => true,
                Token::Word(b"Runner") => self.may_name_a_loop_entry_point(tokens, i),
                Token::Word(word) if self.members.contains(word) => true,
                Token::Word(word) if self.is_module(word) => {
                    tokens.get(i + 1) == Some(&Token::Dot)
                        && tokens.get(i + 2) == Some(&Token::Word(b"run"))
                }
                _ => false,
            })
    }

    /// Whether the word at `k` may name a loop entry point: a name bound by the import of one,
    /// an attribute of that name (`x.get_event_loop`, whatever `x` is), or `Mangum`. A bare
    /// `get_event_loop` that no import binds is the module's own (asyncio's `events.py`
    /// defines one): it resolves to a loop library only through a `from` import of one, which
    /// may come later in the file, in a block the scan skips, or as `*`; a file with such an
    /// import anywhere keeps every bare name a candidate.
    fn may_name_a_loop_entry_point(&self, tokens: &[Token], k: usize) -> bool {
        let Token::Word(word) = tokens[k] else {
            return false;
        };
        if self.members.contains(&word) {
            return true;
        }
        if !CANDIDATE_WORDS.contains(&word) {
            return false;
        }
        let is_attribute = k > 0 && tokens[k - 1] == Token::Dot;
        is_attribute
            || word == b"Mangum"
            || *self
                .imports_from_a_loop_module
                .get_or_init(|| imports_from_a_loop_module(self.code))
    }

    fn is_module(&self, word: &[u8]) -> bool {
        LOOP_MODULES.contains(&word) || self.modules.contains(&word)
    }
}

/// The modules a file's import statements name, anywhere in the file (only the lines that hold
/// `import` are lexed): `import a.b as c` gives
/// `a.b`; `from pkg import x, y` gives `pkg`, `pkg.x` and `pkg.y` (each may be a submodule);
/// relative names keep their dots (`from . import config` gives `.` and `.config`).
pub fn imported_modules(code: &[u8]) -> Vec<String> {
    let mut modules = Vec::new();
    for range in crate::project::import_lines(code) {
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

/// Whether the module holds `from <loop module>` anywhere (`from asyncio import get_event_loop`,
/// `try: from asyncio.events import *`, in a function or a `TYPE_CHECKING` block alike): the
/// only way a bare name resolves to a loop library. A search of the text, so a string or a
/// comment may count too, which only asks for a parse.
fn imports_from_a_loop_module(code: &[u8]) -> bool {
    LOOP_MODULES.iter().any(|module| {
        memchr::memmem::find_iter(code, module).any(|at| follows_the_word_from(&code[..at]))
    })
}

/// Whether `before` ends with the word `from` and blanks (line continuations included).
fn follows_the_word_from(before: &[u8]) -> bool {
    let mut end = before.len();
    while let Some(b' ' | b'\t' | b'\x0c' | b'\n' | b'\r' | b'\\') = before[..end].last() {
        end -= 1;
    }
    let Some(start) = end.checked_sub(4) else {
        return false;
    };
    end < before.len()
        && &before[start..end] == b"from"
        && (start == 0 || !is_word_byte(before[start - 1]))
}

/// The simple statements of a logical line: its tokens split at `;` and at a block header's
/// `:` (`try: import x`, `import os; from asyncio import run`).
fn statements<'t, 'a>(tokens: &'t [Token<'a>]) -> impl Iterator<Item = &'t [Token<'a>]> {
    tokens.split(|t| matches!(t, Token::Semicolon | Token::Colon))
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

fn is_import(tokens: &[Token]) -> bool {
    matches!(tokens.first(), Some(Token::Word(b"import" | b"from")))
        && tokens.contains(&Token::Word(b"import"))
}

/// One item of an import list: the dotted path and its `as` alias.
type ImportItem<'a> = (Vec<&'a [u8]>, Option<&'a [u8]>);

/// The names an import of a loop module binds: `import asyncio as aio` binds the module
/// `aio`; `from asyncio import run as go` the entry point `go`; `from asyncio import events`
/// the submodule `events` (a module, for the scan); `from asyncio import *` every entry point.
fn record_aliases<'a>(
    tokens: &[Token<'a>],
    modules: &mut Vec<&'a [u8]>,
    members: &mut Vec<&'a [u8]>,
) {
    let import_at = tokens.iter().position(|t| *t == Token::Word(b"import"));
    let Some(import_at) = import_at else { return };
    let is_from = tokens.first() == Some(&Token::Word(b"from"));
    let from_loop_module =
        is_from && matches!(tokens.get(1), Some(Token::Word(w)) if LOOP_MODULES.contains(w));
    // Items after `import`: `a.b as c`, separated by commas (lexed as Other) and brackets.
    let mut items: Vec<ImportItem<'a>> = Vec::new();
    let mut path: Vec<&'a [u8]> = Vec::new();
    let mut alias: Option<&'a [u8]> = None;
    let mut after_as = false;
    for token in &tokens[import_at + 1..] {
        match token {
            Token::Word(b"as") => after_as = true,
            Token::Word(word) if after_as => {
                alias = Some(*word);
                after_as = false;
            }
            Token::Word(word) => path.push(*word),
            Token::Dot => {}
            _ => {
                if !path.is_empty() {
                    items.push((std::mem::take(&mut path), alias.take()));
                }
            }
        }
    }
    if !path.is_empty() {
        items.push((path, alias));
    }
    if is_from {
        if !from_loop_module {
            return;
        }
        if items.is_empty() {
            // `from asyncio import *`: `*` lexes as Other.
            members.extend_from_slice(API_WORDS);
        }
        for (path, alias) in items {
            let Some(&name) = path.first() else { continue };
            let local = alias.unwrap_or(name);
            if API_WORDS.contains(&name) {
                members.push(local);
            } else {
                modules.push(local);
            }
        }
        return;
    }
    for (path, alias) in items {
        let Some(&first) = path.first() else { continue };
        if LOOP_MODULES.contains(&first) {
            modules.push(alias.unwrap_or(first));
        }
    }
}

/// The block a line inside a function or a non-import-time block opens: a nested function, or
/// a block that runs where `context` runs.
fn nested_block(line: &Line, context: Block) -> Option<Block> {
    opened_block(line, false).map(|kind| match kind {
        Block::Function { .. } => Block::Function {
            sync_at_module_level: false,
        },
        _ => context,
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

/// Whether a line can call what it names: it is a decorator, or a `(` follows anything but the
/// start of the tokens (a name, a closing bracket; a comma counts too, conservatively). A line
/// that only mentions a loop name (an annotation `runner: Runner`, a default
/// `factory=asyncio.new_event_loop`, an alias `get = asyncio.get_event_loop`) runs no loop: the
/// analysis follows calls, not names bound to loop functions.
fn may_call(tokens: &[Token]) -> bool {
    tokens.first() == Some(&Token::At)
        || tokens.windows(2).any(|pair| {
            pair[1] == Token::Open
                && matches!(pair[0], Token::Word(_) | Token::Close | Token::Other)
        })
}

/// Whether the word at `k` is the name a `class` statement defines (`class Runner:`).
fn names_a_new_class(tokens: &[Token], k: usize) -> bool {
    k > 0 && tokens[k - 1] == Token::Word(b"class")
}

/// The tokens of a `def` line before its body's `:`, from its parameters on (the function's
/// own name runs nothing; decorators are lines of their own).
fn header_before_body<'t, 'a>(tokens: &'t [Token<'a>]) -> &'t [Token<'a>] {
    let end = def_colon(tokens).unwrap_or(tokens.len());
    let start = tokens
        .iter()
        .position(|t| *t == Token::Open)
        .unwrap_or(0)
        .min(end);
    &tokens[start..end]
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
    for_each_logical_line_where(code, &mut (), |_, _| true, |_, line| each(line));
}

/// [`for_each_logical_line`], asking `wants` with each logical line's indent first: the lines
/// it declines are skipped without being tokenized (their strings, comments and brackets are
/// still followed, so the next line starts where it should). `state` is handed to both.
fn for_each_logical_line_where<'a, S: ?Sized>(
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
            while i < n && matches!(code[i], b' ' | b'\t' | b'\x0c') {
                width += if code[i] == b'\t' { 8 } else { 1 };
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

/// The bytes that end a run of plain code for [`skip_logical_line`].
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
    let n = code.len();
    let mut depth = 0i32;
    let mut i = start;
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
                i += 1;
                if depth <= 0 {
                    return i;
                }
            }
            b'\\' => i += 2,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_needed(code: &str) -> bool {
        needs_parse(code.as_bytes())
    }

    /// [`Scan::run`] without skipping any line: every logical line tokenized and scanned.
    fn scan_every_line(code: &[u8]) -> bool {
        let mut scan = Scan::default();
        let mut found = false;
        for_each_logical_line(code, |line| {
            found = scan.line(line);
            !found
        });
        found
    }

    #[test]
    fn names_that_cannot_be_called_need_no_parse() {
        for code in [
            "import asyncio\nclass Runner:\n    pass\n",
            "import asyncio\nclass Holder:\n    runner: asyncio.Runner\n",
            "from asyncio import Runner\n_runner: Runner\n",
            "import asyncio\ndef f(runner: asyncio.Runner) -> asyncio.Runner:\n    return runner\n",
            "import asyncio\nR = asyncio.Runner\n",
            "import asyncio\ndef f(factory=asyncio.new_event_loop):\n    return factory()\n",
            "from asyncio import get_event_loop\nget = get_event_loop\nL = get()\n",
        ] {
            assert!(!parse_needed(code), "{code}");
        }
        for code in [
            "from asyncio import run\n@run\nasync def main():\n    pass\n",
            "import asyncio\nx: asyncio.Runner = make()\n",
            "import asyncio\nclass A(asyncio.Runner):\n    pass\n",
            "import asyncio\nclass A:\n    loop = asyncio.get_event_loop()\n",
            "import asyncio\ndef f(loop=asyncio.new_event_loop()):\n    pass\n",
        ] {
            assert!(parse_needed(code), "{code}");
        }
    }

    #[test]
    fn skipped_bodies_end_where_tokenized_ones_do() {
        // Each body holds something that could end a naive skip early or late; each module
        // ends with an import-time loop call that only a correct skip still sees.
        let bodies = [
            "    x = f(1,\nasyncio.run(y))\n",
            "    y = 1 + \\\nasyncio.run(z)\n",
            "    s = '''\nclass A:\nasyncio.run(x)\n'''\n",
            "    s = \"(\" + ')'  # ( unbalanced in strings and comments '\n",
            "    y = 1 + \\\n        2\n",
            "    t = f\"{d['k']}\" + rb'\\'\n",
            "    u = [\n        1,\n    ]\n    if x:\n        pass\n",
            "    v = f'''{x\n}'''\n",
            "    w = '\\''\n",
            "    z = 1\n  # a comment less indented than the body\n    z = 2\n",
        ];
        for body in bodies {
            for tail in ["asyncio.run(main())\n", "x = 1\n"] {
                // An async function's body is skipped (a module-level sync one's is not).
                let code = format!("import asyncio\n\nasync def f():\n{body}\n{tail}");
                let skipping = Scan::default().run(code.as_bytes());
                assert_eq!(skipping, scan_every_line(code.as_bytes()), "{code}");
                assert_eq!(skipping, tail.starts_with("asyncio"), "{code}");
            }
        }
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
    fn loop_functions_wait_for_an_importer_unless_the_module_calls_them_at_import_time() {
        let need = |code: &str| parse_need(code.as_bytes());
        // Defined, called only from a test method: another module may import and call it.
        assert_eq!(
            need(
                "import asyncio\ndef load():\n    return asyncio.run(f())\nclass T:\n    def test(self):\n        load()\n"
            ),
            ParseNeed::IfImported
        );
        assert_eq!(
            need("import asyncio\ndef load(): return asyncio.run(f())\n"),
            ParseNeed::IfImported
        );
        // Called at import time, directly, from a class body, a decorator or a default.
        let with_load = |use_site: &str| {
            format!("import asyncio\ndef load():\n    return asyncio.run(f())\n{use_site}")
        };
        for use_site in [
            "X = load()\n",
            "class C:\n    X = load()\n",
            "@register(load())\ndef g():\n    pass\n",
            "def g(x=load()):\n    pass\n",
            "X = load (\n)\n",
        ] {
            assert_eq!(need(&with_load(use_site)), ParseNeed::Parse, "{use_site}");
        }
        // Named but not called (the analysis reports only calls): a parameter, an argument, an
        // alias, an attribute of another object.
        for mention in [
            "def g(load):\n    pass\n",
            "def g(x: load = None):\n    pass\n",
            "@register(load)\ndef g():\n    pass\n",
            "ALIAS = load\n",
            "X = other.load\n",
        ] {
            assert_eq!(
                need(&with_load(mention)),
                ParseNeed::IfImported,
                "{mention}"
            );
        }
        // Called at import time through a sync wrapper, defined before or after it.
        assert_eq!(
            need(
                "import asyncio\ndef outer():\n    return inner()\ndef inner():\n    return asyncio.run(f())\nX = outer()\n"
            ),
            ParseNeed::Parse
        );
        assert_eq!(
            need(
                "import asyncio\ndef a():\n    return b()\ndef b():\n    return c()\ndef c():\n    asyncio.run(f())\nX = a()\n"
            ),
            ParseNeed::Parse
        );
        // A wrapper that is itself not called at import time changes nothing.
        assert_eq!(
            need(
                "import asyncio\ndef outer():\n    return inner()\ndef inner():\n    return asyncio.run(f())\n"
            ),
            ParseNeed::IfImported
        );
        assert_eq!(
            need("import asyncio\nX = asyncio.run(f())\n"),
            ParseNeed::Parse
        );
        assert_eq!(
            need("import asyncio\nQ = asyncio.Queue()\n"),
            ParseNeed::Skip
        );
        // A caller calls the function by name: `ctx.run(...)` is not a call of a module's `run`.
        assert_eq!(
            need(
                "import asyncio\ndef run():\n    return asyncio.run(f())\ndef frames(ctx):\n    return ctx.run(g)\nN = frames(None)\n"
            ),
            ParseNeed::IfImported
        );
        // A `Runner` of the module's own (trio's) or in an annotation runs no asyncio loop.
        for code in [
            "class Runner:\n    pass\ndef setup():\n    return Runner()\nR = setup()\n",
            "import asyncio\ndef fixture():\n    def inner(request) -> Iterator[asyncio.Runner]:\n        yield\n    return inner\nF = fixture()\n",
        ] {
            assert_eq!(need(code), ParseNeed::Skip, "{code}");
        }
        assert_eq!(
            need("from asyncio import Runner\ndef setup():\n    return Runner()\nR = setup()\n"),
            ParseNeed::Parse
        );
    }

    #[test]
    fn loop_modules_count_only_next_to_an_entry_point() {
        assert!(!parse_needed("import asyncio\nQ = asyncio.Queue\n"));
        assert!(!parse_needed(
            "from asyncio import futures\n@skipUnless(hasattr(futures, '_C'), 'x')\nclass T:\n    pass\n"
        ));
        assert!(!parse_needed(
            "import asyncio\nclass L:\n    def run_until_complete(self, f):\n        pass\n"
        ));
        assert!(!parse_needed(
            "import asyncio\ndef wrap(f):\n    def inner():\n        return asyncio.run(f())\n    return inner\n"
        ));
        assert!(!parse_needed(
            "from asyncio import iscoroutinefunction\ndef f(o):\n    return iscoroutinefunction(o)\n"
        ));
        assert!(parse_needed(
            "import asyncio\nP = asyncio.get_event_loop_policy().new_event_loop()\n"
        ));
        assert!(parse_needed(
            "from asyncio import events\nL = events.get_event_loop()\n"
        ));
        assert!(parse_needed(
            "import asyncio.events as ev\nX = ev.run(f())\n"
        ));
    }

    #[test]
    fn words_called_at_import_time() {
        let code = b"from util import run_until, helper\nX = helper()\nclass T:\n    def test(self):\n        run_until(1)\n";
        assert!(!called_at_import_time(code, &[b"run_until"]));
        assert!(called_at_import_time(code, &[b"helper"]));
    }

    #[test]
    fn bare_loop_names_count_only_where_a_loop_module_may_bind_them() {
        // A module's own `get_event_loop` (asyncio's `events.py`): aliases and calls of it are
        // not asyncio's.
        let own = "def get_event_loop():\n    return None\n_saved = get_event_loop\nLOOP = get_event_loop()\n";
        assert!(!parse_needed(own), "{own}");
        // A `from` import of a loop module anywhere (later, in a skipped block, as `*`, after a
        // line continuation) may bind the name: parse.
        for import in [
            "from asyncio import get_event_loop\n",
            "if TYPE_CHECKING:\n    from asyncio import get_event_loop\n",
            "from asyncio.events import *\n",
            "def f():\n    from  asyncio import get_event_loop\n",
            "from \\\n    asyncio import get_event_loop\n",
        ] {
            let code = format!("{own}{import}");
            assert!(parse_needed(&code), "{code}");
        }
        // An attribute is a candidate whatever its object.
        assert!(parse_needed(
            "import events\nLOOP = events.get_event_loop()\n"
        ));
        // `import asyncio` binds the module, not its functions; prose does not count.
        for code in [
            "import asyncio\nLOOP = get_event_loop()\n",
            "# adapted from the asyncio docs\nLOOP = get_event_loop()\n",
            "import fromasyncio\nLOOP = get_event_loop()\n",
        ] {
            assert!(!parse_needed(code), "{code}");
        }
    }

    #[test]
    fn imports_sharing_a_line_bind_names() {
        for code in [
            "try: from asyncio import run\nexcept ImportError: pass\nX = run(main())\n",
            "import os; from asyncio import run as go\nX = go(main())\n",
            "import asyncio; X = asyncio.run(main())\n",
            "if True: import asyncio as aio\nX = aio.run(main())\n",
        ] {
            assert!(parse_needed(code), "{code}");
        }
        let modules = imported_modules(
            b"try: import a.b\nexcept ImportError: pass\nimport os; from c import d\nx = 1; import e\nfrom f \\\n  import g\n",
        );
        for module in ["a.b", "os", "c", "c.d", "e", "f", "f.g"] {
            assert!(
                modules.contains(&module.to_owned()),
                "{module}: {modules:?}"
            );
        }
    }

    #[test]
    fn deferred_modules_name_their_possible_loop_functions_and_callers() {
        let code = b"import asyncio\ndef load():\n    return asyncio.run(f())\ndef twice():\n    return load(), load()\ndef other():\n    return 1\n";
        let (need, mut names) = verdict(code);
        assert_eq!(need, ParseNeed::IfImported);
        names.sort_unstable();
        assert_eq!(names, vec![b"load".as_slice(), b"twice"]);
    }

    #[test]
    fn imported_modules_are_listed() {
        let modules = imported_modules(
            b"import os, app.config as c\nfrom . import config\nfrom ..x import (a,\n  b as bb)\ndef f():\n    import json\n",
        );
        for module in [
            "os",
            "app.config",
            ".",
            ".config",
            "..x",
            "..x.a",
            "..x.b",
            "json",
        ] {
            assert!(
                modules.contains(&module.to_owned()),
                "{module}: {modules:?}"
            );
        }
        assert!(
            !modules.iter().any(|m| m.ends_with("bb") || m == "c"),
            "{modules:?}"
        );
    }

    #[test]
    fn bracketed_lines_join() {
        assert!(parse_needed(
            "import asyncio\nX = (\n    asyncio.run(\n        f()\n    )\n)\n"
        ));
        assert!(!parse_needed("import asyncio\nX = (\n    1,\n    2,\n)\n"));
    }
}
