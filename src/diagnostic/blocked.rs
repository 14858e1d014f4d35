//! Why a finding has no fix, as a typed value: each pass says which of these blocks it, and the
//! finding's message ends with `; no fix: ` and the reason's text.

use std::fmt;

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

impl fmt::Display for Blocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Blocked::*;
        const MAIN: &str = "under `if __name__ == \"__main__\":`";
        match self {
            NotAtImportTime => f.write_str("the statement does not run at import time"),
            InClassBody => f.write_str("the call is in a class body; use `--strategy init`"),
            InDecoratorOrDefault => f.write_str("the call is in a decorator or default value"),
            HoldsUnmovable { kind } => write!(
                f,
                "the statement holds `{}`, which cannot move into a function",
                kind.replace('_', " ")
            ),
            Deletes { name } => write!(f, "the statement deletes `{name}`"),
            WithManagesMore => f.write_str("the `with` statement manages more than the runner"),
            RunnerUsedForMore { name } => {
                write!(f, "the runner `{name}` is used for more than `run()`")
            }
            InGeneratorExpression => f.write_str(
                "the call is inside a generator expression, which an `await` would make asynchronous",
            ),
            AnnotationWithoutValue => {
                f.write_str("the statement declares an annotation without a value")
            }
            NoAwaitable { call } => write!(f, "`{call}` has no awaitable argument to move"),
            CommentsInArguments { call } => {
                write!(f, "`{call}` has comments among arguments that cannot be kept")
            }
            AsyncDefWithoutBody => f.write_str("an `async def` without a body"),
            OtherBackend { call, backend } => write!(
                f,
                "`{call}` runs the coroutine with the {backend} backend, not in asyncio's loop"
            ),
            EndsWithSemicolon => f.write_str("remove the `;` that ends the statement first"),
            SharesLine => {
                f.write_str("the statement shares its line with another; split the line first")
            }
            NotAPlainName { target } => {
                write!(f, "`{target}` is not a plain name; use `--strategy init`")
            }
            NotKeptInName => f.write_str("the result is not kept in a name; use `--strategy init`"),
            NothingReads { names } => {
                let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
                write!(
                    f,
                    "nothing reads {}, so a lazy loader would never run and its work would be lost; use `--strategy init`",
                    quoted.join(", ")
                )
            }
            AtImportTime {
                name,
                access,
                line,
                until,
            } => write!(f, "`{name}` is {access} at import time on line {line}{until}"),
            ReadThroughCall {
                name,
                line,
                function,
                call_line,
                until,
            } => write!(
                f,
                "`{name}` is read in {function} on line {line}, which runs at import time through the call on line {call_line}{until}"
            ),
            InEntryPoint { name, access, line } => {
                write!(f, "`{name}` is {access} {MAIN} on line {line}")
            }
            InFunction {
                name,
                access,
                function,
                line,
                cannot_await,
            } => {
                write!(f, "`{name}` is {access} in {function} on line {line}")?;
                if *cannot_await {
                    f.write_str(", which cannot await its guard")?;
                }
                Ok(())
            }
            ReadOutsideFunction { name, line } => write!(f, "`{name}` is read on line {line}"),
            AlsoAssigned { name, line } => write!(f, "`{name}` is also assigned on line {line}"),
            Rebound { name, line } => write!(f, "`{name}` is rebound on line {line}"),
            AttributeAtImportTime { line } => write!(
                f,
                "it is read at import time on line {line}, before it is loaded"
            ),
            AttributeInFunction { function } => {
                write!(f, "it is read in {function}, which cannot await its guard")
            }
            ImportNotPlain => f.write_str("the import is not a plain `from ... import` statement"),
            ImportNamesNoModule => f.write_str("the import names no module"),
            UsesRemovedName => f.write_str("uses it"),
            ImporterCannotFollow { name, user, reason } => write!(
                f,
                "`{name}` is imported by {user}, which cannot follow: {reason}"
            ),
            UsedByModule { name, user } => write!(f, "`{name}` is used by {user}"),
            SeveralApps { names } => {
                let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
                write!(
                    f,
                    "the module builds several apps ({}) and nothing tells which one is served; pass the served one to `Mangum(...)` or `uvicorn.run(...)`",
                    quoted.join(", ")
                )
            }
            StartUpRunByHand { call } => write!(
                f,
                "`{call}` runs the app's start-up by hand, and the framework has no request guard to await `init()` in instead"
            ),
            NoStartUpHook { app, framework } => write!(
                f,
                "`{app}` has no start-up hook, and loopfix cannot add one ({framework}); register one that awaits `init()`"
            ),
            StartUpHookNotEditable { hook } => write!(
                f,
                "the first start-up hook (`{hook}`) is not an `async def` of this module; make it one, or await `init()` in it"
            ),
            HookNameTaken { name } => write!(
                f,
                "the module uses the name `{name}`, which the start-up hook must have"
            ),
            NotAList { keyword, value } => write!(
                f,
                "`{keyword}={value}` is not a list that a new first item can go in"
            ),
            AnotherInitFirst { user } => write!(
                f,
                "{user} awaits another module's `init()` first; run `loopfix fix` again once that fix is applied"
            ),
            GuardInOtherModule { app, init } => write!(
                f,
                "`lifespan=\"auto\"` would run the shut-down of `{app}` after every invocation, or cannot be set here: await `{init}()` before every request of `{app}` instead (the request guard that loopfix's init fix adds)"
            ),
            StartUpNotIdempotent => f.write_str(
                "loopfix cannot tell that the start-up is idempotent: run it once per container inside Mangum's loop (for instance an ASGI wrapper handed to `Mangum` that awaits it before the first request), or set `lifespan=\"auto\"` if it is idempotent and the app has no shut-down work",
            ),
            NoApplication { init, call } => write!(
                f,
                "the module builds no app to await its start-up work in, and no module of the run that serves one imports it; move the work into `async def {init}()` and await {call} in your application's start-up"
            ),
            SeveralRunsInClass => {
                f.write_str("several loop runs in one class body; move them by hand")
            }
            NotPlainClassAttribute => {
                f.write_str("the call is not a plain class attribute assignment")
            }
            ClassTargetNotPlain => f.write_str("the class attribute target is not a plain name"),
            NotALoopRun => f.write_str("the call is not a loop run"),
            SeparateProgramLoop => write!(
                f,
                "move this work into the program's loop: the start-up hook of the framework that runs the program, or one `async def main()` that the program runs once"
            ),
            MethodRunsLoop { method } => write!(
                f,
                "`{method}` runs its own loop; give the class an `async def` method that does this work, and await it inside the application's loop"
            ),
            WrapperDoesMore { name } => write!(
                f,
                "`{name}` does more than return its loop's result; call it inside the app instead"
            ),
            PartOfLargerStatement { call } => write!(f, "`{call}` is part of a larger statement"),
            RewritesOverlap => f.write_str("the rewrites of this statement overlap; fix it by hand"),
            NothingToRewrite => f.write_str("nothing to rewrite"),
            Suppressed { line } => write!(
                f,
                "the finding on line {line}, which changes together with this one, is suppressed"
            ),
            AsyncioNameTaken => f.write_str(
                "the module binds `asyncio` to something other than the asyncio module, which the generated code needs; rename it first",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_as_loopfix_has_always_written_them() {
        let cases: Vec<(Blocked, &str)> = vec![
            (
                Blocked::AtImportTime {
                    name: "X".into(),
                    access: Access::Read,
                    line: 9,
                    until: Until::Unsaid,
                },
                "`X` is read at import time on line 9",
            ),
            (
                Blocked::AtImportTime {
                    name: "X".into(),
                    access: Access::Read,
                    line: 9,
                    until: Until::StartUp,
                },
                "`X` is read at import time on line 9, before start-up",
            ),
            (
                Blocked::AtImportTime {
                    name: "loop".into(),
                    access: Access::Used,
                    line: 4,
                    until: Until::Unsaid,
                },
                "`loop` is used at import time on line 4",
            ),
            (
                Blocked::InEntryPoint {
                    name: "X".into(),
                    access: Access::Read,
                    line: 12,
                },
                "`X` is read under `if __name__ == \"__main__\":` on line 12",
            ),
            (
                Blocked::InFunction {
                    name: "X".into(),
                    access: Access::Read,
                    function: FunctionRef::Sync("render".into()),
                    line: 3,
                    cannot_await: true,
                },
                "`X` is read in sync function `render` on line 3, which cannot await its guard",
            ),
            (
                Blocked::InFunction {
                    name: "loop".into(),
                    access: Access::Assigned,
                    function: FunctionRef::Unknown,
                    line: 3,
                    cannot_await: false,
                },
                "`loop` is assigned in a function on line 3",
            ),
            (
                Blocked::HoldsUnmovable {
                    kind: "import_statement",
                },
                "the statement holds `import statement`, which cannot move into a function",
            ),
            (
                Blocked::ImporterCannotFollow {
                    name: "X".into(),
                    user: "app/main.py".into(),
                    reason: Box::new(Blocked::UsesRemovedName),
                },
                "`X` is imported by app/main.py, which cannot follow: uses it",
            ),
            (
                Blocked::AttributeInFunction {
                    function: FunctionRef::Lambda,
                },
                "it is read in a lambda, which cannot await its guard",
            ),
            (
                Blocked::OtherBackend {
                    call: "anyio.run(f, backend=\"trio\")".into(),
                    backend: "\"trio\"".into(),
                },
                "`anyio.run(f, backend=\"trio\")` runs the coroutine with the \"trio\" backend, not in asyncio's loop",
            ),
            (
                Blocked::EndsWithSemicolon,
                "remove the `;` that ends the statement first",
            ),
            (
                Blocked::SeveralApps {
                    names: vec!["public".into(), "admin".into()],
                },
                "the module builds several apps (`public`, `admin`) and nothing tells which one is served; pass the served one to `Mangum(...)` or `uvicorn.run(...)`",
            ),
            (
                Blocked::NoApplication {
                    init: "init".into(),
                    call: "`db.init()`".into(),
                },
                "the module builds no app to await its start-up work in, and no module of the run that serves one imports it; move the work into `async def init()` and await `db.init()` in your application's start-up",
            ),
            (
                Blocked::NoStartUpHook {
                    app: "dp".into(),
                    framework: "aiogram 2",
                },
                "`dp` has no start-up hook, and loopfix cannot add one (aiogram 2); register one that awaits `init()`",
            ),
            (
                Blocked::SeparateProgramLoop,
                "move this work into the program's loop: the start-up hook of the framework that runs the program, or one `async def main()` that the program runs once",
            ),
            (
                Blocked::MethodRunsLoop {
                    method: "Database.__init__".into(),
                },
                "`Database.__init__` runs its own loop; give the class an `async def` method that does this work, and await it inside the application's loop",
            ),
            (
                Blocked::ReadThroughCall {
                    name: "SETTINGS".into(),
                    line: 22,
                    function: FunctionRef::Sync("database_url".into()),
                    call_line: 25,
                    until: Until::StartUp,
                },
                "`SETTINGS` is read in sync function `database_url` on line 22, which runs at import time through the call on line 25, before start-up",
            ),
            (
                Blocked::NothingReads {
                    names: vec!["db_pool".into()],
                },
                "nothing reads `db_pool`, so a lazy loader would never run and its work would be lost; use `--strategy init`",
            ),
        ];
        for (reason, text) in cases {
            assert_eq!(reason.to_string(), text);
        }
    }
}
