//! The user's files, read and written safely: reads bounded in size that refuse special files;
//! writes that keep owner, group, mode, extended attributes and hard links, and never replace a
//! file that changed on disk since it was read; the files of one run written all or none; and
//! the temporary files of a write removed when the run is interrupted (after a caller's hook,
//! the interactive fixer's, has written what it must keep).
//!
//! A write goes through a temporary file next to the file, complete, synced and read back
//! before anything is replaced. The temporary is renamed over the file when it can carry the
//! file's owner, group, mode and extended attributes; when it cannot (a file owned by another
//! user, a label only root may set), or when the file has other hard links, the new content is
//! written through the file's own inode instead, so that nothing but the content changes.
//!
//! Reads are in `read`, writes (one file or a set) in `write` (what identifies the bytes of a
//! file to write without holding them in `fingerprint`), the temporaries and the interrupt
//! handler in `temp`. The platform's part (special files, identities, access, metadata, signals)
//! is in `unix` and, elsewhere, in `other`, which keeps what the platform can: its permissions,
//! no metadata beyond them, no clean-up on Ctrl-C (a temporary left behind is named after its
//! file).

mod fingerprint;
#[cfg(not(unix))]
mod other;
mod read;
mod temp;
#[cfg(unix)]
mod unix;
mod write;

pub use self::fingerprint::Fingerprint;
pub use self::read::{
    MAX_READ_BYTES, ReadError, ReadLimit, read_bounded, read_bounded_into, read_stream_bounded,
};
pub use self::temp::{TEMPORARY_PREFIX, on_interrupt};
pub use self::write::{
    PendingWrite, Rewrite, TransactionError, WriteError, write_all, write_atomically,
};

#[cfg(test)]
mod tests;
