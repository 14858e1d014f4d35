//! `loopfix server`: a Language Server over standard input and output. Diagnostics for open
//! Python documents (with the workspace in view, for the rules that follow imports), quick
//! fixes and "fix all" code actions, and the rule documentation on hover.

mod code_actions;
mod diagnostics;
mod documents;
mod engine;
mod hover;
mod position;
mod protocol;
mod settings;
mod uri;
mod workspace;

use anyhow::{Context, Result};
use lsp_server::Connection;

pub use self::protocol::Ending;

/// Serves the client on standard input and output until it says `exit` (after a `shutdown`
/// request or without one, which the exit status tells apart) or closes the connection.
pub fn run() -> Result<Ending> {
    let (connection, io_threads) = Connection::stdio();
    let status = protocol::serve(&connection);
    // The writer thread ends when the last sender is gone.
    drop(connection);
    io_threads
        .join()
        .context("the connection to the client failed")?;
    status
}
