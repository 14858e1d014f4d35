//! What a group's sites tell: which sites are fixed together (one module-level statement, one
//! loop global), a suppressed site, a bare call, the readers of a name, and the wrappers that go
//! with their last call.

use std::collections::BTreeMap;

use tree_sitter::Node;

use crate::detect;
use crate::detect::{Site, SiteKind, Via};
use crate::diagnostic::Blocked;
use crate::fix::ctx::Ctx;
use crate::fix::loops::loop_var;
use crate::noqa;

/// The line of a site of the group that a `# noqa` or `# loopfix: ignore[...]` suppresses: the
/// group's statements change together, so none of them moves (into a lazy guard or `init()`).
pub(super) fn suppressed_line(ctx: &Ctx, group: &[&Site]) -> Option<usize> {
    group.iter().find_map(|site| {
        let offset = site.call.start_byte();
        noqa::suppression_at(ctx.src, ctx.model.root, offset)
            .is_some_and(|s| s.covers(site.rule))
            .then(|| ctx.line(offset))
    })
}

/// Whether a run site is the whole statement: `asyncio.run(create_schema())`.
pub(super) fn is_bare_call(sites: &[&Site]) -> bool {
    sites.iter().any(|s| {
        s.statement.kind() == "expression_statement"
            && s.statement
                .named_child(0)
                .is_some_and(|e| e.id() == s.call.id())
    })
}

/// Whether anything reads the global `name` outside `statement`: the module, or another module
/// of the project.
pub(super) fn has_readers(ctx: &Ctx, name: &[u8], statement: Node) -> bool {
    let read_here = ctx
        .model
        .global_reads(name)
        .any(|r| !statement.byte_range().contains(&r.node.start_byte()));
    let read_elsewhere = ctx
        .project
        .is_some_and(|p| p.uses_of(name).next().is_some());
    read_here || read_elsewhere
}

/// Sites of one module-level statement, and sites of one loop global, are fixed together.
pub(super) fn partition(sites: &[Site]) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..sites.len()).collect();
    fn find(parent: &mut [usize], i: usize) -> usize {
        let mut root = i;
        while parent[root] != root {
            root = parent[root];
        }
        let mut node = i;
        while parent[node] != root {
            let next = parent[node];
            parent[node] = root;
            node = next;
        }
        root
    }
    let mut by_key: BTreeMap<Key, usize> = BTreeMap::new();
    for (i, site) in sites.iter().enumerate() {
        for key in keys(site) {
            match by_key.get(&key) {
                Some(&j) => {
                    let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                    parent[a] = b;
                }
                None => {
                    by_key.insert(key, i);
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..sites.len() {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(i);
    }
    groups.into_values().collect()
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Top(usize),
    Loop(Vec<u8>),
}

fn keys(site: &Site) -> Vec<Key> {
    let mut keys = vec![Key::Top(site.top)];
    if let Some(var) = loop_var(site) {
        keys.push(Key::Loop(var.to_vec()));
    }
    keys
}

/// LF004: a call of a wrapper is replaced by the wrapper's own awaitable, so the wrapper must be a
/// plain `return asyncio.run(...)`; a wrapper that nothing else uses goes with its last call.
pub(super) fn wrappers_to_remove<'t>(
    ctx: &Ctx<'_, 't>,
    sites: &[&Site<'t>],
) -> Result<Vec<Node<'t>>, Blocked> {
    let mut removed = Vec::new();
    for site in sites {
        let SiteKind::Run {
            via: Via::Wrapper {
                name, chain, plain, ..
            },
            ..
        } = site.kind
        else {
            continue;
        };
        if let Some(def) = chain[0]
            && detect::wrappers::method_class(def).is_some()
        {
            return Err(Blocked::MethodRunsLoop {
                method: detect::wrappers::def_label(ctx.src.code(), def),
            });
        }
        if !plain {
            return Err(Blocked::WrapperDoesMore {
                name: String::from_utf8_lossy(name).into_owned(),
            });
        }
        let Some(def) = chain[0] else { continue };
        let calls: Vec<usize> = sites
            .iter()
            .filter(|s| matches!(s.kind, SiteKind::Run { via: Via::Wrapper { name: n, .. }, .. } if n == name))
            .filter_map(|s| s.call.child_by_field_name("function").map(|f| f.id()))
            .collect();
        let name_node = def.child_by_field_name("name").map(|n| n.id());
        let used_elsewhere = ctx
            .model
            .global_uses(name)
            .any(|u| Some(u.node.id()) != name_node && !calls.contains(&u.node.id()));
        let is_module_statement = def.parent().is_some_and(|p| p.kind() == "module");
        let used_by_others = ctx
            .project
            .and_then(|p| p.used_elsewhere_by(name))
            .is_some();
        let already = removed.iter().any(|d: &Node| d.id() == def.id());
        if !used_elsewhere && !used_by_others && is_module_statement && !already {
            removed.push(def);
        }
    }
    Ok(removed)
}
