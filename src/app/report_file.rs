//! Where a run's report goes: standard output, or `-o/--output-file`, written whole when the
//! run ends (a temporary next to it renamed over it), so that a run that fails part-way leaves
//! the previous report, never half of a new one.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// The report's destination.
pub enum ReportOut {
    /// Standard output.
    Stdout(io::Stdout),
    /// A file, and the report so far.
    File {
        /// Where the report goes.
        path: PathBuf,
        /// The report, until [`ReportOut::finish`].
        buffer: Vec<u8>,
    },
}

impl ReportOut {
    /// Standard output, or `path` when given.
    pub fn new(path: Option<&Path>) -> Self {
        match path {
            Some(path) => ReportOut::File {
                path: path.to_path_buf(),
                buffer: Vec::new(),
            },
            None => ReportOut::Stdout(io::stdout()),
        }
    }

    /// Flushes standard output, or writes the report to its file.
    pub fn finish(self) -> Result<()> {
        match self {
            ReportOut::Stdout(mut stdout) => Ok(stdout.flush()?),
            ReportOut::File { path, buffer } => write_whole(&path, &buffer)
                .with_context(|| format!("cannot write the report to {}", path.display())),
        }
    }
}

impl Write for ReportOut {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self {
            ReportOut::Stdout(stdout) => stdout.write(bytes),
            ReportOut::File { buffer, .. } => buffer.write(bytes),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            ReportOut::Stdout(stdout) => stdout.flush(),
            ReportOut::File { .. } => Ok(()),
        }
    }
}

/// Writes `bytes` to a temporary file in `path`'s directory (created if missing), then renames
/// it over `path`.
fn write_whole(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    fs::create_dir_all(dir)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".loopfix-report-");
    // Readable by everyone, as a file created by `>` is under the usual umask (a temporary
    // file is private).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o644));
    }
    let mut temporary = builder.tempfile_in(dir)?;
    temporary.write_all(bytes)?;
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|e| e.error)?;
    Ok(())
}
