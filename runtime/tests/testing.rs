//! `retort_runtime::testing`: the stairway and `migrate_to` for a user's own tests, on a real
//! PostgreSQL.

mod common;

use common::{chain, file, file_with, set};
use retort_core::check::Options;
use retort_runtime::testing::{StairStep, Stairway, StairwayError, migrate_to, stairway};

fn db() -> (retort_test_support::TestDb, postgres::Client) {
    let db = retort_test_support::database().expect("a test database");
    let client = db.connect();
    (db, client)
}

#[test]
fn a_sound_chain_passes_every_step() {
    let (_db, mut c) = db();
    let set = chain();
    let report = stairway(&set, &mut c).expect("the chain's downs restore its schema");
    assert_eq!(report.revisions, set.len());
    assert_eq!(report.reverted, set.len());
    // It ends at the head.
    let head: i64 = c
        .query_one("SELECT count(*) FROM retort_migrations", &[])
        .unwrap()
        .get(0);
    assert_eq!(head as usize, set.len());
}

#[test]
fn a_down_that_leaves_something_is_named() {
    let (_db, mut c) = db();
    let files = [
        file("001", "none", "CREATE TABLE a (id int);", "DROP TABLE a;"),
        // The model cannot see inside EXECUTE: the down's table stays.
        file(
            "002",
            "001",
            "DO $$ BEGIN EXECUTE 'CREATE TABLE b (id int)'; END $$;",
            "SELECT 1;",
        ),
    ];
    let set = set(&files, Options::default());
    let err = stairway(&set, &mut c).unwrap_err();
    match &err {
        StairwayError::Differs {
            revision,
            step,
            unexpected,
            ..
        } => {
            assert_eq!(revision.as_str(), "002");
            assert_eq!(*step, StairStep::Down);
            assert!(unexpected.iter().any(|l| l.contains(".b.id")), "{err}");
        }
        other => panic!("{other}"),
    }
    // Declared lossy, the same down passes the down step, and then the second up fails.
    let (_db2, mut c2) = db();
    let err = Stairway::new(&set).lossy(["002"]).run(&mut c2).unwrap_err();
    assert!(
        matches!(
            err,
            StairwayError::Migration {
                step: StairStep::UpAgain,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn irreversible_revisions_are_upgraded_only() {
    let (_db, mut c) = db();
    let files = [
        file("001", "none", "CREATE TABLE a (id int);", "DROP TABLE a;"),
        file_with(
            "002",
            "001",
            "-- irreversible: data",
            "DELETE FROM a;",
            None,
        ),
        file("003", "002", "CREATE TABLE c (id int);", "DROP TABLE c;"),
    ];
    let set = set(&files, Options::default());
    let report = stairway(&set, &mut c).unwrap();
    assert_eq!((report.revisions, report.reverted), (3, 2));
}

#[test]
fn migrate_to_goes_either_way() {
    let (_db, mut c) = db();
    let set = chain();
    let revs: Vec<String> = set
        .iter()
        .map(|m| m.revision().as_str().to_owned())
        .collect();
    let steps = migrate_to(&set, &mut c, &revs[2]).unwrap();
    assert_eq!(steps.len(), 3);
    let steps = migrate_to(&set, &mut c, &revs[0]).unwrap();
    assert_eq!(steps.len(), 2, "two reverted");
    let n: i64 = c
        .query_one("SELECT count(*) FROM retort_migrations", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
}

#[test]
fn the_runtimes_own_objects_are_not_in_a_snapshot() {
    use retort_runtime::testing::snapshot;
    use retort_runtime::{Config, LockStrategy, Migrator, Target};
    let (_db, mut c) = db();
    let config = Config::new().lock_strategy(LockStrategy::Table);
    let before = snapshot(&mut c, &config).unwrap();
    // An empty set at its head: the version table, the lease table, the head cache's table,
    // function and trigger are made, and no migration.
    let empty = retort_core::MigrationSet::from_ordered(Vec::new()).unwrap();
    Migrator::new(&empty)
        .with_config(config.clone())
        .upgrade(&mut c, &Target::Head)
        .unwrap();
    let made: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_class WHERE relname IN \
             ('retort_migrations', 'retort_migrations_lock', 'retort_migrations_head')",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(made, 3);
    assert_eq!(snapshot(&mut c, &config).unwrap(), before);
}
