//! The crate's layers, and the test that keeps them (docs/architecture.md explains each). A
//! module may use the modules of its own layer and of the layers below; a use that points up a
//! layer, or that closes a cycle between source files, fails the test. The test reads the source
//! files, strips comments and literals, and follows every `crate::`, `super::` and `self::` path
//! (in `use` declarations and in code) to the file that defines it.

mod source;

use std::collections::{BTreeMap, BTreeSet};

use self::source::{
    code_only, cycles, file_graph, module_path, paths_in, source_modules, use_tree,
};

/// The layers, lowest first, and the top-level modules in each. The crate root (`lib.rs`) sits
/// above them all.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "leaves",
        &[
            "diff", "fs", "io_error", "options", "paths", "rules", "source", "sync",
        ],
    ),
    ("syntax", &["lexer", "noqa", "syntax"]),
    ("diagnostic", &["diagnostic"]),
    ("semantic", &["semantic"]),
    ("detect", &["detect"]),
    ("project", &["project"]),
    ("fix", &["fix"]),
    ("analyze", &["analyze"]),
    ("settings", &["config", "settings"]),
    ("runner", &["runner", "walk"]),
    ("output", &["interactive", "output", "progress"]),
    ("server", &["server"]),
    ("app", &["app", "cli", "layers"]),
];

/// Uses that break the layering today, as `(from file, to file)` under `src/`; each is removed
/// when the code that needs it moves. A listed use that no longer exists fails the test too.
const KNOWN_EXCEPTIONS: &[(&str, &str)] = &[];

/// The layer of a file's top-level module; the crate root is above every layer.
fn layer_of(file: &str) -> Option<usize> {
    let path = module_path(file);
    let Some(top) = path.first() else {
        return Some(LAYERS.len());
    };
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&top.as_str()))
}

fn is_exception(from: &str, to: &str) -> bool {
    KNOWN_EXCEPTIONS.contains(&(from, to))
}

#[test]
fn every_module_has_a_layer() {
    let tops: BTreeSet<String> = source_modules()
        .iter()
        .filter_map(|s| s.path.first().cloned())
        .collect();
    let listed: BTreeSet<String> = LAYERS
        .iter()
        .flat_map(|(_, modules)| modules.iter().map(|m| (*m).to_owned()))
        .collect();
    assert_eq!(tops, listed, "top-level modules (left) and LAYERS (right)");
}

#[test]
fn uses_point_down_or_sideways() {
    let graph = file_graph();
    let mut upward = Vec::new();
    for (from, targets) in &graph {
        for to in targets {
            let (Some(a), Some(b)) = (layer_of(from), layer_of(to)) else {
                continue;
            };
            if b > a && !is_exception(from, to) {
                upward.push(format!("{from} ({}) uses {to} ({})", name(a), name(b)));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "uses that point up a layer:\n{}",
        upward.join("\n")
    );
}

fn name(layer: usize) -> &'static str {
    LAYERS.get(layer).map_or("crate root", |(name, _)| name)
}

#[test]
fn no_file_takes_part_in_a_cycle() {
    let found = cycles(&file_graph(), &is_exception);
    let text: Vec<String> = found.iter().map(|c| c.join(", ")).collect();
    assert!(found.is_empty(), "dependency cycles:\n{}", text.join("\n"));
}

#[test]
fn known_exceptions_still_exist() {
    let graph = file_graph();
    let stale: Vec<&(&str, &str)> = KNOWN_EXCEPTIONS
        .iter()
        .filter(|(from, to)| !graph.get(*from).is_some_and(|t| t.contains(*to)))
        .collect();
    assert!(stale.is_empty(), "exceptions no longer needed: {stale:?}");
}

#[test]
fn paths_are_found_and_resolved() {
    let code = code_only(
        "use crate::a::{b::C, d as e, self};\n// crate::commented::out\nfn f() { super::g::h(); let s = \"crate::in_string\"; }\nmod tests { use super::*; fn t() { self::x(); } }\n",
    );
    let here = vec!["m".to_owned(), "n".to_owned()];
    let known: BTreeSet<Vec<String>> = [vec!["m".to_owned(), "n".to_owned(), "k".to_owned()]]
        .into_iter()
        .collect();
    let found: Vec<String> = paths_in(&code, &here, &known)
        .iter()
        .map(|p| p.join("::"))
        .collect();
    assert_eq!(
        found,
        ["a::b::C", "a::d", "a", "m::g::h", "m::n", "m::n::tests::x"]
    );
    let child = code_only("pub use k::f;\nfn g() { k::h(); }\n");
    let found: Vec<String> = paths_in(&child, &here, &known)
        .iter()
        .map(|p| p.join("::"))
        .collect();
    assert_eq!(found, ["m::n::k::f", "m::n::k::h"]);
    assert_eq!(
        use_tree(" crate::x::{y, z::{w}}"),
        [vec!["crate", "x", "y"], vec!["crate", "x", "z", "w"]]
    );
}

#[test]
fn cycles_are_found() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a.rs", vec!["b.rs"]),
        ("b.rs", vec!["c.rs"]),
        ("c.rs", vec!["a.rs"]),
        ("d.rs", vec!["a.rs"]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.into_iter().map(str::to_owned).collect()))
    .collect();
    assert_eq!(
        cycles(&graph, &|_, _| false),
        vec![vec!["a.rs", "b.rs", "c.rs"]]
    );
}
