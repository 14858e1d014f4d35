//! The modules of the project that export something, and which files may import each: the
//! import tokens narrow the files cheaply, the import statements then resolve to a module
//! (relative imports against the importer's package, absolute ones by their dotted suffix).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::exports::Exports;
use super::names::is_package_init;
use crate::lexer::{ImportTokens, token_hash};

/// A module of the project with exports.
#[derive(Debug, Clone)]
pub struct ModuleSummary {
    /// The file.
    pub path: PathBuf,
    /// Its dotted module name.
    pub module: String,
    /// What it exports.
    pub exports: Exports,
}

/// The summaries of the project's modules, and which files may import each.
#[derive(Debug, Default)]
pub struct ProjectIndex {
    modules: Vec<ModuleSummary>,
    /// The modules by the last segment of their dotted name (an import that names a module
    /// names its last segment too).
    by_last_segment: HashMap<String, Vec<usize>>,
    /// The token hashes of each module's last segment and parent package, if any.
    hashes: Vec<(u64, Option<u64>)>,
    by_path: HashMap<PathBuf, usize>,
    importers: HashMap<usize, Vec<PathBuf>>,
    imported_by_file: HashMap<PathBuf, Vec<usize>>,
}

impl ProjectIndex {
    /// Indexes the modules that export something.
    pub fn new(modules: Vec<ModuleSummary>) -> Self {
        let mut by_last_segment: HashMap<String, Vec<usize>> = HashMap::new();
        let mut hashes = Vec::with_capacity(modules.len());
        let mut by_path = HashMap::new();
        for (i, module) in modules.iter().enumerate() {
            let mut segments = module.module.rsplit('.');
            let last = segments.next().unwrap_or_default();
            by_last_segment.entry(last.to_owned()).or_default().push(i);
            hashes.push((
                token_hash(last.as_bytes()),
                segments.next().map(|p| token_hash(p.as_bytes())),
            ));
            by_path.insert(module.path.clone(), i);
        }
        ProjectIndex {
            modules,
            by_last_segment,
            hashes,
            by_path,
            importers: HashMap::new(),
            imported_by_file: HashMap::new(),
        }
    }

    /// Whether no module exports anything.
    pub fn is_empty(&self) -> bool {
        self.modules.is_empty()
    }

    /// The modules a file with these import tokens may import (itself excluded): its import
    /// lines name the module's last segment, and its parent package too, unless the file is in
    /// the package that holds the module (where a relative import needs no parent name).
    pub fn imported_by_tokens(&self, path: &Path, tokens: &ImportTokens) -> Vec<usize> {
        if tokens.is_empty() {
            return Vec::new();
        }
        (0..self.modules.len())
            .filter(|&i| {
                let (last, parent) = self.hashes[i];
                let module = &self.modules[i];
                tokens.may_contain_hash(last)
                    && module.path != path
                    && (parent.is_none_or(|p| tokens.may_contain_hash(p))
                        || in_package_of(path, module))
            })
            .collect()
    }

    /// The index of the module at `path`, if it is in the index.
    pub fn position(&self, path: &Path) -> Option<usize> {
        self.by_path.get(path).copied()
    }

    /// Records that `importer` may import module `index`.
    pub fn add_importer(&mut self, index: usize, importer: PathBuf) {
        self.imported_by_file
            .entry(importer.clone())
            .or_default()
            .push(index);
        self.importers.entry(index).or_default().push(importer);
    }

    /// Whether the file at `path` may import a module of the index.
    pub fn may_import_any(&self, path: &Path) -> bool {
        self.imported_by_file.contains_key(path)
    }

    /// The files that may import the module at `path`, sorted.
    pub fn importers_of(&self, path: &Path) -> Vec<PathBuf> {
        let Some(index) = self.position(path) else {
            return Vec::new();
        };
        let mut importers = self.importers.get(&index).cloned().unwrap_or_default();
        importers.sort();
        importers.dedup();
        importers
    }

    /// The module summaries.
    pub fn modules(&self) -> &[ModuleSummary] {
        &self.modules
    }

    /// The module an import names, seen from module `importer` (`is_package` when the importer
    /// is a package's `__init__`). Relative names are resolved against the importer's package;
    /// absolute ones match a module whose dotted name ends with them, or that they end with (a
    /// project laid out without `__init__.py` files, or imported from a different root).
    pub fn resolve(
        &self,
        importer: &str,
        is_package: bool,
        imported: &str,
    ) -> Option<&ModuleSummary> {
        let absolute = absolute_module(importer, is_package, imported)?;
        let matches = |module: &str| {
            ends_with_segments(module, &absolute) || ends_with_segments(&absolute, module)
        };
        let last = absolute.rsplit('.').next().unwrap_or_default();
        self.by_last_segment
            .get(last)?
            .iter()
            .map(|&i| &self.modules[i])
            .filter(|m| matches(&m.module))
            .max_by_key(|m| {
                (
                    m.module == absolute,
                    common_suffix_len(&m.module, &absolute),
                )
            })
    }
}

/// Whether `importer` is inside the package that holds `module`, or one of its subpackages:
/// only there can a relative import name the module without naming its parent package
/// (`from . import m` and `from .m import x` beside it, `from .. import m` one level down).
fn in_package_of(importer: &Path, module: &ModuleSummary) -> bool {
    if !module.module.contains('.') {
        return false;
    }
    // The directory of the package that holds the module: `a/b.py` (`a.b`) -> `a/`,
    // `a/b/__init__.py` (`a.b`) -> `a/`.
    let levels = 1 + usize::from(is_package_init(&module.path));
    let mut package = Some(module.path.as_path());
    for _ in 0..levels {
        package = package.and_then(Path::parent);
    }
    package.is_some_and(|package| importer.starts_with(package))
}

/// Whether dotted name `name` is `suffix` or ends with `.` and `suffix`.
fn ends_with_segments(name: &str, suffix: &str) -> bool {
    name.strip_suffix(suffix)
        .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
}

fn common_suffix_len(a: &str, b: &str) -> usize {
    a.split('.')
        .rev()
        .zip(b.split('.').rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// `.config` from `app.routes` is `app.config`; `..x` goes one package up.
pub fn absolute_module(importer: &str, is_package: bool, imported: &str) -> Option<String> {
    let dots = imported.chars().take_while(|&c| c == '.').count();
    if dots == 0 {
        return Some(imported.to_owned());
    }
    let mut package: Vec<&str> = importer.split('.').filter(|p| !p.is_empty()).collect();
    if !is_package {
        package.pop();
    }
    for _ in 1..dots {
        package.pop()?;
    }
    let rest = &imported[dots..];
    if !rest.is_empty() {
        package.push(rest);
    }
    Some(package.join("."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::import_tokens;

    fn summary(path: &str, module: &str) -> ModuleSummary {
        ModuleSummary {
            path: PathBuf::from(path),
            module: module.to_owned(),
            exports: Exports::default(),
        }
    }

    #[test]
    fn imports_resolve_to_the_closest_module_of_the_index() {
        let index = ProjectIndex::new(vec![
            summary("src/app/config.py", "app.config"),
            summary("src/other/config.py", "other.config"),
            summary("src/config.py", "config"),
            summary("src/app/routes.py", "app.routes"),
        ]);
        let module = |found: Option<&ModuleSummary>| found.map(|m| m.module.clone());
        assert_eq!(
            module(index.resolve("app.routes", false, ".config")),
            Some("app.config".into())
        );
        assert_eq!(
            module(index.resolve("x", false, "config")),
            Some("config".into())
        );
        assert_eq!(
            module(index.resolve("x", false, "pkg.app.config")),
            Some("app.config".into())
        );
        assert_eq!(module(index.resolve("x", false, "app.settings")), None);
        assert_eq!(index.position(Path::new("src/config.py")), Some(2));

        let tokens = import_tokens(b"import app.config");
        let mut found = index.imported_by_tokens(Path::new("main.py"), &tokens);
        found.sort_unstable();
        assert_eq!(
            found,
            vec![0, 2],
            "`other.config` needs `other` on an import line"
        );
        // Inside `app/`, a relative import names no parent package.
        let relative = import_tokens(b"from . import routes");
        assert_eq!(
            index.imported_by_tokens(Path::new("src/app/api/handlers.py"), &relative),
            vec![3]
        );
        // Only inside the package that holds the module: `from .deps import x` in `app/` means
        // `app.deps`, not `app.api.deps`.
        let index = ProjectIndex::new(vec![summary("src/app/api/deps.py", "app.api.deps")]);
        let deps = import_tokens(b"from .deps import x");
        assert_eq!(
            index.imported_by_tokens(Path::new("src/app/api/v1/users.py"), &deps),
            vec![0]
        );
        assert!(
            index
                .imported_by_tokens(Path::new("src/app/main.py"), &deps)
                .is_empty()
        );
    }

    #[test]
    fn relative_imports_resolve_against_the_package() {
        assert_eq!(
            absolute_module("app.routes", false, ".config").unwrap(),
            "app.config"
        );
        assert_eq!(
            absolute_module("app.api.routes", false, "..config").unwrap(),
            "app.config"
        );
        assert_eq!(
            absolute_module("app", true, ".config").unwrap(),
            "app.config"
        );
        assert_eq!(absolute_module("app.routes", false, ".").unwrap(), "app");
        assert_eq!(
            absolute_module("config", false, "app.config").unwrap(),
            "app.config"
        );
    }

    #[test]
    fn modules_match_by_suffix() {
        let summary = |module: &str| ModuleSummary {
            path: PathBuf::from(format!("{module}.py")),
            module: module.into(),
            exports: Exports::default(),
        };
        let index = ProjectIndex::new(vec![summary("config"), summary("svc.app.config")]);
        assert_eq!(
            index.resolve("x", false, "app.config").unwrap().module,
            "svc.app.config"
        );
        assert_eq!(
            index.resolve("routes", false, "config").unwrap().module,
            "config"
        );
        assert!(index.resolve("routes", false, "settings").is_none());
    }
}
