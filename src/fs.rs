//! The user's files, read and written safely: reads bounded in size that refuse special files;
//! writes that keep owner, group, mode, extended attributes and hard links, and never replace a
//! file that changed on disk since it was read; the files of one run written all or none; and
//! the temporary files of a write removed when the run is interrupted.
//!
//! A write goes through a temporary file next to the file, complete, synced and read back
//! before anything is replaced. The temporary is renamed over the file when it can carry the
//! file's owner, group, mode and extended attributes; when it cannot (a file owned by another
//! user, a label only root may set), or when the file has other hard links, the new content is
//! written through the file's own inode instead, so that nothing but the content changes.
//!
//! The platform's part (special files, identities, access, metadata, signals) is in `unix` and,
//! elsewhere, in `other`, which keeps what the platform can: its permissions, no metadata beyond
//! them, no clean-up on Ctrl-C (a temporary left behind is named after its file).

#[cfg(not(unix))]
mod other;
#[cfg(unix)]
mod unix;

use std::ffi::OsString;
use std::fmt;
use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};

#[cfg(not(unix))]
use self::other as sys;
#[cfg(unix)]
use self::unix as sys;
use crate::io_error::reason as io_reason;
use crate::sync::lock;

/// The largest file loopfix reads. A file that needs the parse is held to the parser's smaller
/// limit ([`ReadLimit::Parse`], which the caller gives); one that does not is scanned whole up to
/// this size, so that a large module without import-time loops is not an error. Larger files
/// are refused unread: no Python module is this large unless generated.
pub const MAX_READ_BYTES: usize = 64 * 1024 * 1024;

/// How many bytes a read may take, and what for: a larger file is refused, and the message says
/// which limit it is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadLimit {
    /// A read of at most this many bytes ([`ReadLimit::ANY_FILE`] for a user's file).
    Read(usize),
    /// A read of a file about to be parsed: the parser's limit, which the caller gives.
    Parse(usize),
}

impl ReadLimit {
    /// Any file loopfix reads: [`MAX_READ_BYTES`].
    pub const ANY_FILE: ReadLimit = ReadLimit::Read(MAX_READ_BYTES);

    /// The most bytes the read takes.
    pub fn bytes(self) -> usize {
        match self {
            ReadLimit::Read(bytes) | ReadLimit::Parse(bytes) => bytes,
        }
    }

    /// What loopfix does with at most that many bytes, for the message of a larger file.
    fn purpose(self) -> &'static str {
        match self {
            ReadLimit::Read(_) => "reads",
            ReadLimit::Parse(_) => "parses",
        }
    }
}

/// The prefix of every temporary file loopfix leaves next to a file while writing it.
pub const TEMPORARY_PREFIX: &str = ".loopfix-";

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// A FIFO, a device, a socket or a directory: reading it could block or never end.
    #[error("{0}, not a regular file; not read")]
    NotAFile(&'static str),
    /// Larger than the limit of its use.
    #[error("{size} bytes is more than the {limit} bytes loopfix {purpose}; skipped")]
    TooLarge {
        /// The file's size (at least `limit + 1` when it grew while read).
        size: u64,
        /// The limit.
        limit: usize,
        /// What the limit is for: "reads" or "parses".
        purpose: &'static str,
    },
    /// An I/O error.
    #[error("{}", io_reason(.0))]
    Io(#[from] io::Error),
}

/// Reads the regular file at `path` (or standard input named by a path), refusing anything
/// else and any file larger than `limit`: at most one byte more than the limit is read.
pub fn read_bounded(path: &Path, limit: ReadLimit) -> Result<Vec<u8>, ReadError> {
    let mut buffer = Vec::new();
    let len = read_bounded_into(path, limit, &mut buffer)?;
    buffer.truncate(len);
    Ok(buffer)
}

/// [`read_bounded`] into the start of `buffer`, which grows as needed (its length is its
/// capacity, so that a buffer reused across files is not zeroed again); returns the file's
/// length.
pub fn read_bounded_into(
    path: &Path,
    limit: ReadLimit,
    buffer: &mut Vec<u8>,
) -> Result<usize, ReadError> {
    let metadata = fs::metadata(path)?;
    let stdin = !metadata.is_file() && sys::is_standard_input(&metadata);
    if !metadata.is_file() && !stdin {
        return Err(ReadError::NotAFile(sys::kind_of(&metadata)));
    }
    if metadata.len() > limit.bytes() as u64 {
        return Err(too_large(metadata.len(), limit));
    }
    let mut options = OpenOptions::new();
    options.read(true);
    if !stdin {
        // Should the path have become a FIFO since the stat, neither opening nor reading it
        // waits for a writer; should it have become a device, the read stops at the limit.
        sys::without_blocking(&mut options);
    }
    let file = options.open(path)?;
    let expected = usize::try_from(metadata.len()).unwrap_or(limit.bytes());
    read_up_to(file, limit, expected, buffer)
}

/// Reads all of `reader` (standard input) up to `limit`; more is an error.
pub fn read_stream_bounded(reader: impl Read, limit: ReadLimit) -> Result<Vec<u8>, ReadError> {
    let mut buffer = Vec::new();
    let len = read_up_to(reader, limit, 64 * 1024, &mut buffer)?;
    buffer.truncate(len);
    Ok(buffer)
}

/// Reads `reader` into `buffer` until its end, or fails once it has given `limit + 1` bytes.
fn read_up_to(
    mut reader: impl Read,
    limit: ReadLimit,
    expected: usize,
    buffer: &mut Vec<u8>,
) -> Result<usize, ReadError> {
    let cap = limit.bytes().saturating_add(1);
    let first = expected.saturating_add(1).min(cap);
    if buffer.len() < first {
        buffer.resize(first, 0);
    }
    let mut filled = 0;
    loop {
        let end = buffer.len().min(cap);
        if filled == end {
            if filled == cap {
                return Err(too_large(filled as u64, limit));
            }
            let grown = buffer.len().saturating_mul(2).clamp(1, cap);
            buffer.resize(grown, 0);
            continue;
        }
        match reader.read(&mut buffer[filled..end]) {
            Ok(0) => return Ok(filled),
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
}

fn too_large(size: u64, limit: ReadLimit) -> ReadError {
    ReadError::TooLarge {
        size,
        limit: limit.bytes(),
        purpose: limit.purpose(),
    }
}

/// Why a file was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The file's content is no longer what loopfix read.
    #[error("the file changed on disk since it was read; not overwritten")]
    Changed,
    /// The file cannot be written, or writing it failed.
    #[error("cannot write: {0}")]
    Io(String),
}

impl WriteError {
    /// An I/O error while doing `what`.
    fn during(what: &'static str) -> impl FnOnce(io::Error) -> WriteError {
        move |e| WriteError::Io(format!("{what}: {}", io_reason(&e)))
    }
}

/// One file to write: its path, its bytes as read, and its new bytes.
#[derive(Debug, Clone, Copy)]
pub struct PendingWrite<'a> {
    /// The path (a symlink is written through to its target).
    pub path: &'a Path,
    /// The bytes loopfix read; the file is not written if it holds anything else.
    pub original: &'a [u8],
    /// The new bytes.
    pub contents: &'a [u8],
}

/// Why a set of files was not written; none of them was (but see `unrestored`).
#[derive(Debug)]
pub struct TransactionError {
    /// The position, among the files given, of the one that could not be written.
    pub failed: usize,
    /// Why.
    pub reason: WriteError,
    /// Files already replaced whose originals could not be put back, each with the file
    /// that keeps its original bytes.
    pub unrestored: Vec<(PathBuf, PathBuf)>,
}

impl fmt::Display for TransactionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.reason)?;
        for (file, backup) in &self.unrestored {
            write!(
                f,
                "; {} could not be restored: its original is kept in {}",
                file.display(),
                backup.display()
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for TransactionError {}

/// Replaces the contents of `path` (as read: `original`) with `contents`, keeping its metadata
/// ([`write_all`] with one file).
pub fn write_atomically(path: &Path, original: &[u8], contents: &[u8]) -> Result<(), WriteError> {
    let file = PendingWrite {
        path,
        original,
        contents,
    };
    write_all(&[file]).map_err(|e| {
        if e.unrestored.is_empty() {
            e.reason
        } else {
            WriteError::Io(e.to_string())
        }
    })
}

/// Writes every file or none: each is checked writable and unchanged before the first is
/// written, each new content goes to a temporary next to its file, then all replace their
/// files; when one fails, those already replaced get their originals back (kept until all
/// succeeded), and the error names the file that failed and why.
///
/// What remains possible: a crash or power cut while the files are being replaced (after
/// every temporary was written) leaves some files new and some old, and the originals of
/// those already replaced in `.loopfix-*.orig` files next to them.
pub fn write_all(files: &[PendingWrite]) -> Result<(), TransactionError> {
    write_all_with_hook(files, &mut |_| Ok(()))
}

/// [`write_all`], calling `before_replace` with the position of each file just before it is
/// replaced (tests inject failures there).
fn write_all_with_hook(
    files: &[PendingWrite],
    before_replace: &mut dyn FnMut(usize) -> io::Result<()>,
) -> Result<(), TransactionError> {
    install_interrupt_cleanup();
    let fail = |failed: usize| {
        move |reason| TransactionError {
            failed,
            reason,
            unrestored: Vec::new(),
        }
    };
    let mut plans: Vec<Plan> = Vec::with_capacity(files.len());
    for (index, file) in files.iter().enumerate() {
        let plan = Plan::check(index, file).map_err(fail(index))?;
        match plans.iter().find(|p| p.same_file(&plan)) {
            Some(earlier) if earlier.write.contents == file.contents => {}
            Some(earlier) => {
                return Err(fail(index)(WriteError::Io(format!(
                    "it is the same file as {}, fixed differently",
                    earlier.write.path.display()
                ))));
            }
            None => plans.push(plan),
        }
    }
    for plan in &mut plans {
        plan.prepare().map_err(fail(plan.index))?;
    }
    pause_before_commit_for_tests();
    let _commit = lock(&COMMIT);
    commit(&mut plans, before_replace)
}

/// Replaces the files of `plans` in order; on a failure, puts back the originals of those
/// replaced.
fn commit(
    plans: &mut [Plan],
    before_replace: &mut dyn FnMut(usize) -> io::Result<()>,
) -> Result<(), TransactionError> {
    for k in 0..plans.len() {
        let outcome = before_replace(plans[k].index)
            .map_err(WriteError::during("replacing the file"))
            .and_then(|()| plans[k].replace());
        if let Err(reason) = outcome {
            let unrestored = plans[..=k]
                .iter_mut()
                .rev()
                .filter_map(Plan::restore)
                .collect();
            sync_folders(plans);
            return Err(TransactionError {
                failed: plans[k].index,
                reason,
                unrestored,
            });
        }
    }
    sync_folders(plans);
    Ok(())
}

/// Makes the renames of `plans` durable.
fn sync_folders(plans: &[Plan]) {
    let mut folders: Vec<&Path> = plans.iter().map(|p| p.folder()).collect();
    folders.sort_unstable();
    folders.dedup();
    for folder in folders {
        if let Ok(dir) = File::open(folder) {
            let _ = dir.sync_all();
        }
    }
}

/// How one file is written.
struct Plan<'a> {
    /// Its position among the files given.
    index: usize,
    write: &'a PendingWrite<'a>,
    /// The file itself, symlinks resolved.
    target: PathBuf,
    /// What tells the file apart from the others (two names may name one file).
    id: sys::FileId,
    metadata: Metadata,
    /// Write through the inode instead of renaming a temporary over the file.
    in_place: bool,
    /// The new content, complete and checked.
    new_temp: Option<LiveTemp>,
    /// The original: a hard link to it (rename) or a copy of it (in place).
    backup: Option<LiveTemp>,
    /// The file no longer holds its original (fully or partly replaced).
    touched: bool,
}

impl<'a> Plan<'a> {
    /// Checks that the file may be written and still holds what was read.
    fn check(index: usize, write: &'a PendingWrite<'a>) -> Result<Self, WriteError> {
        let target =
            fs::canonicalize(write.path).map_err(WriteError::during("cannot resolve the path"))?;
        let metadata = fs::metadata(&target).map_err(|e| WriteError::Io(io_reason(&e)))?;
        if !metadata.is_file() {
            return Err(WriteError::Io(format!(
                "{}, not a regular file",
                sys::kind_of(&metadata)
            )));
        }
        sys::may_write(&target).map_err(|e| WriteError::Io(sys::denied_reason(&e, "the file")))?;
        let plan = Plan {
            index,
            write,
            id: sys::file_id(&metadata, &target),
            in_place: sys::has_other_links(&metadata),
            target,
            metadata,
            new_temp: None,
            backup: None,
            touched: false,
        };
        sys::may_write(plan.folder()).map_err(|e| {
            WriteError::Io(format!(
                "{} (loopfix writes a temporary file next to the file)",
                sys::denied_reason(&e, "its folder")
            ))
        })?;
        plan.check_unchanged()?;
        Ok(plan)
    }

    fn folder(&self) -> &Path {
        self.target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
    }

    fn same_file(&self, other: &Plan) -> bool {
        self.id == other.id
    }

    fn check_unchanged(&self) -> Result<(), WriteError> {
        match read_bounded(&self.target, ReadLimit::Read(self.write.original.len())) {
            Ok(current) if current == self.write.original => Ok(()),
            Ok(_) | Err(ReadError::TooLarge { .. }) => Err(WriteError::Changed),
            Err(e) => Err(WriteError::Io(format!("cannot read it again: {e}"))),
        }
    }

    /// Writes the new content to a temporary next to the file, with the file's metadata when
    /// the temporary can carry it (else the file will be written in place), and keeps the
    /// original.
    fn prepare(&mut self) -> Result<(), WriteError> {
        let (temp, file) = LiveTemp::with_contents(&self.target, ".tmp", self.write.contents)
            .map_err(WriteError::during(
                "cannot write a temporary file next to it",
            ))?;
        if !self.in_place && !sys::keep_metadata(&file, &self.metadata, &self.target) {
            self.in_place = true;
        }
        drop(file);
        self.new_temp = Some(temp);
        let backup = if self.in_place {
            LiveTemp::with_contents(&self.target, ".orig", self.write.original)
                .map(|(temp, _)| temp)
        } else {
            self.link_or_copy_original()
        };
        self.backup =
            Some(backup.map_err(WriteError::during("cannot keep a copy of the original"))?);
        Ok(())
    }

    /// The original kept for a rollback of the rename: a hard link to the file (which puts
    /// back the very inode), or a copy with its metadata.
    fn link_or_copy_original(&mut self) -> io::Result<LiveTemp> {
        let target = &self.target;
        if let Ok((link, ())) =
            LiveTemp::create(target, ".orig", |path| fs::hard_link(target, path))
        {
            return Ok(link);
        }
        let (copy, file) = LiveTemp::with_contents(target, ".orig", self.write.original)?;
        if !sys::keep_metadata(&file, &self.metadata, &self.target) {
            self.in_place = true;
        }
        Ok(copy)
    }

    /// Puts the new content in place of the original.
    fn replace(&mut self) -> Result<(), WriteError> {
        self.check_unchanged()?;
        let temp = self.new_temp.take();
        self.touched = true;
        if !self.in_place {
            let temp = temp.ok_or_else(|| WriteError::Io("the temporary file is gone".into()))?;
            return temp
                .rename_to(&self.target)
                .inspect_err(|_| self.touched = false)
                .map_err(WriteError::during("cannot replace the file"));
        }
        // The temporary proved that the new content fits; removing it first leaves that
        // room for the write through the inode.
        drop(temp);
        write_through(&self.target, self.write.contents)
            .map_err(WriteError::during("cannot write the file"))
    }

    /// Puts the original back after a failed transaction; returns the file and where its
    /// original is kept when that fails.
    fn restore(&mut self) -> Option<(PathBuf, PathBuf)> {
        if !self.touched {
            return None;
        }
        let backup = self.backup.take()?;
        let restored = if self.in_place {
            write_through(&self.target, self.write.original)
        } else {
            fs::rename(backup.path(), &self.target)
        };
        match restored {
            Ok(()) if self.in_place => None,
            Ok(()) => {
                backup.forget();
                None
            }
            Err(_) => Some((self.write.path.to_path_buf(), backup.keep())),
        }
    }
}

/// Writes `bytes` through the inode of the file at `path` (its owner, group, mode, extended
/// attributes and other links stay), then reads them back.
fn write_through(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new().write(true).open(path)?;
    file.set_len(0)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    verify(path, bytes)
}

/// Checks that the file at `path` holds `bytes`.
fn verify(path: &Path, bytes: &[u8]) -> io::Result<()> {
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
static COMMIT: Mutex<()> = Mutex::new(());

/// A temporary file next to a file being written, removed when dropped, and by the interrupt
/// handler while it exists.
struct LiveTemp {
    path: Option<tempfile::TempPath>,
}

impl LiveTemp {
    /// Creates a temporary for the file at `target`, named after it in its folder
    /// (`.loopfix-NAME.XXXXXX{suffix}`, so that a user who finds one after a crash knows whose
    /// it is), with `make` (which fails with `AlreadyExists` to try another name); registered
    /// before any interrupt can see it.
    fn create<R>(
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
    fn with_contents(target: &Path, suffix: &str, bytes: &[u8]) -> io::Result<(LiveTemp, File)> {
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

    fn path(&self) -> &Path {
        self.path.as_deref().unwrap_or(Path::new(""))
    }

    /// Renames the temporary to `target`, which it replaces.
    fn rename_to(self, target: &Path) -> io::Result<()> {
        fs::rename(self.path(), target)?;
        self.forget();
        Ok(())
    }

    /// The temporary was renamed away: nothing is left to remove.
    fn forget(mut self) {
        if let Some(path) = self.path.take() {
            let name = path.to_path_buf();
            let _ = path.keep();
            unregister(&name);
        }
    }

    /// Keeps the temporary (a backup the user needs); returns its path.
    fn keep(mut self) -> PathBuf {
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

/// From the first write on, SIGINT, SIGTERM and SIGHUP (where the platform has them) remove
/// the temporaries of the write under way (after any replacement in progress has finished or
/// been undone) and end the process with 128 + the signal's number (130, 143, 129), as shells
/// report them.
fn install_interrupt_cleanup() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        sys::on_termination(|signal| {
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
fn pause_before_commit_for_tests() {
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

#[cfg(test)]
mod tests;
