//! The language server's one door into loopfix: settings, the walker, the first look at a file,
//! the analysis of one file (alone or with the project in view, from a tree re-parsed after each
//! edit), the project index, the fix loop and the rule documentation. The rest of `server/` sees
//! only the types defined here, so that a change to loopfix's own layout is ported in this file
//! alone.

use std::ops::Range;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use tree_sitter::{InputEdit, Point, Tree};

use crate::analyze::{self, AnalysisOptions};
use crate::diagnostic::{Applicability, Finding, FixId};
use crate::lexer::{self, ImportTokens};
use crate::project::{self, Exports, ExternalUse, ModuleSummary, ProjectContext, ProjectIndex};
use crate::rules::Rule;
use crate::runner::{self, Mode};
use crate::settings::{CliOverrides, Resolver, Settings};
use crate::source::SourceFile;
use crate::syntax::parse;

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

/// Whether `path` names a file the walker would take as Python.
pub fn is_python_path(path: &Path) -> bool {
    crate::walk::is_python(path)
}

/// What one cheap pass over a file's bytes tells.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Facts {
    tokens: ImportTokens,
    /// Whether the file holds a needle (it may have findings or exports of its own).
    pub might_contain_loop: bool,
}

/// The first look at a file: its needles and import tokens, in one pass.
pub fn facts(bytes: &[u8]) -> Facts {
    let look = lexer::first_look(bytes);
    Facts {
        tokens: look.tokens,
        might_contain_loop: look.might_contain_loop,
    }
}

/// The modules a file's import statements name.
pub fn imported_modules(bytes: &[u8]) -> Arc<[String]> {
    lexer::imported_modules(bytes).into()
}

/// The dotted module name of the file at `path` (packages found on the disk).
pub fn module_name(path: &Path) -> String {
    project::module_name(path)
}

/// What a file tells the rest of the project.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exported(Exports);

impl Exported {
    /// Whether it tells other modules nothing.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// What other modules see of it (without its own uses of other modules).
    pub fn public(&self) -> Exported {
        Exported(Exports {
            uses_of_others: Vec::new(),
            ..self.0.clone()
        })
    }

    /// Whether two files' exports say the same to other modules.
    #[cfg(test)]
    pub fn same_public(&self, other: &Exported) -> bool {
        self.0.same_public(&other.0)
    }

    /// Whether the file has (or its fix makes) an `init()` that no application awaits.
    pub fn has_unwired_init(&self) -> bool {
        self.0.unwired_init.is_some()
    }

    /// The file's uses of names that other modules' fixes delete or load late.
    pub fn uses_of_others(&self) -> impl Iterator<Item = Use> + '_ {
        self.0.uses_of_others.iter().cloned().map(Use)
    }
}

/// A use, in one module, of a name another module's fix deletes or loads late.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Use(ExternalUse);

impl Use {
    /// The module that defines the name.
    pub fn module(&self) -> &Path {
        &self.0.module
    }
}

/// The project's modules with exports, and which files may import each.
#[derive(Debug, Clone)]
pub struct Index {
    inner: Arc<ProjectIndex>,
    /// The files that may import a module, and which modules, sorted.
    importers: Arc<[(PathBuf, Vec<usize>)]>,
}

impl Index {
    /// Indexes `modules` (path, module name, exports; those with empty exports are left out) and
    /// finds their possible importers among `files` by their import tokens.
    pub fn build<'a>(
        modules: Vec<(PathBuf, String, Exported)>,
        files: impl Iterator<Item = (&'a Path, &'a Facts)>,
    ) -> Self {
        let summaries = modules
            .into_iter()
            .filter(|(_, _, exports)| !exports.is_empty())
            .map(|(path, module, exports)| ModuleSummary {
                path,
                module,
                exports: exports.0,
            })
            .collect();
        let mut index = ProjectIndex::new(summaries);
        let mut importers: Vec<(PathBuf, Vec<usize>)> = Vec::new();
        if !index.is_empty() {
            importers = files
                .map(|(path, facts)| (path, index.imported_by_tokens(path, &facts.tokens)))
                .filter(|(_, modules)| !modules.is_empty())
                .map(|(path, modules)| (path.to_path_buf(), modules))
                .collect();
            importers.sort();
            for (importer, modules) in &importers {
                for &module in modules {
                    index.add_importer(module, importer.clone());
                }
            }
        }
        Index {
            inner: Arc::new(index),
            importers: importers.into(),
        }
    }

    /// Whether the same files may import the same modules in both (built from the same
    /// modules): then an edit of import lines left the index as it was.
    pub fn same_importers(&self, other: &Index) -> bool {
        self.importers == other.importers
    }

    /// Whether no module exports anything.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// Whether the file at `path` may import a module of the index (by its import tokens).
    pub fn may_import_any(&self, path: &Path) -> bool {
        self.inner.may_import_any(path)
    }

    /// The files that may import the module at `path`.
    pub fn importers_of(&self, path: &Path) -> Vec<PathBuf> {
        self.inner.importers_of(path)
    }

    /// The modules of this index whose public exports `other` no longer has the same.
    pub fn changed_in(&self, other: &Index) -> Vec<PathBuf> {
        self.inner
            .modules()
            .iter()
            .filter(|m| {
                other
                    .inner
                    .position(&m.path)
                    .is_none_or(|i| !other.inner.modules()[i].exports.same_public(&m.exports))
            })
            .map(|m| m.path.clone())
            .collect()
    }

    /// Whether the file at `path` (module `module`, whose import statements name `imported`)
    /// imports a module of the index and uses one of the names it exports: the test `loopfix
    /// check` applies before it analyses a file with the project in view.
    pub fn imports_an_export(
        &self,
        path: &Path,
        module: &str,
        bytes: &[u8],
        imported: &[String],
    ) -> bool {
        runner::imports_an_export(&self.inner, path, module, imported, bytes)
    }
}

/// The project as one file's analysis sees it.
#[derive(Debug, Clone)]
pub struct Context(Arc<ProjectContext>);

impl Context {
    /// The context of the file at `path` (module `module`): the index, and other modules' uses
    /// of its names.
    pub fn new(index: &Index, path: &Path, module: &str, used: &[Use]) -> Self {
        Context(Arc::new(ProjectContext {
            index: Arc::clone(&index.inner),
            path: path.to_path_buf(),
            module: module.to_owned(),
            is_package: project::is_package_init(path),
            used_elsewhere: used.iter().map(|u| u.0.clone()).collect(),
        }))
    }
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

/// One version of a file's text, parsed at most once, when an analysis first needs the tree;
/// from the tree of the version before it when there is one (tree-sitter then parses again only
/// what changed). An open document keeps its text from one analysis to the next.
#[derive(Debug)]
pub struct Text {
    bytes: Arc<[u8]>,
    parsed: OnceLock<Arc<Parsed>>,
    /// The previous version's parse, until this version is parsed.
    base: Mutex<Option<Arc<Parsed>>>,
}

/// A decoded and parsed text.
#[derive(Debug)]
struct Parsed {
    source: Result<SourceFile, String>,
    tree: Result<Tree, String>,
}

impl Text {
    /// A version of a text; `previous` is the version it was edited from, if any.
    pub fn new(bytes: Arc<[u8]>, previous: Option<&Text>) -> Self {
        let base = previous.and_then(|p| p.parsed.get().cloned().or_else(|| p.take_base()));
        Text {
            bytes,
            parsed: OnceLock::new(),
            base: Mutex::new(base),
        }
    }

    /// The bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    fn take_base(&self) -> Option<Arc<Parsed>> {
        self.base.lock().unwrap_or_else(|p| p.into_inner()).take()
    }

    fn parsed(&self) -> &Parsed {
        self.parsed.get_or_init(|| {
            let base = self.take_base();
            Arc::new(parse_text(&self.bytes, base.as_deref()))
        })
    }
}

/// Decodes and parses `bytes`, reusing the tree of `base` (an earlier version of the text).
fn parse_text(bytes: &[u8], base: Option<&Parsed>) -> Parsed {
    let source = match SourceFile::new(bytes.to_vec()) {
        Ok(source) => source,
        Err(e) => {
            return Parsed {
                source: Err(e.to_string()),
                tree: Err(e.to_string()),
            };
        }
    };
    if let Err(error) = parse::check_size(source.code().len()) {
        return Parsed {
            source: Ok(source),
            tree: Err(error.to_string()),
        };
    }
    let old = base.and_then(|base| edited_tree(base, &source));
    let tree = parse::parse_reusing(source.parse_text(), old.as_ref()).map_err(|e| e.to_string());
    Parsed {
        source: Ok(source),
        tree,
    }
}

/// The tree of `base`, told of the change that turns its text into `source`'s: one edit, from
/// the first byte that differs to the last (a keystroke, a paste, a whole fix alike).
fn edited_tree(base: &Parsed, source: &SourceFile) -> Option<Tree> {
    let (Ok(old_source), Ok(old_tree)) = (&base.source, &base.tree) else {
        return None;
    };
    if old_source.has_bom() != source.has_bom() {
        return None;
    }
    let (old, new) = (old_source.parse_text(), source.parse_text());
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let longest = old.len().min(new.len()) - prefix;
    let suffix = old
        .iter()
        .rev()
        .zip(new.iter().rev())
        .take(longest)
        .take_while(|(a, b)| a == b)
        .count();
    let mut tree = old_tree.clone();
    tree.edit(&InputEdit {
        start_byte: prefix,
        old_end_byte: old.len() - suffix,
        new_end_byte: new.len() - suffix,
        start_position: point(old, prefix),
        old_end_position: point(old, old.len() - suffix),
        new_end_position: point(new, new.len() - suffix),
    });
    Some(tree)
}

/// Tree-sitter's point of byte `offset`: rows counted at `\n`, columns in bytes.
fn point(text: &[u8], offset: usize) -> Point {
    let before = &text[..offset];
    let row = memchr::memchr_iter(b'\n', before).count();
    let column = offset - memchr::memrchr(b'\n', before).map_or(0, |at| at + 1);
    Point::new(row, column)
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
    Ok(report.change.map(|change| change.fixed))
}

/// The buffer with the fix `key` applied, alone, round after round while it is on offer.
fn fix_one(
    bytes: &[u8],
    settings: &FileSettings,
    project: Option<Arc<ProjectContext>>,
    key: &str,
) -> Result<Option<Vec<u8>>, String> {
    let id: FixId = key
        .parse()
        .map_err(|e: crate::diagnostic::fix::NotAFixId| e.to_string())?;
    let mut options = settings.options.clone();
    options.project = project;
    let source = SourceFile::new(bytes.to_vec()).map_err(|e| e.to_string())?;
    let fixed = analyze::fix_chosen(&source, &options, &[id]).map_err(|e| e.to_string())?;
    if let Some(refused) = fixed.refused.first() {
        return Err(format!(
            "internal error: the fix for {} (\"{}\") produced invalid Python",
            refused.codes.join(", "),
            refused.title
        ));
    }
    if let Some(rounds) = fixed.unconverged_after {
        return Err(format!(
            "internal error: the fix was still on offer after {rounds} rounds of fixing"
        ));
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
mod tests {
    use super::*;

    const SEED: &str = "import asyncio\n\n\nasync def fetch():\n    return 'data'\n\n\nDATA = asyncio.run(fetch())\n\n\nasync def handler():\n    return DATA\n";

    fn settings() -> FileSettings {
        Configuration::discovered(&[]).file_settings(None).unwrap()
    }

    #[test]
    fn ranges_count_the_bom_and_quick_fix_equals_fix_all_for_one_finding() {
        let with_bom = [b"\xEF\xBB\xBF".as_slice(), SEED.as_bytes()].concat();
        let outcome = analyse(
            &Text::new(Arc::from(with_bom.as_slice()), None),
            &settings(),
            None,
        );
        let [issue] = outcome.issues.as_slice() else {
            panic!("one finding expected: {:?}", outcome.issues);
        };
        assert_eq!(issue.rule.code(), "LF001");
        assert_eq!(
            &with_bom[issue.range.clone()],
            b"asyncio.run(fetch())".as_slice()
        );
        let fix_info = issue.fix.clone().expect("a fix");
        let one = FixChoice::One(fix_info.key);
        let quick = fix(&with_bom, &settings(), &outcome, &one)
            .unwrap()
            .unwrap();
        let all = fix(&with_bom, &settings(), &outcome, &FixChoice::All)
            .unwrap()
            .unwrap();
        assert_eq!(quick, all);
        assert!(quick.starts_with(b"\xEF\xBB\xBF"));
        assert!(!String::from_utf8_lossy(&quick).contains("asyncio.run"));
    }

    #[test]
    fn a_file_that_does_not_parse_has_no_findings_and_says_why() {
        let text = Text::new(
            Arc::from(b"import asyncio\nX = asyncio.run(f(\n".as_slice()),
            None,
        );
        let outcome = analyse(&text, &settings(), None);
        assert!(outcome.issues.is_empty());
        let Some(Failure::Unreadable(why)) = outcome.error else {
            panic!("unreadable expected: {:?}", outcome.error);
        };
        assert!(why.contains("syntax error"), "{why}");
    }

    fn tree_of(text: &Text) -> String {
        text.parsed().tree.as_ref().unwrap().root_node().to_sexp()
    }

    #[test]
    fn a_reparse_from_the_previous_version_equals_a_fresh_parse() {
        let edits: [(&str, &str); 5] = [
            (
                "DATA = asyncio.run(fetch())",
                "DATA = asyncio.run(fetch('é𝄞'))",
            ),
            ("import asyncio\n", "import asyncio\nimport json\n"),
            ("    return DATA\n", ""),
            ("async def handler():", "async def handler(request):"),
            ("\n\n\nasync def fetch", "\r\n\r\n\r\nasync def fetch"),
        ];
        let mut previous = Text::new(Arc::from(SEED.as_bytes()), None);
        let mut current = SEED.to_owned();
        analyse(&previous, &settings(), None);
        for (from, to) in edits {
            current = current.replacen(from, to, 1);
            let edited = Text::new(Arc::from(current.as_bytes()), Some(&previous));
            let fresh = Text::new(Arc::from(current.as_bytes()), None);
            assert!(edited.take_base().is_some(), "the previous parse is reused");
            let edited = Text::new(Arc::from(current.as_bytes()), Some(&previous));
            assert_eq!(
                tree_of(&edited),
                tree_of(&fresh),
                "after {from:?} -> {to:?}"
            );
            assert_eq!(
                analyse(&edited, &settings(), None).issues,
                analyse(&fresh, &settings(), None).issues
            );
            previous = edited;
        }
    }
}
