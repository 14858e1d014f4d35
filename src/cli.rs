//! The command line: clap derive types only.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::options::{PythonVersion, Strategy};
use crate::output::OutputFormat;
use crate::rules::RuleSelector;

/// Find asyncio event loops that run at import time and rewrite them to run inside the
/// application server's loop (Mangum on AWS Lambda, Azure Functions, Google Cloud Functions).
#[derive(Debug, Parser)]
#[command(
    name = "loopfix",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Report import-time event loops.
    Check(CheckCommand),
    /// Apply the fixes, printing the diff of every file written.
    Fix(FixCommand),
    /// Print the documentation of a rule.
    Rule(RuleCommand),
    /// Print a shell completion script.
    Completions(CompletionsCommand),
    /// Run the language server (LSP over standard input and output) for editors.
    Server(ServerCommand),
}

/// `loopfix check`.
#[derive(Debug, Args)]
pub struct CheckCommand {
    /// Shared options.
    #[command(flatten)]
    pub shared: SharedArgs,
    /// Add a `# noqa: LFxxx` directive to the line of every current finding (merged into a
    /// `# noqa: X` already there), so that existing code passes and new code is checked.
    #[arg(long, conflicts_with_all = ["statistics", "fix", "diff"])]
    pub add_noqa: bool,
    /// ruff's `check --fix`: refused with a pointer to `loopfix fix`.
    #[arg(long, hide = true)]
    pub fix: bool,
    /// ruff's `check --diff`: refused with a pointer to `loopfix fix --diff`.
    #[arg(long, hide = true)]
    pub diff: bool,
}

/// `loopfix fix`.
#[derive(Debug, Args)]
pub struct FixCommand {
    /// Shared options.
    #[command(flatten)]
    pub shared: SharedArgs,
    /// Write nothing; print a unified diff of what `fix` would change (exit 1 if any).
    #[arg(long)]
    pub diff: bool,
    /// Ask about each fix: yes / no / all in this file / all remaining / switch strategy / quit.
    #[arg(short = 'i', long, conflicts_with_all = ["diff", "output_file"])]
    pub interactive: bool,
    /// Exit with status 1 when a file was changed (for pre-commit).
    #[arg(long)]
    pub exit_non_zero_on_fix: bool,
}

/// Options of `check` and `fix`.
#[derive(Debug, Args, Default)]
pub struct SharedArgs {
    /// Files or directories to process; `-` (or `--stdin-filename`) reads standard input
    /// [default: .]
    pub paths: Vec<PathBuf>,
    /// How findings are printed.
    #[arg(long, value_enum, env = "LOOPFIX_OUTPUT_FORMAT")]
    pub output_format: Option<OutputFormat>,
    /// Write the report to this file instead of standard output (its directories are created;
    /// the file is replaced whole when the run ends, never left half-written).
    #[arg(short = 'o', long, value_name = "PATH", env = "LOOPFIX_OUTPUT_FILE")]
    pub output_file: Option<PathBuf>,
    /// Exit with status 0 even when findings remain (a file that cannot be processed still
    /// exits 2).
    #[arg(short = 'e', long)]
    pub exit_zero: bool,
    /// Rules to enable (codes, prefixes such as LF, or ALL), replacing the configured ones.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub select: Option<Vec<RuleSelector>>,
    /// Rules to disable.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub ignore: Vec<RuleSelector>,
    /// Rules to enable on top of the configured ones.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub extend_select: Vec<RuleSelector>,
    /// Glob patterns of files and directories to skip, replacing the defaults.
    #[arg(long, value_delimiter = ',', value_name = "GLOB")]
    pub exclude: Option<Vec<String>>,
    /// Glob patterns to skip, on top of the defaults.
    #[arg(long, value_delimiter = ',', value_name = "GLOB")]
    pub extend_exclude: Vec<String>,
    /// Apply the exclusions to files named on the command line too.
    #[arg(long)]
    pub force_exclude: bool,
    /// Read standard input (whatever the paths) and report it under this name, with the
    /// configuration found for it; `fix` prints the fixed source and writes no file.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
    /// Use this configuration file (pyproject.toml or loopfix.toml) instead of discovering one.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Which rewrite to prefer.
    #[arg(long, value_name = "STRATEGY")]
    pub strategy: Option<Strategy>,
    /// Oldest Python the rewritten code must run on (py38, py310, ...).
    #[arg(long, value_name = "VERSION")]
    pub target_version: Option<PythonVersion>,
    /// Also apply (fix) or count (check) fixes marked unsafe.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print a count of findings per rule instead of the findings.
    #[arg(long)]
    pub statistics: bool,
    /// Print only the summary (and errors).
    #[arg(short, long)]
    pub quiet: bool,
    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Never show progress on standard error.
    #[arg(long)]
    pub no_progress: bool,
    /// Parse every file that holds a needle, skipping the lexical fast path (for comparisons).
    #[arg(long, hide = true)]
    pub full_parse: bool,
}

/// `loopfix rule`.
#[derive(Debug, Args)]
pub struct RuleCommand {
    /// The rule's code (LF001) or name (asyncio-run-at-import); a prefix (LF, LF00) lists the
    /// rules it matches.
    #[arg(required_unless_present = "all")]
    pub rule: Option<String>,
    /// Print every rule.
    #[arg(long, conflicts_with = "rule")]
    pub all: bool,
}

/// `loopfix server`.
#[derive(Debug, Args)]
pub struct ServerCommand {}

/// `loopfix completions`.
#[derive(Debug, Args)]
pub struct CompletionsCommand {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// When to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorChoice {
    /// When NO_COLOR is not set and FORCE_COLOR or CLICOLOR_FORCE is, or the output is a terminal.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}
