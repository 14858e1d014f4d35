//! A module-level statement whose loop work moves into a coroutine: what it binds, whether it
//! can move at all, and the `with asyncio.Runner()` whose body moves instead of it. Shared by the
//! lazy and init passes; the moved text is [`moved`], the `await` that replaces a run
//! [`await_expr`], the typed line that stays at module level [`placeholder`].

pub mod await_expr;
pub mod moved;
pub mod placeholder;

use tree_sitter::Node;

use super::ctx::Ctx;
use super::text;
use crate::detect::{Site, SiteKind, Via};
use crate::diagnostic::Blocked;
use crate::semantic::{MODULE_SCOPE, NameRef, Place, Role};

/// Statements that cannot move into a function body unchanged.
pub(crate) const UNMOVABLE: &[&str] = &[
    "function_definition",
    "class_definition",
    "decorated_definition",
    "import_statement",
    "import_from_statement",
    "future_import_statement",
    "global_statement",
    "nonlocal_statement",
    "return_statement",
    "yield",
    "await",
];

/// A module-level statement that loads one or more globals.
pub(crate) struct Unit<'t> {
    /// The module-level statement.
    pub(crate) statement: Node<'t>,
    /// What moves: the statement, or the body of `with asyncio.Runner() as r:`.
    pub(crate) moved: std::ops::Range<usize>,
    /// Indent the moved lines have in the file.
    pub(crate) moved_indent: Vec<u8>,
    /// Names the statement binds, in order of first binding.
    pub(crate) names: Vec<&'t [u8]>,
    /// The first annotation of each name, if any.
    pub(crate) annotations: Vec<Option<Node<'t>>>,
    /// Assignment targets that are attributes or subscripts (`app.pool`, `CACHE["k"]`).
    pub(crate) attribute_targets: Vec<Node<'t>>,
}

pub(crate) fn check_movable(ctx: &Ctx, statement: Node) -> Result<(), Blocked> {
    if ctx.model.place_at(statement.start_byte()) != Place::ImportTime {
        return Err(Blocked::NotAtImportTime);
    }
    let definition = match statement.kind() {
        "decorated_definition" => statement.child_by_field_name("definition"),
        _ => Some(statement),
    };
    match definition.map(|d| d.kind()) {
        Some("class_definition") => {
            return Err(Blocked::InClassBody);
        }
        Some("function_definition") => {
            return Err(Blocked::InDecoratorOrDefault);
        }
        _ => {}
    }
    let mut cursor = statement.walk();
    loop {
        let node = cursor.node();
        if UNMOVABLE.contains(&node.kind()) {
            return Err(Blocked::HoldsUnmovable { kind: node.kind() });
        }
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() || cursor.node().id() == statement.id() {
                return Ok(());
            }
        }
    }
}

pub(crate) fn unit_of<'t>(
    ctx: &Ctx<'_, 't>,
    statement: Node<'t>,
    sites: &[&Site<'t>],
    removals: &[Node<'t>],
) -> Result<Unit<'t>, Blocked> {
    let (moved, moved_indent, runner_target) = match runner_with_body(ctx, statement, sites)? {
        Some((body, target)) => {
            let first = body
                .named_child(0)
                .map_or(body.start_byte(), |n| n.start_byte());
            (
                first..body.end_byte(),
                ctx.src.line_indent(first).to_vec(),
                target,
            )
        }
        None => (statement.byte_range(), Vec::new(), None),
    };
    let removed = |offset: usize| removals.iter().any(|r| r.byte_range().contains(&offset));
    let stores: Vec<&NameRef> = ctx
        .model
        .refs
        .iter()
        .filter(|r| {
            r.scope == MODULE_SCOPE
                && statement.byte_range().contains(&r.node.start_byte())
                && !removed(r.node.start_byte())
                && Some(r.node.id()) != runner_target.map(|t| t.id())
        })
        .collect();
    let mut names: Vec<&[u8]> = Vec::new();
    let mut annotations = Vec::new();
    for r in &stores {
        match r.role {
            Role::Store => {
                if !names.contains(&r.name) && !stays_local(ctx, statement, &stores, r.name) {
                    names.push(r.name);
                    annotations.push(annotation_of(r.node));
                }
            }
            Role::Del => {
                return Err(Blocked::Deletes {
                    name: text::name_text(r.name),
                });
            }
            Role::Load | Role::Declare => {}
        }
    }
    Ok(Unit {
        statement,
        moved,
        moved_indent,
        names,
        annotations,
        attribute_targets: attribute_targets(statement),
    })
}

/// A name the statement binds only as a `for`, `with ... as` or `except ... as` target, and that
/// nothing outside the statement uses, stays a local of the guard: no placeholder, no `global`.
pub(crate) fn stays_local(ctx: &Ctx, statement: Node, stores: &[&NameRef], name: &[u8]) -> bool {
    let only_targets = stores
        .iter()
        .filter(|r| r.name == name && r.role == Role::Store)
        .all(|r| is_loop_or_context_target(r.node));
    only_targets
        && ctx
            .model
            .global_uses(name)
            .all(|u| statement.byte_range().contains(&u.node.start_byte()))
}

pub(crate) fn is_loop_or_context_target(name: Node) -> bool {
    let mut node = name;
    while let Some(parent) = node.parent() {
        match parent.kind() {
            "as_pattern_target" => return true,
            "for_statement" => {
                return parent
                    .child_by_field_name("left")
                    .is_some_and(|left| left.byte_range().contains(&name.start_byte()));
            }
            "pattern_list"
            | "tuple_pattern"
            | "list_pattern"
            | "parenthesized_expression"
            | "list_splat_pattern"
            | "tuple"
            | "list" => node = parent,
            _ => return false,
        }
    }
    false
}

/// `with asyncio.Runner() as r:` whose only job is to run the sites: its body moves, the `with`
/// goes. Returns the body and the `r` target.
pub(crate) fn runner_with_body<'t>(
    ctx: &Ctx<'_, 't>,
    statement: Node<'t>,
    sites: &[&Site<'t>],
) -> Result<Option<(Node<'t>, Option<Node<'t>>)>, Blocked> {
    if statement.kind() != "with_statement"
        || !sites.iter().any(|s| {
            matches!(
                s.kind,
                SiteKind::Run {
                    via: Via::RunnerObject,
                    ..
                }
            )
        })
    {
        return Ok(None);
    }
    let mut cursor = statement.walk();
    let items: Vec<Node> = statement
        .named_children(&mut cursor)
        .filter(|c| c.kind() == "with_clause")
        .flat_map(|clause| {
            let mut c = clause.walk();
            clause.named_children(&mut c).collect::<Vec<_>>()
        })
        .collect();
    let [item] = items.as_slice() else {
        return Err(Blocked::WithManagesMore);
    };
    let Some(value) = item.child_by_field_name("value") else {
        return Ok(None);
    };
    let (call, target) = if value.kind() == "as_pattern" {
        let target = value
            .named_children(&mut value.walk())
            .find(|c| c.kind() == "as_pattern_target")
            .and_then(|t| t.named_child(0));
        (value.named_child(0), target)
    } else {
        (Some(value), None)
    };
    let is_runner = call.is_some_and(|c| {
        c.kind() == "call"
            && c.child_by_field_name("function")
                .and_then(|f| ctx.model.qualified_name(f))
                .as_deref()
                == Some("asyncio.Runner")
    });
    if !is_runner {
        return Ok(None);
    }
    if let Some(target) = target {
        let name = ctx.model.node_text(target);
        let used_otherwise = ctx.model.global_uses(name).any(|u| {
            u.node.id() != target.id()
                && !sites.iter().any(|s| {
                    s.call
                        .child_by_field_name("function")
                        .and_then(|f| f.child_by_field_name("object"))
                        .is_some_and(|o| o.id() == u.node.id())
                })
        });
        if used_otherwise {
            return Err(Blocked::RunnerUsedForMore {
                name: text::name_text(name),
            });
        }
    }
    Ok(statement
        .child_by_field_name("body")
        .map(|body| (body, target)))
}

/// The annotation of `NAME: T = ...` when `name` is that target.
pub(crate) fn annotation_of(name: Node) -> Option<Node> {
    let assignment = name.parent()?;
    (assignment.kind() == "assignment"
        && assignment
            .child_by_field_name("left")
            .is_some_and(|l| l.id() == name.id()))
    .then(|| assignment.child_by_field_name("type"))
    .flatten()
}

/// The assignment targets in the statement that are attributes or subscripts (`app.pool = ...`).
pub(crate) fn attribute_targets(statement: Node) -> Vec<Node> {
    let mut found = Vec::new();
    let mut cursor = statement.walk();
    loop {
        let node = cursor.node();
        if matches!(node.kind(), "assignment" | "augmented_assignment")
            && let Some(left) = node.child_by_field_name("left")
        {
            collect_attribute_targets(left, &mut found);
        }
        if !matches!(node.kind(), "lambda" | "function_definition") && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() || cursor.node().id() == statement.id() {
                return found;
            }
        }
    }
}

pub(crate) fn collect_attribute_targets<'t>(target: Node<'t>, found: &mut Vec<Node<'t>>) {
    match target.kind() {
        "attribute" | "subscript" => found.push(target),
        "pattern_list"
        | "tuple_pattern"
        | "list_pattern"
        | "list_splat_pattern"
        | "parenthesized_expression"
        | "tuple"
        | "list" => {
            let mut cursor = target.walk();
            for child in target.named_children(&mut cursor) {
                collect_attribute_targets(child, found);
            }
        }
        _ => {}
    }
}
