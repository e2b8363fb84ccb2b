//! Applying migrations to PostgreSQL: the [`Migrator`], its [`Config`] (where the version
//! table lives, how long to wait for the lock), what a run returns and how it fails.
//!
//! One advisory lock a run, a transaction a migration together with its version-table row,
//! nothing applied twice, and a stop before anything changes when an applied migration was
//! edited, is unknown or was interrupted.
//!
//! ```no_run
//! # mod db { retort::migrations!("examples/hello/migrations", untracked); }
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//!
//! use retort::runtime::{Config, Migrator, Target};
//!
//! let url = std::env::var("DATABASE_URL")?;
//! let mut client = retort::postgres::Client::connect(&url, retort::postgres::NoTls)?;
//! // The version table `ops.schema_versions` instead of `retort_migrations`.
//! let config = Config::new()
//!     .schema("ops")?
//!     .table("schema_versions")?
//!     .lock_timeout(Duration::from_secs(10));
//! let mut migrator = Migrator::new(&db::MIGRATIONS).with_config(config);
//! let status = migrator.status(&mut client)?;
//! println!("{} pending", status.pending.len());
//! migrator.upgrade(&mut client, &Target::Head)?;
//! # Ok(()) }
//! ```
//!
//! [`Migrator`] and [`Target`] are also at the crate's root, as `retort::Migrator` and
//! `retort::Target`.

#[doc(inline)]
pub use retort_runtime::{
    AppliedRow, Config, Direction, Error, Holder, Ident, IdentError, Migrator, Outcome, RowState,
    StatementError, Status, Step, Target,
};
