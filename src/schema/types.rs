//! The Rust types the typed schema gives the PostgreSQL types that have no type in the
//! standard library: each is [`Raw`](crate::Raw) unless a feature of this crate names a crate
//! for it.
//!
//! | alias | PostgreSQL | without the feature | with it |
//! |---|---|---|---|
//! | [`Timestamptz`] | `timestamp with time zone` | `Raw` | `chrono`: `chrono::DateTime<chrono::Utc>` |
//! | [`Timestamp`] | `timestamp without time zone` | `Raw` | `chrono`: `chrono::NaiveDateTime` |
//! | [`Date`] | `date` | `Raw` | `chrono`: `chrono::NaiveDate` |
//! | [`Time`] | `time without time zone` | `Raw` | `chrono`: `chrono::NaiveTime` |
//! | [`Uuid`] | `uuid` | `Raw` | `uuid`: `uuid::Uuid` |
//! | [`Json`] | `json`, `jsonb` | `Raw` | `serde_json`: `serde_json::Value` |
//!
//! The features turn on the `postgres` crate's matching `with-…` features, and the crates are
//! re-exported here (`retort::types::chrono`, …) so that your code names the same
//! versions. A feature changes the field types of every crate in the build that uses the
//! typed schema (cargo unifies features): turn it on in the crate that owns the migrations,
//! and prefer the aliases (`retort::types::Timestamptz`) to the types they stand for in code
//! that other crates may build without it.
//!
//! Values chrono cannot hold (`infinity`, years beyond its range) fail to convert with the
//! `postgres` crate's error; such columns read safely as [`Raw`](crate::Raw) without the
//! feature.

#[cfg(feature = "chrono")]
pub use chrono;
#[cfg(feature = "serde_json")]
pub use serde_json;
#[cfg(feature = "uuid")]
pub use uuid;

/// `pub type $name`: `$ty` with `$feature`, else `Raw`; the same doc comment for both.
macro_rules! alias {
    ($doc:literal, $name:ident, $feature:literal, $ty:ty) => {
        #[doc = $doc]
        #[cfg(feature = $feature)]
        pub type $name = $ty;
        #[doc = $doc]
        #[cfg(not(feature = $feature))]
        pub type $name = crate::Raw;
    };
}

alias!(
    "`timestamp with time zone`: `chrono::DateTime<Utc>` with the `chrono` feature, else \
     [`Raw`](crate::Raw).",
    Timestamptz,
    "chrono",
    chrono::DateTime<chrono::Utc>
);
alias!(
    "`timestamp without time zone`: `chrono::NaiveDateTime` with the `chrono` feature, else \
     [`Raw`](crate::Raw).",
    Timestamp,
    "chrono",
    chrono::NaiveDateTime
);
alias!(
    "`date`: `chrono::NaiveDate` with the `chrono` feature, else [`Raw`](crate::Raw).",
    Date,
    "chrono",
    chrono::NaiveDate
);
alias!(
    "`time without time zone`: `chrono::NaiveTime` with the `chrono` feature, else \
     [`Raw`](crate::Raw).",
    Time,
    "chrono",
    chrono::NaiveTime
);
alias!(
    "`uuid`: `uuid::Uuid` with the `uuid` feature, else [`Raw`](crate::Raw).",
    Uuid,
    "uuid",
    uuid::Uuid
);
alias!(
    "`json` and `jsonb`: `serde_json::Value` with the `serde_json` feature, else \
     [`Raw`](crate::Raw).",
    Json,
    "serde_json",
    serde_json::Value
);
