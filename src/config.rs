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
            toml::from_str(&text).map_err(|e| locate(e.span(), in_toml_terms(e.message())))?;
        requires_python = pyproject.project.and_then(|p| p.requires_python);
        if pyproject.tool.and_then(|t| t.loopfix).is_none() {
            return Ok(None);
        }
        // Read the table again as options, from the document, so errors keep their positions.
        raw = table_in_document(&text).map_err(|e| locate(e.span(), in_toml_terms(e.message())))?;
    } else {
        raw = toml::from_str(&text).map_err(|e| locate(e.span(), in_toml_terms(e.message())))?;
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
        loader_name: parsed(raw.loader_name, &|s| generated_name("loader-name", s))?,
        flag_name: parsed(raw.flag_name, &|s| generated_name("flag-name", s))?,
        init_name: parsed(raw.init_name, &|s| generated_name("init-name", s))?,
        init_flag_name: parsed(raw.init_flag_name, &|s| generated_name("init-flag-name", s))?,
    })
}

/// Python's keywords: no generated name may be one.
const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// The names of Python's `builtins` module (CPython 3.13, without the dunders): a generated
/// global named so would shadow the builtin for the whole module.
const BUILTINS: &[&str] = &[
    "ArithmeticError",
    "AssertionError",
    "AttributeError",
    "BaseException",
    "BaseExceptionGroup",
    "BlockingIOError",
    "BrokenPipeError",
    "BufferError",
    "BytesWarning",
    "ChildProcessError",
    "ConnectionAbortedError",
    "ConnectionError",
    "ConnectionRefusedError",
    "ConnectionResetError",
    "DeprecationWarning",
    "EOFError",
    "Ellipsis",
    "EncodingWarning",
    "EnvironmentError",
    "Exception",
    "ExceptionGroup",
    "FileExistsError",
    "FileNotFoundError",
    "FloatingPointError",
    "FutureWarning",
    "GeneratorExit",
    "IOError",
    "ImportError",
    "ImportWarning",
    "IndentationError",
    "IndexError",
    "InterruptedError",
    "IsADirectoryError",
    "KeyError",
    "KeyboardInterrupt",
    "LookupError",
    "MemoryError",
    "ModuleNotFoundError",
    "NameError",
    "NotADirectoryError",
    "NotImplemented",
    "NotImplementedError",
    "OSError",
    "OverflowError",
    "PendingDeprecationWarning",
    "PermissionError",
    "ProcessLookupError",
    "PythonFinalizationError",
    "RecursionError",
    "ReferenceError",
    "ResourceWarning",
    "RuntimeError",
    "RuntimeWarning",
    "StopAsyncIteration",
    "StopIteration",
    "SyntaxError",
    "SyntaxWarning",
    "SystemError",
    "SystemExit",
    "TabError",
    "TimeoutError",
    "TypeError",
    "UnboundLocalError",
    "UnicodeDecodeError",
    "UnicodeEncodeError",
    "UnicodeError",
    "UnicodeTranslateError",
    "UnicodeWarning",
    "UserWarning",
    "ValueError",
    "Warning",
    "ZeroDivisionError",
    "abs",
    "aiter",
    "all",
    "anext",
    "any",
    "ascii",
    "bin",
    "bool",
    "breakpoint",
    "bytearray",
    "bytes",
    "callable",
    "chr",
    "classmethod",
    "compile",
    "complex",
    "copyright",
    "credits",
    "delattr",
    "dict",
    "dir",
    "divmod",
    "enumerate",
    "eval",
    "exec",
    "exit",
    "filter",
    "float",
    "format",
    "frozenset",
    "getattr",
    "globals",
    "hasattr",
    "hash",
    "help",
    "hex",
    "id",
    "input",
    "int",
    "isinstance",
    "issubclass",
    "iter",
    "len",
    "license",
    "list",
    "locals",
    "map",
    "max",
    "memoryview",
    "min",
    "next",
    "object",
    "oct",
    "open",
    "ord",
    "pow",
    "print",
    "property",
    "quit",
    "range",
    "repr",
    "reversed",
    "round",
    "set",
    "setattr",
    "slice",
    "sorted",
    "staticmethod",
    "str",
    "sum",
    "super",
    "tuple",
    "type",
    "vars",
    "zip",
];

/// Checks the template of a generated name, the value of the configuration key `key`: with
/// `{name}` and `{NAME}` filled in, an ASCII identifier that is no keyword, no dunder and no
/// builtin; a template that is only a placeholder would give the global's own name.
fn generated_name(key: &str, template: &str) -> Result<(), String> {
    let filled = template.replace("{name}", "x").replace("{NAME}", "X");
    let problem = if template == "{name}" || template == "{NAME}" {
        Some("is the global's own name")
    } else if !is_ascii_identifier(&filled) {
        Some("does not make a Python identifier")
    } else if KEYWORDS.contains(&filled.as_str()) {
        Some("is a Python keyword")
    } else if filled.len() > 4 && filled.starts_with("__") && filled.ends_with("__") {
        Some("is a dunder name, which Python reserves")
    } else if BUILTINS.contains(&filled.as_str()) {
        Some("would shadow a Python builtin")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(format!(
            "`{key}`: `{template}` {problem}; choose another name"
        )),
        None => Ok(()),
    }
}

fn is_ascii_identifier(text: &str) -> bool {
    text.chars()
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && text.chars().all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// A TOML reader's message in the words of TOML, which the user wrote: an array and a table, not
/// a sequence and a map; a key, not a field.
fn in_toml_terms(message: &str) -> String {
    [
        ("expected a sequence", "expected an array"),
        ("invalid type: sequence", "invalid type: array"),
        ("expected a map", "expected a table"),
        ("invalid type: map", "invalid type: table"),
        ("unknown field", "unknown key"),
        ("missing field", "missing key"),
    ]
    .iter()
    .fold(message.to_owned(), |text, (theirs, ours)| {
        text.replace(theirs, ours)
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
    fn generated_names_are_checked_as_python_names() {
        for good in [
            "load_{name}",
            "_{NAME}_LOADED",
            "init",
            "_INITIALIZED",
            "startup",
        ] {
            assert_eq!(generated_name("loader-name", good), Ok(()), "{good}");
        }
        let cases = [
            ("init-name", "class", "is a Python keyword"),
            ("init-name", "__init__", "is a dunder name"),
            ("init-name", "open", "would shadow a Python builtin"),
            ("flag-name", "{NAME}", "is the global's own name"),
            (
                "loader-name",
                "load-{name}",
                "does not make a Python identifier",
            ),
            (
                "loader-name",
                "1{name}",
                "does not make a Python identifier",
            ),
            ("init-flag-name", "", "does not make a Python identifier"),
        ];
        for (key, template, problem) in cases {
            let error = generated_name(key, template).unwrap_err();
            assert!(
                error.starts_with(&format!("`{key}`: `{template}` {problem}")),
                "{error}"
            );
        }
    }

    #[test]
    fn a_generated_name_that_is_a_keyword_is_an_error_naming_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "loopfix.toml",
            "strategy = \"init\"\ninit-name = \"async\"\n",
        );
        let error = load(&path).unwrap_err().to_string();
        assert!(
            error.ends_with(":2:13: `init-name`: `async` is a Python keyword; choose another name"),
            "{error}"
        );
    }

    #[test]
    fn type_errors_speak_of_arrays_and_tables() {
        let dir = tempfile::tempdir().unwrap();
        for (text, expected) in [
            (
                "select = \"LF001\"\n",
                ":1:10: invalid type: string \"LF001\", expected an array",
            ),
            (
                "per-file-ignores = [\"x\"]\n",
                ":1:20: invalid type: array, expected a table",
            ),
            ("bogus = 1\n", ":1:1: unknown key `bogus`, expected one of"),
        ] {
            let path = write(dir.path(), "loopfix.toml", text);
            let error = load(&path).unwrap_err().to_string();
            assert!(error.contains(expected), "{error}");
            for word in ["sequence", "map", "field"] {
                assert!(!error.contains(word), "{error}");
            }
        }
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
