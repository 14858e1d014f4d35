//! Whether a module still refers to a module-level name in a way that keeps its import: a read,
//! and also what is not a read but fails or changes without the binding (`del NAME`, `global
//! NAME`), an entry of `__all__`, and a string annotation that names it (`x: "asyncio.Task"`).

use tree_sitter::Node;

use crate::semantic::{Model, Role};

/// The annotation fields of the nodes that hold one: a parameter's type, a function's return
/// type, an annotated assignment's type.
const ANNOTATION_FIELDS: &[(&str, &str)] = &[
    ("typed_parameter", "type"),
    ("typed_default_parameter", "type"),
    ("function_definition", "return_type"),
    ("assignment", "type"),
];

/// Whether anything in the module still refers to the module-level `name`.
pub(super) fn still_referenced(model: &Model, name: &[u8]) -> bool {
    model
        .refs
        .iter()
        .any(|r| r.name == name && r.role != Role::Store && model.resolves_to_global(name, r.scope))
        || listed_in_all(model, name)
        || named_in_string_annotation(model, name)
}

/// Whether a statement that names `__all__` holds the string `"name"` (`__all__ = [...]`,
/// `__all__ += [...]`, `__all__.append(...)`, `__all__.extend(...)`).
fn listed_in_all(model: &Model, name: &[u8]) -> bool {
    model
        .refs
        .iter()
        .filter(|r| r.name == b"__all__")
        .filter_map(|r| enclosing_statement(r.node))
        .any(|statement| strings_in(statement).any(|s| string_content(model, s) == name))
}

/// The simple statement that holds a node.
fn enclosing_statement(node: Node) -> Option<Node> {
    let mut current = node;
    while current.kind() != "expression_statement" {
        current = current.parent()?;
    }
    Some(current)
}

/// Whether a string inside an annotation names `name` as a name of its own (not an attribute:
/// `"asyncio.Task"` and `"Optional[asyncio.Task]"` name `asyncio`, `"x.asyncio"` does not).
fn named_in_string_annotation(model: &Model, name: &[u8]) -> bool {
    let mut pending = vec![model.root];
    while let Some(node) = pending.pop() {
        let annotation = ANNOTATION_FIELDS
            .iter()
            .filter(|(kind, _)| node.kind() == *kind)
            .find_map(|(_, field)| node.child_by_field_name(field));
        if let Some(annotation) = annotation {
            if strings_in(annotation).any(|s| names_in(string_content(model, s)).any(|n| n == name))
            {
                return true;
            }
        }
        let mut cursor = node.walk();
        pending.extend(node.named_children(&mut cursor));
    }
    false
}

/// The string nodes in a subtree.
fn strings_in(node: Node) -> impl Iterator<Item = Node> {
    let mut pending = vec![node];
    std::iter::from_fn(move || {
        while let Some(node) = pending.pop() {
            let mut cursor = node.walk();
            pending.extend(node.named_children(&mut cursor));
            if node.kind() == "string" {
                return Some(node);
            }
        }
        None
    })
}

/// The text between a string's quotes (its content parts, joined; empty for `""`).
fn string_content<'t>(model: &Model<'t>, string: Node) -> &'t [u8] {
    let mut cursor = string.walk();
    let parts: Vec<Node> = string
        .named_children(&mut cursor)
        .filter(|c| c.kind() == "string_content")
        .collect();
    match (parts.first(), parts.last()) {
        (Some(first), Some(last)) => &model.text[first.start_byte()..last.end_byte()],
        _ => b"",
    }
}

/// The names an expression in a string refers to on their own: each run of identifier bytes
/// that does not follow a `.` (attributes) and does not start with a digit.
fn names_in(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    let is_name_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || !b.is_ascii();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < text.len() {
            let start = i;
            if !is_name_byte(text[i]) {
                i += 1;
                continue;
            }
            while i < text.len() && is_name_byte(text[i]) {
                i += 1;
            }
            let after_dot = text[..start]
                .iter()
                .rev()
                .find(|b| !b.is_ascii_whitespace())
                .is_some_and(|&b| b == b'.');
            if !after_dot && !text[start].is_ascii_digit() {
                return Some(&text[start..i]);
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_a_string_leave_out_attributes_and_numbers() {
        let names: Vec<&[u8]> =
            names_in(b"Optional[asyncio.Task[int]] | x . asyncio | 3").collect();
        assert_eq!(
            names,
            vec![&b"Optional"[..], b"asyncio", b"int", b"x"],
            "attributes (after a dot) and numbers are not names"
        );
    }
}
