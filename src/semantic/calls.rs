//! Which of the module's functions run while it is imported, and through which import-time
//! call: the call graph of the module, built once, from every call that runs at import time
//! (module level, class bodies, decorators, default values) through the functions it calls,
//! transitively, up to [`MAX_DEPTH`] calls deep.
//!
//! A call reaches a function of the module by its name (`database_url()`, a nested `def` called
//! in its enclosing function), a class by its constructor (`Store()` runs `__init__`, `__new__`
//! and `__post_init__`), a method through `self`/`cls` in a method of its class, or through the
//! class (`Store.build()`). A decorator written without a call (`@register`) calls it too.
//! An `async def` runs only when awaited, so a call of one reaches nothing.
//!
//! ```python
//! SETTINGS = asyncio.run(load_settings())
//! def database_url(): return SETTINGS["db"]   # runs at import time, through line 3
//! DATABASE_URL = database_url()
//! ```

use std::collections::{HashMap, VecDeque};

use tree_sitter::Node;

use super::model::{MODULE_SCOPE, Model, Place, ScopeId, ScopeKind};

/// How many calls deep the graph is followed from an import-time call.
pub const MAX_DEPTH: usize = 32;

/// How many of the import-time calls that reach a function are kept (for messages and for
/// leaving out the calls a fix moves).
const MAX_ROOTS: usize = 8;

/// The module's functions that run at import time, each with the import-time calls that reach
/// it (their byte offsets, in source order).
#[derive(Debug, Default)]
pub struct ImportTimeCalls {
    reached: HashMap<ScopeId, Vec<usize>>,
}

impl ImportTimeCalls {
    /// The offsets of the import-time calls that make `function` run, if any does.
    pub fn roots_of(&self, function: ScopeId) -> &[usize] {
        self.reached.get(&function).map_or(&[], Vec::as_slice)
    }

    /// Whether any import-time call reaches `function`.
    pub fn reaches(&self, function: ScopeId) -> bool {
        !self.roots_of(function).is_empty()
    }
}

impl Model<'_> {
    /// The call graph of the module from its import-time calls.
    pub fn import_time_calls(&self) -> ImportTimeCalls {
        let graph = Graph::new(self);
        let mut reached: HashMap<ScopeId, Vec<usize>> = HashMap::new();
        for (root, targets) in &graph.import_time {
            let mut seen: Vec<ScopeId> = Vec::new();
            let mut queue: VecDeque<(ScopeId, usize)> = targets.iter().map(|&t| (t, 1)).collect();
            while let Some((function, depth)) = queue.pop_front() {
                if seen.contains(&function) {
                    continue;
                }
                seen.push(function);
                let roots = reached.entry(function).or_default();
                if roots.len() < MAX_ROOTS && !roots.contains(root) {
                    roots.push(*root);
                }
                if depth >= MAX_DEPTH {
                    continue;
                }
                for &next in graph.calls_in.get(&function).into_iter().flatten() {
                    queue.push_back((next, depth + 1));
                }
            }
        }
        for roots in reached.values_mut() {
            roots.sort_unstable();
        }
        ImportTimeCalls { reached }
    }
}

/// The module's calls, resolved to the functions they run.
struct Graph {
    /// Each import-time call (its offset) with the functions it runs.
    import_time: Vec<(usize, Vec<ScopeId>)>,
    /// Each function's body's calls, as the functions they run.
    calls_in: HashMap<ScopeId, Vec<ScopeId>>,
}

impl Graph {
    fn new(model: &Model) -> Self {
        let definitions = Definitions::of(model);
        let mut graph = Graph {
            import_time: Vec::new(),
            calls_in: HashMap::new(),
        };
        let mut cursor = model.root.walk();
        loop {
            let node = cursor.node();
            let callee = match node.kind() {
                "call" => node.child_by_field_name("function"),
                // `@register` calls `register(f)`; `@app.get("/")` is a call already.
                "decorator" => node.named_child(0).filter(|e| e.kind() != "call"),
                _ => None,
            };
            if let Some(callee) = callee {
                graph.add(model, &definitions, node, callee);
            }
            if cursor.goto_first_child() {
                continue;
            }
            loop {
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    return graph;
                }
            }
        }
    }

    /// Records the call `call` of `callee`: at import time, or in the body of the function
    /// that holds it.
    fn add(&mut self, model: &Model, definitions: &Definitions, call: Node, callee: Node) {
        let Some((scope, targets)) = definitions.targets(model, callee) else {
            return;
        };
        let targets: Vec<ScopeId> = targets
            .into_iter()
            .filter(|&t| !model.scopes[t].is_async_function())
            .collect();
        if targets.is_empty() {
            return;
        }
        match model.place_at(call.start_byte()) {
            Place::ImportTime => self.import_time.push((call.start_byte(), targets)),
            Place::Deferred(_) => {
                let Some(function) = model.enclosing_function(scope) else {
                    return;
                };
                // A lambda's body runs only when the lambda is called.
                if model.scopes[function].kind == ScopeKind::Lambda {
                    return;
                }
                self.calls_in.entry(function).or_default().extend(targets);
            }
            Place::EntryPoint | Place::TypeChecking => {}
        }
    }
}

/// The `def`s and `class`es of the module, by the scope that binds their name.
struct Definitions<'t> {
    by_name: HashMap<(ScopeId, &'t [u8]), Vec<ScopeId>>,
}

impl<'t> Definitions<'t> {
    fn of(model: &Model<'t>) -> Self {
        let mut by_name: HashMap<(ScopeId, &'t [u8]), Vec<ScopeId>> = HashMap::new();
        for (id, scope) in model.scopes.iter().enumerate() {
            let named = matches!(scope.kind, ScopeKind::Function { .. } | ScopeKind::Class);
            let (Some(parent), Some(name)) = (scope.parent, scope.node.child_by_field_name("name"))
            else {
                continue;
            };
            if named {
                by_name
                    .entry((parent, model.node_text(name)))
                    .or_default()
                    .push(id);
            }
        }
        Definitions { by_name }
    }

    /// The scope the call is in, and the function scopes calling `callee` runs.
    fn targets(&self, model: &Model<'t>, callee: Node) -> Option<(ScopeId, Vec<ScopeId>)> {
        match callee.kind() {
            "identifier" => {
                let scope = model.scope_of_identifier(callee);
                let name = model.node_text(callee);
                let found = self.resolve(model, name, scope);
                Some((
                    scope,
                    found
                        .into_iter()
                        .flat_map(|d| self.run_by(model, d))
                        .collect(),
                ))
            }
            "attribute" => {
                let object = callee.child_by_field_name("object")?;
                let method = model.node_text(callee.child_by_field_name("attribute")?);
                if object.kind() != "identifier" {
                    return None;
                }
                let scope = model.scope_of_identifier(object);
                let classes = self.classes_of(model, object, scope);
                let methods = classes
                    .into_iter()
                    .flat_map(|class| self.member(class, method))
                    .collect();
                Some((scope, methods))
            }
            _ => None,
        }
    }

    /// What calling the definition `definition` runs: a function itself, a class's constructor.
    fn run_by(&self, model: &Model, definition: ScopeId) -> Vec<ScopeId> {
        if model.scopes[definition].kind != ScopeKind::Class {
            return vec![definition];
        }
        let constructors: [&[u8]; 3] = [b"__init__", b"__new__", b"__post_init__"];
        constructors
            .into_iter()
            .flat_map(|name| self.member(definition, name))
            .collect()
    }

    /// The methods named `name` of a class.
    fn member(&self, class: ScopeId, name: &[u8]) -> Vec<ScopeId> {
        self.by_name
            .get(&(class, name))
            .cloned()
            .unwrap_or_default()
    }

    /// The classes an object names: the class of the method it is `self` or `cls` in, or a
    /// class it is the name of.
    fn classes_of(&self, model: &Model<'t>, object: Node, scope: ScopeId) -> Vec<ScopeId> {
        let name = model.node_text(object);
        if matches!(name, b"self" | b"cls")
            && let Some(function) = model.enclosing_function(scope)
            && let Some(class) = model.scopes[function].parent
            && model.scopes[class].kind == ScopeKind::Class
        {
            return vec![class];
        }
        self.resolve(model, name, scope)
            .into_iter()
            .filter(|&d| model.scopes[d].kind == ScopeKind::Class)
            .collect()
    }

    /// The definitions `name`, used in `scope`, names: those of the scope that binds it, as
    /// Python resolves names (a class body's names are not visible in its methods).
    fn resolve(&self, model: &Model<'t>, name: &'t [u8], scope: ScopeId) -> Vec<ScopeId> {
        let binder = binding_scope(model, name, scope);
        self.by_name
            .get(&(binder, name))
            .cloned()
            .unwrap_or_default()
    }
}

/// The scope whose binding of `name` a use in `scope` reads.
fn binding_scope(model: &Model, name: &[u8], scope: ScopeId) -> ScopeId {
    let mut current = scope;
    let mut innermost = true;
    loop {
        let s = &model.scopes[current];
        match s.kind {
            ScopeKind::Module => return MODULE_SCOPE,
            ScopeKind::Class if !innermost => {}
            _ => {
                if s.globals.contains(name) {
                    return MODULE_SCOPE;
                }
                if s.bound.contains(name) && !s.nonlocals.contains(name) {
                    return current;
                }
            }
        }
        innermost = false;
        match s.parent {
            Some(parent) => current = parent,
            None => return MODULE_SCOPE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse::parse;

    /// The names of the functions import-time calls reach, with the lines of those calls.
    fn reached(code: &str) -> Vec<(String, Vec<usize>)> {
        let tree = parse(code.as_bytes()).unwrap();
        let model = Model::build(&tree, code.as_bytes());
        let calls = model.import_time_calls();
        let line = |offset: usize| code[..offset].matches('\n').count() + 1;
        let mut found: Vec<(String, Vec<usize>)> = (0..model.scopes.len())
            .filter(|&s| calls.reaches(s))
            .map(|s| {
                let node = model.scopes[s].node;
                let name = node
                    .child_by_field_name("name")
                    .map(|n| String::from_utf8_lossy(model.node_text(n)).into_owned())
                    .unwrap_or_default();
                let lines = calls.roots_of(s).iter().map(|&o| line(o)).collect();
                (name, lines)
            })
            .collect();
        found.sort();
        found
    }

    #[test]
    fn a_helper_called_at_import_time_runs_then() {
        let code = "def database_url():\n    return helper()\n\ndef helper():\n    return 1\n\ndef unused():\n    return 2\n\nURL = database_url()\n";
        assert_eq!(
            reached(code),
            [
                ("database_url".into(), vec![10]),
                ("helper".into(), vec![10])
            ]
        );
    }

    #[test]
    fn a_constructor_runs_init_and_the_methods_it_calls_through_self() {
        let code = "class Store:\n    def __init__(self):\n        self.url = self.build()\n\n    def build(self):\n        return 1\n\n    def other(self):\n        return 2\n\n\nSTORE = Store()\n";
        assert_eq!(
            reached(code),
            [("__init__".into(), vec![12]), ("build".into(), vec![12])]
        );
    }

    #[test]
    fn a_method_called_through_its_class_and_a_bare_decorator_run() {
        let code = "class Config:\n    @classmethod\n    def load(cls):\n        return 1\n\n\ndef register(f):\n    return f\n\n\n@register\ndef handler():\n    pass\n\n\nVALUE = Config.load()\n";
        assert_eq!(
            reached(code),
            [("load".into(), vec![16]), ("register".into(), vec![11])]
        );
    }

    #[test]
    fn what_does_not_run_at_import_time_reaches_nothing() {
        let code = "async def fetch():\n    return helper()\n\ndef helper():\n    return 1\n\ndef later():\n    return helper()\n\ncallback = lambda: helper()\nCORO = fetch\nif __name__ == '__main__':\n    later()\n";
        assert!(reached(code).is_empty(), "{:?}", reached(code));
    }

    #[test]
    fn a_nested_function_called_by_its_enclosing_function_runs() {
        let code = "def outer():\n    def inner():\n        return 1\n    return inner()\n\n\nX = outer()\n";
        assert_eq!(
            reached(code),
            [("inner".into(), vec![7]), ("outer".into(), vec![7])]
        );
    }

    #[test]
    fn recursion_ends() {
        let code = "def a():\n    return b()\n\ndef b():\n    return a()\n\nX = a()\n";
        assert_eq!(
            reached(code),
            [("a".into(), vec![7]), ("b".into(), vec![7])]
        );
    }
}
