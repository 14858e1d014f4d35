//! A finding: a rule broken at a byte range, with its message and the fix it shares with the
//! other findings that fix resolves.

use std::ops::Range;
use std::sync::Arc;

use super::fix::{Applicability, Fix};
use crate::rules::Rule;

/// One reported problem.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The rule it breaks.
    pub rule: Rule,
    /// One line, with the evidence.
    pub message: String,
    /// The byte range reported (the offending call).
    pub range: Range<usize>,
    /// The fix, shared by every finding it resolves.
    pub fix: Option<Arc<Fix>>,
}

impl Finding {
    /// Whether the finding has a fix at or above `threshold`.
    pub fn is_fixable(&self, threshold: Applicability) -> bool {
        self.fix.as_ref().is_some_and(|f| f.applies_at(threshold))
    }
}
