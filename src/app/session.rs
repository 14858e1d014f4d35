//! One run of `check` or `fix`, over the files named (walked) or standard input: the same steps
//! for both — process, write what `fix` changed, print each file's errors on standard error,
//! emit the diagnostics, the summary, and the exit status.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};

use super::color::use_color;
use super::exit::ExitStatus;
use super::report_file::ReportOut;
use crate::cli::{FixCommand, SharedArgs};
use crate::diagnostic::FileError;
use crate::diff::{DiffError, DiffStyle, write_diff};
use crate::fs::{ReadLimit, Rewrite};
use crate::interactive;
use crate::output::{self, Counts, OutputFormat, Printer};
use crate::paths::display_path;
use crate::progress::Progress;
use crate::runner::{self, Change, Counters, FileReport, Mode};
use crate::settings::{CliOverrides, Resolver};

/// A run of `check` or `fix`: the flags, the settings resolver and how to print.
pub struct Session<'a> {
    shared: &'a SharedArgs,
    fix: Option<&'a FixCommand>,
    resolver: Arc<Resolver>,
    printer: Printer,
}

impl<'a> Session<'a> {
    /// A session for the flags of `check` (`fix` is `None`) or `fix`.
    pub fn new(shared: &'a SharedArgs, fix: Option<&'a FixCommand>) -> Result<Self> {
        let resolver = Arc::new(Resolver::new(overrides(shared), shared.config.as_deref())?);
        // A broken configuration that governs the working directory stops the run at once.
        resolver.settings_for(Path::new("."))?;
        let printer = Printer {
            format: shared.output_format.unwrap_or_default(),
            color: use_color(shared.color, shared.output_file.is_some()),
            fixing: fix.is_some(),
        };
        Ok(Session {
            shared,
            fix,
            resolver,
            printer,
        })
    }

    /// Runs the session.
    pub fn run(&self) -> Result<ExitStatus> {
        let paths = &self.shared.paths;
        if self.shared.stdin_filename.is_some() {
            // As in ruff: `--stdin-filename` always reads standard input (an editor's call must
            // never turn into a run over the files on disk).
            for path in paths.iter().filter(|p| *p != Path::new("-")) {
                let _ = writeln!(
                    io::stderr().lock(),
                    "loopfix: warning: ignoring {}: `--stdin-filename` reads standard input",
                    display_path(path)
                );
            }
            return self.run_stdin();
        }
        if paths.len() == 1 && paths[0] == Path::new("-") {
            return self.run_stdin();
        }
        if paths.iter().any(|p| p == Path::new("-")) {
            anyhow::bail!("`-` (standard input) must be the only path");
        }
        let paths = if paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            paths.clone()
        };
        if self.fix.is_some_and(|f| f.interactive) {
            return self.run_interactive(&paths);
        }
        self.run_files(&paths)
    }

    fn mode(&self) -> Mode {
        if self.fix.is_some() {
            Mode::Fix
        } else {
            Mode::Check
        }
    }

    fn diff_only(&self) -> bool {
        self.fix.is_some_and(|f| f.diff)
    }

    fn run_files(&self, paths: &[PathBuf]) -> Result<ExitStatus> {
        let counters = Arc::new(Counters::default());
        let shared = self.shared;
        let show_progress = !shared.quiet && !shared.no_progress && io::stderr().is_terminal();
        let progress = Progress::start(show_progress, Arc::clone(&counters));
        let (walked, walk_errors) =
            runner::walk_and_process(paths, &self.resolver, self.mode(), &counters);
        progress.finish();
        print_config_warnings(&self.resolver);
        // Paths that could not be walked come first, as they are met.
        let mut reports: Vec<FileReport> = walk_errors
            .into_iter()
            .map(|e| FileReport::error(&e.path, FileError::Unreadable(e.message)))
            .collect();
        let unwalked = reports.len();
        for report in &reports {
            print_errors(&report.path, &report.errors);
        }
        reports.extend(walked);

        let mut out = ReportOut::new(self.shared.output_file.as_deref());
        let changed = match self.fix {
            Some(_) => self.write_changes(&mut reports[unwalked..], &mut out)?,
            None => 0,
        };
        for report in &reports[unwalked..] {
            print_errors(&report.path, &report.errors);
        }
        let counts = Counts::of(&reports);
        let diff_only = self.diff_only();
        if !diff_only && !shared.quiet {
            self.emit(&mut out, &mut reports, &counts)?;
        }
        let summary = output::summary(&counts, self.fix.is_some(), diff_only);
        if diff_only || self.printer.is_machine_readable() {
            writeln!(io::stderr().lock(), "{summary}")?;
        } else {
            writeln!(out, "{summary}")?;
        }
        out.finish()?;
        Ok(self.exit_status(&counts, changed))
    }

    /// Writes the changes all or none (not with `--diff`), then prints the diff of each change
    /// that was written (`--diff`: of each change, the diff only, under the name git gives the
    /// file); returns how many files changed. A file whose name no diff can carry keeps its
    /// bytes and gets the error; so does every file when one cannot be written, and no diff of
    /// it is printed as if applied.
    fn write_changes(&self, reports: &mut [FileReport], out: &mut dyn Write) -> Result<usize> {
        let mut diffs: Vec<(usize, Vec<u8>)> = Vec::new();
        for (i, report) in reports.iter_mut().enumerate() {
            let Some(change) = &report.change else {
                continue;
            };
            let original = match change.original(&report.path) {
                Ok(original) => original,
                Err(error) => {
                    report.errors.push(error);
                    runner::keep_unwritten(report, &self.resolver);
                    continue;
                }
            };
            let fixed = change.fixed(&original);
            let mut diff = Vec::new();
            match self.render_change(&report.path, &original, &fixed, &mut diff) {
                // Nothing is written with `--diff`: each diff goes out at once.
                Ok(()) if self.diff_only() => {
                    self.print_diff(&diff, out)?;
                    diffs.push((i, Vec::new()));
                }
                Ok(()) => diffs.push((i, diff)),
                Err(DiffError::Unrepresentable(reason)) => {
                    report.errors.push(FileError::Undiffable(reason));
                    report.change = None;
                }
                Err(DiffError::Io(e)) => return Err(e.into()),
            }
        }
        if !self.diff_only() {
            write_together(reports, &self.resolver);
        }
        let mut changed = 0;
        for (i, diff) in diffs {
            if reports[i].change.is_some() {
                changed += 1;
                if !self.diff_only() {
                    self.print_diff(&diff, out)?;
                }
            }
        }
        Ok(changed)
    }

    /// The diff of one change as the session shows it: `--diff` without colour; else, unless
    /// `--quiet` (nothing), in the session's colours.
    fn render_change(
        &self,
        path: &Path,
        old: &[u8],
        new: &[u8],
        diff: &mut Vec<u8>,
    ) -> Result<(), DiffError> {
        if self.diff_only() {
            return write_diff(diff, path, old, new, &DiffStyle::default());
        }
        if self.shared.quiet {
            return Ok(());
        }
        write_diff(diff, path, old, new, &DiffStyle::new(self.printer.color))
    }

    /// Prints a rendered diff where the session shows it: standard output with `--diff` and
    /// for the human formats, standard error beside the machine-readable formats.
    fn print_diff(&self, diff: &[u8], out: &mut dyn Write) -> io::Result<()> {
        if !self.diff_only() && self.printer.is_machine_readable() {
            io::stderr().lock().write_all(diff)
        } else {
            out.write_all(diff)?;
            out.flush()
        }
    }

    /// The diagnostics (or `--statistics`) in the session's format; the full format first gets
    /// each fix's preview.
    fn emit(&self, out: &mut dyn Write, reports: &mut [FileReport], counts: &Counts) -> Result<()> {
        if self.shared.statistics {
            let json = self.printer.format == OutputFormat::Json;
            output::statistics(out, reports, json)?;
        } else if counts.findings > 0 || counts.errors > 0 || self.printer.is_machine_readable() {
            if self.printer.format == OutputFormat::Full {
                runner::add_previews(reports);
            }
            self.printer.emit(out, reports)?;
        }
        Ok(())
    }

    /// The exit status; `--exit-zero` turns 1 into 0.
    fn exit_status(&self, counts: &Counts, changed: usize) -> ExitStatus {
        match self.raw_exit_status(counts, changed) {
            ExitStatus::Failure if self.shared.exit_zero => ExitStatus::Success,
            status => status,
        }
    }

    fn raw_exit_status(&self, counts: &Counts, changed: usize) -> ExitStatus {
        if counts.errors > 0 {
            return ExitStatus::Error;
        }
        if counts.findings > 0 {
            return ExitStatus::Failure;
        }
        match self.fix {
            Some(fix) if fix.diff && changed > 0 => ExitStatus::Failure,
            Some(fix) if fix.exit_non_zero_on_fix && changed > 0 => ExitStatus::Failure,
            _ => ExitStatus::Success,
        }
    }

    /// `-` as the only path, or `--stdin-filename`: `check` reports, `fix` prints the fixed
    /// source (or `--diff` a diff) and writes no file, with the settings of `--stdin-filename`.
    /// Under `--force-exclude` an excluded name (or one under an excluded directory) is not
    /// processed: nothing is reported and `fix` gives the input back unchanged.
    fn run_stdin(&self) -> Result<ExitStatus> {
        let shared = self.shared;
        if self.fix.is_some_and(|f| f.interactive) {
            anyhow::bail!("`--interactive` cannot read standard input");
        }
        let bytes = crate::fs::read_stream_bounded(io::stdin().lock(), ReadLimit::ANY_FILE)
            .context("failed to read standard input")?;
        let name = shared
            .stdin_filename
            .clone()
            .unwrap_or_else(|| PathBuf::from("-"));
        let settings = self.resolver.settings_for(&name)?;
        print_config_warnings(&self.resolver);
        let excluded = shared.stdin_filename.is_some()
            && settings.force_exclude
            && (settings.is_excluded(&name) || settings.is_excluded_with_parents(&name));
        let mut report = if excluded {
            FileReport::clean_at(name.clone())
        } else {
            runner::process_buffer(&settings, &name, bytes.clone(), self.mode(), None)
        };
        let mut out = io::stdout().lock();
        let mut changed = 0;
        if let Some(fix) = self.fix {
            let fixed = match &report.change {
                Some(change) => {
                    let original = change.original(&name).map_err(|e| anyhow::anyhow!("{e}"))?;
                    change.fixed(&original)
                }
                None => bytes.clone(),
            };
            let fixed = &fixed;
            if fix.diff {
                let plain = DiffStyle::default();
                match write_diff(&mut out, &name, &bytes, fixed, &plain) {
                    Ok(()) => changed = usize::from(report.change.is_some()),
                    Err(DiffError::Unrepresentable(reason)) => {
                        report.errors.push(FileError::Undiffable(reason));
                        report.change = None;
                    }
                    Err(DiffError::Io(e)) => return Err(e.into()),
                }
            } else {
                changed = usize::from(report.change.is_some());
                out.write_all(fixed)?;
            }
        }
        out.flush()?;
        drop(out);
        print_errors(&name, &report.errors);
        let mut reports = vec![report];
        let counts = Counts::of(&reports);
        let mut report_out = ReportOut::new(shared.output_file.as_deref());
        if self.fix.is_some() {
            // Standard output carries the source: the report goes to standard error (or
            // `--output-file`, where a machine format is written even when empty).
            let to_file = matches!(report_out, ReportOut::File { .. });
            let anything = counts.findings > 0 || counts.errors > 0;
            if !shared.quiet && (anything || (to_file && self.printer.is_machine_readable())) {
                let printer = Printer {
                    color: false,
                    ..self.printer.clone()
                };
                if printer.format == OutputFormat::Full {
                    runner::add_previews(&mut reports);
                }
                match &mut report_out {
                    ReportOut::Stdout(_) => printer.emit(&mut io::stderr().lock(), &reports)?,
                    file => printer.emit(file, &reports)?,
                }
            }
        } else if !shared.quiet {
            self.emit(&mut report_out, &mut reports, &counts)?;
            if !self.printer.is_machine_readable() {
                writeln!(report_out, "{}", output::summary(&counts, false, false))?;
            }
        }
        report_out.finish()?;
        Ok(self.exit_status(&counts, changed))
    }

    /// `fix --interactive` over `paths`, on the terminal.
    fn run_interactive(&self, paths: &[PathBuf]) -> Result<ExitStatus> {
        if !io::stdin().is_terminal() || !io::stderr().is_terminal() {
            anyhow::bail!(
                "`fix --interactive` needs a terminal to ask its questions; use `loopfix fix --diff` to review fixes in a pipe"
            );
        }
        let mut prompt = interactive::TerminalPrompt::new();
        let summary =
            interactive::run_with_prompt(paths, &self.resolver, self.printer.color, &mut prompt)?;
        let mut out = io::stdout().lock();
        for (path, reason) in &summary.errors {
            report_error(path, reason);
        }
        writeln!(out, "{}", summary.line())?;
        Ok(if !summary.errors.is_empty() {
            ExitStatus::Error
        } else if summary.remaining > 0 && !self.shared.exit_zero {
            ExitStatus::Failure
        } else {
            ExitStatus::Success
        })
    }
}

/// Prints `loopfix: warning: path:line:col: reason` for each `pyproject.toml` that was passed
/// over (it does not parse and holds no `[tool.loopfix]` table).
pub(super) fn print_config_warnings(resolver: &Resolver) {
    for warning in resolver.take_warnings() {
        let _ = writeln!(
            io::stderr().lock(),
            "loopfix: warning: {warning} (no [tool.loopfix] table: the defaults apply)"
        );
    }
}

/// Writes the changes of `reports` all or none ([`crate::fs::write_all`]): the files of a
/// cross-module fix must change together, and every file one run fixes is one set. On a failure
/// every change is dropped, each report saying why and keeping the findings of the file as it
/// stays.
fn write_together(reports: &mut [FileReport], resolver: &Resolver) {
    let changed: Vec<usize> = (0..reports.len())
        .filter(|&i| reports[i].change.is_some())
        .collect();
    let writes: Vec<ChangeWrite> = changed
        .iter()
        .filter_map(|&i| {
            Some(ChangeWrite {
                path: &reports[i].path,
                change: reports[i].change.as_deref()?,
            })
        })
        .collect();
    let Err(error) = crate::fs::write_all(&writes) else {
        return;
    };
    let failed = changed[error.failed];
    let failed_path = display_path(&reports[failed].path);
    for &i in &changed {
        let reason = if i == failed {
            FileError::Unwritable(error.to_string())
        } else {
            FileError::NotWrittenTogether {
                failed: failed_path.clone(),
            }
        };
        reports[i].errors.push(reason);
        runner::keep_unwritten(&mut reports[i], resolver);
    }
}

/// A change to write: the file's bytes are read when it is written, one file at a time.
struct ChangeWrite<'a> {
    path: &'a Path,
    change: &'a Change,
}

impl Rewrite for ChangeWrite<'_> {
    fn path(&self) -> &Path {
        self.path
    }

    fn original_len(&self) -> usize {
        self.change.original_len()
    }

    fn is_original(&self, current: &[u8]) -> bool {
        self.change.is_original(current)
    }

    fn new_contents(&self, original: &[u8]) -> Vec<u8> {
        self.change.fixed(original)
    }
}

/// Prints each of a file's errors on standard error.
pub(super) fn print_errors(path: &Path, errors: &[FileError]) {
    for error in errors {
        report_error(path, &error.to_string());
    }
}

/// Prints `loopfix: error: path: reason` on standard error.
pub(super) fn report_error(path: &Path, reason: &str) {
    let path = display_path(path);
    let _ = writeln!(io::stderr().lock(), "loopfix: error: {path}: {reason}");
}

/// The command-line flags that override the configuration of every file.
pub(super) fn overrides(args: &SharedArgs) -> CliOverrides {
    CliOverrides {
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        extend_select: args.extend_select.clone(),
        exclude: args.exclude.clone(),
        extend_exclude: args.extend_exclude.clone(),
        force_exclude: args.force_exclude,
        unsafe_fixes: args.unsafe_fixes,
        strategy: args.strategy,
        target_version: args.target_version,
        full_parse: args.full_parse,
    }
}
