//! A live database as a side of `retort diff`, and drift in `retort check`: migrations are
//! applied to a real PostgreSQL, its catalog is read back, and compared with the schema
//! model at the same revision.

mod common;

use std::path::Path;

use common::{Project, database, psql};
use serde_json::Value;

/// Every file of `dir` written into the project's `migrations/`.
fn copy_migrations(p: &Project, dir: &Path) {
    for e in std::fs::read_dir(dir).expect("the migration directory") {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".sql") {
            p.migration_file(&name, &std::fs::read_to_string(e.path()).unwrap());
        }
    }
}

/// Two revisions that make one object of every kind the reader knows.
fn every_kind(p: &Project) {
    p.migration(
        "1",
        "none",
        "CREATE SCHEMA app;\n\
         CREATE EXTENSION citext;\n\
         CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');\n\
         CREATE TYPE app.pair AS (a int, b text);\n\
         CREATE TYPE span AS RANGE (subtype = int4);\n\
         CREATE DOMAIN posint AS integer CONSTRAINT positive CHECK (VALUE > 0);\n\
         CREATE SEQUENCE app.counter START 10;\n\
         CREATE TABLE users (\n\
             id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n\
             email citext NOT NULL UNIQUE,\n\
             name varchar(80) DEFAULT 'anon',\n\
             feeling mood DEFAULT 'ok',\n\
             score numeric(10, 2) CHECK (score >= 0),\n\
             created timestamptz NOT NULL DEFAULT now(),\n\
             name_len int GENERATED ALWAYS AS (length(name)) STORED,\n\
             tags text[] DEFAULT '{}'\n\
         );\n\
         CREATE TABLE app.posts (\n\
             id serial PRIMARY KEY,\n\
             user_id bigint REFERENCES users ON DELETE CASCADE,\n\
             editor_id bigint,\n\
             title text NOT NULL,\n\
             rank posint,\n\
             CONSTRAINT posts_editor_fk FOREIGN KEY (editor_id) REFERENCES users (id) \
             ON UPDATE RESTRICT ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,\n\
             CONSTRAINT title_len CHECK (char_length(title) BETWEEN 1 AND 200)\n\
         );\n\
         CREATE INDEX posts_title_lower ON app.posts (lower(title));\n\
         CREATE INDEX posts_user_recent ON app.posts (user_id) WHERE rank > 1;\n\
         CREATE UNIQUE INDEX users_name_key ON users USING btree (name, id);\n\
         ALTER SEQUENCE app.counter OWNED BY app.posts.rank;",
        "DROP TABLE app.posts;\nDROP TABLE users;\n\
         DROP DOMAIN posint;\nDROP TYPE span;\nDROP TYPE app.pair;\nDROP TYPE mood;\n\
         DROP EXTENSION citext;\nDROP SCHEMA app;",
    );
    p.migration(
        "2",
        "1",
        "CREATE VIEW active AS SELECT id, email FROM users WHERE feeling <> 'sad';\n\
         CREATE MATERIALIZED VIEW post_counts AS SELECT user_id, count(*) AS n \
         FROM app.posts GROUP BY user_id WITH NO DATA;\n\
         CREATE INDEX post_counts_user ON post_counts (user_id);\n\
         CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS \
         $$ BEGIN NEW.created := now(); RETURN NEW; END $$;\n\
         CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();\n\
         CREATE FUNCTION app.add(a int, b int DEFAULT 1) RETURNS int LANGUAGE sql IMMUTABLE \
         STRICT PARALLEL SAFE AS 'SELECT a + b';\n\
         CREATE FUNCTION twice(x int) RETURNS int RETURN x * 2;\n\
         CREATE FUNCTION recent(n int DEFAULT 10, label text DEFAULT 'x') \
         RETURNS TABLE (id bigint, email citext) LANGUAGE sql STABLE ROWS 20 \
         SET search_path = public, pg_temp \
         AS $$ SELECT u.id, u.email FROM users u ORDER BY u.id DESC LIMIT n $$;\n\
         CREATE PROCEDURE bump(INOUT n int) LANGUAGE plpgsql SECURITY DEFINER \
         AS $$ BEGIN n := n + 1; END $$;\n\
         ALTER FUNCTION twice(int) COST 7;\n\
         CREATE FUNCTION pathy() RETURNS int LANGUAGE sql SET search_path FROM CURRENT \
         AS 'SELECT 1';\n\
         CREATE TRIGGER users_named AFTER INSERT OR UPDATE OF name, email ON users \
         FOR EACH ROW WHEN (NEW.name IS NOT NULL AND NEW.email <> 'x') \
         EXECUTE FUNCTION touch('a', 2);\n\
         CREATE CONSTRAINT TRIGGER posts_check AFTER INSERT ON app.posts \
         DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION touch();\n\
         CREATE TRIGGER users_gone AFTER DELETE ON users REFERENCING OLD TABLE AS gone \
         FOR EACH STATEMENT EXECUTE PROCEDURE touch();\n\
         ALTER TABLE users ADD COLUMN bio text NOT NULL DEFAULT '';\n\
         ALTER TABLE users ALTER COLUMN name SET DEFAULT 'nobody';",
        "ALTER TABLE users ALTER COLUMN name SET DEFAULT 'anon';\n\
         ALTER TABLE users DROP COLUMN bio;\n\
         DROP TRIGGER users_gone ON users;\nDROP TRIGGER posts_check ON app.posts;\n\
         DROP TRIGGER users_named ON users;\n\
         DROP FUNCTION pathy();\nDROP PROCEDURE bump(int);\nDROP FUNCTION recent(int, text);\nDROP FUNCTION twice(int);\n\
         DROP FUNCTION app.add(int, int);\n\
         DROP TRIGGER users_touch ON users;\nDROP FUNCTION touch();\n\
         DROP MATERIALIZED VIEW post_counts;\nDROP VIEW active;",
    );
}

/// The SQL `retort diff` prints without its "not compared" comments.
fn changes_of(stdout: &str) -> Vec<&str> {
    stdout.lines().filter(|l| !l.starts_with("--")).collect()
}

/// `retort diff` both ways between the database and the head: no changes.
#[track_caller]
fn assert_no_difference(p: &Project, url: &str) {
    for args in [
        ["diff", "--from", url, "--to", "head"],
        ["diff", "--from", "head", "--to", url],
    ] {
        let run = p.retort(&args).ok();
        assert!(
            run.stdout.trim_end().ends_with("-- no changes"),
            "{args:?}: {run:#?}"
        );
        assert!(changes_of(&run.stdout).is_empty(), "{run:#?}");
        // Compared for real: every default, check, index and generation expression the
        // model keeps was given to PostgreSQL and read back, none left "not compared".
        for word in [
            "default",
            "constraint `",
            "index `",
            "generation",
            "columns of",
            "function `",
            "trigger `",
        ] {
            assert!(
                !run.stdout
                    .lines()
                    .any(|l| l.starts_with("--") && l.contains(word)),
                "{word}: {run:#?}"
            );
        }
    }
}

#[test]
fn a_migrated_database_reads_back_as_the_model_at_its_head() {
    let hello = Project::new();
    copy_migrations(
        &hello,
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/hello/migrations"),
    );
    let rich = Project::new();
    copy_migrations(
        &rich,
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema_rich"),
    );
    let kinds = Project::new();
    every_kind(&kinds);
    for p in [&hello, &rich, &kinds] {
        let db = database();
        p.db(db.url(), &["upgrade", "head"]).ok();
        assert_no_difference(p, db.url());
        // And at a revision before the head, the database is one migration short.
        let check = p.db(db.url(), &["check"]).ok();
        assert!(!check.stderr.contains("db-drift"), "{check:#?}");
    }
    // The reader sees what it is asked to: a database at the first revision differs from
    // the head by the second.
    let db = database();
    kinds.db(db.url(), &["upgrade", "1"]).ok();
    let run = kinds
        .retort(&["diff", "--from", db.url(), "--to", "head"])
        .ok();
    for line in [
        "CREATE VIEW active AS",
        "CREATE MATERIALIZED VIEW post_counts AS",
        "ALTER TABLE users ADD COLUMN bio text NOT NULL DEFAULT '';",
        "ALTER TABLE users ALTER COLUMN name SET DEFAULT 'nobody'",
    ] {
        assert!(run.stdout.contains(line), "{line}\n{run:#?}");
    }
}

/// A project at the head of a small history, applied to a fresh database.
fn migrated() -> (Project, retort_test_support::TestDb) {
    let p = Project::new();
    p.migration(
        "1",
        "none",
        "CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL UNIQUE, \
         name text DEFAULT 'anon', age int CHECK (age >= 0));\n\
         CREATE TABLE posts (id serial PRIMARY KEY, user_id int REFERENCES users ON DELETE CASCADE, \
         title text NOT NULL);\n\
         CREATE INDEX posts_user ON posts (user_id);\n\
         CREATE VIEW titles AS SELECT title FROM posts;\n\
         CREATE TABLE tags (name text PRIMARY KEY);\n\
         CREATE TYPE mood AS ENUM ('sad', 'happy');\n\
         CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql \
         AS $$ BEGIN NEW.title := trim(NEW.title); RETURN NEW; END $$;\n\
         CREATE TRIGGER posts_stamp BEFORE INSERT ON posts FOR EACH ROW EXECUTE FUNCTION stamp();",
        "DROP TRIGGER posts_stamp ON posts;\nDROP FUNCTION stamp();\n\
         DROP TYPE mood;\nDROP TABLE tags;\nDROP VIEW titles;\nDROP TABLE posts;\n\
         DROP TABLE users;",
    );
    let db = database();
    p.db(db.url(), &["upgrade"]).ok();
    (p, db)
}

/// `retort check --format json` on the database: its exit code and document.
fn check_json(p: &Project, url: &str) -> (i32, Value) {
    let run = p.db(url, &["check", "--format", "json"]);
    let doc = serde_json::from_str(&run.stdout).expect("one JSON document");
    (run.code, doc)
}

#[test]
fn a_freshly_migrated_database_has_no_drift() {
    let (p, db) = migrated();
    // What the runtime keeps beside the version table is there, and is not drift: the head
    // cache (its table, function and trigger) and the lease table of `lock = "table"`.
    psql(
        &db,
        "CREATE TABLE retort_migrations_lock (id boolean PRIMARY KEY); \
         SELECT 'retort_migrations_head'::regclass, 'retort_migrations_head()'::regprocedure",
    );
    let (code, doc) = check_json(&p, db.url());
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["drift"], serde_json::json!([]), "{doc:#}");
    let run = p.db(db.url(), &["check"]).ok();
    assert!(run.stderr.contains("database: in sync at 1"), "{run:#?}");
}

#[test]
fn each_hand_change_is_drift_with_the_sql_that_undoes_it() {
    for (change, what, sql) in [
        (
            "ALTER TABLE users ADD COLUMN nickname text;",
            "column `users.nickname` is not in the migrations",
            "ALTER TABLE users DROP COLUMN nickname;",
        ),
        (
            "ALTER TABLE users DROP COLUMN name;",
            "column `users.name` is missing",
            "ALTER TABLE users ADD COLUMN name text DEFAULT",
        ),
        (
            "ALTER TABLE users ALTER COLUMN name TYPE varchar(20);",
            "column `users.name` has type character varying(20), the migrations text",
            "ALTER TABLE users ALTER COLUMN name TYPE text USING name::text;",
        ),
        (
            "ALTER TABLE users ALTER COLUMN name SET DEFAULT 'someone';",
            "column `users.name` has the default 'someone'::text, the migrations 'anon'::text",
            "ALTER TABLE users ALTER COLUMN name SET DEFAULT 'anon'::text;",
        ),
        (
            "ALTER TABLE users ALTER COLUMN name DROP DEFAULT;",
            "column `users.name` has the default none, the migrations 'anon'::text",
            "ALTER TABLE users ALTER COLUMN name SET DEFAULT 'anon'::text;",
        ),
        (
            "ALTER TABLE posts ALTER COLUMN title DROP NOT NULL;",
            "column `posts.title` allows NULL, the migrations say NOT NULL",
            "ALTER TABLE posts ALTER COLUMN title SET NOT NULL;",
        ),
        (
            "CREATE TABLE scratch (x int);",
            "table `scratch` is not in the migrations",
            "DROP TABLE scratch;",
        ),
        (
            "DROP TABLE tags;",
            "table `tags` is missing",
            "CREATE TABLE tags (",
        ),
        (
            "DROP VIEW titles;",
            "view `titles` is missing",
            "CREATE VIEW titles AS SELECT title FROM posts;",
        ),
        (
            "CREATE OR REPLACE VIEW titles AS SELECT title, id FROM posts;",
            "view `titles` differs from the migrations",
            "CREATE VIEW titles AS SELECT posts.title",
        ),
        (
            "ALTER TYPE mood ADD VALUE 'meh';",
            "enum `mood` has the values (sad, happy, meh), the migrations (sad, happy)",
            "CREATE TYPE mood AS ENUM ('sad', 'happy');",
        ),
        (
            "CREATE OR REPLACE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql \
             AS $$ BEGIN RETURN NEW; END $$;",
            "function `stamp()` differs from the migrations: body",
            "CREATE OR REPLACE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql\n\
             AS $$ BEGIN NEW.title := trim(NEW.title); RETURN NEW; END $$;",
        ),
        (
            "ALTER FUNCTION stamp() SECURITY DEFINER;",
            "function `stamp()` differs from the migrations: attributes",
            "CREATE OR REPLACE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql\n",
        ),
        (
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
            "function `f()` is not in the migrations",
            "DROP FUNCTION f();",
        ),
        (
            "DROP TRIGGER posts_stamp ON posts;",
            "trigger `posts_stamp` on `posts` is missing",
            "CREATE TRIGGER posts_stamp BEFORE INSERT ON posts FOR EACH ROW EXECUTE FUNCTION stamp();",
        ),
        (
            "CREATE OR REPLACE TRIGGER posts_stamp BEFORE INSERT OR UPDATE ON posts \
             FOR EACH ROW EXECUTE FUNCTION stamp();",
            "trigger `posts.posts_stamp` differs from the migrations",
            "DROP TRIGGER posts_stamp ON posts;\nCREATE TRIGGER posts_stamp BEFORE INSERT ON posts",
        ),
        (
            "CREATE SCHEMA scratch;",
            "schema `scratch` is not in the migrations",
            "DROP SCHEMA scratch;",
        ),
        (
            "CREATE EXTENSION citext;",
            "extension `citext` is not in the migrations",
            "DROP EXTENSION citext;",
        ),
        (
            "CREATE SEQUENCE numbers;",
            "sequence `numbers` is not in the migrations",
            "DROP SEQUENCE numbers;",
        ),
        (
            "CREATE INDEX users_name ON users (name);",
            "index `users_name` is not in the migrations",
            "DROP INDEX users_name;",
        ),
        (
            "DROP INDEX posts_user;",
            "index `posts_user` is missing",
            "CREATE INDEX posts_user ON posts (user_id);",
        ),
        (
            "ALTER TABLE users DROP CONSTRAINT users_age_check;",
            "constraint `users_age_check` of table `users` is missing",
            "ALTER TABLE users ADD CONSTRAINT users_age_check CHECK (age >= 0);",
        ),
        (
            "ALTER TABLE users ADD CONSTRAINT adult CHECK (age >= 18);",
            "constraint `adult` of table `users` is not in the migrations",
            "ALTER TABLE users DROP CONSTRAINT adult;",
        ),
        (
            "ALTER TABLE posts DROP CONSTRAINT posts_user_id_fkey, ADD CONSTRAINT \
             posts_user_id_fkey FOREIGN KEY (user_id) REFERENCES users;",
            "constraint `posts.posts_user_id_fkey` differs from the migrations",
            "FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;",
        ),
        (
            "ALTER TABLE users DROP CONSTRAINT users_age_check, ADD CONSTRAINT \
             users_age_check CHECK (age >= 1);",
            "constraint `users.users_age_check` differs from the migrations",
            "ALTER TABLE users ADD CONSTRAINT users_age_check CHECK ((age >= 0));",
        ),
    ] {
        let (p, db) = migrated();
        psql(&db, change);
        let (code, doc) = check_json(&p, db.url());
        assert_eq!(code, 3, "{change}: {doc:#}");
        let drift = doc["drift"].as_array().expect("a drift list");
        assert_eq!(drift.len(), 1, "{change}: only this change: {doc:#}");
        assert_eq!(drift[0]["code"], "db-drift");
        assert_eq!(drift[0]["what"], what, "{change}: {doc:#}");
        let got = drift[0]["sql"].as_str().unwrap_or_default();
        assert!(got.contains(sql), "{change}: {got}");
        // The text output says the same, with the code and the SQL.
        let run = p.db(db.url(), &["check"]).code(3);
        assert!(run.stderr.contains("error[db-drift]"), "{run:#?}");
        assert!(run.stderr.contains(what), "{run:#?}");
        // The SQL shown brings the database back.
        psql(&db, got);
        let (code, doc) = check_json(&p, db.url());
        assert_eq!(code, 0, "{change}: after {got}: {doc:#}");
    }
}

#[test]
fn upgrade_works_on_a_drifted_database_and_drift_stays_reported() {
    let (p, db) = migrated();
    psql(&db, "ALTER TABLE users ADD COLUMN nickname text;");
    p.migration(
        "2",
        "1",
        "ALTER TABLE posts ADD COLUMN body text;",
        "ALTER TABLE posts DROP COLUMN body;",
    );
    // Pending and drifted: both told.
    let run = p.db(db.url(), &["check"]).code(3);
    assert!(run.stderr.contains("pending"), "{run:#?}");
    assert!(run.stderr.contains("users.nickname"), "{run:#?}");
    p.db(db.url(), &["upgrade"]).ok();
    let (code, doc) = check_json(&p, db.url());
    assert_eq!(code, 3, "{doc:#}");
    assert_eq!(doc["drift"].as_array().map(Vec::len), Some(1), "{doc:#}");
    assert_eq!(doc["database"]["in_sync"], true, "{doc:#}");
}

#[test]
fn diff_from_a_database_to_a_schema_file() {
    let (p, db) = migrated();
    p.file(
        "schema.sql",
        "CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL UNIQUE, \
         name text DEFAULT 'anon', age int CHECK (age >= 0), bio text);\n\
         CREATE TABLE posts (id serial PRIMARY KEY, user_id int REFERENCES users ON DELETE CASCADE, \
         title text NOT NULL);\n\
         CREATE INDEX posts_user ON posts (user_id);\n\
         CREATE INDEX posts_title ON posts (lower(title));\n\
         CREATE VIEW titles AS SELECT title FROM posts;\n\
         CREATE TABLE tags (name text PRIMARY KEY);\n\
         CREATE TYPE mood AS ENUM ('sad', 'happy');\n\
         create function stamp() returns TRIGGER as $f$ BEGIN NEW.title := trim(NEW.title); \
         RETURN NEW; END $f$ language plpgsql volatile called on null input;\n\
         create trigger posts_stamp before insert on public.posts for each row \
         execute procedure stamp();",
    );
    let run = p.retort(&["diff", "--simple", "--from", db.url()]).ok();
    assert_eq!(
        changes_of(&run.stdout),
        [
            "ALTER TABLE users ADD COLUMN bio text;",
            "CREATE INDEX posts_title ON posts (lower(title));"
        ],
        "{run:#?}"
    );
    // The other way: what the database lacks is dropped.
    let run = p
        .retort(&["diff", "--from", "schema.sql", "--to", db.url()])
        .ok();
    assert_eq!(
        changes_of(&run.stdout),
        [
            "DROP INDEX posts_title;",
            "ALTER TABLE users DROP COLUMN bio;"
        ],
        "{run:#?}"
    );
}

#[test]
fn a_database_url_is_masked_in_every_message() {
    let p = Project::new();
    let url = "postgres://someone:s3cret@127.0.0.1:1/nothing";
    let run = p.retort(&["diff", "--from", url, "--to", "base"]).code(4);
    assert!(!run.stderr.contains("s3cret"), "{run:#?}");
    assert!(run.stderr.contains("someone:***@"), "{run:#?}");
}

#[test]
fn what_the_model_does_not_know_is_never_drift() {
    // A table made by `CREATE TABLE … AS` has columns the model does not know; a changed
    // one there is not drift. The version table, here configured elsewhere, is not either.
    let p = Project::new();
    p.file("retort.toml", "table = \"versions\"\nschema = \"meta\"\n");
    p.migration(
        "1",
        "none",
        "CREATE TABLE t (id int PRIMARY KEY, v text);\n\
         CREATE TABLE copy AS SELECT * FROM t;",
        "DROP TABLE copy;\nDROP TABLE t;",
    );
    let db = database();
    psql(&db, "CREATE SCHEMA meta;");
    p.db(db.url(), &["upgrade"]).ok();
    psql(&db, "ALTER TABLE copy ADD COLUMN extra int;");
    let (code, doc) = check_json(&p, db.url());
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["drift"], serde_json::json!([]), "{doc:#}");
    // What it knows is still compared.
    psql(&db, "ALTER TABLE t ADD COLUMN extra int;");
    let (code, doc) = check_json(&p, db.url());
    assert_eq!(code, 3, "{doc:#}");
    assert_eq!(
        doc["drift"][0]["what"], "column `t.extra` is not in the migrations",
        "{doc:#}"
    );
    assert_eq!(doc["drift"].as_array().map(Vec::len), Some(1), "{doc:#}");

    // Past a statement the model does not understand, nothing is known: no drift at all.
    let dynamic = Project::new();
    dynamic.migration(
        "1",
        "none",
        "CREATE TABLE t (id int);\n\
         DO $$ BEGIN EXECUTE 'CREATE TABLE made_' || 'here (x int)'; END $$;",
        "DROP TABLE t;",
    );
    let db = database();
    dynamic.db(db.url(), &["upgrade"]).ok();
    psql(&db, "CREATE TABLE by_hand (y int);");
    let (code, doc) = check_json(&dynamic, db.url());
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["drift"], serde_json::json!([]), "{doc:#}");
}

#[test]
fn a_view_that_selects_star_is_not_drift_when_its_table_grew() {
    // PostgreSQL expands `*` when the view is created: after a column is added to `t`, the
    // view still has the old columns, which the text `SELECT * FROM t` cannot say. The
    // database is exactly what the migrations made, so there is no drift.
    let p = Project::new();
    p.migration(
        "1",
        "none",
        "CREATE TABLE t (id int PRIMARY KEY);\nCREATE VIEW v AS SELECT * FROM t;\n\
         CREATE VIEW w AS SELECT t.id FROM t;",
        "DROP VIEW w;\nDROP VIEW v;\nDROP TABLE t;",
    )
    .migration(
        "2",
        "1",
        "ALTER TABLE t ADD COLUMN extra text;",
        "ALTER TABLE t DROP COLUMN extra;",
    );
    let db = database();
    p.db(db.url(), &["upgrade"]).ok();
    let (code, doc) = check_json(&p, db.url());
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["drift"], serde_json::json!([]), "{doc:#}");
    // A view without `*` changed by hand is still drift.
    psql(
        &db,
        "CREATE OR REPLACE VIEW w AS SELECT t.id FROM t WHERE t.id > 0;",
    );
    let (code, doc) = check_json(&p, db.url());
    assert_eq!(code, 3, "{doc:#}");
    assert_eq!(
        doc["drift"][0]["what"], "view `w` differs from the migrations",
        "{doc:#}"
    );
}

#[test]
fn a_generated_name_already_taken_is_numbered_as_postgresql_numbers_it() {
    // The column renamed away keeps `job_pipeline_id_fkey`; PostgreSQL names the new
    // column's foreign key `job_pipeline_id_fkey1`, and so must the model (else drift).
    let p = Project::new();
    p.migration(
        "1",
        "none",
        "CREATE TABLE pipeline (id bigint PRIMARY KEY);\n\
         CREATE TABLE job (id bigint PRIMARY KEY, pipeline_id bigint REFERENCES pipeline (id));",
        "DROP TABLE job;\nDROP TABLE pipeline;",
    );
    p.file(
        "migrations/2_m.sql",
        "-- revision: 2\n-- down_revision: 1\n-- lossy_down: the old column is not brought back\n\n\
         -- migrate:up\nALTER TABLE job RENAME COLUMN pipeline_id TO pipeline_id_old;\n\
         ALTER TABLE job ADD COLUMN pipeline_id bigint REFERENCES pipeline (id) ON DELETE CASCADE;\n\
         ALTER TABLE job DROP COLUMN pipeline_id_old;\n\n-- migrate:down\n",
    );
    let db = database();
    p.db(db.url(), &["upgrade"]).ok();
    let name: String = db
        .connect()
        .query_one(
            "SELECT conname::text FROM pg_constraint WHERE conrelid = 'job'::regclass AND contype = 'f'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(name, "job_pipeline_id_fkey1");
    let (code, doc) = check_json(&p, db.url());
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["drift"], serde_json::json!([]), "{doc:#}");
}
