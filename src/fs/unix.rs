//! The Unix side of `fs`: special files told apart, standard input recognised, files opened
//! without blocking, file identities and links, `access(2)`, the owner, group, mode and extended
//! attributes a new file takes over, and the termination signals.

use std::ffi::{CString, OsString};
use std::fs::{File, Metadata, OpenOptions, Permissions};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// What tells one file apart from every other: its device and inode.
pub(super) type FileId = (u64, u64);

/// The identity of the file `metadata` describes.
pub(super) fn file_id(metadata: &Metadata, _canonical: &Path) -> FileId {
    (metadata.dev(), metadata.ino())
}

/// Whether the file has other names (hard links) that must keep seeing its content.
pub(super) fn has_other_links(metadata: &Metadata) -> bool {
    metadata.nlink() > 1
}

/// What kind of special file `metadata` describes, for messages.
pub(super) fn kind_of(metadata: &Metadata) -> &'static str {
    let kind = metadata.file_type();
    if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a named pipe (FIFO)"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

/// Whether `metadata` is the file standard input reads from (`/dev/stdin`, or the pipe's own
/// name), which may be read although it is not a regular file.
pub(super) fn is_standard_input(metadata: &Metadata) -> bool {
    use std::os::fd::AsFd;
    let Ok(stdin) = io::stdin().as_fd().try_clone_to_owned() else {
        return false;
    };
    File::from(stdin)
        .metadata()
        .is_ok_and(|stdin| stdin.dev() == metadata.dev() && stdin.ino() == metadata.ino())
}

/// Opening and reading do not wait for a writer (a FIFO) nor take a terminal.
pub(super) fn without_blocking(options: &mut OpenOptions) {
    options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
}

/// A new file only its owner may read or write (until it takes the original's mode).
pub(super) fn owner_only(options: &mut OpenOptions) {
    options.mode(0o600);
}

/// Gives the new file `file` the owner, group, extended attributes and mode of the original
/// (at `source`); false when one of them cannot be kept.
pub(super) fn keep_metadata(file: &File, original: &Metadata, source: &Path) -> bool {
    let Ok(current) = file.metadata() else {
        return false;
    };
    let owner_kept = (current.uid() == original.uid() && current.gid() == original.gid())
        || std::os::unix::fs::fchown(file, Some(original.uid()), Some(original.gid())).is_ok();
    owner_kept
        && copy_extended_attributes(source, file)
        && file
            .set_permissions(Permissions::from_mode(original.mode() & 0o7777))
            .is_ok()
}

/// Makes the extended attributes of `file` those of the file at `source` (ACLs and security
/// labels are extended attributes); false when that is not possible.
fn copy_extended_attributes(source: &Path, file: &File) -> bool {
    use xattr::FileExt;
    let wanted: Vec<OsString> = match xattr::list(source) {
        Ok(names) => names.collect(),
        Err(e) if is_unsupported(&e) => Vec::new(),
        Err(_) => return false,
    };
    let present: Vec<OsString> = match file.list_xattr() {
        Ok(names) => names.collect(),
        Err(e) if is_unsupported(&e) => Vec::new(),
        Err(_) => return false,
    };
    let extra_removed = present
        .iter()
        .filter(|name| !wanted.contains(name))
        .all(|name| file.remove_xattr(name).is_ok());
    extra_removed
        && wanted.iter().all(|name| match xattr::get(source, name) {
            Ok(Some(value)) => {
                file.get_xattr(name).ok().flatten().as_deref() == Some(value.as_slice())
                    || file.set_xattr(name, &value).is_ok()
            }
            Ok(None) => true,
            Err(_) => false,
        })
}

fn is_unsupported(e: &io::Error) -> bool {
    e.raw_os_error() == Some(libc::ENOTSUP) || e.kind() == io::ErrorKind::Unsupported
}

/// Whether the running user may write `path`, as `access(2)` answers with the effective ids
/// (root may write a file without write bits; nobody may write on a read-only file system).
pub(super) fn may_write(path: &Path) -> io::Result<()> {
    let name = CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a NUL byte in the path"))?;
    // SAFETY: `name` is a NUL-terminated string that outlives the call.
    let status =
        unsafe { libc::faccessat(libc::AT_FDCWD, name.as_ptr(), libc::W_OK, libc::AT_EACCESS) };
    if status == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Why `what` cannot be written, in the user's words.
pub(super) fn denied_reason(e: &io::Error, what: &str) -> String {
    match e.raw_os_error() {
        Some(libc::EACCES) => format!("this user may not write {what} (permission denied)"),
        Some(libc::EPERM) => format!("{what} may not be changed (operation not permitted)"),
        Some(libc::EROFS) => format!("{what} is on a read-only file system"),
        _ => format!("{what}: {}", crate::io_error::reason(e)),
    }
}

/// Calls `handler` with the signal's number, in a thread of its own, each time SIGINT, SIGTERM or
/// SIGHUP arrives; from then on those signals no longer end the process by themselves.
pub(super) fn on_termination(mut handler: impl FnMut(i32) + Send + 'static) {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    let _ = std::thread::Builder::new()
        .name("loopfix-interrupts".into())
        .spawn(move || {
            for signal in signals.forever() {
                handler(signal);
            }
        });
}
