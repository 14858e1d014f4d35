//! What a logical line's tokens say: the words that name loop entry points, the block a line
//! opens, whether it can call what it names, the parts of a `def` header, and the names an
//! import of a loop module binds.

use super::tokens::{Line, Token};

/// Words that make an import-time line a candidate wherever they appear in code.
pub(super) const CANDIDATE_WORDS: &[&[u8]] = &[
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
pub(super) const API_WORDS: &[&[u8]] = &[
    b"run",
    b"run_until_complete",
    b"get_event_loop",
    b"new_event_loop",
    b"set_event_loop",
    b"get_event_loop_policy",
    b"Runner",
    b"DefaultEventLoopPolicy",
    b"EventLoopPolicy",
    // LF007: calls that need a running loop.
    b"get_running_loop",
    b"create_task",
    b"current_task",
    b"all_tasks",
];

/// Modules whose imports bind names that can run a loop.
pub(super) const LOOP_MODULES: &[&[u8]] = &[b"asyncio", b"uvloop", b"anyio"];

/// What a block's body is, for the lines inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Block {
    /// `def` / `async def`: runs when called. `module_level` for a module-level sync function.
    Function { sync_at_module_level: bool },
    /// `if __name__ == "__main__":` (and its `elif`/`else`) or `if TYPE_CHECKING:`.
    NotImportTime,
    /// Anything else (`class`, `if`, `try`, `with`, ...): runs where the block runs.
    ImportTime,
}

/// Whether the tokens call one of `names` by name: `load(...)`, not `x.load(...)` (an
/// attribute is not the module's function) nor a mention without a call (a parameter, an
/// annotation, an alias), which the analysis does not follow either.
pub(super) fn calls_by_name(tokens: &[Token], names: &[&[u8]]) -> bool {
    tokens.windows(2).enumerate().any(|(k, pair)| {
        matches!(pair, [Token::Word(w), Token::Open] if names.contains(w))
            && (k == 0 || tokens[k - 1] != Token::Dot)
    })
}

/// Whether the tokens call one of `names`, by name or as an attribute (`helpers.load(...)`).
pub(super) fn calls(tokens: &[Token], names: &[&[u8]]) -> bool {
    tokens
        .windows(2)
        .any(|pair| matches!(pair, [Token::Word(w), Token::Open] if names.contains(w)))
}

/// The name a line at module level defines with a sync `def`, if it does.
pub(super) fn module_level_sync_def<'a>(tokens: &[Token<'a>]) -> Option<&'a [u8]> {
    match tokens {
        [Token::Word(b"def"), Token::Word(name), ..] => Some(name),
        _ => None,
    }
}

/// The simple statements of a logical line: its tokens split at `;` and at a block header's
/// `:` (`try: import x`, `import os; from asyncio import run`).
pub(super) fn statements<'t, 'a>(tokens: &'t [Token<'a>]) -> impl Iterator<Item = &'t [Token<'a>]> {
    tokens.split(|t| matches!(t, Token::Semicolon | Token::Colon))
}

pub(super) fn is_import(tokens: &[Token]) -> bool {
    matches!(tokens.first(), Some(Token::Word(b"import" | b"from")))
        && tokens.contains(&Token::Word(b"import"))
}

/// One item of an import list: the dotted path and its `as` alias.
type ImportItem<'a> = (Vec<&'a [u8]>, Option<&'a [u8]>);

/// The names an import of a loop module binds: `import asyncio as aio` binds the module
/// `aio`; `from asyncio import run as go` the entry point `go`; `from asyncio import events`
/// the submodule `events` (a module, for the scan); `from asyncio import *` every entry point.
pub(super) fn record_aliases<'a>(
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
pub(super) fn nested_block(line: &Line, context: Block) -> Option<Block> {
    opened_block(line, false).map(|kind| match kind {
        Block::Function { .. } => Block::Function {
            sync_at_module_level: false,
        },
        _ => context,
    })
}

/// The block a logical line opens, if it ends with its block's `:` (or holds its body after it).
pub(super) fn opened_block(line: &Line, at_module_level: bool) -> Option<Block> {
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
pub(super) fn may_call(tokens: &[Token]) -> bool {
    tokens.first() == Some(&Token::At)
        || tokens.windows(2).any(|pair| {
            pair[1] == Token::Open
                && matches!(pair[0], Token::Word(_) | Token::Close | Token::Other)
        })
}

/// Whether the word at `k` is the name a `class` statement defines (`class Runner:`).
pub(super) fn names_a_new_class(tokens: &[Token], k: usize) -> bool {
    k > 0 && tokens[k - 1] == Token::Word(b"class")
}

/// The tokens of a `def` line before its body's `:`, from its parameters on (the function's
/// own name runs nothing; decorators are lines of their own).
pub(super) fn header_before_body<'t, 'a>(tokens: &'t [Token<'a>]) -> &'t [Token<'a>] {
    let end = def_colon(tokens).unwrap_or(tokens.len());
    let start = tokens
        .iter()
        .position(|t| *t == Token::Open)
        .unwrap_or(0)
        .min(end);
    &tokens[start..end]
}

/// The body on a one-line `def f(): body`, if any.
pub(super) fn body_after_colon_of_def<'t, 'a>(tokens: &'t [Token<'a>]) -> Option<&'t [Token<'a>]> {
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
pub(super) fn body_after_colon<'t, 'a>(tokens: &'t [Token<'a>]) -> Option<&'t [Token<'a>]> {
    let colon = tokens.iter().position(|t| *t == Token::Colon)?;
    Some(&tokens[colon + 1..])
}
