//! A loop run in a class body (`class Settings: VALUE = asyncio.run(fetch())`): `VALUE = None`
//! stays in the class and `Settings.VALUE = await fetch()` moves into `init()`, unless the
//! attribute is read at import time after the class.

use tree_sitter::Node;

use crate::detect::{Awaitable, Site, SiteKind};
use crate::diagnostic::{Access, Blocked, Edit, RequiredImport, Until};
use crate::fix::ctx::Ctx;
use crate::fix::mover::{Mover, Piece};
use crate::fix::text::rest_of_line_is_trivia;
use crate::fix::unit::await_expr::{await_pieces, inside_generator_expression};
use crate::fix::unit::placeholder::{IGNORE_ASSIGNMENT, placeholder};
use crate::semantic::{Place, Role};

/// The class attribute's share of `init()`: its text there, and the edit that leaves `None` in
/// the class body.
pub(super) struct ClassMove {
    /// The assignment, re-indented, inside `init()`'s inner coroutine.
    pub(super) text: Vec<u8>,
    /// `VALUE = None` in the class.
    pub(super) class_edit: Edit,
}

/// `class Settings: VALUE = asyncio.run(fetch())` -> `VALUE = None` in the class and
/// `Settings.VALUE = await fetch()` in `init()`. `None` when the sites are not class attributes.
pub(super) fn class_attribute<'t>(
    ctx: &Ctx<'_, 't>,
    statement: Node<'t>,
    sites: &[&Site<'t>],
    imports: &mut Vec<RequiredImport>,
) -> Result<Option<ClassMove>, Blocked> {
    let class = match statement.kind() {
        "decorated_definition" => statement.child_by_field_name("definition"),
        _ => Some(statement),
    }
    .filter(|d| d.kind() == "class_definition");
    let Some(class) = class else {
        return Ok(None);
    };
    let [site] = sites else {
        return Err(Blocked::SeveralRunsInClass);
    };
    let assignment_statement = site.statement;
    let in_class_body = assignment_statement
        .parent()
        .and_then(|block| block.parent())
        .is_some_and(|owner| owner.id() == class.id());
    let assignment = assignment_statement
        .named_child(0)
        .filter(|a| a.kind() == "assignment" && assignment_statement.named_child_count() == 1);
    let (Some(assignment), true) = (assignment, in_class_body) else {
        return Err(Blocked::NotPlainClassAttribute);
    };
    let (Some(left), Some(right)) = (
        assignment.child_by_field_name("left"),
        assignment.child_by_field_name("right"),
    ) else {
        return Err(Blocked::NotPlainClassAttribute);
    };
    if left.kind() != "identifier" {
        return Err(Blocked::ClassTargetNotPlain);
    }
    let class_name = class
        .child_by_field_name("name")
        .map(|n| ctx.original(n))
        .unwrap_or_default();
    let attribute = ctx.original(left);
    check_class_attribute_reads(ctx, class, assignment_statement, class_name, attribute)?;
    let SiteKind::Run { awaitable, .. } = site.kind else {
        return Err(Blocked::NotALoopRun);
    };
    if inside_generator_expression(site.call, statement) {
        return Err(Blocked::InGeneratorExpression);
    }
    let indent = ctx
        .src
        .line_indent(assignment_statement.start_byte())
        .to_vec();
    let mut mover = Mover::new(
        ctx.src.code(),
        assignment_statement,
        &indent,
        &ctx.style.indent(2),
    );
    let mut target = class_name.to_vec();
    target.push(b'.');
    target.extend_from_slice(attribute);
    mover.edit(left.byte_range(), vec![Piece::Literal(target)]);
    let annotation = assignment.child_by_field_name("type");
    if let Some(annotation) = annotation {
        mover.edit(left.end_byte()..annotation.end_byte(), Vec::new());
    }
    mover.edit(
        site.call.byte_range(),
        await_pieces(ctx, site.call, awaitable)?,
    );
    Ok(Some(ClassMove {
        text: mover.finish(assignment_statement.byte_range()),
        class_edit: class_placeholder_edit(ctx, left, annotation, right, awaitable, imports),
    }))
}

/// `VALUE: T = None  # type: ignore[assignment]` in the class, typed as a module placeholder is
/// ([`placeholder`]); the ignore comment only where nothing but a comment follows on the line.
fn class_placeholder_edit(
    ctx: &Ctx,
    left: Node,
    annotation: Option<Node>,
    right: Node,
    awaitable: Awaitable,
    imports: &mut Vec<RequiredImport>,
) -> Edit {
    let typed = placeholder(ctx, annotation, Some(awaitable), imports);
    let mut text = Vec::new();
    if let Some(annotation) = &typed.annotation {
        text.extend_from_slice(b": ");
        text.extend_from_slice(annotation);
    }
    text.extend_from_slice(b" = None");
    if typed.needs_ignore && rest_of_line_is_trivia(ctx.src.code(), right.end_byte()) {
        text.extend_from_slice(IGNORE_ASSIGNMENT);
    }
    Edit::replace(left.end_byte()..right.end_byte(), text)
}

fn check_class_attribute_reads(
    ctx: &Ctx,
    class: Node,
    assignment: Node,
    class_name: &[u8],
    attribute: &[u8],
) -> Result<(), Blocked> {
    let display = format!(
        "{}.{}",
        String::from_utf8_lossy(class_name),
        String::from_utf8_lossy(attribute)
    );
    let class_scope = ctx.model.scope_of(class);
    for r in &ctx.model.refs {
        let after = r.node.start_byte() > assignment.end_byte();
        if r.role != Role::Load || r.place != Place::ImportTime || !after {
            continue;
        }
        let in_class_body = Some(r.scope) == class_scope && r.name == attribute;
        let through_class = r.name == class_name
            && r.node.parent().is_some_and(|p| {
                p.kind() == "attribute"
                    && p.child_by_field_name("attribute")
                        .is_some_and(|a| ctx.model.node_text(a) == attribute)
            });
        if in_class_body || through_class {
            return Err(Blocked::AtImportTime {
                name: display,
                access: Access::Read,
                line: ctx.line(r.node.start_byte()),
                until: Until::StartUp,
            });
        }
    }
    Ok(())
}
