//! The runtime against a real PostgreSQL: each test gets a fresh database on the throwaway
//! cluster of `retort-test-support` (or on `RETORT_TEST_DATABASE_URL`).

#[macro_use]
mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::driver::{Client, Driver, Migrator, connect, db};
use common::{catalog, chain, file, file_with, set, versions};
use retort_core::check::Options;
use retort_runtime::{Config, Direction, Error, Outcome, Target};

fn t(s: &str) -> Target {
    s.parse().expect("target")
}

fn linear_chain_upgrade_downgrade_and_relative_targets(driver: Driver) {
    let set = chain();
    let (_db, mut c) = db(driver);
    let mut m = Migrator::new(&set);

    let steps = m.upgrade(&mut c, &t("+2")).unwrap();
    assert_eq!(
        steps
            .iter()
            .map(|s| s.revision.as_str())
            .collect::<Vec<_>>(),
        ["001", "002"]
    );
    assert_eq!(versions(&mut c), ["001", "002"]);

    m.upgrade(&mut c, &t("00")).unwrap_err(); // ambiguous prefix
    m.upgrade(&mut c, &t("004")).unwrap();
    assert_eq!(
        m.status(&mut c)
            .unwrap()
            .current
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>(),
        ["004"]
    );
    m.upgrade(&mut c, &Target::Head).unwrap();
    assert_eq!(versions(&mut c), ["001", "002", "003", "004", "005"]);
    assert!(
        m.upgrade(&mut c, &Target::Head).unwrap().is_empty(),
        "a second run has nothing to do"
    );

    let down = m.downgrade(&mut c, &t("-1")).unwrap();
    assert_eq!(down[0].revision.as_str(), "005");
    m.downgrade(&mut c, &t("002")).unwrap();
    assert_eq!(versions(&mut c), ["001", "002"]);
    m.downgrade(&mut c, &Target::Base).unwrap();
    assert!(versions(&mut c).is_empty());
    assert!(catalog(&mut c).is_empty(), "{:#?}", catalog(&mut c));
    m.upgrade(&mut c, &t("001+2")).unwrap();
    assert_eq!(versions(&mut c), ["001", "002", "003"]);
}

fn round_trip_leaves_the_same_catalog(driver: Driver) {
    let set = chain();
    let (_db, mut c) = db(driver);
    let mut m = Migrator::new(&set);
    m.upgrade(&mut c, &Target::Head).unwrap();
    let first = catalog(&mut c);
    assert!(
        first.iter().any(|l| l.starts_with("index users_email")),
        "{first:#?}"
    );
    m.downgrade(&mut c, &Target::Base).unwrap();
    assert!(catalog(&mut c).is_empty());
    m.upgrade(&mut c, &Target::Head).unwrap();
    assert_eq!(catalog(&mut c), first);
}

fn branches_and_merges(driver: Driver) {
    // 1 ─ 2a ─┐
    //   └ 2b ─┴ 3 (merge)
    let set = set(
        &[
            file("1", "none", "CREATE TABLE base ();", "DROP TABLE base;"),
            file("2a", "1", "CREATE TABLE a ();", "DROP TABLE a;"),
            file("2b", "1", "CREATE TABLE b ();", "DROP TABLE b;"),
            file(
                "3",
                "2a, 2b",
                "CREATE TABLE merged ();",
                "DROP TABLE merged;",
            ),
        ],
        Options::default(),
    );
    let (_db, mut c) = db(driver);
    let mut m = Migrator::new(&set);
    // Upgrading to the merge applies both branches.
    m.upgrade(&mut c, &t("3")).unwrap();
    let applied: HashSet<String> = versions(&mut c).into_iter().collect();
    assert_eq!(applied, ["1", "2a", "2b", "3"].map(String::from).into());
    // Down to 2a: only what descends from 2a goes, the merge; branch b does not descend from
    // 2a and stays.
    m.downgrade(&mut c, &t("2a")).unwrap();
    let applied: HashSet<String> = versions(&mut c).into_iter().collect();
    assert_eq!(applied, ["1", "2a", "2b"].map(String::from).into());
    // Current: both branch heads.
    let mut current: Vec<String> = m
        .status(&mut c)
        .unwrap()
        .current
        .iter()
        .map(|r| r.to_string())
        .collect();
    current.sort();
    assert_eq!(current, ["2a", "2b"]);
    // Down to 1 reverts both branches.
    m.downgrade(&mut c, &t("1")).unwrap();
    assert_eq!(versions(&mut c), ["1"]);
}

fn a_failing_third_statement_leaves_no_trace(driver: Driver) {
    let set = set(
        &[
            file(
                "1",
                "none",
                "CREATE TABLE kept (id int);",
                "DROP TABLE kept;",
            ),
            file(
                "2",
                "1",
                "CREATE TABLE gone (id int);\nINSERT INTO kept VALUES (1);\nALTER TABLE gone ADD COLUMN x nosuchtype;",
                "DROP TABLE gone;",
            ),
        ],
        Options::default(),
    );
    let (_db, mut c) = db(driver);
    let mut m = Migrator::new(&set);
    let err = m.upgrade(&mut c, &Target::Head).unwrap_err();
    match &err {
        Error::Statement(e) => {
            assert_eq!(e.revision.as_str(), "2");
            assert_eq!(e.statement, 3);
            assert_eq!(e.code, "42704");
            assert_eq!(e.outcome, Outcome::RolledBack);
            assert_eq!(e.path, "migrations/2_m.sql");
            // The file's line of the failing statement, and PostgreSQL's column.
            assert_eq!((e.line, e.column), (7, 31), "{e:?}");
        }
        other => panic!("unexpected error {other:?}"),
    }
    let text = err.render();
    assert!(text.contains("--> migrations/2_m.sql:7:31"), "{text}");
    assert!(
        text.contains("type \"nosuchtype\" does not exist"),
        "{text}"
    );
    let before_rows: i64 = c
        .query_one("SELECT count(*) FROM kept", &[])
        .unwrap()
        .get(0);
    assert_eq!(
        before_rows, 0,
        "the INSERT of the failed migration was rolled back"
    );
    assert_eq!(versions(&mut c), ["1"]);
    let tables: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE tablename = 'gone'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(tables, 0);
}

/// `1` makes table `t`; `2`, outside a transaction, builds indexes `t_x` and `t_x2`
/// concurrently, and drops them in its down section.
fn concurrent_pair() -> retort_core::MigrationSet {
    set(
        &[
            file("1", "none", "CREATE TABLE t (x int);", "DROP TABLE t;"),
            file_with(
                "2",
                "1",
                "-- transaction: false",
                "CREATE INDEX CONCURRENTLY t_x ON t (x);\nCREATE INDEX CONCURRENTLY t_x2 ON t ((x * 2));",
                Some("DROP INDEX CONCURRENTLY t_x2;\nDROP INDEX CONCURRENTLY t_x;"),
            ),
        ],
        Options::default(),
    )
}

fn non_transactional_migration_applies_statement_by_statement(driver: Driver) {
    let set = concurrent_pair();
    let (_db, mut c) = db(driver);
    let mut m = Migrator::new(&set);
    m.upgrade(&mut c, &Target::Head).unwrap();
    assert_eq!(versions(&mut c), ["1", "2"]);
    let idx: i64 = c
        .query_one("SELECT count(*) FROM pg_indexes WHERE tablename = 't'", &[])
        .unwrap()
        .get(0);
    assert_eq!(idx, 2);
    m.downgrade(&mut c, &t("-1")).unwrap();
    assert_eq!(versions(&mut c), ["1"]);
}

fn an_interrupted_non_transactional_migration_blocks_until_stamped(driver: Driver) {
    let set = set(
        &[
            // Duplicates the checker cannot see: the unique index fails only at run time.
            file(
                "1",
                "none",
                "CREATE TABLE t (x int);\nINSERT INTO t VALUES (1), (1);",
                "DROP TABLE t;",
            ),
            file_with(
                "2",
                "1",
                "-- transaction: false",
                "CREATE INDEX CONCURRENTLY t_x ON t (x);\nCREATE UNIQUE INDEX CONCURRENTLY t_u ON t (x);",
                Some("DROP INDEX CONCURRENTLY t_u;\nDROP INDEX CONCURRENTLY t_x;"),
            ),
        ],
        Options::default(),
    );
    let (_db, mut c) = db(driver);
    let mut m = Migrator::new(&set);
    match m.upgrade(&mut c, &Target::Head).unwrap_err() {
        Error::Statement(e) => {
            assert_eq!(e.statement, 2);
            assert_eq!(e.outcome, Outcome::Interrupted { done: 1 });
        }
        other => panic!("unexpected {other:?}"),
    }
    // The next run refuses, naming the revision.
    match m.upgrade(&mut c, &Target::Head).unwrap_err() {
        Error::Interrupted {
            revision,
            done,
            reverting,
        } => {
            assert_eq!((revision.as_str(), done, reverting), ("2", 1, false));
        }
        other => panic!("unexpected {other:?}"),
    }
    // A person finishes it by hand (here: decides the first index is enough) and stamps it.
    m.stamp(&mut c, &t("2")).unwrap();
    assert_eq!(versions(&mut c), ["1", "2"]);
    assert!(m.upgrade(&mut c, &Target::Head).unwrap().is_empty());
}

fn edited_applied_migrations_are_refused_reformatted_ones_are_not(driver: Driver) {
    let original = [file(
        "1",
        "none",
        "CREATE TABLE t (x int); -- first",
        "DROP TABLE t;",
    )];
    let (_db, mut c) = db(driver);
    Migrator::new(&set(&original, Options::default()))
        .upgrade(&mut c, &Target::Head)
        .unwrap();

    let reformatted = set(
        &[file(
            "1",
            "none",
            "create table t (\n    x INT\n);",
            "DROP TABLE t;",
        )],
        Options::default(),
    );
    assert!(
        Migrator::new(&reformatted)
            .upgrade(&mut c, &Target::Head)
            .unwrap()
            .is_empty()
    );

    let edited = set(
        &[file(
            "1",
            "none",
            "CREATE TABLE t (x bigint);",
            "DROP TABLE t;",
        )],
        Options::default(),
    );
    match Migrator::new(&edited)
        .upgrade(&mut c, &Target::Head)
        .unwrap_err()
    {
        Error::Edited(list) => assert_eq!(list[0].0.as_str(), "1"),
        other => panic!("unexpected {other:?}"),
    }
}

fn a_database_ahead_of_the_build_is_reported_and_can_be_reverted(driver: Driver) {
    let (_db, mut c) = db(driver);
    let newer = chain();
    Migrator::new(&newer)
        .upgrade(&mut c, &Target::Head)
        .unwrap();
    // An older build knows only 001–003.
    let older = set(&common::chain_files()[..3], Options::default());
    let mut m = Migrator::new(&older);
    match m.upgrade(&mut c, &Target::Head).unwrap_err() {
        Error::Unknown(revs) => {
            assert_eq!(
                revs.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
                ["004", "005"]
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    let status = m.status(&mut c).unwrap();
    assert!(!status.is_in_sync());
    // The older build can still revert what it has no file for, with the stored down SQL.
    m.downgrade(&mut c, &t("003")).unwrap();
    assert_eq!(versions(&mut c), ["001", "002", "003"]);
    assert!(m.status(&mut c).unwrap().is_in_sync());
}

/// Whether the long variants were asked for (`RETORT_LONG_TESTS=1`).
fn long() -> bool {
    std::env::var("RETORT_LONG_TESTS").is_ok_and(|v| v == "1")
}

/// Longer than any run may take unless runners wait for each other forever: a bound that
/// tells a deadlock (or a lost wake-up) from a slow machine, not a measure of speed.
const DEADLOCK_BOUND: Duration = Duration::from_secs(120);

/// Twenty migrations, each creating a table and logging itself in `applied_log`.
fn race_set() -> retort_core::MigrationSet {
    set(
        &(1..=20)
            .map(|i| {
                let parent = if i == 1 {
                    "none".to_owned()
                } else {
                    format!("{}", i - 1)
                };
                let log = if i == 1 {
                    "CREATE TABLE applied_log (i int);\n"
                } else {
                    ""
                };
                file(
                    &i.to_string(),
                    &parent,
                    &format!(
                        "{log}CREATE TABLE t{i} (x int);\nINSERT INTO applied_log VALUES ({i});"
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

fn thirty_two_concurrent_runners_apply_each_migration_once(driver: Driver) {
    const RUNNERS: usize = 32;
    let rounds = if long() { 20 } else { 3 };
    let set = std::sync::Arc::new(race_set());
    let mut slowest = Duration::ZERO;
    let all = std::time::Instant::now();
    for round in 0..rounds {
        let db = std::sync::Arc::new(retort_test_support::database().unwrap());
        // Every runner connects first, then all start at once.
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(RUNNERS));
        let (tx, rx) = std::sync::mpsc::channel();
        for runner in 0..RUNNERS {
            let (set, db, barrier, tx) = (set.clone(), db.clone(), barrier.clone(), tx.clone());
            std::thread::spawn(move || {
                let mut c = connect(driver, &db);
                barrier.wait();
                let start = std::time::Instant::now();
                let result = Migrator::new(&set)
                    .upgrade(&mut c, &Target::Head)
                    .map(|steps| steps.len());
                let _ = tx.send((runner, result, start.elapsed()));
            });
        }
        drop(tx);
        let mut applied = 0;
        let deadline = std::time::Instant::now() + DEADLOCK_BOUND;
        for _ in 0..RUNNERS {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let (runner, result, took) = rx.recv_timeout(left).unwrap_or_else(|_| {
                panic!("round {round}: runners still waiting after {DEADLOCK_BOUND:?}: a deadlock")
            });
            applied += result.unwrap_or_else(|e| panic!("round {round}: runner {runner}: {e}"));
            slowest = slowest.max(took);
        }
        assert_eq!(applied, 20, "round {round}: steps reported in all");
        let mut c = connect(driver, &db);
        let (n, distinct): (i64, i64) = c
            .query_one(
                "SELECT count(*), count(DISTINCT i) FROM applied_log WHERE i BETWEEN 1 AND 20",
                &[],
            )
            .map(|r| (r.get(0), r.get(1)))
            .unwrap();
        assert_eq!(
            (n, distinct),
            (20, 20),
            "round {round}: each ran exactly once"
        );
        let tables: i64 = c
            .query_one(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename ~ '^t[0-9]+$'",
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(tables, 20, "round {round}");
        let expected: Vec<String> = (1..=20).map(|i| i.to_string()).collect();
        assert_eq!(versions(&mut c), expected, "round {round}");
        let locks: i64 = c
            .query_one(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' \
                 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(locks, 0, "round {round}: no lock left behind");
    }
    eprintln!(
        "{rounds} rounds of {RUNNERS} runners in {:.1?}; the slowest runner took {slowest:.1?}",
        all.elapsed()
    );
}

fn a_held_lock_times_out_naming_its_holder(driver: Driver) {
    let set = chain();
    let (db, mut c) = db(driver);
    let config = Config::new().lock_timeout(Duration::from_millis(300));
    let mut holder = connect(driver, &db);
    holder
        .batch_execute("SET application_name = 'other-deploy'")
        .unwrap();
    let pid: i32 = holder
        .query_one("SELECT pg_backend_pid()", &[])
        .unwrap()
        .get(0);
    holder
        .query_one("SELECT pg_advisory_lock($1)", &[&config.lock_key()])
        .unwrap();
    let started = std::time::Instant::now();
    let err = Migrator::new(&set)
        .with_config(config.clone())
        .upgrade(&mut c, &Target::Head)
        .unwrap_err();
    // It waited the whole timeout (a lower bound only: a busy machine may take longer).
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(300),
        "gave up after {waited:?}"
    );
    match &err {
        Error::LockTimeout {
            holder: Some(h),
            waited,
            table,
        } => {
            assert_eq!(h.pid, pid);
            assert_eq!(h.application, "other-deploy");
            assert_eq!(*waited, Duration::from_millis(300));
            assert_eq!(table, "retort_migrations");
        }
        other => panic!("unexpected {other:?}"),
    }
    let text = err.render();
    assert!(
        text.starts_with(&format!(
            "error[db-lock-timeout]: another migration run holds the lock on `retort_migrations` (backend pid \
             {pid}, application `other-deploy`"
        )) && text.contains("gave up after 300ms"),
        "{text}"
    );
    assert!(
        text.contains("help: wait for the other run to finish")
            && text.contains("pg_terminate_backend"),
        "{text}"
    );
    assert!(versions(&mut c).is_empty(), "nothing ran");
    drop(holder);
    Migrator::new(&set)
        .with_config(config)
        .upgrade(&mut c, &Target::Head)
        .unwrap();
}

fn the_lock_is_released_after_an_error_and_after_a_panic(driver: Driver) {
    let set = chain();
    let (db, mut c) = db(driver);
    let edited_later = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        Migrator::new(&set)
            .on_progress(|_, _, _| panic!("callback panics"))
            .upgrade(&mut c, &Target::Head)
    }));
    assert!(edited_later.is_err());
    let mut other = connect(driver, &db);
    let key = Config::new().lock_key();
    let free: bool = other
        .query_one("SELECT pg_try_advisory_lock($1)", &[&key])
        .unwrap()
        .get(0);
    assert!(free, "the panicking run released the lock");
}

fn irreversible_migrations_stop_a_downgrade_before_anything_runs(driver: Driver) {
    let set = set(
        &[
            file("1", "none", "CREATE TABLE t (x int);", "DROP TABLE t;"),
            file_with(
                "2",
                "1",
                "-- irreversible: drops data",
                "ALTER TABLE t DROP COLUMN x;",
                None,
            ),
            file("3", "2", "CREATE TABLE u ();", "DROP TABLE u;"),
        ],
        Options::default(),
    );
    let (_db, mut c) = db(driver);
    let mut m = Migrator::new(&set);
    m.upgrade(&mut c, &Target::Head).unwrap();
    match m.downgrade(&mut c, &Target::Base).unwrap_err() {
        Error::Irreversible { revision, reason } => {
            assert_eq!((revision.as_str(), reason.as_str()), ("2", "drops data"))
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(versions(&mut c), ["1", "2", "3"], "not even 3 was reverted");
}

/// An identifier quoted by hand, independently of the runtime's own quoting.
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn configured_table_and_schema_with_odd_names(driver: Driver) {
    let set = chain();
    // 63 bytes, PostgreSQL's longest name: 31 two-byte letters and one more byte.
    let longest = format!("{}x", "é".repeat(31));
    assert_eq!(longest.len(), 63);
    let names: Vec<(Option<&str>, &str)> = vec![
        (Some("ops \"x\""), "versions; drop"),
        (Some("a.b"), "c"),
        (Some("a"), "b.c"),
        (Some("Upper Case"), "MixedCase"),
        (None, "it's; \\ \"quoted\".name"),
        (Some("$1"), "--"),
        (None, &longest),
    ];
    for (schema, table) in names {
        let (_db, mut c) = db(driver);
        let mut config = Config::new().table(table).unwrap();
        if let Some(schema) = schema {
            config = config.schema(schema).unwrap();
        }
        let mut m = Migrator::new(&set).with_config(config.clone());
        m.upgrade(&mut c, &Target::Head).unwrap();
        // The table has exactly the name given, in exactly the schema given.
        let (got_schema, got_table): (String, String) = c
            .query_one(
                "SELECT n.nspname::text, c.relname::text FROM pg_class c \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE c.relname = $1 AND c.relkind = 'r'",
                &[&table],
            )
            .map(|r| (r.get(0), r.get(1)))
            .unwrap_or_else(|e| panic!("{schema:?}.{table:?}: {e}"));
        assert_eq!(got_table, table);
        assert_eq!(got_schema, schema.unwrap_or("public"));
        let qualified = match schema {
            Some(s) => format!("{}.{}", quote(s), quote(table)),
            None => quote(table),
        };
        let n: i64 = c
            .query_one(&format!("SELECT count(*) FROM {qualified}"), &[])
            .unwrap()
            .get(0);
        assert_eq!(n, 5, "{qualified}");
        assert!(m.status(&mut c).unwrap().is_in_sync(), "{qualified}");
        // Nothing else was created by the name's pieces.
        let other: i64 = c
            .query_one(
                "SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relnamespace NOT IN \
                 (SELECT oid FROM pg_namespace WHERE nspname IN ('pg_catalog', \
                  'information_schema', 'pg_toast')) AND relname NOT IN ('users', 'posts')",
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(
            other, 2,
            "{qualified}: only the version table and its head table besides the chain's"
        );
        // The head cache sits beside it, named after it, and holds the key of this state.
        let head = match schema {
            Some(s) => format!("{}.{}", quote(s), quote(config.head_table_name().as_str())),
            None => quote(config.head_table_name().as_str()),
        };
        let keyed: bool = c
            .query_one(&format!("SELECT key IS NOT NULL FROM {head}"), &[])
            .unwrap_or_else(|e| panic!("{head}: {e}"))
            .get(0);
        assert!(keyed, "{head}");
        assert!(m.upgrade(&mut c, &Target::Head).unwrap().is_empty());
        m.downgrade(&mut c, &Target::Base).unwrap();
        let n: i64 = c
            .query_one(&format!("SELECT count(*) FROM {qualified}"), &[])
            .unwrap()
            .get(0);
        assert_eq!(n, 0, "{qualified}");
        // The offline script writes the same name the same way.
        let script = m.upgrade_script(None, &Target::Head).unwrap();
        assert!(
            script.contains(&format!("INSERT INTO {qualified} ")),
            "{script}"
        );
    }
    // Longer than 63 bytes would be cut short by PostgreSQL, and silently name another
    // table: refused, saying why. So are empty names and NUL characters.
    let too_long = format!("{longest}y");
    let err = Config::new().table(&too_long).unwrap_err();
    assert!(
        err.to_string()
            .contains("longer than PostgreSQL's 63-byte limit"),
        "{err}"
    );
    assert!(Config::new().schema(&"s".repeat(64)).is_err());
    assert!(Config::new().table("").is_err());
    assert!(Config::new().schema("a\0b").is_err());
}

/// A migration built by hand (the file format cannot hold a line break in a message).
fn hand_made(
    rev: &str,
    parents: &[&str],
    message: &str,
    up: &str,
    down: &str,
    transactional: bool,
) -> retort_core::Migration {
    retort_core::Migration::new(retort_core::MigrationParts {
        revision: retort_core::Revision::parse(rev).unwrap(),
        down_revisions: parents
            .iter()
            .map(|p| retort_core::Revision::parse(p).unwrap())
            .collect(),
        message: message.to_owned(),
        up_sql: up.to_owned(),
        down_sql: Some(down.to_owned()),
        irreversible: None,
        transactional,
        path: format!("migrations/{rev}_odd\n.sql"),
        up_line: 4,
        down_line: 7,
        environments: Vec::new(),
    })
}

fn messages_and_sql_reach_the_database_unchanged_online_and_offline(driver: Driver) {
    // Quotes, backslashes, dollar quotes, a line break that would end a `--` comment, and
    // what psql would read as a variable or a meta-command outside a literal.
    let nasty = "it's a \\ back\\slash, $$ dollars $$ and $q$ tags $q$, 'quoted'\n\
                 DROP TABLE victim; -- :var :'var' \\i /dev/null \\! echo hi";
    let set = retort_core::MigrationSet::from_ordered(vec![
        hand_made(
            "1",
            &[],
            nasty,
            "CREATE TABLE odd (x text);",
            "DROP TABLE odd; -- it's $$ \\",
            true,
        ),
        hand_made(
            "2",
            &["1"],
            &format!("{nasty} (outside a transaction)"),
            "CREATE INDEX CONCURRENTLY odd_x ON odd (x);",
            "DROP INDEX CONCURRENTLY odd_x;",
            false,
        ),
    ])
    .unwrap();
    let stored = |c: &mut Client| -> Vec<(String, String, Option<String>)> {
        c.query(
            "SELECT revision, message, down_sql FROM retort_migrations ORDER BY seq",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect()
    };
    let expected: Vec<(String, String, Option<String>)> = set
        .iter()
        .map(|m| {
            (
                m.revision().to_string(),
                m.message().to_owned(),
                m.down_sql().map(str::to_owned),
            )
        })
        .collect();
    let victim = |c: &mut Client| -> bool {
        c.query_one("SELECT to_regclass('victim') IS NOT NULL", &[])
            .unwrap()
            .get(0)
    };

    // Online: values travel as literals, in the message that runs the migration.
    let (_online_db, mut online) = db(driver);
    online.batch_execute("CREATE TABLE victim ()").unwrap();
    Migrator::new(&set)
        .upgrade(&mut online, &Target::Head)
        .unwrap();
    assert_eq!(stored(&mut online), expected);
    assert!(victim(&mut online));

    // Offline: literals escaped, comments kept on their line; psql runs it as written.
    let (offline_db, mut offline) = db(driver);
    offline.batch_execute("CREATE TABLE victim ()").unwrap();
    let m = Migrator::new(&set);
    let up = m.upgrade_script(None, &Target::Head).unwrap();
    // The comment above each migration holds its message on one line.
    let heading = up
        .lines()
        .find(|l| l.starts_with("-- 1: it's a"))
        .unwrap_or_else(|| panic!("{up}"));
    assert!(
        heading.contains("'quoted' DROP TABLE victim; -- :var"),
        "{heading}"
    );
    let psql = |script: &str| {
        let out = offline_db.psql_script(script).unwrap();
        assert!(
            out.status.success(),
            "psql failed: {}\n{script}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains("hi"),
            "a meta-command ran"
        );
    };
    psql(&up);
    assert_eq!(stored(&mut offline), expected);
    assert!(victim(&mut offline));
    assert!(
        Migrator::new(&set)
            .status(&mut offline)
            .unwrap()
            .is_in_sync()
    );
    // The downgrade script, whose comments carry the messages too.
    psql(&m.downgrade_script(None, &Target::Base).unwrap());
    assert!(stored(&mut offline).is_empty());
    assert!(victim(&mut offline));
    let odd: bool = offline
        .query_one("SELECT to_regclass('odd') IS NULL", &[])
        .unwrap()
        .get(0);
    assert!(odd, "the downgrade script reverted both");
}

fn the_offline_script_gives_the_online_result(driver: Driver) {
    let set = chain();
    let (online_db, mut online) = db(driver);
    Migrator::new(&set)
        .upgrade(&mut online, &Target::Head)
        .unwrap();
    let (offline_db, mut offline) = db(driver);
    let script = Migrator::new(&set)
        .upgrade_script(None, &Target::Head)
        .unwrap();
    let out = offline_db.psql_script(&script).unwrap();
    assert!(
        out.status.success(),
        "psql failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(catalog(&mut offline), catalog(&mut online));
    let rows = |c: &mut Client| -> Vec<String> {
        c.query(
            "SELECT revision || ' ' || down_revisions::text || ' ' || checksum || ' ' || coalesce(down_sql, '') || ' ' || state \
             FROM retort_migrations ORDER BY seq",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
    };
    assert_eq!(rows(&mut offline), rows(&mut online));
    assert!(
        Migrator::new(&set)
            .status(&mut offline)
            .unwrap()
            .is_in_sync()
    );
    // And the downgrade script takes it back to nothing.
    let down = Migrator::new(&set)
        .downgrade_script(None, &Target::Base)
        .unwrap();
    let out = offline_db.psql_script(&down).unwrap();
    assert!(
        out.status.success(),
        "psql failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(catalog(&mut offline).is_empty());
    drop(online_db);
}

fn a_failure_without_a_position_is_traced_to_its_statement(driver: Driver) {
    // A unique violation carries no position: the statement is found by running the section
    // again statement by statement, after the savepoint, inside the same transaction; in
    // single-transaction mode the migration before it in the run must still be there then.
    let set = set(
        &[
            file(
                "1",
                "none",
                "CREATE TABLE t (x int UNIQUE);",
                "DROP TABLE t;",
            ),
            file(
                "2",
                "1",
                "INSERT INTO t VALUES (1);\nINSERT INTO t VALUES (2);\nINSERT INTO t VALUES (1);",
                "DELETE FROM t;",
            ),
        ],
        Options::default(),
    );
    for single in [false, true] {
        let (_db, mut c) = db(driver);
        let err = Migrator::new(&set)
            .single_transaction(single)
            .upgrade(&mut c, &Target::Head)
            .unwrap_err();
        match &err {
            Error::Statement(e) => {
                assert_eq!(
                    (e.revision.as_str(), e.statement, e.code.as_str()),
                    ("2", 3, "23505")
                );
                assert_eq!(e.line, 7, "{e:?}");
            }
            other => panic!("unexpected {other:?}"),
        }
        let expected: &[&str] = if single { &[] } else { &["1"] };
        assert_eq!(versions(&mut c), expected, "single transaction: {single}");
    }
}

fn a_dry_run_runs_everything_and_keeps_nothing(driver: Driver) {
    let set = chain();
    let (_db, mut c) = db(driver);
    let steps = Migrator::new(&set)
        .dry_run(true)
        .upgrade(&mut c, &Target::Head)
        .unwrap();
    assert_eq!(steps.len(), 5);
    assert!(versions(&mut c).is_empty());
    assert!(catalog(&mut c).is_empty());
    // Not even the version table stays.
    let table: Option<String> = c
        .query_one("SELECT to_regclass('retort_migrations')::text", &[])
        .unwrap()
        .get(0);
    assert_eq!(table, None);
    // A dry run still reports a failing statement.
    let broken = set_with_broken_third();
    match Migrator::new(&broken)
        .dry_run(true)
        .upgrade(&mut c, &Target::Head)
        .unwrap_err()
    {
        Error::Statement(e) => assert_eq!((e.revision.as_str(), e.statement), ("2", 2)),
        other => panic!("unexpected {other:?}"),
    }
    // Downgrades too.
    Migrator::new(&set).upgrade(&mut c, &Target::Head).unwrap();
    let before = catalog(&mut c);
    let down = Migrator::new(&set)
        .dry_run(true)
        .downgrade(&mut c, &Target::Base)
        .unwrap();
    assert_eq!(down.len(), 5);
    assert_eq!(versions(&mut c).len(), 5);
    assert_eq!(catalog(&mut c), before);
}

fn set_with_broken_third() -> retort_core::MigrationSet {
    set(
        &[
            file(
                "1",
                "none",
                "CREATE TABLE t (x int UNIQUE);",
                "DROP TABLE t;",
            ),
            file(
                "2",
                "1",
                "INSERT INTO t VALUES (1);\nINSERT INTO t VALUES (1);",
                "DELETE FROM t;",
            ),
        ],
        Options::default(),
    )
}

/// Waits until no session but `c`'s is left on its database and no advisory lock is held:
/// a cut runner's session has ended (and, if it was to, committed).
fn wait_alone(c: &mut Client) {
    let start = std::time::Instant::now();
    loop {
        let others: i64 = c
            .query_one(
                "SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
                   AND pid <> pg_backend_pid() AND backend_type = 'client backend') \
                 + (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory')",
                &[],
            )
            .unwrap()
            .get(0);
        if others == 0 {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "a cut session lingers"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn commit_cut_set() -> retort_core::MigrationSet {
    set(
        &[
            file(
                "1",
                "none",
                "CREATE TABLE log (rev text NOT NULL);",
                "DROP TABLE log;",
            ),
            file(
                "2",
                "1",
                "INSERT INTO log VALUES ('2');\nCREATE TABLE t2 ();",
                "DROP TABLE t2;\nDELETE FROM log WHERE rev = '2';",
            ),
            file(
                "3",
                "2",
                "INSERT INTO log VALUES ('3');\nCREATE TABLE t3 ();",
                "DROP TABLE t3;\nDELETE FROM log WHERE rev = '3';",
            ),
        ],
        Options::default(),
    )
}

fn log_count(c: &mut Client, rev: &str) -> i64 {
    c.query_one("SELECT count(*) FROM log WHERE rev = $1", &[&rev])
        .unwrap()
        .get(0)
}

fn table_exists(c: &mut Client, name: &str) -> bool {
    c.query_one("SELECT to_regclass($1) IS NOT NULL", &[&name])
        .unwrap()
        .get(0)
}

fn a_connection_lost_at_commit_names_the_migration_and_the_next_run_converges(driver: Driver) {
    use retort_test_support::{CommitCut, CutProxy};
    let set = commit_cut_set();
    for how in [CommitCut::AfterForwarding, CommitCut::BeforeForwarding] {
        let committed = how == CommitCut::AfterForwarding;
        // Upgrade: the second COMMIT through the proxy is migration 2's.
        let (db, mut c) = db(driver);
        let proxy = CutProxy::start(&db, 2, how).unwrap();
        let mut through = Client::connect(driver, &proxy.url()).unwrap();
        let err = Migrator::new(&set)
            .upgrade(&mut through, &Target::Head)
            .unwrap_err();
        assert!(proxy.has_cut(), "{how:?}: {err:?}");
        match &err {
            Error::Commit {
                revisions,
                direction: Direction::Up,
                lost: true,
                ..
            } => assert_eq!(revisions.len(), 1, "{err:?}"),
            other => panic!("{how:?}: unexpected {other:?}"),
        }
        let text = err.render();
        assert!(
            text.starts_with(
                "error[db-commit-lost]: the connection to the database was lost while committing migration \
                 `2`: it may or may not have been applied"
            ),
            "{text}"
        );
        assert!(
            text.contains("`retort current` shows whether `2` is applied")
                && text.contains("the next `retort upgrade` reads the table"),
            "{text}"
        );
        wait_alone(&mut c);
        // The table says what happened, whichever it was.
        let expected: &[&str] = if committed { &["1", "2"] } else { &["1"] };
        assert_eq!(versions(&mut c), expected, "{how:?}");
        assert_eq!(log_count(&mut c, "2"), i64::from(committed), "{how:?}");
        // The next run goes on from there: each migration applied exactly once.
        let steps = Migrator::new(&set).upgrade(&mut c, &Target::Head).unwrap();
        assert_eq!(steps.len(), if committed { 1 } else { 2 }, "{how:?}");
        assert_eq!(versions(&mut c), ["1", "2", "3"]);
        assert_eq!((log_count(&mut c, "2"), log_count(&mut c, "3")), (1, 1));
        drop(proxy);

        // Downgrade: the first COMMIT through a new proxy is migration 3's revert.
        let proxy = CutProxy::start(&db, 1, how).unwrap();
        let mut through = Client::connect(driver, &proxy.url()).unwrap();
        let err = Migrator::new(&set)
            .downgrade(&mut through, &Target::Base)
            .unwrap_err();
        assert!(proxy.has_cut());
        assert!(
            matches!(&err, Error::Commit { direction: Direction::Down, lost: true, revisions, .. } if revisions[0].as_str() == "3"),
            "{err:?}"
        );
        let text = err.render();
        assert!(
            text.contains("while committing migration `3`: it may or may not have been reverted")
                && text.contains("the next `retort downgrade` reads the table"),
            "{text}"
        );
        wait_alone(&mut c);
        let expected: &[&str] = if committed {
            &["1", "2"]
        } else {
            &["1", "2", "3"]
        };
        assert_eq!(versions(&mut c), expected, "{how:?}");
        assert_eq!(table_exists(&mut c, "t3"), !committed);
        Migrator::new(&set).downgrade(&mut c, &t("1")).unwrap();
        assert_eq!(versions(&mut c), ["1"]);
        assert!(!table_exists(&mut c, "t2") && !table_exists(&mut c, "t3"));
        assert_eq!((log_count(&mut c, "2"), log_count(&mut c, "3")), (0, 0));
    }
}

fn a_connection_lost_at_the_single_transactions_commit_names_every_migration(driver: Driver) {
    use retort_test_support::{CommitCut, CutProxy};
    let set = commit_cut_set();
    let (db, mut c) = db(driver);
    let proxy = CutProxy::start(&db, 1, CommitCut::AfterForwarding).unwrap();
    let mut through = Client::connect(driver, &proxy.url()).unwrap();
    let err = Migrator::new(&set)
        .single_transaction(true)
        .upgrade(&mut through, &Target::Head)
        .unwrap_err();
    assert!(proxy.has_cut());
    let text = err.render();
    assert!(
        text.contains(
            "while committing the run's transaction (`1`, `2`, `3`): they may or may not have \
             been applied"
        ),
        "{text}"
    );
    wait_alone(&mut c);
    assert_eq!(versions(&mut c), ["1", "2", "3"]);
    assert!(
        Migrator::new(&set)
            .upgrade(&mut c, &Target::Head)
            .unwrap()
            .is_empty()
    );
}

fn a_connection_lost_while_recording_progress_says_how_far_it_got(driver: Driver) {
    let set = concurrent_pair();
    let (db, mut c) = db(driver);
    Migrator::new(&set).upgrade(&mut c, &t("1")).unwrap();
    // The runner's session ends itself as the version table is told of progress: the
    // statement ran, the write that records it is lost with the session.
    c.batch_execute(
        "CREATE FUNCTION die() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
           PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$",
    )
    .unwrap();
    // As the migration starts: nothing of it ran, and the table does not have it.
    c.batch_execute(
        "CREATE TRIGGER die BEFORE INSERT ON retort_migrations FOR EACH ROW \
         WHEN (NEW.state = 'started') EXECUTE FUNCTION die()",
    )
    .unwrap();
    let err = Migrator::new(&set)
        .upgrade(&mut connect(driver, &db), &Target::Head)
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Record {
                section: Direction::Up,
                ran: 0,
                lost: true,
                ..
            }
        ),
        "{err:?}"
    );
    let text = err.render();
    assert!(
        text.contains("while recording that `2`'s up section was starting: ")
            && text.contains("none of its statements ran"),
        "{text}"
    );
    wait_alone(&mut c);
    assert_eq!(versions(&mut c), ["1"]);
    assert!(!table_exists(&mut c, "t_x"));
    // After the first statement.
    c.batch_execute(
        "DROP TRIGGER die ON retort_migrations; \
         CREATE TRIGGER die BEFORE UPDATE ON retort_migrations FOR EACH ROW \
         WHEN (NEW.statements_done = 1) EXECUTE FUNCTION die()",
    )
    .unwrap();
    let mut runner = connect(driver, &db);
    let err = Migrator::new(&set)
        .upgrade(&mut runner, &Target::Head)
        .unwrap_err();
    match &err {
        Error::Record {
            section: Direction::Up,
            ran: 1,
            total: 2,
            recorded: 0,
            lost: true,
            ..
        } => {}
        other => panic!("unexpected {other:?}"),
    }
    let text = err.render();
    assert!(
        text.starts_with(
            "error[db-record-failed]: the connection to the database was lost while recording that statement 1 \
             of `2`'s up section ran: "
        ) && text.contains("counts 0 of its statements as done")
            && text.contains("Statement 1 and every one before it took effect, none after it")
            && text.contains("`retort stamp 2`"),
        "{text}"
    );
    wait_alone(&mut c);
    let row: (String, i32) = c
        .query_one(
            "SELECT state, statements_done FROM retort_migrations WHERE revision = '2'",
            &[],
        )
        .map(|r| (r.get(0), r.get(1)))
        .unwrap();
    assert_eq!(row, ("started".to_owned(), 0), "as the message says");
    assert!(table_exists(&mut c, "t_x") && !table_exists(&mut c, "t_x2"));
    match Migrator::new(&set)
        .upgrade(&mut c, &Target::Head)
        .unwrap_err()
    {
        Error::Interrupted { done: 0, .. } => {}
        other => panic!("unexpected {other:?}"),
    }
    // Settled by hand as the help says: finish it, stamp it.
    c.batch_execute("DROP TRIGGER die ON retort_migrations; CREATE INDEX t_x2 ON t ((x * 2))")
        .unwrap();
    Migrator::new(&set).stamp(&mut c, &t("2")).unwrap();

    // Reverting: every down statement runs, the row's removal is lost with the session.
    c.batch_execute(
        "CREATE TRIGGER die BEFORE DELETE ON retort_migrations FOR EACH ROW EXECUTE FUNCTION die()",
    )
    .unwrap();
    let mut runner = connect(driver, &db);
    let err = Migrator::new(&set)
        .downgrade(&mut runner, &t("1"))
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Record {
                section: Direction::Down,
                ran: 2,
                total: 2,
                recorded: 2,
                lost: true,
                ..
            }
        ),
        "{err:?}"
    );
    let text = err.render();
    assert!(
        text.contains("while recording that `2`'s down section ran (all 2 statements): ")
            && text.contains("finish reverting by hand"),
        "{text}"
    );
    wait_alone(&mut c);
    assert!(!table_exists(&mut c, "t_x") && !table_exists(&mut c, "t_x2"));
    match Migrator::new(&set).downgrade(&mut c, &t("1")).unwrap_err() {
        Error::Interrupted {
            done: 2,
            reverting: true,
            ..
        } => {}
        other => panic!("unexpected {other:?}"),
    }
    c.batch_execute("DROP TRIGGER die ON retort_migrations")
        .unwrap();
    Migrator::new(&set).stamp(&mut c, &t("1")).unwrap();
    assert_eq!(versions(&mut c), ["1"]);
}

fn a_connection_lost_before_a_transactional_migration_commits_leaves_nothing_of_it(driver: Driver) {
    let set = chain();
    let (db, mut c) = db(driver);
    Migrator::new(&set).upgrade(&mut c, &t("001")).unwrap();
    // The session ends as 003's row is written, inside its transaction, before COMMIT.
    c.batch_execute(
        "CREATE FUNCTION die() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
           PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$; \
         CREATE TRIGGER die BEFORE INSERT ON retort_migrations FOR EACH ROW \
           WHEN (NEW.revision = '003') EXECUTE FUNCTION die()",
    )
    .unwrap();
    let mut reported = Vec::new();
    let err = Migrator::new(&set)
        .on_progress(|m, _, step| {
            if step.is_some() {
                reported.push(m.revision().to_string());
            }
        })
        .upgrade(&mut connect(driver, &db), &Target::Head)
        .unwrap_err();
    // The row is written in the message that runs 003's SQL: the session ended somewhere in
    // that message, before its COMMIT was sent.
    match &err {
        Error::Statement(e) => {
            assert_eq!(e.revision.as_str(), "003");
            assert!(e.connection_lost, "{e:?}");
            assert_eq!(e.outcome, Outcome::RolledBack);
        }
        other => panic!("unexpected {other:?}"),
    }
    let text = err.render();
    assert!(
        text.contains(
            "help: the connection to the database was lost while `003` ran: nothing of it was \
             applied (its transaction ended with the session)"
        ),
        "{text}"
    );
    wait_alone(&mut c);
    assert_eq!(reported, ["002"]);
    assert_eq!(
        versions(&mut c),
        ["001", "002"],
        "what was reported, nothing else"
    );
    assert!(!table_exists(&mut c, "posts"), "nothing of 003");
    c.batch_execute("DROP TRIGGER die ON retort_migrations")
        .unwrap();
    Migrator::new(&set).upgrade(&mut c, &Target::Head).unwrap();
    assert_eq!(versions(&mut c).len(), 5);
}

both_drivers!(
    linear_chain_upgrade_downgrade_and_relative_targets,
    round_trip_leaves_the_same_catalog,
    branches_and_merges,
    a_failing_third_statement_leaves_no_trace,
    non_transactional_migration_applies_statement_by_statement,
    an_interrupted_non_transactional_migration_blocks_until_stamped,
    edited_applied_migrations_are_refused_reformatted_ones_are_not,
    a_database_ahead_of_the_build_is_reported_and_can_be_reverted,
    thirty_two_concurrent_runners_apply_each_migration_once,
    a_held_lock_times_out_naming_its_holder,
    the_lock_is_released_after_an_error_and_after_a_panic,
    irreversible_migrations_stop_a_downgrade_before_anything_runs,
    configured_table_and_schema_with_odd_names,
    messages_and_sql_reach_the_database_unchanged_online_and_offline,
    the_offline_script_gives_the_online_result,
    a_failure_without_a_position_is_traced_to_its_statement,
    a_dry_run_runs_everything_and_keeps_nothing,
    a_connection_lost_at_commit_names_the_migration_and_the_next_run_converges,
    a_connection_lost_at_the_single_transactions_commit_names_every_migration,
    a_connection_lost_while_recording_progress_says_how_far_it_got,
    a_connection_lost_before_a_transactional_migration_commits_leaves_nothing_of_it,
);
