//! What the code that [`migrations!`](crate::migrations) generates names, and nothing else
//! should: not part of the API, free to change with the macro.
//!
//! The field types of a call's `types = [chrono, uuid, serde_json]` are named through the
//! aliases here, whose crate's feature may be off: the alias is then [`Raw`], and the build
//! fails on the one `compile_error!` of the family's check macro (`__types_chrono!` …, at the
//! crate's root, as `#[macro_export]` puts them) instead of on every column.

pub use retort_core::pack::FORMAT as PACK_FORMAT;
pub use retort_core::{RustCode, StaticMigration};
pub use retort_runtime::RustMigration;

/// Names a Rust migration's `up` or `down` where its signature is checked: a function of
/// another signature fails here with rustc's "type mismatch in function arguments", which
/// points at the function in the migration's file (the coercion to a `fn` pointer in the
/// migration's static data only points at the macro call).
pub fn check_rust_migration_fn<F>(_: F)
where
    F: for<'a, 'b> Fn(&'a mut crate::postgres::Transaction<'b>) -> Result<(), crate::BoxError>,
{
}

/// The names the typed schema's modules use, through `use ::retort::__private::typed as __t`.
pub mod typed {
    pub use super::{chrono, serde_json, uuid};
    pub use crate::postgres::{Error as PgError, Row as PgRow};
    pub use crate::schema::{Column, FromRow, Raw, Table};
    pub use core::convert::TryFrom;
    pub use core::option::Option;
    pub use core::result::Result::{self, Err, Ok};
    pub use std::collections::HashMap;
    pub use std::net::IpAddr;
    pub use std::string::String;
    pub use std::vec::Vec;
}

#[cfg(any(
    not(feature = "chrono"),
    not(feature = "uuid"),
    not(feature = "serde_json")
))]
use crate::schema::Raw;

/// `types = [chrono]`: chrono's types with the `chrono` feature, else [`Raw`] (the build then
/// fails on `__types_chrono!`).
pub mod chrono {
    #[cfg(not(feature = "chrono"))]
    use super::Raw;

    /// `timestamp with time zone`.
    #[cfg(feature = "chrono")]
    pub type Timestamptz = ::chrono::DateTime<::chrono::Utc>;
    /// `timestamp without time zone`.
    #[cfg(feature = "chrono")]
    pub type Timestamp = ::chrono::NaiveDateTime;
    /// `date`.
    #[cfg(feature = "chrono")]
    pub type Date = ::chrono::NaiveDate;
    /// `time without time zone`.
    #[cfg(feature = "chrono")]
    pub type Time = ::chrono::NaiveTime;

    /// `timestamp with time zone`, without the feature.
    #[cfg(not(feature = "chrono"))]
    pub type Timestamptz = Raw;
    /// `timestamp without time zone`, without the feature.
    #[cfg(not(feature = "chrono"))]
    pub type Timestamp = Raw;
    /// `date`, without the feature.
    #[cfg(not(feature = "chrono"))]
    pub type Date = Raw;
    /// `time without time zone`, without the feature.
    #[cfg(not(feature = "chrono"))]
    pub type Time = Raw;
}

/// `types = [uuid]`: `uuid::Uuid` with the `uuid` feature, else [`Raw`] (the build then fails
/// on `__types_uuid!`).
pub mod uuid {
    /// `uuid`.
    #[cfg(feature = "uuid")]
    pub type Uuid = ::uuid::Uuid;
    /// `uuid`, without the feature.
    #[cfg(not(feature = "uuid"))]
    pub type Uuid = super::Raw;
}

/// `types = [serde_json]`: `serde_json::Value` with the `serde_json` feature, else [`Raw`]
/// (the build then fails on `__types_serde_json!`).
pub mod serde_json {
    /// `json` and `jsonb`.
    #[cfg(feature = "serde_json")]
    pub type Json = ::serde_json::Value;
    /// `json` and `jsonb`, without the feature.
    #[cfg(not(feature = "serde_json"))]
    pub type Json = super::Raw;
}

/// Checks that the `chrono` feature is on, for a call with `types = [chrono]`.
#[cfg(feature = "chrono")]
#[doc(hidden)]
#[macro_export]
macro_rules! __types_chrono {
    () => {};
}

/// Checks that the `chrono` feature is on, for a call with `types = [chrono]`.
#[cfg(not(feature = "chrono"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __types_chrono {
    () => {
        ::core::compile_error! {
            "`types = [chrono]` needs the `chrono` feature of `retort`, which is off\n\
             help: turn it on in Cargo.toml: `retort = { version = \"0.1\", features = [\"chrono\"] }`"
        }
    };
}

/// Checks that the `uuid` feature is on, for a call with `types = [uuid]`.
#[cfg(feature = "uuid")]
#[doc(hidden)]
#[macro_export]
macro_rules! __types_uuid {
    () => {};
}

/// Checks that the `uuid` feature is on, for a call with `types = [uuid]`.
#[cfg(not(feature = "uuid"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __types_uuid {
    () => {
        ::core::compile_error! {
            "`types = [uuid]` needs the `uuid` feature of `retort`, which is off\n\
             help: turn it on in Cargo.toml: `retort = { version = \"0.1\", features = [\"uuid\"] }`"
        }
    };
}

/// Checks that the `serde_json` feature is on, for a call with `types = [serde_json]`.
#[cfg(feature = "serde_json")]
#[doc(hidden)]
#[macro_export]
macro_rules! __types_serde_json {
    () => {};
}

/// Checks that the `serde_json` feature is on, for a call with `types = [serde_json]`.
#[cfg(not(feature = "serde_json"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __types_serde_json {
    () => {
        ::core::compile_error! {
            "`types = [serde_json]` needs the `serde_json` feature of `retort`, which is off\n\
             help: turn it on in Cargo.toml: `retort = { version = \"0.1\", features = [\"serde_json\"] }`"
        }
    };
}
