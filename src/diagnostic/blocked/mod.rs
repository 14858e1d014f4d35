//! Why a finding has no fix, as a typed value: each pass says which of these blocks it, and the
//! finding's message ends with `; no fix: ` and the reason's text (written in `display`).

use std::fmt;

mod display;

/// A function of the module, as messages name it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum FunctionRef {
    /// `async def name`.
    Async(String),
    /// A sync `def name`.
    Sync(String),
    /// A lambda.
    Lambda,
    /// Code in some function loopfix does not name.
    Unknown,
}

impl fmt::Display for FunctionRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FunctionRef::Async(name) => write!(f, "`async def {name}`"),
            FunctionRef::Sync(name) => write!(f, "sync function `{name}`"),
            FunctionRef::Lambda => f.write_str("a lambda"),
            FunctionRef::Unknown => f.write_str("a function"),
        }
    }
}

/// How a name is used where it blocks a fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    /// Read (a global the fix loads later).
    Read,
    /// Used (a loop global the fix removes).
    Used,
    /// Assigned.
    Assigned,
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Access::Read => "read",
            Access::Used => "used",
            Access::Assigned => "assigned",
        })
    }
}

/// When a value becomes available after the fix: what an import-time read comes before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Until {
    /// Said no more than "at import time".
    Unsaid,
    /// `init()` loads it at start-up.
    StartUp,
    /// Another module's guard or `init()` loads it.
    Loaded,
}

impl fmt::Display for Until {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Until::Unsaid => "",
            Until::StartUp => ", before start-up",
            Until::Loaded => ", before it is loaded",
        })
    }
}

/// Why a finding has no fix.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Blocked {
    /// The statement does not run at import time.
    NotAtImportTime,
    /// The loop runs in a class body (the lazy guard cannot express it).
    InClassBody,
    /// The loop runs in a decorator or a default value.
    InDecoratorOrDefault,
    /// The statement holds a node (a `def`, an `import`, ...) that cannot move into a function.
    HoldsUnmovable {
        /// The node's kind, as tree-sitter names it.
        kind: &'static str,
    },
    /// The statement deletes a name.
    Deletes {
        /// The name.
        name: String,
    },
    /// `with asyncio.Runner() ...` manages more than the runner.
    WithManagesMore,
    /// The runner object is used for more than `run()`.
    RunnerUsedForMore {
        /// The runner's name.
        name: String,
    },
    /// The loop runs inside a generator expression.
    InGeneratorExpression,
    /// An annotation without a value.
    AnnotationWithoutValue,
    /// The loop call has nothing to await.
    NoAwaitable {
        /// The call.
        call: String,
    },
    /// The call's arguments hold comments that cannot be kept.
    CommentsInArguments {
        /// The call.
        call: String,
    },
    /// An `async def` without a body to await in.
    AsyncDefWithoutBody,
    /// `anyio.run(..., backend=...)` with a backend other than asyncio.
    OtherBackend {
        /// The call.
        call: String,
        /// The backend, as written.
        backend: String,
    },
    /// The statement ends with a `;`.
    EndsWithSemicolon,
    /// The statement shares its line with another.
    SharesLine,
    /// An assignment target is not a plain name.
    NotAPlainName {
        /// The target.
        target: String,
    },
    /// The loop's result is not kept in a name.
    NotKeptInName,
    /// Nothing reads the names the statement binds: its work is an effect, which a lazy loader
    /// nobody awaits would drop.
    NothingReads {
        /// The names.
        names: Vec<String>,
    },
    /// A name is accessed at import time, outside what the fix moves.
    AtImportTime {
        /// The name (or `Class.attribute`, or an assignment target).
        name: String,
        /// How.
        access: Access,
        /// The line.
        line: usize,
        /// What the access comes before.
        until: Until,
    },
    /// A name is read in a function that an import-time call runs.
    ReadThroughCall {
        /// The name.
        name: String,
        /// The line of the read.
        line: usize,
        /// The function that reads it.
        function: FunctionRef,
        /// The line of the import-time call that runs the function.
        call_line: usize,
        /// What the read comes before.
        until: Until,
    },
    /// A name is accessed under `if __name__ == "__main__":`.
    InEntryPoint {
        /// The name.
        name: String,
        /// How.
        access: Access,
        /// The line.
        line: usize,
    },
    /// A name is accessed in a function that the fix cannot make await anything.
    InFunction {
        /// The name.
        name: String,
        /// How.
        access: Access,
        /// The function.
        function: FunctionRef,
        /// The line.
        line: usize,
        /// Whether to add that the function cannot await the guard.
        cannot_await: bool,
    },
    /// A name is read in deferred code outside any function loopfix can name.
    ReadOutsideFunction {
        /// The name.
        name: String,
        /// The line.
        line: usize,
    },
    /// A name the fix moves is also assigned elsewhere at import time.
    AlsoAssigned {
        /// The name.
        name: String,
        /// The line.
        line: usize,
    },
    /// A name imported by name is bound again.
    Rebound {
        /// The name.
        name: String,
        /// The line.
        line: usize,
    },
    /// An attribute read (`m.X`) happens at import time.
    AttributeAtImportTime {
        /// The line.
        line: usize,
    },
    /// An attribute read (`m.X`) happens in a function that cannot await the guard.
    AttributeInFunction {
        /// The function.
        function: FunctionRef,
    },
    /// The import is not a plain `from ... import` statement.
    ImportNotPlain,
    /// The import names no module.
    ImportNamesNoModule,
    /// Another module uses a name the fix would delete.
    UsesRemovedName,
    /// A module imports the name and cannot follow the fix.
    ImporterCannotFollow {
        /// The name.
        name: String,
        /// The importing module, for display.
        user: String,
        /// Why it cannot.
        reason: Box<Blocked>,
    },
    /// A loop global is used by another module.
    UsedByModule {
        /// The name.
        name: String,
        /// The module, for display.
        user: String,
    },
    /// The module builds several apps, and nothing tells which one is served.
    SeveralApps {
        /// Their names.
        names: Vec<String>,
    },
    /// The module's start-up work runs the app's start-up by hand, and the framework has no
    /// request guard to await `init()` in instead.
    StartUpRunByHand {
        /// The call.
        call: String,
    },
    /// The app has no start-up hook, and the framework none loopfix can add.
    NoStartUpHook {
        /// The app.
        app: String,
        /// The framework, as messages name it.
        framework: &'static str,
    },
    /// The app's first start-up hook is not an `async def` of the module, and a new one cannot
    /// run before it.
    StartUpHookNotEditable {
        /// The hook, as registered.
        hook: String,
    },
    /// The name a framework looks the hook up by is taken.
    HookNameTaken {
        /// The name.
        name: &'static str,
    },
    /// A constructor argument that should take a new first item is not a list.
    NotAList {
        /// The keyword.
        keyword: &'static str,
        /// Its value.
        value: String,
    },
    /// The importer's app awaits another module's `init()` first, in this run.
    AnotherInitFirst {
        /// The importer, for display.
        user: String,
    },
    /// The app of another module awaits `init()` only in its lifespan, and has shut-down work or
    /// a lifespan value loopfix cannot change (LF006).
    GuardInOtherModule {
        /// The app.
        app: String,
        /// Its `init()`, as called.
        init: String,
    },
    /// The app's start-up has work of its own that only the lifespan runs (LF006).
    StartUpNotIdempotent,
    /// The module builds no app, and no module of the run that serves one imports it.
    NoApplication {
        /// The coroutine function the fix would add (`init`).
        init: String,
        /// What the application's start-up must await: "`db.init()`", or "this module's
        /// `init()`" when the module's name is not known.
        call: String,
    },
    /// Several loop runs in one class body.
    SeveralRunsInClass,
    /// The call is not a plain class attribute assignment.
    NotPlainClassAttribute,
    /// The class attribute's target is not a plain name.
    ClassTargetNotPlain,
    /// The call is not a loop run.
    NotALoopRun,
    /// A wrapper function does more than return its loop's result.
    WrapperDoesMore {
        /// The wrapper.
        name: String,
    },
    /// An entry point's earlier loop, and no way to move its work into the program's loop.
    SeparateProgramLoop,
    /// A class's `__init__`, classmethod or staticmethod runs its own loop.
    MethodRunsLoop {
        /// `Class.method`.
        method: String,
    },
    /// A loop-management call is part of a larger statement.
    PartOfLargerStatement {
        /// The call.
        call: String,
    },
    /// The fix's parts overlap.
    RewritesOverlap,
    /// The fix would change nothing.
    NothingToRewrite,
    /// A finding of the group is suppressed (`# noqa`, `# loopfix: ignore[...]`): its
    /// statements stay as they are.
    Suppressed {
        /// The line of the suppressed finding.
        line: usize,
    },
    /// The module binds `asyncio` to something other than the asyncio module, which the
    /// generated code needs.
    AsyncioNameTaken,
}

#[cfg(test)]
mod tests;
