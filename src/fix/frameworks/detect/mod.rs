//! Finding the apps of each framework of the table in a module, with their start-up hooks,
//! shut-down work, manual start-ups and request guards: the queries of `transforms/frameworks/`
//! find the candidates, and their predicates (`#resolves-to?`, ...) are answered by the
//! semantic model.

use std::sync::LazyLock;

use tree_sitter::{Node, Query, QueryCursor, QueryMatch, QueryPredicateArg, StreamingIterator};

use super::table::{FRAMEWORKS, Framework};
use crate::fix::ctx::Ctx;
use crate::semantic::{BindingKind, Place};
use crate::syntax::queries::compile;
use crate::syntax::tree::named_children;

/// A framework's query, compiled, with the indexes of its captures.
struct Compiled {
    query: Query,
    captures: Captures,
}

/// The indexes of the captures a framework's query may use (`None` when it does not).
#[derive(Default)]
struct Captures {
    app: Option<u32>,
    app_name: Option<u32>,
    app_constructor: Option<u32>,
    app_call: Option<u32>,
    hook: Option<u32>,
    hook_function: Option<u32>,
    hook_app: Option<u32>,
    hook_call: Option<u32>,
    hook_class: Option<u32>,
    hook_early: Option<u32>,
    shutdown: Option<u32>,
    manual: Option<u32>,
    guard: Option<u32>,
    guard_target: Option<u32>,
}

static COMPILED: LazyLock<Vec<Compiled>> = LazyLock::new(|| {
    FRAMEWORKS
        .iter()
        .map(|framework| {
            let query = compile(framework.query, framework.name);
            let index = |name: &str| query.capture_index_for_name(name);
            let captures = Captures {
                app: index("app"),
                app_name: index("app.name"),
                app_constructor: index("app.constructor"),
                app_call: index("app.call"),
                hook: index("hook"),
                hook_function: index("hook.function"),
                hook_app: index("hook.app"),
                hook_call: index("hook.call"),
                hook_class: index("hook.class"),
                hook_early: index("hook.early"),
                shutdown: index("shutdown"),
                manual: index("manual"),
                guard: index("guard"),
                guard_target: index("guard.target"),
            };
            Compiled { query, captures }
        })
        .collect()
});

/// A module-level `NAME = CONSTRUCTOR(...)` of a framework's app.
#[derive(Debug, Clone, Copy)]
pub struct App<'t> {
    /// Its framework.
    pub framework: &'static Framework,
    /// The statement that builds it.
    pub statement: Node<'t>,
    /// The name it is bound to.
    pub name: &'t [u8],
    /// The constructor call.
    pub call: Node<'t>,
    /// The class the constructor names, when it is a plain name (a class of the module, maybe).
    pub class: Option<&'t [u8]>,
}

/// A start-up hook of an app.
#[derive(Debug, Clone, Copy)]
pub struct Hook<'t> {
    /// The node that registers it.
    pub site: Node<'t>,
    /// What runs, as the query captured it: a `def`, a name, a list.
    pub function: Node<'t>,
}

/// What runs at an app's start-up and shut-down, as the module shows it.
#[derive(Debug, Default)]
pub struct StartUp<'t> {
    /// The start-up hooks, in the order they run.
    pub hooks: Vec<Hook<'t>>,
    /// Shut-down work registered on the app (a lifespan's code after its `yield` is not here).
    pub shutdown: Vec<Node<'t>>,
    /// Calls that run the app's start-up by hand at import time.
    pub manual: Vec<Node<'t>>,
    /// A call that runs the app's start-up by hand in a function (a handler of its own, an
    /// `init()` that a fix moved it into): the lifespan is off on purpose.
    pub manual_in_function: bool,
    /// The names of the request guards registered on the app.
    pub guards: Vec<&'t [u8]>,
}

/// Who a hook, shut-down, manual start-up or guard belongs to.
#[derive(Debug, Clone, Copy)]
enum Owner<'t> {
    /// Registered on the app by name.
    Named(&'t [u8]),
    /// Passed to the constructor call with this node id.
    Call(usize),
    /// A method of the class with this name.
    Class(&'t [u8]),
}

#[derive(Debug, Clone, Copy)]
enum Kind<'t> {
    Hook {
        function: Node<'t>,
        early: Option<usize>,
    },
    Shutdown,
    Manual {
        at_import: bool,
    },
    Guard(&'t [u8]),
}

#[derive(Debug, Clone, Copy)]
struct Item<'t> {
    framework: usize,
    owner: Owner<'t>,
    site: Node<'t>,
    kind: Kind<'t>,
}

/// The apps of a module and what the framework queries found around them.
#[derive(Debug, Default)]
pub struct Frameworks<'t> {
    apps: Vec<App<'t>>,
    items: Vec<Item<'t>>,
}

impl<'t> Frameworks<'t> {
    /// Runs the query of every framework the module imports.
    pub fn find(ctx: &Ctx<'_, 't>) -> Self {
        let mut found = Frameworks::default();
        for (i, framework) in FRAMEWORKS.iter().enumerate() {
            if imports_any(ctx, framework.packages) {
                found.scan(ctx, i);
            }
        }
        found.apps.sort_by_key(|a| a.statement.start_byte());
        found
    }

    /// The apps, in source order.
    pub fn apps(&self) -> &[App<'t>] {
        &self.apps
    }

    /// What runs at the start-up and shut-down of `app`.
    pub fn startup(&self, app: &App<'t>) -> StartUp<'t> {
        let framework = FRAMEWORKS
            .iter()
            .position(|f| std::ptr::eq(f, app.framework))
            .unwrap_or(usize::MAX);
        let mut startup = StartUp::default();
        let mut hooks: Vec<(Option<usize>, usize, Hook)> = Vec::new();
        for item in self.items.iter().filter(|i| i.framework == framework) {
            let belongs = match item.owner {
                Owner::Named(name) => name == app.name,
                Owner::Call(id) => id == app.call.id(),
                Owner::Class(class) => app.class == Some(class),
            };
            if !belongs {
                continue;
            }
            match item.kind {
                Kind::Hook { function, early } => hooks.push((
                    early,
                    item.site.start_byte(),
                    Hook {
                        site: item.site,
                        function,
                    },
                )),
                Kind::Shutdown => startup.shutdown.push(item.site),
                Kind::Manual { at_import: true } => startup.manual.push(item.site),
                Kind::Manual { at_import: false } => startup.manual_in_function = true,
                Kind::Guard(target) => startup.guards.push(target),
            }
        }
        // Hooks passed to the constructor run first, in the order of their patterns; the
        // others in the order they are registered.
        hooks.sort_by_key(|(early, at, _)| (early.is_none(), early.unwrap_or(0), *at));
        startup.hooks = hooks.into_iter().map(|(_, _, hook)| hook).collect();
        startup
    }

    fn scan(&mut self, ctx: &Ctx<'_, 't>, framework: usize) {
        let compiled = &COMPILED[framework];
        let c = &compiled.captures;
        let mut cursor = QueryCursor::new();
        let mut matches = cursor.matches(&compiled.query, ctx.model.root, ctx.model.text);
        while let Some(m) = matches.next() {
            if !predicates_hold(ctx, &compiled.query, m) {
                continue;
            }
            let capture = |index: Option<u32>| {
                let index = index?;
                m.captures.iter().find(|c| c.index == index).map(|c| c.node)
            };
            if let (Some(statement), Some(name), Some(call)) =
                (capture(c.app), capture(c.app_name), capture(c.app_call))
            {
                let class = capture(c.app_constructor)
                    .filter(|f| f.kind() == "identifier")
                    .map(|f| ctx.model.node_text(f));
                self.apps.push(App {
                    framework: &FRAMEWORKS[framework],
                    statement,
                    name: ctx.model.node_text(name),
                    call,
                    class,
                });
                continue;
            }
            let owner = if let Some(app) = capture(c.hook_app) {
                leftmost_name(ctx, app).map(Owner::Named)
            } else if let Some(call) = capture(c.hook_call) {
                Some(Owner::Call(call.id()))
            } else {
                capture(c.hook_class).map(|class| Owner::Class(ctx.model.node_text(class)))
            };
            let Some(owner) = owner else { continue };
            let (site, kind) = if let Some(site) = capture(c.hook) {
                let Some(function) = capture(c.hook_function) else {
                    continue;
                };
                let early = capture(c.hook_early).map(|_| m.pattern_index);
                (site, Kind::Hook { function, early })
            } else if let Some(site) = capture(c.shutdown) {
                (site, Kind::Shutdown)
            } else if let Some(site) = capture(c.manual) {
                let at_import = ctx.model.place_at(site.start_byte()) == Place::ImportTime;
                (site, Kind::Manual { at_import })
            } else if let (Some(site), Some(target)) = (capture(c.guard), capture(c.guard_target)) {
                (site, Kind::Guard(ctx.model.node_text(target)))
            } else {
                continue;
            };
            let runs = matches!(kind, Kind::Manual { .. })
                || matches!(
                    ctx.model.place_at(site.start_byte()),
                    Place::ImportTime | Place::EntryPoint
                );
            if runs {
                self.items.push(Item {
                    framework,
                    owner,
                    site,
                    kind,
                });
            }
        }
    }
}

/// Whether the module imports one of `packages` (or a module inside one).
fn imports_any(ctx: &Ctx, packages: &[&str]) -> bool {
    ctx.model.bindings.iter().any(|b| {
        let module = match &b.kind {
            BindingKind::Module(m) | BindingKind::Member(m) | BindingKind::Star(m) => m,
            BindingKind::Other => return false,
        };
        let top = module.split('.').next().unwrap_or_default();
        packages.contains(&top)
    })
}

/// The name an expression starts from: `app` in `app.router.on_startup`.
pub(super) fn leftmost_name<'t>(ctx: &Ctx<'_, 't>, mut node: Node<'t>) -> Option<&'t [u8]> {
    loop {
        match node.kind() {
            "identifier" => return Some(ctx.model.node_text(node)),
            "attribute" => node = node.child_by_field_name("object")?,
            "call" => node = node.child_by_field_name("function")?,
            "subscript" => node = node.child_by_field_name("value")?,
            "parenthesized_expression" => node = node.named_child(0)?,
            _ => return None,
        }
    }
}

/// Whether the custom predicates of the match's pattern hold.
fn predicates_hold(ctx: &Ctx, query: &Query, m: &QueryMatch) -> bool {
    query
        .general_predicates(m.pattern_index)
        .iter()
        .all(|predicate| {
            let node = predicate.args.iter().find_map(|arg| match arg {
                QueryPredicateArg::Capture(index) => m
                    .captures
                    .iter()
                    .find(|c| c.index == *index)
                    .map(|c| c.node),
                QueryPredicateArg::String(_) => None,
            });
            let strings: Vec<&str> = predicate
                .args
                .iter()
                .filter_map(|arg| match arg {
                    QueryPredicateArg::String(s) => Some(&**s),
                    QueryPredicateArg::Capture(_) => None,
                })
                .collect();
            let Some(node) = node else { return false };
            match &*predicate.operator {
                "resolves-to?" => resolves_to(ctx, node, &strings, 0),
                "positional-arguments?" => has_positional_arguments(node),
                "no-positional-arguments?" => !has_positional_arguments(node),
                _ => false,
            }
        })
}

/// How many classes of the module `#resolves-to?` follows to their bases.
const MAX_CLASS_DEPTH: usize = 4;

/// Whether a name or attribute resolves to one of the qualified `names`, or is a class of the
/// module whose base does.
fn resolves_to(ctx: &Ctx, node: Node, names: &[&str], depth: usize) -> bool {
    if let Some(qualified) = ctx.model.qualified_name(node) {
        return names.contains(&qualified.as_str());
    }
    if node.kind() != "identifier" || depth >= MAX_CLASS_DEPTH {
        return false;
    }
    let name = ctx.model.node_text(node);
    module_class(ctx, name)
        .and_then(|class| class.child_by_field_name("superclasses"))
        .is_some_and(|bases| {
            named_children(bases)
                .filter(|b| b.kind() != "keyword_argument")
                .any(|base| resolves_to(ctx, base, names, depth + 1))
        })
}

/// The module-level class named `name`.
fn module_class<'t>(ctx: &Ctx<'_, 't>, name: &[u8]) -> Option<Node<'t>> {
    ctx.model.statements.iter().find_map(|&statement| {
        let class = match statement.kind() {
            "class_definition" => statement,
            "decorated_definition" => statement
                .child_by_field_name("definition")
                .filter(|d| d.kind() == "class_definition")?,
            _ => return None,
        };
        let own = class.child_by_field_name("name")?;
        (ctx.model.node_text(own) == name).then_some(class)
    })
}

/// Whether a call has a positional argument (`*args` counts).
fn has_positional_arguments(call: Node) -> bool {
    call.child_by_field_name("arguments")
        .is_some_and(|arguments| {
            named_children(arguments).any(|a| {
                !matches!(
                    a.kind(),
                    "keyword_argument" | "dictionary_splat" | "comment"
                )
            })
        })
}

/// The module-level function named `name`.
pub(super) fn module_function<'t>(ctx: &Ctx<'_, 't>, name: &[u8]) -> Option<Node<'t>> {
    ctx.model.statements.iter().find_map(|&statement| {
        let function = match statement.kind() {
            "function_definition" => statement,
            "decorated_definition" => statement
                .child_by_field_name("definition")
                .filter(|d| d.kind() == "function_definition")?,
            _ => return None,
        };
        let own = function.child_by_field_name("name")?;
        (ctx.model.node_text(own) == name).then_some(function)
    })
}

#[cfg(test)]
mod tests;
