//! Tests of the reasons a finding has no fix: their text as loopfix writes it.

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
