//! Helpers shared by the integration tests (`mod common;`).
//!
//! Each integration test is its own crate and uses only part of this module.
#![allow(dead_code)]

pub mod cargo;
pub mod process;
pub mod venv;
pub mod wheel;
