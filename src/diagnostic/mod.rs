//! What loopfix reports, as data: edits, fixes with an applicability and an identity, findings,
//! and the typed reasons a finding has no fix or a file could not be processed. Passes produce
//! these; the fix loop applies them; the output formats print them.

pub mod blocked;
pub mod edit;
pub mod error;
pub mod finding;
pub mod fix;
pub mod unsafe_because;

pub use blocked::{Access, Blocked, FunctionRef, Until};
pub use edit::{Edit, RequiredImport, apply_edits};
pub use error::FileError;
pub use finding::Finding;
pub use fix::{Applicability, Fix, FixId};
pub use unsafe_because::UnsafeBecause;
