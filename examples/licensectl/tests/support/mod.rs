//! Helpers for licensectl's tests: the repository's shared test helpers
//! (outside tools, the virtualenv, the golden vectors), plus the binary
//! under test.
#![allow(dead_code)]

use std::process::Command;

#[path = "../../../../tests/support/mod.rs"]
mod shared;
#[allow(unused_imports)] // each test uses its own few
pub use shared::*;

/// The `licensectl` binary cargo built for this test run; cargo names it,
/// so the tests pass whatever the target directory.
pub fn licensectl() -> Command {
    Command::new(env!("CARGO_BIN_EXE_licensectl"))
}
