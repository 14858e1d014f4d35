//! `full` (message, code frame, the fix's diff) and `concise` (one line per finding).

use std::collections::HashSet;
use std::io::{self, Write};
use std::sync::Arc;

use console::Style;

use super::{Emitter, Located, Printer, fix_marker};
use crate::diff::{DiffStyle, write_labelled_diff};
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
    fn emit(&self, out: &mut dyn Write, findings: &[Located], printer: &Printer) -> io::Result<()> {
        let styles = Styles::new(printer.color);
        let mut shown_fixes: HashSet<*const crate::edit::Fix> = HashSet::new();
        for located in findings {
            let finding = located.finding;
            writeln!(
                out,
                "{}:{}:{}: {} {}{}",
                styles.path.apply_to(&located.display),
                located.start.row,
                located.start.column,
                styles.code.apply_to(finding.rule.code()),
                fix_marker(finding, printer.threshold),
                finding.message
            )?;
            if self.concise {
                continue;
            }
            code_frame(out, located, &styles)?;
            if let Some(fix) = &finding.fix {
                let first_time = shown_fixes.insert(Arc::as_ptr(fix));
                let kind = fix.applicability.as_str();
                writeln!(
                    out,
                    "   {} {}",
                    styles.gutter.apply_to("="),
                    styles.help.apply_to(format!("fix ({kind}): {}", fix.title))
                )?;
                if first_time && let Some(fixed) = crate::plan::preview(located.source, fix) {
                    let mut diff = Vec::new();
                    let old = located.source.to_file_bytes(located.source.code());
                    let new = located.source.to_file_bytes(&fixed);
                    write_labelled_diff(
                        &mut diff,
                        &located.display,
                        &old,
                        &new,
                        &DiffStyle::new(printer.color),
                    )?;
                    for line in diff.split_inclusive(|&b| b == b'\n') {
                        out.write_all(b"     ")?;
                        out.write_all(line)?;
                    }
                } else if !first_time {
                    writeln!(out, "     (the same fix as above)")?;
                }
            }
            writeln!(out)?;
        }
        Ok(())
    }
}

/// The finding's lines with one line of context and carets under the span's first line.
fn code_frame(out: &mut dyn Write, located: &Located, styles: &Styles) -> io::Result<()> {
    let source = located.source;
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
            let (offset, len) = caret_span(source, located, line);
            writeln!(
                out,
                "{:width$} {bar} {}{} {}",
                "",
                " ".repeat(offset),
                styles.marker.apply_to("^".repeat(len.max(1))),
                styles.marker.apply_to(located.finding.rule.code())
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
fn caret_span(source: &SourceFile, located: &Located, line: usize) -> (usize, usize) {
    let range = source.line_range(line);
    let text = &source.code()[range.clone()];
    let start = located
        .finding
        .range
        .start
        .saturating_sub(range.start)
        .min(text.len());
    let end = located
        .finding
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
