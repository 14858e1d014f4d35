//! loopfix: find asyncio event loops that run at import time and rewrite them to run inside the
//! application server's loop. [`run_with_args`] is the whole command line, callable in-process.

pub mod check;
pub mod cli;
pub mod config;
pub mod detect;
pub mod diff;
pub mod edit;
pub mod fs;
pub mod interactive;
pub mod lexer;
pub mod noqa;
pub mod output;
pub mod parse;
pub mod plan;
pub mod progress;
pub mod project;
pub mod rules;
pub mod runner;
pub mod semantic;
pub mod server;
pub mod settings;
pub mod source;
pub mod transform;
pub mod walk;

use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{CommandFactory, Parser};

use crate::cli::{Cli, ColorChoice, Command, FixCommand, OutputFormat, SharedArgs};
use crate::diff::{DiffError, DiffStyle, write_diff};
use crate::edit::Applicability;
use crate::output::{Counts, Printer, display_path};
use crate::runner::{FileReport, Mode};
use crate::settings::{CliOverrides, Resolver};

/// How a run ended; the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: nothing found, or everything fixed.
    Success,
    /// 1: findings remain, `--diff` would change something, or `--exit-non-zero-on-fix` fixed.
    Failure,
    /// 2: usage error, unreadable or unparsable input, internal error.
    Error,
}

impl ExitStatus {
    /// The process exit code.
    pub fn code(self) -> i32 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Error => 2,
        }
    }
}

/// Parses `args` (the first is the program name) and runs the command.
pub fn run_with_args<I, T>(args: I) -> Result<ExitStatus>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    match Cli::try_parse_from(args) {
        Ok(cli) => run(cli),
        Err(err) => {
            let status = if err.use_stderr() {
                ExitStatus::Error
            } else {
                ExitStatus::Success
            };
            err.print().context("failed to print the usage message")?;
            Ok(status)
        }
    }
}

/// Stack of each worker thread: the semantic model recurses once per level of a syntax tree,
/// which may be thousands of levels deep (`parse::MAX_DEPTH`).
const WORKER_STACK_SIZE: usize = 256 * 1024 * 1024;

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<ExitStatus> {
    // The pool may exist already (a test that runs several commands in one process).
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(WORKER_STACK_SIZE)
        .build_global();
    match cli.command {
        Command::Rule(args) => print_rules(args.rule.as_deref(), args.all),
        Command::Completions(args) => {
            let mut command = Cli::command();
            clap_complete::generate(args.shell, &mut command, "loopfix", &mut io::stdout());
            Ok(ExitStatus::Success)
        }
        Command::Check(args) => run_files(&args.shared, None),
        Command::Fix(args) => run_files(&args.shared, Some(&args)),
        Command::Server(_) => server::run(),
    }
}

fn print_rules(rule: Option<&str>, all: bool) -> Result<ExitStatus> {
    let mut out = io::stdout().lock();
    if all {
        for (i, rule) in rules::Rule::ALL.iter().enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            write!(out, "{}", rule.explanation())?;
        }
        return Ok(ExitStatus::Success);
    }
    let Some(name) = rule else {
        anyhow::bail!("name a rule (e.g. `loopfix rule LF001`) or use `--all`");
    };
    let rule: rules::Rule = name.parse()?;
    write!(out, "{}", rule.explanation())?;
    Ok(ExitStatus::Success)
}

/// Whether to colour standard output.
fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && io::stdout().is_terminal()
        }
    }
}

fn run_files(shared: &SharedArgs, fix: Option<&FixCommand>) -> Result<ExitStatus> {
    let resolver = Arc::new(Resolver::new(
        CliOverrides::from_args(shared),
        shared.config.as_deref(),
    )?);
    let cwd_settings = resolver.settings_for(Path::new("."))?;
    let threshold = if shared.unsafe_fixes || cwd_settings.unsafe_fixes {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    let printer = Printer {
        format: shared.output_format.unwrap_or_default(),
        color: use_color(shared.color),
        threshold,
        fixing: fix.is_some(),
    };
    if shared.paths.len() == 1 && shared.paths[0] == Path::new("-") {
        return run_stdin(shared, fix, &resolver, &printer);
    }
    if shared.paths.iter().any(|p| p == Path::new("-")) {
        anyhow::bail!("`-` (standard input) must be the only path");
    }
    let paths = if shared.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        shared.paths.clone()
    };
    if fix.is_some_and(|f| f.interactive) {
        return interactive::run(&paths, &resolver, threshold, printer.color);
    }
    let counters = Arc::new(progress::Counters::default());
    let show_progress = !shared.quiet && !shared.no_progress && io::stderr().is_terminal();
    let progress = progress::Progress::start(show_progress, Arc::clone(&counters));
    let mode = if fix.is_some() {
        Mode::Fix
    } else {
        Mode::Check
    };
    let (mut reports, walk_errors) = runner::walk_and_process(&paths, &resolver, mode, &counters);
    progress.finish();

    let stdout = io::stdout();
    let mut out = stdout.lock();
    let stderr = io::stderr();
    let mut errors = 0usize;
    for error in &walk_errors {
        report_error(&error.path, &error.message);
        errors += 1;
    }
    let diff_only = fix.is_some_and(|f| f.diff);
    let mut changed_files = 0;
    if fix.is_some() {
        let diff_style = DiffStyle::new(printer.color && !diff_only);
        for report in &mut reports {
            let Some(change) = &report.change else {
                continue;
            };
            changed_files += 1;
            let shown = if diff_only {
                write_diff(
                    &mut out,
                    &report.path,
                    &change.original,
                    &change.fixed,
                    &DiffStyle::default(),
                )
            } else if shared.quiet {
                Ok(())
            } else if printer.is_machine_readable() {
                write_diff(
                    &mut stderr.lock(),
                    &report.path,
                    &change.original,
                    &change.fixed,
                    &diff_style,
                )
            } else {
                write_diff(
                    &mut out,
                    &report.path,
                    &change.original,
                    &change.fixed,
                    &diff_style,
                )
            };
            match shown {
                Err(DiffError::Io(e)) => return Err(e.into()),
                Err(e) => {
                    report.errors.push(e.to_string());
                    report.change = None;
                    changed_files -= 1;
                    continue;
                }
                Ok(()) => out.flush()?,
            }
        }
        if !diff_only {
            changed_files -= write_together(&mut reports);
        }
    }
    for report in &reports {
        for error in &report.errors {
            report_error(&report.path, error);
        }
        errors += usize::from(!report.errors.is_empty());
    }
    let counts = Counts::of(&reports, threshold);
    if !diff_only && !shared.quiet {
        if shared.statistics {
            output::statistics(&mut out, &reports, threshold)?;
        } else if counts.findings > 0 || printer.is_machine_readable() {
            printer.emit(&mut out, &reports)?;
        }
    }
    let summary = output::summary(&counts, fix.is_some(), diff_only);
    if diff_only || printer.is_machine_readable() {
        writeln!(stderr.lock(), "{summary}")?;
    } else {
        writeln!(out, "{summary}")?;
    }
    out.flush()?;
    Ok(exit_status(errors, &counts, fix, changed_files))
}

/// Writes the changes of `reports` all or none ([`fs::write_all`]): the files of a
/// cross-module fix must change together, and every file one run fixes is one set. On a
/// failure every change is dropped, each report saying why; returns how many were dropped.
fn write_together(reports: &mut [FileReport]) -> usize {
    let changed: Vec<usize> = (0..reports.len())
        .filter(|&i| reports[i].change.is_some())
        .collect();
    let writes: Vec<fs::PendingWrite> = changed
        .iter()
        .filter_map(|&i| {
            let change = reports[i].change.as_deref()?;
            Some(fs::PendingWrite {
                path: &reports[i].path,
                original: &change.original,
                contents: &change.fixed,
            })
        })
        .collect();
    let Err(error) = fs::write_all(&writes) else {
        return 0;
    };
    let failed = changed[error.failed];
    let failed_path = display_path(&reports[failed].path);
    for &i in &changed {
        let reason = if i == failed {
            error.to_string()
        } else {
            format!(
                "not written: {failed_path} could not be written, and the files of one run are written together"
            )
        };
        reports[i].errors.push(reason);
        reports[i].change = None;
    }
    changed.len()
}

fn exit_status(
    errors: usize,
    counts: &Counts,
    fix: Option<&FixCommand>,
    changed: usize,
) -> ExitStatus {
    if errors > 0 {
        return ExitStatus::Error;
    }
    if counts.findings > 0 {
        return ExitStatus::Failure;
    }
    match fix {
        Some(fix) if fix.diff && changed > 0 => ExitStatus::Failure,
        Some(fix) if fix.exit_non_zero_on_fix && changed > 0 => ExitStatus::Failure,
        _ => ExitStatus::Success,
    }
}

/// Prints `loopfix: error: path: reason` on standard error.
fn report_error(path: &Path, reason: &str) {
    let path = display_path(path);
    let _ = writeln!(io::stderr().lock(), "loopfix: error: {path}: {reason}");
}

/// `-` as the only path: `check` reports, `fix` prints the fixed source (or `--diff` a diff).
fn run_stdin(
    shared: &SharedArgs,
    fix: Option<&FixCommand>,
    resolver: &Resolver,
    printer: &Printer,
) -> Result<ExitStatus> {
    if fix.is_some_and(|f| f.interactive) {
        anyhow::bail!("`--interactive` cannot read standard input");
    }
    let bytes = fs::read_stream_bounded(io::stdin().lock(), fs::MAX_READ_BYTES)
        .context("failed to read standard input")?;
    let name = shared
        .stdin_filename
        .clone()
        .unwrap_or_else(|| PathBuf::from("-"));
    let settings = resolver.settings_for(&name)?;
    let excluded =
        shared.stdin_filename.is_some() && settings.force_exclude && settings.is_excluded(&name);
    let mode = fix.map(|_| Applicability::Safe).map(|safe| {
        if settings.unsafe_fixes || shared.unsafe_fixes {
            Applicability::Unsafe
        } else {
            safe
        }
    });
    let mut report = if excluded {
        FileReport {
            path: name.clone(),
            source: None,
            findings: Vec::new(),
            errors: Vec::new(),
            change: None,
            context: None,
        }
    } else {
        runner::process_bytes(bytes.clone(), &settings.analysis_for(&name), mode)
    };
    report.path = name.clone();
    for error in &report.errors {
        report_error(&name, error);
    }
    let errors = usize::from(!report.errors.is_empty());
    let reports = vec![report];
    let counts = Counts::of(&reports, printer.threshold);
    let mut out = io::stdout().lock();
    let mut err = io::stderr().lock();
    let mut changed = 0;
    if let Some(fix) = fix {
        let fixed = reports[0].change.as_ref().map_or(&bytes, |c| &c.fixed);
        changed = usize::from(reports[0].change.is_some());
        if fix.diff {
            write_diff(&mut out, &name, &bytes, fixed, &DiffStyle::default())?;
        } else {
            out.write_all(fixed)?;
        }
        if !shared.quiet && counts.findings > 0 {
            let printer = Printer {
                color: false,
                ..printer.clone()
            };
            printer.emit(&mut err, &reports)?;
        }
    } else if !shared.quiet {
        if shared.statistics {
            output::statistics(&mut out, &reports, printer.threshold)?;
        } else if counts.findings > 0 || printer.is_machine_readable() {
            printer.emit(&mut out, &reports)?;
        }
        if !printer.is_machine_readable() {
            writeln!(out, "{}", output::summary(&counts, false, false))?;
        }
    }
    out.flush()?;
    Ok(exit_status(errors, &counts, fix, changed))
}

/// Output formats that machines read.
pub fn is_machine_format(format: OutputFormat) -> bool {
    matches!(
        format,
        OutputFormat::Json | OutputFormat::Sarif | OutputFormat::Github
    )
}
