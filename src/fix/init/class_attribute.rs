//! A loop run in a class body (`class Settings: VALUE = asyncio.run(fetch())`): `VALUE = None`
//! stays in the class and `Settings.VALUE = await fetch()` moves into `init()`, unless the
//! attribute is read at import time after the class.

use tree_sitter::Node;

use crate::detect::{Site, SiteKind};
use crate::diagnostic::{Access, Blocked, Edit, Until};
use crate::fix::ctx::Ctx;
use crate::fix::mover::{Mover, Piece};
use crate::fix::unit::await_expr::{await_pieces, inside_generator_expression};
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
    if let Some(annotation) = assignment.child_by_field_name("type") {
        mover.edit(left.end_byte()..annotation.end_byte(), Vec::new());
    }
    mover.edit(
        site.call.byte_range(),
        await_pieces(ctx, site.call, awaitable)?,
    );
    Ok(Some(ClassMove {
        text: mover.finish(assignment_statement.byte_range()),
        class_edit: Edit::replace(right.byte_range(), "None"),
    }))
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
