//! Tests of entry points: their kinds, the program's run and the plan of their loops.

use super::*;
use crate::semantic::Model;
use crate::syntax::parse::parse;

/// The entry point of `code` and, when it is one, which of its sites are the program's.
fn entry(code: &str) -> Option<(EntryKind, LoopPlan)> {
    let tree = parse(code.as_bytes()).unwrap();
    let model = Model::build(&tree, code.as_bytes());
    let sites = super::super::find_sites(&model).sites;
    let entry = entry_point(&model, code.as_bytes(), false, &sites)?;
    Some((entry.kind, plan_loops(&entry, &sites, &[])))
}

#[test]
fn a_script_ending_in_its_run_has_one_loop() {
    let (kind, plan) =
        entry("import asyncio\nasync def main(): pass\nasyncio.run(main())\n").unwrap();
    assert_eq!(kind, EntryKind::Script);
    assert_eq!((plan.program_sites, plan.several_loops), (vec![0], false));
}

#[test]
fn a_loop_global_and_the_guarded_run_are_one_loop() {
    let code = "import asyncio\nloop = asyncio.get_event_loop()\nP = loop.run_until_complete(f())\nif __name__ == '__main__':\n    loop.run_until_complete(g())\n";
    let (kind, plan) = entry(code).unwrap();
    assert_eq!(kind, EntryKind::Script);
    assert_eq!(
        (plan.program_sites, plan.several_loops),
        (vec![0, 1], false)
    );
}

#[test]
fn two_runs_in_sequence_keep_the_earlier() {
    let code = "import asyncio\nasyncio.run(setup())\nbot.run(TOKEN)\n";
    let (_, plan) = entry(code).unwrap();
    assert!(plan.several_loops);
    assert!(plan.program_sites.is_empty());
    let code = "import asyncio\nasyncio.run(setup())\nasyncio.run(main())\n";
    let (_, plan) = entry(code).unwrap();
    assert_eq!((plan.program_sites, plan.several_loops), (vec![1], true));
}

#[test]
fn runs_in_different_branches_are_not_in_sequence() {
    let code = "import asyncio\nfrom alembic import context\nif context.is_offline_mode():\n    asyncio.run(a())\nelse:\n    asyncio.run(b())\n";
    let (kind, plan) = entry(code).unwrap();
    assert_eq!(kind, EntryKind::AlembicEnv);
    assert_eq!(
        (plan.program_sites, plan.several_loops),
        (vec![0, 1], false)
    );
}

#[test]
fn a_served_app_or_a_print_under_the_guard_is_no_script() {
    assert!(entry("import asyncio\nX = asyncio.run(f())\nasyncio.get_event_loop()\n").is_none());
    assert!(entry("import asyncio\nfrom mangum import Mangum\nhandler = Mangum(app)\nasyncio.run(init())\n").is_none());
    assert!(
        entry(
            "import asyncio\nfrom fastapi import FastAPI\napp = FastAPI()\nasyncio.run(init())\n"
        )
        .is_none()
    );
    assert!(
        entry("import asyncio\nX = asyncio.run(f())\nif __name__ == '__main__':\n    print(X)\n")
            .is_none()
    );
    // An app served by the module itself keeps it a script.
    let code = "import asyncio, uvicorn\nfrom fastapi import FastAPI\napp = FastAPI()\nasyncio.run(init())\nuvicorn.run(app)\n";
    let (kind, plan) = entry(code).unwrap();
    assert_eq!(kind, EntryKind::Script);
    assert!(plan.several_loops);
}
