//! Positions: byte offsets in a document's text <-> LSP line/character positions, in the
//! encoding the client and the server agreed on (UTF-16 unless the client offers another).
//!
//! LSP counts lines at `\n`, `\r\n` and a lone `\r`, and characters in code units of the
//! negotiated encoding; loopfix counts bytes. A position past the end of its line means the end
//! of the line (the protocol asks servers to clamp), and one inside a character (half of a
//! surrogate pair) falls back to the start of that character.

use lsp_types::{Position, PositionEncodingKind, Range};

/// The unit of a position's `character`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8 bytes.
    Utf8,
    /// UTF-16 code units: what every client supports and the protocol's default.
    #[default]
    Utf16,
    /// Unicode scalar values.
    Utf32,
}

impl Encoding {
    /// The encoding to use, from the client's preferences (`general.positionEncodings`): UTF-8
    /// when offered (no conversion per character), else UTF-32, else UTF-16.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Self {
        let offered = offered.unwrap_or_default();
        if offered.contains(&PositionEncodingKind::UTF8) {
            Encoding::Utf8
        } else if offered.contains(&PositionEncodingKind::UTF32) {
            Encoding::Utf32
        } else {
            Encoding::Utf16
        }
    }

    /// The protocol's name for it.
    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
            Encoding::Utf32 => PositionEncodingKind::UTF32,
        }
    }

    /// The length of `c` in this encoding's units.
    fn units(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
            Encoding::Utf32 => 1,
        }
    }
}

/// Where each line of a text starts, to turn offsets into positions and back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIndex {
    /// The byte offset of the start of each line; the first is 0.
    starts: Vec<usize>,
    /// Whether the text is ASCII only (then every encoding counts bytes).
    ascii: bool,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while let Some(found) = memchr::memchr2(b'\n', b'\r', &bytes[i..]) {
            let at = i + found;
            i = if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                at + 2
            } else {
                at + 1
            };
            starts.push(i);
        }
        LineIndex {
            starts,
            ascii: text.is_ascii(),
        }
    }

    /// The position of byte `offset` of `text` (the text this index was made from). An offset
    /// inside a character counts as the start of that character.
    pub fn position(&self, text: &str, offset: usize, encoding: Encoding) -> Position {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.starts.partition_point(|&start| start <= offset) - 1;
        let start = self.starts[line];
        let character = if self.ascii || encoding == Encoding::Utf8 {
            offset - start
        } else {
            text[start..offset].chars().map(|c| encoding.units(c)).sum()
        };
        Position::new(to_u32(line), to_u32(character))
    }

    /// The range of bytes `range` of `text`.
    pub fn range(&self, text: &str, range: std::ops::Range<usize>, encoding: Encoding) -> Range {
        Range::new(
            self.position(text, range.start, encoding),
            self.position(text, range.end, encoding),
        )
    }

    /// The byte offset of `position` in `text`: past the last line, the end of the text; past
    /// the end of its line, the end of the line (before its line ending).
    pub fn offset(&self, text: &str, position: Position, encoding: Encoding) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return text.len();
        };
        let end = self.line_end(text, position.line as usize);
        let wanted = position.character as usize;
        if self.ascii || encoding == Encoding::Utf8 {
            return floor_char_boundary(text, (start + wanted).min(end));
        }
        let mut units = 0;
        for (at, c) in text[start..end].char_indices() {
            let next = units + encoding.units(c);
            if next > wanted {
                return start + at;
            }
            units = next;
        }
        end
    }

    /// The byte offset where line `line` ends, before its line ending.
    fn line_end(&self, text: &str, line: usize) -> usize {
        let next = self.starts.get(line + 1).copied().unwrap_or(text.len());
        let bytes = text.as_bytes();
        let mut end = next;
        if end > self.starts[line] && bytes[end - 1] == b'\n' {
            end -= 1;
        }
        if end > self.starts[line] && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        end
    }
}

/// `offset`, moved back to the start of the character it falls in.
fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// A line or column as the protocol's `u32` (a text of 4 GiB is out of reach anyway).
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position::new(line, character)
    }

    #[test]
    fn utf16_counts_surrogate_pairs_as_two_units() {
        // "é" is 2 bytes and 1 UTF-16 unit; "𝄞" is 4 bytes and 2 units.
        let text = "x = 'é𝄞'\ny = 1\n";
        let index = LineIndex::new(text);
        let y = text.find('y').unwrap();
        assert_eq!(index.position(text, y, Encoding::Utf16), pos(1, 0));
        let quote = text.rfind('\'').unwrap();
        assert_eq!(index.position(text, quote, Encoding::Utf16), pos(0, 8));
        assert_eq!(index.position(text, quote, Encoding::Utf8), pos(0, 11));
        assert_eq!(index.position(text, quote, Encoding::Utf32), pos(0, 7));
        for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            for offset in [0, 5, 7, quote, y, text.len()] {
                let position = index.position(text, offset, encoding);
                assert_eq!(
                    index.offset(text, position, encoding),
                    offset,
                    "{encoding:?}"
                );
            }
        }
    }

    #[test]
    fn crlf_and_lone_cr_end_lines() {
        let text = "a = 1\r\nb = 2\rc = 3\n";
        let index = LineIndex::new(text);
        assert_eq!(
            index.position(text, text.find('b').unwrap(), Encoding::Utf16),
            pos(1, 0)
        );
        assert_eq!(
            index.position(text, text.find('c').unwrap(), Encoding::Utf16),
            pos(2, 0)
        );
        // The line ending is not part of the line: a column past it clamps before `\r\n`.
        assert_eq!(index.offset(text, pos(0, 99), Encoding::Utf16), 5);
        assert_eq!(index.offset(text, pos(1, 99), Encoding::Utf16), 12);
        assert_eq!(index.offset(text, pos(9, 0), Encoding::Utf16), text.len());
        // The end of the text after its final newline is the start of an empty last line.
        assert_eq!(index.position(text, text.len(), Encoding::Utf16), pos(3, 0));
    }

    #[test]
    fn positions_inside_a_character_fall_back_to_its_start() {
        let text = "s = '𝄞'";
        let index = LineIndex::new(text);
        let clef = text.find('𝄞').unwrap();
        // Character 6 is the low half of the surrogate pair that starts at character 5.
        assert_eq!(index.offset(text, pos(0, 6), Encoding::Utf16), clef);
        assert_eq!(index.position(text, clef + 2, Encoding::Utf16), pos(0, 5));
    }

    #[test]
    fn negotiation_prefers_utf8_and_defaults_to_utf16() {
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
        let offered = [PositionEncodingKind::UTF16, PositionEncodingKind::UTF8];
        assert_eq!(Encoding::negotiate(Some(&offered)), Encoding::Utf8);
        let offered = [PositionEncodingKind::UTF32];
        assert_eq!(Encoding::negotiate(Some(&offered)), Encoding::Utf32);
    }
}
