//! `fs` where the platform is not Unix: special files are what is not a regular file, a file is
//! told apart by its resolved path, the read-only flag decides whether it may be written, a new
//! file takes the original's permissions and nothing else, and no handler is installed for
//! Ctrl-C (it ends the process; a temporary left behind is named after its file).

use std::fs::{File, Metadata, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

/// What tells one file apart from every other: its path, symlinks resolved.
pub(super) type FileId = PathBuf;

/// The identity of the file at `canonical` (its resolved path).
pub(super) fn file_id(_metadata: &Metadata, canonical: &Path) -> FileId {
    canonical.to_path_buf()
}

/// Other names of the file are not looked for: the new content is renamed over it.
pub(super) fn has_other_links(_metadata: &Metadata) -> bool {
    false
}

/// What kind of special file `metadata` describes, for messages.
pub(super) fn kind_of(metadata: &Metadata) -> &'static str {
    if metadata.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

/// Standard input is never read through a path here.
pub(super) fn is_standard_input(_metadata: &Metadata) -> bool {
    false
}

/// Nothing to add: opening a file does not wait here.
pub(super) fn without_blocking(_options: &mut OpenOptions) {}

/// Nothing to add: a new file is the user's.
pub(super) fn owner_only(_options: &mut OpenOptions) {}

/// Gives the new file `file` the permissions of the original; false when it cannot take them.
pub(super) fn keep_metadata(file: &File, original: &Metadata, _source: &Path) -> bool {
    file.set_permissions(original.permissions()).is_ok()
}

/// Whether `path` may be written: a file marked read-only may not.
pub(super) fn may_write(path: &Path) -> io::Result<()> {
    let metadata = std::fs::metadata(path)?;
    if metadata.is_file() && metadata.permissions().readonly() {
        return Err(io::Error::from(io::ErrorKind::PermissionDenied));
    }
    Ok(())
}

/// Why `what` cannot be written, in the user's words.
pub(super) fn denied_reason(e: &io::Error, what: &str) -> String {
    match e.kind() {
        io::ErrorKind::PermissionDenied => {
            format!("this user may not write {what} (permission denied)")
        }
        _ => format!("{what}: {}", crate::io_error::reason(e)),
    }
}

/// No handler: Ctrl-C ends the process.
pub(super) fn on_termination(_handler: impl FnMut(i32) + Send + 'static) {}
