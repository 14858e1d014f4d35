//! Which imports a rewrite may leave unused (loop libraries, and the annotations a placeholder
//! drops), the ones the module reads, and the edits that remove those it no longer refers to
//! (`references`: reads, and also `del`, `global`, `__all__` and string annotations).

use tree_sitter::Node;

use super::references::still_referenced;
use crate::diagnostic::Edit;
use crate::fix::text;
use crate::semantic::{BindingKind, Model, Place, Role};
use crate::source::SourceFile;

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

pub(super) fn unused_import_edits(
    file: &SourceFile,
    model: &Model,
    previously_used: &[Vec<u8>],
) -> Vec<Edit> {
    let unused =
        |name: &[u8]| previously_used.iter().any(|u| u == name) && !still_referenced(model, name);
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
            edits.push(text::remove_statement(file, node));
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
        .map(|(item, _)| text::remove_list_item(code, *item))
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
