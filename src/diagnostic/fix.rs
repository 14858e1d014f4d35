//! Fixes as data: a title, sorted edits, an applicability that states what the fix promises,
//! and an identity ([`FixId`]) that survives re-analysis. Fields are private; the constructors
//! name the safety (`Fix::safe_edits`, `Fix::unsafe_edits`), as ruff's do.

use std::fmt;
use std::str::FromStr;

use super::edit::{Edit, RequiredImport};

/// How far a fix can be trusted, from least to most. `fix` applies `Safe`; `--unsafe-fixes` adds
/// `Unsafe`; `DisplayOnly` fixes are only ever shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// Shown to the user as a suggestion, never applied.
    DisplayOnly,
    /// Keeps the program correct, but changes when something happens (start-up work moves to the
    /// first request) or touches more than one file; applied with `--unsafe-fixes`.
    Unsafe,
    /// Keeps the program's behaviour, with the loop work moved into the running loop.
    Safe,
}

impl Applicability {
    /// The lowercase name used in JSON and SARIF output.
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::DisplayOnly => "display-only",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

/// The identity of a fix within one file, the same in every analysis of the file while the fix
/// is on offer: its edits' positions move as other fixes apply, but its first finding's rule and
/// message and its title do not. Two fixes that would share those are told apart by their order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FixId {
    key: u64,
    nth: u32,
}

impl FixId {
    /// The identity of the `nth` fix (from 0, in source order) whose first finding has `code`
    /// and `message` and whose title is `title`.
    pub fn new(code: &str, message: &str, title: &str, nth: u32) -> Self {
        FixId {
            key: FixId::key(code, message, title),
            nth,
        }
    }

    /// What two fixes that [`FixId::new`] tells apart only by order have in common.
    pub fn key(code: &str, message: &str, title: &str) -> u64 {
        // FNV-1a over the parts and a separator byte that none of them holds.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for part in [code, message, title] {
            for &byte in part.as_bytes().iter().chain(&[0xff]) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        hash
    }
}

/// The identity as text, `KEY.NTH` (the key in hexadecimal): what an editor is handed and hands
/// back to name a fix.
impl fmt::Display for FixId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}.{}", self.key, self.nth)
    }
}

/// A text that is not a [`FixId`] written by its `Display`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` does not name a fix")]
pub struct NotAFixId(String);

impl FromStr for FixId {
    type Err = NotAFixId;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || NotAFixId(text.to_owned());
        let (key, nth) = text.split_once('.').ok_or_else(invalid)?;
        Ok(FixId {
            key: u64::from_str_radix(key, 16).map_err(|_| invalid())?,
            nth: nth.parse().map_err(|_| invalid())?,
        })
    }
}

/// A remedy for one or more findings: a title, sorted edits, an applicability, the imports its
/// text needs, and its identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    title: String,
    edits: Vec<Edit>,
    applicability: Applicability,
    imports: Vec<RequiredImport>,
    id: FixId,
}

impl Fix {
    /// A fix that keeps the program's behaviour.
    pub fn safe_edits(title: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix::applicable_edits(title, edits, Applicability::Safe)
    }

    /// A fix applied only with `--unsafe-fixes`.
    pub fn unsafe_edits(title: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix::applicable_edits(title, edits, Applicability::Unsafe)
    }

    /// A fix whose applicability was worked out from its parts.
    pub fn applicable_edits(
        title: impl Into<String>,
        mut edits: Vec<Edit>,
        applicability: Applicability,
    ) -> Self {
        edits.sort_by_key(|e| (e.range.start, e.range.end));
        Fix {
            title: title.into(),
            edits,
            applicability,
            imports: Vec::new(),
            id: FixId::default(),
        }
    }

    /// The fix with the imports its text needs (sorted, each once).
    pub fn with_imports(mut self, mut imports: Vec<RequiredImport>) -> Self {
        imports.sort();
        imports.dedup();
        self.imports = imports;
        self
    }

    /// The fix with each of its edits passed through `adjust` (and sorted again).
    pub fn map_edits(mut self, adjust: impl FnMut(Edit) -> Edit) -> Self {
        self.edits = self.edits.into_iter().map(adjust).collect();
        self.edits.sort_by_key(|e| (e.range.start, e.range.end));
        self
    }

    /// The fix with its identity, given by the analysis once the fix's findings are known.
    pub fn identified(mut self, id: FixId) -> Self {
        self.id = id;
        self
    }

    /// What the fix does, e.g. "Load `PROMPT` lazily with `await load_prompt()`".
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The edits, sorted by start.
    pub fn edits(&self) -> &[Edit] {
        &self.edits
    }

    /// How far the fix can be trusted.
    pub fn applicability(&self) -> Applicability {
        self.applicability
    }

    /// Imports the edits' text needs.
    pub fn imports(&self) -> &[RequiredImport] {
        &self.imports
    }

    /// The fix's identity in its file.
    pub fn id(&self) -> FixId {
        self.id
    }

    /// Whether `fix` (or `fix --unsafe-fixes`, at [`Applicability::Unsafe`]) applies it.
    pub fn applies_at(&self, threshold: Applicability) -> bool {
        self.applicability >= threshold
    }

    /// Whether any edit of this fix overlaps any of `edits`.
    pub fn overlaps(&self, edits: &[Edit]) -> bool {
        self.edits
            .iter()
            .any(|mine| edits.iter().any(|theirs| mine.overlaps(theirs)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_state_the_safety_and_sort_the_edits() {
        let fix = Fix::unsafe_edits("t", vec![Edit::insert(5, "b"), Edit::insert(1, "a")]);
        assert_eq!(fix.applicability(), Applicability::Unsafe);
        assert!(fix.applies_at(Applicability::Unsafe));
        assert!(!fix.applies_at(Applicability::Safe));
        assert_eq!(fix.edits()[0].range, 1..1);
        assert_eq!(
            Fix::safe_edits("t", vec![]).applicability(),
            Applicability::Safe
        );
    }

    #[test]
    fn identities_depend_on_finding_title_and_order_only() {
        let a = FixId::new("LF001", "`asyncio.run(f())` runs", "Load `X` lazily", 0);
        assert_eq!(
            a,
            FixId::new("LF001", "`asyncio.run(f())` runs", "Load `X` lazily", 0)
        );
        assert_ne!(
            a,
            FixId::new("LF001", "`asyncio.run(f())` runs", "Load `X` lazily", 1)
        );
        assert_ne!(
            a,
            FixId::new("LF001", "`asyncio.run(f())` runs", "Load `Y` lazily", 0)
        );
        assert_ne!(
            a,
            FixId::new("LF002", "`asyncio.run(f())` runs", "Load `X` lazily", 0)
        );
        assert_ne!(FixId::key("a", "bc", ""), FixId::key("ab", "c", ""));
    }

    #[test]
    fn identities_read_back_from_their_text() {
        let id = FixId::new("LF005", "`X` is imported by name", "Import the module", 3);
        let text = id.to_string();
        assert_eq!(text.parse::<FixId>(), Ok(id));
        assert_eq!(FixId::default().to_string(), "0000000000000000.0");
        for bad in ["", "12", "xyz.1", "12.", "12.-1", "12.1.2"] {
            assert!(bad.parse::<FixId>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn imports_are_kept_sorted_and_once() {
        let fix = Fix::safe_edits("t", vec![]).with_imports(vec![
            RequiredImport::Module("typing".into()),
            RequiredImport::Module("asyncio".into()),
            RequiredImport::Module("typing".into()),
        ]);
        assert_eq!(
            fix.imports(),
            [
                RequiredImport::Module("asyncio".into()),
                RequiredImport::Module("typing".into())
            ]
        );
    }
}
