//! `retort-core`: the pure logic of retort.
pub mod codes;
pub mod diagnostic;
pub mod revision;
pub mod source;
pub use revision::Revision;
pub mod checksum;
pub mod sql;
pub use checksum::Checksum;
pub mod set;
pub use set::{Migration, MigrationParts, MigrationSet, SetError, StaticMigration};
#[cfg(feature = "check")]
pub mod check;
#[cfg(feature = "check")]
pub mod file;
#[cfg(feature = "check")]
pub mod file_graph;
pub mod graph;
#[cfg(feature = "check")]
pub mod header;
#[cfg(feature = "check")]
pub mod load;
pub mod plan;
#[cfg(feature = "check")]
pub mod schema;
pub mod target;
#[cfg(feature = "check")]
pub mod verified;
