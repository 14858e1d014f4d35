//! Removing statements without residue: a block whose statements all go does not keep a
//! `pass` where the whole clause or compound statement can go instead. An emptied `finally:` or
//! `else:` clause goes; a `try:` left with its body alone is unwrapped (its body dedented); an
//! `if` whose branches all empty goes, as does a `try:` whose body empties with nothing to run
//! after it. Comments on lines of their own inside what goes are kept, at its indentation. A
//! `pass` stays only where the block must remain: an `except` body (it still swallows the error),
//! an `if` branch with other branches after it, a `with`, `for`, `while`, `def` or `class` body.
//!
//! ```python
//! try:                              X = await c()
//!     X = await c()          ->
//! finally:
//!     loop.close()
//! ```

use std::collections::HashSet;
use std::ops::Range;

use tree_sitter::Node;

use super::mover::multiline_strings;
use super::text::{remove_statement, rest_of_line_is_trivia, start_of_line_is_blank};
use crate::diagnostic::Edit;
use crate::source::SourceFile;

/// The edits that remove `statements`, leaving no empty clause behind (module doc).
pub fn removal_edits(src: &SourceFile, statements: &[Node]) -> Vec<Edit> {
    if statements.is_empty() {
        return Vec::new();
    }
    let mut plan = Plan::new(statements);
    plan.remove_emptied_compounds();
    plan.settle_clauses(src);
    plan.edits(src)
}

/// What goes: statements and compound statements, clauses, `try:` headers; and the blocks
/// that keep a `pass`.
struct Plan<'t> {
    /// Statements and compound statements that go whole.
    removed: Vec<Node<'t>>,
    removed_ids: HashSet<usize>,
    /// `else:`, `elif`, `finally:` clauses that go.
    clauses: Vec<Node<'t>>,
    /// `try:` statements that lose their header: their body stays, dedented.
    unwraps: Vec<Node<'t>>,
    /// Blocks whose statements all go but that must stay: they keep a `pass`.
    passes: Vec<Node<'t>>,
}

impl<'t> Plan<'t> {
    fn new(statements: &[Node<'t>]) -> Self {
        let mut plan = Plan {
            removed: Vec::new(),
            removed_ids: HashSet::new(),
            clauses: Vec::new(),
            unwraps: Vec::new(),
            passes: Vec::new(),
        };
        for statement in statements {
            plan.remove(*statement);
        }
        plan
    }

    fn remove(&mut self, node: Node<'t>) {
        if self.removed_ids.insert(node.id()) {
            self.removed.push(node);
        }
    }

    /// Whether every statement of `block` goes.
    fn emptied(&self, block: Node) -> bool {
        block.kind() == "block" && statements_of(block).all(|s| self.removed_ids.contains(&s.id()))
    }

    /// Compound statements with nothing left to run go too, up to a fixed point: an `if` whose
    /// branches all empty, a `try:` whose body and `else:`/`finally:` all empty.
    fn remove_emptied_compounds(&mut self) {
        let mut at = 0;
        while at < self.removed.len() {
            let node = self.removed[at];
            at += 1;
            let Some(compound) = owning_compound(node) else {
                continue;
            };
            if self.removed_ids.contains(&compound.id()) {
                continue;
            }
            let goes = match compound.kind() {
                "if_statement" => branch_blocks(compound).all(|b| self.emptied(b)),
                "try_statement" => {
                    compound
                        .child_by_field_name("body")
                        .is_some_and(|b| self.emptied(b))
                        && clauses_of(compound)
                            .filter(|c| matches!(c.kind(), "else_clause" | "finally_clause"))
                            .all(|c| clause_block(c).is_some_and(|b| self.emptied(b)))
                }
                _ => false,
            };
            if goes {
                self.remove(compound);
            }
        }
    }

    /// For the compound statements that stay, which emptied clauses go, which `try:` unwraps,
    /// which blocks keep a `pass`.
    fn settle_clauses(&mut self, src: &SourceFile) {
        let mut seen: HashSet<usize> = HashSet::new();
        let owners: Vec<Node<'t>> = self
            .removed
            .iter()
            .filter_map(|n| owning_compound(*n))
            .filter(|c| !self.removed_ids.contains(&c.id()) && seen.insert(c.id()))
            .collect();
        for compound in owners {
            if self.inside_removed(compound) {
                continue;
            }
            match compound.kind() {
                "if_statement" => self.settle_if(compound),
                "try_statement" => self.settle_try(src, compound),
                "for_statement" | "while_statement" => self.settle_loop(compound),
                _ => self.pass_emptied_blocks(compound),
            }
        }
    }

    /// Trailing emptied `elif`/`else` clauses go; any other emptied branch keeps a `pass`.
    fn settle_if(&mut self, statement: Node<'t>) {
        let alternatives: Vec<Node> = clauses_of(statement).collect();
        let mut trailing = true;
        for clause in alternatives.iter().rev() {
            let emptied = clause_block(*clause).is_some_and(|b| self.emptied(b));
            if trailing && emptied {
                self.clauses.push(*clause);
            } else {
                trailing = false;
                if emptied && let Some(block) = clause_block(*clause) {
                    self.passes.push(block);
                }
            }
        }
        if let Some(body) = statement.child_by_field_name("consequence")
            && self.emptied(body)
        {
            self.passes.push(body);
        }
    }

    /// An emptied `else:` or `finally:` goes (and the `try:` unwraps when only its body is left);
    /// an emptied `except` body, or body, keeps a `pass`.
    fn settle_try(&mut self, src: &SourceFile, statement: Node<'t>) {
        let body = statement.child_by_field_name("body");
        let body_emptied = body.is_some_and(|b| self.emptied(b));
        let clauses: Vec<Node> = clauses_of(statement).collect();
        let mut going = Vec::new();
        for clause in &clauses {
            let Some(block) = clause_block(*clause) else {
                continue;
            };
            if !self.emptied(block) {
                continue;
            }
            if !body_emptied && matches!(clause.kind(), "else_clause" | "finally_clause") {
                going.push(*clause);
            } else {
                self.passes.push(block);
            }
        }
        let left = clauses.len() - going.len();
        if left == 0 && !going.is_empty() {
            if self.can_unwrap(src, statement) {
                self.unwraps.push(statement);
            } else {
                // `try: x` on one line cannot lose its header: its `finally:` keeps a `pass`.
                going
                    .iter()
                    .filter_map(|c| clause_block(*c))
                    .for_each(|b| self.passes.push(b));
                going.clear();
            }
        }
        self.clauses.extend(going);
        if body_emptied && let Some(body) = body {
            self.passes.push(body);
        }
    }

    /// An emptied `else:` of a loop goes; an emptied body keeps a `pass`.
    fn settle_loop(&mut self, statement: Node<'t>) {
        for clause in clauses_of(statement) {
            if clause_block(clause).is_some_and(|b| self.emptied(b)) {
                self.clauses.push(clause);
            }
        }
        self.pass_emptied_blocks(statement);
    }

    fn pass_emptied_blocks(&mut self, compound: Node<'t>) {
        if let Some(body) = compound.child_by_field_name("body")
            && self.emptied(body)
        {
            self.passes.push(body);
        }
    }

    /// A `try:` unwraps when its header has a line of its own, its body starts on the next
    /// lines, and no enclosing `try:` unwraps too.
    fn can_unwrap(&self, src: &SourceFile, statement: Node) -> bool {
        let Some(body) = statement.child_by_field_name("body") else {
            return false;
        };
        let Some(first) = statements_of(body).next() else {
            return false;
        };
        let code = src.code();
        let nested = self.unwraps.iter().any(|u| {
            u.start_byte() <= statement.start_byte() && statement.end_byte() <= u.end_byte()
        });
        first.start_position().row > statement.start_position().row
            && start_of_line_is_blank(code, statement.start_byte())
            && !nested
    }

    /// Whether `node` lies inside something that goes whole.
    fn inside_removed(&self, node: Node) -> bool {
        let mut current = node.parent();
        while let Some(n) = current {
            if self.removed_ids.contains(&n.id()) || self.clauses.iter().any(|c| c.id() == n.id()) {
                return true;
            }
            current = n.parent();
        }
        false
    }

    fn edits(&self, src: &SourceFile) -> Vec<Edit> {
        let mut edits: Vec<Edit> = Vec::new();
        let pass_blocks: HashSet<usize> = self.passes.iter().map(|b| b.id()).collect();
        let mut passed: HashSet<usize> = HashSet::new();
        for node in &self.removed {
            if self.inside_removed(*node) {
                continue;
            }
            let block = node.parent().filter(|p| pass_blocks.contains(&p.id()));
            if let Some(block) = block
                && passed.insert(block.id())
            {
                edits.push(Edit::replace(node.byte_range(), "pass"));
                continue;
            }
            edits.extend(delete_keeping_comments(src, *node));
        }
        for clause in &self.clauses {
            if !self.inside_removed(*clause) {
                edits.extend(delete_keeping_comments(src, *clause));
            }
        }
        for statement in &self.unwraps {
            if !self.inside_removed(*statement) {
                let taken: Vec<Range<usize>> = edits.iter().map(|e| e.range.clone()).collect();
                edits.extend(unwrap_try(src, *statement, &taken));
            }
        }
        edits.sort_by_key(|e| (e.range.start, e.range.end));
        edits
    }
}

/// The statements of a block, comments left out.
fn statements_of<'t>(block: Node<'t>) -> impl Iterator<Item = Node<'t>> {
    let mut cursor = block.walk();
    let children: Vec<Node> = block
        .named_children(&mut cursor)
        .filter(|c| c.kind() != "comment")
        .collect();
    children.into_iter()
}

/// The compound statement whose block (or clause's block) holds `node`.
fn owning_compound(node: Node) -> Option<Node> {
    let block = node.parent().filter(|p| p.kind() == "block")?;
    let owner = block.parent()?;
    match owner.kind() {
        "else_clause"
        | "elif_clause"
        | "finally_clause"
        | "except_clause"
        | "except_group_clause" => owner.parent(),
        "case_clause" => owner.parent().and_then(|m| m.parent()),
        _ => Some(owner),
    }
}

/// The `elif`/`else`/`except`/`finally` clauses of a compound statement.
fn clauses_of<'t>(compound: Node<'t>) -> impl Iterator<Item = Node<'t>> {
    let mut cursor = compound.walk();
    let clauses: Vec<Node> = compound
        .named_children(&mut cursor)
        .filter(|c| {
            matches!(
                c.kind(),
                "elif_clause"
                    | "else_clause"
                    | "except_clause"
                    | "except_group_clause"
                    | "finally_clause"
            )
        })
        .collect();
    clauses.into_iter()
}

/// The block of a clause.
fn clause_block(clause: Node) -> Option<Node> {
    clause
        .child_by_field_name("consequence")
        .or_else(|| clause.child_by_field_name("body"))
        .or_else(|| {
            let mut cursor = clause.walk();
            clause
                .named_children(&mut cursor)
                .find(|c| c.kind() == "block")
        })
}

/// The blocks of an `if` statement: its body and each `elif`/`else` body.
fn branch_blocks<'t>(statement: Node<'t>) -> impl Iterator<Item = Node<'t>> {
    statement
        .child_by_field_name("consequence")
        .into_iter()
        .chain(clauses_of(statement).filter_map(clause_block))
}

/// Deletes the lines of `node` (a statement or a clause), keeping the comments that have lines
/// of their own, moved to the node's indentation. A statement that shares its line goes as
/// [`remove_statement`] removes it.
fn delete_keeping_comments(src: &SourceFile, node: Node) -> Vec<Edit> {
    let code = src.code();
    let (start, end) = (node.start_byte(), node.end_byte());
    if !start_of_line_is_blank(code, start) || !rest_of_line_is_trivia(code, end) {
        return vec![remove_statement(src, node)];
    }
    let first_line = src.line_index(start);
    let last_line = src.line_index(end);
    let indent = src.line_indent(start).len();
    let strings = multiline_strings(node);
    let in_string = |offset: usize| strings.iter().any(|r| r.start < offset && offset < r.end);
    let mut edits = Vec::new();
    let mut deleting: Option<usize> = None;
    for line in first_line..=last_line {
        let line_start = src.line_start(line);
        let content = &code[src.line_range(line)];
        let blanks = content
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\x0c'))
            .count();
        let own_comment =
            line > first_line && !in_string(line_start) && content.get(blanks) == Some(&b'#');
        if own_comment {
            if let Some(from) = deleting.take() {
                edits.push(Edit::delete(from..line_start));
            }
            if blanks > indent {
                edits.push(Edit::delete(line_start + indent..line_start + blanks));
            }
        } else if deleting.is_none() {
            deleting = Some(line_start);
        }
    }
    if let Some(from) = deleting {
        let mut to = src.line_end_after_newline(end);
        // Between blank lines, the blank lines after the node go with it, so that two separated
        // blocks do not leave four blank lines behind.
        let blank_before = first_line == 0 || is_blank_line(src, first_line - 1);
        if blank_before && from == src.line_start(first_line) {
            let mut next = last_line + 1;
            while to < code.len() && next < src.line_count() && is_blank_line(src, next) {
                to = src.line_start(next + 1);
                next += 1;
            }
        }
        edits.push(Edit::delete(from..to));
    }
    edits
}

/// Drops the `try:` header and dedents the body by one level: the header goes from the `try`
/// keyword to the first statement of the body, and each later line of the body (outside
/// multi-line strings, and outside what other edits already take) loses the extra indentation.
fn unwrap_try(src: &SourceFile, statement: Node, taken: &[Range<usize>]) -> Vec<Edit> {
    let Some(body) = statement.child_by_field_name("body") else {
        return Vec::new();
    };
    let Some(first) = statements_of(body).next() else {
        return Vec::new();
    };
    let code = src.code();
    let outer = src.line_indent(statement.start_byte()).len();
    let inner = src.line_indent(first.start_byte()).len();
    let extra = inner.saturating_sub(outer);
    let mut edits = vec![Edit::delete(statement.start_byte()..first.start_byte())];
    let strings = multiline_strings(body);
    let in_string = |offset: usize| strings.iter().any(|r| r.start < offset && offset < r.end);
    let first_line = src.line_index(first.start_byte());
    let last_line = src.line_index(body.end_byte());
    for line in first_line + 1..=last_line {
        let line_start = src.line_start(line);
        let covered = taken
            .iter()
            .any(|r| r.start <= line_start && line_start < r.end);
        if covered || in_string(line_start) {
            continue;
        }
        let blanks = code[src.line_range(line)]
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\x0c'))
            .count();
        let cut = blanks.min(extra).min(blanks.saturating_sub(outer));
        if cut > 0 && blanks < code[src.line_range(line)].len() {
            edits.push(Edit::delete(line_start + outer..line_start + outer + cut));
        }
    }
    edits
}

fn is_blank_line(src: &SourceFile, line: usize) -> bool {
    src.code()[src.line_range(line)]
        .iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\x0c'))
}

#[cfg(test)]
mod tests;
