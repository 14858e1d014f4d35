//! Reading the crate's source for the layering test: each file's module path, its code without
//! comments and literals, the `crate::`/`super::`/`self::`/child-module paths it uses, the graph
//! of uses between files, and the cycles in that graph.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A source file of the crate and the module path it defines.
pub(super) struct SourceModule {
    pub(super) file: String,
    pub(super) path: Vec<String>,
    pub(super) text: String,
}

pub(super) fn source_modules() -> Vec<SourceModule> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .filter_map(|file| {
            let relative = file
                .strip_prefix(&root)
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            if relative == "main.rs" {
                // The binary is a crate of its own; it uses the library by its name.
                return None;
            }
            let text = std::fs::read_to_string(&file).ok()?;
            Some(SourceModule {
                path: module_path(&relative),
                file: relative,
                text,
            })
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `fix/lazy.rs` is `fix::lazy`, `fix/mod.rs` is `fix`, `lib.rs` is the crate root.
pub(super) fn module_path(relative: &str) -> Vec<String> {
    let without = relative.strip_suffix(".rs").unwrap_or(relative);
    let mut parts: Vec<String> = without.split('/').map(str::to_owned).collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

/// The code of a Rust file with comments and the contents of string and character literals
/// blanked out (lengths kept), so that only code is searched for paths.
pub(super) fn code_only(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let mut i = 0;
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for b in &mut out[from..to] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    };
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let end = bytes[i..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(bytes.len(), |p| i + p);
                blank(&mut out, i, end);
                i = end;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let mut depth = 0;
                let start = i;
                while i < bytes.len() {
                    if bytes[i..].starts_with(b"/*") {
                        depth += 1;
                        i += 2;
                    } else if bytes[i..].starts_with(b"*/") {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
                blank(&mut out, start, i);
            }
            b'r' if raw_string_hashes(&bytes[i..]).is_some()
                && (i == 0 || !is_ident_byte(bytes[i - 1])) =>
            {
                let hashes = raw_string_hashes(&bytes[i..]).unwrap_or(0);
                let start = i;
                i += 2 + hashes;
                let closing: Vec<u8> = std::iter::once(b'"')
                    .chain(std::iter::repeat_n(b'#', hashes))
                    .collect();
                while i < bytes.len() && !bytes[i..].starts_with(&closing) {
                    i += 1;
                }
                i = (i + closing.len()).min(bytes.len());
                blank(&mut out, start, i);
            }
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(bytes.len());
                blank(&mut out, start, i);
            }
            b'\'' => {
                // A character literal (`'x'`, `'\n'`, `'\u{e9}'`), not a lifetime (`'t`).
                let rest = &bytes[i + 1..];
                let len = if rest.first() == Some(&b'\\') {
                    rest.iter().skip(1).position(|&b| b == b'\'').map(|p| p + 2)
                } else {
                    let width = text[i + 1..].chars().next().map_or(1, char::len_utf8);
                    (rest.get(width) == Some(&b'\'')).then_some(width)
                };
                match len {
                    Some(len) => {
                        blank(&mut out, i, i + len + 2);
                        i += len + 2;
                    }
                    None => i += 1,
                }
            }
            _ => i += 1,
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The number of `#` of a raw string starting at `text` (`r"`, `r#"`), if one starts there.
fn raw_string_hashes(text: &[u8]) -> Option<usize> {
    let rest = text.strip_prefix(b"r")?;
    let hashes = rest.iter().take_while(|&&b| b == b'#').count();
    (rest.get(hashes) == Some(&b'"')).then_some(hashes)
}

fn is_ident_byte(byte: u8) -> bool {
    byte == b'_' || byte.is_ascii_alphanumeric()
}

/// Every path in `code` that starts with `crate`, `super`, `self` or the name of a child module
/// (one of `known`), resolved against the module it appears in (`module`, plus the inline
/// modules around it), as absolute segments.
pub(super) fn paths_in(
    code: &str,
    module: &[String],
    known: &BTreeSet<Vec<String>>,
) -> Vec<Vec<String>> {
    let bytes = code.as_bytes();
    let mut found = Vec::new();
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if byte == b'{' {
            depth += 1;
            i += 1;
            continue;
        }
        if byte == b'}' {
            depth = depth.saturating_sub(1);
            if inline.last().is_some_and(|(_, d)| *d == depth) {
                inline.pop();
            }
            i += 1;
            continue;
        }
        if !is_ident_byte(byte) || (i > 0 && (is_ident_byte(bytes[i - 1]))) {
            i += 1;
            continue;
        }
        let word_end = i + bytes[i..].iter().take_while(|&&b| is_ident_byte(b)).count();
        let word = &code[i..word_end];
        let here: Vec<String> = module
            .iter()
            .cloned()
            .chain(inline.iter().map(|(name, _)| name.clone()))
            .collect();
        if word == "mod" {
            // `mod name {` opens an inline module.
            let rest = code[word_end..].trim_start();
            let name: String = rest
                .chars()
                .take_while(|&c| is_ident_byte(c as u8))
                .collect();
            if !name.is_empty() && rest[name.len()..].trim_start().starts_with('{') {
                inline.push((name, depth));
            }
            i = word_end;
            continue;
        }
        if word == "use" {
            let end = code[word_end..]
                .find(';')
                .map_or(code.len(), |p| word_end + p);
            for path in use_tree(&code[word_end..end]) {
                if let Some(resolved) = resolve(&path, &here, known) {
                    found.push(resolved);
                }
            }
            i = end;
            continue;
        }
        let preceded_by_path = code[..i].trim_end().ends_with("::");
        let starts_a_path =
            matches!(word, "crate" | "super" | "self") || is_child(&here, word, known);
        if starts_a_path && !preceded_by_path && code[word_end..].starts_with("::") {
            let mut segments = vec![word.to_owned()];
            let mut at = word_end;
            while code[at..].starts_with("::") {
                let next: String = code[at + 2..]
                    .chars()
                    .take_while(|&c| c.is_ascii() && is_ident_byte(c as u8))
                    .collect();
                if next.is_empty() {
                    break;
                }
                at += 2 + next.len();
                segments.push(next);
            }
            if segments.len() > 1
                && let Some(resolved) = resolve(&segments, &here, known)
            {
                found.push(resolved);
            }
            i = at;
            continue;
        }
        i = word_end;
    }
    found
}

/// The paths a `use` tree names: `crate::a::{b, c::d as e, self}` gives `crate::a::b`,
/// `crate::a::c::d` and `crate::a`.
pub(super) fn use_tree(text: &str) -> Vec<Vec<String>> {
    fn parse(text: &str, prefix: &[String], out: &mut Vec<Vec<String>>) {
        for item in split_top_level(text) {
            let item = item.trim();
            if item.is_empty() {
                continue;
            }
            let (head, group) = match item.find('{') {
                Some(open) => (
                    &item[..open],
                    Some(&item[open + 1..item.rfind('}').unwrap_or(item.len())]),
                ),
                None => (item, None),
            };
            let head = head.split(" as ").next().unwrap_or(head);
            let mut path: Vec<String> = prefix.to_vec();
            path.extend(
                head.split("::")
                    .map(str::trim)
                    .filter(|s| !s.is_empty() && *s != "*")
                    .map(str::to_owned),
            );
            if path.last().is_some_and(|s| s == "self") && path.len() > 1 {
                path.pop();
            }
            match group {
                Some(group) => parse(group, &path, out),
                None => out.push(path),
            }
        }
    }
    let mut out = Vec::new();
    parse(text, &[], &mut out);
    out
}

/// `text` split at the commas outside braces.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// Whether `word` names a child module of `here`.
fn is_child(here: &[String], word: &str, known: &BTreeSet<Vec<String>>) -> bool {
    let mut child = here.to_vec();
    child.push(word.to_owned());
    known.contains(&child)
}

/// A path seen in module `here` made absolute: one that starts with `crate`, `super`, `self` or
/// a child module of `here`; `None` for other paths (a dependency's, `std`'s).
fn resolve(path: &[String], here: &[String], known: &BTreeSet<Vec<String>>) -> Option<Vec<String>> {
    let mut segments = path.iter();
    let first = segments.next()?;
    let mut absolute: Vec<String> = match first.as_str() {
        "crate" => Vec::new(),
        "self" => here.to_vec(),
        "super" => {
            let mut base = here.to_vec();
            base.pop();
            base
        }
        word if is_child(here, word, known) => {
            let mut base = here.to_vec();
            base.push(word.to_owned());
            base
        }
        _ => return None,
    };
    for segment in segments {
        if segment == "super" {
            absolute.pop();
        } else {
            absolute.push(segment.clone());
        }
    }
    Some(absolute)
}

/// The file that defines the longest module prefix of `path`.
fn file_of<'m>(path: &[String], modules: &'m BTreeMap<Vec<String>, String>) -> &'m str {
    (0..=path.len())
        .rev()
        .find_map(|len| modules.get(&path[..len]))
        .map_or("lib.rs", String::as_str)
}

/// The uses between files: `from -> {to}`.
pub(super) fn file_graph() -> BTreeMap<String, BTreeSet<String>> {
    let sources = source_modules();
    let modules: BTreeMap<Vec<String>, String> = sources
        .iter()
        .map(|s| (s.path.clone(), s.file.clone()))
        .collect();
    let known: BTreeSet<Vec<String>> = modules.keys().cloned().collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for source in &sources {
        let edges = graph.entry(source.file.clone()).or_default();
        for path in paths_in(&code_only(&source.text), &source.path, &known) {
            let to = file_of(&path, &modules);
            if to != source.file {
                edges.insert(to.to_owned());
            }
        }
    }
    graph
}

/// The files of each cycle of the graph (Tarjan's strongly connected components).
pub(super) fn cycles(
    graph: &BTreeMap<String, BTreeSet<String>>,
    is_exception: &dyn Fn(&str, &str) -> bool,
) -> Vec<Vec<String>> {
    struct State<'g> {
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        is_exception: &'g dyn Fn(&str, &str) -> bool,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        components: Vec<Vec<String>>,
    }
    fn visit<'g>(state: &mut State<'g>, node: &'g str) {
        let next = state.index.len();
        state.index.insert(node, next);
        state.low.insert(node, next);
        state.stack.push(node);
        state.on_stack.insert(node);
        let targets = state.graph.get(node).into_iter().flatten();
        for target in targets {
            let target = target.as_str();
            if (state.is_exception)(node, target) {
                continue;
            }
            if !state.index.contains_key(target) {
                visit(state, target);
                let low = state.low[node].min(state.low[target]);
                state.low.insert(node, low);
            } else if state.on_stack.contains(target) {
                let low = state.low[node].min(state.index[target]);
                state.low.insert(node, low);
            }
        }
        if state.low[node] == state.index[node] {
            let mut component = Vec::new();
            while let Some(top) = state.stack.pop() {
                state.on_stack.remove(top);
                component.push(top.to_owned());
                if top == node {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                state.components.push(component);
            }
        }
    }
    let mut state = State {
        graph,
        is_exception,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        components: Vec::new(),
    };
    for node in graph.keys() {
        if !state.index.contains_key(node.as_str()) {
            visit(&mut state, node);
        }
    }
    state.components
}
