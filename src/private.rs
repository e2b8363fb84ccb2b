//! What the code that [`migrations!`](crate::migrations) generates names, and nothing else
//! should: not part of the API, free to change with the macro.
//!
//! The field types of a call's `types = [chrono, uuid, serde_json]` are named through the
//! aliases here, whose crate's feature may be off: the alias is then [`Raw`](crate::schema::Raw), and the build
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
    pub use super::columns::read_columns;
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

/// A `Row` struct's read: every column of a row, by name, into a tuple, in one generic call
/// a table (a `match` a column, at thousands of tables, was about 12 % of a touch rebuild
/// and 40 MB, for rustc to lower and hash at every build).
mod columns {
    use crate::postgres::types::FromSqlOwned;
    use crate::postgres::{Error as PgError, Row as PgRow};

    /// A tuple of `N` column values, read from a row by name: implemented for up to 32, as
    /// many as the macro reads at once (`READ_AT_ONCE` in `macros/src/typed.rs`).
    pub trait ReadColumns<const N: usize>: Sized {
        /// Each of `names` in order; the first value that does not convert is the error.
        fn read(row: &PgRow, names: [&str; N]) -> Result<Self, PgError>;
    }

    /// `names`' values in `row`, as the tuple `T` (its types inferred where it is used).
    pub fn read_columns<T: ReadColumns<N>, const N: usize>(
        row: &PgRow,
        names: [&str; N],
    ) -> Result<T, PgError> {
        T::read(row, names)
    }

    macro_rules! read_columns {
        ($n:literal: $($t:ident $i:tt),+) => {
            impl<$($t: FromSqlOwned),+> ReadColumns<$n> for ($($t,)+) {
                fn read(row: &PgRow, names: [&str; $n]) -> Result<Self, PgError> {
                    Ok(($(row.try_get::<_, $t>(names[$i])?,)+))
                }
            }
        };
    }

    read_columns!(1: T0 0);
    read_columns!(2: T0 0, T1 1);
    read_columns!(3: T0 0, T1 1, T2 2);
    read_columns!(4: T0 0, T1 1, T2 2, T3 3);
    read_columns!(5: T0 0, T1 1, T2 2, T3 3, T4 4);
    read_columns!(6: T0 0, T1 1, T2 2, T3 3, T4 4, T5 5);
    read_columns!(7: T0 0, T1 1, T2 2, T3 3, T4 4, T5 5, T6 6);
    read_columns!(8: T0 0, T1 1, T2 2, T3 3, T4 4, T5 5, T6 6, T7 7);
    read_columns!(9: T0 0, T1 1, T2 2, T3 3, T4 4, T5 5, T6 6, T7 7, T8 8);
    read_columns!(10: T0 0, T1 1, T2 2, T3 3, T4 4, T5 5, T6 6, T7 7, T8 8, T9 9);
    read_columns!(11: T0 0, T1 1, T2 2, T3 3, T4 4, T5 5, T6 6, T7 7, T8 8, T9 9, T10 10);
    read_columns!(12: T0 0, T1 1, T2 2, T3 3, T4 4, T5 5, T6 6, T7 7, T8 8, T9 9, T10 10, T11 11);
    read_columns!(13: T0 0, T1 1, T2 2, T3 3, T4 4, T5 5, T6 6, T7 7, T8 8, T9 9, T10 10, T11 11, T12 12);
    read_columns!(14: T0 0, T1 1, T2 2, T3 3, T4 4, T5 5, T6 6, T7 7, T8 8, T9 9, T10 10, T11 11, T12 12, T13 13);
    read_columns!(15: T0 0, T1 1, T2 2, T3 3, T4 4, T5 5, T6 6, T7 7, T8 8, T9 9, T10 10, T11 11, T12 12, T13 13, T14 14);
    read_columns!(16: T0 0, T1 1, T2 2, T3 3, T4 4, T5 5, T6 6, T7 7, T8 8, T9 9, T10 10, T11 11, T12 12, T13 13, T14 14, T15 15);
    read_columns!(17: T0 0, T1 1, T2 2, T3 3, T4 4, T5 5, T6 6, T7 7, T8 8, T9 9, T10 10, T11 11, T12 12, T13 13, T14 14, T15 15, T16 16);
    read_columns!(18: T0 0, T1 1, T2 2, T3 3, T4 4, T5 5, T6 6, T7 7, T8 8, T9 9, T10 10, T11 11, T12 12, T13 13, T14 14, T15 15, T16 16, T17 17);
    read_columns!(19: T0 0, T1 1, T2 2, T3 3, T4 4, T5 5, T6 6, T7 7, T8 8, T9 9, T10 10, T11 11, T12 12, T13 13, T14 14, T15 15, T16 16, T17 17, T18 18);
    read_columns!(20: T0 0, T1 1, T2 2, T3 3, T4 4, T5 5, T6 6, T7 7, T8 8, T9 9, T10 10, T11 11, T12 12, T13 13, T14 14, T15 15, T16 16, T17 17, T18 18, T19 19);
    read_columns!(21: T0 0, T1 1, T2 2, T3 3, T4 4, T5 5, T6 6, T7 7, T8 8, T9 9, T10 10, T11 11, T12 12, T13 13, T14 14, T15 15, T16 16, T17 17, T18 18, T19 19, T20 20);
    read_columns!(22: T0 0, T1 1, T2 2, T3 3, T4 4, T5 5, T6 6, T7 7, T8 8, T9 9, T10 10, T11 11, T12 12, T13 13, T14 14, T15 15, T16 16, T17 17, T18 18, T19 19, T20 20, T21 21);
    read_columns!(23: T0 0, T1 1, T2 2, T3 3, T4 4, T5 5, T6 6, T7 7, T8 8, T9 9, T10 10, T11 11, T12 12, T13 13, T14 14, T15 15, T16 16, T17 17, T18 18, T19 19, T20 20, T21 21, T22 22);
    read_columns!(24: T0 0, T1 1, T2 2, T3 3, T4 4, T5 5, T6 6, T7 7, T8 8, T9 9, T10 10, T11 11, T12 12, T13 13, T14 14, T15 15, T16 16, T17 17, T18 18, T19 19, T20 20, T21 21, T22 22, T23 23);
    read_columns!(25: T0 0, T1 1, T2 2, T3 3, T4 4, T5 5, T6 6, T7 7, T8 8, T9 9, T10 10, T11 11, T12 12, T13 13, T14 14, T15 15, T16 16, T17 17, T18 18, T19 19, T20 20, T21 21, T22 22, T23 23, T24 24);
    read_columns!(26: T0 0, T1 1, T2 2, T3 3, T4 4, T5 5, T6 6, T7 7, T8 8, T9 9, T10 10, T11 11, T12 12, T13 13, T14 14, T15 15, T16 16, T17 17, T18 18, T19 19, T20 20, T21 21, T22 22, T23 23, T24 24, T25 25);
    read_columns!(27: T0 0, T1 1, T2 2, T3 3, T4 4, T5 5, T6 6, T7 7, T8 8, T9 9, T10 10, T11 11, T12 12, T13 13, T14 14, T15 15, T16 16, T17 17, T18 18, T19 19, T20 20, T21 21, T22 22, T23 23, T24 24, T25 25, T26 26);
    read_columns!(28: T0 0, T1 1, T2 2, T3 3, T4 4, T5 5, T6 6, T7 7, T8 8, T9 9, T10 10, T11 11, T12 12, T13 13, T14 14, T15 15, T16 16, T17 17, T18 18, T19 19, T20 20, T21 21, T22 22, T23 23, T24 24, T25 25, T26 26, T27 27);
    read_columns!(29: T0 0, T1 1, T2 2, T3 3, T4 4, T5 5, T6 6, T7 7, T8 8, T9 9, T10 10, T11 11, T12 12, T13 13, T14 14, T15 15, T16 16, T17 17, T18 18, T19 19, T20 20, T21 21, T22 22, T23 23, T24 24, T25 25, T26 26, T27 27, T28 28);
    read_columns!(30: T0 0, T1 1, T2 2, T3 3, T4 4, T5 5, T6 6, T7 7, T8 8, T9 9, T10 10, T11 11, T12 12, T13 13, T14 14, T15 15, T16 16, T17 17, T18 18, T19 19, T20 20, T21 21, T22 22, T23 23, T24 24, T25 25, T26 26, T27 27, T28 28, T29 29);
    read_columns!(31: T0 0, T1 1, T2 2, T3 3, T4 4, T5 5, T6 6, T7 7, T8 8, T9 9, T10 10, T11 11, T12 12, T13 13, T14 14, T15 15, T16 16, T17 17, T18 18, T19 19, T20 20, T21 21, T22 22, T23 23, T24 24, T25 25, T26 26, T27 27, T28 28, T29 29, T30 30);
    read_columns!(32: T0 0, T1 1, T2 2, T3 3, T4 4, T5 5, T6 6, T7 7, T8 8, T9 9, T10 10, T11 11, T12 12, T13 13, T14 14, T15 15, T16 16, T17 17, T18 18, T19 19, T20 20, T21 21, T22 22, T23 23, T24 24, T25 25, T26 26, T27 27, T28 28, T29 29, T30 30, T31 31);
}

#[cfg(any(
    not(feature = "chrono"),
    not(feature = "uuid"),
    not(feature = "serde_json")
))]
use crate::schema::Raw;

/// `types = [chrono]`: chrono's types with the `chrono` feature, else [`Raw`](crate::schema::Raw) (the build then
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

/// `types = [uuid]`: `uuid::Uuid` with the `uuid` feature, else [`Raw`](crate::schema::Raw) (the build then fails
/// on `__types_uuid!`).
pub mod uuid {
    /// `uuid`.
    #[cfg(feature = "uuid")]
    pub type Uuid = ::uuid::Uuid;
    /// `uuid`, without the feature.
    #[cfg(not(feature = "uuid"))]
    pub type Uuid = super::Raw;
}

/// `types = [serde_json]`: `serde_json::Value` with the `serde_json` feature, else [`Raw`](crate::schema::Raw)
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
