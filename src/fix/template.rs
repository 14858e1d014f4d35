//! Text the rewrites emit from the templates of `transforms/`: `{key}` filled in, every four
//! leading spaces one indent unit of the file, lines joined with the file's newline.

use crate::source::SourceFile;

/// The newline and indent unit inserted code follows.
#[derive(Debug, Clone)]
pub struct Style {
    /// The file's newline bytes.
    pub newline: Vec<u8>,
    /// The file's indent unit.
    pub indent: Vec<u8>,
}

impl Style {
    /// The style of a source file.
    pub fn of(src: &SourceFile) -> Self {
        Style {
            newline: src.newline().as_bytes().to_vec(),
            indent: src.indent_unit().to_vec(),
        }
    }

    /// `levels` indent units.
    pub fn indent(&self, levels: usize) -> Vec<u8> {
        self.indent.repeat(levels)
    }
}

/// Renders a template from `transforms/`: `{key}` is replaced by its value, every four leading
/// spaces become one indent unit, lines are joined with the file's newline, and the template's
/// final newline is dropped. A value may span several lines; it is inserted as it is.
pub fn render(template: &str, values: &[(&str, &[u8])], style: &Style) -> Vec<u8> {
    let template = template.strip_suffix('\n').unwrap_or(template);
    let mut out = Vec::with_capacity(template.len() * 2);
    for (i, line) in template.split('\n').enumerate() {
        if i > 0 {
            out.extend_from_slice(&style.newline);
        }
        let spaces = line.len() - line.trim_start_matches(' ').len();
        for _ in 0..spaces / 4 {
            out.extend_from_slice(&style.indent);
        }
        out.extend(std::iter::repeat_n(b' ', spaces % 4));
        substitute(&line[spaces..], values, &mut out);
    }
    out
}

fn substitute(mut line: &str, values: &[(&str, &[u8])], out: &mut Vec<u8>) {
    while let Some(open) = line.find('{') {
        let Some(close) = line[open..].find('}').map(|c| open + c) else {
            break;
        };
        let key = &line[open + 1..close];
        match values.iter().find(|(k, _)| *k == key) {
            Some((_, value)) => {
                out.extend_from_slice(&line.as_bytes()[..open]);
                out.extend_from_slice(value);
            }
            None => out.extend_from_slice(&line.as_bytes()[..=close]),
        }
        line = &line[close + 1..];
    }
    out.extend_from_slice(line.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_uses_the_file_style() {
        let style = Style {
            newline: b"\r\n".to_vec(),
            indent: b"\t".to_vec(),
        };
        let text = render(
            "def {name}():\n    return {value}\n",
            &[("name", b"f"), ("value", b"1")],
            &style,
        );
        assert_eq!(text, b"def f():\r\n\treturn 1");
    }
}
