//! The built `loopfix` binary as a command, for the tests that drive it as users and CI do.

use std::path::Path;
use std::process::{Command, Stdio};

/// `loopfix` run in `dir`, with standard input closed and none of the environment variables that
/// change its output (colour, output format and file, GitLab's project directory) inherited.
pub fn loopfix(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_loopfix"));
    command
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("LOOPFIX_OUTPUT_FORMAT")
        .env_remove("LOOPFIX_OUTPUT_FILE")
        .env_remove("CI_PROJECT_DIR")
        .stdin(Stdio::null());
    command
}
