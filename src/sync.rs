//! Locks that survive a panic: a panic while a file is processed is caught and reported for
//! that file, so the data behind a poisoned lock stays usable for the others.

use std::sync::{Mutex, MutexGuard};

/// Locks `mutex`, taking over a poisoned one.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// The value inside `mutex`, taking over a poisoned one.
pub fn into_inner<T>(mutex: Mutex<T>) -> T {
    mutex.into_inner().unwrap_or_else(|p| p.into_inner())
}
