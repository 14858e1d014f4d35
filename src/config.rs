//! Configuration files: `[tool.loopfix]` in `pyproject.toml` or a `loopfix.toml`, discovered by
//! walking up from each file (closest wins); unknown keys and bad values are errors with
//! `file:line:column`. A discovered `pyproject.toml` that does not parse and holds no
//! `[tool.loopfix]` table (a broken `[tool.black]`, say) is not loopfix's to judge: it is a
//! warning, and the defaults apply.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Deserialize;
use toml::Spanned;

use crate::options::{PythonVersion, Strategy};
use crate::rules::RuleSelector;

/// A configuration problem, located in its file.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}:{line}:{column}: {message}", path.display())]
pub struct ConfigError {
    /// The configuration file.
    pub path: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// The keys of `[tool.loopfix]` / `loopfix.toml`, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawOptions {
    select: Option<Vec<Spanned<String>>>,
    ignore: Option<Vec<Spanned<String>>>,
    extend_select: Option<Vec<Spanned<String>>>,
    exclude: Option<Vec<String>>,
    extend_exclude: Option<Vec<String>>,
    per_file_ignores: Option<BTreeMap<String, Vec<Spanned<String>>>>,
    force_exclude: Option<bool>,
    strategy: Option<Spanned<String>>,
    target_version: Option<Spanned<String>>,
    unsafe_fixes: Option<bool>,
    loader_name: Option<Spanned<String>>,
    flag_name: Option<Spanned<String>>,
    init_name: Option<Spanned<String>>,
    init_flag_name: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
struct Pyproject {
    tool: Option<PyprojectTool>,
    project: Option<PyprojectProject>,
}

#[derive(Debug, Deserialize)]
struct PyprojectTool {
    loopfix: Option<toml::Value>,
}

#[derive(Debug, Deserialize)]
struct PyprojectProject {
    #[serde(rename = "requires-python")]
    requires_python: Option<String>,
}

/// Validated options of one configuration file.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `select`.
    pub select: Option<Vec<RuleSelector>>,
    /// `ignore`.
    pub ignore: Vec<RuleSelector>,
    /// `extend-select`.
    pub extend_select: Vec<RuleSelector>,
    /// `exclude`.
    pub exclude: Option<Vec<String>>,
    /// `extend-exclude`.
    pub extend_exclude: Vec<String>,
    /// `per-file-ignores`: glob -> rules.
    pub per_file_ignores: Vec<(String, Vec<RuleSelector>)>,
    /// `force-exclude`.
    pub force_exclude: Option<bool>,
    /// `strategy`.
    pub strategy: Option<Strategy>,
    /// `target-version`, or what `project.requires-python` implies.
    pub target_version: Option<PythonVersion>,
    /// `unsafe-fixes`.
    pub unsafe_fixes: Option<bool>,
    /// `loader-name`.
    pub loader_name: Option<String>,
    /// `flag-name`.
    pub flag_name: Option<String>,
    /// `init-name`.
    pub init_name: Option<String>,
    /// `init-flag-name`.
    pub init_flag_name: Option<String>,
}

/// A configuration file and the directory its relative patterns start from.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    /// The file.
    pub path: PathBuf,
    /// Its directory.
    pub dir: PathBuf,
    /// Its options.
    pub options: Options,
}

/// Reads a configuration file: a `pyproject.toml` (its `[tool.loopfix]` table) or a
/// `loopfix.toml`. `Ok(None)` for a `pyproject.toml` without a `[tool.loopfix]` table.
pub fn load(path: &Path) -> Result<Option<ConfigFile>, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        path: path.to_owned(),
        line: 1,
        column: 1,
        message: format!("cannot read the configuration: {e}"),
    })?;
    let locate = |span: Option<Range<usize>>, message: String| {
        let (line, column) = line_column(&text, span.map_or(0, |s| s.start));
        ConfigError {
            path: path.to_owned(),
            line,
            column,
            message,
        }
    };
    let is_pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
    let raw: RawOptions;
    let mut requires_python = None;
    if is_pyproject {
        let pyproject: Pyproject =
            toml::from_str(&text).map_err(|e| locate(e.span(), e.message().to_owned()))?;
        requires_python = pyproject.project.and_then(|p| p.requires_python);
        if pyproject.tool.and_then(|t| t.loopfix).is_none() {
            return Ok(None);
        }
        // Read the table again as options, from the document, so errors keep their positions.
        raw = table_in_document(&text).map_err(|e| locate(e.span(), e.message().to_owned()))?;
    } else {
        raw = toml::from_str(&text).map_err(|e| locate(e.span(), e.message().to_owned()))?;
    }
    let options = validate(raw, requires_python.as_deref(), &locate)?;
    let dir = path
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    Ok(Some(ConfigFile {
        path: path.to_owned(),
        dir,
        options,
    }))
}

fn table_in_document(text: &str) -> Result<RawOptions, toml::de::Error> {
    #[derive(Deserialize)]
    struct Doc {
        tool: ToolTable,
    }
    #[derive(Deserialize)]
    struct ToolTable {
        loopfix: RawOptions,
    }
    toml::from_str::<Doc>(text).map(|d| d.tool.loopfix)
}

fn validate(
    raw: RawOptions,
    requires_python: Option<&str>,
    locate: &dyn Fn(Option<Range<usize>>, String) -> ConfigError,
) -> Result<Options, ConfigError> {
    let selectors =
        |values: Option<Vec<Spanned<String>>>| -> Result<Vec<RuleSelector>, ConfigError> {
            values
                .unwrap_or_default()
                .into_iter()
                .map(|v| {
                    let span = v.span();
                    v.into_inner()
                        .parse::<RuleSelector>()
                        .map_err(|e| locate(Some(span), e.to_string()))
                })
                .collect()
        };
    let parsed =
        |value: Option<Spanned<String>>, parse: &dyn Fn(&str) -> Result<(), String>| match value {
            Some(v) => {
                let span = v.span();
                let text = v.into_inner();
                parse(&text).map_err(|e| locate(Some(span), e))?;
                Ok::<_, ConfigError>(Some(text))
            }
            None => Ok(None),
        };
    let select = match raw.select {
        Some(values) => Some(selectors(Some(values))?),
        None => None,
    };
    let mut per_file_ignores = Vec::new();
    for (pattern, rules) in raw.per_file_ignores.unwrap_or_default() {
        globset::Glob::new(&pattern).map_err(|e| {
            locate(
                None,
                format!("invalid glob `{pattern}` in per-file-ignores: {e}"),
            )
        })?;
        per_file_ignores.push((pattern, selectors(Some(rules))?));
    }
    for pattern in raw
        .exclude
        .iter()
        .flatten()
        .chain(raw.extend_exclude.iter().flatten())
    {
        globset::Glob::new(pattern)
            .map_err(|e| locate(None, format!("invalid glob `{pattern}`: {e}")))?;
    }
    let strategy = parsed(raw.strategy, &|s| s.parse::<Strategy>().map(|_| ()))?
        .map(|s| s.parse::<Strategy>().unwrap_or_default());
    let target_version = match parsed(raw.target_version, &|s| {
        s.parse::<PythonVersion>().map(|_| ())
    })? {
        Some(text) => text.parse::<PythonVersion>().ok(),
        None => requires_python.and_then(minimum_python),
    };
    let identifier = |s: &str| {
        let filled = s.replace("{name}", "x").replace("{NAME}", "X");
        let valid = filled
            .chars()
            .next()
            .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
            && filled
                .chars()
                .all(|c| c == '_' || c.is_ascii_alphanumeric());
        if valid {
            Ok(())
        } else {
            Err(format!("`{s}` does not make a Python identifier"))
        }
    };
    Ok(Options {
        select,
        ignore: selectors(raw.ignore)?,
        extend_select: selectors(raw.extend_select)?,
        exclude: raw.exclude,
        extend_exclude: raw.extend_exclude.unwrap_or_default(),
        per_file_ignores,
        force_exclude: raw.force_exclude,
        strategy,
        target_version,
        unsafe_fixes: raw.unsafe_fixes,
        loader_name: parsed(raw.loader_name, &identifier)?,
        flag_name: parsed(raw.flag_name, &identifier)?,
        init_name: parsed(raw.init_name, &identifier)?,
        init_flag_name: parsed(raw.init_flag_name, &identifier)?,
    })
}

/// The oldest Python 3 minor version a `requires-python` specifier allows (`>=3.10` -> 3.10).
fn minimum_python(spec: &str) -> Option<PythonVersion> {
    spec.split(',')
        .filter_map(|clause| {
            let clause = clause.trim();
            let version = clause
                .strip_prefix(">=")
                .or_else(|| clause.strip_prefix("~="))
                .or_else(|| clause.strip_prefix("=="))?;
            let mut parts = version.trim().split('.');
            (parts.next()? == "3").then_some(())?;
            let minor: u8 = parts.next()?.trim_end_matches('*').parse().ok()?;
            Some(PythonVersion { minor })
        })
        .max()
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Whether a TOML text may hold loopfix's table: a table header that names `loopfix`
/// (`[tool.loopfix]`, `[tool . loopfix]`, `[tool.loopfix.per-file-ignores]`) or a key that
/// does (`tool.loopfix.select = ...`, `loopfix = { ... }` under `[tool]`).
fn may_hold_loopfix_table(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim_start();
        if line.starts_with('#') {
            return false;
        }
        let head = match line.strip_prefix('[') {
            Some(header) => header.split(']').next().unwrap_or(header),
            None => line.split('=').next().unwrap_or(line),
        };
        head.contains("loopfix")
    })
}

/// Finds the configuration that governs each directory, caching per directory; keeps the
/// warnings about `pyproject.toml` files it had to pass over.
#[derive(Debug, Default)]
pub struct Discovery {
    cache: Mutex<HashMap<PathBuf, Option<Arc<ConfigFile>>>>,
    warnings: Mutex<Vec<ConfigError>>,
}

impl Discovery {
    /// The closest configuration file at or above `dir`.
    pub fn find(&self, dir: &Path) -> Result<Option<Arc<ConfigFile>>, ConfigError> {
        if let Some(found) = self.lock().get(dir) {
            return Ok(found.clone());
        }
        let found = match self.in_dir(dir)? {
            Some(config) => Some(Arc::new(config)),
            None => match dir.parent() {
                Some(parent) if parent != dir => self.find(parent)?,
                _ => None,
            },
        };
        self.lock().insert(dir.to_path_buf(), found.clone());
        Ok(found)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Option<Arc<ConfigFile>>>> {
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn in_dir(&self, dir: &Path) -> Result<Option<ConfigFile>, ConfigError> {
        let own = dir.join("loopfix.toml");
        if own.is_file() {
            return load(&own);
        }
        let pyproject = dir.join("pyproject.toml");
        if pyproject.is_file() {
            return match load(&pyproject) {
                Err(error) if !self.holds_loopfix_table(&pyproject) => {
                    self.warnings
                        .lock()
                        .unwrap_or_else(|poisoned| poisoned.into_inner())
                        .push(error);
                    Ok(None)
                }
                loaded => loaded,
            };
        }
        Ok(None)
    }

    /// Whether a `pyproject.toml` that does not load may hold loopfix's table (then its
    /// problem is an error); an unreadable file is loopfix's error too.
    fn holds_loopfix_table(&self, path: &Path) -> bool {
        std::fs::read_to_string(path)
            .ok()
            .is_none_or(|text| may_hold_loopfix_table(&text))
    }

    /// The `pyproject.toml` files passed over since the last call, each with why (it does not
    /// parse, and holds no `[tool.loopfix]` table): the run goes on with the defaults there.
    pub fn take_warnings(&self) -> Vec<ConfigError> {
        std::mem::take(
            &mut *self
                .warnings
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn pyproject_table_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "pyproject.toml",
            "[project]\nrequires-python = \">=3.10\"\n\n[tool.loopfix]\nselect = [\"LF001\"]\nstrategy = \"lazy\"\n",
        );
        let config = load(&path).unwrap().unwrap();
        assert_eq!(config.options.strategy, Some(Strategy::Lazy));
        assert_eq!(
            config.options.target_version,
            Some(PythonVersion { minor: 10 })
        );
        assert_eq!(config.options.select.unwrap().len(), 1);
    }

    #[test]
    fn pyproject_without_table_is_not_a_config() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "pyproject.toml",
            "[tool.ruff]\nline-length = 100\n",
        );
        assert!(load(&path).unwrap().is_none());
    }

    #[test]
    fn unknown_key_is_an_error_with_its_position() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "loopfix.toml",
            "select = [\"LF\"]\nstrategi = \"lazy\"\n",
        );
        let err = load(&path).unwrap_err();
        assert_eq!((err.line, err.column), (2, 1), "{err}");
        assert!(err.message.contains("strategi"), "{err}");
    }

    #[test]
    fn bad_values_are_errors_with_their_position() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "loopfix.toml",
            "select = [\"LF001\", \"E501\"]\n",
        );
        let err = load(&path).unwrap_err();
        assert_eq!((err.line, err.column), (1, 20), "{err}");
        let path = write(dir.path(), "loopfix.toml", "strategy = \"eager\"\n");
        let err = load(&path).unwrap_err();
        assert!(err.message.contains("eager"), "{err}");
        let path = write(
            dir.path(),
            "pyproject.toml",
            "[tool.loopfix]\ntarget-version = \"py27\"\n",
        );
        let err = load(&path).unwrap_err();
        assert_eq!(err.line, 2, "{err}");
    }

    #[test]
    fn a_broken_pyproject_without_a_loopfix_table_is_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let broken = "[tool.black]\nline-length = 100\nexclude = '''\n";
        write(dir.path(), "pyproject.toml", broken);
        let discovery = Discovery::default();
        assert!(discovery.find(dir.path()).unwrap().is_none());
        let warnings = discovery.take_warnings();
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].path.ends_with("pyproject.toml"),
            "{}",
            warnings[0]
        );
        assert!(discovery.take_warnings().is_empty());
        // With a loopfix table, the same problem is an error.
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        write(
            &sub,
            "pyproject.toml",
            &format!("[tool.loopfix]\nselect = [\"LF\"]\n{broken}"),
        );
        assert!(Discovery::default().find(&sub).is_err());
        assert!(may_hold_loopfix_table("[ tool . loopfix ]\n"));
        assert!(may_hold_loopfix_table(
            "[tool]\nloopfix = { select = [] }\n"
        ));
        assert!(!may_hold_loopfix_table(
            "# loopfix is not configured here\n[tool.ruff]\n"
        ));
        assert!(!may_hold_loopfix_table("dependencies = [\"loopfix\"]\n"));
    }

    #[test]
    fn requires_python_sets_the_target() {
        assert_eq!(
            minimum_python(">=3.9, <4"),
            Some(PythonVersion { minor: 9 })
        );
        assert_eq!(
            minimum_python("~=3.11.2"),
            Some(PythonVersion { minor: 11 })
        );
        assert_eq!(minimum_python("<4"), None);
    }
}
