//! What only the tokio driver has: a run's future dropped half-way (a timeout, an aborted
//! task) leaves the connection with no transaction open and no lock held, and a pooled
//! connection (anything that derefs to a `tokio_postgres::Client`) is taken as it is. The
//! rest of the runtime's tests run on both drivers (see `common::driver`).

#[macro_use]
mod common;

use std::ops::{Deref, DerefMut};
use std::time::Duration;

use common::driver::{Client, Driver, connect, db};
use common::{chain, file, file_with, set, versions};
use retort_core::check::Options;
use retort_runtime::tokio::Migrator;
use retort_runtime::{Error, Target};

/// `1` creates `t`; `2` sleeps on the server before creating `slow`: in a transaction, or
/// outside one (`transactional` false), statement by statement.
fn slow_set(transactional: bool) -> retort_core::MigrationSet {
    let up = "SELECT pg_sleep(1.5);\nCREATE TABLE slow ();";
    let second = if transactional {
        file("2", "1", up, "DROP TABLE slow;")
    } else {
        file_with(
            "2",
            "1",
            "-- transaction: false",
            up,
            Some("DROP TABLE slow;"),
        )
    };
    set(
        &[
            file("1", "none", "CREATE TABLE t ();", "DROP TABLE t;"),
            second,
        ],
        Options::default(),
    )
}

/// Whether `c`'s session is inside a transaction, asked from another session.
fn in_transaction(other: &mut postgres::Client, pid: i32) -> bool {
    other
        .query_one(
            "SELECT coalesce(state LIKE 'idle in transaction%', false) FROM pg_stat_activity \
             WHERE pid = $1",
            &[&pid],
        )
        .expect("pg_stat_activity")
        .get(0)
}

fn advisory_locks(other: &mut postgres::Client) -> i64 {
    other
        .query_one(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' \
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            &[],
        )
        .expect("pg_locks")
        .get(0)
}

/// Runs an upgrade to head on `c` and drops it after `after`; returns whether it was cut.
fn cut_upgrade(c: &mut Client, set: &retort_core::MigrationSet, after: Duration) -> bool {
    let (rt, client) = c.tokio().expect("a tokio client");
    rt.block_on(async {
        let mut m = Migrator::new(set);
        tokio::time::timeout(after, m.upgrade(client, &Target::Head))
            .await
            .is_err()
    })
}

#[test]
fn a_run_dropped_half_way_leaves_no_transaction_and_no_lock() {
    let set = slow_set(true);
    let (db, mut c) = db(Driver::Tokio);
    let mut other = db.connect();
    let pid: i32 = c
        .query_one("SELECT pg_backend_pid()", &[])
        .expect("pid")
        .get(0);
    assert!(
        cut_upgrade(&mut c, &set, Duration::from_millis(500)),
        "the run was still under way when dropped"
    );
    // The session still runs the sleep, then the rollback and the release the driver queued
    // as the run was dropped; this query comes after them.
    c.batch_execute("SELECT 1").expect("the session is usable");
    assert!(!in_transaction(&mut other, pid));
    assert_eq!(advisory_locks(&mut other), 0, "no lock left behind");
    assert_eq!(
        versions(&mut c),
        ["1"],
        "2 was rolled back with its transaction"
    );
    let slow: bool = c
        .query_one("SELECT to_regclass('slow') IS NULL", &[])
        .expect("regclass")
        .get(0);
    assert!(slow, "nothing of 2");
    // The same connection (a pooled one, back in its pool) runs the next upgrade.
    let (rt, client) = c.tokio().expect("a tokio client");
    let steps = rt
        .block_on(Migrator::new(&set).upgrade(client, &Target::Head))
        .expect("the next run applies 2");
    assert_eq!(steps.len(), 1);
    assert_eq!(versions(&mut c), ["1", "2"]);
}

#[test]
fn a_non_transactional_run_dropped_half_way_is_recorded_as_interrupted() {
    let set = slow_set(false);
    let (db, mut c) = db(Driver::Tokio);
    let mut other = db.connect();
    assert!(cut_upgrade(&mut c, &set, Duration::from_millis(500)));
    c.batch_execute("SELECT 1").expect("the session is usable");
    assert_eq!(advisory_locks(&mut other), 0, "no lock left behind");
    // As after a killed process: the statement under way ran, its progress was not recorded.
    let row: (String, i32) = other
        .query_one(
            "SELECT state, statements_done FROM retort_migrations WHERE revision = '2'",
            &[],
        )
        .map(|r| (r.get(0), r.get(1)))
        .expect("2's row");
    assert_eq!(row, ("started".to_owned(), 0));
    let (rt, client) = c.tokio().expect("a tokio client");
    match rt.block_on(Migrator::new(&set).upgrade(client, &Target::Head)) {
        Err(Error::Interrupted { revision, done, .. }) => {
            assert_eq!((revision.as_str(), done), ("2", 0))
        }
        other => panic!("unexpected {other:?}"),
    }
}

/// A pool's connection: derefs to the client, as deadpool's and bb8's do.
struct Pooled(tokio_postgres::Client);

impl Deref for Pooled {
    type Target = tokio_postgres::Client;
    fn deref(&self) -> &tokio_postgres::Client {
        &self.0
    }
}

impl DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut tokio_postgres::Client {
        &mut self.0
    }
}

#[test]
fn a_pooled_connection_is_taken_as_it_is_and_runs_can_be_spawned() {
    let set: &'static retort_core::MigrationSet = Box::leak(Box::new(chain()));
    let db = retort_test_support::database().expect("a test database");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let url = db.url().to_owned();
    let steps = rt
        .block_on(async move {
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .expect("a connection");
            tokio::spawn(connection);
            let mut conn = Pooled(client);
            // Spawned: the run's future is `Send`.
            tokio::spawn(async move {
                let mut m = Migrator::new(set).on_progress(|_, _, _| {});
                let steps = m.upgrade(&mut conn, &Target::Head).await?;
                let status = m.status(&mut conn).await?;
                assert!(status.is_in_sync());
                Ok::<_, Error>(steps.len())
            })
            .await
            .expect("the task ends")
        })
        .expect("the upgrade");
    assert_eq!(steps, 5);
    let mut c = connect(Driver::Sync, &db);
    assert_eq!(versions(&mut c).len(), 5);
}

/// A Rust data migration's `up`: never called here.
fn rust_up(_: &mut postgres::Transaction<'_>) -> Result<(), retort_runtime::BoxError> {
    Err("the async runner must not call a Rust migration".into())
}

static RUST_UP: retort_runtime::RustMigration = retort_runtime::RustMigration {
    up: rust_up,
    down: None,
};

static RUST_SET: [retort_core::Migration; 2] = [
    retort_core::Migration::from_static(retort_core::StaticMigration {
        revision: "1",
        down_revisions: &[],
        message: "t",
        up_sql: "CREATE TABLE t ();",
        down_sql: Some("DROP TABLE t;"),
        irreversible: None,
        transactional: true,
        checksum: [1; 32],
        path: "migrations/1_t.sql",
        up_line: 1,
        down_line: 2,
        replaces: None,
        rust: None,
        environments: &[],
    }),
    retort_core::Migration::from_static(retort_core::StaticMigration {
        revision: "2",
        down_revisions: const { &[retort_core::Revision::from_static("1")] },
        message: "seed",
        up_sql: "",
        down_sql: None,
        irreversible: Some("a seed"),
        transactional: true,
        checksum: [2; 32],
        path: "migrations/2_seed.rs",
        up_line: 0,
        down_line: 0,
        replaces: None,
        rust: Some(&RUST_UP),
        environments: &[],
    }),
];

#[test]
fn a_rust_migration_is_refused_before_anything_runs() {
    let set = retort_core::MigrationSet::from_static(&RUST_SET);
    let (_db, mut c) = db(Driver::Tokio);
    let (rt, client) = c.tokio().expect("a tokio client");
    let err = rt
        .block_on(Migrator::new(&set).upgrade(client, &Target::Head))
        .expect_err("refused");
    assert_eq!(err.code().as_str(), "db-rust-not-compiled-in");
    assert!(
        err.to_string().contains("synchronous `retort::Migrator`"),
        "{err}"
    );
    // Nothing ran, not even `1`.
    assert!(versions(&mut c).is_empty());
    // Up to the revision before it, the async runner goes on.
    let (rt, client) = c.tokio().expect("a tokio client");
    rt.block_on(Migrator::new(&set).upgrade(client, &"1".parse().unwrap()))
        .expect("1 applies");
    assert_eq!(versions(&mut c), ["1"]);
}
