//! The `retort` command end to end, as a user runs it: the built binary against a real
//! PostgreSQL server, a fresh database per test.

mod common;

use common::{Project, catalog, database, psql, tables};

const USERS_UP: &str = "CREATE TABLE \"user\" (id serial PRIMARY KEY, name text NOT NULL);";
const USERS_DOWN: &str = "DROP TABLE \"user\";";
const COLUMNS_UP: &str = "ALTER TABLE \"user\" ADD COLUMN email text;\n\
    ALTER TABLE \"user\" ADD COLUMN display_name text;\n\
    UPDATE \"user\" SET display_name = initcap(name);";
const COLUMNS_DOWN: &str =
    "ALTER TABLE \"user\" DROP COLUMN display_name;\nALTER TABLE \"user\" DROP COLUMN email;";
const POSTS_UP: &str = "CREATE TABLE post (\n    id serial PRIMARY KEY,\n    \
    author_id integer NOT NULL REFERENCES \"user\" (id),\n    title text NOT NULL\n);";
const POSTS_DOWN: &str = "DROP TABLE post;";
const INDEXES_UP: &str = "CREATE INDEX post_author_idx ON post (author_id);\n\
    CREATE UNIQUE INDEX user_email_idx ON \"user\" (email);\n\
    ALTER TABLE post ADD CONSTRAINT post_title_not_empty CHECK (title <> '');";
const INDEXES_DOWN: &str = "ALTER TABLE post DROP CONSTRAINT post_title_not_empty;\n\
    DROP INDEX user_email_idx;\nDROP INDEX post_author_idx;";

/// The tutorial's four revisions with fixed ids 001…004.
fn tutorial(p: &Project) {
    p.migration("001", "none", USERS_UP, USERS_DOWN)
        .migration("002", "001", COLUMNS_UP, COLUMNS_DOWN)
        .migration("003", "002", POSTS_UP, POSTS_DOWN)
        .migration("004", "003", INDEXES_UP, INDEXES_DOWN);
}

/// The revision id at the start of a printed path's file name.
fn id_of(path: &str) -> String {
    let name = path.trim().rsplit('/').next().unwrap();
    name.split(['_', '.']).next().unwrap().to_owned()
}

#[test]
fn the_tutorial_workflow() {
    let db = database();
    let url = db.url();
    let p = Project::new();

    let run = p.retort(&["init"]).ok();
    let first = run.stdout.lines().next().unwrap();
    let path1 = first.strip_prefix("created ").expect("the path").to_owned();
    assert!(path1.starts_with("migrations/") && path1.ends_with("_initial_schema.sql"));
    for text in [
        "retort-build",
        "retort_build::track(\"migrations\")",
        "retort::migrations!();",
    ] {
        assert!(run.stdout.contains(text), "{run:#?}");
    }
    let r1 = id_of(&path1);
    assert_eq!(r1.len(), 14, "a UTC timestamp YYYYMMDDHHMMSS: {r1}");
    p.fill(&path1, USERS_UP, USERS_DOWN);
    // init refuses a directory that is not empty.
    let run = p.retort(&["init"]).code(1);
    assert!(
        run.stderr.starts_with(
            "error[cli-directory-not-empty]: `migrations` already exists and is not empty"
        ),
        "{run:#?}"
    );

    let path2 = p
        .retort(&["revision", "-m", "Add email and display name"])
        .ok()
        .stdout;
    assert!(
        path2.trim().ends_with("_add_email_and_display_name.sql"),
        "{path2}"
    );
    let r2 = id_of(&path2);
    assert!(r2 > r1, "ids sort in creation order: {r1} {r2}");
    let text = std::fs::read_to_string(p.path(path2.trim())).unwrap();
    assert!(
        text.contains(&format!("-- down_revision: {r1}\n")),
        "{text}"
    );
    p.fill(&path2, COLUMNS_UP, COLUMNS_DOWN);
    let path3 = p.retort(&["revision", "-m", "Create posts"]).ok().stdout;
    p.fill(&path3, POSTS_UP, POSTS_DOWN);
    let path4 = p
        .retort(&["revision", "-m", "Index posts; check titles"])
        .ok()
        .stdout;
    p.fill(&path4, INDEXES_UP, INDEXES_DOWN);
    let (r3, r4) = (id_of(&path3), id_of(&path4));
    p.retort(&["check"]).ok();

    // The first revision, some data, then the rest: the data migration fills the new column.
    let run = p.db(url, &["upgrade", &r1]).ok();
    assert!(
        run.stdout
            .contains(&format!("  applied  {r1} Initial schema")),
        "{run:#?}"
    );
    db.connect()
        .batch_execute("INSERT INTO \"user\" (name) VALUES ('ada')")
        .unwrap();
    let run = p.db(url, &["upgrade"]).ok();
    let applied: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("  applied  "))
        .collect();
    assert_eq!(applied.len(), 3, "{run:#?}");
    assert!(
        applied[0].contains(&r2) && applied[2].contains(&r4),
        "{run:#?}"
    );
    // Each line ends with the time it took.
    assert!(
        applied.iter().all(|l| l.trim_end().ends_with('s')),
        "{run:#?}"
    );
    assert!(
        run.stdout
            .contains(&format!("upgraded to {r4}: 3 migrations in ")),
        "{run:#?}"
    );
    let name: String = db
        .connect()
        .query_one("SELECT display_name FROM \"user\"", &[])
        .unwrap()
        .get(0);
    assert_eq!(name, "Ada");
    assert_eq!(tables(&db), ["post", "retort_migrations", "user"]);
    let run = p.db(url, &["upgrade"]).ok();
    assert_eq!(
        run.stdout,
        format!("nothing to upgrade: the database is at {r4}\n")
    );

    let run = p.db(url, &["downgrade", "-1"]).ok();
    assert!(
        run.stdout
            .starts_with(&format!("  reverted {r4} Index posts; check titles")),
        "{run:#?}"
    );
    assert!(
        run.stdout
            .contains(&format!("downgraded to {r3}: 1 migration in ")),
        "{run:#?}"
    );
    let run = p.db(url, &["downgrade", "base"]).ok();
    assert_eq!(
        run.stdout
            .lines()
            .filter(|l| l.starts_with("  reverted "))
            .count(),
        3
    );
    assert!(
        run.stdout.contains("downgraded to base: 3 migrations"),
        "{run:#?}"
    );
    assert_eq!(tables(&db), ["retort_migrations"]);

    p.db(url, &["upgrade", &r2]).ok();
    let run = p.db(url, &["current"]).ok();
    assert_eq!(run.stdout, format!("{r2}, Add email and display name\n"));
    assert!(run.stderr.contains("note: 2 revisions pending"), "{run:#?}");

    let run = p.retort(&["history"]).ok();
    assert_eq!(
        run.stdout,
        format!(
            "{r3} -> {r4} (head), Index posts; check titles\n\
             {r2} -> {r3}, Create posts\n\
             {r1} -> {r2}, Add email and display name\n\
             <base> -> {r1}, Initial schema\n"
        )
    );
    let run = p.retort(&["history", "-r", &format!("{r2}:{r3}")]).ok();
    assert_eq!(run.stdout.lines().count(), 2, "{run:#?}");
    let run = p
        .retort(&["history", "--verbose", "-r", &format!("{r4}:")])
        .ok();
    assert!(
        run.stdout.starts_with(&format!(
            "Rev: {r4} (head)\nParent: {r3}\nPath: {}",
            path4.trim()
        )),
        "{run:#?}"
    );
    let run = p.retort(&["heads"]).ok();
    assert_eq!(
        run.stdout,
        format!("{r4} (head), Index posts; check titles\n")
    );
    let run = p.retort(&["show", &r3]).ok();
    assert!(run.stdout.contains("CREATE TABLE post ("), "{run:#?}");
    assert!(run.stdout.starts_with(&format!("Rev: {r3}\n")), "{run:#?}");
}

#[test]
fn two_branches_then_a_merge() {
    let db = database();
    let url = db.url();
    let p = Project::new();
    p.migration("001", "none", USERS_UP, USERS_DOWN);
    // Alice and Bob each write a revision on 001.
    p.retort(&["revision", "-m", "Alice adds email", "--rev-id", "a1"])
        .ok();
    let run = p
        .retort(&[
            "revision",
            "-m",
            "Bob adds posts",
            "--rev-id",
            "b1",
            "--head",
            "001",
        ])
        .ok();
    assert!(run.stderr.contains("starts a new branch"), "{run:#?}");
    p.fill(
        "migrations/a1_alice_adds_email.sql",
        "ALTER TABLE \"user\" ADD COLUMN email text;",
        "ALTER TABLE \"user\" DROP COLUMN email;",
    );
    p.fill(
        "migrations/b1_bob_adds_posts.sql",
        "CREATE TABLE post (id int);",
        "DROP TABLE post;",
    );

    let run = p.retort(&["heads"]).ok();
    assert_eq!(
        run.stdout,
        "a1 (head), Alice adds email\nb1 (head), Bob adds posts\n"
    );
    let run = p.retort(&["branches"]).ok();
    assert_eq!(
        run.stdout,
        "001 (branchpoint), Migration 001\n    -> a1 (head), Alice adds email\n    -> b1 (head), Bob adds posts\n"
    );
    let run = p.retort(&["check"]).code(1);
    assert!(run.stderr.contains("heads"), "{run:#?}");
    let run = p.retort(&["revision", "-m", "Next"]).code(1);
    assert!(
        run.stderr
            .starts_with("error[target-ambiguous]: there are 2 heads, `a1` and `b1`"),
        "{run:#?}"
    );
    assert!(
        run.stderr.contains("help: pick one with `--head a1`"),
        "{run:#?}"
    );
    let run = p.db(url, &["upgrade"]).code(1);
    assert!(run.stderr.starts_with("error["), "{run:#?}");
    assert_eq!(tables(&db), ["retort_migrations"], "nothing applied");

    let run = p
        .retort(&["merge", "-m", "Merge alice and bob", "--rev-id", "m1"])
        .ok();
    assert_eq!(run.stdout, "migrations/m1_merge_alice_and_bob.sql\n");
    let text = std::fs::read_to_string(p.path("migrations/m1_merge_alice_and_bob.sql")).unwrap();
    assert!(text.contains("-- down_revision: a1, b1\n"), "{text}");
    p.retort(&["check"]).ok();
    let run = p.retort(&["history"]).ok();
    assert!(
        run.stdout
            .starts_with("a1, b1 -> m1 (head) (mergepoint), Merge alice and bob\n"),
        "{run:#?}"
    );
    assert!(
        run.stdout
            .contains("<base> -> 001 (branchpoint), Migration 001"),
        "{run:#?}"
    );

    let run = p.db(url, &["upgrade"]).ok();
    for rev in ["001", "a1", "b1", "m1"] {
        assert!(
            run.stdout.contains(&format!("  applied  {rev} ")),
            "{run:#?}"
        );
    }
    assert_eq!(tables(&db), ["post", "retort_migrations", "user"]);
    let run = p.db(url, &["current"]).ok();
    assert_eq!(run.stdout, "m1 (head), Merge alice and bob\n");
    p.db(url, &["check"]).ok();
    // A merge of one head is refused.
    let run = p.retort(&["merge", "-m", "again"]).code(1);
    assert!(run.stderr.contains("nothing to merge"), "{run:#?}");
}

#[test]
fn stamp_adopts_an_existing_database() {
    let db = database();
    let url = db.url();
    let p = Project::new();
    // Tables made by hand, long ago.
    db.connect()
        .batch_execute(&format!("{USERS_UP}\n{COLUMNS_UP}"))
        .unwrap();
    p.migration("001", "none", USERS_UP, USERS_DOWN).migration(
        "002",
        "001",
        COLUMNS_UP,
        COLUMNS_DOWN,
    );
    let run = p.db(url, &["check"]).code(3);
    assert!(run.stderr.contains("pending      001, 002"), "{run:#?}");
    // At base, everything is above the current state.
    let run = p.db(url, &["history", "-r", "current:", "-i"]).ok();
    assert_eq!(
        run.stdout,
        "001 -> 002 (head), Migration 002\n<base> -> 001, Migration 001\n"
    );
    let run = p.db(url, &["stamp", "head"]).ok();
    assert_eq!(
        run.stdout,
        "stamped `002`: recorded `001` and `002` as applied, none as not applied; no SQL was run\n"
    );
    p.db(url, &["check"]).ok();
    let run = p.db(url, &["history", "-i"]).ok();
    assert!(
        run.stdout
            .starts_with("001 -> 002 (head) (current), Migration 002\n"),
        "{run:#?}"
    );
    p.retort(&["revision", "-m", "Create posts", "--rev-id", "003"])
        .ok();
    p.fill("migrations/003_create_posts.sql", POSTS_UP, POSTS_DOWN);
    let run = p.db(url, &["upgrade"]).ok();
    assert_eq!(
        run.stdout
            .lines()
            .filter(|l| l.starts_with("  applied"))
            .count(),
        1,
        "{run:#?}"
    );
    assert!(
        run.stdout.contains("  applied  003 Create posts"),
        "{run:#?}"
    );
    assert_eq!(tables(&db), ["post", "retort_migrations", "user"]);
}

#[test]
fn sql_scripts_applied_with_psql_match_online_runs() {
    let online = database();
    let offline = database();
    let p = Project::new();
    tutorial(&p);

    p.db(online.url(), &["upgrade"]).ok();
    // Offline, in two pieces: from base to 002, then Alembic's range 002:004.
    let first = p.retort(&["upgrade", "002", "--sql"]).ok().stdout;
    assert!(first.contains("\\set ON_ERROR_STOP on"), "{first}");
    assert!(first.contains("CREATE TABLE \"user\""), "{first}");
    assert!(!first.contains("CREATE TABLE post"), "{first}");
    psql(&offline, &first);
    let rest = p.retort(&["upgrade", "002:004", "--sql"]).ok().stdout;
    assert!(!rest.contains("CREATE TABLE \"user\""), "{rest}");
    psql(&offline, &rest);
    assert_eq!(catalog(&online), catalog(&offline));
    assert!(
        catalog(&online)
            .iter()
            .any(|l| l.contains("post_title_not_empty"))
    );

    // And back down to 002.
    p.db(online.url(), &["downgrade", "002"]).ok();
    let down = p.retort(&["downgrade", "004:002", "--sql"]).ok().stdout;
    psql(&offline, &down);
    assert_eq!(catalog(&online), catalog(&offline));
    // Without a range a downgrade script starts from the heads.
    let all_down = p.retort(&["downgrade", "base", "--sql"]).ok().stdout;
    assert!(all_down.contains("DROP TABLE \"user\""), "{all_down}");
    // A range online is a usage error.
    let run = p.db(online.url(), &["upgrade", "001:002"]).code(2);
    assert!(run.stderr.contains("only for `--sql`"), "{run:#?}");
}

#[test]
fn dry_run_leaves_nothing() {
    let db = database();
    let p = Project::new();
    tutorial(&p);
    let before = catalog(&db);
    let run = p.db(db.url(), &["upgrade", "--dry-run"]).ok();
    assert_eq!(
        run.stdout
            .lines()
            .filter(|l| l.starts_with("  applied "))
            .count(),
        4,
        "{run:#?}"
    );
    assert!(
        run.stdout
            .contains("dry run: 4 migrations applied, then rolled back; nothing was changed"),
        "{run:#?}"
    );
    let after: Vec<String> = catalog(&db);
    assert!(after.iter().all(|l| !l.starts_with("row ")), "{after:?}");
    assert_eq!(
        tables(&db),
        Vec::<String>::new(),
        "not even the version table"
    );
    assert!(before.iter().all(|l| after.contains(l)));

    p.db(db.url(), &["upgrade"]).ok();
    let before = catalog(&db);
    let run = p.db(db.url(), &["downgrade", "base", "--dry-run"]).ok();
    assert!(run.stdout.contains("then rolled back"), "{run:#?}");
    assert_eq!(before, catalog(&db));
}

#[test]
fn json_output_has_a_stable_shape() {
    let db = database();
    let url = db.url();
    let p = Project::new();
    tutorial(&p);
    p.db(url, &["upgrade", "003"]).ok();
    let json = |args: &[&str]| -> serde_json::Value {
        let run = p.db(url, args);
        assert!(run.code == 0 || run.code == 3, "{run:#?}");
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {run:#?}"))
    };
    let current = json(&["current", "--format", "json"]);
    assert_eq!(
        current,
        serde_json::json!({
            "current": [{"revision": "003", "message": "Migration 003", "head": false, "known": true}],
            "pending": ["004"],
            "in_sync": false,
        })
    );
    let heads = json(&["heads", "--format", "json"]);
    assert_eq!(
        heads,
        serde_json::json!({"heads": [{"revision": "004", "message": "Migration 004", "path": "migrations/004_m.sql"}]})
    );
    let history = json(&["history", "--format", "json"]);
    let revs = history["revisions"].as_array().unwrap();
    assert_eq!(revs.len(), 4);
    assert_eq!(
        revs[0],
        serde_json::json!({
            "revision": "004", "down_revisions": ["003"], "message": "Migration 004",
            "path": "migrations/004_m.sql", "head": true, "branchpoint": false,
            "mergepoint": false, "transactional": true, "irreversible": null,
        })
    );
    assert_eq!(revs[3]["down_revisions"], serde_json::json!([]));
    let check = json(&["check", "--format", "json"]);
    assert_eq!(check["ok"], false);
    assert_eq!(check["migrations"], 4);
    assert_eq!(check["errors"], 0);
    assert_eq!(check["database"]["in_sync"], false);
    assert_eq!(check["database"]["pending"], serde_json::json!(["004"]));
    assert_eq!(check["database"]["current"], serde_json::json!(["003"]));

    // Errors in the directory show up as diagnostics, without a database.
    p.migration("005", "004", "CREATE TABLE broken (;", "");
    let run = p.retort(&["check", "--format", "json"]).code(1);
    let check: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(check["ok"], false);
    assert_eq!(check["database"], serde_json::Value::Null);
    // The first error (lints on the earlier revisions come before it, as warnings).
    let d = check["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["severity"] == "error")
        .unwrap();
    assert_eq!(d["severity"], "error");
    assert_eq!(d["code"], "sql-syntax");
    assert!(
        d["location"]
            .as_str()
            .unwrap()
            .starts_with("migrations/005_m.sql:"),
        "{d}"
    );
}

#[test]
fn check_reports_what_is_out_of_sync() {
    let db = database();
    let url = db.url();
    let p = Project::new();
    tutorial(&p);
    let run = p.db(url, &["check"]).code(3);
    assert!(
        run.stderr.contains(
            "error[db-not-in-sync]: the database is not in sync with the migrations (it is at base)"
        ),
        "{run:#?}"
    );
    p.db(url, &["upgrade"]).ok();
    let run = p.db(url, &["check"]).ok();
    assert!(
        run.stderr.contains("database: in sync at 004 (4 applied)"),
        "{run:#?}"
    );
    // An applied migration edited: out of sync, and upgrade refuses.
    p.migration(
        "002",
        "001",
        "ALTER TABLE \"user\" ADD COLUMN email varchar(10);",
        "ALTER TABLE \"user\" DROP COLUMN email;",
    );
    let run = p.db(url, &["check"]).code(3);
    assert!(
        run.stderr
            .contains("edited       002 (migrations/002_m.sql)"),
        "{run:#?}"
    );
    let run = p.db(url, &["upgrade"]).code(4);
    assert!(
        run.stderr
            .starts_with("error[db-edited-migration]: applied migrations were edited since"),
        "{run:#?}"
    );
    // The database ahead of the files: unknown.
    p.migration("002", "001", COLUMNS_UP, COLUMNS_DOWN);
    std::fs::remove_file(p.path("migrations/004_m.sql")).unwrap();
    let run = p.db(url, &["check", "--format", "json"]).code(3);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["database"]["unknown"], serde_json::json!(["004"]));
    // Reverting what the files do not know uses the SQL the version table kept.
    let run = p.db(url, &["downgrade", "003"]).ok();
    assert!(run.stdout.contains("  reverted 004 "), "{run:#?}");
    p.db(url, &["check"]).ok();

    // An interrupted migration (as a crash part-way through a non-transactional one leaves
    // it): out of sync, every run refuses, until `stamp` records what a person decided.
    db.connect()
        .batch_execute("UPDATE retort_migrations SET state = 'started' WHERE revision = '003'")
        .unwrap();
    let run = p.db(url, &["check"]).code(3);
    assert!(run.stderr.contains("interrupted  003"), "{run:#?}");
    let run = p.db(url, &["upgrade"]).code(4);
    assert!(
        run.stderr.starts_with(
            "error[db-interrupted-migration]: migration `003` was interrupted while applying"
        ),
        "{run:#?}"
    );
    assert!(run.stderr.contains("`retort stamp 003`"), "{run:#?}");
    let run = p.db(url, &["stamp", "003"]).ok();
    assert!(run.stdout.starts_with("stamped `003`"), "{run:#?}");
    p.db(url, &["check"]).ok();
}

#[test]
fn retort_toml_settings_apply_and_flags_win() {
    let db = database();
    let p = Project::new();
    p.file("retort.toml", "dir = \"db/migrations\"\ntable = \"schema_versions\"\nschema = \"meta\"\nlock_timeout = 5\n");
    p.file(
        "db/migrations/001_m.sql",
        &format!("-- revision: 001\n-- down_revision: none\n\n-- migrate:up\n{USERS_UP}\n\n-- migrate:down\n{USERS_DOWN}\n"),
    );
    p.db(db.url(), &["upgrade"]).ok();
    let n: i64 = db
        .connect()
        .query_one("SELECT count(*) FROM meta.schema_versions", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
    // --dir wins over the file.
    let run = p.retort(&["--dir", "elsewhere", "check"]).code(1);
    assert!(run.stderr.contains("`elsewhere`"), "{run:#?}");
}
