//! A run gives each migration a transaction of its own, and only the last of them waits for
//! its WAL flush (`synchronous_commit = off` in the others): what the server did for each, and
//! that a run stopped by a failure has flushed what it committed before it returns.

#[macro_use]
mod common;

use common::driver::{Client, Driver, Migrator, db};
use common::{file, set};
use retort_core::MigrationSet;
use retort_core::check::{Input, Options};
use retort_runtime::{Error, Target};

/// Five migrations; each up and each down writes the `synchronous_commit` its transaction
/// runs with into `seen` (made by `1`), going up or down.
fn recording() -> MigrationSet {
    let note = |direction: &str, rev: &str| {
        format!(
            "INSERT INTO seen VALUES ('{direction}', '{rev}', current_setting('synchronous_commit'));"
        )
    };
    let mut files: Vec<Input> = vec![file(
        "1",
        "none",
        &format!(
            "CREATE TABLE seen (direction text, rev text, setting text);\n{}",
            note("up", "1")
        ),
        "DROP TABLE seen;",
    )];
    for (rev, parent) in [("2", "1"), ("3", "2"), ("4", "3"), ("5", "4")] {
        files.push(file(
            rev,
            parent,
            &format!("CREATE TABLE t{rev} (x int);\n{}", note("up", rev)),
            &format!("DROP TABLE t{rev};\n{}", note("down", rev)),
        ));
    }
    set(&files, Options::default())
}

fn seen(c: &mut Client, direction: &str) -> Vec<(String, String)> {
    c.query(
        "SELECT rev, setting FROM seen WHERE direction = $1 ORDER BY rev",
        &[&direction],
    )
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect()
}

fn only_the_last_commit_of_a_run_waits_for_its_flush(driver: Driver) {
    let (_db, mut c) = db(driver);
    let set = recording();
    // The session's own setting, which the last commit keeps (the test cluster's is `off`).
    let own = "remote_write".to_owned();
    c.batch_execute(&format!("SET synchronous_commit = {own}"))
        .unwrap();
    Migrator::new(&set).upgrade(&mut c, &Target::Head).unwrap();
    let expected = |revs: &[&str], last: &str| -> Vec<(String, String)> {
        revs.iter()
            .map(|r| {
                let setting = if *r == last { own.as_str() } else { "off" };
                ((*r).to_owned(), setting.to_owned())
            })
            .collect()
    };
    assert_eq!(
        seen(&mut c, "up"),
        expected(&["1", "2", "3", "4", "5"], "5")
    );
    // The session's own setting is left as it was.
    let after: String = c
        .query_one("SELECT current_setting('synchronous_commit')", &[])
        .unwrap()
        .get(0);
    assert_eq!(after, own);

    // Down to `1`: `5` reverts first, `2` last.
    Migrator::new(&set)
        .downgrade(&mut c, &Target::Revision("1".into()))
        .unwrap();
    assert_eq!(seen(&mut c, "down"), expected(&["2", "3", "4", "5"], "2"));

    // A run of one migration waits for it.
    Migrator::new(&set)
        .upgrade(&mut c, &Target::Revision("2".into()))
        .unwrap();
    let up_again: Vec<(String, String)> = seen(&mut c, "up")
        .into_iter()
        .filter(|(rev, _)| rev == "2")
        .collect();
    assert_eq!(
        up_again,
        [
            ("2".to_owned(), "off".to_owned()),
            ("2".to_owned(), own.clone())
        ]
    );
}

both_drivers!(only_the_last_commit_of_a_run_waits_for_its_flush);

/// The WAL position in a failure raised by a migration (`retort-lsn 0/1A2B3C4D`).
fn lsn_in(e: &Error) -> String {
    let text = e.render();
    let start = text
        .find("retort-lsn ")
        .unwrap_or_else(|| panic!("no position in the error: {text}"))
        + "retort-lsn ".len();
    text[start..]
        .split(|c: char| !(c.is_ascii_hexdigit() || c == '/'))
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// That the WAL is flushed past the position in `e`: what the run committed before the
/// migration that failed is on disk.
fn assert_flushed_before(c: &mut Client, e: &Error) {
    let lsn = lsn_in(e);
    let flushed: bool = c
        .query_one(
            "SELECT pg_current_wal_flush_lsn() >= $1::text::pg_lsn",
            &[&lsn],
        )
        .unwrap()
        .get(0);
    assert!(flushed, "the commits before {lsn} are not flushed");
}

/// A migration that fails with the WAL's insert position at that moment: past the commits of
/// the migrations before it in its run.
const FAIL_WITH_LSN: &str =
    "DO $$ BEGIN RAISE EXCEPTION 'retort-lsn %', pg_current_wal_insert_lsn(); END $$;";

#[test]
fn a_run_stopped_by_a_failure_has_flushed_what_it_committed() {
    // A durable cluster of this test's own, whose WAL writer flushes deferred commits only
    // every ten seconds (its longest delay): what is flushed when the run returns, the run
    // flushed.
    let cluster = retort_test_support::private_cluster().expect("a private cluster");
    let mut admin = cluster.connect().unwrap();
    for sql in [
        "ALTER SYSTEM SET wal_writer_delay = '10s'",
        "SELECT pg_reload_conf()",
    ] {
        admin.batch_execute(sql).unwrap();
    }
    let db = cluster.database().unwrap();
    let mut c = Client::connect(Driver::Sync, db.url()).unwrap();

    // Going up: `1` to `4` commit without waiting, `5` fails. Going down, `1`'s down fails.
    let mut files: Vec<Input> = ["1", "2", "3", "4"]
        .iter()
        .zip(["none", "1", "2", "3"])
        .map(|(rev, parent)| {
            let down = format!("DROP TABLE t{rev};");
            let down = if *rev == "1" {
                format!("{down}\n{FAIL_WITH_LSN}")
            } else {
                down
            };
            file(rev, parent, &format!("CREATE TABLE t{rev} (x int);"), &down)
        })
        .collect();
    files.push(file("5", "4", FAIL_WITH_LSN, "SELECT 1;"));
    let set = set(&files, Options::default());
    let e = Migrator::new(&set)
        .upgrade(&mut c, &Target::Head)
        .expect_err("`5` fails");
    assert_flushed_before(&mut c, &e);

    // Going down: `4` to `2` revert without waiting, `1`'s down fails.
    let e = Migrator::new(&set)
        .downgrade(&mut c, &Target::Base)
        .expect_err("`1`'s down fails");
    assert_flushed_before(&mut c, &e);
    let left: i64 = c
        .query_one("SELECT count(*) FROM retort_migrations", &[])
        .unwrap()
        .get(0);
    assert_eq!(left, 1, "only `1` is left applied");
}
