//! `lock = "table"` (`LockStrategy::Table`) against a real PostgreSQL, on both drivers:
//! racing runners apply each migration once, a held lease times out naming its holder, an
//! expired one is taken over, the lease goes on every way out, and no advisory lock is taken.

#[macro_use]
mod common;

use std::sync::{Arc, Barrier, mpsc};
use std::time::Duration;

use common::driver::{Client, Driver, Migrator, connect, db};
use common::{file, set, versions};
use retort_core::MigrationSet;
use retort_core::check::Options;
use retort_runtime::{Config, Error, LockStrategy, Target};

/// Longer than any run may take unless runners wait for each other forever.
const DEADLOCK_BOUND: Duration = Duration::from_secs(120);

fn table_lock() -> Config {
    Config::new().lock_strategy(LockStrategy::Table)
}

/// `n` migrations; each creates a table and logs, from inside its own transaction, how many
/// advisory locks the database holds and how many lease rows there are.
fn logged_set(n: usize) -> MigrationSet {
    set(
        &(1..=n)
            .map(|i| {
                let parent = if i == 1 {
                    "none".to_owned()
                } else {
                    (i - 1).to_string()
                };
                let log = if i == 1 {
                    "CREATE TABLE applied_log (i int, advisory bigint, leases bigint);\n"
                } else {
                    ""
                };
                file(
                    &i.to_string(),
                    &parent,
                    &format!(
                        "{log}CREATE TABLE t{i} (x int);\n\
                         INSERT INTO applied_log SELECT {i}, \
                         (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'), \
                         (SELECT count(*) FROM retort_migrations_lock);"
                    ),
                    &format!(
                        "DROP TABLE t{i};{}",
                        if i == 1 {
                            "\nDROP TABLE applied_log;"
                        } else {
                            ""
                        }
                    ),
                )
            })
            .collect::<Vec<_>>(),
        Options::default(),
    )
}

fn lease_rows(c: &mut Client) -> i64 {
    c.query_one("SELECT count(*) FROM retort_migrations_lock", &[])
        .unwrap()
        .get(0)
}

fn racing_runners_apply_each_migration_once_without_advisory_locks(driver: Driver) {
    const RUNNERS: usize = 8;
    const MIGRATIONS: usize = 10;
    let set = Arc::new(logged_set(MIGRATIONS));
    for round in 0..2 {
        let db = Arc::new(retort_test_support::database().unwrap());
        let barrier = Arc::new(Barrier::new(RUNNERS));
        let (tx, rx) = mpsc::channel();
        for runner in 0..RUNNERS {
            let (set, db, barrier, tx) = (set.clone(), db.clone(), barrier.clone(), tx.clone());
            std::thread::spawn(move || {
                let mut c = connect(driver, &db);
                barrier.wait();
                let result = Migrator::new(&set)
                    .with_config(table_lock())
                    .upgrade(&mut c, &Target::Head)
                    .map(|steps| steps.len());
                let _ = tx.send((runner, result));
            });
        }
        drop(tx);
        let mut applied = 0;
        let deadline = std::time::Instant::now() + DEADLOCK_BOUND;
        for _ in 0..RUNNERS {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let (runner, result) = rx
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("round {round}: runners still waiting: a deadlock"));
            applied += result.unwrap_or_else(|e| panic!("round {round}: runner {runner}: {e}"));
        }
        assert_eq!(applied, MIGRATIONS, "round {round}: steps reported in all");
        let mut c = connect(driver, &db);
        let (n, distinct, advisory, leases): (i64, i64, i64, i64) = c
            .query_one(
                "SELECT count(*), count(DISTINCT i), max(advisory), min(leases) * max(leases) \
                 FROM applied_log",
                &[],
            )
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
            .unwrap();
        assert_eq!((n, distinct), (10, 10), "round {round}: each ran once");
        assert_eq!(
            advisory, 0,
            "round {round}: no advisory lock during the runs"
        );
        assert_eq!(leases, 1, "round {round}: one lease row held during each");
        let expected: Vec<String> = (1..=MIGRATIONS).map(|i| i.to_string()).collect();
        assert_eq!(versions(&mut c), expected, "round {round}");
        assert_eq!(
            lease_rows(&mut c),
            0,
            "round {round}: the lease was given back"
        );
    }
}

/// A database with the lock table (from a first run to `1`) and a lease in it held by
/// another run, expiring `expires` from now (negative: expired).
fn with_foreign_lease(driver: Driver, expires_secs: i32) -> (retort_test_support::TestDb, Client) {
    let (db, mut c) = db(driver);
    Migrator::new(&logged_set(3))
        .with_config(table_lock())
        .upgrade(&mut c, &"1".parse().unwrap())
        .unwrap();
    c.execute(
        "INSERT INTO retort_migrations_lock \
         VALUES (true, 'other-run', 4242, 'other-deploy', '10.0.0.7/32', now() - interval '5 s', \
                 now() + make_interval(secs => $1))",
        &[&f64::from(expires_secs)],
    )
    .unwrap();
    (db, c)
}

fn a_held_lease_times_out_naming_its_holder(driver: Driver) {
    let set = logged_set(3);
    let (_db, mut c) = with_foreign_lease(driver, 3600);
    let config = table_lock().lock_timeout(Duration::from_millis(300));
    let err = Migrator::new(&set)
        .with_config(config.clone())
        .upgrade(&mut c, &Target::Head)
        .unwrap_err();
    match &err {
        Error::LeaseTimeout {
            table,
            lock_table,
            waited,
            holder: Some(h),
        } => {
            assert_eq!(table, "retort_migrations");
            assert_eq!(lock_table, "\"retort_migrations_lock\"");
            assert_eq!(*waited, Duration::from_millis(300));
            assert_eq!(
                (h.owner.as_str(), h.pid, h.application.as_str()),
                ("other-run", 4242, "other-deploy")
            );
            assert_eq!(h.client.as_deref(), Some("10.0.0.7/32"));
            assert!(h.expires_in_secs > 3000.0, "{h:?}");
        }
        other => panic!("unexpected {other:?}"),
    }
    let text = err.render();
    assert!(
        text.starts_with(
            "error[db-lease-timeout]: another migration run holds the lease on \
             `retort_migrations` (lease `other-run`, taken by backend pid 4242, application \
             `other-deploy`, from 10.0.0.7/32, 5 s ago, expires in "
        ) && text.contains("gave up after 300ms"),
        "{text}"
    );
    assert!(
        text.contains("DELETE FROM \"retort_migrations_lock\";"),
        "{text}"
    );
    assert_eq!(versions(&mut c), ["1"], "nothing more ran");
    assert_eq!(lease_rows(&mut c), 1, "the other run's lease is left alone");
    // Cleared by hand, as the help says: the next run goes through.
    c.batch_execute("DELETE FROM \"retort_migrations_lock\";")
        .unwrap();
    Migrator::new(&set)
        .with_config(config)
        .upgrade(&mut c, &Target::Head)
        .unwrap();
    assert_eq!(versions(&mut c), ["1", "2", "3"]);
    assert_eq!(lease_rows(&mut c), 0);
}

fn an_expired_lease_is_taken_over(driver: Driver) {
    let set = logged_set(3);
    let (_db, mut c) = with_foreign_lease(driver, -1);
    Migrator::new(&set)
        .with_config(table_lock().lock_timeout(Duration::from_millis(300)))
        .upgrade(&mut c, &Target::Head)
        .unwrap();
    assert_eq!(versions(&mut c), ["1", "2", "3"]);
    assert_eq!(lease_rows(&mut c), 0, "the run's own lease was given back");
}

fn the_lease_is_given_back_after_an_error_and_a_panic(driver: Driver) {
    let broken = set(
        &[
            file("1", "none", "CREATE TABLE a (x int);", "DROP TABLE a;"),
            file(
                "2",
                "1",
                "CREATE TABLE gone (id int);\nALTER TABLE gone ADD COLUMN x nosuchtype;",
                "DROP TABLE gone;",
            ),
        ],
        Options::default(),
    );
    let (_db, mut c) = db(driver);
    let err = Migrator::new(&broken)
        .with_config(table_lock())
        .upgrade(&mut c, &Target::Head)
        .unwrap_err();
    assert!(matches!(err, Error::Statement(_)), "{err:?}");
    assert_eq!(lease_rows(&mut c), 0, "given back after an error");
    let (_db, mut c) = db(driver);
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        Migrator::new(&logged_set(2))
            .with_config(table_lock())
            .on_progress(|_, _, _| panic!("callback panics"))
            .upgrade(&mut c, &Target::Head)
    }));
    assert!(panicked.is_err());
    assert_eq!(lease_rows(&mut c), 0, "given back after a panic");
}

/// The tokio driver's run dropped half-way (a timeout) gives the lease back: the driver
/// sends the release with the rollback.
#[test]
fn a_tokio_run_dropped_half_way_gives_the_lease_back() {
    let slow = set(
        &[
            file("1", "none", "CREATE TABLE t ();", "DROP TABLE t;"),
            file(
                "2",
                "1",
                "SELECT pg_sleep(1.5);\nCREATE TABLE slow ();",
                "DROP TABLE slow;",
            ),
        ],
        Options::default(),
    );
    let (_db, mut c) = db(Driver::Tokio);
    let (rt, client) = c.tokio().expect("a tokio client");
    let cut = rt.block_on(async {
        let mut m = retort_runtime::tokio::Migrator::new(&slow).with_config(table_lock());
        tokio::time::timeout(Duration::from_millis(500), m.upgrade(client, &Target::Head))
            .await
            .is_err()
    });
    assert!(cut, "the run was still under way when dropped");
    // Runs after the rollback and the release the driver queued.
    assert_eq!(lease_rows(&mut c), 0, "the lease was given back");
    assert_eq!(versions(&mut c), ["1"]);
}

both_drivers!(
    racing_runners_apply_each_migration_once_without_advisory_locks,
    a_held_lease_times_out_naming_its_holder,
    an_expired_lease_is_taken_over,
    the_lease_is_given_back_after_an_error_and_a_panic,
);
