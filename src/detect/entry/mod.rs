//! Entry points (SPEC §4.5): modules that run a program, whose loop runs on purpose. A package's
//! `__main__.py`; Alembic's `env.py` (it imports `alembic.context`); a script with a shebang;
//! and a script that ends in the program's blocking run (`bot.run(TOKEN)`, `uvicorn.run(app)`,
//! `web.run_app(app)`, `executor.start_polling(dp)`, `asyncio.run(main())`, ..., also as the
//! last statement of a trailing `with`, `try` or `if __name__ == "__main__":` block), when
//! nothing in the run imports it (the project phases tell; see `ProjectContext`).
//!
//! There, **one** loop that runs the program is correct and is not reported. **Two or more**
//! loops in sequence are: whatever the earlier ones create is bound to a loop that is closed, or
//! that does not run, when the program's own loop serves. Sites that use the same loop (a loop
//! global fetched once and run several times) are one loop ([`super::identity`]); loops in
//! different branches of one `if` never run in sequence.

use tree_sitter::Node;

use super::identity::{LoopIds, LoopKey};
use super::site::{Site, SiteKind};
use crate::semantic::{BindingKind, Model, Place};

/// What kind of entry point a module is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A package's `__main__.py` (`python -m package`).
    DunderMain,
    /// Alembic's `env.py`, which `alembic upgrade` loads by path.
    AlembicEnv,
    /// A file that starts with `#!`.
    Shebang,
    /// A module that ends in the program's blocking run; an entry point only while nothing in
    /// the run imports it.
    Script,
}

impl EntryKind {
    /// Whether a framework loads the file by path: it is never imported, so its run statements
    /// need no `if __name__ == "__main__":` guard.
    pub fn loaded_by_path(self) -> bool {
        matches!(self, EntryKind::DunderMain | EntryKind::AlembicEnv)
    }

    /// How messages name it.
    pub fn describe(self) -> &'static str {
        match self {
            EntryKind::DunderMain => "this `__main__.py`",
            EntryKind::AlembicEnv => "this Alembic `env.py`",
            EntryKind::Shebang | EntryKind::Script => "the script",
        }
    }
}

/// The program's run: the call the module ends with.
#[derive(Debug, Clone, Copy)]
pub struct ProgramRun<'t> {
    /// The module-level statement that holds it.
    pub statement: Node<'t>,
    /// The run call.
    pub call: Node<'t>,
    /// The loop it runs, when it runs one (`main()` of a command-line tool may not).
    pub key: Option<Joined<'t>>,
    /// Whether it is under `if __name__ == "__main__":` already.
    pub guarded: bool,
    /// The index of its site, when it is one (`asyncio.run(main())`).
    pub site: Option<usize>,
}

/// A module that runs a program.
#[derive(Debug, Clone, Copy)]
pub struct EntryPoint<'t> {
    /// Which kind.
    pub kind: EntryKind,
    /// The program's run, when the module ends in one.
    pub program: Option<ProgramRun<'t>>,
}

/// Functions that run a program's loop until it stops, and which loop: the current one
/// (`true`: aiogram 2's executor fetches it) or one of their own.
const BLOCKING_RUNS: &[(&str, bool)] = &[
    ("uvicorn.run", false),
    ("hypercorn.run.run", false),
    ("aiohttp.web.run_app", false),
    ("aiogram.executor.start_polling", true),
    ("aiogram.executor.start_webhook", true),
    ("aiogram.utils.executor.start_polling", true),
    ("aiogram.utils.executor.start_webhook", true),
    ("trio.run", false),
];

/// Methods that run a framework's program (`bot.run(TOKEN)`, `app.run()`, `dp.run_polling()`);
/// which loop they run depends on the library ([`CURRENT_LOOP_LIBRARIES`]).
const BLOCKING_METHODS: &[&[u8]] = &[
    b"run",
    b"run_polling",
    b"run_webhook",
    b"run_until_disconnected",
    b"run_app",
    b"run_forever",
    b"start_polling",
    b"infinity_polling",
    b"polling",
    b"serve_forever",
];

/// Libraries whose clients run the current loop (`asyncio.get_event_loop()` when they are
/// made) rather than one of their own: `client.run()` of Pyrogram, Telethon's
/// `run_until_disconnected()`, python-telegram-bot's `run_polling()`.
const CURRENT_LOOP_LIBRARIES: &[&str] = &["pyrogram", "telethon", "telegram"];

/// Application objects that an ASGI server or a Lambda adapter imports and serves.
const SERVED_APPS: &[&str] = &[
    "fastapi.FastAPI",
    "fastapi.applications.FastAPI",
    "starlette.applications.Starlette",
    "quart.Quart",
    "sanic.Sanic",
    "litestar.Litestar",
    "aiohttp.web.Application",
    "mangum.Mangum",
    "mangum.adapter.Mangum",
];

/// The module's kind of entry point, if it is one. `dunder_main` when the file is a
/// package's `__main__.py`.
pub fn entry_point<'t>(
    model: &Model<'t>,
    code: &[u8],
    dunder_main: bool,
    sites: &[Site<'t>],
) -> Option<EntryPoint<'t>> {
    let program = program_run(model, sites);
    let kind = if dunder_main {
        EntryKind::DunderMain
    } else if imports_alembic_context(model) {
        EntryKind::AlembicEnv
    } else if code.starts_with(b"#!") {
        EntryKind::Shebang
    } else if program.is_some_and(|p| is_script_run(model, &p)) {
        EntryKind::Script
    } else {
        return None;
    };
    Some(EntryPoint { kind, program })
}

/// `from alembic import context` or `import alembic.context`.
fn imports_alembic_context(model: &Model) -> bool {
    let alembic_context = |q: &str| q == "alembic.context" || q.starts_with("alembic.context.");
    model.bindings.iter().any(|b| match &b.kind {
        BindingKind::Member(q) | BindingKind::Module(q) => alembic_context(q),
        _ => false,
    }) || model.imports.iter().any(|i| {
        let text = model.node_text(i.node);
        memchr::memmem::find(text, b"alembic.context").is_some()
    })
}

/// Whether a module that ends in `program` is a script: it does not build an application that
/// an ASGI server or a Lambda adapter imports and serves, unless it serves it itself with a
/// framework's blocking run.
fn is_script_run(model: &Model, program: &ProgramRun) -> bool {
    let served: Vec<&str> = model
        .bindings
        .iter()
        .filter_map(|b| built_app(model, b.offset, b.name.len()))
        .collect();
    if served.iter().any(|q| q.starts_with("mangum.")) {
        return false;
    }
    served.is_empty() || program.site.is_none()
}

/// The constructor of an application the binding at `offset` holds, if it holds one.
fn built_app(model: &Model, offset: usize, len: usize) -> Option<&'static str> {
    let target = model.root.descendant_for_byte_range(offset, offset + len)?;
    let assignment = target.parent().filter(|p| p.kind() == "assignment")?;
    let value = assignment.child_by_field_name("right")?;
    let function = value
        .kind()
        .eq("call")
        .then(|| value.child_by_field_name("function"))??;
    let qualified = model.qualified_name(function)?;
    SERVED_APPS.iter().copied().find(|app| *app == qualified)
}

/// The call the module ends with, when it runs the program: the last statement (looking into
/// a trailing `with`, `try` or `if __name__ == "__main__":` block) is a call of a loop runner,
/// of a framework's blocking run, or under the guard, of a function the module defines
/// (`main()`).
fn program_run<'t>(model: &Model<'t>, sites: &[Site<'t>]) -> Option<ProgramRun<'t>> {
    let top = *model.statements.last()?;
    let mut statement = top;
    let mut guarded = false;
    loop {
        let block = match statement.kind() {
            "with_statement" | "try_statement" => statement.child_by_field_name("body")?,
            "if_statement" => {
                let body = statement.child_by_field_name("consequence")?;
                if model.place_at(body.start_byte()) != Place::EntryPoint {
                    return None;
                }
                guarded = true;
                body
            }
            "expression_statement" => break,
            _ => return None,
        };
        let mut cursor = block.walk();
        statement = block
            .named_children(&mut cursor)
            .filter(|c| c.kind() != "comment")
            .last()?;
    }
    let call = statement
        .named_child(0)
        .filter(|c| c.kind() == "call" && statement.named_child_count() == 1)?;
    // Only a run is the program's (`asyncio.get_event_loop()` last is none).
    let site = sites
        .iter()
        .position(|s| s.call.id() == call.id() && matches!(s.kind, SiteKind::Run { .. }));
    let key = match site {
        Some(i) => Some(LoopKey::of(&sites[i].kind)),
        None => match blocking_run(model, call) {
            Some(key) => Some(key),
            None if guarded && calls_own_function(model, call) => None,
            None => return None,
        },
    };
    Some(ProgramRun {
        statement: top,
        call,
        key,
        guarded,
        site,
    })
}

/// Whether `call` calls a function the module defines (`main()` of a command-line tool).
fn calls_own_function(model: &Model, call: Node) -> bool {
    let Some(function) = call.child_by_field_name("function") else {
        return false;
    };
    function.kind() == "identifier"
        && model.bindings_of(model.node_text(function)).any(|b| {
            model
                .root
                .descendant_for_byte_range(b.offset, b.offset + b.name.len())
                .and_then(|n| n.parent())
                .is_some_and(|p| p.kind() == "function_definition")
        })
}

/// The loop a framework's blocking run uses, when `call` is one.
fn blocking_run<'t>(model: &Model<'t>, call: Node<'t>) -> Option<Joined<'t>> {
    let function = call.child_by_field_name("function")?;
    let current = |yes: bool| {
        if yes {
            (LoopKey::Current, None)
        } else {
            (LoopKey::Own, None)
        }
    };
    if let Some(qualified) = model.qualified_name(function) {
        if let Some((_, uses_current)) = BLOCKING_RUNS.iter().find(|(q, _)| *q == qualified) {
            return Some(current(*uses_current));
        }
        // Under the guard, loopfix's own runs are no sites: `asyncio.run(main())`.
        if matches!(
            qualified.as_str(),
            "asyncio.run" | "uvloop.run" | "anyio.run"
        ) {
            return Some(current(false));
        }
        if qualified.starts_with("asyncio.") {
            return None;
        }
    }
    if function.kind() != "attribute" {
        return None;
    }
    let method = model.node_text(function.child_by_field_name("attribute")?);
    let receiver = function.child_by_field_name("object")?;
    if method == b"run_until_complete" {
        let fetched = receiver.kind() == "call"
            && receiver
                .child_by_field_name("function")
                .and_then(|f| model.qualified_name(f))
                .is_some_and(|q| q == "asyncio.get_event_loop");
        return Some(match receiver.kind() {
            "identifier" => (LoopKey::Var(model.node_text(receiver)), None),
            _ if fetched => (LoopKey::Current, None),
            _ => (LoopKey::Own, None),
        });
    }
    if !BLOCKING_METHODS.contains(&method) {
        return None;
    }
    if matches!(method, b"run_forever" | b"run_until_disconnected") {
        return Some(match receiver.kind() {
            "identifier" => (LoopKey::Var(model.node_text(receiver)), None),
            _ => (LoopKey::Current, None),
        });
    }
    let imports_current_loop_library = model.bindings.iter().any(|b| match &b.kind {
        BindingKind::Module(q) | BindingKind::Member(q) => CURRENT_LOOP_LIBRARIES
            .iter()
            .any(|l| q == l || q.starts_with(&format!("{l}."))),
        _ => false,
    });
    Some(current(imports_current_loop_library))
}

/// A loop key and the global it joins to the current loop ([`LoopKey::of`]).
type Joined<'t> = (LoopKey<'t>, Option<&'t [u8]>);

/// What becomes of an entry point's sites: those of the program's own loop are not findings;
/// when two or more loops run in sequence, the others are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoopPlan {
    /// Sites (by index) of the program's loop, or of the one loop: not findings.
    pub program_sites: Vec<usize>,
    /// Other calls given (by index) that run the program's loop, or the one loop.
    pub program_calls: Vec<usize>,
    /// Whether loops run in sequence (the remaining sites are reported).
    pub several_loops: bool,
    /// The program's run, or the last run of its loop, for messages.
    pub program_call: Option<(usize, usize)>,
}

/// Sorts an entry point's sites, and other calls that run a loop of their own (another
/// module's loop function, `main()` in a `__main__.py`), into the program's loop and the others.
pub fn plan_loops<'t>(entry: &EntryPoint<'t>, sites: &[Site<'t>], calls: &[Node<'t>]) -> LoopPlan {
    let mut events: Vec<(Node, Joined)> = sites
        .iter()
        .filter(|s| s.kind != SiteKind::RunningLoop)
        .map(|s| (s.call, LoopKey::of(&s.kind)))
        .collect();
    let site_index: Vec<usize> = sites
        .iter()
        .enumerate()
        .filter(|(_, s)| s.kind != SiteKind::RunningLoop)
        .map(|(i, _)| i)
        .collect();
    let first_call = events.len();
    events.extend(calls.iter().map(|c| (*c, (LoopKey::Own, None))));
    let program_event = entry.program.and_then(|p| match (p.site, p.key) {
        (Some(site), _) => site_index.iter().position(|&i| i == site),
        (None, Some(key)) => {
            events.push((p.call, key));
            Some(events.len() - 1)
        }
        (None, None) => None,
    });
    let ids = LoopIds::from_keys(events.iter().map(|(_, key)| *key));
    let several = (0..events.len()).any(|a| {
        (a + 1..events.len())
            .any(|b| ids.id(a) != ids.id(b) && !exclusive(events[a].0, events[b].0))
    });
    let program_id = match program_event {
        Some(event) => Some(ids.id(event)),
        None => events
            .iter()
            .enumerate()
            .max_by_key(|(_, (node, _))| node.start_byte())
            .map(|(i, _)| ids.id(i)),
    };
    let on_program_loop = |event: usize| !several || Some(ids.id(event)) == program_id;
    let program_call = program_event
        .or_else(|| {
            (0..events.len())
                .filter(|&e| Some(ids.id(e)) == program_id)
                .max_by_key(|&e| events[e].0.start_byte())
        })
        .map(|e| events[e].0.byte_range())
        .map(|r| (r.start, r.end));
    LoopPlan {
        program_sites: site_index
            .iter()
            .enumerate()
            .filter(|(event, _)| on_program_loop(*event))
            .map(|(_, &site)| site)
            .collect(),
        program_calls: (0..calls.len())
            .filter(|&c| on_program_loop(first_call + c))
            .collect(),
        several_loops: several,
        program_call,
    }
}

/// Whether two nodes lie in different branches of one `if` (or cases of one `match`): they
/// never both run.
fn exclusive(a: Node, b: Node) -> bool {
    let mut ancestors = Vec::new();
    let mut node = Some(a);
    while let Some(n) = node {
        ancestors.push(n.id());
        node = n.parent();
    }
    let mut toward_b = b;
    let mut common = b.parent();
    while let Some(c) = common {
        if ancestors.contains(&c.id()) {
            break;
        }
        toward_b = c;
        common = c.parent();
    }
    let Some(common) = common else {
        return false;
    };
    let Some(toward_a) = child_holding(common, a) else {
        return false;
    };
    if toward_a.id() == toward_b.id() {
        return false;
    }
    let branch = |n: Node| matches!(n.kind(), "block" | "elif_clause" | "else_clause");
    match common.kind() {
        "if_statement" => branch(toward_a) && branch(toward_b),
        "block" => {
            common
                .parent()
                .is_some_and(|p| p.kind() == "match_statement")
                && toward_a.kind() == "case_clause"
                && toward_b.kind() == "case_clause"
        }
        _ => false,
    }
}

/// The child of `parent` that holds `node`.
fn child_holding<'t>(parent: Node<'t>, node: Node<'t>) -> Option<Node<'t>> {
    let mut cursor = parent.walk();
    parent
        .children(&mut cursor)
        .find(|c| c.start_byte() <= node.start_byte() && node.end_byte() <= c.end_byte())
}

#[cfg(test)]
mod tests;
