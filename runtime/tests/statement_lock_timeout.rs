//! `Config::statement_lock_timeout` against a real PostgreSQL: a migration whose `ALTER
//! TABLE` waits behind a lock another session holds fails after the timeout instead of
//! waiting; without the setting it waits until the lock is released. No timing is asserted
//! beyond "fails rather than hangs", with a generous bound.

#[macro_use]
mod common;

use std::sync::mpsc;
use std::time::Duration;

use common::driver::{Client, Driver, connect};
use common::{file, file_with, set};
use retort_core::MigrationSet;
use retort_core::check::Options;
use retort_runtime::{Config, Error, Migrator, Target};

/// Far longer than any timeout set here: reaching it means the run hung.
const HANG_BOUND: Duration = Duration::from_secs(120);

/// `001` creates `t` with a row; `002` alters it, in a transaction or not.
fn migrations(transactional: bool) -> MigrationSet {
    let create = file(
        "001",
        "none",
        "CREATE TABLE t (id int PRIMARY KEY);\nINSERT INTO t VALUES (1);",
        "DROP TABLE t;",
    );
    let alter_up = "ALTER TABLE t ADD COLUMN note text;";
    let alter_down = "ALTER TABLE t DROP COLUMN note;";
    let alter = if transactional {
        file("002", "001", alter_up, alter_down)
    } else {
        file_with(
            "002",
            "001",
            "-- transaction: false",
            alter_up,
            Some(alter_down),
        )
    };
    set(&[create, alter], Options::default())
}

/// A database at `001`, and a second session holding a lock on `t` (inside an open
/// transaction) that conflicts with `ALTER TABLE`'s ACCESS EXCLUSIVE lock.
fn blocked(set: &MigrationSet) -> (retort_test_support::TestDb, postgres::Client) {
    let db = retort_test_support::database().expect("a test database");
    let mut c = db.connect();
    Migrator::new(set)
        .upgrade(&mut c, &"001".parse().expect("target"))
        .expect("001 applies");
    let mut holder = db.connect();
    holder
        .batch_execute("BEGIN; SELECT * FROM t;")
        .expect("the holder takes ACCESS SHARE on t");
    (db, holder)
}

/// Runs `upgrade head` on a connection of its own in a thread; the result comes on the
/// channel, with the runner's connection so that the test can look at its session.
fn upgrade_in_thread(
    db: &retort_test_support::TestDb,
    driver: Driver,
    transactional: bool,
    config: Config,
) -> mpsc::Receiver<(Result<usize, Error>, Client)> {
    let (tx, rx) = mpsc::channel();
    let mut c = connect(driver, db);
    std::thread::spawn(move || {
        let set = migrations(transactional);
        let result = common::driver::Migrator::new(&set)
            .with_config(config)
            .upgrade(&mut c, &Target::Head)
            .map(|steps| steps.len());
        let _ = tx.send((result, c));
    });
    rx
}

/// Whether some session waits for a lock on `t` that it has not been granted.
fn someone_waits_on_t(c: &mut postgres::Client) -> bool {
    c.query_one(
        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE relation = 't'::regclass AND NOT granted)",
        &[],
    )
    .expect("pg_locks")
    .get(0)
}

fn applied(c: &mut postgres::Client) -> Vec<String> {
    c.query(
        "SELECT revision FROM retort_migrations WHERE state = 'applied' ORDER BY revision",
        &[],
    )
    .expect("version table")
    .iter()
    .map(|r| r.get(0))
    .collect()
}

fn fails_after_the_timeout(driver: Driver, transactional: bool) {
    let set = migrations(transactional);
    let (db, mut holder) = blocked(&set);
    let config = Config::new().statement_lock_timeout(Duration::from_secs(1));
    let rx = upgrade_in_thread(&db, driver, transactional, config);
    let outcome = rx.recv_timeout(HANG_BOUND);
    // Released whatever happened, so that a failing assertion does not leave the run hanging.
    holder.batch_execute("ROLLBACK").expect("holder rolls back");
    let (result, mut runner) = outcome.expect("the run fails rather than hangs");
    let err = result.expect_err("the ALTER TABLE cannot get its lock in time");
    let text = err.to_string();
    assert!(text.contains("lock timeout"), "a clear error: {text}");
    assert!(text.contains("002"), "names the migration: {text}");
    let mut c = db.connect();
    assert_eq!(applied(&mut c), ["001"], "002 is not recorded as applied");
    let has_note: bool = c
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM information_schema.columns \
             WHERE table_name = 't' AND column_name = 'note')",
            &[],
        )
        .expect("columns")
        .get(0);
    assert!(!has_note, "the column was not added");
    let setting: String = runner
        .query_one("SHOW lock_timeout", &[])
        .expect("show")
        .get(0);
    assert_eq!(setting, "0", "the runner's session is left as it was");
}

fn a_transactional_migration_fails_after_the_statement_lock_timeout(driver: Driver) {
    fails_after_the_timeout(driver, true);
}

fn a_non_transactional_migration_fails_after_the_statement_lock_timeout(driver: Driver) {
    fails_after_the_timeout(driver, false);
}

fn without_the_setting_the_statement_waits_for_the_lock(driver: Driver) {
    let set = migrations(true);
    let (db, mut holder) = blocked(&set);
    let rx = upgrade_in_thread(&db, driver, true, Config::new());
    let mut c = db.connect();
    // Wait until the ALTER TABLE is queued behind the holder's lock.
    let queued = std::time::Instant::now();
    while !someone_waits_on_t(&mut c) {
        assert!(
            queued.elapsed() < HANG_BOUND,
            "the ALTER TABLE never waited on t"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // Longer than the timeout of the tests above: still waiting, not failed.
    assert!(
        matches!(
            rx.recv_timeout(Duration::from_secs(3)),
            Err(mpsc::RecvTimeoutError::Timeout)
        ),
        "without a statement lock timeout the run waits"
    );
    holder.batch_execute("COMMIT").expect("holder commits");
    let (result, _runner) = rx
        .recv_timeout(HANG_BOUND)
        .expect("the run ends once the lock is free");
    assert_eq!(result.expect("002 applies"), 1);
    assert_eq!(applied(&mut c), ["001", "002"]);
}

#[test]
fn offline_scripts_set_the_same_timeout() {
    let config = Config::new().statement_lock_timeout(Duration::from_millis(2500));
    for transactional in [true, false] {
        let set = migrations(transactional);
        let script = Migrator::new(&set)
            .with_config(config.clone())
            .upgrade_script(None, &Target::Head)
            .expect("script");
        let alter = script
            .find("\nALTER TABLE t ADD COLUMN")
            .expect("the ALTER TABLE");
        if transactional {
            let set_local = script[..alter]
                .rfind("SET LOCAL lock_timeout = '2500ms';")
                .expect("SET LOCAL before the statement");
            let begin = script[..alter].rfind("BEGIN;").expect("BEGIN");
            assert!(begin < set_local, "{script}");
        } else {
            assert!(
                script[..alter].contains("\nSET lock_timeout = '2500ms';"),
                "{script}"
            );
            assert!(script[alter..].contains("RESET lock_timeout;"), "{script}");
        }
    }
    let plain = Migrator::new(&migrations(true))
        .upgrade_script(None, &Target::Head)
        .expect("script");
    assert!(!plain.contains("lock_timeout"), "{plain}");
}

both_drivers!(
    a_transactional_migration_fails_after_the_statement_lock_timeout,
    a_non_transactional_migration_fails_after_the_statement_lock_timeout,
    without_the_setting_the_statement_waits_for_the_lock,
);
