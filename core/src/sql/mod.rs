//! SQL: tokens, statements, checksums, and (with the `check` feature) the checks.
#[cfg(feature = "check")]
pub mod gaps;
pub mod lex;
#[cfg(feature = "check")]
pub mod syntax;
pub mod txn;
