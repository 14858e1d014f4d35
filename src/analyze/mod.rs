//! One source end to end: its findings with their fixes ([`findings`]: prefilter, parse,
//! semantic model, detection, passes, rule selection, suppression), and the one fix loop that
//! applies them ([`apply`]). This is what an editor calls: "analyse these bytes with these
//! options", then "the fixed bytes for the fixes I chose" ([`fix_chosen`]).

pub mod apply;
pub mod findings;
mod round;

pub use apply::{Answer, Applied, FixError, Fixed, Offer, Pace, fix_all, fix_chosen, fix_source};
pub use findings::{AnalysisOptions, analyze, analyze_tree, analyze_with_exports};
pub use round::preview;
