//! `retort test`: the stairway (every revision up, down, up) on a real PostgreSQL, against the
//! schema model. What it must find is what the build's checks cannot: PostgreSQL doing
//! something other than the model thinks, and downs that PostgreSQL refuses.

mod common;

use common::{Project, database, tables};

/// Whether the scratch database that a run names in its first line is still on the server.
fn scratch_left(db: &retort_test_support::TestDb, stdout: &str) -> bool {
    let name = stdout
        .split("scratch database `")
        .nth(1)
        .and_then(|s| s.split('`').next())
        .expect("the run names its scratch database");
    assert!(name.starts_with("retort_stairway_"), "{name}");
    db.connect()
        .query_one(
            "SELECT count(*) FROM pg_database WHERE datname = $1",
            &[&name],
        )
        .unwrap()
        .get::<_, i64>(0)
        > 0
}

#[test]
fn a_sound_history_passes_and_leaves_nothing_behind() {
    let db = database();
    let p = Project::new();
    p.migration(
        "001",
        "none",
        "CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL);",
        "DROP TABLE users;",
    )
    .migration(
        "002",
        "001",
        "ALTER TABLE users ADD COLUMN email text;\nCREATE UNIQUE INDEX users_email ON users (email);",
        "DROP INDEX users_email;\nALTER TABLE users DROP COLUMN email;",
    )
    .migration(
        "003",
        "002",
        "CREATE TABLE posts (id bigint PRIMARY KEY, author bigint REFERENCES users);",
        "DROP TABLE posts;",
    );
    let run = p.db(db.url(), &["test"]).ok();
    assert!(run.stdout.contains("3 revisions up, down, up"), "{run:#?}");
    assert!(run.stdout.contains("stairway passed"), "{run:#?}");
    assert_eq!(run.stdout.matches("up, down, up").count(), 4, "{run:#?}");
    // The URL's own database is never touched, and the scratch database is gone.
    assert!(tables(&db).is_empty());
    assert!(!scratch_left(&db, &run.stdout));
}

#[test]
fn branches_and_merges_are_walked_from_their_own_ancestors() {
    let db = database();
    let p = Project::new();
    p.migration("001", "none", "CREATE TABLE a (id int);", "DROP TABLE a;")
        .migration("002", "001", "CREATE TABLE b (id int);", "DROP TABLE b;")
        .migration("003", "001", "CREATE TABLE c (id int);", "DROP TABLE c;")
        .migration(
            "004",
            "002, 003",
            "CREATE TABLE d (id int);",
            "DROP TABLE d;",
        );
    let run = p.db(db.url(), &["test"]).ok();
    // On 003 the database must not still hold 002's table `b`: that would be a difference.
    assert!(run.stdout.contains("stairway passed"), "{run:#?}");
    assert_eq!(run.stdout.matches("  00").count(), 4, "{run:#?}");
}

/// PostgreSQL rewrites an expression index over a column whose type changes: `date(d)` on a
/// `date` column is `d` itself, and stays `d` when the type goes back. The model keeps the
/// expression, so the down looks right to the build and is not.
const EXPRESSION_INDEX: [(&str, &str, &str, &str); 2] = [
    (
        "001",
        "none",
        "CREATE TABLE t (d timestamp);\nCREATE INDEX t_d ON t (date(d));",
        "DROP TABLE t;",
    ),
    (
        "002",
        "001",
        "ALTER TABLE t ALTER COLUMN d TYPE date;",
        "ALTER TABLE t ALTER COLUMN d TYPE timestamp;",
    ),
];

#[test]
fn a_down_that_postgresql_does_otherwise_is_found_and_located() {
    let db = database();
    let p = Project::new();
    for (rev, down, up, down_sql) in EXPRESSION_INDEX {
        p.migration(rev, down, up, down_sql);
    }
    p.retort(&["check"]).ok();
    let run = p.db(db.url(), &["test"]).code(1);
    assert!(
        run.stderr
            .contains("error[db-stairway-mismatch]: after downgrading `002`"),
        "{run:#?}"
    );
    assert!(run.stderr.contains("002_m.sql"), "{run:#?}");
    assert!(run.stderr.contains("-- migrate:down"), "{run:#?}");
    assert!(run.stderr.contains("index `t_d`"), "{run:#?}");
    assert!(!scratch_left(&db, &run.stdout), "dropped on failure too");
}

#[test]
fn a_down_that_postgresql_refuses_stops_the_stairway() {
    let db = database();
    let p = Project::new();
    p.migration(
        "001",
        "none",
        "CREATE TABLE u (c integer);",
        "DROP TABLE u;",
    )
    .migration(
        "002",
        "001",
        "ALTER TABLE u ALTER COLUMN c TYPE text;",
        // PostgreSQL refuses: text does not cast to integer without USING.
        "ALTER TABLE u ALTER COLUMN c TYPE integer;",
    );
    p.retort(&["check"]).ok();
    let run = p.db(db.url(), &["test"]).code(4);
    assert!(
        run.stderr.contains("error[db-migration-failed]"),
        "{run:#?}"
    );
    assert!(
        run.stderr.contains("cannot be cast automatically"),
        "{run:#?}"
    );
}

#[test]
fn keep_going_reports_every_difference() {
    let db = database();
    let p = Project::new();
    for (rev, down, up, down_sql) in EXPRESSION_INDEX {
        p.migration(rev, down, up, down_sql);
    }
    p.migration(
        "003",
        "002",
        "CREATE TABLE s (e timestamp);\nCREATE INDEX s_e ON s (date(e));\n\
         ALTER TABLE s ALTER COLUMN e TYPE date;",
        "DROP TABLE s;",
    )
    .migration(
        "004",
        "003",
        "ALTER TABLE s ALTER COLUMN e TYPE timestamp;",
        "ALTER TABLE s ALTER COLUMN e TYPE date;",
    );
    let run = p.db(db.url(), &["test", "--keep-going"]).code(1);
    assert!(run.stderr.contains("after downgrading `002`"), "{run:#?}");
    assert!(
        run.stderr.contains("differences at 2 revisions"),
        "{run:#?}"
    );
}

#[test]
fn without_a_url_a_throwaway_cluster_is_used() {
    let p = Project::new();
    p.migration("001", "none", "CREATE TABLE a (id int);", "DROP TABLE a;");
    let run = p.retort(&["test"]).ok();
    assert!(
        run.stdout.contains("throwaway PostgreSQL cluster"),
        "{run:#?}"
    );
}
