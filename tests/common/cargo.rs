//! Where cargo builds this crate, and a `PATH` that finds the cargo running the tests: for tests
//! that build release binaries through other tools (pre-commit, maturin).

use std::env;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The crate's root directory.
pub fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `<target>`, where cargo builds this crate.
pub fn target_root() -> PathBuf {
    // Cargo gives integration tests `<target>/tmp`.
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).to_path_buf()
}

/// `PATH` with the directory of the cargo running the tests first, so that the tools build with
/// the same toolchain.
pub fn path_with_cargo() -> OsString {
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(cargo) = env::var_os("CARGO")
        && let Some(dir) = Path::new(&cargo).parent()
    {
        dirs.push(dir.to_path_buf());
    }
    if let Some(path) = env::var_os("PATH") {
        dirs.extend(env::split_paths(&path));
    }
    env::join_paths(dirs).expect("PATH can be joined")
}
