//! The tree-sitter queries of `transforms/`, compiled once: each finds candidate nodes, which
//! Rust code then resolves and classifies. A test compiles each and checks its captures.

use std::sync::LazyLock;

use tree_sitter::Query;

use super::parse::language;

/// The query of `transforms/detect/calls.scm`: every call, with its function and arguments.
pub static CALLS: LazyLock<CallsQuery> = LazyLock::new(CallsQuery::new);

/// Starts compiling the detection query on the worker pool, so that it is ready by the time
/// the first file's parse is done (compiling it takes as long as parsing a large module).
pub fn prepare() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        rayon::spawn(|| {
            LazyLock::force(&CALLS);
        });
    });
}

/// The compiled calls query and the indexes of its captures.
pub struct CallsQuery {
    /// The query.
    pub query: Query,
    /// `@call`.
    pub call: u32,
    /// `@function`.
    pub function: u32,
    /// `@arguments`.
    pub arguments: u32,
}

impl CallsQuery {
    fn new() -> Self {
        let query = Query::new(
            &language(),
            include_str!("../../transforms/detect/calls.scm"),
        )
        .expect("transforms/detect/calls.scm compiles (guarded by syntax::queries::tests)");
        let index = |name: &str| {
            query.capture_index_for_name(name).unwrap_or_else(|| {
                panic!("calls.scm captures @{name} (guarded by syntax::queries::tests)")
            })
        };
        CallsQuery {
            call: index("call"),
            function: index("function"),
            arguments: index("arguments"),
            query,
        }
    }
}

/// The query of `transforms/lifespan/detect.scm`: `Mangum(..., lifespan=...)` calls and
/// `@app.on_event(...)` decorators.
pub static LIFESPAN: LazyLock<LifespanQuery> = LazyLock::new(LifespanQuery::new);

/// The compiled lifespan query and the indexes of its captures.
pub struct LifespanQuery {
    /// The query.
    pub query: Query,
    /// `@call`: a call with a `lifespan=` keyword.
    pub call: u32,
    /// `@function`: its callee.
    pub function: u32,
    /// `@value`: the keyword's value.
    pub value: u32,
    /// `@startup`: an `@app.on_event(...)` decorator.
    pub startup: u32,
    /// `@app`: the app it decorates with.
    pub app: u32,
    /// `@event`: the event name.
    pub event: u32,
}

impl LifespanQuery {
    fn new() -> Self {
        let query = Query::new(
            &language(),
            include_str!("../../transforms/lifespan/detect.scm"),
        )
        .expect("transforms/lifespan/detect.scm compiles (guarded by syntax::queries::tests)");
        let index = |name: &str| {
            query.capture_index_for_name(name).unwrap_or_else(|| {
                panic!("lifespan/detect.scm captures @{name} (guarded by syntax::queries::tests)")
            })
        };
        LifespanQuery {
            call: index("call"),
            function: index("function"),
            value: index("value"),
            startup: index("startup"),
            app: index("app"),
            event: index("event"),
            query,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_query_compiles_with_its_captures() {
        let q = &*CALLS;
        assert_eq!(q.query.pattern_count(), 1);
        for name in ["call", "function", "arguments"] {
            assert!(q.query.capture_index_for_name(name).is_some(), "@{name}");
        }
    }

    #[test]
    fn lifespan_query_compiles_with_its_captures() {
        let q = &*LIFESPAN;
        for name in ["call", "function", "value", "startup", "app", "event"] {
            assert!(q.query.capture_index_for_name(name).is_some(), "@{name}");
        }
    }
}
