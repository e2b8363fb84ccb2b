//! retort: database version control for Rust, checked by the compiler.
pub use retort_core::{Checksum, Migration, MigrationSet, Revision};
