//! What makes a fix unsafe, or blocks it, beyond the statement itself: other modules that import
//! the names it loads late, runner arguments it drops, calls unrelated to the loop that would
//! move with it, and names that the statement binds only under a condition.

use tree_sitter::Node;

use super::ctx::Ctx;
use super::reads::Readers;
use super::text;
use super::unit::runner_with_body;
use crate::detect::{Site, SiteKind, Via};
use crate::diagnostic::{Blocked, UnsafeBecause};
use crate::semantic::Role;

/// Other modules' uses of the names a fix loads late (second phase): a use that cannot follow
/// blocks the fix; uses that can make it unsafe, since those modules must change too. `readers`
/// says which fix asks: a lazy guard (every reader must await it) or `init()`. Returns the
/// reason it is unsafe, if it is.
pub(crate) fn external_readers(
    ctx: &Ctx,
    names: &[&[u8]],
    readers: Readers,
) -> Result<Option<UnsafeBecause>, Blocked> {
    let Some(project) = ctx.project else {
        return Ok(None);
    };
    let mut followers: Vec<String> = Vec::new();
    for name in names {
        for external in project.uses_of(name) {
            let user = crate::paths::display_path(&external.user);
            let blocked = match readers {
                Readers::AsyncOnly => &external.lazy_blocked,
                Readers::Any => &external.blocked,
            };
            match blocked {
                Some(reason) => {
                    return Err(Blocked::ImporterCannotFollow {
                        name: text::name_text(name),
                        user,
                        reason: Box::new(reason.clone()),
                    });
                }
                None => followers.push(user),
            }
        }
    }
    followers.sort();
    followers.dedup();
    Ok((!followers.is_empty()).then_some(UnsafeBecause::ImportersMustFollow { users: followers }))
}

/// Arguments of the loop runners that the rewrite drops: `asyncio.run(c(), debug=True)` loses
/// debug mode (the fix becomes unsafe, and says so); `anyio.run(f, backend="trio")` ran the
/// coroutine on another event loop library, which no `await` in asyncio's loop can do.
pub(crate) fn dropped_arguments(
    ctx: &Ctx,
    sites: &[&Site],
) -> Result<Option<UnsafeBecause>, Blocked> {
    let mut dropped = Vec::new();
    for site in sites {
        let SiteKind::Run {
            via: Via::Runner(runner),
            ..
        } = site.kind
        else {
            continue;
        };
        let Some(arguments) = site.call.child_by_field_name("arguments") else {
            continue;
        };
        let mut cursor = arguments.walk();
        for argument in arguments
            .named_children(&mut cursor)
            .filter(|a| a.kind() == "keyword_argument")
        {
            let (Some(name), Some(value)) = (
                argument.child_by_field_name("name"),
                argument.child_by_field_name("value"),
            ) else {
                continue;
            };
            let name = ctx.original(name);
            let value_text = ctx.evidence(value);
            if runner == "anyio.run" && name == b"backend" {
                let asyncio = matches!(value_text.as_str(), "\"asyncio\"" | "'asyncio'");
                if !asyncio {
                    return Err(Blocked::OtherBackend {
                        call: ctx.evidence(site.call),
                        backend: value_text,
                    });
                }
                continue;
            }
            dropped.push(ctx.evidence(argument));
        }
    }
    Ok((!dropped.is_empty()).then_some(UnsafeBecause::DropsArguments { arguments: dropped }))
}

/// A call in the moved statement that has nothing to do with its loop work: `print("starting")`
/// next to `X = asyncio.run(...)` in a `try:` block. The lazy fix moves it from import time to
/// the first use, which the user may not want (the fix becomes unsafe, and says so). The
/// handlers of a `try` are part of the loop work's error handling, and loop statements the fix
/// removes do not move.
pub(crate) fn unrelated_side_effect(
    ctx: &Ctx,
    unit: &super::unit::Unit,
    sites: &[&Site],
    removals: &[Node],
) -> Option<UnsafeBecause> {
    let mut pending = vec![unit.statement];
    while let Some(node) = pending.pop() {
        let holds_a_site = sites
            .iter()
            .any(|s| node.byte_range().contains(&s.call.start_byte()))
            || removals
                .iter()
                .any(|r| r.byte_range().contains(&node.start_byte()));
        match node.kind() {
            "function_definition"
            | "class_definition"
            | "decorated_definition"
            | "except_clause"
            | "except_group_clause"
            | "finally_clause" => continue,
            "expression_statement" if !holds_a_site && holds_a_call(node) => {
                return Some(UnsafeBecause::SideEffectMoves {
                    statement: ctx.evidence(node),
                    line: ctx.line(node.start_byte()),
                });
            }
            _ => {}
        }
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        pending.extend(children.into_iter().rev());
    }
    None
}

/// Whether an expression statement calls something (a bare name or literal does not).
fn holds_a_call(statement: Node) -> bool {
    let mut pending = vec![statement];
    while let Some(node) = pending.pop() {
        if matches!(node.kind(), "call" | "await") {
            return true;
        }
        if node.kind() == "lambda" {
            continue;
        }
        let mut cursor = node.walk();
        pending.extend(node.named_children(&mut cursor));
    }
    false
}

/// A name the moved statement binds only under a condition. The fix gives each name a
/// placeholder at import time, bound always (`hasattr`, a `NameError` and the name's value when
/// the condition was false change), and runs the compound statement at the first use, where its
/// condition (an `if`'s test, a `for`'s iterable, a `with`'s context) is evaluated later than
/// before. So a statement under `if`, `for`, `while`, `with` or `match` makes the fix unsafe, and
/// so does a `try` that does not bind each name in its body and in each handler (or raise there).
/// `with asyncio.Runner() as r:` is the loop itself, not a condition.
pub(crate) fn conditional_binding<'t>(
    ctx: &Ctx<'_, 't>,
    statement: Node<'t>,
    names: &[&[u8]],
    sites: &[&Site<'t>],
) -> Option<UnsafeBecause> {
    let keyword = match statement.kind() {
        "if_statement" => "if",
        "for_statement" => "for",
        "while_statement" => "while",
        "match_statement" => "match",
        "with_statement" if !matches!(runner_with_body(ctx, statement, sites), Ok(Some(_))) => {
            "with"
        }
        "try_statement" => "try",
        _ => return None,
    };
    let name = names
        .iter()
        .find(|name| keyword != "try" || !try_binds_on_every_path(ctx, statement, name))?;
    Some(UnsafeBecause::Conditional {
        name: text::name_text(name),
        keyword,
        line: ctx.line(statement.start_byte()),
    })
}

/// Whether the body of a `try` and each of its handlers bind `name` in a statement of their own
/// block (or raise), so that the module has the name after the `try` whichever path it took.
fn try_binds_on_every_path(ctx: &Ctx, statement: Node, name: &[u8]) -> bool {
    let Some(body) = statement.child_by_field_name("body") else {
        return false;
    };
    let mut cursor = statement.walk();
    let handlers: Vec<Node> = statement
        .named_children(&mut cursor)
        .filter(|c| matches!(c.kind(), "except_clause" | "except_group_clause"))
        .filter_map(|c| {
            c.named_children(&mut c.walk())
                .find(|b| b.kind() == "block")
        })
        .collect();
    std::iter::once(body)
        .chain(handlers)
        .all(|block| block_binds(ctx, block, name))
}

/// Whether a statement of the block itself (not nested) assigns `name`, or raises.
fn block_binds(ctx: &Ctx, block: Node, name: &[u8]) -> bool {
    let mut cursor = block.walk();
    let statements: Vec<Node> = block.named_children(&mut cursor).collect();
    statements.iter().any(|s| match s.kind() {
        "raise_statement" => true,
        "expression_statement" => ctx.model.refs.iter().any(|r| {
            r.role == Role::Store && r.name == name && s.byte_range().contains(&r.node.start_byte())
        }),
        _ => false,
    })
}
