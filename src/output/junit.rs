//! `junit`: JUnit XML as ruff prints it: a test suite per file, a failing test case per finding
//! (`loopfix.LF001`, with `line` and `column`), an `<error>` test case per reason a file could
//! not be processed, and one passing test case when nothing was found.

use std::io::{self, Write};

use super::format::{Emitter, Printer};
use super::located::{Located, What};

/// The JUnit XML format.
pub struct Junit;

impl Emitter for Junit {
    fn emit(&self, out: &mut dyn Write, located: &[Located], _printer: &Printer) -> io::Result<()> {
        let suites = by_file(located);
        let errors = located
            .iter()
            .filter(|d| matches!(d.what, What::Error(_)))
            .count();
        let failures = located.len() - errors;
        let tests = located.len().max(1);
        writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        writeln!(
            out,
            r#"<testsuites name="loopfix" tests="{tests}" failures="{failures}" errors="{errors}">"#
        )?;
        if suites.is_empty() {
            writeln!(
                out,
                r#"    <testsuite name="loopfix" tests="1" disabled="0" errors="0" failures="0" package="loopfix">"#
            )?;
            writeln!(
                out,
                r#"        <testcase name="No errors found" classname="loopfix" />"#
            )?;
            writeln!(out, "    </testsuite>")?;
        }
        for suite in suites {
            write_suite(out, suite)?;
        }
        writeln!(out, "</testsuites>")
    }
}

/// The diagnostics, grouped by file in their (path) order.
fn by_file<'l, 'a>(located: &'l [Located<'a>]) -> Vec<&'l [Located<'a>]> {
    located
        .chunk_by(|a, b| std::ptr::eq(a.report, b.report))
        .collect()
}

fn write_suite(out: &mut dyn Write, suite: &[Located]) -> io::Result<()> {
    let display = &suite[0].display;
    let errors = suite
        .iter()
        .filter(|d| matches!(d.what, What::Error(_)))
        .count();
    writeln!(
        out,
        r#"    <testsuite name="{}" tests="{}" disabled="0" errors="{errors}" failures="{}" package="loopfix">"#,
        escape(display),
        suite.len(),
        suite.len() - errors,
    )?;
    let classname = escape(class_name(display));
    for diagnostic in suite {
        let (name, element, message) = match diagnostic.what {
            What::Finding { finding, .. } => (
                format!("loopfix.{}", finding.rule.code()),
                "failure",
                finding.message.clone(),
            ),
            What::Error(error) => ("loopfix.error".to_owned(), "error", error.to_string()),
        };
        let (row, column) = (diagnostic.start.row, diagnostic.start.column);
        writeln!(
            out,
            r#"        <testcase name="{name}" classname="{classname}" line="{row}" column="{column}">"#
        )?;
        writeln!(
            out,
            r#"            <{element} message="{}">line {row}, col {column}, {}</{element}>"#,
            escape(&message),
            escape(&message),
        )?;
        writeln!(out, "        </testcase>")?;
    }
    writeln!(out, "    </testsuite>")
}

/// The file's path without its extension (`pkg/app.py` is `pkg/app`), as ruff names classes.
fn class_name(display: &str) -> &str {
    let file_start = display.rfind('/').map_or(0, |i| i + 1);
    match display[file_start..].rfind('.') {
        Some(dot) if dot > 0 => &display[..file_start + dot],
        _ => display,
    }
}

/// Text for an XML attribute or element: the five special characters escaped, line breaks and
/// tabs as character references (kept in attributes), and characters XML 1.0 cannot carry
/// replaced with U+FFFD.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            '\n' => escaped.push_str("&#10;"),
            '\r' => escaped.push_str("&#13;"),
            '\t' => escaped.push_str("&#9;"),
            c if is_xml_char(c) => escaped.push(c),
            _ => escaped.push('\u{FFFD}'),
        }
    }
    escaped
}

/// Whether XML 1.0 allows the character (its `Char` production, less the breaks handled above).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

#[cfg(test)]
mod tests {
    use super::{class_name, escape};

    #[test]
    fn class_names_drop_the_extension_only() {
        assert_eq!(class_name("pkg/app.py"), "pkg/app");
        assert_eq!(class_name("app.pyi"), "app");
        assert_eq!(class_name("pkg.d/script"), "pkg.d/script");
        assert_eq!(class_name(".hidden"), ".hidden");
    }

    #[test]
    fn escaping_keeps_the_xml_well_formed() {
        assert_eq!(
            escape("a<b> & \"c\" 'd'\n\u{1}"),
            "a&lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;&#10;\u{FFFD}"
        );
    }
}
