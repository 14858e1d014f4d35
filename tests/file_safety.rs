//! What `fix` does to the files it writes and to the files it must not read: owner, group,
//! mode, extended attributes and hard links kept; files the user may not write refused, and
//! then no file of the run written (a cross-module fix is all or nothing); symlinks written
//! through; FIFOs, devices and huge sparse files refused without a hang; temporaries removed
//! when the run is interrupted.

use std::ffi::CString;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const SEED: &str = "import asyncio\n\n\nasync def fetch():\n    return 1\n\n\nDATA = asyncio.run(fetch())\n\n\nasync def handler():\n    return DATA\n";

/// The uid and gid of `nobody`, whom tests run as to meet a file they may not write.
const NOBODY: u32 = 65534;

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_loopfix"));
    command.args(args).current_dir(dir);
    command
}

/// Runs loopfix with a deadline, so that a hang fails the test instead of blocking it.
fn run(mut command: Command) -> Output {
    let start = Instant::now();
    let out = spawn_retrying_busy(&mut command);
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "took {:?}",
        start.elapsed()
    );
    out
}

/// Runs `command`, trying again while its binary is "busy": a sandbox's copy of the binary is
/// briefly open for writing in a child that another test thread forked before the copy was
/// closed (the child closes it at its own exec), and exec'ing it then fails with ETXTBSY.
fn spawn_retrying_busy(command: &mut Command) -> Output {
    let mut attempts = 0;
    loop {
        match command.output() {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy && attempts < 50 => {
                attempts += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return other.expect("the binary runs"),
        }
    }
}

fn loopfix(dir: &Path, args: &[&str]) -> Output {
    run(command(dir, args))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn leftovers(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in fs::read_dir(&current).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                stack.push(entry.path());
            } else if entry.file_name().to_string_lossy().starts_with(".loopfix-") {
                found.push(entry.path());
            }
        }
    }
    found
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every file and folder under `dir` (and `dir`) given to `nobody`.
fn give_to_nobody(dir: &Path) {
    std::os::unix::fs::chown(dir, Some(NOBODY), Some(NOBODY)).unwrap();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            give_to_nobody(&path);
        } else {
            std::os::unix::fs::chown(&path, Some(NOBODY), Some(NOBODY)).unwrap();
        }
    }
}

/// A temporary folder that `nobody` can reach: the binary is copied into it, since the
/// build's folders may be closed to other users.
struct Sandbox {
    dir: tempfile::TempDir,
    binary: PathBuf,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        let binary = dir.path().join("loopfix");
        fs::copy(env!("CARGO_BIN_EXE_loopfix"), &binary).unwrap();
        fs::set_permissions(&binary, fs::Permissions::from_mode(0o755)).unwrap();
        let work = dir.path().join("work");
        fs::create_dir(&work).unwrap();
        Sandbox { dir, binary }
    }

    fn work(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    /// loopfix run as `nobody` in the work folder.
    fn as_nobody(&self, args: &[&str]) -> Output {
        let mut command = Command::new(&self.binary);
        command
            .args(args)
            .current_dir(self.work())
            .uid(NOBODY)
            .gid(NOBODY);
        run(command)
    }
}

#[test]
fn files_the_user_may_not_write_are_refused_and_nothing_is_written() {
    if !is_root() {
        // As an ordinary user, a file without write bits is one the user may not write.
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("good.py"), SEED).unwrap();
        fs::write(dir.path().join("locked.py"), SEED).unwrap();
        fs::set_permissions(
            dir.path().join("locked.py"),
            fs::Permissions::from_mode(0o444),
        )
        .unwrap();
        let out = loopfix(dir.path(), &["fix", "."]);
        assert_refused(&out, dir.path());
        return;
    }
    // As root every file is writable: run as nobody, with two files nobody may not write,
    // one of root's (in a folder nobody may write: the rename would have replaced it) and
    // one of nobody's without write bits.
    for (locked_owner, locked_mode) in [(0, 0o644), (NOBODY, 0o444)] {
        let sandbox = Sandbox::new();
        let work = sandbox.work();
        fs::write(work.join("good.py"), SEED).unwrap();
        fs::write(work.join("locked.py"), SEED).unwrap();
        give_to_nobody(&work);
        let locked = work.join("locked.py");
        std::os::unix::fs::chown(&locked, Some(locked_owner), Some(locked_owner)).unwrap();
        fs::set_permissions(&locked, fs::Permissions::from_mode(locked_mode)).unwrap();
        let out = sandbox.as_nobody(&["fix", "."]);
        assert_refused(&out, &work);
        assert_eq!(fs::metadata(&locked).unwrap().uid(), locked_owner);
    }
}

fn assert_refused(out: &Output, dir: &Path) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(
            "locked.py: cannot write: this user may not write the file (permission denied)"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "good.py: not written: locked.py could not be written, and the files of one run are written together"
        ),
        "{err}"
    );
    assert_eq!(fs::read_to_string(dir.join("locked.py")).unwrap(), SEED);
    assert_eq!(fs::read_to_string(dir.join("good.py")).unwrap(), SEED);
    assert!(leftovers(dir).is_empty(), "{:?}", leftovers(dir));
}

#[test]
fn a_cross_module_fix_is_written_whole_or_not_at_all() {
    let project = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/projects/lazy_config");
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&project, dir.path());
    let config = dir.path().join("app/config.py");
    let before = fs::read(&config).unwrap();
    // config.py cannot be written: its importers, which the same fix rewrites, must not be.
    fs::set_permissions(&config, fs::Permissions::from_mode(0o444)).unwrap();
    let importers = ["app/routes.py", "app/api/handlers.py"];
    let originals: Vec<Vec<u8>> = importers
        .iter()
        .map(|p| fs::read(dir.path().join(p)).unwrap())
        .collect();
    let out = if is_root() {
        let sandbox = Sandbox::new();
        copy_tree(dir.path(), &sandbox.work());
        give_to_nobody(&sandbox.work());
        let locked = sandbox.work().join("app/config.py");
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o444)).unwrap();
        let out = sandbox.as_nobody(&["fix", "--unsafe-fixes", "."]);
        for (path, original) in importers.iter().zip(&originals) {
            assert_eq!(
                &fs::read(sandbox.work().join(path)).unwrap(),
                original,
                "{path}"
            );
        }
        assert_eq!(fs::read(&locked).unwrap(), before);
        out
    } else {
        let out = loopfix(dir.path(), &["fix", "--unsafe-fixes", "."]);
        for (path, original) in importers.iter().zip(&originals) {
            assert_eq!(
                &fs::read(dir.path().join(path)).unwrap(),
                original,
                "{path}"
            );
        }
        assert_eq!(fs::read(&config).unwrap(), before);
        out
    };
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("app/config.py: cannot write"),
        "{}",
        stderr(&out)
    );

    // Writable, the three files change together.
    fs::set_permissions(&config, fs::Permissions::from_mode(0o644)).unwrap();
    let out = loopfix(dir.path(), &["fix", "--unsafe-fixes", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_ne!(fs::read(&config).unwrap(), before);
    for (path, original) in importers.iter().zip(&originals) {
        assert_ne!(
            &fs::read(dir.path().join(path)).unwrap(),
            original,
            "{path}"
        );
    }
}

#[test]
fn fix_keeps_owner_group_mode_extended_attributes_and_hard_links() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.py");
    fs::write(&path, SEED).unwrap();
    fs::hard_link(&path, dir.path().join("linked.py.txt")).unwrap();
    let linked = dir.path().join("other.py");
    fs::write(&linked, SEED).unwrap();
    if is_root() {
        std::os::unix::fs::chown(&linked, Some(4321), Some(5432)).unwrap();
    }
    fs::set_permissions(&linked, fs::Permissions::from_mode(0o2751)).unwrap();
    let xattrs = xattr::set(&linked, "user.loopfix.test", b"kept").is_ok();
    if !xattrs {
        eprintln!("note: user extended attributes unsupported here; not checked");
    }
    let before = fs::metadata(&linked).unwrap();
    let inode = fs::metadata(&path).unwrap().ino();

    let out = loopfix(dir.path(), &["fix", "m.py", "other.py"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let fixed = fs::read_to_string(&path).unwrap();
    assert!(fixed.contains("async def load_data() -> None:"), "{fixed}");
    assert_eq!(
        fs::read_to_string(dir.path().join("linked.py.txt")).unwrap(),
        fixed
    );
    assert_eq!(fs::metadata(&path).unwrap().ino(), inode);
    assert_eq!(fs::metadata(&path).unwrap().nlink(), 2);

    let after = fs::metadata(&linked).unwrap();
    assert_eq!(fs::read_to_string(&linked).unwrap(), fixed);
    assert_eq!(after.mode() & 0o7777, before.mode() & 0o7777);
    assert_eq!((after.uid(), after.gid()), (before.uid(), before.gid()));
    if xattrs {
        assert_eq!(
            xattr::get(&linked, "user.loopfix.test").unwrap().as_deref(),
            Some(&b"kept"[..])
        );
    }
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn a_file_whose_owner_a_new_file_cannot_keep_is_written_in_place() {
    if !is_root() {
        eprintln!("skipped: needs root to run as nobody next to a file of root's");
        return;
    }
    let sandbox = Sandbox::new();
    let work = sandbox.work();
    let shared = work.join("shared.py");
    fs::write(&shared, SEED).unwrap();
    give_to_nobody(&work);
    // Root's file that anyone may write: nobody cannot give a new file to root.
    std::os::unix::fs::chown(&shared, Some(0), Some(0)).unwrap();
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o666)).unwrap();
    let inode = fs::metadata(&shared).unwrap().ino();
    let out = sandbox.as_nobody(&["fix", "shared.py"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let metadata = fs::metadata(&shared).unwrap();
    assert_eq!(
        (metadata.uid(), metadata.gid(), metadata.ino()),
        (0, 0, inode)
    );
    assert_eq!(metadata.mode() & 0o7777, 0o666);
    assert!(
        fs::read_to_string(&shared)
            .unwrap()
            .contains("async def load_data() -> None:")
    );
    assert!(leftovers(&work).is_empty());
}

#[test]
fn a_symlink_named_on_the_command_line_is_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.py");
    fs::write(&real, SEED).unwrap();
    std::os::unix::fs::symlink("real.py", dir.path().join("link.py")).unwrap();
    let out = loopfix(dir.path(), &["fix", "link.py"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        fs::symlink_metadata(dir.path().join("link.py"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        fs::read_to_string(&real)
            .unwrap()
            .contains("async def load_data() -> None:")
    );
}

#[test]
fn special_and_huge_files_are_refused_without_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(root.join("good.py"), SEED).unwrap();
    let fifo = CString::new(root.join("fifo.py").as_os_str().as_bytes()).unwrap();
    // SAFETY: `fifo` is a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
    let huge = fs::File::create(root.join("huge.py")).unwrap();
    huge.set_len(6 * 1024 * 1024 * 1024).unwrap();
    drop(huge);

    let out = loopfix(
        root,
        &[
            "check",
            "--output-format",
            "concise",
            "fifo.py",
            "/dev/zero",
            "huge.py",
            "good.py",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("fifo.py: a named pipe (FIFO), not a regular file; not read"),
        "{err}"
    );
    assert!(
        err.contains("/dev/zero: a character device, not a regular file; not read"),
        "{err}"
    );
    assert!(
        err.contains("huge.py: 6442450944 bytes is more than the 67108864 bytes loopfix reads"),
        "{err}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("good.py:8:8: LF001"));

    // The walk passes a FIFO by (as ripgrep does); fix refuses the huge file and still fixes
    // the others (a file that cannot be read has no write to join).
    let out = loopfix(root, &["fix", "."]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(!err.contains("fifo.py"), "{err}");
    assert!(err.contains("huge.py: 6442450944 bytes"), "{err}");
    assert!(
        fs::read_to_string(root.join("good.py"))
            .unwrap()
            .contains("async def load_data() -> None:")
    );
}

#[test]
fn standard_input_is_bounded_too() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = command(dir.path(), &["check", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // Writes until loopfix stops reading (it closes the pipe after the limit).
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        let chunk = vec![b'#'; 1024 * 1024];
        for _ in 0..100 {
            if stdin.write_all(&chunk).is_err() {
                return;
            }
        }
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("more than the 67108864 bytes loopfix reads"),
        "{}",
        stderr(&out)
    );
}

/// Starts `fix` paused between its temporaries and the replacement, sends it `signal` once the
/// temporaries exist, and checks that it removed them and left the file alone.
fn interrupt_while_writing(signal: i32) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.py");
    fs::write(&path, SEED).unwrap();
    let mut child = command(dir.path(), &["fix", "--quiet", "m.py"])
        .env("LOOPFIX_TEST_PAUSE_BEFORE_COMMIT", "60")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while leftovers(dir.path()).len() < 2 {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no temporaries appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    for temporary in leftovers(dir.path()) {
        let name = temporary
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(
            name.starts_with(".loopfix-m.py."),
            "named after its file: {name}"
        );
    }
    let pid = i32::try_from(child.id()).unwrap();
    // SAFETY: sends a signal to the child this test started.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "still running");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(128 + signal), "signal {signal}");
    assert!(
        leftovers(dir.path()).is_empty(),
        "{:?}",
        leftovers(dir.path())
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), SEED);
}

#[test]
fn interrupts_remove_the_temporaries() {
    if !cfg!(debug_assertions) {
        eprintln!("skipped: the pause this test needs exists in debug builds only");
        return;
    }
    interrupt_while_writing(libc::SIGINT);
    interrupt_while_writing(libc::SIGTERM);
    interrupt_while_writing(libc::SIGHUP);
}
