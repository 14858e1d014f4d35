//! Groups sites that must be fixed together and composes each group's fix from the passes.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use tree_sitter::Node;

use super::{Ctx, lazy, loops, site_message};
use crate::detect::{Site, SiteKind, Via};
use crate::edit::{Applicability, Edit, Finding, Fix, RequiredImport};

/// Why a group has no fix; goes into the findings' messages.
pub type Blocked = String;

/// What the passes of one group contribute to its fix.
#[derive(Debug, Default)]
pub struct FixParts {
    /// File-level edits.
    pub edits: Vec<Edit>,
    /// Lowest applicability among the parts.
    pub applicability: Option<Applicability>,
    /// Imports the new text needs.
    pub imports: Vec<RequiredImport>,
    /// What each part does.
    pub titles: Vec<String>,
}

impl FixParts {
    /// Lowers the fix's applicability to `level` (never raises it).
    pub fn limit(&mut self, level: Applicability) {
        self.applicability = Some(self.applicability.map_or(level, |a| a.min(level)));
    }

    fn into_fix(self) -> Result<Fix, Blocked> {
        let edits = merge_deletions(self.edits)?;
        let title = self.titles.join("; ");
        let mut fix = Fix::new(
            title,
            edits,
            self.applicability.unwrap_or(Applicability::Safe),
        );
        let mut imports = self.imports;
        imports.sort();
        imports.dedup();
        fix.imports = imports;
        Ok(fix)
    }
}

/// Builds findings for all sites of a module, one fix per group.
pub fn analyze_sites(ctx: &Ctx, sites: &[Site]) -> Vec<Finding> {
    let mut findings = Vec::with_capacity(sites.len());
    for group in partition(sites) {
        let members: Vec<&Site> = group.iter().map(|&i| &sites[i]).collect();
        let result = build_fix(ctx, &members).and_then(FixParts::into_fix);
        let (fix, reason) = match result {
            Ok(fix) if !fix.edits.is_empty() => (Some(Arc::new(fix)), None),
            Ok(_) => (None, None),
            Err(reason) => (None, Some(reason)),
        };
        for site in members {
            let mut message = site_message(ctx, site);
            if let Some(reason) = &reason {
                message.push_str("; no fix: ");
                message.push_str(reason);
            }
            findings.push(Finding {
                rule: site.rule,
                message,
                range: site.call.byte_range(),
                fix: fix.clone(),
            });
        }
    }
    findings.sort_by_key(|f| (f.range.start, f.range.end));
    findings
}

/// Sites of one module-level statement, and sites of one loop global, are fixed together.
fn partition(sites: &[Site]) -> Vec<Vec<usize>> {
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

/// The loop global a site refers to.
pub fn loop_var<'t>(site: &Site<'t>) -> Option<&'t [u8]> {
    match site.kind {
        SiteKind::NewLoop { var } | SiteKind::GetLoop { var } | SiteKind::SetLoop { var } => var,
        SiteKind::CloseLoop { var } => Some(var),
        SiteKind::Run {
            via: Via::LoopVar(var),
            ..
        } => Some(var),
        SiteKind::Run { .. } => None,
    }
}

fn build_fix(ctx: &Ctx, sites: &[&Site]) -> Result<FixParts, Blocked> {
    let mut parts = FixParts::default();
    let management: Vec<&Site> = sites
        .iter()
        .copied()
        .filter(|s| !matches!(s.kind, SiteKind::Run { .. }))
        .collect();
    let mut units: BTreeMap<usize, Vec<&Site>> = BTreeMap::new();
    for site in sites
        .iter()
        .filter(|s| matches!(s.kind, SiteKind::Run { .. }))
    {
        units.entry(site.top).or_default().push(site);
    }
    loops::rewrite_loop_uses(ctx, sites, &mut parts)?;
    let mut removals_outside: Vec<Node> = Vec::new();
    let mut removals_inside: BTreeMap<usize, Vec<Node>> = BTreeMap::new();
    for site in &management {
        let statement = loops::plain_statement(ctx, site)?;
        if units.contains_key(&site.top) {
            removals_inside.entry(site.top).or_default().push(statement);
        } else {
            removals_outside.push(statement);
        }
    }
    let outside_edits = removal_edits(ctx, &removals_outside);
    let removed_ranges: Vec<std::ops::Range<usize>> =
        outside_edits.iter().map(|e| e.range.clone()).collect();
    parts.edits.extend(outside_edits);
    if !management.is_empty() {
        parts
            .titles
            .push("Remove the import-time loop management".into());
        parts.limit(Applicability::Safe);
    }
    for (top, run_sites) in units {
        let removals = removals_inside.remove(&top).unwrap_or_default();
        lazy::plan(ctx, top, &run_sites, &removals, &removed_ranges, &mut parts)?;
    }
    Ok(parts)
}

/// Edits that remove statements; a block whose statements all go keeps a `pass`.
pub fn removal_edits(ctx: &Ctx, statements: &[Node]) -> Vec<Edit> {
    let ids: HashSet<usize> = statements.iter().map(|s| s.id()).collect();
    let mut handled_blocks: HashSet<usize> = HashSet::new();
    let mut edits = Vec::new();
    for statement in statements {
        let parent = statement.parent();
        let whole_block = parent.is_some_and(|p| {
            p.kind() == "block" && {
                let mut cursor = p.walk();
                p.named_children(&mut cursor)
                    .filter(|c| c.kind() != "comment")
                    .all(|c| ids.contains(&c.id()))
            }
        });
        if whole_block && let Some(block) = parent {
            if handled_blocks.insert(block.id()) {
                edits.push(Edit::replace(statement.byte_range(), "pass"));
            } else {
                edits.push(super::text::remove_statement(ctx.src, *statement));
            }
            continue;
        }
        edits.push(super::text::remove_statement(ctx.src, *statement));
    }
    edits
}

/// Sorts edits and merges overlapping deletions; any other overlap means the parts conflict.
fn merge_deletions(mut edits: Vec<Edit>) -> Result<Vec<Edit>, Blocked> {
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    edits.dedup();
    let mut merged: Vec<Edit> = Vec::with_capacity(edits.len());
    for edit in edits {
        match merged.last_mut() {
            Some(last) if last.overlaps(&edit) => {
                if last.content.is_empty() && edit.content.is_empty() {
                    last.range.end = last.range.end.max(edit.range.end);
                } else {
                    return Err("the rewrites of this statement overlap; fix it by hand".into());
                }
            }
            _ => merged.push(edit),
        }
    }
    Ok(merged)
}
