//! Which files to process: the paths given (files always, unless `--force-exclude` excludes
//! them), and the Python files under the directories given, honouring `.gitignore`, `.ignore`,
//! hidden directories and the configured exclusions.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::{WalkBuilder, WalkState};
use rayon::slice::ParallelSliceMut;

use crate::settings::Resolver;

/// A path that could not be walked.
#[derive(Debug, Clone)]
pub struct WalkError {
    /// The path.
    pub path: PathBuf,
    /// Why.
    pub message: String,
}

/// The files to process, sorted, and the paths that could not be walked.
pub fn collect_files(
    paths: &[PathBuf],
    resolver: &Arc<Resolver>,
) -> (Vec<PathBuf>, Vec<WalkError>) {
    let (files, errors) = walk_files(paths, resolver, |_| ());
    (files.into_iter().map(|(path, ())| path).collect(), errors)
}

/// Walks `paths` and calls `visit` on every file to process (the files named, and the Python
/// files under the directories named) in the walker's threads, so that work on files overlaps
/// the walk. Returns the results sorted by path, and the paths that could not be walked.
/// `visit` runs on threads with ordinary stacks: it must not recurse deeply.
pub fn walk_files<T: Send>(
    paths: &[PathBuf],
    resolver: &Arc<Resolver>,
    visit: impl Fn(&Path) -> T + Sync,
) -> (Vec<(PathBuf, T)>, Vec<WalkError>) {
    let mut found: Vec<(PathBuf, T)> = Vec::new();
    let mut errors = Vec::new();
    let mut roots = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => roots.push(path.clone()),
            Ok(_) => match resolver.settings_for_file(path) {
                Ok(settings)
                    if settings.force_exclude && settings.is_excluded_with_parents(path) => {}
                Ok(_) => found.push((path.clone(), visit(path))),
                Err(e) => errors.push(WalkError {
                    path: path.clone(),
                    message: e.to_string(),
                }),
            },
            Err(e) => errors.push(WalkError {
                path: path.clone(),
                message: crate::io_error::reason(&e),
            }),
        }
    }
    if !roots.is_empty() {
        let (walked, walk_errors) = walk(&roots, resolver, &visit);
        found.extend(walked);
        errors.extend(walk_errors);
    }
    sort_by_path(&mut found);
    found.dedup_by(|a, b| a.0 == b.0);
    (found, errors)
}

fn walk<T: Send>(
    roots: &[PathBuf],
    resolver: &Arc<Resolver>,
    visit: &(impl Fn(&Path) -> T + Sync),
) -> (Vec<(PathBuf, T)>, Vec<WalkError>) {
    let mut builder = WalkBuilder::new(&roots[0]);
    for root in &roots[1..] {
        builder.add(root);
    }
    builder.standard_filters(true).follow_links(false);
    let filter_resolver = Arc::clone(resolver);
    builder.filter_entry(move |entry| {
        if entry.depth() == 0 {
            return true;
        }
        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
        if !is_dir && !is_python(entry.path()) {
            return false;
        }
        let settings = if is_dir {
            filter_resolver.settings_for_dir(entry.path())
        } else {
            filter_resolver.settings_for_file(entry.path())
        };
        settings.map_or(true, |s| !s.is_excluded(entry.path()))
    });
    let files = Mutex::new(Vec::new());
    let errors = Mutex::new(Vec::new());
    builder.build_parallel().run(|| {
        Box::new(|result| {
            match result {
                Ok(entry) => {
                    let is_file = entry.file_type().is_some_and(|t| t.is_file());
                    if is_file && is_python(entry.path()) {
                        let outcome = visit(entry.path());
                        crate::sync::lock(&files).push((entry.into_path(), outcome));
                    }
                }
                Err(err) => crate::sync::lock(&errors).push(walk_error(err)),
            }
            WalkState::Continue
        })
    });
    (
        crate::sync::into_inner(files),
        crate::sync::into_inner(errors),
    )
}

/// Sorts `items` by path, in the order of [`Path::cmp`] (component by component), in
/// parallel. On Unix, when every path is plain components after one shared head (`/`, `./`,
/// `../`), comparing bytes with `/` below every other byte gives that order, and the paths are
/// sorted by such byte keys, at a fraction of the cost of comparing components; otherwise by
/// `Path::cmp`.
pub fn sort_by_path<T: Send>(items: &mut Vec<(PathBuf, T)>) {
    #[cfg(unix)]
    if sort_by_byte_keys(items) {
        return;
    }
    items.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
}

/// [`sort_by_path`] by byte keys; `false` (and `items` untouched) when the paths are not all
/// plain components under one head. Unix only: elsewhere `/` is not the only separator.
#[cfg(unix)]
fn sort_by_byte_keys<T: Send>(items: &mut Vec<(PathBuf, T)>) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let head = |path: &Path| {
        let bytes = path.as_os_str().as_bytes();
        let special = bytes
            .split(|&c| c == b'/')
            .take_while(|c| matches!(*c, b"" | b"." | b".."))
            .map(|c| c.len() + 1)
            .sum::<usize>();
        special.min(bytes.len())
    };
    let Some(first) = items.first() else {
        return true;
    };
    let first = first.0.as_os_str().as_bytes();
    let shared_head = &first[..head(&items[0].0)];
    let keyed = items.iter().all(|(path, _)| {
        let bytes = path.as_os_str().as_bytes();
        let at = head(path);
        &bytes[..at] == shared_head && plain_components(&bytes[at..])
    });
    if !keyed {
        return false;
    }
    let mut keyed: Vec<(Vec<u8>, (PathBuf, T))> = std::mem::take(items)
        .into_iter()
        .map(|item| {
            let key = item
                .0
                .as_os_str()
                .as_bytes()
                .iter()
                .map(|&c| if c == b'/' { 0 } else { c })
                .collect();
            (key, item)
        })
        .collect();
    keyed.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    items.extend(keyed.into_iter().map(|(_, item)| item));
    true
}

/// Whether `rest` is one or more `/`-separated components, none of them empty, `.` or `..`.
#[cfg(unix)]
fn plain_components(rest: &[u8]) -> bool {
    rest.split(|&c| c == b'/')
        .all(|component| !matches!(component, b"" | b"." | b".."))
}

/// `.py` and `.pyi` files.
pub fn is_python(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("py" | "pyi")
    )
}

fn walk_error(err: ignore::Error) -> WalkError {
    let path = error_path(&err).unwrap_or_default();
    let message = match &err {
        ignore::Error::WithPath { err, .. } => err.to_string(),
        ignore::Error::WithDepth { err, .. } => err.to_string(),
        other => other.to_string(),
    };
    WalkError { path, message }
}

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn path() -> impl Strategy<Value = PathBuf> {
        let component = prop::sample::select(vec![
            "a", "b", "ab", "a-b", "a.b", "a_b", "-", ".", "..", "", "Z", "\u{e9}",
        ]);
        let start = prop::sample::select(vec!["", "/", "./", "../"]);
        (start, prop::collection::vec(component, 1..6))
            .prop_map(|(start, parts)| PathBuf::from(format!("{start}{}", parts.join("/"))))
    }

    fn sorted(mut paths: Vec<PathBuf>) -> Vec<PathBuf> {
        let mut items: Vec<(PathBuf, ())> = paths.drain(..).map(|p| (p, ())).collect();
        sort_by_path(&mut items);
        items.into_iter().map(|(p, ())| p).collect()
    }

    proptest! {
        #[test]
        fn paths_sort_in_the_order_of_their_components(
            paths in prop::collection::vec(path(), 0..40),
            root in prop::sample::select(vec!["", "/", "./", "../", "tree/", "./tree/"]),
        ) {
            // Any paths, and paths under one root as a walk gives them.
            for paths in [paths.clone(), paths.iter().map(|p| Path::new(root).join(p)).collect()] {
                let mut expected = paths.clone();
                expected.sort();
                // Paths equal component by component (`/./a`, `/a`) may come in either order.
                prop_assert_eq!(sorted(paths), expected);
            }
        }
    }

    #[test]
    fn a_directory_sorts_before_its_longer_siblings() {
        let paths = [
            "./pkg/a-b/x.py",
            "./pkg/a/x.py",
            "./pkg/a.py",
            "./pkg/a/b/y.py",
        ];
        let got = sorted(paths.iter().map(PathBuf::from).collect());
        let expected = [
            "./pkg/a/b/y.py",
            "./pkg/a/x.py",
            "./pkg/a-b/x.py",
            "./pkg/a.py",
        ];
        assert_eq!(got, expected.iter().map(PathBuf::from).collect::<Vec<_>>());
    }
}
