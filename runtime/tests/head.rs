//! The head cache against a real PostgreSQL, on both drivers: a second upgrade to `head` is
//! answered without the lock; any change to the version table (a row deleted by hand, a
//! truncate) or another set, environment or target takes the full path again.
//!
//! The fast path is observed through the lock: another session holds the run's advisory
//! lock (or lease) and the runner's lock timeout is short, so a run that needs the lock
//! fails with a lock timeout, and one answered by the cache returns at once.

#[macro_use]
mod common;

use std::time::Duration;

use common::driver::{Client, Driver, Migrator, connect, db};
use common::{chain, chain_files, file, file_with, set, versions};
use retort_core::check::Options;
use retort_runtime::{Config, Error, LockStrategy, Target};
use retort_test_support::TestDb;

/// A short lock timeout: long enough for an idle machine, short for a test that expects it.
fn config() -> Config {
    Config::new().lock_timeout(Duration::from_millis(300))
}

/// Another session holding the run's advisory lock until it is dropped.
fn hold_lock(driver: Driver, db: &TestDb, config: &Config) -> Client {
    let mut holder = connect(driver, db);
    holder
        .query_one("SELECT pg_advisory_lock($1)", &[&config.lock_key()])
        .unwrap();
    holder
}

/// The key in the head table, as hex, or `None` when it is cleared.
fn key(c: &mut Client) -> Option<String> {
    c.query_one("SELECT encode(key, 'hex') FROM retort_migrations_head", &[])
        .unwrap()
        .get(0)
}

fn is_lock_timeout(r: &Result<Vec<retort_runtime::Step>, Error>) -> bool {
    matches!(r, Err(Error::LockTimeout { .. }))
}

fn a_second_upgrade_needs_no_lock(driver: Driver) {
    let set = chain();
    let (db, mut c) = db(driver);
    let mut m = Migrator::new(&set).with_config(config());
    assert_eq!(m.upgrade(&mut c, &Target::Head).unwrap().len(), 5);
    assert!(key(&mut c).is_some(), "the run that applied wrote the key");
    let holder = hold_lock(driver, &db, &config());
    // Answered by the head cache: the lock is not even asked for.
    assert!(m.upgrade(&mut c, &Target::Head).unwrap().is_empty());
    assert!(m.upgrade(&mut c, &Target::Head).unwrap().is_empty());
    // What the cache does not answer still needs the lock: a dry run, another target.
    assert!(is_lock_timeout(
        &Migrator::new(&set)
            .with_config(config())
            .dry_run(true)
            .upgrade(&mut c, &Target::Head)
    ));
    assert!(is_lock_timeout(&m.upgrade(&mut c, &Target::Heads)));
    // Another environment is another key.
    assert!(is_lock_timeout(
        &Migrator::new(&set)
            .with_config(config().environment("dev"))
            .upgrade(&mut c, &Target::Head)
    ));
    drop(holder);
    assert!(
        Migrator::new(&set)
            .with_config(config().environment("dev"))
            .upgrade(&mut c, &Target::Head)
            .unwrap()
            .is_empty()
    );
}

fn a_no_op_full_run_writes_the_key(driver: Driver) {
    let set = chain();
    let (db, mut c) = db(driver);
    let mut m = Migrator::new(&set).with_config(config());
    m.upgrade(&mut c, &Target::Head).unwrap();
    // The key cleared by hand: the next run is a full one, finds nothing to do, writes it.
    c.batch_execute("UPDATE retort_migrations_head SET key = NULL")
        .unwrap();
    {
        let _holder = hold_lock(driver, &db, &config());
        assert!(is_lock_timeout(&m.upgrade(&mut c, &Target::Head)));
    }
    assert!(m.upgrade(&mut c, &Target::Head).unwrap().is_empty());
    assert!(key(&mut c).is_some());
    let _holder = hold_lock(driver, &db, &config());
    assert!(m.upgrade(&mut c, &Target::Head).unwrap().is_empty());
}

fn a_row_deleted_by_hand_runs_its_migration_again(driver: Driver) {
    let set = chain();
    let (db, mut c) = db(driver);
    let mut m = Migrator::new(&set).with_config(config());
    m.upgrade(&mut c, &Target::Head).unwrap();
    assert!(key(&mut c).is_some());
    // What a person does to run `005` again.
    c.batch_execute("DROP VIEW user_names; DELETE FROM retort_migrations WHERE revision = '005'")
        .unwrap();
    assert_eq!(key(&mut c), None, "the trigger cleared the key");
    {
        let _holder = hold_lock(driver, &db, &config());
        assert!(is_lock_timeout(&m.upgrade(&mut c, &Target::Head)));
    }
    let steps = m.upgrade(&mut c, &Target::Head).unwrap();
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0].revision.as_str(), "005");
    assert_eq!(versions(&mut c), ["001", "002", "003", "004", "005"]);
    assert!(key(&mut c).is_some());
    // Any statement on the version table clears it: an update of nothing, a truncate.
    c.batch_execute("UPDATE retort_migrations SET message = message WHERE false")
        .unwrap();
    assert_eq!(key(&mut c), None);
    assert!(m.upgrade(&mut c, &Target::Head).unwrap().is_empty());
    c.batch_execute("BEGIN; TRUNCATE retort_migrations; ROLLBACK")
        .unwrap();
    assert!(
        key(&mut c).is_some(),
        "a rolled-back change changes nothing"
    );
    // With the trigger disabled, changes would go unseen: the key is not trusted then.
    c.batch_execute("ALTER TABLE retort_migrations DISABLE TRIGGER retort_head")
        .unwrap();
    {
        let _holder = hold_lock(driver, &db, &config());
        assert!(is_lock_timeout(&m.upgrade(&mut c, &Target::Head)));
    }
    // A full run puts the trigger back as it was.
    assert!(m.upgrade(&mut c, &Target::Head).unwrap().is_empty());
    let enabled: String = c
        .query_one(
            "SELECT tgenabled::text FROM pg_trigger WHERE tgname = 'retort_head'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(enabled, "A");
    let _holder = hold_lock(driver, &db, &config());
    assert!(m.upgrade(&mut c, &Target::Head).unwrap().is_empty());
}

fn another_set_misses_and_applies(driver: Driver) {
    let old = chain();
    let mut files = chain_files();
    files.push(file(
        "006",
        "005",
        "CREATE TABLE tags (id int);",
        "DROP TABLE tags;",
    ));
    let new = set(&files, Options::default());
    let (db, mut c) = db(driver);
    Migrator::new(&old)
        .with_config(config())
        .upgrade(&mut c, &Target::Head)
        .unwrap();
    let old_key = key(&mut c);
    {
        let _holder = hold_lock(driver, &db, &config());
        assert!(is_lock_timeout(
            &Migrator::new(&new)
                .with_config(config())
                .upgrade(&mut c, &Target::Head)
        ));
    }
    let steps = Migrator::new(&new)
        .with_config(config())
        .upgrade(&mut c, &Target::Head)
        .unwrap();
    assert_eq!(steps.len(), 1);
    assert!(key(&mut c).is_some() && key(&mut c) != old_key);
    // The old build is behind the database now: the cache does not let it pass.
    assert!(matches!(
        Migrator::new(&old)
            .with_config(config())
            .upgrade(&mut c, &Target::Head),
        Err(Error::Unknown(_))
    ));
    let _holder = hold_lock(driver, &db, &config());
    assert!(
        Migrator::new(&new)
            .with_config(config())
            .upgrade(&mut c, &Target::Head)
            .unwrap()
            .is_empty()
    );
}

fn a_held_lease_does_not_hold_up_the_fast_path(driver: Driver) {
    let set = chain();
    let (_db, mut c) = db(driver);
    let table = config().lock_strategy(LockStrategy::Table);
    let mut m = Migrator::new(&set).with_config(table);
    m.upgrade(&mut c, &Target::Head).unwrap();
    c.batch_execute(
        "INSERT INTO retort_migrations_lock VALUES \
         (true, 'someone', 1, 'other', NULL, now(), now() + interval '1 hour')",
    )
    .unwrap();
    assert!(m.upgrade(&mut c, &Target::Head).unwrap().is_empty());
    assert!(matches!(
        m.upgrade(&mut c, &Target::Heads),
        Err(Error::LeaseTimeout { .. })
    ));
}

fn a_version_table_made_again_is_another_table(driver: Driver) {
    let set = chain();
    let (db, mut c) = db(driver);
    let mut m = Migrator::new(&set).with_config(config());
    m.upgrade(&mut c, &Target::Head).unwrap();
    // Dropping the table fires no trigger; the key names the table that was there.
    c.batch_execute(
        "DROP TABLE retort_migrations; DROP VIEW user_names; DROP TABLE posts, users; \
         DROP TYPE mood",
    )
    .unwrap();
    assert!(key(&mut c).is_some());
    {
        let _holder = hold_lock(driver, &db, &config());
        assert!(is_lock_timeout(&m.upgrade(&mut c, &Target::Head)));
    }
    assert_eq!(m.upgrade(&mut c, &Target::Head).unwrap().len(), 5);
}

fn skipped_rows_are_rows_like_any_other(driver: Driver) {
    let mut files = chain_files();
    files.push(file_with(
        "006",
        "005",
        "-- environments: dev",
        "INSERT INTO users (name) VALUES ('dev data');",
        Some("DELETE FROM users WHERE name = 'dev data';"),
    ));
    let set = set(&files, Options::default());
    let (db, mut c) = db(driver);
    let mut m = Migrator::new(&set).with_config(config());
    let steps = m.upgrade(&mut c, &Target::Head).unwrap();
    assert!(steps.last().is_some_and(|s| s.skipped), "{steps:?}");
    assert!(key(&mut c).is_some());
    let _holder = hold_lock(driver, &db, &config());
    assert!(m.upgrade(&mut c, &Target::Head).unwrap().is_empty());
    // In `dev`, another key: a full run, which finds the skipped row applied, as it always
    // has (it needs the lock, held here).
    assert!(is_lock_timeout(
        &Migrator::new(&set)
            .with_config(config().environment("dev"))
            .upgrade(&mut c, &Target::Head)
    ));
}

/// How many times the head row was cleared (its `changes` counter).
fn changes(c: &mut Client) -> i64 {
    c.query_one("SELECT changes FROM retort_migrations_head", &[])
        .unwrap()
        .get(0)
}

/// The trigger's comment and whether it has a `WHEN`.
fn trigger_kind(c: &mut Client) -> (Option<String>, bool) {
    let row = c
        .query_one(
            "SELECT obj_description(oid, 'pg_trigger'), tgqual IS NOT NULL FROM pg_trigger \
             WHERE tgname = 'retort_head'",
            &[],
        )
        .unwrap();
    (row.get(0), row.get(1))
}

fn a_run_under_the_advisory_lock_clears_the_key_once(driver: Driver) {
    let mut files = chain_files();
    let (_db, mut c) = db(driver);
    Migrator::new(&set(&files, Options::default()))
        .with_config(config())
        .upgrade(&mut c, &Target::Head)
        .unwrap();
    // Five migrations, one clear: made with the objects, the trigger then skipped its work.
    assert_eq!(changes(&mut c), 1);
    assert!(key(&mut c).is_some());
    for (rev, parent) in [("006", "005"), ("007", "006"), ("008", "007")] {
        files.push(file(
            rev,
            parent,
            &format!("CREATE TABLE t{rev} (id int);"),
            &format!("DROP TABLE t{rev};"),
        ));
    }
    let more = set(&files, Options::default());
    let steps = Migrator::new(&more)
        .with_config(config())
        .upgrade(&mut c, &Target::Head)
        .unwrap();
    assert_eq!(steps.len(), 3);
    assert_eq!(changes(&mut c), 2, "three migrations, one clear");
    assert!(key(&mut c).is_some());
    // In single-transaction mode alike.
    files.push(file(
        "011",
        "008",
        "CREATE TABLE t011 (id int);",
        "DROP TABLE t011;",
    ));
    files.push(file(
        "012",
        "011",
        "CREATE TABLE t012 (id int);",
        "DROP TABLE t012;",
    ));
    let single = set(&files, Options::default());
    let steps = Migrator::new(&single)
        .with_config(config())
        .single_transaction(true)
        .upgrade(&mut c, &Target::Head)
        .unwrap();
    assert_eq!(steps.len(), 2);
    assert_eq!(
        changes(&mut c),
        3,
        "two migrations in one transaction, one clear"
    );
    assert!(key(&mut c).is_some());
    // The setting ended with each transaction: on the same session, a change by hand fires.
    c.batch_execute("UPDATE retort_migrations SET message = message WHERE false")
        .unwrap();
    assert_eq!((key(&mut c), changes(&mut c)), (None, 4));
    // Set by hand to another head table's name, it does not quiet this one's trigger.
    c.batch_execute(
        "BEGIN; SET LOCAL retort.head_cleared = 'other_head'; \
         UPDATE retort_migrations SET message = message WHERE false; COMMIT",
    )
    .unwrap();
    assert_eq!(changes(&mut c), 5);
    // A failing run clears the key before its first migration and leaves it cleared.
    assert!(
        Migrator::new(&single)
            .with_config(config())
            .upgrade(&mut c, &Target::Head)
            .unwrap()
            .is_empty()
    );
    assert!(key(&mut c).is_some());
    files.push(file(
        "009",
        "012",
        "CREATE TABLE t009 (id int);",
        "DROP TABLE t009;",
    ));
    files.push(file(
        "010",
        "009",
        "INSERT INTO t009 VALUES ('x');",
        "SELECT 1;",
    ));
    assert!(
        Migrator::new(&set(&files, Options::default()))
            .with_config(config())
            .upgrade(&mut c, &Target::Head)
            .is_err()
    );
    assert_eq!(key(&mut c), None);
    assert_eq!(versions(&mut c).len(), 11, "009 committed, 010 rolled back");
}

fn a_run_under_a_lease_lets_the_trigger_fire(driver: Driver) {
    let set = chain();
    let (_db, mut c) = db(driver);
    Migrator::new(&set)
        .with_config(config().lock_strategy(LockStrategy::Table))
        .upgrade(&mut c, &Target::Head)
        .unwrap();
    // A lease may expire under a long run and another run write a key: every migration's
    // transaction clears it.
    assert_eq!(changes(&mut c), 5);
    assert!(key(&mut c).is_some());
}

fn an_older_trigger_is_made_again_by_a_full_run(driver: Driver) {
    let set = chain();
    let (db, mut c) = db(driver);
    let mut m = Migrator::new(&set).with_config(config());
    m.upgrade(&mut c, &Target::Head).unwrap();
    let (comment, has_when) = trigger_kind(&mut c);
    assert!(comment.is_some_and(|t| t.contains("v2")) && has_when);
    // As an older release made it: no `WHEN`, no comment.
    c.batch_execute(
        "DROP TRIGGER retort_head ON retort_migrations; \
         CREATE TRIGGER retort_head AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE \
         ON retort_migrations FOR EACH STATEMENT \
         EXECUTE FUNCTION retort_migrations_head('retort_migrations_head'); \
         ALTER TABLE retort_migrations ENABLE ALWAYS TRIGGER retort_head",
    )
    .unwrap();
    assert_eq!(trigger_kind(&mut c), (None, false));
    // It still clears the key, so the key it guards is still trusted.
    {
        let _holder = hold_lock(driver, &db, &config());
        assert!(m.upgrade(&mut c, &Target::Head).unwrap().is_empty());
    }
    c.batch_execute("UPDATE retort_migrations_head SET key = NULL")
        .unwrap();
    assert!(m.upgrade(&mut c, &Target::Head).unwrap().is_empty());
    let (comment, has_when) = trigger_kind(&mut c);
    assert!(comment.is_some() && has_when, "made again with its WHEN");
    let _holder = hold_lock(driver, &db, &config());
    assert!(m.upgrade(&mut c, &Target::Head).unwrap().is_empty());
}

both_drivers!(
    a_run_under_the_advisory_lock_clears_the_key_once,
    a_run_under_a_lease_lets_the_trigger_fire,
    an_older_trigger_is_made_again_by_a_full_run,
    skipped_rows_are_rows_like_any_other,
    a_second_upgrade_needs_no_lock,
    a_no_op_full_run_writes_the_key,
    a_row_deleted_by_hand_runs_its_migration_again,
    another_set_misses_and_applies,
    a_held_lease_does_not_hold_up_the_fast_path,
    a_version_table_made_again_is_another_table,
);

/// The writer's guarantee, on PostgreSQL's own terms: a change to the version table committed
/// after the writing transaction's snapshot makes its `UPDATE` of the head row fail, so a key
/// is never written for a state that was not the one verified.
#[test]
fn a_change_after_the_verifying_snapshot_stops_the_write() {
    let set = chain();
    let (_db, mut writer) = db(Driver::Sync);
    Migrator::new(&set)
        .upgrade(&mut writer, &Target::Head)
        .unwrap();
    let mut person = connect(Driver::Sync, &_db);
    for change in [
        "DELETE FROM retort_migrations WHERE revision = '005'",
        "UPDATE retort_migrations SET message = message WHERE false",
    ] {
        writer
            .batch_execute("UPDATE retort_migrations_head SET key = NULL")
            .unwrap();
        writer
            .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            .unwrap();
        let n: i64 = writer
            .query_one("SELECT count(*) FROM retort_migrations", &[])
            .unwrap()
            .get(0);
        assert!(n >= 4);
        person.batch_execute(change).unwrap();
        let err = writer
            .execute(
                "UPDATE retort_migrations_head SET key = '\\x00' WHERE id",
                &[],
            )
            .unwrap_err();
        assert_eq!(
            err.code(),
            Some(&postgres::error::SqlState::T_R_SERIALIZATION_FAILURE),
            "{change}: {err}"
        );
        writer.batch_execute("ROLLBACK").unwrap();
        assert_eq!(key(&mut writer), None, "{change}");
    }
}
