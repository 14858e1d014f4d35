//! The project as a whole: which module each walked file is, what a module exports that matters
//! to other modules (functions that run a loop, globals loaded lazily or by `init()`), and which
//! files may import it (a cheap token scan, so the second phase reads only those files again).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tree_sitter::Node;

use crate::lexer::{ImportTokens, token_hash};
use crate::semantic::{MODULE_SCOPE, Model, ScopeKind};

/// A module-level function that runs an event loop when called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoopFunction {
    /// Its name.
    pub name: String,
    /// The chain down to the loop, for messages: "`load` -> `asyncio.run(fetch())`".
    pub chain: String,
    /// The line of the loop run.
    pub line: usize,
}

/// A global that is loaded after import: lazily by a guard, or by `init()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateGlobal {
    /// Its name.
    pub name: String,
    /// The guard to await before reading it; `None` when `init()` loads it at start-up.
    pub loader: Option<String>,
    /// Already so in the source (rather than once loopfix's fix is applied).
    pub existing: bool,
}

/// What one module exports that matters to the modules that import it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exports {
    /// Functions that run a loop.
    pub loop_functions: Vec<LoopFunction>,
    /// Globals loaded after import (now, or once loopfix's safe fix is applied).
    pub late_globals: Vec<LateGlobal>,
    /// An `init()` (now, or after the fix) that no app of the module awaits.
    pub unwired_init: Option<String>,
    /// Globals the safe fixes delete (a loop global, a wrapper function): another module that
    /// uses one must keep it.
    pub removed_globals: Vec<String>,
    /// This module's uses of names that other project modules' fixes delete or load late.
    pub uses_of_others: Vec<ExternalUse>,
}

/// A use, in one module, of a name that another module's fix deletes or loads late.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ExternalUse {
    /// The module that defines the name.
    pub module: PathBuf,
    /// The name.
    pub name: String,
    /// The module that uses it.
    pub user: PathBuf,
    /// Why the user cannot be rewritten to follow the fix, when it cannot.
    pub blocked: Option<String>,
}

impl Exports {
    /// Whether two modules' exports say the same to other modules.
    pub fn same_public(&self, other: &Exports) -> bool {
        self.loop_functions == other.loop_functions
            && self.late_globals == other.late_globals
            && self.unwired_init == other.unwired_init
            && self.removed_globals == other.removed_globals
    }

    /// The names other modules may use: loop functions, late globals, deleted globals.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.loop_functions
            .iter()
            .map(|f| f.name.as_str())
            .chain(self.late_globals.iter().map(|g| g.name.as_str()))
            .chain(self.removed_globals.iter().map(String::as_str))
    }

    /// Whether there is anything for other modules to know.
    pub fn is_empty(&self) -> bool {
        self.loop_functions.is_empty()
            && self.late_globals.is_empty()
            && self.unwired_init.is_none()
            && self.removed_globals.is_empty()
    }
}

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

/// The dotted module name of a file: its stem, prefixed by every enclosing directory that is a
/// package (holds an `__init__.py`). A package's `__init__.py` is the package itself.
pub fn module_name(path: &Path) -> String {
    ModuleNames::default().name(path)
}

/// [`module_name`] for many files: the package path of each directory is found once (it costs a
/// `realpath` and a look for `__init__.py` in every enclosing directory).
#[derive(Debug, Default)]
pub struct ModuleNames {
    packages: Mutex<HashMap<PathBuf, Arc<[String]>>>,
}

impl ModuleNames {
    /// The dotted module name of the file at `path`.
    pub fn name(&self, path: &Path) -> String {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let dir = match path.parent() {
            Some(dir) if dir.as_os_str().is_empty() => Path::new("."),
            Some(dir) => dir,
            None => Path::new("."),
        };
        let mut parts = self.package_of(dir).to_vec();
        if stem != "__init__" {
            parts.push(stem);
        }
        parts.join(".")
    }

    /// The package names of `dir` and the packages around it, outermost first (empty when
    /// `dir` is not a package).
    fn package_of(&self, dir: &Path) -> Arc<[String]> {
        let lock = || self.packages.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(known) = lock().get(dir) {
            return Arc::clone(known);
        }
        let absolute = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        let mut parts: Vec<String> = Vec::new();
        let mut current = Some(absolute.as_path());
        while let Some(d) = current {
            if !d.join("__init__.py").is_file() {
                break;
            }
            match d.file_name() {
                Some(name) => parts.push(name.to_string_lossy().into_owned()),
                None => break,
            }
            current = d.parent();
        }
        parts.reverse();
        let parts: Arc<[String]> = parts.into();
        lock().insert(dir.to_path_buf(), Arc::clone(&parts));
        parts
    }
}

/// Whether a file is a package's `__init__`.
pub fn is_package_init(path: &Path) -> bool {
    path.file_stem().is_some_and(|s| s == "__init__")
}

/// The loopfix guards and `init()` already in a module: an `async def` at module level that
/// declares globals and tests one of them as its flag (`if not FLAG:` or `if FLAG: return`).
pub fn existing_late_globals(model: &Model) -> Vec<LateGlobal> {
    let mut found = Vec::new();
    for scope in &model.scopes {
        if scope.kind != (ScopeKind::Function { is_async: true })
            || scope.parent != Some(MODULE_SCOPE)
        {
            continue;
        }
        let Some(name) = scope.node.child_by_field_name("name") else {
            continue;
        };
        let Some(body) = scope.node.child_by_field_name("body") else {
            continue;
        };
        let Some((globals, flag, negated)) = guard_shape(model, body) else {
            continue;
        };
        let function = String::from_utf8_lossy(model.node_text(name)).into_owned();
        for global in globals.into_iter().filter(|g| *g != flag) {
            found.push(LateGlobal {
                name: String::from_utf8_lossy(global).into_owned(),
                loader: negated.then(|| function.clone()),
                existing: true,
            });
        }
    }
    found
}

/// `(globals, flag, negated)` of a guard body.
type GuardShape<'t> = (Vec<&'t [u8]>, &'t [u8], bool);

/// The shape of a guard body: `global A, FLAG` then `if not FLAG:` (a lazy guard, negated) or
/// `if FLAG:` (an `init()`).
fn guard_shape<'t>(model: &Model<'t>, body: Node<'t>) -> Option<GuardShape<'t>> {
    let mut cursor = body.walk();
    let statements: Vec<Node> = body
        .named_children(&mut cursor)
        .filter(|c| c.kind() != "comment")
        .collect();
    let global = statements.iter().find(|s| s.kind() == "global_statement")?;
    let mut global_cursor = global.walk();
    let globals: Vec<&[u8]> = global
        .named_children(&mut global_cursor)
        .filter(|c| c.kind() == "identifier")
        .map(|c| model.node_text(c))
        .collect();
    if globals.len() < 2 {
        return None;
    }
    statements.iter().find_map(|s| {
        if s.kind() != "if_statement" {
            return None;
        }
        let condition = s.child_by_field_name("condition")?;
        let (flag, negated) = match condition.kind() {
            "not_operator" => (condition.child_by_field_name("argument")?, true),
            "identifier" => (condition, false),
            _ => return None,
        };
        let flag = model.node_text(flag);
        globals
            .contains(&flag)
            .then(|| (globals.clone(), flag, negated))
    })
}

/// What the analysis of one file knows of the rest of the project (the second phase).
#[derive(Debug, Clone)]
pub struct ProjectContext {
    /// The project's modules with exports.
    pub index: std::sync::Arc<ProjectIndex>,
    /// The file analysed.
    pub path: PathBuf,
    /// Its dotted module name.
    pub module: String,
    /// Whether it is a package's `__init__`.
    pub is_package: bool,
    /// Other modules' uses of this module's names, which its fixes must take into account.
    pub used_elsewhere: Vec<ExternalUse>,
}

impl ProjectContext {
    /// The other modules' uses of this module's `name`.
    pub fn uses_of<'a>(&'a self, name: &'a [u8]) -> impl Iterator<Item = &'a ExternalUse> {
        self.used_elsewhere
            .iter()
            .filter(move |u| u.name.as_bytes() == name)
    }

    /// The module that uses this module's `name`, if another one does.
    pub fn used_elsewhere_by(&self, name: &[u8]) -> Option<&Path> {
        self.used_elsewhere
            .iter()
            .find(|u| u.name.as_bytes() == name)
            .map(|u| u.user.as_path())
    }
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
