//! The interactive fixer (`fix -i`).

use std::path::PathBuf;
use std::sync::Arc;

use crate::ExitStatus;
use crate::edit::Applicability;
use crate::settings::Resolver;

/// Runs the interactive fixer over `paths`.
pub fn run(
    _paths: &[PathBuf],
    _resolver: &Arc<Resolver>,
    _threshold: Applicability,
    _color: bool,
) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("the interactive fixer is not available in this build")
}
