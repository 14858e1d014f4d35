//! loopfix's own guards and `init()` already in a module: an `async def` at module level that
//! declares globals and tests one of them as its flag (`if not FLAG:` or `if FLAG: return`).
//! Other modules must read those globals through the module, after the guard.

use tree_sitter::Node;

use super::model::{MODULE_SCOPE, Model, ScopeKind};

/// A global that an existing guard or `init()` loads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardedGlobal {
    /// The global.
    pub name: String,
    /// The guard to await before reading it; `None` when an `init()` loads it at start-up.
    pub loader: Option<String>,
}

/// The globals the guards and `init()` already in the module load.
pub fn existing_guards(model: &Model) -> Vec<GuardedGlobal> {
    let mut found = Vec::new();
    for scope in &model.scopes {
        if scope.kind != (ScopeKind::Function { is_async: true })
            || scope.parent != Some(MODULE_SCOPE)
        {
            continue;
        }
        let Some(name) = scope.node.child_by_field_name("name") else {
            continue;
        };
        let Some(body) = scope.node.child_by_field_name("body") else {
            continue;
        };
        let Some((globals, flag, negated)) = guard_shape(model, body) else {
            continue;
        };
        let function = String::from_utf8_lossy(model.node_text(name)).into_owned();
        for global in globals.into_iter().filter(|g| *g != flag) {
            found.push(GuardedGlobal {
                name: String::from_utf8_lossy(global).into_owned(),
                loader: negated.then(|| function.clone()),
            });
        }
    }
    found
}

/// `(globals, flag, negated)` of a guard body.
type GuardShape<'t> = (Vec<&'t [u8]>, &'t [u8], bool);

/// The shape of a guard body: `global A, FLAG` then `if not FLAG:` (a lazy guard, negated) or
/// `if FLAG:` (an `init()`).
fn guard_shape<'t>(model: &Model<'t>, body: Node<'t>) -> Option<GuardShape<'t>> {
    let mut cursor = body.walk();
    let statements: Vec<Node> = body
        .named_children(&mut cursor)
        .filter(|c| c.kind() != "comment")
        .collect();
    let global = statements.iter().find(|s| s.kind() == "global_statement")?;
    let mut global_cursor = global.walk();
    let globals: Vec<&[u8]> = global
        .named_children(&mut global_cursor)
        .filter(|c| c.kind() == "identifier")
        .map(|c| model.node_text(c))
        .collect();
    if globals.len() < 2 {
        return None;
    }
    statements.iter().find_map(|s| {
        if s.kind() != "if_statement" {
            return None;
        }
        let condition = s.child_by_field_name("condition")?;
        let (flag, negated) = match condition.kind() {
            "not_operator" => (condition.child_by_field_name("argument")?, true),
            "identifier" => (condition, false),
            _ => return None,
        };
        let flag = model.node_text(flag);
        globals
            .contains(&flag)
            .then(|| (globals.clone(), flag, negated))
    })
}
