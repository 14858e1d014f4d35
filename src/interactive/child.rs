//! The programs the user names (`$VISUAL`, `$EDITOR`, `$PAGER`), run as git runs them: the
//! command line by the shell, with its arguments after it.

use std::ffi::{OsStr, OsString};
use std::io;
use std::process::{Command, Stdio};

/// `line` (a command line from the environment) with `args` after it: on Unix by the shell
/// (`sh -c 'line "$@"' line args...`), elsewhere split at spaces.
pub(super) fn shell(line: &OsStr, args: &[&OsStr]) -> Command {
    if cfg!(unix) {
        let mut script = OsString::from(line);
        if !args.is_empty() {
            script.push(" \"$@\"");
        }
        let mut sh = Command::new("sh");
        sh.arg("-c").arg(script).arg(line).args(args);
        sh
    } else {
        let line = line.to_string_lossy().into_owned();
        let mut words = line.split_whitespace();
        let mut run = Command::new(words.next().unwrap_or_default());
        run.args(words).args(args);
        run
    }
}

/// Whether `program` is a file in a folder of the `PATH`.
pub(super) fn on_path(program: &str) -> bool {
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|folder| {
        folder.join(program).is_file() || folder.join(format!("{program}.exe")).is_file()
    })
}

/// Standard error, for a child's output.
#[cfg(unix)]
pub(super) fn standard_error() -> io::Result<Stdio> {
    use std::os::fd::AsFd;
    Ok(Stdio::from(io::stderr().as_fd().try_clone_to_owned()?))
}

/// Standard error, for a child's output.
#[cfg(windows)]
pub(super) fn standard_error() -> io::Result<Stdio> {
    use std::os::windows::io::AsHandle;
    Ok(Stdio::from(io::stderr().as_handle().try_clone_to_owned()?))
}
