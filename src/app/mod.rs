//! The application: the command line parsed and dispatched, a session that runs `check` or `fix`
//! over files or standard input (writes, printing, exit status), the language server started,
//! and the exit codes.

mod exit;
mod report_file;
mod session;

use std::ffi::OsString;
use std::io::{self, Write};

use anyhow::{Context, Result};
use clap::{CommandFactory, Parser};

use crate::cli::{Cli, Command};
use crate::rules::Rule;

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
            let mut command = Cli::command();
            clap_complete::generate(args.shell, &mut command, "loopfix", &mut io::stdout());
            Ok(ExitStatus::Success)
        }
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
        return Ok(ExitStatus::Success);
    }
    let Some(name) = rule else {
        anyhow::bail!("name a rule (e.g. `loopfix rule LF001`) or use `--all`");
    };
    let rule: Rule = name.parse()?;
    write!(out, "{}", rule.explanation())?;
    Ok(ExitStatus::Success)
}
