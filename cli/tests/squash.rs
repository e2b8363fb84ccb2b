//! `retort squash` end to end: the checkpoint against the range it replaces, on a real
//! PostgreSQL, for each state a database can be in.

mod common;

use common::{Project, catalog, database};

/// Four revisions: a table with a function-backed default and a trigger, a view, seed data,
/// and a table after the squashed range.
fn history(p: &Project) {
    p.migration(
        "001",
        "none",
        "CREATE FUNCTION slugify(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lower(t) $$;\n\
         CREATE TABLE tag (id serial PRIMARY KEY, name text NOT NULL, slug text);\n\
         CREATE FUNCTION tag_slug() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.slug := slugify(NEW.name); RETURN NEW; END $$;\n\
         CREATE TRIGGER tag_slug BEFORE INSERT ON tag FOR EACH ROW EXECUTE FUNCTION tag_slug();",
        "DROP TABLE tag;\nDROP FUNCTION tag_slug();\nDROP FUNCTION slugify(text);",
    )
    .migration(
        "002",
        "001",
        "ALTER TABLE tag ADD COLUMN hidden boolean NOT NULL DEFAULT false;\n\
         CREATE INDEX tag_slug_idx ON tag (slugify(name));\n\
         CREATE TABLE scratch (id int);\nINSERT INTO scratch VALUES (1);\nDROP TABLE scratch;",
        "DROP INDEX tag_slug_idx;\nALTER TABLE tag DROP COLUMN hidden;",
    )
    .migration(
        "003",
        "002",
        "CREATE VIEW visible_tag AS SELECT id, name FROM tag WHERE NOT hidden;\n\
         INSERT INTO tag (name) VALUES ('Rust'), ('SQL');",
        "DELETE FROM tag;\nDROP VIEW visible_tag;",
    )
    .migration(
        "004",
        "003",
        "CREATE TABLE post (id serial PRIMARY KEY, tag_id integer REFERENCES tag (id));",
        "DROP TABLE post;",
    );
}

/// The catalog without the version table's rows, and the rows of `tag`.
fn schema_and_seed(db: &retort_test_support::TestDb) -> Vec<String> {
    let mut out: Vec<String> = catalog(db)
        .into_iter()
        .filter(|l| !l.starts_with("row "))
        .collect();
    let mut client = db.connect();
    for (what, sql) in [
        (
            "trigger",
            "SELECT tgrelid::regclass::text || ' ' || tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1",
        ),
        (
            "view",
            "SELECT viewname || ' ' || definition FROM pg_views WHERE schemaname = 'public' ORDER BY 1",
        ),
        (
            "function",
            "SELECT proname || ' ' || pg_get_functiondef(oid) FROM pg_proc \
             WHERE pronamespace = 'public'::regnamespace ORDER BY 1",
        ),
        ("tag", "SELECT name || ' ' || slug FROM tag ORDER BY 1"),
    ] {
        for row in client.query(sql, &[]).unwrap() {
            out.push(format!("{what} {}", row.get::<_, String>(0)));
        }
    }
    out
}

/// The original history's schema at its head, on a fresh database.
fn original() -> Vec<String> {
    let p = Project::new();
    history(&p);
    let db = database();
    p.db(db.url(), &["upgrade"]).ok();
    schema_and_seed(&db)
}

/// The project with a checkpoint `900` replacing 001..003.
fn squashed() -> Project {
    let p = Project::new();
    history(&p);
    let run = p
        .retort(&[
            "squash",
            "--to",
            "003",
            "-m",
            "Checkpoint",
            "--rev-id",
            "900",
        ])
        .ok();
    assert_eq!(run.stdout.trim(), "migrations/900_checkpoint.sql");
    let text = std::fs::read_to_string(p.path("migrations/900_checkpoint.sql")).unwrap();
    assert!(text.contains("-- replaces: 001..003\n"), "{text}");
    assert!(text.contains("-- down_revision: none\n"), "{text}");
    p.retort(&["check"]).ok();
    p
}

#[test]
fn a_fresh_database_from_the_checkpoint_equals_one_from_the_range() {
    let want = original();
    let p = squashed();
    let db = database();
    let run = p.db(db.url(), &["upgrade"]).ok();
    // The checkpoint, then the revision after the range: nothing of the range runs.
    assert!(run.stdout.contains("900"), "{run:#?}");
    assert!(!run.stdout.contains("001"), "{run:#?}");
    assert_eq!(schema_and_seed(&db), want);
    let current = p.db(db.url(), &["current"]).ok();
    assert!(current.stdout.contains("004"), "{current:#?}");
    p.db(db.url(), &["check"]).ok();
}

#[test]
fn a_database_inside_the_range_continues_with_the_old_files() {
    let want = original();
    let p = squashed();
    let db = database();
    // The previous release: the range only.
    let before = Project::new();
    history(&before);
    before.db(db.url(), &["upgrade", "002"]).ok();
    let run = p.db(db.url(), &["upgrade"]).ok();
    assert!(run.stdout.contains("003"), "{run:#?}");
    assert!(!run.stdout.contains("900"), "{run:#?}");
    assert_eq!(schema_and_seed(&db), want);
    p.db(db.url(), &["check"]).ok();
}

#[test]
fn a_database_past_the_range_counts_the_checkpoint_as_applied() {
    let p = squashed();
    let db = database();
    let before = Project::new();
    history(&before);
    before.db(db.url(), &["upgrade"]).ok();
    let rows_before: Vec<String> = catalog(&db)
        .into_iter()
        .filter(|l| l.starts_with("row "))
        .collect();
    let key = |db: &retort_test_support::TestDb| -> Option<String> {
        db.connect()
            .query_one("SELECT encode(key, 'hex') FROM retort_migrations_head", &[])
            .unwrap()
            .get(0)
    };
    let old_key = key(&db);
    assert!(old_key.is_some(), "the old release's run verified its head");
    let run = p.db(db.url(), &["upgrade"]).ok();
    assert!(run.stdout.contains("nothing to upgrade"), "{run:#?}");
    // The checkpoint's set is another set: its run verified the database through the
    // checkpoint's view and keyed that.
    let new_key = key(&db);
    assert!(
        new_key.is_some() && new_key != old_key,
        "{old_key:?} {new_key:?}"
    );
    p.db(db.url(), &["check"]).ok();
    // Nothing was written: the range's rows stand for the checkpoint.
    let rows_after: Vec<String> = catalog(&db)
        .into_iter()
        .filter(|l| l.starts_with("row "))
        .collect();
    assert_eq!(rows_before, rows_after);
    // A base downgrade stops at the checkpoint, which cannot be reverted.
    let run = p.db(db.url(), &["downgrade", "base"]).code(1);
    assert!(run.stderr.contains("900"), "{run:#?}");
}

#[test]
fn with_the_old_files_deleted_the_set_still_builds_and_applies() {
    let want = original();
    let p = squashed();
    let inside = database();
    let before = Project::new();
    history(&before);
    before.db(inside.url(), &["upgrade", "002"]).ok();
    let past = database();
    before.db(past.url(), &["upgrade"]).ok();
    for rev in ["001", "002", "003"] {
        std::fs::remove_file(p.path(&format!("migrations/{rev}_m.sql"))).unwrap();
    }
    p.retort(&["check"]).ok();
    let fresh = database();
    p.db(fresh.url(), &["upgrade"]).ok();
    assert_eq!(schema_and_seed(&fresh), want);
    p.db(past.url(), &["check"]).ok();
    let run = p.db(inside.url(), &["upgrade"]).code(1);
    assert!(
        run.stderr.contains("error[db-inside-squashed-range]"),
        "{run:#?}"
    );
}

#[test]
fn what_cannot_be_carried_is_an_error_and_nothing_is_written() {
    let p = Project::new();
    history(&p);
    p.migration("005", "004", "DO $$ BEGIN PERFORM 1; END $$;", "");
    let run = p
        .retort(&[
            "squash",
            "--to",
            "005",
            "-m",
            "Checkpoint",
            "--rev-id",
            "900",
        ])
        .code(1);
    assert!(
        run.stderr.contains("error[cli-squash-cannot-carry]")
            && run.stderr.contains("`DO` at migrations/005_m.sql:6"),
        "{run:#?}"
    );
    assert!(!p.path("migrations/900_checkpoint.sql").exists());
}
