//! Python syntax: the tree-sitter parser and its refusals, the compiled queries of
//! `transforms/`, and small tree helpers. Nothing here knows what a loop is.

mod comment_runs;
pub mod indent;
pub mod parse;
pub mod queries;
pub mod tree;
