//! [`Migrator`] on `tokio-postgres`: the runner of [`crate::Migrator`], with the same rules
//! (they are one implementation, in `rules.rs`) and `async fn`s, for services that
//! are async already. With the `tokio` feature.
//!
//! It takes a `&mut tokio_postgres::Client`; a pooled connection (deadpool's, bb8's) derefs
//! to one, so `&mut conn` is accepted as it is. The client's connection must be driven (the
//! `Connection` spawned on the runtime), as for every use of `tokio-postgres`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use retort_runtime::Target;
//! use retort_runtime::tokio::Migrator;
//! # static MIGRATIONS: retort_core::MigrationSet = retort_core::MigrationSet::from_static(&[]);
//!
//! let (mut client, connection) =
//!     tokio_postgres::connect("host=localhost user=postgres", tokio_postgres::NoTls).await?;
//! tokio::spawn(connection);
//! let steps = Migrator::new(&MIGRATIONS)
//!     .upgrade(&mut client, &Target::Head)
//!     .await?;
//! println!("{} applied", steps.len());
//! # Ok(()) }
//! ```
//!
//! A run's future may be dropped half-way (a timeout, a task aborted, a service shutting
//! down): the client is then sent, without waiting, a `ROLLBACK` and the lock's release, so a
//! pooled connection goes back to its pool with no transaction open and no lock held. What
//! the run had applied stays applied and recorded; a non-transactional migration cut there
//! is recorded as interrupted, as when a process is killed.
//!
//! The wait for the lock sleeps on the server (`pg_sleep`), so the runner needs no timer
//! from the async runtime.

use std::future::Future;
use std::sync::Mutex;
use std::task::{Context, Waker};
use std::time::Duration;

use postgres::{Row, SimpleQueryMessage};
use retort_core::target::Target;
use retort_core::{Migration, MigrationSet, Revision};

use crate::config::Config;
use crate::driver::{Conn, TypedParams};
use crate::error::Error;
use crate::migrator::{Direction, Status, Step};
use crate::rules::Rules;

/// A progress callback: called as each migration starts (`None`) and ends (`Some(step)`).
/// `Send`, so that a run can move between a multi-threaded runtime's threads.
type Progress<'a> = Mutex<Box<dyn FnMut(&Migration, Direction, Option<&Step>) + Send + 'a>>;

/// Applies a [`MigrationSet`] to PostgreSQL through `tokio-postgres`, with the guarantees of
/// [`crate::Migrator`]: one advisory lock a run, released on every way out; a transaction a
/// migration, with its version row; non-transactional migrations statement by statement,
/// their progress recorded; interrupted runs refused; errors located in the file.
///
/// Offline scripts need no connection: [`crate::Migrator::upgrade_script`] writes them.
pub struct Migrator<'s> {
    rules: Rules<'s, Progress<'s>>,
}

impl<'s> Migrator<'s> {
    /// A migrator with the default [`Config`].
    pub fn new(set: &'s MigrationSet) -> Self {
        Migrator {
            rules: Rules::new(set),
        }
    }

    /// Uses `config` (version table, schema, lock timeout).
    pub fn with_config(mut self, config: Config) -> Self {
        self.rules.config = config;
        self
    }

    /// Applies every migration of an upgrade in one transaction instead of one each (see
    /// [`crate::Migrator::single_transaction`]).
    pub fn single_transaction(mut self, yes: bool) -> Self {
        self.rules.single_transaction = yes;
        self
    }

    /// Runs upgrades and downgrades in one transaction that is rolled back at the end (see
    /// [`crate::Migrator::dry_run`]).
    pub fn dry_run(mut self, yes: bool) -> Self {
        self.rules.dry_run = yes;
        self
    }

    /// Calls `f` as each migration starts (`None`) and ends (`Some(step)`).
    pub fn on_progress(
        mut self,
        f: impl FnMut(&Migration, Direction, Option<&Step>) + Send + 's,
    ) -> Self {
        self.rules.progress = Some(Mutex::new(Box::new(f)));
        self
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.rules.config
    }

    /// The migration set.
    pub fn set(&self) -> &'s MigrationSet {
        self.rules.set
    }

    /// Applies what `target` needs. Returns the migrations applied, in order. An upgrade to
    /// `head` of a database already there is one query, as with
    /// [`crate::Migrator::upgrade`].
    pub async fn upgrade(
        &mut self,
        client: &mut tokio_postgres::Client,
        target: &Target,
    ) -> Result<Vec<Step>, Error> {
        self.rules
            .upgrade(&mut TokioConn::new(client), target)
            .await
    }

    /// Reverts what `target` needs. Returns the migrations reverted, in order.
    pub async fn downgrade(
        &mut self,
        client: &mut tokio_postgres::Client,
        target: &Target,
    ) -> Result<Vec<Step>, Error> {
        self.rules
            .downgrade(&mut TokioConn::new(client), target)
            .await
    }

    /// Records `target` as the database's state without running any SQL (see
    /// [`crate::Migrator::stamp`]). Returns the revisions added and removed.
    pub async fn stamp(
        &mut self,
        client: &mut tokio_postgres::Client,
        target: &Target,
    ) -> Result<(Vec<Revision>, Vec<Revision>), Error> {
        self.rules.stamp(&mut TokioConn::new(client), target).await
    }

    /// What the database holds compared with the set. Reads only; takes no lock.
    pub async fn status(&self, client: &mut tokio_postgres::Client) -> Result<Status, Error> {
        self.rules.status(&mut TokioConn::new(client)).await
    }
}

/// The tokio driver: a `tokio_postgres::Client` and, while a run holds the lock, the SQL that
/// ends what the run left open, sent if the run is dropped before it releases the lock.
struct TokioConn<'c> {
    client: &'c mut tokio_postgres::Client,
    cleanup: Option<String>,
}

impl<'c> TokioConn<'c> {
    fn new(client: &'c mut tokio_postgres::Client) -> Self {
        TokioConn {
            client,
            cleanup: None,
        }
    }
}

impl Drop for TokioConn<'_> {
    fn drop(&mut self) {
        let Some(sql) = self.cleanup.take() else {
            return;
        };
        if self.client.is_closed() {
            return;
        }
        // The request is queued for the connection on the first poll; its answer is not
        // awaited (nothing here can wait), and the connection behind the client sends it
        // after whatever the dropped run had under way.
        let future = std::pin::pin!(self.client.batch_execute(&sql));
        let _ = future.poll(&mut Context::from_waker(Waker::noop()));
    }
}

impl Conn for TokioConn<'_> {
    async fn batch_execute(&mut self, sql: &str) -> Result<(), postgres::Error> {
        self.client.batch_execute(sql).await
    }

    async fn simple_query(
        &mut self,
        sql: &str,
    ) -> Result<Vec<SimpleQueryMessage>, postgres::Error> {
        self.client.simple_query(sql).await
    }

    async fn query_typed(
        &mut self,
        sql: &str,
        params: &TypedParams<'_>,
    ) -> Result<Vec<Row>, postgres::Error> {
        self.client.query_typed(sql, params).await
    }

    async fn pause(&mut self, pause: Duration) -> Result<(), postgres::Error> {
        self.client
            .batch_execute(&format!("SELECT pg_sleep({:.3})", pause.as_secs_f64()))
            .await
    }

    fn is_closed(&self) -> bool {
        self.client.is_closed()
    }

    fn holding(&mut self, cleanup: Option<String>) {
        self.cleanup = cleanup;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send<T: Send>(_: T) {}

    /// A run's future can be spawned on a multi-threaded runtime.
    #[allow(dead_code)]
    fn runs_are_send(m: &mut Migrator<'_>, c: &mut tokio_postgres::Client, t: &Target) {
        send(m.upgrade(c, t));
        send(m.downgrade(c, t));
        send(m.stamp(c, t));
        send(m.status(c));
    }
}
