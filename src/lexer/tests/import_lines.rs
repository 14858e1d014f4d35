//! Tests of what the fast path reads in import statements: the names they bind, the modules they
//! name, their tokens, and where an import line ends.

use super::parse_needed;
use crate::lexer::imports::{import_tokens, imported_modules};

#[test]
fn imports_sharing_a_line_bind_names() {
    for code in [
        "try: from asyncio import run\nexcept ImportError: pass\nX = run(main())\n",
        "import os; from asyncio import run as go\nX = go(main())\n",
        "import asyncio; X = asyncio.run(main())\n",
        "if True: import asyncio as aio\nX = aio.run(main())\n",
    ] {
        assert!(parse_needed(code), "{code}");
    }
    let modules = imported_modules(
        b"try: import a.b\nexcept ImportError: pass\nimport os; from c import d\nx = 1; import e\nfrom f \\\n  import g\n",
    );
    for module in ["a.b", "os", "c", "c.d", "e", "f", "f.g"] {
        assert!(
            modules.contains(&module.to_owned()),
            "{module}: {modules:?}"
        );
    }
}

#[test]
fn imported_modules_are_listed() {
    let modules = imported_modules(
        b"import os, app.config as c\nfrom . import config\nfrom ..x import (a,\n  b as bb)\ndef f():\n    import json\n",
    );
    for module in [
        "os",
        "app.config",
        ".",
        ".config",
        "..x",
        "..x.a",
        "..x.b",
        "json",
    ] {
        assert!(
            modules.contains(&module.to_owned()),
            "{module}: {modules:?}"
        );
    }
    assert!(
        !modules.iter().any(|m| m.ends_with("bb") || m == "c"),
        "{modules:?}"
    );
}

#[test]
fn import_tokens_cover_multiline_imports() {
    let tokens = import_tokens(b"from app.config import (\n    SETTINGS,\n    other,\n)\nx = 1\n");
    for word in ["app", "config", "SETTINGS", "other"] {
        assert!(tokens.may_contain(word.as_bytes()), "{word}");
    }
    assert!(!tokens.may_contain(b"unrelated_name"));
    assert!(import_tokens(b"x = 1\n").is_empty());
}

#[test]
fn import_tokens_skip_prose_and_keep_imports_sharing_a_line() {
    for prose in [
        "\"\"\"You can import this module.\"\"\"\n",
        "# we import app lazily\n",
        "imports = important = 1\n",
    ] {
        assert!(import_tokens(prose.as_bytes()).is_empty(), "{prose}");
    }
    let tokens = import_tokens(
        b"try: import app.config\nexcept ImportError: pass\nx = 1; import other\nfrom.rel import name\nfrom cont \\\n    import joined\n",
    );
    for word in ["app", "config", "other", "rel", "name", "cont", "joined"] {
        assert!(tokens.may_contain(word.as_bytes()), "{word}");
    }
    assert!(!tokens.may_contain(b"ImportError"));
}

#[test]
fn import_lines_end_where_the_tokenizer_ends_them() {
    // A bracket in a comment or a string does not continue an import line.
    let tokens = import_tokens(b"import os  # (see below\nVALUE = other\n");
    assert!(tokens.may_contain(b"os"));
    assert!(!tokens.may_contain(b"VALUE"));
    let tokens = import_tokens(b"from m import (a,  # b)\n    c)\nd = 1\n");
    assert!(tokens.may_contain(b"c"));
    assert!(!tokens.may_contain(b"d"));
}
