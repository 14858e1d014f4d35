//! `await EXPR` for a loop run, parenthesized where the grammar needs it, keeping any comment
//! that sat among the call's arguments.

use tree_sitter::Node;

use crate::detect::Awaitable;
use crate::diagnostic::Blocked;
use crate::fix::ctx::Ctx;
use crate::fix::mover::Piece;

/// `await EXPR` for a run site, parenthesized where the grammar needs it.
pub(crate) fn await_pieces(
    ctx: &Ctx,
    call: Node,
    awaitable: Awaitable,
) -> Result<Vec<Piece>, Blocked> {
    if let Some(arguments) = call.child_by_field_name("arguments")
        && has_comment_child(arguments)
    {
        return commented_await_pieces(ctx, call, arguments, awaitable);
    }
    let mut pieces = Vec::new();
    let outer = needs_outer_parens(call);
    if outer {
        pieces.push(Piece::Literal(b"(".to_vec()));
    }
    pieces.push(Piece::Literal(b"await ".to_vec()));
    match awaitable {
        Awaitable::Expression(expression) => {
            let inner = !is_primary(expression);
            if inner {
                pieces.push(Piece::Literal(b"(".to_vec()));
            }
            pieces.push(Piece::Original(expression.byte_range()));
            if inner {
                pieces.push(Piece::Literal(b")".to_vec()));
            }
        }
        Awaitable::CallOf {
            function,
            arguments,
        } => {
            if !is_primary(function) {
                pieces.push(Piece::Literal(b"(".to_vec()));
                pieces.push(Piece::Original(function.byte_range()));
                pieces.push(Piece::Literal(b")".to_vec()));
            } else {
                pieces.push(Piece::Original(function.byte_range()));
            }
            pieces.push(Piece::Literal(b"(".to_vec()));
            let mut cursor = arguments.walk();
            let rest: Vec<Node> = arguments
                .named_children(&mut cursor)
                .filter(|c| c.kind() != "comment" && c.kind() != "keyword_argument")
                .skip(1)
                .collect();
            for (i, argument) in rest.iter().enumerate() {
                if i > 0 {
                    pieces.push(Piece::Literal(b", ".to_vec()));
                }
                pieces.push(Piece::Original(argument.byte_range()));
            }
            pieces.push(Piece::Literal(b")".to_vec()));
        }
        Awaitable::Missing => {
            return Err(Blocked::NoAwaitable {
                call: ctx.evidence(call),
            });
        }
    }
    if outer {
        pieces.push(Piece::Literal(b")".to_vec()));
    }
    Ok(pieces)
}

pub(crate) fn has_comment_child(node: Node) -> bool {
    let mut cursor = node.walk();
    node.children(&mut cursor).any(|c| c.kind() == "comment")
}

/// A call whose arguments hold comments keeps its parentheses, so no comment is lost:
/// `asyncio.run(  # why\n    main()\n)` becomes `(await  # why\n    main()\n)`. Arguments other
/// than the awaitable (`debug=True`) are dropped with their comma.
pub(crate) fn commented_await_pieces(
    ctx: &Ctx,
    call: Node,
    arguments: Node,
    awaitable: Awaitable,
) -> Result<Vec<Piece>, Blocked> {
    let Awaitable::Expression(expression) = awaitable else {
        return Err(Blocked::CommentsInArguments {
            call: ctx.evidence(call),
        });
    };
    let inner = arguments.start_byte() + 1..arguments.end_byte() - 1;
    let mut dropped: Vec<std::ops::Range<usize>> = Vec::new();
    let mut last_comma: Option<usize> = None;
    let mut cursor = arguments.walk();
    for child in arguments.children(&mut cursor) {
        match child.kind() {
            "," => last_comma = Some(child.start_byte()),
            "comment" | "(" | ")" => {}
            _ if child.id() == expression.id() => {}
            // Take the comma before the argument with it.
            _ => dropped.push(last_comma.unwrap_or(child.start_byte())..child.end_byte()),
        }
    }
    let mut pieces = vec![Piece::Literal(b"(await ".to_vec())];
    let mut at = inner.start;
    for range in dropped {
        pieces.push(Piece::Original(at..range.start));
        at = range.end;
    }
    pieces.push(Piece::Original(at..inner.end));
    pieces.push(Piece::Literal(b")".to_vec()));
    Ok(pieces)
}

pub(crate) fn is_primary(node: Node) -> bool {
    matches!(
        node.kind(),
        "call"
            | "attribute"
            | "identifier"
            | "subscript"
            | "parenthesized_expression"
            | "list"
            | "tuple"
            | "dictionary"
            | "set"
            | "string"
            | "concatenated_string"
            | "list_comprehension"
            | "set_comprehension"
            | "dictionary_comprehension"
            | "generator_expression"
    )
}

/// `await x` cannot stand where a primary is needed: `asyncio.run(c()).attr`, `[...]`, `(...)`.
pub(crate) fn needs_outer_parens(call: Node) -> bool {
    let Some(parent) = call.parent() else {
        return false;
    };
    match parent.kind() {
        "attribute" => parent
            .child_by_field_name("object")
            .is_some_and(|o| o.id() == call.id()),
        "subscript" => parent
            .child_by_field_name("value")
            .is_some_and(|o| o.id() == call.id()),
        "call" => parent
            .child_by_field_name("function")
            .is_some_and(|o| o.id() == call.id()),
        _ => false,
    }
}

/// Whether `node` sits in a generator expression's body within `statement`.
pub(crate) fn inside_generator_expression(node: Node, statement: Node) -> bool {
    let mut current = node;
    while let Some(parent) = current.parent() {
        if parent.id() == statement.id() {
            return false;
        }
        if parent.kind() == "generator_expression" {
            return true;
        }
        current = parent;
    }
    false
}
