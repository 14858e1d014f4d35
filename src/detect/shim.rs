//! The "ensure a current loop" shim, which libraries with a synchronous `run()` need on Python
//! 3.12 and later, is not a finding, and no fix removes it (its sites are dropped here):
//!
//! ```python
//! try:                                     loop = asyncio.new_event_loop()
//!     asyncio.get_event_loop()             asyncio.set_event_loop(loop)
//! except RuntimeError:                     # nothing runs in `loop` at import time
//!     asyncio.set_event_loop(asyncio.new_event_loop())
//! ```
//!
//! The `try` form in any of its spellings (`loop = ...` assignments, `get_running_loop()`, a
//! policy's methods, `if sys.version_info >= (3, 10):` guards around it or inside it), and an
//! unconditional install of a new loop that nothing runs, closes or hands on at import time. A
//! call that needs a running loop inside a `try:` that catches its `RuntimeError` asks whether a
//! loop runs, and is not a finding either (LF007).

use tree_sitter::Node;

use super::identity::LoopIds;
use super::site::{Site, SiteKind};
use crate::semantic::Model;

/// The sites that remain once shims, and checks for a running loop, are left out.
pub(super) fn drop_shims<'t>(model: &Model<'t>, sites: Vec<Site<'t>>) -> Vec<Site<'t>> {
    let shapes = Shapes { model };
    let sites: Vec<Site> = sites
        .into_iter()
        .filter(|site| !shapes.in_shim_statement(site.statement))
        .filter(|site| site.kind != SiteKind::RunningLoop || !catches_its_error(model, site.call))
        .collect();
    let installs = shapes.unused_installs(&sites);
    sites
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !installs.contains(i))
        .map(|(_, site)| site)
        .collect()
}

struct Shapes<'m, 't> {
    model: &'m Model<'t>,
}

impl<'t> Shapes<'_, 't> {
    /// Whether `statement` lies in a shim `try:` or a version guard made of shims.
    fn in_shim_statement(&self, statement: Node<'t>) -> bool {
        let mut current = Some(statement);
        while let Some(node) = current {
            let shim = match node.kind() {
                "try_statement" => self.is_shim_try(node),
                "if_statement" => self.is_version_shim(node),
                _ => false,
            };
            if shim {
                return true;
            }
            current = node.parent();
        }
        false
    }

    /// `try:` getters `except RuntimeError:` installs (or more getters), nothing else.
    fn is_shim_try(&self, statement: Node<'t>) -> bool {
        let Some(body) = statement.child_by_field_name("body") else {
            return false;
        };
        if !self.all_statements(body, |s| self.is_getter(s)) {
            return false;
        }
        let mut installs = false;
        let mut cursor = statement.walk();
        for clause in statement.named_children(&mut cursor) {
            match clause.kind() {
                "except_clause" => {
                    let Some(block) = last_block(clause) else {
                        return false;
                    };
                    if !catches_runtime_error(self.model, clause) {
                        return false;
                    }
                    let ok = self.all_statements(block, |s| {
                        installs |= self.is_install(s);
                        self.is_install(s) || self.is_getter(s) || s.kind() == "pass_statement"
                    });
                    if !ok {
                        return false;
                    }
                }
                "block" | "comment" => {}
                _ => return false,
            }
        }
        installs
    }

    /// `if sys.version_info ...:` whose branches hold only shims, getters and installs.
    fn is_version_shim(&self, statement: Node<'t>) -> bool {
        let Some(condition) = statement.child_by_field_name("condition") else {
            return false;
        };
        if memchr::memmem::find(self.model.node_text(condition), b"version_info").is_none() {
            return false;
        }
        let mut blocks = vec![statement.child_by_field_name("consequence")];
        let mut cursor = statement.walk();
        for clause in statement.children_by_field_name("alternative", &mut cursor) {
            blocks.push(last_block(clause));
        }
        let mut installs = false;
        let all = blocks.into_iter().all(|block| {
            block.is_some_and(|block| {
                self.all_statements(block, |s| {
                    let install = self.is_install(s)
                        || (s.kind() == "try_statement" && self.is_shim_try(s))
                        || (s.kind() == "if_statement" && self.is_version_shim(s));
                    installs |= install;
                    install || self.is_getter(s) || s.kind() == "pass_statement"
                })
            })
        });
        all && installs
    }

    fn all_statements(&self, block: Node<'t>, mut ok: impl FnMut(Node<'t>) -> bool) -> bool {
        let mut cursor = block.walk();
        let statements: Vec<Node> = block
            .named_children(&mut cursor)
            .filter(|c| c.kind() != "comment")
            .collect();
        !statements.is_empty() && statements.into_iter().all(&mut ok)
    }

    /// `asyncio.get_event_loop()`, `loop = asyncio.get_running_loop()`,
    /// `policy.get_event_loop()` as a statement.
    fn is_getter(&self, statement: Node<'t>) -> bool {
        self.statement_call(statement, true)
            .is_some_and(|call| self.calls_one_of(call, &["get_event_loop", "get_running_loop"]))
    }

    /// `asyncio.set_event_loop(X)` or `loop = asyncio.new_event_loop()` as a statement.
    fn is_install(&self, statement: Node<'t>) -> bool {
        let Some(call) = self.statement_call(statement, true) else {
            return false;
        };
        let assigned = call.parent().is_some_and(|p| p.kind() == "assignment");
        if assigned {
            self.calls_one_of(call, &["new_event_loop"])
        } else {
            self.calls_one_of(call, &["set_event_loop"])
        }
    }

    /// The call a statement is (`f()`), or assigns to a name (`x = f()`, when `assigned`).
    fn statement_call(&self, statement: Node<'t>, assigned: bool) -> Option<Node<'t>> {
        if statement.kind() != "expression_statement" || statement.named_child_count() != 1 {
            return None;
        }
        let expression = statement.named_child(0)?;
        let call = match expression.kind() {
            "call" => expression,
            "assignment" if assigned => {
                let left = expression.child_by_field_name("left")?;
                let right = expression.child_by_field_name("right")?;
                (left.kind() == "identifier" && right.kind() == "call").then_some(right)?
            }
            _ => return None,
        };
        Some(call)
    }

    /// Whether `call` calls asyncio's function of one of these names (or a policy's method).
    fn calls_one_of(&self, call: Node<'t>, names: &[&str]) -> bool {
        let Some(function) = call.child_by_field_name("function") else {
            return false;
        };
        if let Some(qualified) = self.model.qualified_name(function) {
            return names.iter().any(|name| {
                qualified == format!("asyncio.{name}") || qualified == format!("uvloop.{name}")
            });
        }
        // A policy's method: `asyncio.get_event_loop_policy().get_event_loop()`.
        function.kind() == "attribute"
            && function.child_by_field_name("attribute").is_some_and(|a| {
                names
                    .iter()
                    .any(|n| self.model.node_text(a) == n.as_bytes())
            })
    }

    /// The indexes of sites that install a new loop that nothing runs, closes or hands on at
    /// import time: `asyncio.set_event_loop(asyncio.new_event_loop())`, or
    /// `loop = asyncio.new_event_loop()` then `asyncio.set_event_loop(loop)`.
    fn unused_installs(&self, sites: &[Site<'t>]) -> Vec<usize> {
        let ids = LoopIds::new(sites);
        let current_used = sites.iter().enumerate().any(|(i, s)| {
            ids.is_current(i) && matches!(s.kind, SiteKind::Run { .. } | SiteKind::CloseLoop { .. })
        });
        if current_used {
            return Vec::new();
        }
        let mut dropped = Vec::new();
        for (i, site) in sites.iter().enumerate() {
            let SiteKind::SetLoop { var } = site.kind else {
                continue;
            };
            if !self.is_install(site.statement) {
                continue;
            }
            match var {
                None => {
                    let fresh = site
                        .call
                        .child_by_field_name("arguments")
                        .and_then(|a| a.named_child(0))
                        .is_some_and(|a| {
                            a.kind() == "call" && self.calls_one_of(a, &["new_event_loop"])
                        });
                    if fresh {
                        dropped.push(i);
                    }
                }
                Some(var) => {
                    let created = sites.iter().position(|s| {
                        s.kind == SiteKind::NewLoop { var: Some(var) }
                            && self.is_install(s.statement)
                    });
                    if let Some(created) = created
                        && self.only_installed(var, &[site.call])
                    {
                        dropped.extend([created, i]);
                    }
                }
            }
        }
        dropped
    }

    /// Whether the reads of the loop global `var` are only the arguments of the
    /// `set_event_loop` calls given: a loop that functions use later is a loop global (LF002),
    /// not a shim.
    fn only_installed(&self, var: &[u8], installs: &[Node]) -> bool {
        self.model.global_reads(var).all(|r| {
            installs
                .iter()
                .any(|call| call.byte_range().contains(&r.node.start_byte()))
        })
    }
}

/// The block of a clause (its last named child that is a block).
fn last_block(clause: Node) -> Option<Node> {
    let mut cursor = clause.walk();
    clause
        .named_children(&mut cursor)
        .filter(|c| c.kind() == "block")
        .last()
}

/// Whether an `except` clause catches `RuntimeError`: bare, `RuntimeError`, `Exception`,
/// `BaseException`, or a tuple holding one of them.
fn catches_runtime_error(model: &Model, clause: Node) -> bool {
    let Some(value) = clause.child_by_field_name("value") else {
        return true;
    };
    let value = if value.kind() == "as_pattern" {
        match value.named_child(0) {
            Some(inner) => inner,
            None => return false,
        }
    } else {
        value
    };
    let names_one = |node: Node| {
        let text = model.node_text(node);
        let last = text.rsplit(|&b| b == b'.').next().unwrap_or(text);
        matches!(last, b"RuntimeError" | b"Exception" | b"BaseException")
    };
    match value.kind() {
        "tuple" | "parenthesized_expression" => {
            let mut cursor = value.walk();
            value.named_children(&mut cursor).any(names_one)
        }
        _ => names_one(value),
    }
}

/// Whether a call sits in the body of a `try:` that catches its `RuntimeError`.
fn catches_its_error(model: &Model, call: Node) -> bool {
    let mut child = call;
    while let Some(parent) = child.parent() {
        let in_body = parent.kind() == "try_statement"
            && parent
                .child_by_field_name("body")
                .is_some_and(|b| b.id() == child.id());
        if in_body {
            let mut cursor = parent.walk();
            let caught = parent
                .named_children(&mut cursor)
                .filter(|c| c.kind() == "except_clause")
                .any(|c| catches_runtime_error(model, c));
            if caught {
                return true;
            }
        }
        if matches!(
            parent.kind(),
            "function_definition" | "lambda" | "class_definition"
        ) {
            return false;
        }
        child = parent;
    }
    false
}
