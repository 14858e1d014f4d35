//! Tests of bounded reads, metadata-keeping writes and all-or-nothing writes.

use std::ffi::CString;
use std::fs::Permissions;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use super::write::write_all_with_hook;
use super::*;

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn write(path: &Path, bytes: &[u8]) {
    fs::write(path, bytes).unwrap();
}

fn pending<'a>(path: &'a Path, original: &'a [u8], contents: &'a [u8]) -> PendingWrite<'a> {
    PendingWrite {
        path,
        original,
        contents,
    }
}

#[test]
fn writes_and_keeps_permissions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.py");
    write(&path, b"old\n");
    fs::set_permissions(&path, Permissions::from_mode(0o751)).unwrap();
    write_atomically(&path, b"old\n", b"new\n").unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"new\n");
    let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o751);
    assert_eq!(names(dir.path()), ["m.py"]);
}

#[test]
fn a_file_with_the_longest_name_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{}.py", "n".repeat(252)));
    write(&path, b"old\n");
    write_atomically(&path, b"old\n", b"new\n").unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"new\n");
    assert_eq!(names(dir.path()).len(), 1);
}

#[test]
fn refuses_a_file_changed_since_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.py");
    write(&path, b"changed\n");
    assert!(matches!(
        write_atomically(&path, b"old\n", b"new\n"),
        Err(WriteError::Changed)
    ));
    assert_eq!(fs::read(&path).unwrap(), b"changed\n");
    // Grown past what was read: changed too.
    write(&path, b"old\nand more\n");
    assert!(matches!(
        write_atomically(&path, b"old\n", b"new\n"),
        Err(WriteError::Changed)
    ));
    assert_eq!(names(dir.path()), ["m.py"]);
}

#[test]
fn writes_through_symlinks() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("real.py");
    let link = dir.path().join("link.py");
    write(&target, b"old\n");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    write_atomically(&link, b"old\n", b"new\n").unwrap();
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read(&target).unwrap(), b"new\n");
}

#[test]
fn keeps_hard_links() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("m.py");
    let second = dir.path().join("same.py");
    write(&first, b"old\n");
    fs::hard_link(&first, &second).unwrap();
    let inode = fs::metadata(&first).unwrap().ino();
    write_atomically(&first, b"old\n", b"new, and longer\n").unwrap();
    assert_eq!(fs::read(&first).unwrap(), b"new, and longer\n");
    assert_eq!(fs::read(&second).unwrap(), b"new, and longer\n");
    assert_eq!(fs::metadata(&first).unwrap().ino(), inode);
    assert_eq!(fs::metadata(&second).unwrap().nlink(), 2);
    assert_eq!(names(dir.path()), ["m.py", "same.py"]);
}

#[test]
fn keeps_extended_attributes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.py");
    write(&path, b"old\n");
    if let Err(e) = xattr::set(&path, "user.loopfix.test", b"kept") {
        eprintln!("skipped: user extended attributes unsupported here ({e})");
        return;
    }
    write_atomically(&path, b"old\n", b"new\n").unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"new\n");
    assert_eq!(
        xattr::get(&path, "user.loopfix.test").unwrap().as_deref(),
        Some(&b"kept"[..])
    );
}

#[test]
fn keeps_owner_and_group() {
    if !is_root() {
        eprintln!("skipped: giving a file to another user needs root");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.py");
    write(&path, b"old\n");
    fs::set_permissions(&path, Permissions::from_mode(0o4640)).unwrap();
    std::os::unix::fs::chown(&path, Some(12345), Some(23456)).unwrap();
    fs::set_permissions(&path, Permissions::from_mode(0o4640)).unwrap();
    write_atomically(&path, b"old\n", b"new\n").unwrap();
    let metadata = fs::metadata(&path).unwrap();
    assert_eq!((metadata.uid(), metadata.gid()), (12345, 23456));
    assert_eq!(metadata.mode() & 0o7777, 0o4640);
    assert_eq!(fs::read(&path).unwrap(), b"new\n");
}

#[test]
fn a_file_the_user_may_not_write_is_refused() {
    if is_root() {
        eprintln!("skipped: root may write any file (tests/file_safety.rs runs this as nobody)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.py");
    write(&path, b"old\n");
    fs::set_permissions(&path, Permissions::from_mode(0o444)).unwrap();
    let error = write_atomically(&path, b"old\n", b"new\n").unwrap_err();
    assert!(
        error.to_string().contains("may not write the file"),
        "{error}"
    );
    assert_eq!(fs::read(&path).unwrap(), b"old\n");
}

/// Three files in a folder, `a.py`, `b.py`, `c.py`, each holding `old N`.
fn three_files() -> (tempfile::TempDir, Vec<PathBuf>, Vec<Vec<u8>>) {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    let mut originals = Vec::new();
    for (i, name) in ["a.py", "b.py", "c.py"].iter().enumerate() {
        let path = dir.path().join(name);
        let original = format!("old {i}\n").into_bytes();
        write(&path, &original);
        paths.push(path);
        originals.push(original);
    }
    (dir, paths, originals)
}

const NEW: [&[u8]; 3] = [b"new 0\n", b"new 1\n", b"new 2\n"];

fn pending_all<'a>(paths: &'a [PathBuf], originals: &'a [Vec<u8>]) -> Vec<PendingWrite<'a>> {
    (0..3)
        .map(|i| pending(&paths[i], &originals[i], NEW[i]))
        .collect()
}

fn as_rewrites<'a>(writes: &'a [PendingWrite<'a>]) -> Vec<&'a dyn Rewrite> {
    writes.iter().map(|w| w as &dyn Rewrite).collect()
}

fn assert_all_original(paths: &[PathBuf], originals: &[Vec<u8>]) {
    for (path, original) in paths.iter().zip(originals) {
        assert_eq!(&fs::read(path).unwrap(), original, "{}", path.display());
    }
}

#[test]
fn writes_every_file() {
    let (dir, paths, originals) = three_files();
    write_all(&pending_all(&paths, &originals)).unwrap();
    for (path, new) in paths.iter().zip(NEW) {
        assert_eq!(fs::read(path).unwrap(), new);
    }
    assert_eq!(names(dir.path()), ["a.py", "b.py", "c.py"]);
}

#[test]
fn a_file_changed_before_the_first_write_writes_nothing() {
    let (dir, paths, originals) = three_files();
    write(&paths[2], b"edited meanwhile\n");
    let error = write_all(&pending_all(&paths, &originals)).unwrap_err();
    assert_eq!(error.failed, 2);
    assert!(matches!(error.reason, WriteError::Changed));
    assert_all_original(&paths[..2], &originals[..2]);
    assert_eq!(fs::read(&paths[2]).unwrap(), b"edited meanwhile\n");
    assert_eq!(names(dir.path()), ["a.py", "b.py", "c.py"]);
}

#[test]
fn a_file_that_is_not_there_writes_nothing() {
    let (dir, paths, originals) = three_files();
    fs::remove_file(&paths[1]).unwrap();
    let error = write_all(&pending_all(&paths, &originals)).unwrap_err();
    assert_eq!(error.failed, 1);
    assert_all_original(
        &[paths[0].clone(), paths[2].clone()],
        &[originals[0].clone(), originals[2].clone()],
    );
    assert_eq!(names(dir.path()), ["a.py", "c.py"]);
}

#[test]
fn a_read_only_second_file_writes_nothing() {
    if is_root() {
        eprintln!("skipped: root may write any file (tests/file_safety.rs runs this as nobody)");
        return;
    }
    let (dir, paths, originals) = three_files();
    fs::set_permissions(&paths[1], Permissions::from_mode(0o444)).unwrap();
    let error = write_all(&pending_all(&paths, &originals)).unwrap_err();
    assert_eq!(error.failed, 1);
    assert_all_original(&paths, &originals);
    assert_eq!(names(dir.path()), ["a.py", "b.py", "c.py"]);
}

#[test]
fn a_failure_among_the_replacements_puts_the_originals_back() {
    let (dir, paths, originals) = three_files();
    fs::set_permissions(&paths[0], Permissions::from_mode(0o640)).unwrap();
    let inode = fs::metadata(&paths[0]).unwrap().ino();
    let mut hook = |i: usize| {
        if i == 2 {
            Err(io::Error::other("injected failure"))
        } else {
            Ok(())
        }
    };
    let error =
        write_all_with_hook(&as_rewrites(&pending_all(&paths, &originals)), &mut hook).unwrap_err();
    assert_eq!(error.failed, 2);
    assert!(error.to_string().contains("injected failure"), "{error}");
    assert!(error.unrestored.is_empty());
    assert_all_original(&paths, &originals);
    // The very file came back, with its metadata.
    let metadata = fs::metadata(&paths[0]).unwrap();
    assert_eq!(metadata.ino(), inode);
    assert_eq!(metadata.mode() & 0o7777, 0o640);
    assert_eq!(names(dir.path()), ["a.py", "b.py", "c.py"]);
}

#[test]
fn a_file_changed_during_the_replacements_puts_the_originals_back() {
    let (dir, paths, originals) = three_files();
    let third = paths[2].clone();
    let mut hook = |i: usize| {
        if i == 2 {
            fs::write(&third, b"edited meanwhile\n")?;
        }
        Ok(())
    };
    let error =
        write_all_with_hook(&as_rewrites(&pending_all(&paths, &originals)), &mut hook).unwrap_err();
    assert_eq!(error.failed, 2);
    assert!(matches!(error.reason, WriteError::Changed));
    assert_all_original(&paths[..2], &originals[..2]);
    assert_eq!(fs::read(&paths[2]).unwrap(), b"edited meanwhile\n");
    assert_eq!(names(dir.path()), ["a.py", "b.py", "c.py"]);
}

#[test]
fn a_file_written_in_place_is_put_back_in_place() {
    let (dir, paths, originals) = three_files();
    let link = dir.path().join("a_link.py");
    fs::hard_link(&paths[0], &link).unwrap();
    let mut hook = |i: usize| {
        if i == 1 {
            Err(io::Error::other("injected failure"))
        } else {
            Ok(())
        }
    };
    let error =
        write_all_with_hook(&as_rewrites(&pending_all(&paths, &originals)), &mut hook).unwrap_err();
    assert_eq!(error.failed, 1);
    assert_all_original(&paths, &originals);
    assert_eq!(fs::read(&link).unwrap(), originals[0]);
    assert_eq!(fs::metadata(&link).unwrap().nlink(), 2);
    assert_eq!(names(dir.path()), ["a.py", "a_link.py", "b.py", "c.py"]);
}

#[test]
fn two_names_of_one_file_are_written_once() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.py");
    let link = dir.path().join("link.py");
    write(&real, b"old\n");
    std::os::unix::fs::symlink("real.py", &link).unwrap();
    let same = [
        pending(&real, b"old\n", b"new\n"),
        pending(&link, b"old\n", b"new\n"),
    ];
    write_all(&same).unwrap();
    assert_eq!(fs::read(&real).unwrap(), b"new\n");
    write(&real, b"old\n");
    let different = [
        pending(&real, b"old\n", b"new\n"),
        pending(&link, b"old\n", b"other\n"),
    ];
    let error = write_all(&different).unwrap_err();
    assert_eq!(error.failed, 1);
    assert_eq!(fs::read(&real).unwrap(), b"old\n");
}

#[test]
fn reads_regular_files_within_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.py");
    write(&path, b"0123456789");
    assert_eq!(
        read_bounded(&path, ReadLimit::Read(10)).unwrap(),
        b"0123456789"
    );
    let error = read_bounded(&path, ReadLimit::Read(9)).unwrap_err();
    assert!(
        matches!(
            error,
            ReadError::TooLarge {
                size: 10,
                limit: 9,
                ..
            }
        ),
        "{error:?}"
    );
    // A reused buffer longer than the file.
    let mut buffer = vec![7u8; 64];
    assert_eq!(
        read_bounded_into(&path, ReadLimit::Read(100), &mut buffer).unwrap(),
        10
    );
    assert_eq!(&buffer[..10], b"0123456789");
}

#[test]
fn a_huge_sparse_file_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.py");
    let file = File::create(&path).unwrap();
    file.set_len(6 * 1024 * 1024 * 1024).unwrap();
    let error = read_bounded(&path, ReadLimit::ANY_FILE).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("6442450944 bytes is more than the {MAX_READ_BYTES} bytes loopfix reads; skipped")
    );
}

#[test]
fn a_file_over_the_parse_limit_names_that_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.py");
    write(&path, b"0123456789");
    let error = read_bounded(&path, ReadLimit::Parse(8)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "10 bytes is more than the 8 bytes loopfix parses; skipped"
    );
    assert_eq!(
        read_bounded(&path, ReadLimit::Parse(10)).unwrap(),
        b"0123456789"
    );
}

#[test]
fn special_files_are_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo.py");
    let name = CString::new(fifo.as_os_str().as_bytes()).unwrap();
    // SAFETY: `name` is a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
    let error = read_bounded(&fifo, ReadLimit::ANY_FILE).unwrap_err();
    assert_eq!(
        error.to_string(),
        "a named pipe (FIFO), not a regular file; not read"
    );
    let error = read_bounded(Path::new("/dev/zero"), ReadLimit::ANY_FILE).unwrap_err();
    assert_eq!(
        error.to_string(),
        "a character device, not a regular file; not read"
    );
    let error = read_bounded(dir.path(), ReadLimit::ANY_FILE).unwrap_err();
    assert_eq!(
        error.to_string(),
        "a directory, not a regular file; not read"
    );
}

#[test]
fn endless_streams_are_cut_at_the_limit() {
    let error = read_stream_bounded(io::repeat(b'x'), ReadLimit::Read(1000)).unwrap_err();
    assert!(
        matches!(
            error,
            ReadError::TooLarge {
                size: 1001,
                limit: 1000,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        read_stream_bounded(&b"abc"[..], ReadLimit::Read(3)).unwrap(),
        b"abc"
    );
}
