//! Why a file could not be processed, as a typed value: it is printed on standard error
//! (`loopfix: error: path: reason`), reported in every output format as a diagnostic without a
//! rule code (as ruff reports syntax errors), counted in the summary, and makes the exit code 2.

use std::fmt;

use crate::fs::{ReadError, WriteError};
use crate::source::DecodeError;
use crate::syntax::parse::ParseError;

/// A problem with one file. The text of each is what loopfix prints after the file's path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    /// The file (or a path named on the command line) cannot be read or walked.
    Unreadable(String),
    /// The bytes are not source loopfix can keep exactly (binary, not UTF-8, an encoding it does
    /// not rewrite).
    Undecodable(DecodeError),
    /// The module does not parse, nests too deeply or is too large to parse.
    Unparsable(ParseError),
    /// The configuration that governs the file is invalid.
    Configuration(String),
    /// loopfix panicked on the file.
    Internal(String),
    /// A fix produced a module that does not parse, so it was not applied; the file keeps its
    /// other fixes.
    RefusedFix {
        /// The codes of the findings the fix was for.
        codes: Vec<&'static str>,
        /// The fix's title.
        title: String,
    },
    /// Fixes were still on offer after the last round: the fix loop found no fixed point.
    NotConverged {
        /// The rounds run.
        rounds: usize,
    },
    /// The fixed file could not be written.
    Unwritable(String),
    /// The fixed file was not written because another file of the run could not be: the files
    /// one run fixes are written together or not at all.
    NotWrittenTogether {
        /// The file that could not be written, as loopfix shows paths.
        failed: String,
    },
    /// The file's name cannot be written in a diff that patches that file and no other (a file
    /// inside `.git`), so its change is neither shown nor written.
    Undiffable(String),
}

impl FileError {
    /// The 1-based line and column the error points at: where parsing or decoding failed, else
    /// the start of the file.
    pub fn location(&self) -> (usize, usize) {
        match self {
            FileError::Unparsable(ParseError::Syntax { line, column, .. }) => (*line, *column),
            FileError::Unparsable(
                ParseError::TooDeep { line } | ParseError::Indentation { line },
            ) => (*line, 1),
            FileError::Undecodable(DecodeError::InvalidUtf8 { line, column }) => (*line, *column),
            _ => (1, 1),
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::Unreadable(reason)
            | FileError::Configuration(reason)
            | FileError::Unwritable(reason) => f.write_str(reason),
            FileError::Undecodable(error) => error.fmt(f),
            FileError::Unparsable(error) => error.fmt(f),
            FileError::Internal(what) => {
                write!(
                    f,
                    "internal error: {what} (please report this with the file)"
                )
            }
            FileError::RefusedFix { codes, title } => write!(
                f,
                "internal error: the fix for {} (\"{title}\") produced invalid Python; the file keeps its other fixes",
                codes.join(", ")
            ),
            FileError::NotConverged { rounds } => write!(
                f,
                "internal error: fixes were still on offer after {rounds} rounds of fixing; the file keeps the fixes applied so far (please report this with the file)"
            ),
            FileError::NotWrittenTogether { failed } => write!(
                f,
                "not written: {failed} could not be written, and the files of one run are written together"
            ),
            FileError::Undiffable(reason) => write!(f, "no diff: {reason}"),
        }
    }
}

impl From<WriteError> for FileError {
    fn from(error: WriteError) -> Self {
        FileError::Unwritable(error.to_string())
    }
}

impl From<ReadError> for FileError {
    fn from(error: ReadError) -> Self {
        FileError::Unreadable(error.to_string())
    }
}

impl From<DecodeError> for FileError {
    fn from(error: DecodeError) -> Self {
        FileError::Undecodable(error)
    }
}

impl From<ParseError> for FileError {
    fn from(error: ParseError) -> Self {
        FileError::Unparsable(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_print_the_reasons_loopfix_has_always_printed() {
        let cases = [
            (
                FileError::Unreadable("permission denied".into()),
                "permission denied",
            ),
            (
                FileError::Undecodable(DecodeError::Binary(3)),
                "binary file (NUL byte at offset 3)",
            ),
            (
                FileError::Unparsable(ParseError::Syntax {
                    line: 2,
                    column: 7,
                    detail: String::new(),
                }),
                "syntax error at line 2, column 7",
            ),
            (
                FileError::Internal("boom".into()),
                "internal error: boom (please report this with the file)",
            ),
            (
                FileError::RefusedFix {
                    codes: vec!["LF001", "LF002"],
                    title: "Load `X` lazily".into(),
                },
                "internal error: the fix for LF001, LF002 (\"Load `X` lazily\") produced invalid Python; the file keeps its other fixes",
            ),
            (
                FileError::Unwritable("cannot write: disk full".into()),
                "cannot write: disk full",
            ),
            (
                FileError::NotWrittenTogether {
                    failed: "pkg/a.py".into(),
                },
                "not written: pkg/a.py could not be written, and the files of one run are written together",
            ),
            (
                FileError::Undiffable("git cannot apply a diff to `.git/hooks/x.py`".into()),
                "no diff: git cannot apply a diff to `.git/hooks/x.py`",
            ),
        ];
        for (error, text) in cases {
            assert_eq!(error.to_string(), text);
        }
        assert!(
            FileError::NotConverged { rounds: 8 }
                .to_string()
                .contains("after 8 rounds")
        );
    }

    #[test]
    fn errors_point_where_the_file_went_wrong() {
        let syntax = FileError::Unparsable(ParseError::Syntax {
            line: 4,
            column: 9,
            detail: String::new(),
        });
        assert_eq!(syntax.location(), (4, 9));
        let utf8 = FileError::Undecodable(DecodeError::InvalidUtf8 { line: 2, column: 6 });
        assert_eq!(utf8.location(), (2, 6));
        assert_eq!(FileError::Internal("x".into()).location(), (1, 1));
    }
}
