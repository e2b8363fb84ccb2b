//! A transactional migration and its version row travel as one message (`BEGIN`, the SQL,
//! the row's INSERT as literals), its `COMMIT` as the next: what that must keep, against a
//! real PostgreSQL, on both drivers. A failing statement is still located in its file and
//! nothing of the migration stays; a failing row write or commit is told apart from a failing
//! statement; the row holds exactly what the migration says, whatever its text.

#[macro_use]
mod common;

use std::time::Duration;

use common::driver::{Client, Driver, Migrator, db};
use common::{file, set, versions};
use retort_core::check::{Input, Options};
use retort_core::codes::Code;
use retort_core::{Migration, MigrationParts, MigrationSet, Revision};
use retort_runtime::{Config, Direction, Error, Outcome, Target};

fn exists(c: &mut Client, name: &str) -> bool {
    c.query_one("SELECT to_regclass($1) IS NOT NULL", &[&name])
        .unwrap()
        .get(0)
}

fn count(c: &mut Client, sql: &str) -> i64 {
    c.query_one(sql, &[]).unwrap().get(0)
}

/// `1` makes `kept`; `2` makes `gone`, writes a row to `kept`, then `third` (its third
/// statement, on line 7 of its file), then makes `after`; `3` makes `later`.
fn failing_third(third: &str) -> MigrationSet {
    let files: Vec<Input> = vec![
        file(
            "1",
            "none",
            "CREATE TABLE kept (id int UNIQUE, note text);",
            "DROP TABLE kept;",
        ),
        file(
            "2",
            "1",
            &format!(
                "CREATE TABLE gone (x int); -- ü, ß: characters of two bytes before the error\n\
                 INSERT INTO kept VALUES (1, 'één');\n\
                 {third}\n\
                 CREATE TABLE after (x int);"
            ),
            "DROP TABLE after;\nDELETE FROM kept;\nDROP TABLE gone;",
        ),
        file("3", "2", "CREATE TABLE later (x int);", "DROP TABLE later;"),
    ];
    set(&files, Options::default())
}

fn a_statement_failing_mid_migration_is_located_and_nothing_of_it_stays(driver: Driver) {
    // PostgreSQL points at the column (a position in the message, past `BEGIN` and any
    // `SET LOCAL`, counted in characters); a duplicate key carries no position, and the
    // statement is found by running the section again.
    let cases = [
        ("SELECT 'é' AS é, nosuch FROM kept;", "42703", Some(18)),
        ("INSERT INTO kept VALUES (1, 'again');", "23505", None),
    ];
    for (third, code, column) in cases {
        let set = failing_third(third);
        let modes: [(&str, bool, bool, Option<Duration>); 4] = [
            ("a transaction each", false, false, None),
            (
                "a transaction each, with a lock timeout",
                false,
                false,
                Some(Duration::from_secs(7)),
            ),
            ("single transaction", true, false, None),
            ("dry run", false, true, None),
        ];
        for (mode, single, dry, lock_timeout) in modes {
            let (_db, mut c) = db(driver);
            let mut config = Config::default();
            if let Some(t) = lock_timeout {
                config = config.statement_lock_timeout(t);
            }
            let err = Migrator::new(&set)
                .with_config(config)
                .single_transaction(single)
                .dry_run(dry)
                .upgrade(&mut c, &Target::Head)
                .unwrap_err();
            match &err {
                Error::Statement(e) => {
                    assert_eq!(
                        (e.revision.as_str(), e.statement, e.code.as_str()),
                        ("2", 3, code),
                        "{mode}: {e:?}"
                    );
                    assert_eq!(e.outcome, Outcome::RolledBack, "{mode}");
                    assert!(!e.connection_lost, "{mode}");
                    assert_eq!(e.sql, third, "{mode}");
                    assert_eq!(e.line, 7, "{mode}: {e:?}");
                    if let Some(column) = column {
                        assert_eq!(e.column, column, "{mode}: {e:?}");
                        let text = err.render();
                        assert!(
                            text.contains(&format!("--> migrations/2_m.sql:7:{column}")),
                            "{mode}: {text}"
                        );
                    }
                }
                other => panic!("{mode}: unexpected {other:?}"),
            }
            // Nothing of 2 stays, nor of 3, which never ran; 1 stays unless the run was one
            // transaction.
            let expected: &[&str] = if single || dry { &[] } else { &["1"] };
            assert_eq!(versions(&mut c), expected, "{mode}");
            assert!(
                !exists(&mut c, "gone") && !exists(&mut c, "after"),
                "{mode}"
            );
            assert!(!exists(&mut c, "later"), "{mode}");
            if exists(&mut c, "kept") {
                assert_eq!(count(&mut c, "SELECT count(*) FROM kept"), 0, "{mode}");
            }
            // Nothing is left open on the session: the next run goes on from there.
            c.batch_execute("DROP TABLE IF EXISTS kept").unwrap();
            c.batch_execute("DELETE FROM retort_migrations").ok();
            let ok = failing_third("SELECT 1;");
            Migrator::new(&ok).upgrade(&mut c, &Target::Head).unwrap();
            assert_eq!(versions(&mut c), ["1", "2", "3"], "{mode}");
        }
    }
}

/// What the version table holds of a migration: revision, message, down SQL, why it is
/// irreversible, parents, checksum.
type StoredRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Vec<String>,
    String,
);

/// A migration made in code, as a program may build one (not through the build's checks).
fn made(rev: &str, parents: &[&str], message: &str, up: &str, down: Option<&str>) -> Migration {
    Migration::new(MigrationParts {
        revision: Revision::parse(rev).unwrap(),
        down_revisions: parents
            .iter()
            .map(|p| Revision::parse(p).unwrap())
            .collect(),
        message: message.to_owned(),
        up_sql: up.to_owned(),
        down_sql: down.map(str::to_owned),
        irreversible: down
            .is_none()
            .then(|| "it's gone: no \\ way back, $$".to_owned()),
        transactional: true,
        path: format!("migrations/{rev}.sql"),
        up_line: 1,
        down_line: 1,
        environments: Vec::new(),
    })
}

fn awkward_text_is_stored_byte_for_byte(driver: Driver) {
    // Dollar quotes (bare, tagged, and with the tags a writer might pick), quotes, doubled
    // quotes, backslashes, escape-string syntax, a NUL-free control character, multi-byte
    // characters, and what would end a statement or a comment if it were not inside a
    // literal. The up SQL ends in a `--` comment with no line break, which must not swallow
    // the row written after it.
    let down = "DROP TABLE odd; -- it's $$ \\ \n\
                SELECT $x$ ' \\ $$ $retort$ $x$, 'a''b', E'\\\\ \\' \\n', $retort$ $$ ' $retort$, \
                $retort_1$ x $retort_1$;\n\
                /* ; COMMIT; */ SELECT '\\\\';\t-- ünïcödé \u{7}";
    let message = "it's \\ a $$ message $tag$ with 'quotes'', a tab\t, \\\\ and\nlines";
    let set = MigrationSet::from_ordered(vec![
        made(
            "1",
            &[],
            message,
            "CREATE TABLE odd (x text); -- last line, no line break",
            Some(down),
        ),
        made(
            "2",
            &["1"],
            "no way back",
            "INSERT INTO odd VALUES ($$'\\$$)",
            None,
        ),
    ])
    .unwrap();
    for scs in ["on", "off"] {
        let (_db, mut c) = db(driver);
        // The runner's own session reads `'…'` literals by this setting; the row must not
        // depend on it.
        c.batch_execute(&format!("SET standard_conforming_strings = {scs}"))
            .unwrap();
        Migrator::new(&set).upgrade(&mut c, &Target::Head).unwrap();
        let rows: Vec<StoredRow> = c
            .query(
                "SELECT revision, message, down_sql, irreversible, down_revisions, checksum \
                 FROM retort_migrations ORDER BY seq",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5)))
            .collect();
        let expected: Vec<StoredRow> = set
            .iter()
            .map(|m| {
                (
                    m.revision().to_string(),
                    m.message().to_owned(),
                    m.down_sql().map(str::to_owned),
                    m.irreversible().map(str::to_owned),
                    m.down_revisions()
                        .iter()
                        .map(|r| r.to_string())
                        .collect::<Vec<_>>(),
                    m.checksum().to_hex(),
                )
            })
            .collect();
        assert_eq!(rows, expected, "standard_conforming_strings = {scs}");
        let stored: String = c.query_one("SELECT x FROM odd", &[]).unwrap().get(0);
        assert_eq!(stored, "'\\");
        // A build without `1` reverts it with the stored down SQL, which runs as written.
        let only_first = MigrationSet::from_ordered(vec![]).unwrap();
        c.batch_execute("DELETE FROM retort_migrations WHERE revision = '2'")
            .unwrap();
        let steps = Migrator::new(&only_first)
            .downgrade(&mut c, &Target::Base)
            .unwrap();
        assert_eq!(steps.len(), 1);
        assert!(
            !exists(&mut c, "odd"),
            "standard_conforming_strings = {scs}"
        );
        assert!(versions(&mut c).is_empty());
    }
}

fn each_applied_migration_has_its_row(driver: Driver) {
    let set = common::chain();
    for single in [false, true] {
        let (_db, mut c) = db(driver);
        let steps = Migrator::new(&set)
            .single_transaction(single)
            .upgrade(&mut c, &Target::Head)
            .unwrap();
        assert_eq!(steps.len(), 5);
        let rows = c
            .query(
                "SELECT revision, down_revisions, message, checksum, down_sql, irreversible, \
                        transactional, state, statements_done, duration_ms, applied_at \
                 FROM retort_migrations ORDER BY seq",
                &[],
            )
            .unwrap();
        assert_eq!(rows.len(), 5, "single transaction: {single}");
        let mut last = None;
        for (row, m) in rows.iter().zip(set.iter()) {
            assert_eq!(row.get::<_, String>(0), m.revision().as_str());
            assert_eq!(
                row.get::<_, Vec<String>>(1),
                m.down_revisions()
                    .iter()
                    .map(|r| r.to_string())
                    .collect::<Vec<_>>()
            );
            assert_eq!(row.get::<_, String>(2), m.message());
            assert_eq!(row.get::<_, String>(3), m.checksum().to_hex());
            assert_eq!(row.get::<_, Option<String>>(4).as_deref(), m.down_sql());
            assert_eq!(row.get::<_, Option<String>>(5), None);
            assert!(row.get::<_, bool>(6));
            assert_eq!(row.get::<_, String>(7), "applied");
            assert_eq!(row.get::<_, i32>(8), 0);
            // Measured by the server, from the message's arrival to the row's INSERT.
            let ms: f64 = row.get::<_, Option<f64>>(9).expect("a duration");
            assert!((0.0..60_000.0).contains(&ms), "{ms}");
            let at: std::time::SystemTime = row.get(10);
            assert!(last.is_none_or(|l| l <= at), "applied in order");
            last = Some(at);
        }
        assert!(Migrator::new(&set).status(&mut c).unwrap().is_in_sync());
        // And going down removes them, one transaction each, with the down SQL.
        Migrator::new(&set)
            .downgrade(&mut c, &Target::Base)
            .unwrap();
        assert_eq!(count(&mut c, "SELECT count(*) FROM retort_migrations"), 0);
        assert!(common::catalog(&mut c).is_empty());
    }
}

/// `1` makes `a`; `2` makes `b` and fills it.
fn pair() -> MigrationSet {
    set(
        &[
            file("1", "none", "CREATE TABLE a (x int);", "DROP TABLE a;"),
            file(
                "2",
                "1",
                "CREATE TABLE b (x int);\nINSERT INTO b VALUES (1);",
                "DROP TABLE b;",
            ),
        ],
        Options::default(),
    )
}

fn a_failing_row_write_is_a_database_error_and_takes_the_migration_with_it(driver: Driver) {
    let set = pair();
    for single in [false, true] {
        let (_db, mut c) = db(driver);
        Migrator::new(&set)
            .upgrade(&mut c, &"1".parse().unwrap())
            .unwrap();
        // The version table refuses 2's row (no position: the row is found by the replay).
        c.batch_execute(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
               RAISE EXCEPTION 'no row for %', NEW.revision; END $$; \
             CREATE TRIGGER refuse BEFORE INSERT ON retort_migrations FOR EACH ROW \
               WHEN (NEW.revision = '2') EXECUTE FUNCTION refuse()",
        )
        .unwrap();
        let err = Migrator::new(&set)
            .single_transaction(single)
            .upgrade(&mut c, &Target::Head)
            .unwrap_err();
        match &err {
            Error::Database(e) => {
                assert_eq!(e.code().map(|s| s.code()), Some("P0001"), "{e:?}");
                assert!(err.render().contains("no row for 2"), "{}", err.render());
            }
            other => panic!("single transaction {single}: unexpected {other:?}"),
        }
        assert_eq!(versions(&mut c), ["1"], "single transaction: {single}");
        assert!(!exists(&mut c, "b"), "nothing of 2");
        c.batch_execute("DROP TRIGGER refuse ON retort_migrations")
            .unwrap();
        Migrator::new(&set).upgrade(&mut c, &Target::Head).unwrap();
        // Going down, the row's removal is refused: 2 stays applied, `b` with it.
        c.batch_execute(
            "CREATE FUNCTION keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
               RAISE EXCEPTION 'keep %', OLD.revision; END $$; \
             CREATE TRIGGER keep BEFORE DELETE ON retort_migrations FOR EACH ROW \
               WHEN (OLD.revision = '2') EXECUTE FUNCTION keep()",
        )
        .unwrap();
        let err = Migrator::new(&set)
            .downgrade(&mut c, &Target::Base)
            .unwrap_err();
        assert!(matches!(&err, Error::Database(_)), "{err:?}");
        assert_eq!(versions(&mut c), ["1", "2"]);
        assert!(exists(&mut c, "b"));
    }
}

fn a_commit_refused_is_told_apart_from_a_failing_statement(driver: Driver) {
    // A deferred foreign key fails at COMMIT, after the message with the SQL and the row.
    let set = set(
        &[
            file("1", "none", "CREATE TABLE a (x int);", "DROP TABLE a;"),
            file(
                "2",
                "1",
                "CREATE TABLE p (id int PRIMARY KEY);\n\
                 CREATE TABLE r (p int REFERENCES p DEFERRABLE INITIALLY DEFERRED);\n\
                 INSERT INTO r VALUES (1);",
                "DROP TABLE r;\nDROP TABLE p;",
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
            Error::Commit {
                revisions,
                direction: Direction::Up,
                lost: false,
                ..
            } => assert_eq!(revisions.len(), if single { 2 } else { 1 }),
            other => panic!("single transaction {single}: unexpected {other:?}"),
        }
        assert_eq!(err.code(), Code::DbCommitRefused);
        let expected: &[&str] = if single { &[] } else { &["1"] };
        assert_eq!(versions(&mut c), expected);
        assert!(!exists(&mut c, "p") && !exists(&mut c, "r"));
    }
}

fn transaction_control_in_a_migration_made_in_code_is_refused_before_anything_runs(driver: Driver) {
    // The build's checks refuse this; a set made in code did not go through them.
    let set = MigrationSet::from_ordered(vec![
        made(
            "1",
            &[],
            "fine",
            "CREATE TABLE a (x int);",
            Some("DROP TABLE a;"),
        ),
        made(
            "2",
            &["1"],
            "ends its transaction",
            "CREATE TABLE b (x int);\ncommit;\nCREATE TABLE c (x int);",
            Some("DROP TABLE c; DROP TABLE b;"),
        ),
    ])
    .unwrap();
    let (_db, mut c) = db(driver);
    let err = Migrator::new(&set)
        .upgrade(&mut c, &Target::Head)
        .unwrap_err();
    assert_eq!(err.code(), Code::TxnControl, "{err:?}");
    assert!(
        err.to_string()
            .contains("`COMMIT` in the up section of `2` (migrations/2.sql)"),
        "{err}"
    );
    assert!(versions(&mut c).is_empty(), "nothing ran, not even 1");
    assert!(!exists(&mut c, "a") && !exists(&mut c, "b"));
}

fn sql_made_in_code_cannot_reach_into_the_row_written_after_it(driver: Driver) {
    // An incomplete last statement meets the `;` before the row's INSERT: PostgreSQL points
    // past the SQL, and the statement is still the one named.
    let incomplete = MigrationSet::from_ordered(vec![made(
        "1",
        &[],
        "incomplete",
        "CREATE TABLE a (x int);\nSELECT 1 +",
        Some("DROP TABLE a;"),
    )])
    .unwrap();
    let (_db, mut c) = db(driver);
    match Migrator::new(&incomplete)
        .upgrade(&mut c, &Target::Head)
        .unwrap_err()
    {
        Error::Statement(e) => {
            assert_eq!((e.statement, e.code.as_str()), (2, "42601"), "{e:?}");
            assert_eq!(e.sql, "SELECT 1 +");
            assert_eq!(e.line, 2, "{e:?}");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(versions(&mut c).is_empty() && !exists(&mut c, "a"));
    // A string left open would take the INSERT in: refused before anything runs.
    let open = MigrationSet::from_ordered(vec![made(
        "1",
        &[],
        "open",
        "CREATE TABLE a (x int);\nSELECT 'never closed",
        Some("DROP TABLE a;"),
    )])
    .unwrap();
    let err = Migrator::new(&open)
        .upgrade(&mut c, &Target::Head)
        .unwrap_err();
    assert_eq!(err.code(), Code::SqlUnterminated, "{err:?}");
    assert!(versions(&mut c).is_empty() && !exists(&mut c, "a"));
}

both_drivers!(
    sql_made_in_code_cannot_reach_into_the_row_written_after_it,
    a_statement_failing_mid_migration_is_located_and_nothing_of_it_stays,
    awkward_text_is_stored_byte_for_byte,
    each_applied_migration_has_its_row,
    a_failing_row_write_is_a_database_error_and_takes_the_migration_with_it,
    a_commit_refused_is_told_apart_from_a_failing_statement,
    transaction_control_in_a_migration_made_in_code_is_refused_before_anything_runs,
);
