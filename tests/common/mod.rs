//! Helpers shared by the integration tests (`mod common;`).
//!
//! Each integration test is its own crate and uses only part of this module.
#![allow(dead_code)]

pub mod bin;
pub mod cargo;
pub mod generate;
pub mod process;
pub mod venv;
pub mod wheel;
