//! Settings of one file: the command line merged over the closest configuration file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::analyze::AnalysisOptions;
use crate::config::{ConfigError, ConfigFile, Discovery, Options};
use crate::options::{FixOptions, Naming, PythonVersion, Strategy};
use crate::rules::{Rule, RuleSelector, RuleSet};

/// Directories and files skipped by default, as ruff does.
pub const DEFAULT_EXCLUDES: &[&str] = &[
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".ipynb_checkpoints",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pyenv",
    ".pytest_cache",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    ".vscode",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
];

/// The effective settings for the files under one configuration.
#[derive(Debug)]
pub struct Settings {
    /// Where relative patterns start (the configuration's directory, or the working directory).
    pub root: PathBuf,
    /// Rules on before per-file ignores.
    pub rules: RuleSet,
    per_file_ignores: Vec<(globset::GlobMatcher, Vec<RuleSelector>)>,
    exclude: Exclusion,
    /// Apply exclusions to files named on the command line.
    pub force_exclude: bool,
    /// Apply unsafe fixes too.
    pub unsafe_fixes: bool,
    /// Parse every file with a needle (no lexical fast path).
    pub full_parse: bool,
    /// How fixes are built.
    pub fix: Arc<FixOptions>,
}

#[derive(Debug)]
struct Exclusion {
    names: GlobSet,
    paths: GlobSet,
}

impl Settings {
    /// The analysis options for `path` (per-file ignores applied).
    pub fn analysis_for(&self, path: &Path) -> AnalysisOptions {
        let mut rules = self.rules;
        if !self.per_file_ignores.is_empty() {
            self.apply_per_file_ignores(path, &mut rules);
        }
        AnalysisOptions {
            rules,
            fix: Arc::clone(&self.fix),
            project: None,
            full_parse: self.full_parse,
            dunder_main: path.file_name().is_some_and(|n| n == "__main__.py"),
        }
    }

    fn apply_per_file_ignores(&self, path: &Path, rules: &mut RuleSet) {
        let absolute = absolute(current_dir(), path);
        let relative = absolute.strip_prefix(&self.root).unwrap_or(&absolute);
        let name = path.file_name().map(Path::new).unwrap_or(path);
        for (glob, selectors) in &self.per_file_ignores {
            if glob.is_match(relative) || glob.is_match(name) {
                for rule in Rule::ALL {
                    if selectors.iter().any(|s| s.matches(rule)) {
                        rules.set(rule, false);
                    }
                }
            }
        }
    }

    /// Whether `path` or one of its directories (below the settings' root) is excluded: what
    /// `--force-exclude` asks of a file named on the command line.
    pub fn is_excluded_with_parents(&self, path: &Path) -> bool {
        absolute(current_dir(), path)
            .ancestors()
            .take_while(|p| p.starts_with(&self.root) && *p != self.root)
            .any(|p| self.is_excluded(p))
    }

    /// Whether `path` (a file or directory) is excluded.
    pub fn is_excluded(&self, path: &Path) -> bool {
        let name = path.file_name().map(Path::new);
        if name.is_some_and(|n| self.exclude.names.is_match(n)) {
            return true;
        }
        if self.exclude.paths.is_empty() {
            return false;
        }
        let absolute = absolute(current_dir(), path);
        let relative = absolute.strip_prefix(&self.root).unwrap_or(&absolute);
        self.exclude.paths.is_match(relative) || self.exclude.paths.is_match(&absolute)
    }
}

/// The working directory, read once: relative paths are resolved against it for every file.
fn current_dir() -> &'static Path {
    static CWD: std::sync::LazyLock<PathBuf> =
        std::sync::LazyLock::new(|| std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")));
    &CWD
}

/// The directory a thread last looked up with [`Resolver::settings_for_file`], and its settings.
struct LastDir {
    resolver: u64,
    dir: PathBuf,
    settings: Arc<Settings>,
}

thread_local! {
    static LAST_DIR: std::cell::RefCell<Option<LastDir>> = const { std::cell::RefCell::new(None) };
}

/// Tells resolvers apart in [`LAST_DIR`] (their working directories and flags may differ).
static NEXT_RESOLVER_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Resolves the settings of each file: `--config`, else the closest configuration file, else
/// the defaults; command-line flags always win.
#[derive(Debug)]
pub struct Resolver {
    cli: CliOverrides,
    discovery: Discovery,
    fixed: Option<Arc<ConfigFile>>,
    cwd: PathBuf,
    built: Mutex<HashMap<Option<PathBuf>, Arc<Settings>>>,
    by_dir: Mutex<HashMap<PathBuf, Arc<Settings>>>,
    id: u64,
}

/// The command-line flags that override configuration.
#[derive(Debug, Clone, Default)]
pub struct CliOverrides {
    /// `--select`.
    pub select: Option<Vec<RuleSelector>>,
    /// `--ignore`.
    pub ignore: Vec<RuleSelector>,
    /// `--extend-select`.
    pub extend_select: Vec<RuleSelector>,
    /// `--exclude`.
    pub exclude: Option<Vec<String>>,
    /// `--extend-exclude`.
    pub extend_exclude: Vec<String>,
    /// `--force-exclude`.
    pub force_exclude: bool,
    /// `--unsafe-fixes`.
    pub unsafe_fixes: bool,
    /// `--strategy`.
    pub strategy: Option<Strategy>,
    /// `--target-version`.
    pub target_version: Option<PythonVersion>,
    /// `--full-parse`.
    pub full_parse: bool,
}

impl Resolver {
    /// A resolver for the given flags; `config` is `--config`.
    pub fn new(cli: CliOverrides, config: Option<&Path>) -> Result<Self, ConfigError> {
        let fixed = match config {
            Some(path) => Some(Arc::new(crate::config::load(path)?.ok_or_else(|| {
                ConfigError {
                    path: path.to_owned(),
                    line: 1,
                    column: 1,
                    message: "no [tool.loopfix] table in this pyproject.toml".into(),
                }
            })?)),
            None => None,
        };
        Ok(Resolver {
            cli,
            discovery: Discovery::default(),
            fixed,
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            built: Mutex::new(HashMap::new()),
            by_dir: Mutex::new(HashMap::new()),
            id: NEXT_RESOLVER_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        })
    }

    /// The `pyproject.toml` files discovery passed over since the last call (they do not parse
    /// and hold no `[tool.loopfix]` table), each with why: warnings, not errors.
    pub fn take_warnings(&self) -> Vec<ConfigError> {
        self.discovery.take_warnings()
    }

    /// The settings for a file or directory at `path` (it is looked at to tell which).
    pub fn settings_for(&self, path: &Path) -> Result<Arc<Settings>, ConfigError> {
        let absolute = absolute(&self.cwd, path);
        if absolute.is_dir() {
            self.settings_for_dir(&absolute)
        } else {
            self.settings_for_file(&absolute)
        }
    }

    /// The settings for a file: those of its directory (nothing is read from the disk when the
    /// directory was seen before).
    pub fn settings_for_file(&self, path: &Path) -> Result<Arc<Settings>, ConfigError> {
        let Some(dir) = path.parent() else {
            return self.settings_for_dir(&self.cwd);
        };
        // The walker hands a thread a directory's files one after the other: remembering the
        // last directory spares each file a path allocation, a lock and a hash.
        LAST_DIR.with_borrow_mut(|last| {
            if let Some(hit) = last
                .as_ref()
                .filter(|l| l.resolver == self.id && l.dir == dir)
            {
                return Ok(Arc::clone(&hit.settings));
            }
            let settings = self.settings_for_dir(&absolute(&self.cwd, dir))?;
            *last = Some(LastDir {
                resolver: self.id,
                dir: dir.to_path_buf(),
                settings: Arc::clone(&settings),
            });
            Ok(settings)
        })
    }

    /// The settings for a directory.
    pub fn settings_for_dir(&self, dir: &Path) -> Result<Arc<Settings>, ConfigError> {
        if let Some(settings) = self.lock_by_dir().get(dir) {
            return Ok(Arc::clone(settings));
        }
        let settings = self.settings_for_new_dir(dir)?;
        self.lock_by_dir()
            .insert(dir.to_path_buf(), Arc::clone(&settings));
        Ok(settings)
    }

    fn lock_by_dir(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Arc<Settings>>> {
        self.by_dir.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn settings_for_new_dir(&self, dir: &Path) -> Result<Arc<Settings>, ConfigError> {
        let config = match &self.fixed {
            Some(config) => Some(config.clone()),
            None => self.discovery.find(&absolute(&self.cwd, dir))?,
        };
        let key = config.as_ref().map(|c| c.path.clone());
        let mut built = self.built.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(settings) = built.get(&key) {
            return Ok(settings.clone());
        }
        let settings = Arc::new(self.build(config.as_deref()));
        built.insert(key, settings.clone());
        Ok(settings)
    }

    fn build(&self, config: Option<&ConfigFile>) -> Settings {
        let empty = Options::default();
        let options = config.map_or(&empty, |c| &c.options);
        let root = config.map_or_else(|| self.cwd.clone(), |c| absolute(&self.cwd, &c.dir));
        let select = self
            .cli
            .select
            .clone()
            .or_else(|| options.select.clone())
            .unwrap_or_else(|| vec!["ALL".parse().expect("ALL is a selector")]);
        let select: Vec<RuleSelector> = select
            .into_iter()
            .chain(options.extend_select.iter().cloned())
            .chain(self.cli.extend_select.iter().cloned())
            .collect();
        let ignore: Vec<RuleSelector> = options
            .ignore
            .iter()
            .chain(&self.cli.ignore)
            .cloned()
            .collect();
        let mut rules = RuleSet::none();
        for rule in Rule::ALL {
            rules.set(rule, is_selected(rule, &select, &ignore));
        }
        let exclude_patterns: Vec<String> = self
            .cli
            .exclude
            .clone()
            .or_else(|| options.exclude.clone())
            .unwrap_or_else(|| DEFAULT_EXCLUDES.iter().map(|s| (*s).to_owned()).collect())
            .into_iter()
            .chain(options.extend_exclude.iter().cloned())
            .chain(self.cli.extend_exclude.iter().cloned())
            .collect();
        let defaults = Naming::default();
        Settings {
            rules,
            per_file_ignores: options
                .per_file_ignores
                .iter()
                .filter_map(|(pattern, selectors)| {
                    let glob = Glob::new(pattern).ok()?;
                    Some((glob.compile_matcher(), selectors.clone()))
                })
                .collect(),
            exclude: exclusion(&exclude_patterns),
            force_exclude: self.cli.force_exclude || options.force_exclude.unwrap_or(false),
            unsafe_fixes: self.cli.unsafe_fixes || options.unsafe_fixes.unwrap_or(false),
            full_parse: self.cli.full_parse,
            fix: Arc::new(FixOptions {
                strategy: self.cli.strategy.or(options.strategy).unwrap_or_default(),
                target: self
                    .cli
                    .target_version
                    .or(options.target_version)
                    .unwrap_or_default(),
                naming: Naming {
                    loader: options.loader_name.clone().unwrap_or(defaults.loader),
                    flag: options.flag_name.clone().unwrap_or(defaults.flag),
                    init: options.init_name.clone().unwrap_or(defaults.init),
                    init_flag: options.init_flag_name.clone().unwrap_or(defaults.init_flag),
                },
            }),
            root,
        }
    }
}

/// `path` made absolute against `cwd`, with `.` components dropped (`./tests/x` is `tests/x`).
fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    joined
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect()
}

/// The most specific matching selector decides; on a tie, ignore wins.
fn is_selected(rule: Rule, select: &[RuleSelector], ignore: &[RuleSelector]) -> bool {
    let best = |selectors: &[RuleSelector]| {
        selectors
            .iter()
            .filter(|s| s.matches(rule))
            .map(|s| s.specificity() as isize)
            .max()
            .unwrap_or(-1)
    };
    let selected = best(select);
    selected >= 0 && selected > best(ignore)
}

fn exclusion(patterns: &[String]) -> Exclusion {
    let mut names = GlobSetBuilder::new();
    let mut paths = GlobSetBuilder::new();
    for pattern in patterns {
        let trimmed = pattern.trim_end_matches('/');
        let Ok(glob) = Glob::new(trimmed) else {
            continue;
        };
        if trimmed.contains('/') {
            paths.add(glob);
        } else {
            names.add(glob);
        }
    }
    Exclusion {
        names: names.build().unwrap_or_else(|_| GlobSet::empty()),
        paths: paths.build().unwrap_or_else(|_| GlobSet::empty()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(s: &str) -> RuleSelector {
        s.parse().unwrap()
    }

    #[test]
    fn most_specific_selector_wins() {
        assert!(is_selected(Rule::AsyncioRunAtImport, &[sel("ALL")], &[]));
        assert!(!is_selected(
            Rule::AsyncioRunAtImport,
            &[sel("ALL")],
            &[sel("LF001")]
        ));
        assert!(is_selected(
            Rule::AsyncioRunAtImport,
            &[sel("LF001")],
            &[sel("LF")]
        ));
        assert!(!is_selected(
            Rule::LoopCreatedAtImport,
            &[sel("LF001")],
            &[]
        ));
    }

    #[test]
    fn default_excludes_match_directory_names() {
        let ex = exclusion(
            &DEFAULT_EXCLUDES
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>(),
        );
        assert!(ex.names.is_match(Path::new(".venv")));
        assert!(ex.names.is_match(Path::new("node_modules")));
        assert!(!ex.names.is_match(Path::new("app")));
    }
}
