//! One Python file's bytes and what must be kept about them: BOM, newline style (a file whose
//! lines end in a lone CR is read with LF line ends and written back with CRs), indent unit,
//! encoding cookie (`encoding`: a declared single-byte encoding is read as UTF-8 and written
//! back in it), and the byte <-> line/column mapping.

mod encoding;

use std::ops::Range;

use thiserror::Error;

pub use self::encoding::coding_cookie;
use self::encoding::{SingleByte, declared_encoding, mask};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Why a file's bytes cannot be analysed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The file holds a NUL byte, which no Python source does.
    #[error("binary file (NUL byte at offset {0})")]
    Binary(usize),
    /// Not UTF-8, and no coding cookie says otherwise.
    #[error(
        "invalid UTF-8 at line {line}, column {column}, and no coding cookie declares another encoding"
    )]
    InvalidUtf8 {
        /// 1-based line of the first invalid byte.
        line: usize,
        /// 1-based byte column of the first invalid byte.
        column: usize,
    },
    /// A coding cookie names an encoding whose bytes loopfix cannot keep exactly.
    #[error(
        "unsupported source encoding `{0}` (only UTF-8 and single-byte encodings are rewritten)"
    )]
    UnsupportedEncoding(String),
}

/// How lines end in a file; inserted code uses the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Newline {
    /// `\n`
    Lf,
    /// `\r\n`
    CrLf,
    /// `\r` (classic Mac OS files, with no `\n` at all: read as `\n` in
    /// [`SourceFile::code`], written back as `\r` by [`SourceFile::to_file_bytes`])
    Cr,
}

impl Newline {
    /// The bytes of this newline.
    pub fn as_bytes(self) -> &'static [u8] {
        match self {
            Newline::Lf => b"\n",
            Newline::CrLf => b"\r\n",
            Newline::Cr => b"\r",
        }
    }
}

/// A Python source file as loopfix sees it.
///
/// `code` is the file without its BOM, as UTF-8; every byte offset loopfix uses is an offset into
/// `code`. A file in a single-byte encoding that a coding cookie declares (`latin-1`,
/// `cp1252`, ...) is decoded into `code` and encoded back by [`Self::to_file_bytes`], byte for
/// byte outside the edits, so that names written with different non-ASCII letters stay
/// different names. A CR-only file (lines end in a lone `\r` and no `\n` appears anywhere, as
/// classic Mac OS wrote them) is read with each `\r` made a `\n`, as CPython's tokenizer reads
/// it (same length, so every offset is the file's), and written back with each `\n` a `\r`:
/// every pass sees an LF file, and every line a fix inserts or moves ends in `\r` in the file.
/// `parse_text` is what tree-sitter reads: `code` itself, or, for a declared encoding loopfix
/// cannot decode, `code` with every non-ASCII byte masked to `x` (same length, so offsets
/// agree).
#[derive(Debug, Clone)]
pub struct SourceFile {
    bom: bool,
    code: Vec<u8>,
    masked: Option<Vec<u8>>,
    encoding: Option<SingleByte>,
    cr_only: bool,
    line_starts: Vec<usize>,
    newline: Newline,
    indent_unit: Vec<u8>,
}

impl SourceFile {
    /// Checks the bytes of a file and indexes them.
    pub fn new(raw: Vec<u8>) -> Result<Self, DecodeError> {
        if let Some(pos) = memchr::memchr(0, &raw) {
            return Err(DecodeError::Binary(pos));
        }
        let (bom, mut code) = match raw.strip_prefix(UTF8_BOM) {
            Some(rest) => (true, rest.to_vec()),
            None => (false, raw),
        };
        let cr_only = is_cr_only(&code);
        if cr_only {
            // `\r` is ASCII in UTF-8 and in every single-byte encoding: no character holds it.
            swap_line_ends(&mut code, b'\r', b'\n');
        }
        let (mut masked, mut encoding) = (None, None);
        if let Err(err) = std::str::from_utf8(&code) {
            let declared = declared_encoding(&code, bom).map_err(|name| match name {
                Some(name) => DecodeError::UnsupportedEncoding(name),
                None => invalid_utf8(&code, err.valid_up_to()),
            })?;
            match declared.decode(&code) {
                Some(text) => (code, encoding) = (text, Some(declared)),
                None => masked = Some(mask(&code)),
            }
        }
        let line_starts = line_starts(&code);
        let newline = detect_newline(&code);
        let indent_unit = detect_indent_unit(&code);
        Ok(SourceFile {
            bom,
            code,
            masked,
            encoding,
            cr_only,
            line_starts,
            newline,
            indent_unit,
        })
    }

    /// The file's text after the BOM (decoded to UTF-8 from a declared single-byte encoding);
    /// all offsets refer to these bytes.
    pub fn code(&self) -> &[u8] {
        &self.code
    }

    /// The bytes to hand to the parser (same length as [`Self::code`]).
    pub fn parse_text(&self) -> &[u8] {
        self.masked.as_deref().unwrap_or(&self.code)
    }

    /// Whether the file starts with a UTF-8 byte order mark.
    pub fn has_bom(&self) -> bool {
        self.bom
    }

    /// The newline style of [`Self::code`] (of its first line end; `\n` when it has none), which
    /// code inserted into it follows: `\n` for a CR-only file, whose `code` ends its lines in
    /// `\n` ([`Self::file_newline`] is `\r`).
    pub fn newline(&self) -> Newline {
        self.newline
    }

    /// The newline style of the file as written: [`Self::newline`], or [`Newline::Cr`] for a
    /// CR-only file.
    pub fn file_newline(&self) -> Newline {
        if self.cr_only {
            Newline::Cr
        } else {
            self.newline
        }
    }

    /// `text` of the code (an edit's new text) with the file's line ends: each `\n` a `\r` in
    /// a CR-only file, else as it is.
    pub fn with_file_line_ends(&self, text: &[u8]) -> Vec<u8> {
        let mut text = text.to_vec();
        if self.cr_only {
            swap_line_ends(&mut text, b'\n', b'\r');
        }
        text
    }

    /// The file's indent unit (of its first indented line; four spaces when it has none).
    pub fn indent_unit(&self) -> &[u8] {
        &self.indent_unit
    }

    /// Reassembles a whole file from new code bytes, keeping the BOM, the file's encoding (code
    /// that [`Self::can_write`] refuses is kept as UTF-8) and a CR-only file's line ends.
    pub fn to_file_bytes(&self, code: &[u8]) -> Vec<u8> {
        let encoded = self.encoding.and_then(|e| e.encode(code));
        let code = encoded.as_deref().unwrap_or(code);
        let mut out = Vec::with_capacity(code.len() + 3);
        if self.bom {
            out.extend_from_slice(UTF8_BOM);
        }
        let start = out.len();
        out.extend_from_slice(code);
        if self.cr_only {
            swap_line_ends(&mut out[start..], b'\n', b'\r');
        }
        out
    }

    /// Whether new code bytes can be written in the file's encoding (every character of a
    /// rewrite of a single-byte file has a byte there).
    pub fn can_write(&self, code: &[u8]) -> bool {
        self.encoding.is_none_or(|e| e.encode(code).is_some())
    }

    /// The text of a byte range, for messages (lossy for non-UTF-8 bytes).
    pub fn text(&self, range: Range<usize>) -> String {
        String::from_utf8_lossy(&self.code[range]).into_owned()
    }

    /// 0-based line index of a byte offset.
    pub fn line_index(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// 1-based line and 1-based character column of a byte offset.
    pub fn location(&self, offset: usize) -> Location {
        let line = self.line_index(offset);
        let start = self.line_starts[line];
        let prefix = &self.code[start..offset.min(self.code.len())];
        let column = match std::str::from_utf8(prefix) {
            Ok(text) => text.chars().count(),
            Err(_) => prefix.len(),
        };
        Location {
            row: line + 1,
            column: column + 1,
        }
    }

    /// Byte offset where 0-based line `line` starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line)
            .copied()
            .unwrap_or(self.code.len())
    }

    /// Number of lines (a final line without a newline counts).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte range of 0-based line `line`, without its line ending.
    pub fn line_range(&self, line: usize) -> Range<usize> {
        let start = self.line_start(line);
        let mut end = self.line_start(line + 1);
        while end > start && matches!(self.code[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        start..end
    }

    /// The offset just after the line ending of the line holding `offset` (or the end of file).
    pub fn line_end_after_newline(&self, offset: usize) -> usize {
        self.line_start(self.line_index(offset) + 1)
    }

    /// The whitespace that starts the line holding `offset`.
    pub fn line_indent(&self, offset: usize) -> &[u8] {
        let start = self.line_start(self.line_index(offset));
        let line = &self.code[start..];
        let len = line
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\x0c'))
            .count();
        &line[..len]
    }
}

/// A 1-based row and column, as editors and ruff report them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Location {
    /// 1-based line.
    pub row: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

fn line_starts(code: &[u8]) -> Vec<usize> {
    let mut starts = vec![0];
    let mut i = 0;
    while let Some(pos) = memchr::memchr2(b'\n', b'\r', &code[i..]) {
        let at = i + pos;
        let next = if code[at] == b'\r' && code.get(at + 1) == Some(&b'\n') {
            at + 2
        } else {
            at + 1
        };
        starts.push(next);
        i = next;
        if i >= code.len() {
            break;
        }
    }
    if starts.last() == Some(&code.len()) && !code.is_empty() {
        // A final newline does not start another line.
        starts.pop();
    }
    starts
}

/// Whether lines end in a lone `\r` only (classic Mac OS): the file has a `\r` and no `\n`.
/// A file with both is read by its `\n`s (LF, or CRLF when its first `\n` follows a `\r`);
/// its lone `\r`s stay as they are, in their lines.
fn is_cr_only(code: &[u8]) -> bool {
    memchr::memchr(b'\n', code).is_none() && memchr::memchr(b'\r', code).is_some()
}

/// Replaces every `from` byte (a line end) by `to`.
fn swap_line_ends(bytes: &mut [u8], from: u8, to: u8) {
    for byte in bytes.iter_mut().filter(|b| **b == from) {
        *byte = to;
    }
}

/// The style of the first `\n` (a CR-only file's `\r`s are `\n`s by now; a lone `\r` in a
/// file with `\n`s stays in its line).
fn detect_newline(code: &[u8]) -> Newline {
    match memchr::memchr(b'\n', code) {
        Some(pos) if pos > 0 && code[pos - 1] == b'\r' => Newline::CrLf,
        _ => Newline::Lf,
    }
}

/// The indent of the first line that follows a line ending in `:` and is indented deeper.
fn detect_indent_unit(code: &[u8]) -> Vec<u8> {
    let mut previous_opens_block = false;
    for line in code.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let indent_len = line
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
        let content = &line[indent_len..];
        if content.is_empty() || content.starts_with(b"#") {
            continue;
        }
        if previous_opens_block && indent_len > 0 {
            return line[..indent_len].to_vec();
        }
        let trimmed = content.trim_ascii_end();
        previous_opens_block = indent_len == 0 && trimmed.ends_with(b":");
    }
    b"    ".to_vec()
}

fn invalid_utf8(code: &[u8], first_invalid: usize) -> DecodeError {
    let line = code[..first_invalid]
        .iter()
        .filter(|&&b| b == b'\n')
        .count();
    let line_start = code[..first_invalid]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    DecodeError::InvalidUtf8 {
        line: line + 1,
        column: first_invalid - line_start + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newline_and_indent_are_detected() {
        let src = SourceFile::new(b"if x:\r\n\tpass\r\n".to_vec()).unwrap();
        assert_eq!(src.newline(), Newline::CrLf);
        assert_eq!(src.indent_unit(), b"\t");
        let src = SourceFile::new(b"x = 1\ndef f():\n  return 1\n".to_vec()).unwrap();
        assert_eq!(src.newline(), Newline::Lf);
        assert_eq!(src.indent_unit(), b"  ");
    }

    #[test]
    fn a_cr_only_file_is_read_with_lf_and_written_back_with_cr() {
        let raw = b"if x:\r\ty = 2  # c\r\rz = 3".to_vec();
        let src = SourceFile::new(raw.clone()).unwrap();
        assert_eq!(src.code(), b"if x:\n\ty = 2  # c\n\nz = 3");
        assert_eq!(src.parse_text(), src.code());
        assert_eq!(
            (src.newline(), src.file_newline()),
            (Newline::Lf, Newline::Cr)
        );
        assert_eq!(src.indent_unit(), b"\t");
        assert_eq!(src.line_count(), 4);
        assert_eq!(src.line_range(1), 6..17);
        assert_eq!(src.line_index(18), 2);
        assert_eq!(src.location(21), Location { row: 4, column: 3 });
        assert_eq!(src.to_file_bytes(src.code()), raw);
        assert_eq!(src.to_file_bytes(b"a\nb\n"), b"a\rb\r");
        assert_eq!(src.with_file_line_ends(b"a\nb"), b"a\rb");
    }

    #[test]
    fn a_cr_only_file_keeps_its_bom_encoding_and_errors_count_its_lines() {
        let raw = b"\xEF\xBB\xBFx = 1\r".to_vec();
        let src = SourceFile::new(raw.clone()).unwrap();
        assert_eq!(src.to_file_bytes(src.code()), raw);
        let latin1 = b"# coding: latin-1\rCAF\xc9 = 1\r".to_vec();
        let src = SourceFile::new(latin1.clone()).unwrap();
        assert_eq!(src.code(), "# coding: latin-1\nCAFÉ = 1\n".as_bytes());
        assert_eq!(src.to_file_bytes(src.code()), latin1);
        let err = SourceFile::new(b"x = 1\ry = '\xff'\r".to_vec()).unwrap_err();
        assert_eq!(err, DecodeError::InvalidUtf8 { line: 2, column: 6 });
    }

    #[test]
    fn mixed_line_ends_follow_the_lf_and_keep_lone_crs() {
        let src = SourceFile::new(b"x = 1\ns = 'a\rb'\n".to_vec()).unwrap();
        assert_eq!(
            (src.newline(), src.file_newline()),
            (Newline::Lf, Newline::Lf)
        );
        let raw = b"x = 1\ry = 2\r\nz = 3\r\n".to_vec();
        let src = SourceFile::new(raw.clone()).unwrap();
        assert_eq!(src.file_newline(), Newline::CrLf);
        assert_eq!(src.code(), raw.as_slice());
        assert_eq!(src.to_file_bytes(src.code()), raw);
    }

    #[test]
    fn bom_is_kept_outside_code() {
        let src = SourceFile::new(b"\xEF\xBB\xBFx = 1\n".to_vec()).unwrap();
        assert!(src.has_bom());
        assert_eq!(src.code(), b"x = 1\n");
        assert_eq!(src.to_file_bytes(b"y\n"), b"\xEF\xBB\xBFy\n");
    }

    #[test]
    fn locations_count_characters() {
        let src = SourceFile::new("a = 'é'; b\nc\n".as_bytes().to_vec()).unwrap();
        let offset = "a = 'é'; ".len();
        assert_eq!(src.location(offset), Location { row: 1, column: 10 });
        assert_eq!(
            src.location(src.code().len() - 2),
            Location { row: 2, column: 1 }
        );
        assert_eq!(src.line_count(), 2);
    }

    #[test]
    fn latin1_with_cookie_is_decoded_and_written_back_byte_for_byte() {
        let raw = b"# -*- coding: latin-1 -*-\nCAF\xc9 = CAF\xc8 = '\x80\xff'\n".to_vec();
        let src = SourceFile::new(raw.clone()).unwrap();
        assert_eq!(
            src.code(),
            "# -*- coding: latin-1 -*-\nCAFÉ = CAFÈ = '\u{80}ÿ'\n".as_bytes()
        );
        assert_eq!(src.parse_text(), src.code());
        assert_eq!(src.to_file_bytes(src.code()), raw);
        assert!(!src.can_write("x = '€'\n".as_bytes()));
        let cp1252 = b"# coding: cp1252\nx = '\x80\xe9'\n".to_vec();
        let src = SourceFile::new(cp1252.clone()).unwrap();
        assert_eq!(src.code(), "# coding: cp1252\nx = '€é'\n".as_bytes());
        assert_eq!(src.to_file_bytes(src.code()), cp1252);
    }

    #[test]
    fn an_encoding_loopfix_cannot_decode_is_masked_not_reencoded() {
        let raw = b"# -*- coding: cp437 -*-\nx = '\xe9'\n".to_vec();
        let src = SourceFile::new(raw.clone()).unwrap();
        assert_eq!(src.code(), raw.as_slice());
        assert_eq!(src.parse_text().len(), raw.len());
        assert!(src.parse_text().is_ascii());
        assert_eq!(src.to_file_bytes(src.code()), raw);
    }

    #[test]
    fn invalid_utf8_without_cookie_is_an_error() {
        let err = SourceFile::new(b"x = 1\ny = '\xff'\n".to_vec()).unwrap_err();
        assert_eq!(err, DecodeError::InvalidUtf8 { line: 2, column: 6 });
        assert!(matches!(
            SourceFile::new(b"a\0b".to_vec()),
            Err(DecodeError::Binary(1))
        ));
        assert!(matches!(
            SourceFile::new(b"# coding: shift_jis\nx = '\x82\xa0'\n".to_vec()),
            Err(DecodeError::UnsupportedEncoding(_))
        ));
    }
}
