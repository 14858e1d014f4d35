//! The imports a fixed module lacks, and the edits that add them: a name joins a `from` import
//! of its module at its sorted place; the rest become statements ([`ImportBlock`]).

use tree_sitter::Node;

use super::block::ImportBlock;
use super::keys::{member_key, top_module};
use super::stdlib::STDLIB;
use crate::diagnostic::{Edit, RequiredImport};
use crate::fix::text;
use crate::semantic::{BindingKind, Model, Place};
use crate::source::SourceFile;

/// Edits that add the missing imports: a name joins an existing `from module import ...` when
/// there is one, at its sorted place; the rest are statements of their own, each at its sorted
/// place among the module's standard-library imports.
pub(super) fn missing_import_edits(
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
    let one_per_line = |item: Node| text::start_of_line_is_blank(code, item.start_byte());
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
