//! How a run ends: the exit codes of ruff (0 nothing left, 1 findings remain, 2 errors).

use crate::server::Ending;

/// How a run ended; the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: nothing found, or everything fixed.
    Success,
    /// 1: findings remain, `--diff` would change something, or `--exit-non-zero-on-fix` fixed.
    Failure,
    /// 2: usage error, unreadable or unparsable input, internal error.
    Error,
}

impl ExitStatus {
    /// The process exit code.
    pub fn code(self) -> i32 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Error => 2,
        }
    }
}

/// The protocol's exit codes: 0 after `shutdown`, 1 without it.
impl From<Ending> for ExitStatus {
    fn from(ending: Ending) -> Self {
        match ending {
            Ending::ShutDown => ExitStatus::Success,
            Ending::Abandoned => ExitStatus::Failure,
        }
    }
}
