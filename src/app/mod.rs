//! The application: the command line parsed and dispatched, a session that runs `check` or `fix`
//! over files or standard input (writes, printing, exit status), the language server started,
//! and the exit codes.

mod add_noqa;
mod color;
mod exit;
mod report_file;
mod session;

use std::ffi::OsString;
use std::io::{self, Write};

use anyhow::{Context, Result};
use clap::{CommandFactory, Parser};

use crate::cli::{Cli, Command};
use crate::rules::{Rule, RuleSelector};

pub use exit::ExitStatus;
pub use session::Session;

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
/// which may be thousands of levels deep (`syntax::parse::MAX_DEPTH`).
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
            // Generated in memory: clap_complete panics when its writer fails (a closed pipe).
            let mut script = Vec::new();
            clap_complete::generate(args.shell, &mut Cli::command(), "loopfix", &mut script);
            let mut out = io::stdout().lock();
            out.write_all(&script)?;
            out.flush()?;
            Ok(ExitStatus::Success)
        }
        Command::Check(args) if args.fix => anyhow::bail!(
            "`loopfix check` does not fix: use `loopfix fix` (and `loopfix fix --diff` to see the changes without writing them)"
        ),
        Command::Check(args) if args.diff => {
            anyhow::bail!("`loopfix check` does not print diffs: use `loopfix fix --diff`")
        }
        Command::Check(args) if args.add_noqa => add_noqa::run(&args.shared),
        Command::Check(args) => Session::new(&args.shared, None)?.run(),
        Command::Fix(args) => Session::new(&args.shared, Some(&args))?.run(),
        Command::Server(_) => Ok(crate::server::run()?.into()),
    }
}

fn print_rules(rule: Option<&str>, all: bool) -> Result<ExitStatus> {
    let mut out = io::stdout().lock();
    if all {
        for (i, rule) in Rule::ALL.iter().enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            write!(out, "{}", rule.explanation())?;
        }
        out.flush()?;
        return Ok(ExitStatus::Success);
    }
    let Some(name) = rule else {
        anyhow::bail!("name a rule (e.g. `loopfix rule LF001`) or use `--all`");
    };
    if let Ok(rule) = name.parse::<Rule>() {
        write!(out, "{}", rule.explanation())?;
    } else {
        for rule in matching_rules(name)? {
            writeln!(out, "{}  {}", rule.code(), rule.name())?;
        }
        writeln!(
            out,
            "\n`loopfix rule CODE` prints a rule's documentation, `loopfix rule --all` all of them."
        )?;
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}

/// The rules a selector (a code prefix such as `LF` or `LF00`, or `ALL`) picks.
fn matching_rules(selector: &str) -> Result<Vec<Rule>> {
    let unknown = || {
        anyhow::anyhow!(
            "unknown rule `{selector}` (expected a code such as LF001, a name such as asyncio-run-at-import, or a prefix such as LF); `loopfix rule --all` prints every rule"
        )
    };
    let selector: RuleSelector = selector.parse().map_err(|_| unknown())?;
    let rules: Vec<Rule> = Rule::ALL
        .into_iter()
        .filter(|&rule| selector.matches(rule))
        .collect();
    if rules.is_empty() {
        return Err(unknown());
    }
    Ok(rules)
}
