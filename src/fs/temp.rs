//! The temporary files of a write: each one named after its file and registered while it
//! exists, the lock a replacement holds, and the interrupt handler that removes them.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once, OnceLock};

#[cfg(not(unix))]
use super::other as sys;
use super::read::{ReadError, ReadLimit, read_bounded};
#[cfg(unix)]
use super::unix as sys;
use crate::sync::lock;

/// The prefix of every temporary file loopfix leaves next to a file while writing it.
pub const TEMPORARY_PREFIX: &str = ".loopfix-";

/// Checks that the file at `path` holds `bytes`.
pub(super) fn verify(path: &Path, bytes: &[u8]) -> io::Result<()> {
    match read_bounded(path, ReadLimit::Read(bytes.len())) {
        Ok(read) if read == bytes => Ok(()),
        Ok(_) | Err(ReadError::TooLarge { .. }) => Err(io::Error::other(
            "the file read back differs from what was written",
        )),
        Err(ReadError::Io(e)) => Err(e),
        Err(e) => Err(io::Error::other(e.to_string())),
    }
}

/// The temporary files that exist now, removed by [`install_interrupt_cleanup`]'s handler.
static LIVE_TEMPORARIES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Held while files are being replaced: an interrupt waits for the transaction to end (all
/// written, or all put back) before it removes the temporaries and ends the process.
pub(super) static COMMIT: Mutex<()> = Mutex::new(());

/// A temporary file next to a file being written, removed when dropped, and by the interrupt
/// handler while it exists.
pub(super) struct LiveTemp {
    path: Option<tempfile::TempPath>,
}

impl LiveTemp {
    /// Creates a temporary for the file at `target`, named after it in its folder
    /// (`.loopfix-NAME.XXXXXX{suffix}`, so that a user who finds one after a crash knows whose
    /// it is), with `make` (which fails with `AlreadyExists` to try another name); registered
    /// before any interrupt can see it.
    pub(super) fn create<R>(
        target: &Path,
        suffix: &str,
        make: impl FnMut(&Path) -> io::Result<R>,
    ) -> io::Result<(LiveTemp, R)> {
        let folder = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut prefix = OsString::from(TEMPORARY_PREFIX);
        // The name stays within the 255 bytes a file name may have.
        if let Some(name) = target.file_name().filter(|n| n.len() <= 200) {
            prefix.push(name);
            prefix.push(".");
        }
        let mut live = lock(&LIVE_TEMPORARIES);
        let named = tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(suffix)
            .make_in(folder, make)?;
        let (made, path) = named.into_parts();
        live.push(path.to_path_buf());
        Ok((LiveTemp { path: Some(path) }, made))
    }

    /// A temporary for the file at `target` holding `bytes`, synced and read back.
    pub(super) fn with_contents(
        target: &Path,
        suffix: &str,
        bytes: &[u8],
    ) -> io::Result<(LiveTemp, File)> {
        let (temp, mut file) = LiveTemp::create(target, suffix, |path| {
            let mut options = OpenOptions::new();
            options.read(true).write(true).create_new(true);
            sys::owner_only(&mut options);
            options.open(path)
        })?;
        file.write_all(bytes)?;
        file.sync_all()?;
        verify(temp.path(), bytes)?;
        Ok((temp, file))
    }

    pub(super) fn path(&self) -> &Path {
        self.path.as_deref().unwrap_or(Path::new(""))
    }

    /// Renames the temporary to `target`, which it replaces.
    pub(super) fn rename_to(self, target: &Path) -> io::Result<()> {
        fs::rename(self.path(), target)?;
        self.forget();
        Ok(())
    }

    /// The temporary was renamed away: nothing is left to remove.
    pub(super) fn forget(mut self) {
        if let Some(path) = self.path.take() {
            let name = path.to_path_buf();
            let _ = path.keep();
            unregister(&name);
        }
    }

    /// Keeps the temporary (a backup the user needs); returns its path.
    pub(super) fn keep(mut self) -> PathBuf {
        match self.path.take() {
            Some(path) => {
                let name = path.to_path_buf();
                let _ = path.keep();
                unregister(&name);
                name
            }
            None => PathBuf::new(),
        }
    }
}

impl Drop for LiveTemp {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            let name = path.to_path_buf();
            // Removed first, unregistered after: an interrupt in between finds nothing to remove.
            drop(path);
            unregister(&name);
        }
    }
}

fn unregister(path: &Path) {
    lock(&LIVE_TEMPORARIES).retain(|p| p != path);
}

/// Asked first when a termination signal arrives: whether the process ends now.
static INTERRUPT_HOOK: OnceLock<fn(i32) -> bool> = OnceLock::new();

/// Installs the interrupt handler now (see [`install_interrupt_cleanup`]) with `hook` asked
/// first about each signal, with its number: the hook finishes what must outlive the process
/// (the interactive fixer writes the fixes accepted so far, through this module) and returns
/// whether the process ends now; `false` leaves the signal to a child (Ctrl-C in an editor).
/// The first hook set is the one asked.
pub fn on_interrupt(hook: fn(i32) -> bool) {
    let _ = INTERRUPT_HOOK.set(hook);
    install_interrupt_cleanup();
}

/// From the first write on (or from [`on_interrupt`]), SIGINT, SIGTERM and SIGHUP (where the
/// platform has them) remove the temporaries of the write under way (after any replacement in
/// progress has finished or been undone) and end the process with 128 + the signal's number
/// (130, 143, 129), as shells report them.
pub(super) fn install_interrupt_cleanup() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        sys::on_termination(|signal| {
            if INTERRUPT_HOOK.get().is_some_and(|hook| !hook(signal)) {
                return;
            }
            let _commit = lock(&COMMIT);
            for path in lock(&LIVE_TEMPORARIES).drain(..) {
                let _ = fs::remove_file(path);
            }
            std::process::exit(128 + signal);
        });
    });
}

/// Debug builds only: `LOOPFIX_TEST_PAUSE_BEFORE_COMMIT=SECONDS` waits between the temporaries
/// and the replacement, so that a test can interrupt a write there.
pub(super) fn pause_before_commit_for_tests() {
    if !cfg!(debug_assertions) {
        return;
    }
    let seconds = std::env::var("LOOPFIX_TEST_PAUSE_BEFORE_COMMIT")
        .ok()
        .and_then(|s| s.parse::<u64>().ok());
    if let Some(seconds) = seconds {
        std::thread::sleep(std::time::Duration::from_secs(seconds));
    }
}
