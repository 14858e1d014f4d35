//! What a run does with each file, and the counts its progress line reads.

use std::sync::atomic::AtomicUsize;

/// Files found by the walk so far, and files finished.
#[derive(Debug, Default)]
pub struct Counters {
    /// Files the walk has found.
    pub found: AtomicUsize,
    /// Files whose processing is finished.
    pub done: AtomicUsize,
}

/// What to do with each file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Report findings.
    Check,
    /// Compute the fixes the file's settings allow (writing is the caller's job).
    Fix,
}
