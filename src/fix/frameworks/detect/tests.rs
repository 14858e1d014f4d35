//! Tests of finding each framework's apps, hooks, start-ups and dispatchers, and of the queries
//! themselves (each compiles, with known captures and predicates).

use super::*;
use crate::options::FixOptions;
use crate::semantic::Model;
use crate::source::SourceFile;

/// Runs `check` on the frameworks found in `code`.
fn with_frameworks(code: &str, check: impl FnOnce(&Ctx, &Frameworks)) {
    let src = SourceFile::new(code.as_bytes().to_vec()).unwrap();
    let tree = crate::syntax::parse::parse(src.parse_text()).unwrap();
    let model = Model::build(&tree, src.parse_text());
    let options = FixOptions::default();
    let ctx = Ctx::new(&model, &src, &options, None);
    let found = Frameworks::find(&ctx);
    check(&ctx, &found);
}

fn hook_texts(ctx: &Ctx, found: &Frameworks, app: usize) -> Vec<String> {
    found
        .startup(&found.apps()[app])
        .hooks
        .iter()
        .map(|h| ctx.evidence(h.function))
        .collect()
}

#[test]
fn hooks_passed_to_the_constructor_run_first_in_the_order_of_their_patterns() {
    let code = "from litestar import Litestar\n\n\nasync def a(): ...\nasync def b(): ...\n\n\napp = Litestar(on_startup=[a], lifespan=[b])\n";
    with_frameworks(code, |ctx, found| {
        assert_eq!(found.apps().len(), 1);
        assert_eq!(found.apps()[0].framework.name, "litestar");
        assert_eq!(hook_texts(ctx, found, 0), ["[b]", "[a]"]);
    });
}

#[test]
fn registered_hooks_follow_in_source_order() {
    let code = "from fastapi import FastAPI\n\napp = FastAPI()\n\n\nasync def first(): ...\n\n\napp.add_event_handler(\"startup\", first)\n\n\n@app.on_event(\"startup\")\nasync def second(): ...\n\n\n@app.on_event(\"shutdown\")\nasync def closing(): ...\n";
    with_frameworks(code, |ctx, found| {
        let hooks = hook_texts(ctx, found, 0);
        assert_eq!(hooks.len(), 2, "{hooks:?}");
        assert_eq!(hooks[0], "first");
        assert!(hooks[1].starts_with("async def second"), "{hooks:?}");
        assert_eq!(found.startup(&found.apps()[0]).shutdown.len(), 1);
    });
}

#[test]
fn a_subclass_of_the_module_is_an_app_of_its_framework() {
    let code = "import discord\n\n\nclass Bot(discord.Client):\n    async def setup_hook(self):\n        pass\n\n\nclient = Bot()\nother = Unrelated()\n";
    with_frameworks(code, |ctx, found| {
        assert_eq!(found.apps().len(), 1);
        assert_eq!(found.apps()[0].name, b"client");
        assert_eq!(hook_texts(ctx, found, 0).len(), 1);
    });
}

#[test]
fn a_framework_the_module_does_not_import_is_not_looked_for() {
    let code = "def Quart(name): ...\n\napp = Quart(__name__)\n";
    with_frameworks(code, |_, found| assert!(found.apps().is_empty()));
}

#[test]
fn the_start_up_run_by_hand_is_found_at_import_time_and_in_functions() {
    let code = "import asyncio\nfrom fastapi import FastAPI\n\napp = FastAPI()\nasyncio.run(app.router.startup())\n";
    with_frameworks(code, |_, found| {
        let startup = found.startup(&found.apps()[0]);
        assert_eq!(startup.manual.len(), 1);
        assert!(!startup.manual_in_function);
    });
    let code = "from fastapi import FastAPI\n\napp = FastAPI()\n\n\nasync def init():\n    await app.router.startup()\n";
    with_frameworks(code, |_, found| {
        let startup = found.startup(&found.apps()[0]);
        assert!(startup.manual.is_empty());
        assert!(startup.manual_in_function);
    });
}

#[test]
fn aiogram_2_and_3_dispatchers_are_told_apart() {
    let code = "from aiogram import Dispatcher\n\nv3 = Dispatcher()\nv2 = Dispatcher(bot)\n";
    with_frameworks(code, |_, found| {
        let names: Vec<(&[u8], &str)> = found
            .apps()
            .iter()
            .map(|a| (a.name, a.framework.name))
            .collect();
        assert_eq!(
            names,
            [
                (b"v3".as_slice(), "aiogram"),
                (b"v2".as_slice(), "aiogram2")
            ]
        );
    });
}

/// The predicates [`predicates_hold`] answers.
const PREDICATES: &[&str] = &[
    "resolves-to?",
    "positional-arguments?",
    "no-positional-arguments?",
];

#[test]
fn every_framework_query_compiles_with_known_captures_and_predicates() {
    const KNOWN: &[&str] = &[
        "app",
        "app.name",
        "app.constructor",
        "app.call",
        "hook",
        "hook.function",
        "hook.app",
        "hook.call",
        "hook.class",
        "hook.early",
        "shutdown",
        "manual",
        "guard",
        "guard.target",
    ];
    for (framework, compiled) in FRAMEWORKS.iter().zip(COMPILED.iter()) {
        let query = &compiled.query;
        for name in query.capture_names() {
            assert!(
                name.starts_with('_') || KNOWN.contains(name),
                "{}: unknown capture @{name}",
                framework.name
            );
        }
        for capture in ["app", "app.name", "app.constructor", "app.call"] {
            assert!(
                query.capture_index_for_name(capture).is_some(),
                "{}: no @{capture}",
                framework.name
            );
        }
        for pattern in 0..query.pattern_count() {
            for predicate in query.general_predicates(pattern) {
                assert!(
                    PREDICATES.contains(&&*predicate.operator),
                    "{}: unknown predicate #{}",
                    framework.name,
                    predicate.operator
                );
            }
        }
    }
}
