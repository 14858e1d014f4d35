//! The language server's one door into loopfix: settings, the walker, the first look at a file,
//! the analysis of one file (alone or with the project in view, from a tree re-parsed after each
//! edit), the project index, the fix loop and the rule documentation. The rest of `server/` sees
//! only the types of this module (the project's in `index`, a document's text in `text`), so that
//! a change to loopfix's own layout is ported in this module alone.

use std::ops::Range;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::analyze::{self, AnalysisOptions};
use crate::diagnostic::{Applicability, Finding, FixId};
use crate::lexer::{self};
use crate::project::ProjectContext;
use crate::rules::Rule;
use crate::runner::{self, Mode};
use crate::settings::{CliOverrides, Resolver, Settings};
use crate::source::SourceFile;

mod index;
mod text;

pub use self::index::{Context, Exported, Facts, Index, Use, facts, imported_modules, module_name};
pub use self::text::Text;

/// How far a fix can be trusted (loopfix's applicability).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Safety {
    /// Only shown, never applied.
    DisplayOnly,
    /// Applied only when unsafe fixes are enabled.
    Unsafe,
    /// Applied by `loopfix fix`.
    Safe,
}

impl Safety {
    fn of(applicability: Applicability) -> Self {
        match applicability {
            Applicability::DisplayOnly => Safety::DisplayOnly,
            Applicability::Unsafe => Safety::Unsafe,
            Applicability::Safe => Safety::Safe,
        }
    }
}

/// A rule, as the server shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RuleInfo(Rule);

impl RuleInfo {
    /// The rule's code (`LF001`).
    pub fn code(self) -> &'static str {
        self.0.code()
    }

    /// What `loopfix rule CODE` prints (Markdown).
    pub fn documentation(self) -> &'static str {
        self.0.explanation()
    }

    /// The path of the rule's documentation file in loopfix's repository.
    pub fn documentation_path(self) -> String {
        format!("transforms/rules/{}.md", self.0.code())
    }
}

/// The fix of a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixInfo {
    /// What it does.
    pub title: String,
    /// How far it can be trusted.
    pub safety: Safety,
    /// Tells the fix apart from the others of the file, across analyses of the same text.
    pub key: String,
    /// Findings that share one fix have the same `group`.
    pub group: usize,
}

/// One finding, with its range in the analysed bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// The rule it breaks.
    pub rule: RuleInfo,
    /// The one-line message, with the evidence.
    pub message: String,
    /// The byte range in the bytes given to [`analyse`] (a BOM counted).
    pub range: Range<usize>,
    /// Its fix, if it has one.
    pub fix: Option<FixInfo>,
}

/// The settings of one file: its `[tool.loopfix]` merged over the defaults.
#[derive(Debug, Clone)]
pub struct FileSettings {
    settings: Arc<Settings>,
    /// The file's path (`-` for a document without one), which per-file settings match.
    path: PathBuf,
    options: AnalysisOptions,
    /// Whether the configuration excludes the file.
    pub excluded: bool,
}

impl FileSettings {
    /// Whether the analysis of `bytes` alone parses them (else it finds nothing, at no cost).
    pub fn needs_parse(&self, bytes: &[u8]) -> bool {
        lexer::needs_parse(bytes, self.options.full_parse)
    }

    /// The least safe fix that "fix all" applies: the file's threshold, as `loopfix fix` has it.
    pub fn fix_all_threshold(&self) -> Safety {
        Safety::of(runner::threshold(&self.settings))
    }
}

/// Where each file's settings come from: the closest `pyproject.toml` / `loopfix.toml`, or the
/// one configuration file named explicitly; and the workspace folders the files are walked from.
#[derive(Debug, Clone)]
pub struct Configuration {
    resolver: Arc<Resolver>,
    roots: Arc<[PathBuf]>,
}

impl Configuration {
    /// Discovers configuration per file, or reads `config` for every file, for the project in
    /// the folders `roots`.
    pub fn new(config: Option<&Path>, roots: &[PathBuf]) -> Result<Self, String> {
        let resolver = Resolver::new(CliOverrides::default(), config).map_err(|e| e.to_string())?;
        Ok(Configuration {
            resolver: Arc::new(resolver),
            roots: roots.into(),
        })
    }

    /// Each file's closest configuration file, for the project in the folders `roots`.
    pub fn discovered(roots: &[PathBuf]) -> Self {
        let resolver = Resolver::new(CliOverrides::default(), None)
            .expect("without an explicit configuration file nothing is read up front");
        Configuration {
            resolver: Arc::new(resolver),
            roots: roots.into(),
        }
    }

    /// The settings of the file at `path` (of the working directory for a document without
    /// a path).
    pub fn file_settings(&self, path: Option<&Path>) -> Result<FileSettings, String> {
        let settings = match path {
            Some(path) => self.resolver.settings_for_file(path),
            None => self.resolver.settings_for_dir(Path::new(".")),
        }
        .map_err(|e| e.to_string())?;
        let path = path.unwrap_or(Path::new("-")).to_path_buf();
        // As the walk of a workspace folder sees it: the file and its directories below the
        // folder; a file outside every folder as `--force-exclude` sees a file named.
        let excluded = match self.roots.iter().find(|root| path.starts_with(root)) {
            Some(root) => path
                .ancestors()
                .take_while(|p| p != root)
                .any(|p| settings.is_excluded(p)),
            None => settings.is_excluded_with_parents(&path),
        };
        Ok(FileSettings {
            options: settings.analysis_for(&path),
            settings,
            path,
            excluded,
        })
    }

    /// The Python files under the workspace folders, as `loopfix check` walks them (ignore
    /// files, hidden directories and the configured exclusions), sorted.
    pub fn walk(&self) -> Vec<PathBuf> {
        crate::walk::collect_files(&self.roots, &self.resolver).0
    }
}

/// `path` as loopfix's messages show it (relative to the working directory).
pub fn display_path(path: &Path) -> String {
    crate::paths::display_path(path)
}

/// The bytes of the regular file at `path`, read as `loopfix check` reads files: a special file
/// or a file over loopfix's limit is refused unread (`None`), as is a file that cannot be read.
pub fn read_file(path: &Path) -> Option<Vec<u8>> {
    crate::fs::read_bounded(path, crate::fs::ReadLimit::ANY_FILE).ok()
}

/// Whether `path` names a file the walker would take as Python.
pub fn is_python_path(path: &Path) -> bool {
    crate::walk::is_python(path)
}

/// The outcome of analysing one file's bytes.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The findings, in source order.
    pub issues: Vec<Issue>,
    /// What the file tells the rest of the project.
    pub exported: Exported,
    /// Why the file could not be analysed, if it could not.
    pub error: Option<Failure>,
    /// The project context it was analysed with.
    context: Option<Context>,
}

/// Why a file could not be analysed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Its text is not Python loopfix reads: a syntax error (while typing, mostly), not UTF-8,
    /// too large, or it cannot be read.
    Unreadable(String),
    /// Its configuration file is wrong.
    Configuration(String),
    /// loopfix failed on it (a bug).
    Internal(String),
}

impl Outcome {
    /// The outcome of a file that cannot be analysed, and why.
    pub fn failed(failure: Failure) -> Self {
        Outcome {
            error: Some(failure),
            ..Outcome::default()
        }
    }
}

/// Analyses a file's bytes (alone, or with the project in view) as `loopfix check` does.
pub fn analyse(text: &Text, settings: &FileSettings, context: Option<&Context>) -> Outcome {
    let mut options = settings.options.clone();
    options.project = context.map(|c| Arc::clone(&c.0));
    if options.project.is_none() && !lexer::needs_parse(text.bytes(), options.full_parse) {
        return Outcome::default();
    }
    let analysed = catch_panic(|| {
        let parsed = text.parsed();
        let unreadable = |e: &String| Failure::Unreadable(e.clone());
        let source = parsed.source.as_ref().map_err(unreadable)?;
        let tree = parsed.tree.as_ref().map_err(unreadable)?;
        let (findings, exports) = analyze::analyze_tree(source, tree, &options);
        Ok((issues(&findings, bom_len(source)), exports))
    });
    match analysed {
        Ok((issues, exports)) => Outcome {
            issues,
            exported: Exported(exports),
            error: None,
            context: context.cloned(),
        },
        Err(error) => Outcome {
            error: Some(error),
            context: context.cloned(),
            ..Outcome::default()
        },
    }
}

/// Which fixes [`fix`] applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixChoice {
    /// Every fix the file's settings let `loopfix fix` apply ("fix all").
    All,
    /// The one fix with this [`FixInfo::key`] (a quick fix), whatever its safety.
    One(String),
}

/// The file's bytes after loopfix's fix loop (the rewrite `loopfix fix` writes, imports tidied,
/// re-analysed to a fixed point), with the project context of `outcome`; `None` when nothing
/// changes. `Err` when the file cannot be fixed, or a fix was refused or did not settle.
pub fn fix(
    bytes: &[u8],
    settings: &FileSettings,
    outcome: &Outcome,
    choice: &FixChoice,
) -> Result<Option<Vec<u8>>, String> {
    let project = outcome.context.as_ref().map(|c| Arc::clone(&c.0));
    catch_panic(|| match choice {
        FixChoice::All => fix_all(bytes, settings, project),
        FixChoice::One(key) => fix_one(bytes, settings, project, key),
    })
}

/// What `loopfix fix` makes of the buffer, as if it were the file on disk.
fn fix_all(
    bytes: &[u8],
    settings: &FileSettings,
    project: Option<Arc<ProjectContext>>,
) -> Result<Option<Vec<u8>>, String> {
    let report = runner::process_buffer(
        &settings.settings,
        &settings.path,
        bytes.to_vec(),
        Mode::Fix,
        project,
    );
    if let Some(error) = report.errors.first() {
        return Err(error.to_string());
    }
    let Some(change) = report.change else {
        return Ok(None);
    };
    let original = change.original(&settings.path).map_err(|e| e.to_string())?;
    Ok(Some(change.fixed(&original)))
}

/// The buffer with the fix `key` applied, alone, round after round while it is on offer.
fn fix_one(
    bytes: &[u8],
    settings: &FileSettings,
    project: Option<Arc<ProjectContext>>,
    key: &str,
) -> Result<Option<Vec<u8>>, String> {
    let id = key.parse::<FixId>().map_err(|e| e.to_string())?;
    let mut options = settings.options.clone();
    options.project = project;
    let source = SourceFile::new(bytes.to_vec()).map_err(|e| e.to_string())?;
    let fixed = analyze::fix_chosen(&source, &options, &[id]).map_err(|e| e.to_string())?;
    if let Some(error) = fixed.errors().first() {
        return Err(error.to_string());
    }
    Ok((fixed.code != source.code()).then(|| source.to_file_bytes(&fixed.code)))
}

/// The rule with code or name `name`.
#[cfg(test)]
pub fn rule(name: &str) -> Option<RuleInfo> {
    name.parse::<Rule>().ok().map(RuleInfo)
}

/// The findings as issues, their ranges moved past a BOM of `bom` bytes.
fn issues(findings: &[Finding], bom: usize) -> Vec<Issue> {
    // One group per distinct fix; its identity is the one the fix loop gives it (from the first
    // of the findings it resolves).
    let mut groups: Vec<FixId> = Vec::new();
    findings
        .iter()
        .map(|finding| Issue {
            rule: RuleInfo(finding.rule),
            message: finding.message.clone(),
            range: finding.range.start + bom..finding.range.end + bom,
            fix: finding.fix.as_ref().map(|fix| {
                let group = groups
                    .iter()
                    .position(|id| *id == fix.id())
                    .unwrap_or_else(|| {
                        groups.push(fix.id());
                        groups.len() - 1
                    });
                FixInfo {
                    title: fix.title().to_owned(),
                    safety: Safety::of(fix.applicability()),
                    key: fix.id().to_string(),
                    group,
                }
            }),
        })
        .collect()
}

/// The length of the source's byte order mark (its offsets start after it).
fn bom_len(source: &SourceFile) -> usize {
    if source.has_bom() { 3 } else { 0 }
}

/// Runs `work`, turning a panic into an internal error (the server outlives a bad file).
fn catch_panic<T, E: From<Failure>>(work: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
    std::panic::catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Err(Failure::Internal(format!("internal error: {what}")).into())
    })
}

impl From<Failure> for String {
    fn from(failure: Failure) -> String {
        failure.to_string()
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Unreadable(why) | Failure::Configuration(why) | Failure::Internal(why) => {
                f.write_str(why)
            }
        }
    }
}

#[cfg(test)]
mod tests;
