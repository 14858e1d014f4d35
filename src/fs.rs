//! Writing a file safely: a temporary file in the same directory, fsync, rename over the
//! original; permissions kept, symlinks written through, and never over a file that changed on
//! disk since it was read.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a file was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The file's content is no longer what loopfix read.
    #[error("the file changed on disk since it was read; not overwritten")]
    Changed,
    /// An I/O error.
    #[error("cannot write: {0}")]
    Io(String),
}

/// Replaces the contents of `path` (originally `original`) with `contents`, atomically.
pub fn write_atomically(path: &Path, original: &[u8], contents: &[u8]) -> Result<(), WriteError> {
    let target = resolve_symlinks(path);
    let io = |e: std::io::Error| WriteError::Io(crate::io_error::reason(&e));
    let metadata = std::fs::metadata(&target).map_err(io)?;
    if metadata.permissions().readonly() {
        return Err(WriteError::Io("the file is read-only".into()));
    }
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".loopfix-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io)?;
    temp.write_all(contents).map_err(io)?;
    temp.as_file().sync_all().map_err(io)?;
    std::fs::set_permissions(temp.path(), metadata.permissions()).map_err(io)?;
    let current = std::fs::read(&target).map_err(io)?;
    if current != original {
        return Err(WriteError::Changed);
    }
    temp.persist(&target).map_err(|e| io(e.error))?;
    if let Ok(dir) = std::fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// The file a path finally names (a symlink is written through to its target).
fn resolve_symlinks(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_keeps_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.py");
        std::fs::write(&path, b"old\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o751)).unwrap();
        write_atomically(&path, b"old\n", b"new\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new\n");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o751);
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1);
    }

    #[test]
    fn refuses_a_file_changed_since_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.py");
        std::fs::write(&path, b"changed\n").unwrap();
        assert!(matches!(
            write_atomically(&path, b"old\n", b"new\n"),
            Err(WriteError::Changed)
        ));
        assert_eq!(std::fs::read(&path).unwrap(), b"changed\n");
    }

    #[test]
    fn writes_through_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.py");
        let link = dir.path().join("link.py");
        std::fs::write(&target, b"old\n").unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_atomically(&link, b"old\n", b"new\n").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&target).unwrap(), b"new\n");
    }
}
