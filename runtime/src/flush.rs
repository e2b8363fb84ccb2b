//! When a migration's own transaction waits for its WAL to reach disk.
//!
//! A run that gives each migration a transaction of its own commits N times. With
//! `synchronous_commit` on (PostgreSQL's default), every commit waits for the WAL to be
//! flushed: one disk flush a migration, where `psql -1` pays one in all. So every migration
//! of a run but the last commits with `SET LOCAL synchronous_commit = off`
//! ([`Commit::Defers`]), and the last with the session's own setting ([`Commit::Waits`]).
//!
//! The WAL is one sequence: a commit that waits for its flush waits for every record before
//! it, the deferred commits included. So when a run returns, everything it reported applied is
//! on disk, as with a flush a commit. A server crash in the middle of a run loses a suffix of
//! what that run committed (PostgreSQL flushes deferred commits within three times
//! `wal_writer_delay`), each migration together with its version row: the table still says
//! exactly what is applied, and the next run applies the rest again.
//!
//! A run that stops early (a migration fails) makes its deferred commits durable before it
//! returns the error ([`Deferred::flush`]); when it cannot (the connection is
//! gone), the error names the migrations whose commits may not have reached disk.

use retort_core::{Migration, Revision};

use crate::config::Config;
use crate::driver::Conn;
use crate::error::Error;

/// How a transactional migration's own transaction commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Commit {
    /// It waits for its flush as the session's `synchronous_commit` says (see
    /// [`Commit::of`]).
    Waits,
    /// It does not wait (`SET LOCAL synchronous_commit = off`): a later commit of the run, or
    /// [`Deferred::flush`], waits for it.
    Defers,
}

impl Commit {
    /// How the `index`th of a run's `len` migrations, `m`, commits: it defers unless it is
    /// the last, or its writes are not sent in a transaction retort opens itself: the row of
    /// a migration `skipped` in this environment, a non-transactional one's progress, a Rust
    /// migration's transaction. Those wait as the session says.
    pub(crate) fn of(m: &Migration, skipped: bool, index: usize, len: usize) -> Commit {
        if index + 1 >= len || skipped || !m.is_transactional() || m.is_rust() {
            Commit::Waits
        } else {
            Commit::Defers
        }
    }

    /// The statement that goes right after the transaction's `BEGIN`, if any.
    pub(crate) fn set_local_sql(self) -> Option<&'static str> {
        match self {
            Commit::Waits => None,
            Commit::Defers => Some("SET LOCAL synchronous_commit = off"),
        }
    }
}

/// The commits of a run since the last one that waited for its flush.
#[derive(Debug, Default)]
pub(crate) struct Deferred {
    revisions: Vec<Revision>,
}

impl Deferred {
    /// Notes that `revision` committed as `how` says (any write of the version table that
    /// waited, a skipped migration's row or a non-transactional one's progress, counts as
    /// [`Commit::Waits`]: it flushed everything before it).
    pub(crate) fn committed(&mut self, revision: &Revision, how: Commit) {
        match how {
            Commit::Waits => self.revisions.clear(),
            Commit::Defers => self.revisions.push(revision.clone()),
        }
    }

    /// After a run stopped on `error`: makes its deferred commits durable before the error is
    /// returned, or, when the connection is gone and that cannot be done, says in the error
    /// which migrations a server crash may have rolled back.
    pub(crate) async fn flush(
        self,
        client: &mut impl Conn,
        config: &Config,
        error: Error,
    ) -> Error {
        if self.revisions.is_empty() || wait_for_deferred(client, config).await {
            return error;
        }
        match error {
            Error::Statement(mut e) => {
                e.unflushed = self.revisions;
                Error::Statement(e)
            }
            other => other,
        }
    }
}

/// Makes the commits a run deferred durable; false when that could not be done.
///
/// A transaction that writes and commits with the session's `synchronous_commit` flushes the
/// WAL up to its commit, every deferred commit before it included. The write changes nothing:
/// it sets a column of one version-table row to its own value (a run that deferred a commit
/// and then failed always leaves a row: the deferred migration's going up, the failed one's
/// going down). On a lost connection nothing more can be done here; the server itself
/// flushes deferred commits within three times `wal_writer_delay`, unless it crashed.
async fn wait_for_deferred(client: &mut impl Conn, config: &Config) -> bool {
    let table = config.qualified_table();
    let sql = format!(
        "UPDATE {table} SET state = state WHERE revision = (SELECT revision FROM {table} LIMIT 1)"
    );
    client.batch_execute(&sql).await.is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A migration, in a transaction of its own or not.
    fn migration(transactional: bool) -> Migration {
        Migration::new(retort_core::MigrationParts {
            revision: Revision::parse("a").unwrap(),
            down_revisions: Vec::new(),
            message: String::new(),
            up_sql: "SELECT 1".to_owned(),
            down_sql: None,
            irreversible: None,
            transactional,
            path: "a.sql".to_owned(),
            up_line: 1,
            down_line: 0,
            environments: Vec::new(),
        })
    }

    #[test]
    fn only_the_last_of_a_run_waits_and_what_retort_does_not_begin() {
        let m = migration(true);
        let commits: Vec<Commit> = (0..3).map(|i| Commit::of(&m, false, i, 3)).collect();
        assert_eq!(commits, [Commit::Defers, Commit::Defers, Commit::Waits]);
        assert_eq!(Commit::of(&m, false, 0, 1), Commit::Waits);
        // Skipped, or outside a transaction: its writes commit on their own, and wait.
        assert_eq!(Commit::of(&m, true, 0, 3), Commit::Waits);
        assert_eq!(Commit::of(&migration(false), false, 0, 3), Commit::Waits);
        assert_eq!(Commit::Waits.set_local_sql(), None);
        assert!(
            Commit::Defers
                .set_local_sql()
                .is_some_and(|s| s.contains("synchronous_commit = off"))
        );
    }

    #[test]
    fn a_commit_that_waited_covers_the_deferred_ones_before_it() {
        let rev = |r: &str| Revision::parse(r).unwrap();
        let mut deferred = Deferred::default();
        deferred.committed(&rev("a"), Commit::Defers);
        deferred.committed(&rev("b"), Commit::Waits);
        deferred.committed(&rev("c"), Commit::Defers);
        deferred.committed(&rev("d"), Commit::Defers);
        assert_eq!(deferred.revisions, [rev("c"), rev("d")]);
    }
}
