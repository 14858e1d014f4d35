//! What an interrupt of `fix -i` leaves behind: on Ctrl-C, SIGTERM, SIGHUP or a panic, the
//! terminal as it was (out of raw mode, the cursor shown) and every fix accepted so far written,
//! the current file's too. Files are written here, under one lock, so that an interrupt waits
//! for a write under way and no write starts after it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, Once, OnceLock, TryLockError};

use crate::fs::{self, WriteError};
use crate::sync::lock;

/// SIGINT's number, on every platform (Ctrl-C).
pub(super) const SIGINT: i32 = 2;

/// The current file as the fixes accepted so far leave it.
struct Pending {
    path: PathBuf,
    original: Vec<u8>,
    accepted: Vec<u8>,
}

/// The current file's accepted state; locked while a file is written.
static PENDING: Mutex<Option<Pending>> = Mutex::new(None);

/// The terminal's state when the session started.
static TERMINAL: OnceLock<terminal::Saved> = OnceLock::new();

/// An editor or a pager runs: Ctrl-C is theirs (the terminal sends it to them too).
static CHILD_RUNS: AtomicBool = AtomicBool::new(false);

/// Saves the terminal's state and installs the handlers of signals (asked first by `fs`'s
/// handler) and of panics. Once per process.
pub(super) fn guard_terminal() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if let Some(saved) = terminal::save() {
            let _ = TERMINAL.set(saved);
        }
        fs::on_interrupt(on_signal);
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore_terminal();
            // A panic inside a write (the lock held) leaves that write's own safety to `fs`.
            match PENDING.try_lock() {
                Ok(mut pending) => write_pending(&mut pending),
                Err(TryLockError::Poisoned(p)) => write_pending(&mut p.into_inner()),
                Err(TryLockError::WouldBlock) => {}
            }
            previous(info);
        }));
    });
}

/// The file at `path`, read as `original`, is the one asked about now.
pub(super) fn start_file(path: &Path, original: &[u8]) {
    *lock(&PENDING) = Some(Pending {
        path: path.to_path_buf(),
        original: original.to_vec(),
        accepted: original.to_vec(),
    });
}

/// The current file as the fixes accepted so far leave it: what an interrupt writes.
pub(super) fn checkpoint(accepted: Vec<u8>) {
    if let Some(pending) = lock(&PENDING).as_mut() {
        pending.accepted = accepted;
    }
}

/// The current file is done with nothing to write: an interrupt leaves it alone.
pub(super) fn forget_file() {
    *lock(&PENDING) = None;
}

/// Writes the file at `path` (read as `original`) with `contents`, through `fs`'s one write,
/// unless an interrupt has ended the session.
pub(super) fn write_file(path: &Path, original: &[u8], contents: &[u8]) -> Result<(), WriteError> {
    let mut pending = lock(&PENDING);
    *pending = None;
    fs::write_atomically(path, original, contents)
}

/// Runs `child` (an editor, a pager) with Ctrl-C left to it.
pub(super) fn with_child<R>(child: impl FnOnce() -> R) -> R {
    CHILD_RUNS.store(true, Ordering::SeqCst);
    let result = child();
    CHILD_RUNS.store(false, Ordering::SeqCst);
    result
}

/// Ends the session as the signal `signal` does (Ctrl-C read as a key): the terminal restored,
/// the current file's accepted fixes written, exit status 128 + `signal`.
pub(super) fn end(signal: i32) -> ! {
    let mut pending = lock(&PENDING);
    finish(&mut pending);
    std::process::exit(128 + signal)
}

/// `fs`'s handler asks this first: Ctrl-C while a child runs is the child's; any other signal
/// ends the session, which `fs` then completes (temporaries removed, exit status).
fn on_signal(signal: i32) -> bool {
    if signal == SIGINT && CHILD_RUNS.load(Ordering::SeqCst) {
        return false;
    }
    let mut pending = lock(&PENDING);
    finish(&mut pending);
    // The process ends now; holding the lock keeps the session from starting another write.
    std::mem::forget(pending);
    true
}

fn finish(pending: &mut Option<Pending>) {
    restore_terminal();
    write_pending(pending);
    eprintln!("\nloopfix: interrupted; the fixes accepted so far are written");
}

fn write_pending(pending: &mut Option<Pending>) {
    let Some(file) = pending.take() else { return };
    if file.accepted == file.original {
        return;
    }
    if let Err(e) = fs::write_atomically(&file.path, &file.original, &file.accepted) {
        eprintln!(
            "loopfix: error: {}: {e}",
            crate::paths::display_path(&file.path)
        );
    }
}

fn restore_terminal() {
    if let Some(saved) = TERMINAL.get() {
        terminal::restore(saved);
    }
    let _ = dialoguer::console::Term::stderr().show_cursor();
}

/// The terminal's modes, saved and put back (out of the raw mode a key is read in).
#[cfg(unix)]
mod terminal {
    use std::mem::MaybeUninit;

    /// The standard input's terminal modes.
    pub(super) struct Saved(libc::termios);

    pub(super) fn save() -> Option<Saved> {
        let mut modes = MaybeUninit::<libc::termios>::uninit();
        // SAFETY: `modes` is a valid place for tcgetattr to fill; it is read only on success.
        let filled = unsafe { libc::tcgetattr(libc::STDIN_FILENO, modes.as_mut_ptr()) } == 0;
        // SAFETY: tcgetattr succeeded, so `modes` is initialised.
        filled.then(|| Saved(unsafe { modes.assume_init() }))
    }

    pub(super) fn restore(saved: &Saved) {
        // SAFETY: `saved.0` holds modes tcgetattr returned for this descriptor.
        unsafe { libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &saved.0) };
    }
}

/// Elsewhere the console keeps no raw mode across a read: nothing to put back.
#[cfg(not(unix))]
mod terminal {
    pub(super) struct Saved;

    pub(super) fn save() -> Option<Saved> {
        None
    }

    pub(super) fn restore(_: &Saved) {}
}
