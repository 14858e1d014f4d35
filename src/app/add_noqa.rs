//! `check --add-noqa`: a `# noqa: LFxxx` directive on the line of every current finding, so
//! that a project can adopt loopfix and fix its findings later (ruff's `--add-noqa`).

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Result;

use super::exit::ExitStatus;
use super::session::{overrides, print_config_warnings, print_errors, report_error};
use crate::cli::SharedArgs;
use crate::fs::PendingWrite;
use crate::noqa;
use crate::runner::{self, Counters, FileReport, Mode};
use crate::settings::Resolver;
use crate::source::SourceFile;
use crate::syntax::parse;

/// One file's new bytes.
struct Edited {
    path: PathBuf,
    original: Vec<u8>,
    contents: Vec<u8>,
    directives: usize,
}

/// Runs `check --add-noqa` over the paths of `shared`: writes the directives (all files or
/// none), prints `Added N noqa directives.` on standard error and exits 0, or 2 when a file
/// could not be processed or written.
pub fn run(shared: &SharedArgs) -> Result<ExitStatus> {
    let stdin = shared.stdin_filename.is_some() || shared.paths.iter().any(|p| p == Path::new("-"));
    if stdin {
        anyhow::bail!("`--add-noqa` edits files in place and cannot read standard input");
    }
    let resolver = Arc::new(Resolver::new(overrides(shared), shared.config.as_deref())?);
    resolver.settings_for(Path::new("."))?;
    let paths = if shared.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        shared.paths.clone()
    };
    let counters = Counters::default();
    let (reports, walk_errors) =
        runner::walk_and_process(&paths, &resolver, Mode::Check, &counters);
    print_config_warnings(&resolver);
    let mut failed = !walk_errors.is_empty();
    for error in &walk_errors {
        report_error(&error.path, &error.message);
    }
    let mut edited = Vec::new();
    for report in &reports {
        print_errors(&report.path, &report.errors);
        failed |= !report.errors.is_empty();
        match edit(report) {
            Ok(Some(file)) => edited.push(file),
            Ok(None) => {}
            Err(reason) => {
                failed = true;
                report_error(&report.path, &reason);
            }
        }
    }
    let added = match write(&edited) {
        Ok(()) => edited.iter().map(|e| e.directives).sum(),
        Err(()) => {
            failed = true;
            0
        }
    };
    if !shared.quiet {
        let s = if added == 1 { "" } else { "s" };
        writeln!(io::stderr().lock(), "Added {added} noqa directive{s}.")?;
    }
    Ok(if failed {
        ExitStatus::Error
    } else {
        ExitStatus::Success
    })
}

/// The file of `report` with its directives, if it has findings; refused (the file keeps its
/// bytes) if the result would not parse.
fn edit(report: &FileReport) -> Result<Option<Edited>, String> {
    let Some(src) = report.source.as_deref() else {
        return Ok(None);
    };
    if report.findings.is_empty() {
        return Ok(None);
    }
    let tree = parse::parse(src.parse_text()).map_err(|e| e.to_string())?;
    let findings: Vec<_> = report
        .findings
        .iter()
        .map(|f| (f.range.start, f.rule))
        .collect();
    let Some((code, directives)) = noqa::add_directives(src, tree.root_node(), &findings) else {
        return Ok(None);
    };
    check_still_parses(src, &code)?;
    Ok(Some(Edited {
        path: report.path.clone(),
        original: src.to_file_bytes(src.code()),
        contents: src.to_file_bytes(&code),
        directives,
    }))
}

fn check_still_parses(src: &SourceFile, code: &[u8]) -> Result<(), String> {
    let ok = SourceFile::new(src.to_file_bytes(code))
        .is_ok_and(|new| parse::parses_cleanly(new.parse_text()));
    if ok {
        Ok(())
    } else {
        Err("adding `# noqa` directives would break the file's syntax; nothing was written".into())
    }
}

/// Writes every edited file, or none; prints why not.
fn write(edited: &[Edited]) -> Result<(), ()> {
    let writes: Vec<PendingWrite> = edited
        .iter()
        .map(|e| PendingWrite {
            path: &e.path,
            original: &e.original,
            contents: &e.contents,
        })
        .collect();
    crate::fs::write_all(&writes).map_err(|error| {
        report_error(&edited[error.failed].path, &error.to_string());
    })
}
