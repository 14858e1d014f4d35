//! The lexical fast path's tests: verdicts on small modules, the skip of function bodies, logical
//! lines; the import statements' tests are in `import_lines`.

use super::imports::{import_tokens, imported_modules};
use super::prefilter::parse_verdict;
use super::scan::{ParseNeed, Scan, called_at_import_time, verdict};
use super::tokens::for_each_logical_line;

mod import_lines;

/// The scan's verdict alone (the needle search before it left out).
fn parse_need(code: &str) -> ParseNeed {
    verdict(code.as_bytes()).0
}

fn parse_needed(code: &str) -> bool {
    parse_need(code) != ParseNeed::Skip
}

/// [`Scan::run`] without skipping any line: every logical line tokenized and scanned.
fn scan_every_line(code: &[u8]) -> bool {
    let mut scan = Scan::default();
    let mut found = false;
    for_each_logical_line(code, |line| {
        found = scan.line(line);
        !found
    });
    found
}

#[test]
fn names_that_cannot_be_called_need_no_parse() {
    for code in [
        "import asyncio\nclass Runner:\n    pass\n",
        "import asyncio\nclass Holder:\n    runner: asyncio.Runner\n",
        "from asyncio import Runner\n_runner: Runner\n",
        "import asyncio\ndef f(runner: asyncio.Runner) -> asyncio.Runner:\n    return runner\n",
        "import asyncio\nR = asyncio.Runner\n",
        "import asyncio\ndef f(factory=asyncio.new_event_loop):\n    return factory()\n",
        "from asyncio import get_event_loop\nget = get_event_loop\nL = get()\n",
    ] {
        assert!(!parse_needed(code), "{code}");
    }
    for code in [
        "from asyncio import run\n@run\nasync def main():\n    pass\n",
        "import asyncio\nx: asyncio.Runner = make()\n",
        "import asyncio\nclass A(asyncio.Runner):\n    pass\n",
        "import asyncio\nclass A:\n    loop = asyncio.get_event_loop()\n",
        "import asyncio\ndef f(loop=asyncio.new_event_loop()):\n    pass\n",
    ] {
        assert!(parse_needed(code), "{code}");
    }
}

#[test]
fn skipped_bodies_end_where_tokenized_ones_do() {
    // Each body holds something that could end a naive skip early or late; each module
    // ends with an import-time loop call that only a correct skip still sees.
    let bodies = [
        "    x = f(1,\nasyncio.run(y))\n",
        "    y = 1 + \\\nasyncio.run(z)\n",
        "    s = '''\nclass A:\nasyncio.run(x)\n'''\n",
        "    s = \"(\" + ')'  # ( unbalanced in strings and comments '\n",
        "    y = 1 + \\\n        2\n",
        "    t = f\"{d['k']}\" + rb'\\'\n",
        "    u = [\n        1,\n    ]\n    if x:\n        pass\n",
        "    v = f'''{x\n}'''\n",
        "    w = '\\''\n",
        "    z = 1\n  # a comment less indented than the body\n    z = 2\n",
    ];
    for body in bodies {
        for tail in ["asyncio.run(main())\n", "x = 1\n"] {
            // An async function's body is skipped (a module-level sync one's is not).
            let code = format!("import asyncio\n\nasync def f():\n{body}\n{tail}");
            let skipping = Scan::default().run(code.as_bytes());
            assert_eq!(skipping, scan_every_line(code.as_bytes()), "{code}");
            assert_eq!(skipping, tail.starts_with("asyncio"), "{code}");
        }
    }
}

#[test]
fn needles_in_strings_comments_and_bodies_need_no_parse() {
    assert!(!parse_needed(
        "import asyncio\n\nasync def f():\n    await asyncio.sleep(1)\n"
    ));
    assert!(!parse_needed(
        "import asyncio\nX = 'asyncio.run(f())'  # asyncio.run\n"
    ));
    assert!(!parse_needed(
        "import asyncio\nDOC = \"\"\"\nasyncio.run(x)\n\"\"\"\n"
    ));
    assert!(!parse_needed(
        "import asyncio\nclass T:\n    def test(self):\n        self.loop.run_until_complete(x)\n"
    ));
    assert!(!parse_needed(
        "import asyncio\n\nif __name__ == '__main__':\n    asyncio.run(main())\n"
    ));
    assert!(!parse_needed(
        "import asyncio\nif __name__ == '__main__': asyncio.run(main())\n"
    ));
}

#[test]
fn import_time_code_needs_the_parse() {
    assert!(parse_needed("import asyncio\nX = asyncio.run(f())\n"));
    assert!(parse_needed("import asyncio as aio\nX = aio.run(f())\n"));
    assert!(parse_needed("from asyncio import run as go\nX = go(f())\n"));
    assert!(parse_needed("from asyncio import *\nX = run(f())\n"));
    assert!(parse_needed(
        "import asyncio\ntry:\n    X = asyncio.run(f())\nexcept E:\n    pass\n"
    ));
    assert!(parse_needed(
        "import asyncio\nclass C:\n    X = asyncio.run(f())\n"
    ));
    assert!(parse_needed(
        "import asyncio\ndef f(x=asyncio.run(g())):\n    pass\n"
    ));
    assert!(parse_needed(
        "import asyncio\nX = f\"{asyncio.run(g())}\"\n"
    ));
    assert!(parse_needed(
        "import asyncio\nif __name__ != '__main__':\n    asyncio.run(g())\n"
    ));
    assert!(parse_needed(
        "import asyncio\nif __name__ == 'app':\n    asyncio.run(g())\n"
    ));
    // Every branch of the entry-point guard is left alone (an entry point is not import time).
    assert!(!parse_needed(
        "import asyncio\nif __name__ == '__main__':\n    pass\nelse:\n    asyncio.run(g())\n"
    ));
}

#[test]
fn module_level_sync_functions_that_may_run_a_loop_need_the_parse() {
    assert!(parse_needed(
        "import asyncio\ndef load():\n    return asyncio.run(f())\n"
    ));
    assert!(parse_needed(
        "import asyncio\ndef load(): return asyncio.run(f())\n"
    ));
    assert!(!parse_needed(
        "import asyncio\nasync def load():\n    return await asyncio.sleep(0)\n"
    ));
    assert!(!parse_needed(
        "import asyncio\ndef later(x):\n    return asyncio.sleep(x)\n"
    ));
    assert!(parse_needed(
        "import asyncio as aio\ndef load():\n    return aio.run(f())\n"
    ));
    assert!(parse_needed(
        "from asyncio import run as go\ndef load():\n    return go(f())\n"
    ));
    assert!(parse_needed(
        "import asyncio\ndef load(loop):\n    loop.run_until_complete(f())\n"
    ));
}

#[test]
fn loop_functions_wait_for_an_importer_unless_the_module_calls_them_at_import_time() {
    let need = |code: &str| parse_need(code);
    // Defined, called only from a test method: another module may import and call it.
    assert_eq!(
        need(
            "import asyncio\ndef load():\n    return asyncio.run(f())\nclass T:\n    def test(self):\n        load()\n"
        ),
        ParseNeed::IfImported
    );
    assert_eq!(
        need("import asyncio\ndef load(): return asyncio.run(f())\n"),
        ParseNeed::IfImported
    );
    // Called at import time, directly, from a class body, a decorator or a default.
    let with_load = |use_site: &str| {
        format!("import asyncio\ndef load():\n    return asyncio.run(f())\n{use_site}")
    };
    for use_site in [
        "X = load()\n",
        "class C:\n    X = load()\n",
        "@register(load())\ndef g():\n    pass\n",
        "def g(x=load()):\n    pass\n",
        "X = load (\n)\n",
    ] {
        assert_eq!(need(&with_load(use_site)), ParseNeed::Parse, "{use_site}");
    }
    // Named but not called (the analysis reports only calls): a parameter, an argument, an
    // alias, an attribute of another object.
    for mention in [
        "def g(load):\n    pass\n",
        "def g(x: load = None):\n    pass\n",
        "@register(load)\ndef g():\n    pass\n",
        "ALIAS = load\n",
        "X = other.load\n",
    ] {
        assert_eq!(
            need(&with_load(mention)),
            ParseNeed::IfImported,
            "{mention}"
        );
    }
    // Called at import time through a sync wrapper, defined before or after it.
    assert_eq!(
        need(
            "import asyncio\ndef outer():\n    return inner()\ndef inner():\n    return asyncio.run(f())\nX = outer()\n"
        ),
        ParseNeed::Parse
    );
    assert_eq!(
        need(
            "import asyncio\ndef a():\n    return b()\ndef b():\n    return c()\ndef c():\n    asyncio.run(f())\nX = a()\n"
        ),
        ParseNeed::Parse
    );
    // A wrapper that is itself not called at import time changes nothing.
    assert_eq!(
        need(
            "import asyncio\ndef outer():\n    return inner()\ndef inner():\n    return asyncio.run(f())\n"
        ),
        ParseNeed::IfImported
    );
    assert_eq!(
        need("import asyncio\nX = asyncio.run(f())\n"),
        ParseNeed::Parse
    );
    assert_eq!(
        need("import asyncio\nQ = asyncio.Queue()\n"),
        ParseNeed::Skip
    );
    // A caller calls the function by name: `ctx.run(...)` is not a call of a module's `run`.
    assert_eq!(
        need(
            "import asyncio\ndef run():\n    return asyncio.run(f())\ndef frames(ctx):\n    return ctx.run(g)\nN = frames(None)\n"
        ),
        ParseNeed::IfImported
    );
    // A `Runner` of the module's own (trio's) or in an annotation runs no asyncio loop.
    for code in [
        "class Runner:\n    pass\ndef setup():\n    return Runner()\nR = setup()\n",
        "import asyncio\ndef fixture():\n    def inner(request) -> Iterator[asyncio.Runner]:\n        yield\n    return inner\nF = fixture()\n",
    ] {
        assert_eq!(need(code), ParseNeed::Skip, "{code}");
    }
    assert_eq!(
        need("from asyncio import Runner\ndef setup():\n    return Runner()\nR = setup()\n"),
        ParseNeed::Parse
    );
}

#[test]
fn loop_modules_count_only_next_to_an_entry_point() {
    assert!(!parse_needed("import asyncio\nQ = asyncio.Queue\n"));
    assert!(!parse_needed(
        "from asyncio import futures\n@skipUnless(hasattr(futures, '_C'), 'x')\nclass T:\n    pass\n"
    ));
    assert!(!parse_needed(
        "import asyncio\nclass L:\n    def run_until_complete(self, f):\n        pass\n"
    ));
    assert!(!parse_needed(
        "import asyncio\ndef wrap(f):\n    def inner():\n        return asyncio.run(f())\n    return inner\n"
    ));
    assert!(!parse_needed(
        "from asyncio import iscoroutinefunction\ndef f(o):\n    return iscoroutinefunction(o)\n"
    ));
    assert!(parse_needed(
        "import asyncio\nP = asyncio.get_event_loop_policy().new_event_loop()\n"
    ));
    assert!(parse_needed(
        "from asyncio import events\nL = events.get_event_loop()\n"
    ));
    assert!(parse_needed(
        "import asyncio.events as ev\nX = ev.run(f())\n"
    ));
}

#[test]
fn words_called_at_import_time() {
    let code = b"from util import run_until, helper\nX = helper()\nclass T:\n    def test(self):\n        run_until(1)\n";
    assert!(!called_at_import_time(code, &[b"run_until"]));
    assert!(called_at_import_time(code, &[b"helper"]));
}

#[test]
fn bare_loop_names_count_only_where_a_loop_module_may_bind_them() {
    // A module's own `get_event_loop` (asyncio's `events.py`): aliases and calls of it are
    // not asyncio's.
    let own = "def get_event_loop():\n    return None\n_saved = get_event_loop\nLOOP = get_event_loop()\n";
    assert!(!parse_needed(own), "{own}");
    // A `from` import of a loop module anywhere (later, in a skipped block, as `*`, after a
    // line continuation) may bind the name: parse.
    for import in [
        "from asyncio import get_event_loop\n",
        "if TYPE_CHECKING:\n    from asyncio import get_event_loop\n",
        "from asyncio.events import *\n",
        "def f():\n    from  asyncio import get_event_loop\n",
        "from \\\n    asyncio import get_event_loop\n",
    ] {
        let code = format!("{own}{import}");
        assert!(parse_needed(&code), "{code}");
    }
    // An attribute is a candidate whatever its object.
    assert!(parse_needed(
        "import events\nLOOP = events.get_event_loop()\n"
    ));
    // `import asyncio` binds the module, not its functions; prose does not count.
    for code in [
        "import asyncio\nLOOP = get_event_loop()\n",
        "# adapted from the asyncio docs\nLOOP = get_event_loop()\n",
        "import fromasyncio\nLOOP = get_event_loop()\n",
    ] {
        assert!(!parse_needed(code), "{code}");
    }
}

#[test]
fn indents_are_measured_as_cpython_measures_them() {
    // A form feed sets the column back to zero: the run is at module level (the property
    // tests found the fast path skipping it as if it were in `main`'s body).
    assert!(parse_needed(
        "import asyncio\nasync def main():\n    await asyncio.sleep(0)\n\x0cQ = asyncio.run(main())\n"
    ));
    // A tab goes to the next multiple of eight: `  \t` is one level, as eight spaces are.
    assert!(!parse_needed(
        "import asyncio\nasync def main():\n  \tQ = 1\n        asyncio.run(main())\n"
    ));
}

#[test]
fn deferred_modules_name_their_possible_loop_functions_and_callers() {
    let code = b"import asyncio\ndef load():\n    return asyncio.run(f())\ndef twice():\n    return load(), load()\ndef other():\n    return 1\n";
    let (need, mut names) = verdict(code);
    assert_eq!(need, ParseNeed::IfImported);
    names.sort_unstable();
    assert_eq!(names, vec![b"load".as_slice(), b"twice"]);
}

#[test]
fn bracketed_lines_join() {
    assert!(parse_needed(
        "import asyncio\nX = (\n    asyncio.run(\n        f()\n    )\n)\n"
    ));
    assert!(!parse_needed("import asyncio\nX = (\n    1,\n    2,\n)\n"));
}

#[test]
fn backslash_continuations_join_lines_whatever_the_line_break() {
    for newline in ["\n", "\r\n", "\r"] {
        let continued =
            format!("import asyncio{newline}X = asyncio \\{newline}.run(main()){newline}");
        assert!(parse_needed(&continued), "{continued:?}");
        let in_string = format!(
            "import asyncio{newline}S = 'a \\{newline}b'{newline}X = asyncio.run(main()){newline}"
        );
        assert!(parse_needed(&in_string), "{in_string:?}");
        let body = format!(
            "import asyncio{newline}async def f():{newline}    y = 1 + \\{newline}2{newline}X = asyncio.run(main()){newline}"
        );
        assert!(parse_needed(&body), "{body:?}");
        let import = format!("from pkg \\{newline}    import name{newline}");
        assert!(
            import_tokens(import.as_bytes()).may_contain(b"name"),
            "{import:?}"
        );
        assert!(
            import_tokens(import.as_bytes()).may_contain(b"pkg"),
            "{import:?}"
        );
        let list = format!("import a, \\{newline}    b{newline}x = 1{newline}");
        assert!(import_tokens(list.as_bytes()).may_contain(b"b"), "{list:?}");
        assert!(
            !import_tokens(list.as_bytes()).may_contain(b"x"),
            "{list:?}"
        );
        let modules = imported_modules(import.as_bytes());
        assert!(modules.contains(&"pkg.name".to_owned()), "{modules:?}");
    }
}

#[test]
fn classes_whose_constructor_or_factory_runs_a_loop_are_loop_functions() {
    let database = "import asyncio\nclass Database:\n    def __init__(self):\n        self.pool = asyncio.run(f())\n";
    // Another module may build it: the parse waits for an importer that calls `Database`.
    assert_eq!(
        parse_verdict(database.as_bytes(), false),
        (ParseNeed::IfImported, vec![b"Database".as_slice()])
    );
    assert!(parse_needed(&format!("{database}db = Database()\n")));
    let factory = "import asyncio\nclass Settings:\n    @classmethod\n    def load(cls):\n        return asyncio.run(f())\n";
    assert_eq!(
        parse_verdict(factory.as_bytes(), false),
        (ParseNeed::IfImported, vec![b"load".as_slice()])
    );
    assert!(parse_needed(&format!("{factory}S = Settings.load()\n")));
    // Other methods, and methods of nested classes, run when called on an instance.
    assert_eq!(
        parse_need(
            "import asyncio\nclass Job:\n    def run(self):\n        return asyncio.run(f())\n"
        ),
        ParseNeed::Skip
    );
    assert_eq!(
        parse_need(
            "import asyncio\nclass A:\n    class B:\n        def __init__(self):\n            asyncio.run(f())\n"
        ),
        ParseNeed::Skip
    );
}

#[test]
fn names_in_compatibility_characters_ask_for_the_parse() {
    use super::prefilter::{first_look, spells_names_in_compatibility_characters};
    // No needle in the bytes: only the spelling Python normalizes names `asyncio`.
    for code in [
        "import ａｓｙｎｃｉｏ\nX = ａｓｙｎｃｉｏ.run(f())\n",
        "from ａｓｙｎｃｉｏ import ｒｕｎ\nX = ｒｕｎ(f())\n",
        "import 𝐚syncio\nX = 𝐚syncio.run(f())\n",
    ] {
        assert!(first_look(code.as_bytes()).might_contain_loop, "{code}");
        assert_eq!(
            parse_verdict(code.as_bytes(), false).0,
            ParseNeed::Parse,
            "{code}"
        );
    }
    // A needle whose calls the scan would settle is parsed when names are full-width.
    let attribute = "import asyncio\nX = asyncio.ｒｕｎ(f())\n";
    assert_eq!(
        parse_verdict(attribute.as_bytes(), false).0,
        ParseNeed::Parse
    );
    // Other scripts, accents, CJK prose with full-width punctuation, and emoji do not.
    for code in [
        "s = 'café, naïve, Straße, Ελληνικά, 日本語（テスト）：一、二。'\n",
        "# 注释，说明：这里没有事件循环 🎉\nnombre = 'ñandú'\n",
        "café = 1\n",
    ] {
        assert!(
            !spells_names_in_compatibility_characters(code.as_bytes()),
            "{code}"
        );
        assert!(!first_look(code.as_bytes()).might_contain_loop, "{code}");
        assert_eq!(
            parse_verdict(code.as_bytes(), false).0,
            ParseNeed::Skip,
            "{code}"
        );
    }
    assert!(!spells_names_in_compatibility_characters(
        b"x = '\xff\xfe'\n"
    ));
}
