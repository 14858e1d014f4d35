//! `full` (message, code frame, the fix's diff) and `concise` (one line per finding); a file
//! that could not be processed is a line `path:row:col: error: reason`.

use std::collections::HashSet;
use std::io::{self, Write};

use console::Style;

use super::format::{Emitter, Printer};
use super::located::{Located, What, fix_marker};
use crate::diagnostic::{Finding, Fix, FixId};
use crate::diff::{DiffStyle, write_labelled_diff};
use crate::runner::MAX_PREVIEWS;
use crate::source::SourceFile;

/// The human formats.
pub struct Full {
    /// One line per finding.
    pub concise: bool,
}

struct Styles {
    path: Style,
    code: Style,
    gutter: Style,
    marker: Style,
    help: Style,
}

impl Styles {
    fn new(color: bool) -> Self {
        let style = |s: Style| s.force_styling(color);
        if !color {
            let plain = Style::new();
            return Styles {
                path: plain.clone(),
                code: plain.clone(),
                gutter: plain.clone(),
                marker: plain.clone(),
                help: plain,
            };
        }
        Styles {
            path: style(Style::new().bold()),
            code: style(Style::new().red().bold()),
            gutter: style(Style::new().blue().bold()),
            marker: style(Style::new().red().bold()),
            help: style(Style::new().cyan()),
        }
    }
}

impl Emitter for Full {
    fn emit(&self, out: &mut dyn Write, located: &[Located], printer: &Printer) -> io::Result<()> {
        let styles = Styles::new(printer.color);
        let mut shown_fixes: HashSet<(&str, FixId)> = HashSet::new();
        for diagnostic in located {
            match diagnostic.what {
                What::Error(error) => {
                    writeln!(
                        out,
                        "{}:{}:{}: {} {error}",
                        styles.path.apply_to(&diagnostic.display),
                        diagnostic.start.row,
                        diagnostic.start.column,
                        styles.code.apply_to("error:"),
                    )?;
                    if !self.concise {
                        writeln!(out)?;
                    }
                }
                What::Finding { source, finding } => {
                    writeln!(
                        out,
                        "{}:{}:{}: {} {}{}",
                        styles.path.apply_to(&diagnostic.display),
                        diagnostic.start.row,
                        diagnostic.start.column,
                        styles.code.apply_to(finding.rule.code()),
                        fix_marker(diagnostic.report, finding),
                        finding.message
                    )?;
                    if self.concise {
                        continue;
                    }
                    code_frame(out, diagnostic, source, finding, &styles)?;
                    if let Some(fix) = &finding.fix {
                        let first_time = shown_fixes.insert((&diagnostic.display, fix.id()));
                        fix_block(out, diagnostic, source, fix, first_time, printer, &styles)?;
                    }
                    writeln!(out)?;
                }
            }
        }
        Ok(())
    }
}

/// The fix's title and, the first time it shows, its diff (else a pointer to the one above).
fn fix_block(
    out: &mut dyn Write,
    diagnostic: &Located,
    source: &SourceFile,
    fix: &Fix,
    first_time: bool,
    printer: &Printer,
    styles: &Styles,
) -> io::Result<()> {
    let kind = fix.applicability().as_str();
    writeln!(
        out,
        "   {} {}",
        styles.gutter.apply_to("="),
        styles
            .help
            .apply_to(format!("fix ({kind}): {}", fix.title()))
    )?;
    if first_time && let Some(fixed) = diagnostic.report.preview(fix.id()) {
        let mut diff = Vec::new();
        let old = source.to_file_bytes(source.code());
        let new = source.to_file_bytes(fixed);
        write_labelled_diff(
            &mut diff,
            &diagnostic.display,
            &old,
            &new,
            &DiffStyle::new(printer.color),
        )?;
        for line in diff.split_inclusive(|&b| b == b'\n') {
            out.write_all(b"     ")?;
            out.write_all(line)?;
        }
    } else if first_time && diagnostic.report.preview_skipped(fix.id()) {
        writeln!(
            out,
            "     (diff not shown: the file has more than {MAX_PREVIEWS} fixes; \
             `loopfix fix --diff` shows them all)"
        )?;
    } else if !first_time {
        writeln!(out, "     (the same fix as above)")?;
    }
    Ok(())
}

/// The finding's lines with one line of context and carets under the span's first line.
fn code_frame(
    out: &mut dyn Write,
    located: &Located,
    source: &SourceFile,
    finding: &Finding,
    styles: &Styles,
) -> io::Result<()> {
    let first = located.start.row - 1;
    let last = (located.end.row - 1).min(first + 4);
    let from = first.saturating_sub(1);
    let to = (last + 1).min(source.line_count().saturating_sub(1));
    let width = (to + 1).to_string().len();
    let bar = styles.gutter.apply_to("|");
    writeln!(out, "{:width$} {bar}", "")?;
    for line in from..=to {
        let text = display_line(source, line);
        writeln!(
            out,
            "{} {bar} {text}",
            styles.gutter.apply_to(format!("{:>width$}", line + 1))
        )?;
        if line == first {
            let (offset, len) = caret_span(source, finding, line);
            writeln!(
                out,
                "{:width$} {bar} {}{} {}",
                "",
                " ".repeat(offset),
                styles.marker.apply_to("^".repeat(len.max(1))),
                styles.marker.apply_to(finding.rule.code())
            )?;
        }
    }
    writeln!(out, "{:width$} {bar}", "")?;
    Ok(())
}

fn display_line(source: &SourceFile, line: usize) -> String {
    let range = source.line_range(line);
    String::from_utf8_lossy(&source.code()[range]).replace('\t', "    ")
}

/// Display column and width of the carets on the span's first line.
fn caret_span(source: &SourceFile, finding: &Finding, line: usize) -> (usize, usize) {
    let range = source.line_range(line);
    let text = &source.code()[range.clone()];
    let start = finding
        .range
        .start
        .saturating_sub(range.start)
        .min(text.len());
    let end = finding
        .range
        .end
        .saturating_sub(range.start)
        .min(text.len())
        .max(start);
    let width = |bytes: &[u8]| {
        String::from_utf8_lossy(bytes)
            .chars()
            .map(|c| if c == '\t' { 4 } else { 1 })
            .sum::<usize>()
    };
    (width(&text[..start]), width(&text[start..end]))
}
