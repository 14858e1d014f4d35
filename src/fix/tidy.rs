//! After a file's fixes are applied: remove loop-library imports the rewrite left unused, and add
//! the imports the new text needs, once each.

use tree_sitter::Node;

use crate::diagnostic::{Edit, RequiredImport, apply_edits};
use crate::semantic::{BindingKind, Model, Place, Role};
use crate::source::SourceFile;
use crate::syntax::parse::{self, ParseError};
use crate::syntax::tree::is_docstring;

/// Libraries whose imports a rewrite may leave unused.
const LOOP_LIBRARIES: &[&str] = &["asyncio", "uvloop", "anyio"];

/// The local names that module-level imports of loop libraries bind and the module reads.
pub fn used_loop_imports(model: &Model) -> Vec<Vec<u8>> {
    let mut names: Vec<Vec<u8>> = model
        .bindings
        .iter()
        .filter(|b| b.place == Place::ImportTime && binds_loop_library(&b.kind))
        .filter(|b| model.global_reads(b.name).next().is_some())
        .map(|b| b.name.to_vec())
        .collect();
    names.sort();
    names.dedup();
    names
}

fn binds_loop_library(kind: &BindingKind) -> bool {
    let qualified = match kind {
        BindingKind::Module(m) | BindingKind::Member(m) => m,
        _ => return false,
    };
    LOOP_LIBRARIES
        .iter()
        .any(|lib| qualified == lib || qualified.starts_with(&format!("{lib}.")))
}

/// Removes the imports in `previously_used` that `code` no longer reads and adds `required`.
pub fn tidy(
    src: &SourceFile,
    code: &[u8],
    previously_used: &[Vec<u8>],
    required: &[RequiredImport],
) -> Result<Vec<u8>, ParseError> {
    let file = SourceFile::new(src.to_file_bytes(code)).map_err(|_| ParseError::Aborted)?;
    let tree = parse::parse(file.parse_text())?;
    let model = Model::build(&tree, file.parse_text());
    let mut edits = unused_import_edits(&file, &model, previously_used);
    let additions = missing_import_edits(&file, &model, required);
    // An import added where a removed one stood goes where the removal starts.
    for mut addition in additions {
        if let Some(removal) = edits
            .iter()
            .find(|e| e.range.start < addition.range.start && addition.range.start < e.range.end)
        {
            addition.range = removal.range.start..removal.range.start;
        }
        edits.push(addition);
    }
    if edits.is_empty() {
        return Ok(code.to_vec());
    }
    let refs: Vec<&Edit> = edits.iter().collect();
    Ok(apply_edits(file.code(), &refs))
}

fn unused_import_edits(file: &SourceFile, model: &Model, previously_used: &[Vec<u8>]) -> Vec<Edit> {
    let unused = |name: &[u8]| {
        previously_used.iter().any(|u| u == name) && model.global_reads(name).next().is_none()
    };
    let mut edits = Vec::new();
    for import in &model.imports {
        let node = import.node;
        if import.place != Place::ImportTime || node.parent().is_none_or(|p| p.kind() != "module") {
            continue;
        }
        let names = imported_names(model, node);
        // Only a loop library's binding goes: `from redis import asyncio` stays.
        let binds_loop_library_here = |local: &[u8]| {
            model.bindings.iter().any(|b| {
                b.name == local
                    && node.byte_range().contains(&b.offset)
                    && binds_loop_library(&b.kind)
            })
        };
        let dropped: Vec<bool> = names
            .iter()
            .map(|(_, local)| unused(local) && binds_loop_library_here(local))
            .collect();
        if !dropped.contains(&true) {
            continue;
        }
        if !dropped.contains(&false) {
            edits.push(super::text::remove_statement(file, node));
            continue;
        }
        let items: Vec<Node> = names.iter().map(|(item, _)| *item).collect();
        edits.extend(list_item_removals(file.code(), &items, &dropped));
    }
    edits
}

/// The edits that drop the `dropped` items of an import list, some of which stay. Each item
/// goes with the comma after it; the items after the last one kept go, together, with the comma
/// before them (`from asyncio import a, b, c` without `b` and `c` is `from asyncio import a`,
/// where one removal per item would delete that comma twice).
fn list_item_removals(code: &[u8], items: &[Node], dropped: &[bool]) -> Vec<Edit> {
    let last_kept = dropped.iter().rposition(|&d| !d).unwrap_or(0);
    let mut edits: Vec<Edit> = items[..last_kept]
        .iter()
        .zip(dropped)
        .filter(|(_, dropped)| **dropped)
        .map(|(item, _)| super::text::remove_list_item(code, *item))
        .collect();
    if let (Some(first), Some(last)) = (items.get(last_kept + 1), items.last()) {
        let start = first.start_byte();
        let comma = code[..start]
            .iter()
            .rposition(|&b| b == b',')
            .unwrap_or(start);
        edits.push(Edit::delete(comma..last.end_byte()));
    }
    edits
}

/// Each imported item (`asyncio`, `run as r`) of an import statement with the local name it binds.
fn imported_names<'t>(model: &Model<'t>, statement: Node<'t>) -> Vec<(Node<'t>, &'t [u8])> {
    let mut cursor = statement.walk();
    statement
        .children_by_field_name("name", &mut cursor)
        .filter_map(|item| {
            let local = match item.kind() {
                "aliased_import" => item.child_by_field_name("alias")?,
                _ if statement.kind() == "import_statement" => item.named_child(0)?,
                _ => item.named_child(0)?,
            };
            let r = model.ref_at(local)?;
            (r.role == Role::Store).then_some((item, r.name))
        })
        .collect()
}

/// Edits that add the missing imports: a name joins an existing `from module import ...` when
/// there is one; the rest go on new lines after the module's imports.
fn missing_import_edits(
    file: &SourceFile,
    model: &Model,
    required: &[RequiredImport],
) -> Vec<Edit> {
    let mut missing: Vec<&RequiredImport> = required
        .iter()
        .filter(|import| !is_imported(model, import))
        .collect();
    missing.sort();
    missing.dedup();
    let mut edits = Vec::new();
    let newline = file.newline().as_bytes();
    let mut lines = Vec::new();
    for import in missing {
        match import {
            RequiredImport::Member { module, name } => {
                if let Some(last) = last_name_of_from_import(model, module) {
                    edits.push(add_to_import_list(file, last, name));
                    continue;
                }
                lines.extend_from_slice(format!("from {module} import {name}").as_bytes());
            }
            RequiredImport::Module(module) => {
                lines.extend_from_slice(format!("import {module}").as_bytes());
            }
        }
        lines.extend_from_slice(newline);
    }
    if lines.is_empty() {
        return edits;
    }
    let code = file.code();
    let at = import_insertion_point(file, model);
    if at == code.len() && !code.is_empty() && !code.ends_with(b"\n") && !code.ends_with(b"\r") {
        let mut text = newline.to_vec();
        text.extend_from_slice(&lines[..lines.len() - newline.len()]);
        edits.push(Edit::insert(at, text));
    } else {
        edits.push(Edit::insert(at, lines));
    }
    edits
}

/// Adds `name` after `last`, the last name of a `from` import: on a line of its own, indented
/// like `last`, when `last` starts its line (a parenthesized list, one name per line).
fn add_to_import_list(file: &SourceFile, last: Node, name: &str) -> Edit {
    let code = file.code();
    let start = last.start_byte();
    if !super::text::start_of_line_is_blank(code, start) {
        return Edit::insert(last.end_byte(), format!(", {name}"));
    }
    let line_start = code[..start]
        .iter()
        .rposition(|&b| b == b'\n' || b == b'\r')
        .map_or(0, |i| i + 1);
    let mut text = b",".to_vec();
    text.extend_from_slice(file.newline().as_bytes());
    text.extend_from_slice(&code[line_start..start]);
    text.extend_from_slice(name.as_bytes());
    Edit::insert(last.end_byte(), text)
}

/// The last imported name of a module-level `from <module> import a, b` (not `*`).
fn last_name_of_from_import<'t>(model: &Model<'t>, module: &str) -> Option<Node<'t>> {
    model
        .imports
        .iter()
        .filter(|i| i.place == Place::ImportTime && i.node.kind() == "import_from_statement")
        .filter(|i| i.node.parent().is_some_and(|p| p.kind() == "module"))
        .filter(|i| {
            i.node
                .child_by_field_name("module_name")
                .is_some_and(|m| model.node_text(m) == module.as_bytes())
        })
        .find_map(|i| {
            let mut cursor = i.node.walk();
            i.node.children_by_field_name("name", &mut cursor).last()
        })
}

fn is_imported(model: &Model, import: &RequiredImport) -> bool {
    model.bindings.iter().any(|b| {
        b.place == Place::ImportTime
            && match (import, &b.kind) {
                (RequiredImport::Module(m), BindingKind::Module(bound)) => {
                    bound == m && b.name == m.as_bytes()
                }
                (RequiredImport::Member { module, name }, BindingKind::Member(bound)) => {
                    *bound == format!("{module}.{name}") && b.name == name.as_bytes()
                }
                _ => false,
            }
    })
}

/// Standard-library modules, to place added imports (all of them stdlib) in the stdlib group, as
/// isort and ruff order imports.
const STDLIB: &[&str] = &[
    "__future__",
    "abc",
    "argparse",
    "array",
    "ast",
    "asyncio",
    "base64",
    "bisect",
    "builtins",
    "calendar",
    "collections",
    "concurrent",
    "configparser",
    "contextlib",
    "contextvars",
    "copy",
    "csv",
    "ctypes",
    "dataclasses",
    "datetime",
    "decimal",
    "difflib",
    "email",
    "enum",
    "errno",
    "fnmatch",
    "fractions",
    "functools",
    "gc",
    "getpass",
    "glob",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "html",
    "http",
    "importlib",
    "inspect",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "logging",
    "math",
    "mimetypes",
    "multiprocessing",
    "numbers",
    "operator",
    "os",
    "pathlib",
    "pickle",
    "platform",
    "pprint",
    "queue",
    "random",
    "re",
    "secrets",
    "select",
    "shlex",
    "shutil",
    "signal",
    "socket",
    "sqlite3",
    "ssl",
    "stat",
    "string",
    "struct",
    "subprocess",
    "sys",
    "tempfile",
    "textwrap",
    "threading",
    "time",
    "timeit",
    "traceback",
    "types",
    "typing",
    "unittest",
    "urllib",
    "uuid",
    "warnings",
    "weakref",
    "xml",
    "zipfile",
    "zlib",
    "zoneinfo",
];

/// Where added imports go: after the last standard-library import of the module's leading import
/// block; else before its first import; else after the docstring; else before the first statement
/// (below any shebang, coding cookie or header comment).
fn import_insertion_point(file: &SourceFile, model: &Model) -> usize {
    let mut first_import = None;
    let mut last_stdlib = None;
    let mut docstring = None;
    for (i, statement) in model.statements.iter().enumerate() {
        let is_import = matches!(
            statement.kind(),
            "import_statement" | "import_from_statement" | "future_import_statement"
        );
        if i == 0 && is_docstring(*statement) {
            docstring = Some(*statement);
            continue;
        }
        if !is_import {
            break;
        }
        first_import.get_or_insert(*statement);
        if statement.kind() == "future_import_statement" || is_stdlib_import(model, *statement) {
            last_stdlib = Some(*statement);
        }
    }
    let line_start = |node: Node| file.line_start(file.line_index(node.start_byte()));
    match (
        last_stdlib,
        first_import,
        docstring,
        model.statements.first(),
    ) {
        (Some(statement), _, _, _) => file.line_end_after_newline(statement.end_byte()),
        (None, Some(first), _, _) => line_start(first),
        (None, None, Some(doc), _) => file.line_end_after_newline(doc.end_byte()),
        (None, None, None, Some(first)) => line_start(*first),
        (None, None, None, None) => file.code().len(),
    }
}

fn is_stdlib_import(model: &Model, statement: Node) -> bool {
    let module = match statement.kind() {
        "import_from_statement" => statement.child_by_field_name("module_name"),
        _ => statement
            .child_by_field_name("name")
            .map(|n| n.child_by_field_name("name").unwrap_or(n)),
    };
    module.is_some_and(|m| {
        let text = String::from_utf8_lossy(model.node_text(m));
        let top = text.split('.').next().unwrap_or("").trim();
        STDLIB.contains(&top)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tidied(code: &str, previously_used: &[&str]) -> String {
        let src = SourceFile::new(code.as_bytes().to_vec()).unwrap();
        let used: Vec<Vec<u8>> = previously_used
            .iter()
            .map(|n| n.as_bytes().to_vec())
            .collect();
        String::from_utf8(tidy(&src, src.code(), &used, &[]).unwrap()).unwrap()
    }

    #[test]
    fn unused_names_at_the_end_of_an_import_list_go_with_one_comma() {
        let code = "from asyncio import get_event_loop, new_event_loop, set_event_loop\nx = get_event_loop()\n";
        assert_eq!(
            tidied(code, &["new_event_loop", "set_event_loop"]),
            "from asyncio import get_event_loop\nx = get_event_loop()\n"
        );
        let code = "from asyncio import new_event_loop, get_event_loop, set_event_loop\nx = get_event_loop()\n";
        assert_eq!(
            tidied(code, &["new_event_loop", "set_event_loop"]),
            "from asyncio import get_event_loop\nx = get_event_loop()\n"
        );
        let code = "from asyncio import (\n    get_event_loop,\n    new_event_loop,\n    run,\n)\nx = get_event_loop()\n";
        assert_eq!(
            tidied(code, &["new_event_loop", "run"]),
            "from asyncio import (\n    get_event_loop,\n)\nx = get_event_loop()\n"
        );
    }
}
