//! The moved statement's text inside the coroutine (each loop run an `await`, removed loop
//! statements gone, annotations dropped), and the names as the file spells them.

use tree_sitter::Node;

use super::Unit;
use super::await_expr::{await_pieces, inside_generator_expression};
use crate::detect::{Awaitable, Site, SiteKind};
use crate::diagnostic::Blocked;
use crate::fix::ctx::Ctx;
use crate::fix::mover::{Mover, Piece};
use crate::fix::removal::removal_edits;
use crate::semantic::Role;

/// The moved statement's text, `levels` indent levels deep, with each loop run replaced by `await`,
/// removed loop statements gone and annotations dropped (`global` names cannot be annotated).
pub(crate) fn moved_body(
    ctx: &Ctx,
    unit: &Unit,
    sites: &[&Site],
    removals: &[Node],
    levels: usize,
) -> Result<Vec<u8>, Blocked> {
    let code = ctx.src.code();
    let add = ctx.style.indent(levels);
    let mut mover = Mover::new(code, unit.statement, &unit.moved_indent, &add);
    for site in sites {
        let SiteKind::Run { awaitable, .. } = site.kind else {
            continue;
        };
        if inside_generator_expression(site.call, unit.statement) {
            return Err(Blocked::InGeneratorExpression);
        }
        let pieces = await_pieces(ctx, site.call, awaitable)?;
        if let Awaitable::Expression(expression) = awaitable {
            // A wrapper's awaitable comes from the wrapper's body.
            mover.protect(expression);
        }
        mover.edit(site.call.byte_range(), pieces);
    }
    for removal in removal_edits(ctx.src, removals) {
        let range = clamp_line_removal(ctx, removal.range.clone(), &unit.moved);
        mover.edit(range, vec![Piece::Literal(removal.content.clone())]);
    }
    for annotation in unit.annotations.iter().flatten() {
        let Some(assignment) = annotation.parent() else {
            continue;
        };
        let Some(left) = assignment.child_by_field_name("left") else {
            continue;
        };
        let range = left.end_byte()..annotation.end_byte();
        if assignment.child_by_field_name("right").is_none() {
            return Err(Blocked::AnnotationWithoutValue);
        }
        if !mover.overlaps(&range) {
            mover.edit(range, Vec::new());
        }
    }
    Ok(mover.finish(unit.moved.clone()))
}

/// A whole-line removal that runs past the end of the moved range takes the newline before the
/// line instead of the one after it.
pub(crate) fn clamp_line_removal(
    ctx: &Ctx,
    range: std::ops::Range<usize>,
    moved: &std::ops::Range<usize>,
) -> std::ops::Range<usize> {
    if range.end <= moved.end {
        return range;
    }
    let code = ctx.src.code();
    let mut start = range.start;
    if start > 0 && code[start - 1] == b'\n' {
        start -= 1;
        if start > 0 && code[start - 1] == b'\r' {
            start -= 1;
        }
    }
    start.max(moved.start)..moved.end
}

/// The name's bytes as the file spells them (not the masked parse text).
pub(crate) fn original_name<'a>(ctx: &Ctx<'a, '_>, unit: &Unit, name: &[u8]) -> &'a [u8] {
    ctx.model
        .refs
        .iter()
        .find(|r| {
            r.name == name
                && r.role == Role::Store
                && unit.statement.byte_range().contains(&r.node.start_byte())
        })
        .map_or(&ctx.src.code()[..0], |r| ctx.original(r.node))
}
