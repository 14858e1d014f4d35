//! The module's leading imports as isort groups them, and the edits that add import statements
//! among them: in the standard library's section, among the project's own, or at the top of a
//! module without imports.

use tree_sitter::Node;

use super::keys::{import_key, joined_statements, statement_key, top_module};
use super::stdlib::is_stdlib_import;
use crate::diagnostic::{Edit, RequiredImport};
use crate::fix::text;
use crate::semantic::Model;
use crate::source::SourceFile;
use crate::syntax::tree::is_docstring;

/// The module's leading imports (after any docstring), as isort and ruff group them: the
/// `__future__` imports, then the standard library's, then the rest.
pub(super) struct ImportBlock<'t> {
    /// The `__future__` imports.
    future: Vec<Node<'t>>,
    /// The standard library's imports.
    stdlib: Vec<Node<'t>>,
    /// The first other import.
    first_other: Option<Node<'t>>,
    /// Every other import (third-party and the project's own).
    others: Vec<Node<'t>>,
    /// The docstring, when the module opens with one.
    docstring: Option<Node<'t>>,
}

impl<'t> ImportBlock<'t> {
    pub(super) fn of(model: &Model<'t>) -> Self {
        let mut block = ImportBlock {
            future: Vec::new(),
            stdlib: Vec::new(),
            first_other: None,
            others: Vec::new(),
            docstring: None,
        };
        for (i, statement) in model.statements.iter().enumerate() {
            if i == 0 && is_docstring(*statement) {
                block.docstring = Some(*statement);
                continue;
            }
            match statement.kind() {
                "future_import_statement" => block.future.push(*statement),
                "import_statement" | "import_from_statement" => {
                    if is_stdlib_import(model, *statement) {
                        block.stdlib.push(*statement);
                    } else {
                        block.first_other.get_or_insert(*statement);
                        block.others.push(*statement);
                    }
                }
                _ => break,
            }
        }
        block
    }

    /// The edits that add `imports` as statements of their own: each at its sorted place among
    /// the standard library's imports (`import x` before `from x import y`, each by module);
    /// else, together and sorted, as a section of their own before the other imports, or after
    /// the `__future__` imports, or at the top of the module, a blank line parting them from
    /// what follows.
    pub(super) fn statement_edits(
        &self,
        file: &SourceFile,
        model: &Model,
        mut imports: Vec<&RequiredImport>,
    ) -> Vec<Edit> {
        if imports.is_empty() {
            return Vec::new();
        }
        imports.sort_by_key(|i| import_key(i));
        let newline = file.newline().as_bytes();
        let statements = joined_statements(&imports);
        let line_of = |text: &str| {
            let mut line = text.as_bytes().to_vec();
            line.extend_from_slice(newline);
            line
        };
        let line_start_of = |node: Node| file.line_start(file.line_index(node.start_byte()));
        if let Some(last) = self.stdlib.last() {
            return statements
                .iter()
                .map(|(key, text)| {
                    let next = self
                        .stdlib
                        .iter()
                        .find(|s| statement_key(model, **s).is_some_and(|k| &k > key));
                    match next {
                        Some(next) => Edit::insert(line_start_of(*next), line_of(text)),
                        None => at_line_end(file, last.end_byte(), line_of(text)),
                    }
                })
                .collect();
        }
        let mut lines: Vec<u8> = statements
            .iter()
            .flat_map(|(_, text)| line_of(text))
            .collect();
        let edit = if let Some(first) = self.first_other {
            lines.extend_from_slice(newline);
            Edit::insert(line_start_of(first), lines)
        } else if let Some(last) = self.future.last() {
            let mut text = newline.to_vec();
            text.extend_from_slice(&lines);
            at_line_end(file, last.end_byte(), text)
        } else {
            self.top_of_module_edit(file, model, lines)
        };
        vec![edit]
    }

    /// The edits that add imports of the project's own modules (`import db`, which `init()`'s
    /// wiring needs): among the imports of the same package, at their sorted place, else as a
    /// section of their own after the module's last leading import, as isort puts first-party
    /// imports last.
    pub(super) fn project_edits(
        &self,
        file: &SourceFile,
        model: &Model,
        mut imports: Vec<&RequiredImport>,
    ) -> Vec<Edit> {
        imports.sort_by_key(|i| import_key(i));
        let newline = file.newline().as_bytes();
        let line_start_of = |node: Node| file.line_start(file.line_index(node.start_byte()));
        let last_import = self
            .others
            .last()
            .or(self.stdlib.last())
            .or(self.future.last())
            .copied();
        joined_statements(&imports)
            .into_iter()
            .zip(imports.iter().map(|i| top_module(i).to_ascii_lowercase()))
            .map(|((key, text), top)| {
                let mut line = text.into_bytes();
                line.extend_from_slice(newline);
                let same_package: Vec<Node> = self
                    .others
                    .iter()
                    .copied()
                    .filter(|s| {
                        statement_key(model, *s)
                            .is_some_and(|(_, m)| m.split('.').next() == Some(top.as_str()))
                    })
                    .collect();
                let next = same_package
                    .iter()
                    .find(|s| statement_key(model, **s).is_some_and(|k| k > key));
                match (next, same_package.last(), last_import) {
                    (Some(next), _, _) => Edit::insert(line_start_of(*next), line),
                    (None, Some(last), _) => at_line_end(file, last.end_byte(), line),
                    (None, None, Some(last)) => {
                        let mut text = newline.to_vec();
                        text.extend_from_slice(&line);
                        at_line_end(file, last.end_byte(), text)
                    }
                    (None, None, None) => self.top_of_module_edit(file, model, line),
                }
            })
            .collect()
    }

    /// The edit that puts `line`, imports, at the top of a module without imports: after the
    /// docstring, in place of the blank lines before the first statement, followed by the blank
    /// lines isort wants there (two before a `def` or `class`, else one).
    fn top_of_module_edit(&self, file: &SourceFile, model: &Model, mut line: Vec<u8>) -> Edit {
        let code = file.code();
        let newline = file.newline().as_bytes();
        let floor = self
            .docstring
            .map_or(0, |doc| file.line_end_after_newline(doc.end_byte()));
        let first = model
            .statements
            .iter()
            .find(|s| Some(**s) != self.docstring)
            .copied();
        let Some(first) = first else {
            return at_line_end_or(file, code.len().max(floor), line);
        };
        let first_line = file.line_index(first.start_byte());
        let end = file.line_start(first_line);
        let mut start = end;
        let mut index = first_line;
        while index > 0
            && file.line_start(index - 1) >= floor
            && text::is_blank_line(file, index - 1)
        {
            index -= 1;
            start = file.line_start(index);
        }
        let mut text = Vec::new();
        if start > 0 && start < end {
            text.extend_from_slice(newline);
        }
        text.append(&mut line);
        let is_definition = matches!(
            first.kind(),
            "function_definition" | "class_definition" | "decorated_definition"
        );
        for _ in 0..if is_definition { 2 } else { 1 } {
            text.extend_from_slice(newline);
        }
        Edit::replace(start..end, text)
    }
}

/// Inserts `text` after the line that holds `offset`, with a newline first when that line is the
/// file's last and has none.
fn at_line_end(file: &SourceFile, offset: usize, text: Vec<u8>) -> Edit {
    at_line_end_or(file, file.line_end_after_newline(offset), text)
}

/// Inserts `text` at `at`, the start of a line or the end of the file; at the end of a file
/// without a final newline, with a newline first.
fn at_line_end_or(file: &SourceFile, at: usize, text: Vec<u8>) -> Edit {
    let code = file.code();
    if at == code.len() && !code.is_empty() && !code.ends_with(b"\n") && !code.ends_with(b"\r") {
        let newline = file.newline().as_bytes();
        let mut moved = newline.to_vec();
        moved.extend_from_slice(text.strip_suffix(newline).unwrap_or(&text));
        return Edit::insert(at, moved);
    }
    Edit::insert(at, text)
}
