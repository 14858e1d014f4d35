//! The lazy pass (SPEC §4.1): a module-level statement that runs a loop becomes placeholders, a
//! guard `async def load_x()` that runs the statement's work inside the running loop, and an
//! `await load_x()` at the top of every `async def` that reads what it loads.

use std::collections::BTreeSet;

use tree_sitter::Node;

use super::group::{Blocked, FixParts};
use super::text;
use super::unit::{
    Unit, blank_lines_after, check_movable, describe_function, dropped_arguments, external_readers,
    first_statement_edit, is_deferred, moved_body, original_name, placeholder_lines, unit_of,
    unrelated_side_effect,
};
use super::{Ctx, evidence};
use crate::detect::Site;
use crate::diagnostic::{Applicability, Edit};
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
        return Err(reason.into());
    }
    let unit = unit_of(ctx, statement, sites, removals)?;
    if let Some(target) = unit.attribute_targets.first() {
        return Err(format!(
            "`{}` is not a plain name; use `--strategy init`",
            evidence(ctx, *target)
        ));
    }
    if unit.names.is_empty() {
        return Err("the result is not kept in a name; use `--strategy init`".into());
    }
    let readers = readers(ctx, &unit)?;
    let external = external_readers(ctx, &unit.names)?;
    let dropped = dropped_arguments(ctx, sites)?;
    let written_elsewhere = written_in_function(ctx, &unit)
        .or(external)
        .or(dropped)
        .or_else(|| unrelated_side_effect(ctx, &unit, sites, removals));

    let base = generated_base(&unit.names);
    let loader = ctx.fresh_name(&fill(&ctx.options.naming.loader, &base));
    let flag = ctx.fresh_name(&fill(&ctx.options.naming.flag, &base));
    let body = moved_body(ctx, &unit, sites, removals, 2)?;

    let mut imports = Vec::new();
    let placeholders = placeholder_lines(ctx, &unit, &mut imports);
    parts.imports.extend(imports);
    let guard = Guard {
        placeholders: &placeholders,
        loader: &loader,
        flag: &flag,
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

/// The `async def`s that read the unit's names, in source order; an import-time, entry-point
/// or sync read blocks the fix.
fn readers(ctx: &Ctx, unit: &Unit) -> Result<Vec<ScopeId>, Blocked> {
    let model = ctx.model;
    let mut functions = BTreeSet::new();
    for &name in &unit.names {
        let display = text::name_text(name);
        for binding in model.bindings_of(name) {
            let inside = unit.statement.byte_range().contains(&binding.offset);
            if !inside && binding.place != Place::TypeChecking && !is_deferred(binding.place) {
                return Err(format!(
                    "`{display}` is also assigned on line {}",
                    ctx.line(binding.offset)
                ));
            }
        }
        for read in model.global_reads(name) {
            let line = ctx.line(read.node.start_byte());
            match read.place {
                Place::TypeChecking => {}
                Place::ImportTime => {
                    if !unit
                        .statement
                        .byte_range()
                        .contains(&read.node.start_byte())
                    {
                        return Err(format!("`{display}` is read at import time on line {line}"));
                    }
                }
                Place::EntryPoint => {
                    return Err(format!(
                        "`{display}` is read under `if __name__ == \"__main__\":` on line {line}"
                    ));
                }
                Place::Deferred(_) => {
                    let function = model.enclosing_function(read.scope);
                    match function {
                        Some(f) if model.scopes[f].is_async_function() => {
                            functions.insert(f);
                        }
                        Some(f) => {
                            return Err(format!(
                                "`{display}` is read in {} on line {line}",
                                describe_function(ctx, f)
                            ));
                        }
                        None => {
                            return Err(format!("`{display}` is read on line {line}"));
                        }
                    }
                }
            }
        }
    }
    let mut ordered: Vec<ScopeId> = functions.into_iter().collect();
    ordered.sort_by_key(|&f| model.scopes[f].node.start_byte());
    Ok(ordered)
}

/// Where a function assigns one of the names through `global`, if one does.
fn written_in_function(ctx: &Ctx, unit: &Unit) -> Option<String> {
    unit.names.iter().find_map(|name| {
        let binding = ctx.model.bindings_of(name).find(|b| is_deferred(b.place))?;
        let Place::Deferred(scope) = binding.place else {
            return None;
        };
        let function = ctx.model.enclosing_function(scope)?;
        Some(format!(
            "`{}` is assigned in {} on line {}, and the guard could overwrite it",
            text::name_text(name),
            describe_function(ctx, function),
            ctx.line(binding.offset)
        ))
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

/// The statement becomes its first placeholder line (a trailing comment stays with it); the rest
/// of the placeholders, the flag and the guard follow on the next lines.
/// The generated parts of a guard.
struct Guard<'a> {
    placeholders: &'a [Vec<u8>],
    loader: &'a str,
    flag: &'a str,
    body: &'a [u8],
}

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
    let guard = text::render(
        GUARD,
        &[
            ("placeholders", &rest_placeholders),
            ("flag", flag.as_bytes()),
            ("loader", loader.as_bytes()),
            ("names", &joined(b", ")),
            ("globals", &globals),
            ("body", body),
            ("result", &joined(b", ")),
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
    let statement = text::render(AWAIT, &[("loader", loader.as_bytes())], &ctx.style);
    first_statement_edit(ctx, ctx.model.scopes[function].node, &statement)
}
