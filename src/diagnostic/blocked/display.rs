//! The text of each reason a finding has no fix, as the finding's message ends with it after
//! `; no fix: `.

use std::fmt;

use super::Blocked;

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
