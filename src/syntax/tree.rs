//! Small questions about syntax-tree nodes that every layer above asks the same way.

use tree_sitter::Node;

/// The named children of a node, comments included, collected so that the caller may recurse.
pub fn named_children<'t>(node: Node<'t>) -> impl Iterator<Item = Node<'t>> {
    let mut cursor = node.walk();
    let children: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
    children.into_iter()
}

/// Whether a statement is a docstring: an expression statement that is a single string literal
/// (implicitly concatenated literals count, as they do for Python).
pub fn is_docstring(statement: Node) -> bool {
    statement.kind() == "expression_statement"
        && statement.named_child_count() == 1
        && statement
            .named_child(0)
            .is_some_and(|e| matches!(e.kind(), "string" | "concatenated_string"))
}

/// The expression inside any number of parentheses.
pub fn unparenthesize(mut node: Node) -> Node {
    while node.kind() == "parenthesized_expression" {
        match node.named_child(0) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_statement(code: &[u8]) -> bool {
        let tree = super::super::parse::parse(code).unwrap();
        let statement = tree.root_node().named_child(0).unwrap();
        is_docstring(statement)
    }

    #[test]
    fn docstrings_are_single_string_statements() {
        assert!(first_statement(b"\"\"\"Doc.\"\"\"\nx = 1\n"));
        assert!(first_statement(b"'a' 'b'\n"));
        assert!(!first_statement(b"'a', 'b'\n"));
        assert!(!first_statement(b"x = 'a'\n"));
        assert!(!first_statement(b"f('a')\n"));
    }

    #[test]
    fn parentheses_are_looked_through() {
        let tree = super::super::parse::parse(b"x = ((1))\n").unwrap();
        let value = tree
            .root_node()
            .named_child(0)
            .and_then(|s| s.named_child(0))
            .and_then(|a| a.child_by_field_name("right"))
            .unwrap();
        assert_eq!(unparenthesize(value).kind(), "integer");
    }
}
