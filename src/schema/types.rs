//! The crates whose types the typed schema can give the PostgreSQL types that have none in
//! the standard library, re-exported so that your code names the very versions the `postgres`
//! crate reads.
//!
//! The call chooses them: `retort::migrations!(types = [chrono, uuid, serde_json])`. Without
//! `types`, or for a crate it does not list, those columns are [`Raw`](super::Raw) whatever
//! features are on, so that one crate of a build turning a feature on never changes the field
//! types of another.
//!
//! | in `types` | PostgreSQL | Rust |
//! |---|---|---|
//! | `chrono` | `timestamp with time zone` | `chrono::DateTime<chrono::Utc>` |
//! | | `timestamp without time zone` | `chrono::NaiveDateTime` |
//! | | `date` | `chrono::NaiveDate` |
//! | | `time without time zone` | `chrono::NaiveTime` |
//! | `uuid` | `uuid` | `uuid::Uuid` |
//! | `serde_json` | `json`, `jsonb` | `serde_json::Value` |
//!
//! Each crate needs the feature of retort of the same name, which re-exports it here
//! (`retort::schema::types::chrono`, …) and turns on the `postgres` crate's matching `with-…`
//! feature. A call whose `types` names a crate whose feature is off fails to compile with a
//! message that names the feature:
//!
//! ```toml
//! [dependencies]
//! retort = { version = "0.1", features = ["chrono", "uuid", "serde_json"] }
//! ```
//!
//! Values chrono cannot hold (`infinity`, years beyond its range) fail to convert with the
//! `postgres` crate's error; a call without `chrono` in `types` reads such columns safely as
//! [`Raw`](super::Raw).

/// The `chrono` crate (retort's `chrono` feature).
#[cfg(feature = "chrono")]
pub use chrono;
/// The `serde_json` crate (retort's `serde_json` feature).
#[cfg(feature = "serde_json")]
pub use serde_json;
/// The `uuid` crate (retort's `uuid` feature).
#[cfg(feature = "uuid")]
pub use uuid;
