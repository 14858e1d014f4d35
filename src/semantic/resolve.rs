//! Name resolution: what an identifier or attribute chain refers to, through the module's imports.

use tree_sitter::Node;

use super::build::names::{ASYNCIO_SUBMODULES, normal_form};
use super::model::{BindingKind, Model, Place, ScopeId};

/// Names `from asyncio import *` brings in that loopfix cares about.
const ASYNCIO_STAR_NAMES: &[&str] = &[
    "run",
    "Runner",
    "get_event_loop",
    "new_event_loop",
    "set_event_loop",
    "get_running_loop",
    "get_event_loop_policy",
    "create_task",
    "current_task",
    "all_tasks",
];

/// The canonical spelling of a qualified name: `asyncio.events.get_event_loop` is
/// `asyncio.get_event_loop`, as asyncio re-exports it.
pub fn canonical_name(qualified: &str) -> String {
    let mut parts = qualified.split('.');
    if parts.next() == Some("asyncio") {
        let rest: Vec<&str> = parts.collect();
        if rest.len() >= 2 && ASYNCIO_SUBMODULES.contains(&rest[0]) {
            return format!("asyncio.{}", rest[1..].join("."));
        }
    }
    qualified.to_owned()
}

impl<'t> Model<'t> {
    /// The canonical qualified name an identifier or attribute chain refers to, if its root
    /// resolves to an import (`aio.run` -> `asyncio.run` after `import asyncio as aio`).
    pub fn qualified_name(&self, expression: Node) -> Option<String> {
        let mut parts: Vec<&[u8]> = Vec::new();
        let mut node = expression;
        loop {
            match node.kind() {
                "attribute" => {
                    parts.push(self.node_text(node.child_by_field_name("attribute")?));
                    node = node.child_by_field_name("object")?;
                }
                "identifier" => break,
                _ => return None,
            }
        }
        let scope = self.scope_of_identifier(node);
        let root = self.resolve_name(self.node_text(node), scope, node.start_byte())?;
        let mut qualified = root;
        for part in parts.iter().rev() {
            qualified.push('.');
            std::str::from_utf8(part).ok()?;
            qualified.push_str(&normal_form(part));
        }
        Some(canonical_name(&qualified))
    }

    /// What the name `name`, used in `scope` at `offset`, is bound to by an import.
    ///
    /// At import time only the bindings before `offset` count; in a function body, all of them.
    /// An unconditional rebinding (`def run(): ...`) hides an earlier import, but a fallback in
    /// a branch does not: `try: import uvloop` / `except ImportError: uvloop = None` still
    /// leaves `uvloop.run` meaning uvloop's.
    pub fn resolve_name(&self, name: &[u8], scope: ScopeId, offset: usize) -> Option<String> {
        if !self.resolves_to_global(name, scope) {
            return None;
        }
        let at_import_time = !matches!(self.place_at(offset), Place::Deferred(_));
        let mut resolved: Option<String> = None;
        let mut star: Option<String> = None;
        for binding in &self.bindings {
            if at_import_time && binding.offset >= offset {
                break;
            }
            if let BindingKind::Star(module) = &binding.kind {
                star = Some(module.clone());
                continue;
            }
            if binding.name != name {
                continue;
            }
            match &binding.kind {
                BindingKind::Module(module) => resolved = Some(module.clone()),
                BindingKind::Member(member) => resolved = Some(member.clone()),
                BindingKind::Other if binding.unconditional => resolved = None,
                BindingKind::Other | BindingKind::Star(_) => {}
            }
        }
        if resolved.is_some() {
            return resolved;
        }
        let name = std::str::from_utf8(name).ok()?;
        let bound_otherwise = self.bindings_of(name.as_bytes()).next().is_some();
        match star {
            Some(module) if module == "asyncio" && !bound_otherwise => ASYNCIO_STAR_NAMES
                .contains(&name)
                .then(|| format!("asyncio.{name}")),
            _ => None,
        }
    }
}
