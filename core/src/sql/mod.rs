//! SQL: tokens, statements, checksums, and (with the `check` feature) the checks.
pub mod lex;
