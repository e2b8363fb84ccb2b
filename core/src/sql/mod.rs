//! SQL: tokens, statements, checksums, and (with the `check` feature) the checks.
pub mod lex;
pub mod txn;
#[cfg(feature = "check")]
pub mod syntax;
