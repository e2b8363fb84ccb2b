//! The connection a run talks through: [`Conn`], the few operations the rules need, as async
//! methods, so that the rules are written once (in [`crate::rules`]) for both drivers.
//!
//! - the synchronous driver, [`SyncConn`] over `postgres::Client`: each future completes on
//!   its first poll, and [`block_on`] polls it once. One that does not complete is a bug,
//!   reported as [`Error::Internal`], never a hang;
//! - the tokio driver (`crate::tokio`, with the `tokio` feature) over
//!   `tokio_postgres::Client`.
//!
//! Both clients share their types (`postgres` re-exports `tokio_postgres`'s error, row,
//! statement and parameter types), so the rules see one error type whichever runs them.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use postgres::types::{ToSql, Type};
use postgres::{Row, SimpleQueryMessage};
use retort_core::Migration;

use crate::error::Error;
use crate::migrator::Direction;

/// Query parameters with their types, as both clients' `query_typed` take them.
pub(crate) type TypedParams<'a> = [(&'a (dyn ToSql + Sync), Type)];

/// The operations on one database session that a run needs. Each is one round trip, as the
/// client method of the same name is.
pub(crate) trait Conn {
    /// Runs `sql` (one or more statements) as a simple query.
    async fn batch_execute(&mut self, sql: &str) -> Result<(), postgres::Error>;

    /// Runs `sql` as a simple query (no parameters, no prepared statement: one round trip)
    /// and returns its rows, their values as text.
    async fn simple_query(&mut self, sql: &str)
    -> Result<Vec<SimpleQueryMessage>, postgres::Error>;

    /// Runs a query with its parameters' types given, so that it needs no prepared statement:
    /// parse, bind and execute go in one message, one round trip.
    async fn query_typed(
        &mut self,
        sql: &str,
        params: &TypedParams<'_>,
    ) -> Result<Vec<Row>, postgres::Error>;

    /// Runs a transactional migration's section: `batch` is its SQL, preceded by `BEGIN` and
    /// `SET LOCAL lock_timeout` when the run asks for them and followed by the version-table
    /// write that records it, sent as one simple query (one round trip). The one place where
    /// a migration's body runs inside its transaction: a driver that runs more than SQL for a
    /// migration does it here.
    async fn run_body(
        &mut self,
        migration: &Migration,
        section: Direction,
        batch: &str,
    ) -> Result<(), postgres::Error> {
        let _ = (migration, section);
        self.batch_execute(batch).await
    }

    /// Whether this driver can run Rust data migrations (their functions take a
    /// `postgres::Transaction`: the synchronous driver only).
    fn runs_rust(&self) -> bool {
        false
    }

    /// Runs a Rust data migration's `up` or `down` in its transaction (see
    /// [`crate::rust::run`]); a driver that cannot refuses ([`Conn::runs_rust`], checked
    /// before a run starts).
    async fn run_rust(
        &mut self,
        config: &crate::config::Config,
        migration: &Migration,
        section: Direction,
    ) -> Result<(), Error> {
        let _ = (config, section);
        Err(crate::rust::refused(migration, false))
    }

    /// Waits `pause` between two tries of the lock.
    async fn pause(&mut self, pause: Duration) -> Result<(), postgres::Error>;

    /// Whether the session is gone.
    fn is_closed(&self) -> bool;

    /// Told when the run takes the lock (`Some`: the SQL that ends whatever it left open and
    /// releases the lock) and when it has released it (`None`). A driver whose run can be
    /// dropped half-way (an async one) sends that SQL when it is.
    fn holding(&mut self, cleanup: Option<String>) {
        let _ = cleanup;
    }
}

/// The synchronous driver: `postgres::Client`, whose calls complete before they return.
pub(crate) struct SyncConn<'c>(pub(crate) &'c mut postgres::Client);

impl Conn for SyncConn<'_> {
    async fn batch_execute(&mut self, sql: &str) -> Result<(), postgres::Error> {
        self.0.batch_execute(sql)
    }

    async fn simple_query(
        &mut self,
        sql: &str,
    ) -> Result<Vec<SimpleQueryMessage>, postgres::Error> {
        self.0.simple_query(sql)
    }

    async fn query_typed(
        &mut self,
        sql: &str,
        params: &TypedParams<'_>,
    ) -> Result<Vec<Row>, postgres::Error> {
        self.0.query_typed(sql, params)
    }

    async fn pause(&mut self, pause: Duration) -> Result<(), postgres::Error> {
        std::thread::sleep(pause);
        Ok(())
    }

    fn runs_rust(&self) -> bool {
        true
    }

    async fn run_rust(
        &mut self,
        config: &crate::config::Config,
        migration: &Migration,
        section: Direction,
    ) -> Result<(), Error> {
        crate::rust::run(self.0, config, migration, section)
    }

    fn is_closed(&self) -> bool {
        self.0.is_closed()
    }
}

/// Runs a future of the synchronous driver to its end: one poll, since every call it makes
/// completes before returning. A future still pending after it is a bug of this crate,
/// reported as [`Error::Internal`] (polling again could only hang).
pub(crate) fn block_on<T>(future: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(result) => result,
        Poll::Pending => Err(Error::Internal(
            "a call of the synchronous driver did not complete".to_owned(),
        )),
    }
}

/// Runs `future`, catching a panic in any of its polls (a progress callback's, say) so that
/// the caller can clean up before passing it on.
pub(crate) async fn catch_unwind<F: Future>(future: F) -> std::thread::Result<F::Output> {
    let mut future = std::pin::pin!(future);
    std::future::poll_fn(move |cx| {
        match std::panic::catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx))) {
            Ok(Poll::Ready(out)) => Poll::Ready(Ok(out)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(panic) => Poll::Ready(Err(panic)),
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pending_future_is_an_internal_error_not_a_hang() {
        let mut polled = false;
        let pending = std::future::poll_fn(|_| {
            if polled {
                Poll::Ready(Ok(()))
            } else {
                polled = true;
                Poll::Pending
            }
        });
        match block_on(pending) {
            Err(e @ Error::Internal(_)) => {
                assert_eq!(e.code(), retort_core::codes::Code::DbInternal);
                assert!(
                    e.render()
                        .starts_with("error[db-internal]: internal error: a call")
                );
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(block_on(async { Ok::<_, Error>(7) }).ok(), Some(7));
    }

    #[test]
    fn a_panic_inside_is_caught_and_handed_back() {
        let caught = block_on(async {
            Ok::<_, Error>(catch_unwind(async { panic!("inside") }).await.is_err())
        });
        assert_eq!(caught.ok(), Some(true));
    }
}
