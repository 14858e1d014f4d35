//! loopfix: find asyncio event loops that run at import time and rewrite them to run inside the
//! application server's loop. [`run_with_args`] is the whole command line, callable in-process.
//! The modules form layers that only use the layers below them (`docs/architecture.md`).

pub mod analyze;
pub mod app;
pub mod cli;
pub mod config;
pub mod detect;
pub mod diagnostic;
pub mod diff;
pub mod fix;
pub mod fs;
pub mod interactive;
pub mod io_error;
#[cfg(test)]
mod layers;
pub mod lexer;
pub mod noqa;
pub mod options;
pub mod output;
pub mod paths;
pub mod progress;
pub mod project;
pub mod rules;
pub mod runner;
pub mod semantic;
pub mod server;
pub mod settings;
pub mod source;
pub mod sync;
pub mod syntax;
pub mod walk;

pub use app::{ExitStatus, run, run_with_args};
