//! Reads of a user's file bounded in size: the limits, the refusal of special files and of
//! files over the limit, and the reads into a reused buffer or from a stream.

use std::fs::{self, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

#[cfg(not(unix))]
use super::other as sys;
#[cfg(unix)]
use super::unix as sys;
use crate::io_error::reason as io_reason;

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
