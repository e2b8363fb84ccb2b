//! The async runner (feature `tokio`): [`Migrator`] on `tokio-postgres`, for services that
//! are async already, with no second kind of connection and no `spawn_blocking`.
//!
//! It is [`retort::Migrator`](crate::Migrator) with `async fn`s: the same rules, written once
//! for both drivers, so the same guarantees. One advisory lock a run, released on every way
//! out; a transaction a migration, together with its version-table row; non-transactional
//! migrations statement by statement, their progress recorded; an interrupted run refused
//! until settled; errors located in the file; the statement lock timeout, single-transaction
//! and dry-run modes, `stamp` and `status`. Its [`Config`](crate::runtime::Config),
//! [`Target`](crate::Target), [`Step`](crate::runtime::Step) and
//! [`Error`](crate::runtime::Error) are the runtime's.
//!
//! It takes a `&mut tokio_postgres::Client`, or anything that derefs to one, such as a
//! deadpool or bb8 pooled connection (`&mut conn`). A run's future is `Send`; dropped
//! half-way (a timeout, an aborted task), it leaves the connection with no transaction open
//! and no lock held, ready to go back to its pool.
//!
//! ```no_run
//! # mod db { retort::migrations!("examples/hello/migrations", untracked); }
//! use retort::Target;
//! use retort::tokio::Migrator;
//!
//! async fn start(client: &mut retort::tokio::tokio_postgres::Client) -> Result<(), retort::runtime::Error> {
//!     let steps = Migrator::new(&db::MIGRATIONS)
//!         .upgrade(client, &Target::Head)
//!         .await?;
//!     for step in &steps {
//!         println!("applied {} in {:?}", step.revision, step.duration);
//!     }
//!     Ok(())
//! }
//! ```
//!
//! `examples/tokio-service` in the repository is a whole service that does this at start-up.
//! Offline scripts need no connection: the synchronous
//! [`Migrator::upgrade_script`](crate::Migrator::upgrade_script) writes them.

#[doc(inline)]
pub use retort_runtime::tokio::Migrator;

/// The `tokio-postgres` crate the runner uses, so that the `Client` you pass is the same
/// version.
pub use tokio_postgres;
