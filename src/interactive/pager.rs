//! A diff taller than the terminal goes through a pager, as git shows one: `$PAGER` (run by the
//! shell), else `less -R` when it is on the `PATH`, else the whole diff is printed; a diff that
//! fits is printed as it is. The pager writes where the questions go (standard error).

use std::io::{self, Write};
use std::process::{Command, Stdio};

use super::child::{on_path, shell, standard_error};
use super::interrupt;

/// Shows `diff` on standard error, through a pager when it has more than `room` lines.
pub(super) fn show(diff: &[u8], room: usize) -> io::Result<()> {
    let lines = diff.iter().filter(|&&b| b == b'\n').count();
    if lines > room
        && let Some(pager) = pager()
        && page(pager, diff).is_ok()
    {
        return Ok(());
    }
    let mut err = io::stderr().lock();
    err.write_all(diff)?;
    err.flush()
}

/// The pager to run: `$PAGER` (none when it is empty or `cat`), else `less -R` when found.
fn pager() -> Option<Command> {
    match std::env::var_os("PAGER") {
        Some(pager) if pager.is_empty() || pager == "cat" => None,
        Some(pager) => Some(shell(&pager, &[])),
        None => on_path("less").then(|| {
            let mut less = Command::new("less");
            less.arg("-R");
            less
        }),
    }
}

/// Runs `pager` with `diff` on its input and its output on standard error; waits for it.
fn page(mut pager: Command, diff: &[u8]) -> io::Result<()> {
    // git's defaults: quit when the text fits, keep colours, leave the text on the screen.
    for (name, value) in [("LESS", "FRX"), ("LV", "-c")] {
        if std::env::var_os(name).is_none() {
            pager.env(name, value);
        }
    }
    pager.stdin(Stdio::piped()).stdout(standard_error()?);
    io::stderr().flush()?;
    interrupt::with_child(|| {
        let mut child = pager.spawn()?;
        if let Some(mut input) = child.stdin.take() {
            // The user may quit the pager before reading it all: a closed pipe is no error.
            let _ = input.write_all(diff);
        }
        child.wait().map(|_| ())
    })
}
