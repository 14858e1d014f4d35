//! Writes that keep a file's metadata: one file or a set of files written all or none, each
//! checked unchanged since it was read, replaced by a temporary or written through its inode,
//! and put back when another file of the set fails.

use std::fmt;
use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::fingerprint::Fingerprint;
#[cfg(not(unix))]
use super::other as sys;
use super::read::{ReadError, ReadLimit, read_bounded};
use super::temp::{
    COMMIT, LiveTemp, install_interrupt_cleanup, pause_before_commit_for_tests, verify,
};
#[cfg(unix)]
use super::unix as sys;
use crate::io_error::reason as io_reason;
use crate::sync::lock;

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

/// One file to write, whose bytes as read and new bytes the writer may not hold: it tells
/// whether the file still holds what was read, and makes the new bytes from them when the file
/// is written. A run that fixes many files keeps only what turns each into its new bytes.
pub trait Rewrite {
    /// The path (a symlink is written through to its target).
    fn path(&self) -> &Path;
    /// How many bytes were read.
    fn original_len(&self) -> usize;
    /// Whether `current` is what was read.
    fn is_original(&self, current: &[u8]) -> bool;
    /// The new bytes, made from the bytes read.
    fn new_contents(&self, original: &[u8]) -> Vec<u8>;
}

/// One file to write: its path, its bytes as read, and its new bytes, all held.
#[derive(Debug, Clone, Copy)]
pub struct PendingWrite<'a> {
    /// The path (a symlink is written through to its target).
    pub path: &'a Path,
    /// The bytes loopfix read; the file is not written if it holds anything else.
    pub original: &'a [u8],
    /// The new bytes.
    pub contents: &'a [u8],
}

impl Rewrite for PendingWrite<'_> {
    fn path(&self) -> &Path {
        self.path
    }

    fn original_len(&self) -> usize {
        self.original.len()
    }

    fn is_original(&self, current: &[u8]) -> bool {
        current == self.original
    }

    fn new_contents(&self, _original: &[u8]) -> Vec<u8> {
        self.contents.to_vec()
    }
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

/// Writes every file or none: each is checked writable and unchanged, and its new content goes
/// to a temporary next to it (one file's bytes in memory at a time), before the first file is
/// replaced; then all replace their files; when one fails, those already replaced get their originals back (kept until all
/// succeeded), and the error names the file that failed and why.
///
/// What remains possible: a crash or power cut while the files are being replaced (after
/// every temporary was written) leaves some files new and some old, and the originals of
/// those already replaced in `.loopfix-*.orig` files next to them.
pub fn write_all<W: Rewrite>(files: &[W]) -> Result<(), TransactionError> {
    let files: Vec<&dyn Rewrite> = files.iter().map(|f| f as &dyn Rewrite).collect();
    write_all_with_hook(&files, &mut |_| Ok(()))
}

/// [`write_all`], calling `before_replace` with the position of each file just before it is
/// replaced (tests inject failures there).
pub(super) fn write_all_with_hook(
    files: &[&dyn Rewrite],
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
    for (index, &file) in files.iter().enumerate() {
        let (mut plan, original) = Plan::check(index, file).map_err(fail(index))?;
        let contents = file.new_contents(&original);
        match plans.iter().find(|p| p.same_file(&plan)) {
            Some(earlier) if earlier.contents == Fingerprint::of(&contents) => {}
            Some(earlier) => {
                return Err(fail(index)(WriteError::Io(format!(
                    "it is the same file as {}, fixed differently",
                    earlier.write.path().display()
                ))));
            }
            None => {
                plan.prepare(&original, &contents).map_err(fail(index))?;
                plans.push(plan);
            }
        }
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
    write: &'a dyn Rewrite,
    /// What the original is (kept in `backup`).
    original: Fingerprint,
    /// What the new content is (in `new_temp`).
    contents: Fingerprint,
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
    /// Checks that the file may be written and still holds what was read; returns the plan
    /// and those bytes.
    fn check(index: usize, write: &'a dyn Rewrite) -> Result<(Self, Vec<u8>), WriteError> {
        let target = fs::canonicalize(write.path())
            .map_err(WriteError::during("cannot resolve the path"))?;
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
            original: Fingerprint::of(b""),
            contents: Fingerprint::of(b""),
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
        let original = plan.check_unchanged()?;
        Ok((plan, original))
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

    /// The file's bytes, when they are still those read.
    fn check_unchanged(&self) -> Result<Vec<u8>, WriteError> {
        match read_bounded(&self.target, ReadLimit::Read(self.write.original_len())) {
            Ok(current) if self.write.is_original(&current) => Ok(current),
            Ok(_) | Err(ReadError::TooLarge { .. }) => Err(WriteError::Changed),
            Err(e) => Err(WriteError::Io(format!("cannot read it again: {e}"))),
        }
    }

    /// Writes the new content to a temporary next to the file, with the file's metadata when
    /// the temporary can carry it (else the file will be written in place), and keeps the
    /// original.
    fn prepare(&mut self, original: &[u8], contents: &[u8]) -> Result<(), WriteError> {
        self.original = Fingerprint::of(original);
        self.contents = Fingerprint::of(contents);
        let (temp, file) = LiveTemp::with_contents(&self.target, ".tmp", contents).map_err(
            WriteError::during("cannot write a temporary file next to it"),
        )?;
        if !self.in_place && !sys::keep_metadata(&file, &self.metadata, &self.target) {
            self.in_place = true;
        }
        drop(file);
        self.new_temp = Some(temp);
        let backup = if self.in_place {
            LiveTemp::with_contents(&self.target, ".orig", original).map(|(temp, _)| temp)
        } else {
            self.link_or_copy_original(original)
        };
        self.backup =
            Some(backup.map_err(WriteError::during("cannot keep a copy of the original"))?);
        Ok(())
    }

    /// The original kept for a rollback of the rename: a hard link to the file (which puts
    /// back the very inode), or a copy with its metadata.
    fn link_or_copy_original(&mut self, original: &[u8]) -> io::Result<LiveTemp> {
        let target = &self.target;
        if let Ok((link, ())) =
            LiveTemp::create(target, ".orig", |path| fs::hard_link(target, path))
        {
            return Ok(link);
        }
        let (copy, file) = LiveTemp::with_contents(target, ".orig", original)?;
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
        let temp = temp.ok_or_else(|| WriteError::Io("the temporary file is gone".into()))?;
        let contents = read_back(temp.path(), self.contents)
            .map_err(WriteError::during("cannot read the temporary file"))?;
        drop(temp);
        write_through(&self.target, &contents).map_err(WriteError::during("cannot write the file"))
    }

    /// Puts the original back after a failed transaction; returns the file and where its
    /// original is kept when that fails.
    fn restore(&mut self) -> Option<(PathBuf, PathBuf)> {
        if !self.touched {
            return None;
        }
        let backup = self.backup.take()?;
        let restored = if self.in_place {
            read_back(backup.path(), self.original)
                .and_then(|original| write_through(&self.target, &original))
        } else {
            fs::rename(backup.path(), &self.target)
        };
        match restored {
            Ok(()) if self.in_place => None,
            Ok(()) => {
                backup.forget();
                None
            }
            Err(_) => Some((self.write.path().to_path_buf(), backup.keep())),
        }
    }
}

/// The bytes of a temporary that holds `expected`.
fn read_back(path: &Path, expected: Fingerprint) -> io::Result<Vec<u8>> {
    let bytes = fs::read(path)?;
    if expected.matches(&bytes) {
        Ok(bytes)
    } else {
        Err(io::Error::other("it no longer holds what was written"))
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
