//! The standard library's modules, which decide the section an added import goes to.

use tree_sitter::Node;

use crate::semantic::Model;

/// Standard-library modules, to place added imports (all of them stdlib) in the stdlib group, as
/// isort and ruff order imports.
pub(super) const STDLIB: &[&str] = &[
    "__future__",
    "abc",
    "argparse",
    "array",
    "ast",
    "asyncio",
    "base64",
    "bisect",
    "builtins",
    "calendar",
    "collections",
    "concurrent",
    "configparser",
    "contextlib",
    "contextvars",
    "copy",
    "csv",
    "ctypes",
    "dataclasses",
    "datetime",
    "decimal",
    "difflib",
    "email",
    "enum",
    "errno",
    "fnmatch",
    "fractions",
    "functools",
    "gc",
    "getpass",
    "glob",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "html",
    "http",
    "importlib",
    "inspect",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "logging",
    "math",
    "mimetypes",
    "multiprocessing",
    "numbers",
    "operator",
    "os",
    "pathlib",
    "pickle",
    "platform",
    "pprint",
    "queue",
    "random",
    "re",
    "secrets",
    "select",
    "shlex",
    "shutil",
    "signal",
    "socket",
    "sqlite3",
    "ssl",
    "stat",
    "string",
    "struct",
    "subprocess",
    "sys",
    "tempfile",
    "textwrap",
    "threading",
    "time",
    "timeit",
    "traceback",
    "types",
    "typing",
    "unittest",
    "urllib",
    "uuid",
    "warnings",
    "weakref",
    "xml",
    "zipfile",
    "zlib",
    "zoneinfo",
];

pub(super) fn is_stdlib_import(model: &Model, statement: Node) -> bool {
    let module = match statement.kind() {
        "import_from_statement" => statement.child_by_field_name("module_name"),
        _ => statement
            .child_by_field_name("name")
            .map(|n| n.child_by_field_name("name").unwrap_or(n)),
    };
    module.is_some_and(|m| {
        let text = String::from_utf8_lossy(model.node_text(m));
        let top = text.split('.').next().unwrap_or("").trim();
        STDLIB.contains(&top)
    })
}
