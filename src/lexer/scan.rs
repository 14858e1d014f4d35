//! The scan's verdict on a module that holds a needle: whether its import-time code (or a
//! module-level function) may run an event loop, so that only such a module is parsed; and
//! whether a module calls given functions at import time (the project phases' question).

use super::shapes::{
    API_WORDS, Block, CANDIDATE_WORDS, LOOP_MODULES, body_after_colon, body_after_colon_of_def,
    calls, calls_by_name, header_before_body, is_import, may_call, module_level_sync_def,
    names_a_new_class, nested_block, opened_block, record_aliases, statements,
};
use super::tokens::{
    Line, Token, for_each_logical_line, for_each_logical_line_where, is_word_byte,
};

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

/// The scan's verdict, with the names of the module's possible loop functions when it is
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
pub(super) struct Scan<'a> {
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
    /// The module-level sync functions whose bodies may run a loop (and the classes whose
    /// `__init__` may, and the classmethods and staticmethods of module-level classes that may).
    loop_functions: Vec<&'a [u8]>,
    /// The module-level class whose body the scan is in: its name and the indent of its header.
    class: Option<(&'a [u8], usize)>,
    /// Whether the lines just before, in that class body, decorate a method with
    /// `@classmethod` or `@staticmethod`.
    factory_decorator: bool,
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
    pub(super) fn run(&mut self, code: &'a [u8]) -> bool {
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
    pub(super) fn line(&mut self, line: &Line<'a>) -> bool {
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
        let method = self.loop_callable_method(line);
        match opened_block(line, at_module_level || method.is_some()) {
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
                self.function = match method {
                    Some(name) => Some(name),
                    None if sync_at_module_level => module_level_sync_def(&line.tokens),
                    None => None,
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
    /// For a line of a module-level class body: notes the class (on its header) and the
    /// `@classmethod`/`@staticmethod` decorators; and for a sync `def __init__` or a decorated
    /// factory, the name its callers call: the class's for `__init__` (`Database(...)`), the
    /// method's for a factory (`Database.create(...)`).
    fn loop_callable_method(&mut self, line: &Line<'a>) -> Option<&'a [u8]> {
        let tokens = &line.tokens;
        if self.stack.is_empty() {
            self.class = match tokens.as_slice() {
                [Token::Word(b"class"), Token::Word(name), ..] => Some((*name, line.indent)),
                _ => None,
            };
            self.factory_decorator = false;
            return None;
        }
        let (class, indent) = self.class?;
        if self.stack.len() != 1 || self.stack[0].0 != indent {
            return None;
        }
        match tokens.as_slice() {
            [Token::At, Token::Word(b"classmethod" | b"staticmethod")] => {
                self.factory_decorator = true;
                None
            }
            [Token::At, ..] => None,
            [Token::Word(b"def"), Token::Word(name), ..] => {
                let factory = std::mem::take(&mut self.factory_decorator);
                if *name == b"__init__" {
                    Some(class)
                } else {
                    factory.then_some(*name)
                }
            }
            _ => {
                self.factory_decorator = false;
                None
            }
        }
    }

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
