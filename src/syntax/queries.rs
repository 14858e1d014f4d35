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
        let query = compile(
            include_str!("../../transforms/detect/calls.scm"),
            "transforms/detect/calls.scm",
        );
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

/// Compiles a query of `transforms/` that is part of the binary; `file` names it in the panic,
/// which the query's own test guards.
pub fn compile(source: &str, file: &str) -> Query {
    Query::new(&language(), source).unwrap_or_else(|e| panic!("{file} compiles: {e}"))
}

/// The query of `transforms/lifespan/detect.scm`: calls that may serve an app (`Mangum(...)`,
/// `uvicorn.run(...)`) and the sub-apps mounted under another.
pub static SERVING: LazyLock<ServingQuery> = LazyLock::new(ServingQuery::new);

/// The compiled serving query and the indexes of its captures.
pub struct ServingQuery {
    /// The query.
    pub query: Query,
    /// `@serve`: a call that may serve an app.
    pub serve: u32,
    /// `@serve.function`: its callee.
    pub function: u32,
    /// `@serve.arguments`: its argument list.
    pub arguments: u32,
    /// `@mounted`: the name of an app mounted under another.
    pub mounted: u32,
}

impl ServingQuery {
    fn new() -> Self {
        let query = compile(
            include_str!("../../transforms/lifespan/detect.scm"),
            "transforms/lifespan/detect.scm",
        );
        let index = |name: &str| {
            query.capture_index_for_name(name).unwrap_or_else(|| {
                panic!("lifespan/detect.scm captures @{name} (guarded by syntax::queries::tests)")
            })
        };
        ServingQuery {
            serve: index("serve"),
            function: index("serve.function"),
            arguments: index("serve.arguments"),
            mounted: index("mounted"),
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
    fn serving_query_compiles_with_its_captures() {
        let q = &*SERVING;
        for name in ["serve", "serve.function", "serve.arguments", "mounted"] {
            assert!(q.query.capture_index_for_name(name).is_some(), "@{name}");
        }
    }
}
