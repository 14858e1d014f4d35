//! How isort and ruff order and write imports: the keys of a statement and of a `from`
//! import's names, an added import's line, and added names of one module joined in one statement.

use tree_sitter::Node;

use crate::diagnostic::RequiredImport;
use crate::semantic::Model;

/// The top-level package an import names (`db` for `import db.pool`).
pub(super) fn top_module(import: &RequiredImport) -> &str {
    let module = match import {
        RequiredImport::Module(module) | RequiredImport::Member { module, .. } => module,
    };
    module.split('.').next().unwrap_or(module)
}

/// The key isort and ruff sort the names of a `from` import by (`order-by-type`): constants,
/// then classes, then the rest, each case-insensitively.
pub(super) fn member_key(name: &str) -> (u8, String, String) {
    let is_constant = name.len() > 1
        && name.chars().any(|c| c.is_ascii_alphabetic())
        && !name.chars().any(|c| c.is_ascii_lowercase());
    let kind = if is_constant {
        0
    } else if name.starts_with(|c: char| c.is_ascii_uppercase()) {
        1
    } else {
        2
    };
    (kind, name.to_ascii_lowercase(), name.to_owned())
}

/// The import statements that add `imports` (sorted by [`import_key`]), with their keys: the
/// names taken from one module share one `from` statement, in isort's order
/// (`from typing import Any, AsyncIterator`).
pub(super) fn joined_statements(imports: &[&RequiredImport]) -> Vec<((u8, String), String)> {
    let mut statements: Vec<((u8, String), String)> = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    for (i, import) in imports.iter().enumerate() {
        let RequiredImport::Member { module, name } = import else {
            statements.push((import_key(import), import_line(import)));
            continue;
        };
        names.push(name);
        let same_module_next = matches!(
            imports.get(i + 1),
            Some(RequiredImport::Member { module: next, .. }) if next == module
        );
        if !same_module_next {
            names.sort_by_key(|n| member_key(n));
            names.dedup();
            let line = format!("from {module} import {}", names.join(", "));
            statements.push((import_key(import), line));
            names.clear();
        }
    }
    statements
}

/// `import m` or `from m import n`.
pub(super) fn import_line(import: &RequiredImport) -> String {
    match import {
        RequiredImport::Member { module, name } => format!("from {module} import {name}"),
        RequiredImport::Module(module) => format!("import {module}"),
    }
}

/// The key isort and ruff sort a section's statements by (`force-sort-within-sections` off):
/// `import m` statements before `from m import ...` ones, each by module, case-insensitively.
pub(super) fn import_key(import: &RequiredImport) -> (u8, String) {
    match import {
        RequiredImport::Module(module) => (0, module.to_ascii_lowercase()),
        RequiredImport::Member { module, .. } => (1, module.to_ascii_lowercase()),
    }
}

/// [`import_key`] of an import statement of the module.
pub(super) fn statement_key(model: &Model, statement: Node) -> Option<(u8, String)> {
    let (kind, module) = match statement.kind() {
        "import_from_statement" => (1, statement.child_by_field_name("module_name")?),
        "import_statement" => {
            let name = statement.child_by_field_name("name")?;
            (0, name.child_by_field_name("name").unwrap_or(name))
        }
        _ => return None,
    };
    let module = String::from_utf8_lossy(model.node_text(module)).to_ascii_lowercase();
    Some((kind, module))
}
