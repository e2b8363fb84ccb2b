//! `retort-core`: the pure logic of retort.
pub mod codes;
pub mod diagnostic;
pub mod digest;
#[cfg(feature = "check")]
pub mod handoff;
pub mod revision;
pub mod source;
pub use revision::Revision;
pub mod checksum;
pub mod rust_source;
pub mod sql;
pub use checksum::Checksum;
pub mod pack;
pub mod set;
pub use set::{
    Body, Migration, MigrationParts, MigrationSet, Replaces, RustCode, SetError, StaticMigration,
};
#[cfg(feature = "check")]
pub mod check;
pub mod checkpoint;
#[cfg(feature = "check")]
pub(crate) mod codec;
#[cfg(feature = "check")]
pub mod file;
#[cfg(feature = "check")]
pub mod file_graph;
pub mod graph;
#[cfg(feature = "check")]
pub mod header;
#[cfg(feature = "check")]
pub mod lint;
#[cfg(feature = "check")]
pub mod load;
#[cfg(feature = "check")]
mod out_dir;
pub mod plan;
#[cfg(feature = "check")]
pub mod resume;
#[cfg(feature = "check")]
pub mod schema;
#[cfg(feature = "check")]
pub mod squash;
pub mod target;
#[cfg(feature = "check")]
pub mod verified;
