//! `retort import` and `retort stamp --adopt`: another tool's directory converted, checked and
//! annotated; a database that tool migrated recorded as the same revisions, and upgraded by
//! retort with nothing applied twice. The tools' history tables are written here as each tool
//! writes them (columns, version text, checksum formula); `bench/adopt.sh` runs the real tools.

mod common;

use common::{Project, database, tables};
use sha2::{Digest, Sha384};

/// Writes `files` (path, text) under `src/` of the project.
fn source(p: &Project, files: &[(&str, &str)]) {
    for (path, text) in files {
        p.file(&format!("src/{path}"), text);
    }
}

fn read(p: &Project, path: &str) -> String {
    std::fs::read_to_string(p.path(path)).unwrap()
}

/// The migration file of `rev` in `migrations/`.
fn file_of(p: &Project, rev: &str) -> String {
    let dir = std::fs::read_dir(p.path("migrations")).unwrap();
    for e in dir.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(&format!("{rev}_")) || name == format!("{rev}.sql") {
            return std::fs::read_to_string(e.path()).unwrap();
        }
    }
    panic!("no file for {rev}");
}

const SQLX: &[(&str, &str)] = &[
    (
        "0001_create_users.up.sql",
        "CREATE TABLE users (id bigserial PRIMARY KEY, name text NOT NULL);\n",
    ),
    ("0001_create_users.down.sql", "DROP TABLE users;\n"),
    (
        "0002_add_email.up.sql",
        "BEGIN;\nALTER TABLE users ADD COLUMN email text;\nCOMMIT;\n",
    ),
    (
        "0002_add_email.down.sql",
        "BEGIN;\nALTER TABLE users DROP COLUMN email;\nCOMMIT;\n",
    ),
    (
        "0003_email_index.sql",
        "-- no-transaction\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n",
    ),
    (
        "0004_posts.up.sql",
        "CREATE TABLE posts (id bigserial PRIMARY KEY, author bigint REFERENCES users);\n",
    ),
    (
        "0004_posts.down.sql",
        "-- sqlx never checked this: the table stays\nSELECT 1;\n",
    ),
    ("README.md", "not a migration"),
];

#[test]
fn sqlx_directory_becomes_a_checked_chain() {
    let p = Project::new();
    source(&p, SQLX);
    let run = p.retort(&["import", "--from", "sqlx", "src"]).ok();
    assert!(
        run.stdout.contains("imported 4 migrations from sqlx"),
        "{run:#?}"
    );
    // Versions are the ids (as sqlx's table holds them: integers), in order.
    let first = file_of(&p, "1");
    assert!(
        first.contains("-- revision: 1\n-- down_revision: none\n-- message: create users\n"),
        "{first}"
    );
    let second = file_of(&p, "2");
    assert!(second.contains("-- down_revision: 1\n"), "{second}");
    assert!(
        !second.contains("BEGIN;") && !second.contains("COMMIT;"),
        "{second}"
    );
    assert!(
        second.contains("ALTER TABLE users ADD COLUMN email text;"),
        "{second}"
    );
    let third = file_of(&p, "3");
    assert!(third.contains("-- transaction: false\n"), "{third}");
    assert!(
        third.contains("-- irreversible: imported from sqlx"),
        "{third}"
    );
    assert!(!third.contains("-- migrate:down"), "{third}");
    let fourth = file_of(&p, "4");
    assert!(
        fourth.contains("-- lossy_down: imported from sqlx; its down") && fourth.contains("posts"),
        "{fourth}"
    );
    // The manifest keeps sqlx's checksums: SHA-384 of each up file.
    let manifest = read(&p, "migrations/.retort-import.toml");
    let sum: String = Sha384::digest(SQLX[0].1.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(manifest.contains(&sum), "{manifest}");
    // The result passes every build check.
    p.retort(&["check"]).ok();
}

#[test]
fn the_directory_must_be_empty() {
    let p = Project::new();
    source(&p, SQLX);
    p.migration("001", "none", "SELECT 1;", "SELECT 1;");
    let run = p.retort(&["import", "--from", "sqlx", "src"]).code(1);
    assert!(
        run.stderr.contains("error[cli-directory-not-empty]"),
        "{run:#?}"
    );
    // In place: the source is the directory retort would write to.
    let q = Project::new();
    q.file("migrations/1_a.sql", "SELECT 1;");
    let run = q
        .retort(&["import", "--from", "sqlx", "migrations"])
        .code(1);
    assert!(run.stderr.contains("--dir db/migrations"), "{run:#?}");
}

#[test]
fn diesel_layout_metadata_and_genuine_errors() {
    let p = Project::new();
    source(
        &p,
        &[
            ("00000000000000_diesel_initial_setup/up.sql", "SELECT 1;"),
            ("00000000000000_diesel_initial_setup/down.sql", "SELECT 1;"),
            (
                "2017-09-26-200000_create_crates/up.sql",
                "CREATE TABLE crates (id serial PRIMARY KEY, name text);",
            ),
            (
                "2017-09-26-200000_create_crates/down.sql",
                "DROP TABLE crates;",
            ),
            (
                "2018-01-02-030405_index_names/up.sql",
                "CREATE INDEX CONCURRENTLY crates_name ON crates (name);",
            ),
            (
                "2018-01-02-030405_index_names/down.sql",
                "DROP INDEX CONCURRENTLY crates_name;",
            ),
            (
                "2018-01-02-030405_index_names/metadata.toml",
                "run_in_transaction = false\n",
            ),
            (
                "2019-05-05-000000_no_down/up.sql",
                "ALTER TABLE crates ADD COLUMN x int;",
            ),
            ("not_a_migration/README", "ignored: no up.sql"),
        ],
    );
    let run = p.retort(&["import", "--from", "diesel", "src"]).ok();
    assert!(
        run.stdout.contains("imported 4 migrations from diesel"),
        "{run:#?}"
    );
    let crates = file_of(&p, "20170926200000");
    assert!(
        crates.contains("-- down_revision: 00000000000000\n"),
        "{crates}"
    );
    assert!(crates.contains("-- message: create crates\n"), "{crates}");
    let index = file_of(&p, "20180102030405");
    assert!(index.contains("-- transaction: false\n"), "{index}");
    let no_down = file_of(&p, "20190505000000");
    assert!(
        no_down.contains("-- irreversible: imported from diesel"),
        "{no_down}"
    );
    p.retort(&["check"]).ok();

    // A down that drops what does not exist is the history's own error: shown, not hidden.
    let q = Project::new();
    source(
        &q,
        &[
            ("2020-01-01-000000_a/up.sql", "CREATE TABLE a (id int);"),
            (
                "2020-01-01-000000_a/down.sql",
                "DROP TABLE a;\nDROP TABLE missing;",
            ),
        ],
    );
    let run = q.retort(&["import", "--from", "diesel", "src"]).code(1);
    assert!(
        run.stderr.contains("error[schema-missing-object]"),
        "{run:#?}"
    );
    assert!(
        run.stderr.contains("error[import-source-errors]"),
        "{run:#?}"
    );
    assert!(file_of(&q, "20200101000000").contains("DROP TABLE missing;"));
}

#[test]
fn refinery_layout_and_refusals() {
    let p = Project::new();
    source(
        &p,
        &[
            (
                "V1__initial.sql",
                "CREATE TABLE persons (id int, name varchar(255));",
            ),
            (
                "nested/V2__add_cars.sql",
                "CREATE TABLE cars (id int, name varchar(255));",
            ),
            ("V10__more.sql", "ALTER TABLE cars ADD COLUMN brand text;"),
        ],
    );
    p.retort(&["import", "--from", "refinery", "src"]).ok();
    // Numeric order, not name order: 1, 2, 10.
    assert!(file_of(&p, "10").contains("-- down_revision: 2\n"));
    assert!(file_of(&p, "2").contains("-- down_revision: 1\n"));
    assert!(file_of(&p, "1").contains("-- irreversible: imported from refinery"));
    p.retort(&["check"]).ok();

    let q = Project::new();
    source(
        &q,
        &[
            ("V1__a.sql", "SELECT 1;"),
            ("V2__seed.rs", "fn migration() {}"),
        ],
    );
    let run = q.retort(&["import", "--from", "refinery", "src"]).code(1);
    assert!(
        run.stderr.contains("error[import-rust-migration]"),
        "{run:#?}"
    );
    assert!(run.stderr.contains("V2__seed.rs"), "{run:#?}");
    assert!(!q.path("migrations").exists(), "nothing written");

    let r = Project::new();
    source(
        &r,
        &[("V1__a.sql", "SELECT 1;"), ("V01__b.sql", "SELECT 2;")],
    );
    let run = r.retort(&["import", "--from", "refinery", "src"]).code(1);
    assert!(
        run.stderr.contains("error[import-duplicate-version]"),
        "{run:#?}"
    );
}

/// Applies sqlx's migrations 1..=`upto` to `db` as sqlx does: the SQL, then its row.
fn migrate_like_sqlx(db: &retort_test_support::TestDb, upto: usize) {
    let mut c = db.connect();
    c.batch_execute(
        "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, \
         installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), success BOOLEAN NOT NULL, \
         checksum BYTEA NOT NULL, execution_time BIGINT NOT NULL)",
    )
    .unwrap();
    let ups = [SQLX[0], SQLX[2], SQLX[4], SQLX[5]];
    for (i, (name, sql)) in ups.iter().take(upto).enumerate() {
        c.batch_execute(sql).unwrap();
        let sum = Sha384::digest(sql.as_bytes()).to_vec();
        c.execute(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, \
             execution_time) VALUES ($1, $2, true, $3, 1)",
            &[&(i as i64 + 1), &name.to_string(), &sum],
        )
        .unwrap();
    }
}

#[test]
fn a_sqlx_database_is_adopted_then_upgraded_without_repeats() {
    let db = database();
    let p = Project::new();
    source(&p, SQLX);
    p.retort(&["import", "--from", "sqlx", "src"]).ok();
    migrate_like_sqlx(&db, 3);
    let run = p.db(db.url(), &["stamp", "--adopt", "sqlx"]).ok();
    assert!(run.stdout.contains("recorded 3 revisions"), "{run:#?}");
    let run = p.db(db.url(), &["current"]).ok();
    assert!(run.stdout.contains('3'), "{run:#?}");
    // Only 4 is applied: 1 would fail on the existing table if run again.
    let run = p.db(db.url(), &["upgrade"]).ok();
    assert!(run.stdout.contains("1 migration"), "{run:#?}");
    assert!(tables(&db).contains(&"posts".to_owned()));
    p.db(db.url(), &["check"]).ok();
    // Adopting again finds it done.
    let run = p.db(db.url(), &["stamp", "--adopt", "sqlx"]);
    assert_eq!(run.code, 1, "the record now has 4, sqlx's 3: {run:#?}");
    assert!(
        run.stderr.contains("error[import-adopt-conflict]"),
        "{run:#?}"
    );
}

#[test]
fn adoption_refuses_what_does_not_match() {
    let p = Project::new();
    source(&p, SQLX);
    p.retort(&["import", "--from", "sqlx", "src"]).ok();

    // No sqlx table.
    let db = database();
    let run = p.db(db.url(), &["stamp", "--adopt", "sqlx"]).code(1);
    assert!(
        run.stderr.contains("error[import-adopt-no-table]"),
        "{run:#?}"
    );

    // An edited file: the database ran other SQL.
    let db = database();
    migrate_like_sqlx(&db, 2);
    db.connect()
        .execute(
            "UPDATE _sqlx_migrations SET checksum = '\\x00' WHERE version = 2",
            &[],
        )
        .unwrap();
    let run = p.db(db.url(), &["stamp", "--adopt", "sqlx"]).code(1);
    assert!(
        run.stderr.contains("error[import-adopt-mismatch]"),
        "{run:#?}"
    );
    assert!(run.stderr.contains("checksum"), "{run:#?}");

    // A failed migration.
    let db = database();
    migrate_like_sqlx(&db, 2);
    db.connect()
        .execute(
            "UPDATE _sqlx_migrations SET success = false WHERE version = 2",
            &[],
        )
        .unwrap();
    let run = p.db(db.url(), &["stamp", "--adopt", "sqlx"]).code(1);
    assert!(run.stderr.contains("as failed"), "{run:#?}");

    // A gap: 2 skipped.
    let db = database();
    migrate_like_sqlx(&db, 3);
    db.connect()
        .execute("DELETE FROM _sqlx_migrations WHERE version = 2", &[])
        .unwrap();
    let run = p.db(db.url(), &["stamp", "--adopt", "sqlx"]).code(1);
    assert!(run.stderr.contains("error[import-adopt-gap]"), "{run:#?}");

    // A version the files do not have.
    let db = database();
    migrate_like_sqlx(&db, 1);
    db.connect()
        .execute(
            "INSERT INTO _sqlx_migrations VALUES (99, 'x', now(), true, '\\x00', 1)",
            &[],
        )
        .unwrap();
    let run = p.db(db.url(), &["stamp", "--adopt", "sqlx"]).code(1);
    assert!(run.stderr.contains("99"), "{run:#?}");

    // Nothing was recorded by any of these.
    let mut c = db.connect();
    let n: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE tablename = 'retort_migrations'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(n, 0);
}

#[test]
fn a_diesel_database_is_adopted() {
    let db = database();
    let p = Project::new();
    source(
        &p,
        &[
            ("2017-09-26-200000_a/up.sql", "CREATE TABLE a (id int);"),
            ("2017-09-26-200000_a/down.sql", "DROP TABLE a;"),
            ("2017-09-27-200000_b/up.sql", "CREATE TABLE b (id int);"),
            ("2017-09-27-200000_b/down.sql", "DROP TABLE b;"),
        ],
    );
    p.retort(&["import", "--from", "diesel", "src"]).ok();
    db.connect()
        .batch_execute(
            "CREATE TABLE __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, \
             run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);\n\
             CREATE TABLE a (id int);\n\
             INSERT INTO __diesel_schema_migrations (version) VALUES ('20170926200000');",
        )
        .unwrap();
    let run = p.db(db.url(), &["stamp", "--adopt", "diesel"]).ok();
    assert!(run.stdout.contains("recorded 1 revision"), "{run:#?}");
    p.db(db.url(), &["upgrade"]).ok();
    assert_eq!(
        tables(&db),
        ["__diesel_schema_migrations", "a", "b", "retort_migrations"]
    );
    p.db(db.url(), &["check"]).ok();
    // And back down, with the downs diesel had.
    p.db(db.url(), &["downgrade", "base"]).ok();
    assert_eq!(
        tables(&db),
        ["__diesel_schema_migrations", "retort_migrations"]
    );
}

#[test]
fn a_refinery_database_is_adopted_with_its_checksums() {
    let db = database();
    let p = Project::new();
    let v1 = "CREATE TABLE persons (id int);";
    source(
        &p,
        &[
            ("V1__initial.sql", v1),
            ("V2__cars.sql", "CREATE TABLE cars (id int);"),
        ],
    );
    p.retort(&["import", "--from", "refinery", "src"]).ok();
    let manifest = read(&p, "migrations/.retort-import.toml");
    // The checksum refinery would store for V1, as the manifest computed it.
    let sum = manifest
        .split("checksums = [\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let mut c = db.connect();
    c.batch_execute(&format!(
        "CREATE TABLE refinery_schema_history (version int4 PRIMARY KEY, name VARCHAR(255), \
         applied_on VARCHAR(255), checksum VARCHAR(255));\n{v1}\n\
         INSERT INTO refinery_schema_history VALUES (1, 'initial', '2024-01-01T00:00:00Z', '{sum}');"
    ))
    .unwrap();
    p.db(db.url(), &["stamp", "--adopt", "refinery"]).ok();
    p.db(db.url(), &["upgrade"]).ok();
    assert!(tables(&db).contains(&"cars".to_owned()));
    // A checksum that is not the file's is refused.
    let db2 = database();
    db2.connect()
        .batch_execute(&format!(
            "CREATE TABLE refinery_schema_history (version int4 PRIMARY KEY, name VARCHAR(255), \
             applied_on VARCHAR(255), checksum VARCHAR(255));\n{v1}\n\
             INSERT INTO refinery_schema_history VALUES (1, 'initial', 'x', '12345');"
        ))
        .unwrap();
    let run = p.db(db2.url(), &["stamp", "--adopt", "refinery"]).code(1);
    assert!(
        run.stderr.contains("error[import-adopt-mismatch]"),
        "{run:#?}"
    );
    // And the tool named must be the one imported from.
    let run = p.db(db2.url(), &["stamp", "--adopt", "sqlx"]).code(1);
    assert!(run.stderr.contains("imported from refinery"), "{run:#?}");
}
