//! `retort-runtime`: applies a retort [`MigrationSet`](retort_core::MigrationSet) to
//! PostgreSQL, safely.
//!
//! - one run at a time: a session advisory lock held for the whole run, released on every
//!   way out, with a timeout whose message names the session that holds it;
//! - nothing half-applied: each transactional migration runs in a transaction of its own
//!   together with its version-table row; a non-transactional one runs statement by
//!   statement, recorded as started before and done after, so an interruption is reported
//!   and blocks the next run until a person decides (`stamp`);
//! - one disk flush a run, not one a migration: every transaction of a run but the last
//!   commits with `synchronous_commit = off`, and the last one's flush (the session's own
//!   setting) covers them; a run that stops on a failure flushes before it returns. A server
//!   crash in the middle of a run loses at most the latest migrations it committed, each with
//!   its version row, so the table still says what is applied;
//! - nothing applied twice, nothing silently different: the version table is read again
//!   under the lock, and a run stops before changing anything when an applied migration was
//!   edited (by meaning: see [`Checksum`](retort_core::Checksum)) or is unknown to the set;
//! - honest about what it cannot know: a connection lost while a migration's transaction
//!   commits is [`Error::Commit`] (the migration, "may or may not have been applied", and
//!   how to find out), a progress write of a non-transactional migration that failed is
//!   [`Error::Record`] (which statement ran, what the table counts);
//! - offline: any upgrade or downgrade can be written as a `psql` script instead, literals
//!   escaped and messages kept inside their comment lines;
//! - a cheap start-up check: an upgrade to `head` of a database already there, verified by
//!   an earlier run and unchanged since, is one query, without the lock or the version
//!   rows (the head cache: `<table>_head` beside the version table, cleared by a trigger on
//!   any change to it).
//!
//! The version table `retort_migrations` (name and schema configurable, always quoted)
//! holds one row per applied revision: parents, checksum, down SQL, state, when it was
//! applied and how long it took. Reads send their values as parameters; writes to the table
//! send them as literals quoted by one function (`E'…'`, every `'` and `\` doubled), so that
//! a transactional migration's SQL and its row travel in one message, one round trip, with
//! its `COMMIT` the next.

mod config;
mod driver;
mod error;
mod flush;
mod head;
mod lease;
mod lock;
mod migrator;
mod rules;
pub mod rust;
mod script;
mod table;
pub mod testing;
#[cfg(feature = "tokio")]
pub mod tokio;
mod txn_control;

pub use config::{Config, Ident, IdentError, LockStrategy};
pub use error::{Error, Outcome, StatementError};
pub use lease::LeaseHolder;
pub use lock::Holder;
pub use migrator::{Direction, Migrator, Status, Step};
pub use retort_core::target::Target;
pub use rust::{BoxError, MigrationFn, RustMigration};
pub use table::{AppliedRow, RowState};
