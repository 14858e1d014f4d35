//! The lazy pass (rule docs of LF001, "Use instead"): a module-level statement that runs a loop
//! becomes placeholders, a guard `async def load_x()` that runs the statement's work inside the
//! running loop, and an `await load_x()` at the top of every `async def` that reads what it loads.

use tree_sitter::Node;

use super::ctx::Ctx;
use super::imports::asyncio_module;
use super::parts::FixParts;
use super::reads::{Readers, late_readers};
use super::safety::{
    conditional_binding, dropped_arguments, external_readers, unrelated_side_effect,
};
use super::statements::{blank_lines_after, first_statement_edit};
use super::template;
use super::text;
use super::unit::moved::{moved_body, original_name};
use super::unit::placeholder::placeholder_lines;
use super::unit::{Unit, check_movable, unit_of};
use crate::detect::Site;
use crate::diagnostic::{Applicability, Blocked, Edit, UnsafeBecause, Until};
use crate::options::Naming;
use crate::semantic::{Place, ScopeId};

const GUARD: &str = include_str!("../../transforms/lazy/guard.py");
const AWAIT: &str = include_str!("../../transforms/lazy/await.py");

/// Adds the lazy rewrite of module-level statement `top` to `parts`, or says why it cannot.
pub fn plan(
    ctx: &Ctx,
    top: usize,
    sites: &[&Site],
    removals: &[Node],
    removed_elsewhere: &[std::ops::Range<usize>],
    parts: &mut FixParts,
) -> Result<(), Blocked> {
    let model = ctx.model;
    let statement = model.statements[top];
    check_movable(ctx, statement)?;
    if let Some(reason) = text::shared_line_reason(ctx.src.code(), statement.end_byte()) {
        return Err(reason);
    }
    let unit = unit_of(ctx, statement, sites, removals)?;
    if let Some(target) = unit.attribute_targets.first() {
        return Err(Blocked::NotAPlainName {
            target: ctx.evidence(*target),
        });
    }
    if unit.names.is_empty() {
        return Err(Blocked::NotKeptInName);
    }
    let inside = |offset: usize| unit.statement.byte_range().contains(&offset);
    let readers = late_readers(ctx, &unit.names, &inside, Until::Unsaid, Readers::AsyncOnly)?;
    let external = external_readers(ctx, &unit.names, Readers::AsyncOnly)?;
    let dropped = dropped_arguments(ctx, sites)?;
    let written_elsewhere = written_in_function(ctx, &unit)
        .or(external)
        .or(dropped)
        .or_else(|| unrelated_side_effect(ctx, &unit, sites, removals))
        .or_else(|| conditional_binding(ctx, unit.statement, &unit.names, sites));

    let base = generated_base(&unit.names);
    let loader = ctx.fresh_name(&fill(&ctx.options.naming.loader, &base));
    let flag = ctx.fresh_name(&fill(&ctx.options.naming.flag, &base));
    let in_flight = ctx.fresh_name(&fill(&Naming::in_flight(&ctx.options.naming.flag), &base));
    let body = moved_body(ctx, &unit, sites, removals, 2)?;

    let mut imports = Vec::new();
    let asyncio = asyncio_module(ctx, &mut imports)?;
    let placeholders = placeholder_lines(ctx, &unit, sites, &mut imports);
    parts.imports.extend(imports);
    let guard = Guard {
        placeholders: &placeholders,
        loader: &loader,
        flag: &flag,
        in_flight: &in_flight,
        asyncio: &asyncio,
        inner: &ctx.local_name("load"),
        future: &ctx.local_name("loading"),
        body: &body,
    };
    parts
        .edits
        .extend(statement_edits(ctx, &unit, &guard, removed_elsewhere));
    for &function in &readers {
        parts.edits.push(await_edit(ctx, function, &loader)?);
    }
    let names = display_names(&unit.names);
    let in_functions = match readers.len() {
        0 => String::new(),
        1 => " in 1 async function".into(),
        n => format!(" in {n} async functions"),
    };
    let mut title = format!("Load {names} lazily with `await {loader}()`{in_functions}");
    if let Some(why) = &written_elsewhere {
        title.push_str(&format!(" (unsafe: {why})"));
    }
    parts.titles.push(title);
    parts
        .late_globals
        .extend(unit.names.iter().map(|name| crate::project::LateGlobal {
            name: text::name_text(name),
            loader: Some(loader.clone()),
            existing: false,
        }));
    parts.limit(if written_elsewhere.is_some() {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    });
    Ok(())
}

/// Where a function assigns one of the names through `global`, if one does.
fn written_in_function(ctx: &Ctx, unit: &Unit) -> Option<UnsafeBecause> {
    unit.names.iter().find_map(|name| {
        let binding = ctx
            .model
            .bindings_of(name)
            .find(|b| matches!(b.place, Place::Deferred(_)))?;
        let Place::Deferred(scope) = binding.place else {
            return None;
        };
        let function = ctx.model.enclosing_function(scope)?;
        Some(UnsafeBecause::WrittenInFunction {
            name: text::name_text(name),
            function: ctx.function_ref(function),
            line: ctx.line(binding.offset),
        })
    })
}

/// `prompt_text` for `PROMPT_TEXT`, `a_b` for `A, B`.
fn generated_base(names: &[&[u8]]) -> String {
    names
        .iter()
        .map(|n| {
            let text = text::name_text(n);
            text.trim_start_matches('_').to_owned()
        })
        .filter(|n| !n.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// Fills a naming template: `{name}` lower case, `{NAME}` upper case.
fn fill(template: &str, base: &str) -> String {
    let base = if base.is_empty() { "value" } else { base };
    template
        .replace("{name}", &base.to_lowercase())
        .replace("{NAME}", &base.to_uppercase())
}

fn display_names(names: &[&[u8]]) -> String {
    names
        .iter()
        .map(|n| format!("`{}`", text::name_text(n)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The generated parts of a guard.
struct Guard<'a> {
    /// The module-level lines that replace the statement, one per name.
    placeholders: &'a [Vec<u8>],
    /// The guard coroutine.
    loader: &'a str,
    /// The global that says the names are loaded.
    flag: &'a str,
    /// The global that holds the load while it runs.
    in_flight: &'a str,
    /// How the module spells `asyncio`.
    asyncio: &'a str,
    /// The guard's inner coroutine that runs the moved work.
    inner: &'a str,
    /// The guard's local that holds the load it awaits.
    future: &'a str,
    /// The moved work, two indent levels deep.
    body: &'a [u8],
}

/// The statement becomes its first placeholder line (a trailing comment stays with it); the rest
/// of the placeholders, the flag, the in-flight global and the guard follow on the next lines.
fn statement_edits(
    ctx: &Ctx,
    unit: &Unit,
    guard: &Guard,
    removed: &[std::ops::Range<usize>],
) -> Vec<Edit> {
    let Guard {
        placeholders,
        loader,
        flag,
        in_flight,
        asyncio,
        inner,
        future,
        body,
    } = *guard;
    let code = ctx.src.code();
    let newline = ctx.style.newline.clone();
    let names: Vec<Vec<u8>> = unit
        .names
        .iter()
        .map(|n| original_name(ctx, unit, n).to_vec())
        .collect();
    let joined = |sep: &[u8]| names.join(sep);
    let mut globals = joined(b", ");
    globals.extend_from_slice(b", ");
    globals.extend_from_slice(flag.as_bytes());
    let rest_placeholders = placeholders[1..].join(newline.as_slice());
    let guard = template::render(
        GUARD,
        &[
            ("placeholders", &rest_placeholders),
            ("flag", flag.as_bytes()),
            ("in_flight", in_flight.as_bytes()),
            ("asyncio", asyncio.as_bytes()),
            ("loader", loader.as_bytes()),
            ("names", &joined(b", ")),
            ("inner", inner.as_bytes()),
            ("globals", &globals),
            ("body", body),
            ("future", future.as_bytes()),
        ],
        &ctx.style,
    );
    // The template starts with the remaining placeholders; with one name that line is empty.
    let guard = if placeholders.len() == 1 {
        guard[newline.len()..].to_vec()
    } else {
        guard
    };
    let statement = unit.statement;
    let insert_at = ctx.src.line_end_after_newline(statement.end_byte());
    let at_eof_without_newline =
        insert_at == code.len() && !code.ends_with(b"\n") && !code.ends_with(b"\r");
    let mut inserted = Vec::new();
    if at_eof_without_newline {
        inserted.extend_from_slice(&newline);
    }
    inserted.extend_from_slice(&guard);
    if !at_eof_without_newline {
        inserted.extend_from_slice(&newline);
        for _ in blank_lines_after(ctx, insert_at, removed)..2 {
            if insert_at < code.len() {
                inserted.extend_from_slice(&newline);
            }
        }
    }
    vec![
        Edit::replace(statement.byte_range(), placeholders[0].clone()),
        Edit::insert(insert_at, inserted),
    ]
}

/// Inserts `await loader()` as the first statement of an `async def`, after its docstring.
pub fn await_edit(ctx: &Ctx, function: ScopeId, loader: &str) -> Result<Edit, Blocked> {
    let statement = template::render(AWAIT, &[("loader", loader.as_bytes())], &ctx.style);
    first_statement_edit(ctx, ctx.model.scopes[function].node, &statement)
}
