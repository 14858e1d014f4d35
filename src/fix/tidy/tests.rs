//! Tests of import tidying: the facts that let a fix skip it, and removals from import lists.

use super::*;

#[test]
fn import_facts_tell_when_a_fix_leaves_the_imports_alone() {
    let code = "import asyncio\n\nX = asyncio.run(f())\nY = asyncio.sleep\n";
    let src = SourceFile::new(code.as_bytes().to_vec()).unwrap();
    let facts = ImportFacts::of(&src).unwrap();
    let asyncio = RequiredImport::Module("asyncio".into());
    let typing_any = RequiredImport::Member {
        module: "typing".into(),
        name: "Any".into(),
    };
    // The run goes; `asyncio` is still read on the next line, and is imported.
    let run = [Edit::replace(20..36, "None")];
    assert!(facts.untouched_by(&run, std::slice::from_ref(&asyncio)));
    // An import the module lacks would be added.
    assert!(!facts.untouched_by(&run, &[typing_any]));
    // Both reads go: the import may become unused.
    let both = [Edit::replace(20..36, "None"), Edit::replace(41..54, "None")];
    assert!(!facts.untouched_by(&both, &[]));
    // The import statement itself is edited: tidying must look.
    let import = [Edit::replace(0..14, "import asyncio as aio")];
    assert!(!facts.untouched_by(&import, &[asyncio]));
}

fn tidied(code: &str, previously_used: &[&str]) -> String {
    let src = SourceFile::new(code.as_bytes().to_vec()).unwrap();
    let used: Vec<Vec<u8>> = previously_used
        .iter()
        .map(|n| n.as_bytes().to_vec())
        .collect();
    String::from_utf8(tidy(&src, src.code(), &used, &[]).unwrap()).unwrap()
}

#[test]
fn unused_names_at_the_end_of_an_import_list_go_with_one_comma() {
    let code = "from asyncio import get_event_loop, new_event_loop, set_event_loop\nx = get_event_loop()\n";
    assert_eq!(
        tidied(code, &["new_event_loop", "set_event_loop"]),
        "from asyncio import get_event_loop\nx = get_event_loop()\n"
    );
    let code = "from asyncio import new_event_loop, get_event_loop, set_event_loop\nx = get_event_loop()\n";
    assert_eq!(
        tidied(code, &["new_event_loop", "set_event_loop"]),
        "from asyncio import get_event_loop\nx = get_event_loop()\n"
    );
    let code = "from asyncio import (\n    get_event_loop,\n    new_event_loop,\n    run,\n)\nx = get_event_loop()\n";
    assert_eq!(
        tidied(code, &["new_event_loop", "run"]),
        "from asyncio import (\n    get_event_loop,\n)\nx = get_event_loop()\n"
    );
}

#[test]
fn an_import_still_named_without_a_read_stays() {
    let kept = [
        "import asyncio\n__all__ = ['asyncio']\n",
        "import asyncio\n__all__ = []\n__all__ += [\"asyncio\"]\n",
        "import asyncio\nx: 'asyncio.Task' = None\n",
        "import asyncio\ndef f(t: 'Optional[asyncio.Task]') -> None:\n    pass\n",
        "import asyncio\ndef f() -> \"asyncio.Task\":\n    pass\n",
        "import asyncio\ndel asyncio\n",
        "import asyncio\ndef f():\n    global asyncio\n    asyncio = None\n",
    ];
    for code in kept {
        assert_eq!(tidied(code, &["asyncio"]), code, "{code}");
    }
    let gone = [
        "import asyncio\n__all__ = ['aio']\nx: 'y.asyncio' = 1\n",
        "import asyncio\n\"asyncio\"\n",
    ];
    for code in gone {
        assert!(!tidied(code, &["asyncio"]).contains("import"), "{code}");
    }
}
