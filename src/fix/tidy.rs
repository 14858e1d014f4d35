//! After a file's fixes are applied: remove loop-library imports the rewrite left unused, and add
//! the imports the new text needs, once each; and, from the module as it is, whether a fix
//! surely leaves its imports alone ([`ImportFacts`]).

use std::ops::Range;

use tree_sitter::Node;

use crate::diagnostic::{Edit, RequiredImport, apply_edits};
use crate::semantic::{BindingKind, Model, Place, Role};
use crate::source::SourceFile;
use crate::syntax::parse::{self, ParseError};
use crate::syntax::tree::is_docstring;

/// Libraries whose imports a rewrite may leave unused.
const LOOP_LIBRARIES: &[&str] = &["asyncio", "uvloop", "anyio"];

/// Names a rewrite may leave unused besides the loop libraries: `Final`, which a placeholder's
/// annotation drops (the name is assigned twice).
const DROPPED_ANNOTATIONS: &[&str] = &["typing.Final", "typing_extensions.Final"];

/// The local names that module-level imports of loop libraries (and of the annotations a
/// rewrite drops) bind and the module reads.
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
        || (matches!(kind, BindingKind::Member(_))
            && DROPPED_ANNOTATIONS.contains(&qualified.as_str()))
}

/// What tidying would look at in a module before any fix: where each loop-library import it
/// reads is read, and where each of its imports binds. Enough to tell, without rewriting and
/// parsing the module, that a fix's edits leave the imports as they are.
#[derive(Debug, Clone, Default)]
pub struct ImportFacts {
    /// The ranges of the global reads of each loop-library import that the module reads.
    loop_reads: Vec<Vec<Range<usize>>>,
    /// Each import the module binds at import time, as a required import, with its offset.
    bound: Vec<(RequiredImport, usize)>,
}

impl ImportFacts {
    /// The facts of `src`; `None` when it does not parse.
    pub fn of(src: &SourceFile) -> Option<Self> {
        let tree = parse::parse(src.parse_text()).ok()?;
        let model = Model::build(&tree, src.parse_text());
        let loop_reads = used_loop_imports(&model)
            .iter()
            .map(|name| {
                model
                    .global_reads(name)
                    .map(|r| r.node.byte_range())
                    .collect()
            })
            .collect();
        let bound = model
            .bindings
            .iter()
            .filter(|b| b.place == Place::ImportTime)
            .filter_map(|b| Some((as_required_import(b.name, &b.kind)?, b.offset)))
            .collect();
        Some(ImportFacts { loop_reads, bound })
    }

    /// Whether tidying after `edits`, which need the imports `required`, surely changes
    /// nothing: each import required is bound by an import that no edit touches, and each
    /// loop-library import keeps a read that no edit touches.
    pub fn untouched_by(&self, edits: &[Edit], required: &[RequiredImport]) -> bool {
        let touched = |range: &Range<usize>| {
            edits
                .iter()
                .any(|e| e.range.start <= range.end && range.start <= e.range.end)
        };
        let kept = |import: &RequiredImport| {
            self.bound
                .iter()
                .any(|(bound, at)| bound == import && !touched(&(*at..*at)))
        };
        required.iter().all(kept)
            && self
                .loop_reads
                .iter()
                .all(|reads| reads.iter().any(|read| !touched(read)))
    }
}

/// The import a binding makes, as the import a fix would require for it ([`is_imported`]).
fn as_required_import(name: &[u8], kind: &BindingKind) -> Option<RequiredImport> {
    match kind {
        BindingKind::Module(module) if name == module.as_bytes() => {
            Some(RequiredImport::Module(module.clone()))
        }
        BindingKind::Member(qualified) => {
            let (module, member) = qualified.rsplit_once('.')?;
            (member.as_bytes() == name).then(|| RequiredImport::Member {
                module: module.to_owned(),
                name: member.to_owned(),
            })
        }
        _ => None,
    }
}

/// Removes the imports in `previously_used` that `code` no longer reads and adds `required`,
/// each where isort and ruff would put it. Removals come first, so that additions are placed
/// among the imports that stay.
pub fn tidy(
    src: &SourceFile,
    code: &[u8],
    previously_used: &[Vec<u8>],
    required: &[RequiredImport],
) -> Result<Vec<u8>, ParseError> {
    let mut file = SourceFile::new(src.to_file_bytes(code)).map_err(|_| ParseError::Aborted)?;
    let mut tree = parse::parse(file.parse_text())?;
    let removals = {
        let model = Model::build(&tree, file.parse_text());
        unused_import_edits(&file, &model, previously_used)
    };
    if !removals.is_empty() {
        let refs: Vec<&Edit> = removals.iter().collect();
        let removed = apply_edits(file.code(), &refs);
        file = SourceFile::new(file.to_file_bytes(&removed)).map_err(|_| ParseError::Aborted)?;
        if required.is_empty() {
            return Ok(file.code().to_vec());
        }
        tree = parse::parse(file.parse_text())?;
    }
    let model = Model::build(&tree, file.parse_text());
    let additions = missing_import_edits(&file, &model, required);
    if additions.is_empty() {
        return Ok(file.code().to_vec());
    }
    let refs: Vec<&Edit> = additions.iter().collect();
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
/// there is one, at its sorted place; the rest are statements of their own, each at its sorted
/// place among the module's standard-library imports.
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
    let mut statements = Vec::new();
    for import in missing {
        if let RequiredImport::Member { module, name } = import
            && let Some(items) = from_import_items(model, module)
        {
            edits.push(add_to_import_list(file, model, &items, name));
            continue;
        }
        statements.push(import);
    }
    let (project, standard): (Vec<&RequiredImport>, Vec<&RequiredImport>) = statements
        .into_iter()
        .partition(|import| !STDLIB.contains(&top_module(import)));
    let block = ImportBlock::of(model);
    edits.extend(block.statement_edits(file, model, standard));
    edits.extend(block.project_edits(file, model, project));
    edits
}

/// The top-level package an import names (`db` for `import db.pool`).
fn top_module(import: &RequiredImport) -> &str {
    let module = match import {
        RequiredImport::Module(module) | RequiredImport::Member { module, .. } => module,
    };
    module.split('.').next().unwrap_or(module)
}

/// The key isort and ruff sort the names of a `from` import by (`order-by-type`): constants,
/// then classes, then the rest, each case-insensitively.
fn member_key(name: &str) -> (u8, String, String) {
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

/// Adds `name` to the names `items` of a `from` import: before the first name that sorts after
/// it when the names are sorted (else after the last), in the list's layout: on a line of its
/// own, indented like the others, in a list of one name per line.
fn add_to_import_list(file: &SourceFile, model: &Model, items: &[Node], name: &str) -> Edit {
    let code = file.code();
    let keys: Vec<_> = items
        .iter()
        .map(|item| member_key(&imported_member(model, *item)))
        .collect();
    let sorted = keys.windows(2).all(|pair| pair[0] <= pair[1]);
    let key = member_key(name);
    let before = sorted
        .then(|| keys.iter().position(|k| *k > key))
        .flatten()
        .map(|i| items[i]);
    let one_per_line = |item: Node| super::text::start_of_line_is_blank(code, item.start_byte());
    match before {
        Some(next) if one_per_line(next) => {
            let indent = &code[line_start(code, next.start_byte())..next.start_byte()];
            let mut text = name.as_bytes().to_vec();
            text.push(b',');
            text.extend_from_slice(file.newline().as_bytes());
            text.extend_from_slice(indent);
            Edit::insert(next.start_byte(), text)
        }
        Some(next) => Edit::insert(next.start_byte(), format!("{name}, ")),
        None => {
            let Some(&last) = items.last() else {
                return Edit::insert(0, Vec::new());
            };
            if !one_per_line(last) {
                return Edit::insert(last.end_byte(), format!(", {name}"));
            }
            let start = last.start_byte();
            let mut text = b",".to_vec();
            text.extend_from_slice(file.newline().as_bytes());
            text.extend_from_slice(&code[line_start(code, start)..start]);
            text.extend_from_slice(name.as_bytes());
            Edit::insert(last.end_byte(), text)
        }
    }
}

/// The start of the line that holds `offset`.
fn line_start(code: &[u8], offset: usize) -> usize {
    code[..offset]
        .iter()
        .rposition(|&b| b == b'\n' || b == b'\r')
        .map_or(0, |i| i + 1)
}

/// The name an item of a `from` import imports (`b` for `b` and for `b as c`).
fn imported_member(model: &Model, item: Node) -> String {
    let name = match item.kind() {
        "aliased_import" => item.child_by_field_name("name").unwrap_or(item),
        _ => item,
    };
    String::from_utf8_lossy(model.node_text(name)).into_owned()
}

/// The names of a module-level `from <module> import a, b` (not `*`).
fn from_import_items<'t>(model: &Model<'t>, module: &str) -> Option<Vec<Node<'t>>> {
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
            let items: Vec<Node> = i.node.children_by_field_name("name", &mut cursor).collect();
            (!items.is_empty()).then_some(items)
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

/// The module's leading imports (after any docstring), as isort and ruff group them: the
/// `__future__` imports, then the standard library's, then the rest.
struct ImportBlock<'t> {
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
    fn of(model: &Model<'t>) -> Self {
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
    fn statement_edits(
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
    fn project_edits(
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
            && super::text::is_blank_line(file, index - 1)
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

/// `import m` or `from m import n`.
/// The import statements that add `imports` (sorted by [`import_key`]), with their keys: the
/// names taken from one module share one `from` statement, in isort's order
/// (`from typing import Any, AsyncIterator`).
fn joined_statements(imports: &[&RequiredImport]) -> Vec<((u8, String), String)> {
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

fn import_line(import: &RequiredImport) -> String {
    match import {
        RequiredImport::Member { module, name } => format!("from {module} import {name}"),
        RequiredImport::Module(module) => format!("import {module}"),
    }
}

/// The key isort and ruff sort a section's statements by (`force-sort-within-sections` off):
/// `import m` statements before `from m import ...` ones, each by module, case-insensitively.
fn import_key(import: &RequiredImport) -> (u8, String) {
    match import {
        RequiredImport::Module(module) => (0, module.to_ascii_lowercase()),
        RequiredImport::Member { module, .. } => (1, module.to_ascii_lowercase()),
    }
}

/// [`import_key`] of an import statement of the module.
fn statement_key(model: &Model, statement: Node) -> Option<(u8, String)> {
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

    #[test]
    fn import_facts_tell_when_a_fix_leaves_the_imports_alone() {
        let code = "import asyncio\n\nX = asyncio.run(f())\nY = asyncio.sleep\n";
        let src = SourceFile::new(code.as_bytes().to_vec()).unwrap();
        let facts = ImportFacts::of(&src).unwrap();
        let asyncio = RequiredImport::Module("asyncio".into());
        let typing_any = RequiredImport::Member {
            module: "typing".into(),
            name: "Any".into(),
        };
        // The run goes; `asyncio` is still read on the next line, and is imported.
        let run = [Edit::replace(20..36, "None")];
        assert!(facts.untouched_by(&run, std::slice::from_ref(&asyncio)));
        // An import the module lacks would be added.
        assert!(!facts.untouched_by(&run, &[typing_any]));
        // Both reads go: the import may become unused.
        let both = [Edit::replace(20..36, "None"), Edit::replace(41..54, "None")];
        assert!(!facts.untouched_by(&both, &[]));
        // The import statement itself is edited: tidying must look.
        let import = [Edit::replace(0..14, "import asyncio as aio")];
        assert!(!facts.untouched_by(&import, &[asyncio]));
    }

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
