//! A configuration file read and checked: `[tool.loopfix]` in `pyproject.toml` or a
//! `loopfix.toml`, unknown keys and bad values as errors with `file:line:column`, the target
//! version from `requires-python`, and whether a broken `pyproject.toml` may hold loopfix's table.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::names::generated_name;
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
pub(super) fn minimum_python(spec: &str) -> Option<PythonVersion> {
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
pub(super) fn may_hold_loopfix_table(text: &str) -> bool {
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
