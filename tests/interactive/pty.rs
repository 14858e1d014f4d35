//! The real binary in a pseudo-terminal: keys are sent only once it reads one (the terminal in
//! raw mode), text is awaited with generous timeouts, and the transcript, the exit status and
//! the terminal's modes after the run are kept for the assertions.

use std::os::fd::AsRawFd;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use expectrl::process::unix::{Signal, WaitStatus};
use expectrl::session::OsSession;
use expectrl::{Expect, Session};

/// How long any awaited text or state may take (a debug build on a busy machine).
const PATIENCE: Duration = Duration::from_secs(60);

/// `loopfix fix -i --color never .` in `dir`, running in a pseudo-terminal.
pub struct Pty {
    session: OsSession,
    /// Everything the binary printed that was awaited so far.
    pub transcript: String,
}

impl Pty {
    /// Starts the binary in `dir` with `env` set (`PAGER` is `cat` unless `env` says otherwise,
    /// so that no pager runs); `None`, with the reason printed, when this machine has no
    /// pseudo-terminal.
    pub fn spawn(dir: &Path, env: &[(&str, &str)]) -> Option<Pty> {
        let mut command = Command::new(env!("CARGO_BIN_EXE_loopfix"));
        command
            .args(["fix", "-i", "--color", "never", "."])
            .current_dir(dir)
            .env("TERM", "xterm")
            .env("PAGER", "cat")
            .env_remove("VISUAL")
            .env_remove("NO_COLOR");
        for (name, value) in env {
            command.env(name, value);
        }
        match Session::spawn(command) {
            Ok(mut session) => {
                session.set_expect_timeout(Some(PATIENCE));
                Some(Pty {
                    session,
                    transcript: String::new(),
                })
            }
            Err(e) => {
                eprintln!("skipped: no pseudo-terminal on this machine ({e})");
                None
            }
        }
    }

    /// Waits for `text`.
    pub fn expect(&mut self, text: &str) {
        match self.session.expect(text) {
            Ok(found) => self.keep(found.before(), found.as_bytes()),
            Err(e) => panic!("waiting for {text:?}: {e}\nso far:\n{}", self.transcript),
        }
    }

    /// Waits for the question's prompt and the binary reading a key, then presses `key`.
    pub fn answer(&mut self, key: &str) {
        self.expect("Apply this fix [y,n,a,d,A,s,e,q,?]? ");
        self.press(key);
    }

    /// Presses `key` once the binary reads one.
    pub fn press(&mut self, key: &str) {
        self.wait_until_reading();
        self.session.send(key).expect("send a key");
    }

    /// Types `text` at once, whoever reads the terminal (a program the binary runs).
    pub fn type_now(&mut self, text: &str) {
        self.session.send(text).expect("type");
    }

    /// Sends `signal` to the binary.
    pub fn signal(&mut self, signal: Signal) {
        self.session
            .get_process_mut()
            .signal(signal)
            .expect("send a signal");
    }

    /// Makes the terminal `rows` tall (80 columns); the binary reads the size at each question.
    pub fn resize(&mut self, rows: u16) {
        self.session
            .get_process_mut()
            .set_window_size(80, rows)
            .expect("resize the terminal");
    }

    /// Reads to the end and returns the exit code (128 + n for a signal n, as shells say).
    pub fn finish(&mut self) -> i32 {
        match self.session.expect(expectrl::Eof) {
            Ok(found) => self.keep(found.before(), found.as_bytes()),
            Err(e) => panic!("waiting for the end: {e}\nso far:\n{}", self.transcript),
        }
        match self
            .session
            .get_process()
            .wait()
            .expect("wait for the binary")
        {
            WaitStatus::Exited(_, code) => code,
            WaitStatus::Signaled(_, signal, _) => 128 + signal as i32,
            other => panic!("unexpected end: {other:?}"),
        }
    }

    /// Whether the terminal is in canonical (cooked) mode: not left raw.
    pub fn is_cooked(&self) -> bool {
        (self.local_modes() & libc::ICANON) != 0
    }

    fn keep(&mut self, before: &[u8], found: &[u8]) {
        self.transcript.push_str(&String::from_utf8_lossy(before));
        self.transcript.push_str(&String::from_utf8_lossy(found));
    }

    /// Waits until the terminal is raw: the binary is reading a key.
    pub fn wait_until_reading(&self) {
        let start = Instant::now();
        while self.is_cooked() {
            assert!(
                start.elapsed() < PATIENCE,
                "the binary never read a key; so far:\n{}",
                self.transcript
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn local_modes(&self) -> libc::tcflag_t {
        let master = self
            .session
            .get_process()
            .get_raw_handle()
            .expect("the terminal");
        let mut modes = std::mem::MaybeUninit::<libc::termios>::uninit();
        // SAFETY: `modes` is a valid place for tcgetattr to fill, read only on success.
        let read = unsafe { libc::tcgetattr(master.as_raw_fd(), modes.as_mut_ptr()) };
        assert_eq!(read, 0, "tcgetattr on the terminal");
        // SAFETY: tcgetattr succeeded.
        unsafe { modes.assume_init() }.c_lflag
    }
}
