//! Progress on standard error (`files done / total`, then the phase) for long runs on a
//! terminal.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::runner::Counters;

/// Runs that finish sooner than this show no progress at all.
const QUIET_PERIOD: Duration = Duration::from_millis(400);

/// A progress line, redrawn while files are processed.
pub struct Progress {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts reporting `done` out of `found` (both still counting) when `enabled`.
    pub fn start(enabled: bool, counters: Arc<Counters>) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        if !enabled {
            return Progress { stop, thread: None };
        }
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            let mut shown = false;
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(50));
                if started.elapsed() < QUIET_PERIOD {
                    continue;
                }
                let _ = write!(std::io::stderr(), "\r\x1b[2K{}", line(&counters));
                shown = true;
            }
            if shown {
                let _ = write!(std::io::stderr(), "\r\x1b[2K");
            }
        });
        Progress {
            stop,
            thread: Some(thread),
        }
    }

    /// Stops and clears the progress line.
    pub fn finish(mut self) {
        self.stop_thread();
    }

    fn stop_thread(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// `loopfix: 120/300 files`, then the phase: `loopfix: 300/300 files · following imports
/// between modules`.
fn line(counters: &Counters) -> String {
    let done = counters.done.load(Ordering::Relaxed);
    let found = counters.found.load(Ordering::Relaxed);
    match counters.phase_label() {
        Some(phase) => format!("loopfix: {done}/{found} files · {phase}"),
        None => format!("loopfix: {done}/{found} files"),
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop_thread();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::Phase;

    #[test]
    fn the_line_counts_files_then_names_the_phase() {
        let counters = Counters::default();
        counters.found.store(300, Ordering::Relaxed);
        counters.done.store(120, Ordering::Relaxed);
        assert_eq!(line(&counters), "loopfix: 120/300 files");
        counters.done.store(300, Ordering::Relaxed);
        counters.enter(Phase::Project(0));
        counters.phase_files(40);
        assert_eq!(
            line(&counters),
            "loopfix: 300/300 files · following imports between modules: 0/40"
        );
    }
}
