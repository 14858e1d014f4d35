//! A file's PEP 263 coding cookie, and the single-byte encodings it may declare: decoded to
//! UTF-8 for reading (so that `CAFÉ` and `CAFÈ` stay two names) and encoded back on writing,
//! byte for byte; an encoding loopfix cannot decode exactly is read with its non-ASCII bytes
//! masked instead.

use encoding_rs::Encoding;

/// How a file that is not UTF-8 is read and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SingleByte {
    /// ISO-8859-1, Python's `latin-1`: each byte is the code point of the same value.
    Latin1,
    /// Another single-byte encoding that `encoding_rs` decodes and encodes back exactly.
    Other(&'static Encoding),
    /// An encoding loopfix cannot decode: non-ASCII bytes are masked for the parser.
    Masked,
}

impl SingleByte {
    /// The UTF-8 text of `bytes` (`None` for [`SingleByte::Masked`] or a decoding that would
    /// not give the same bytes back).
    pub(super) fn decode(self, bytes: &[u8]) -> Option<Vec<u8>> {
        let text = match self {
            SingleByte::Latin1 => bytes.iter().map(|&b| char::from(b)).collect::<String>(),
            SingleByte::Other(encoding) => {
                let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
                if had_errors {
                    return None;
                }
                text.into_owned()
            }
            SingleByte::Masked => return None,
        };
        (self.encode(text.as_bytes()).as_deref() == Some(bytes)).then(|| text.into_bytes())
    }

    /// The bytes of UTF-8 `code` in this encoding; `None` when a character has none.
    pub(super) fn encode(self, code: &[u8]) -> Option<Vec<u8>> {
        let text = std::str::from_utf8(code).ok()?;
        match self {
            SingleByte::Latin1 => text.chars().map(|c| u8::try_from(c).ok()).collect(),
            SingleByte::Other(encoding) => {
                let (bytes, _, unmappable) = encoding.encode(text);
                (!unmappable).then(|| bytes.into_owned())
            }
            SingleByte::Masked => Some(code.to_vec()),
        }
    }
}

/// A PEP 263 coding cookie in the first two lines, lower-cased.
pub fn coding_cookie(code: &[u8]) -> Option<String> {
    for line in code.split(|&b| b == b'\n').take(2) {
        let trimmed = line.trim_ascii_start();
        if !trimmed.starts_with(b"#") {
            continue;
        }
        let text = String::from_utf8_lossy(trimmed);
        let Some(pos) = text.find("coding") else {
            continue;
        };
        let rest = &text[pos + "coding".len()..];
        let Some(rest) = rest.strip_prefix(':').or_else(|| rest.strip_prefix('=')) else {
            continue;
        };
        let name: String = rest
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .collect();
        if !name.is_empty() {
            return Some(name.to_ascii_lowercase());
        }
    }
    None
}

/// The single-byte encoding a cookie names, if it names one.
fn single_byte_encoding(name: &str) -> Option<SingleByte> {
    let name = name.replace('_', "-");
    if name == "ascii" {
        // Non-ASCII bytes in a file that says it is ASCII: read as before, masked.
        return Some(SingleByte::Masked);
    }
    if matches!(
        name.as_str(),
        "latin-1" | "latin1" | "latin" | "l1" | "iso-8859-1" | "iso8859-1" | "8859" | "cp819"
    ) {
        return Some(SingleByte::Latin1);
    }
    let label = if let Some(n) = name.strip_prefix("cp125") {
        format!("windows-125{n}")
    } else if let Some(n) = name.strip_prefix("iso8859-") {
        format!("iso-8859-{n}")
    } else if name == "mac-roman" {
        "macintosh".to_owned()
    } else {
        name.clone()
    };
    let known = name.starts_with("iso-8859-")
        || name.starts_with("iso8859-")
        || name.starts_with("cp125")
        || name.starts_with("windows-125")
        || name.starts_with("latin")
        || matches!(
            name.as_str(),
            "ascii" | "cp437" | "koi8-r" | "koi8-u" | "mac-roman"
        );
    if !known {
        return None;
    }
    Some(match Encoding::for_label(label.as_bytes()) {
        Some(encoding) if encoding.is_single_byte() => SingleByte::Other(encoding),
        _ => SingleByte::Masked,
    })
}

/// How to read a file that is not UTF-8: the single-byte encoding its cookie declares; else
/// the encoding it declares that loopfix cannot read (`Err(Some(name))`), or none
/// (`Err(None)`: the file is invalid UTF-8).
pub(super) fn declared_encoding(code: &[u8], bom: bool) -> Result<SingleByte, Option<String>> {
    let cookie = if bom { None } else { coding_cookie(code) };
    match cookie {
        Some(name) => match single_byte_encoding(&name) {
            Some(encoding) => Ok(encoding),
            None if !name.starts_with("utf") => Err(Some(name)),
            None => Err(None),
        },
        None => Err(None),
    }
}

/// `code` with every non-ASCII byte masked to `x`: the same length, so offsets agree.
pub(super) fn mask(code: &[u8]) -> Vec<u8> {
    code.iter()
        .map(|&b| if b.is_ascii() { b } else { b'x' })
        .collect()
}
