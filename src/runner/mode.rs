//! What a run does with each file, and the counts its progress line reads.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Files found by the walk so far, files finished, and the phase the run is in.
#[derive(Debug, Default)]
pub struct Counters {
    /// Files the walk has found.
    pub found: AtomicUsize,
    /// Files whose processing is finished.
    pub done: AtomicUsize,
    /// The [`Phase`] the run is in, as its index.
    phase: AtomicUsize,
    /// Files the phase analyses again.
    phase_total: AtomicUsize,
    /// Files the phase has analysed again.
    phase_done: AtomicUsize,
    /// Bytes of files the scan keeps for their analysis ([`Counters::hold`]).
    held_bytes: AtomicUsize,
}

/// How many bytes of scanned files wait for their analysis at most; past this, a file waiting
/// is read again when its analysis starts, so that a walk faster than the analyses does not
/// hold the tree in memory.
const HELD_BYTES_BUDGET: usize = 32 * 1024 * 1024;

/// What a run is doing, for its progress line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Walking, reading and analysing files one by one.
    Files,
    /// Analysing again, with the project in view, the modules that import one another's
    /// loop work (round `n` of the turns exporters and importers take).
    Project(usize),
}

impl Phase {
    /// What the progress line says of the phase after the file count, given how many of its
    /// files it has analysed of how many (nothing while files are first analysed).
    pub fn label(self, done: usize, total: usize) -> Option<String> {
        match self {
            Phase::Files => None,
            Phase::Project(0) => Some(format!("following imports between modules: {done}/{total}")),
            Phase::Project(round) => Some(format!(
                "following imports between modules: {done}/{total} (round {})",
                round + 1
            )),
        }
    }
}

impl Counters {
    /// Whether the scan may keep `len` more bytes for an analysis (they count until
    /// [`Counters::release`]).
    pub(super) fn hold(&self, len: usize) -> bool {
        let held = self.held_bytes.fetch_add(len, Ordering::Relaxed);
        if held + len <= HELD_BYTES_BUDGET {
            return true;
        }
        self.release(len);
        false
    }

    /// Bytes kept by [`Counters::hold`] that the analysis took (or no longer needs).
    pub(super) fn release(&self, len: usize) {
        self.held_bytes.fetch_sub(len, Ordering::Relaxed);
    }

    /// The phase the run is in.
    pub fn phase(&self) -> Phase {
        match self.phase.load(Ordering::Relaxed) {
            0 => Phase::Files,
            n => Phase::Project(n - 1),
        }
    }

    /// Records the phase the run enters.
    pub fn enter(&self, phase: Phase) {
        let index = match phase {
            Phase::Files => 0,
            Phase::Project(round) => round + 1,
        };
        self.phase_done.store(0, Ordering::Relaxed);
        self.phase_total.store(0, Ordering::Relaxed);
        self.phase.store(index, Ordering::Relaxed);
    }

    /// Counts `files` more that the phase analyses again.
    pub fn phase_files(&self, files: usize) {
        self.phase_total.fetch_add(files, Ordering::Relaxed);
    }

    /// Counts one file of the phase analysed again.
    pub fn phase_file_done(&self) {
        self.phase_done.fetch_add(1, Ordering::Relaxed);
    }

    /// What the progress line says of the phase (see [`Phase::label`]).
    pub fn phase_label(&self) -> Option<String> {
        self.phase().label(
            self.phase_done.load(Ordering::Relaxed),
            self.phase_total.load(Ordering::Relaxed),
        )
    }
}

/// What to do with each file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Report findings.
    Check,
    /// Compute the fixes the file's settings allow (writing is the caller's job).
    Fix,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scan_holds_bytes_up_to_its_budget() {
        let counters = Counters::default();
        assert!(counters.hold(HELD_BYTES_BUDGET - 10));
        assert!(counters.hold(10));
        assert!(!counters.hold(1), "past the budget the file is read again");
        counters.release(10);
        assert!(counters.hold(1));
        assert!(!counters.hold(10));
    }

    #[test]
    fn the_phase_entered_is_the_phase_read() {
        let counters = Counters::default();
        assert_eq!(counters.phase(), Phase::Files);
        assert_eq!(counters.phase_label(), None);
        counters.enter(Phase::Project(0));
        counters.phase_files(5);
        assert_eq!(counters.phase(), Phase::Project(0));
        counters.phase_file_done();
        assert_eq!(
            counters.phase_label().as_deref(),
            Some("following imports between modules: 1/5")
        );
        counters.enter(Phase::Project(2));
        counters.phase_files(3);
        assert_eq!(
            counters.phase_label().as_deref(),
            Some("following imports between modules: 0/3 (round 3)")
        );
    }
}
