//! Lints on the command line: `retort check` prints them as warnings that leave the exit
//! status alone unless denied in `retort.toml`; `retort lint` prints them alone; JSON gives
//! their codes; `-- retort:allow` silences one, with a reason.

mod common;

use common::Project;

/// A table, then an index built on it without `CONCURRENTLY` in the next revision.
fn index_on_existing_table(p: &Project) {
    p.migration(
        "001",
        "none",
        "CREATE TABLE users (id bigint, email text);",
        "DROP TABLE users;",
    )
    .migration(
        "002",
        "001",
        "CREATE INDEX users_email ON users (email);",
        "DROP INDEX users_email;",
    );
}

#[test]
fn check_prints_lints_like_rustc_and_exits_zero() {
    let p = Project::new();
    index_on_existing_table(&p);
    let run = p.retort(&["check"]).ok();
    assert!(
        run.stderr.contains(
            "warning[create-index-blocks-writes]: `CREATE INDEX` blocks writes to `users` while \
             the index builds\n --> migrations/002_m.sql:6:1\n"
        ),
        "{run:#?}"
    );
    assert!(
        run.stderr
            .contains("= help: build it with `CREATE INDEX CONCURRENTLY`"),
        "{run:#?}"
    );
    assert!(
        run.stderr
            .contains("checked 2 migrations in migrations: ok, 1 warning"),
        "{run:#?}"
    );
}

#[test]
fn a_denied_lint_fails_check() {
    let p = Project::new();
    index_on_existing_table(&p);
    p.file(
        "retort.toml",
        "[lints]\ncreate-index-blocks-writes = \"deny\"\n",
    );
    let run = p.retort(&["check"]).code(1);
    assert!(
        run.stderr.contains("error[create-index-blocks-writes]:"),
        "{run:#?}"
    );
    // Allowed: nothing to say.
    p.file(
        "retort.toml",
        "[lints]\ncreate-index-blocks-writes = \"allow\"\n",
    );
    let run = p.retort(&["check"]).ok();
    assert!(
        !run.stderr.contains("create-index-blocks-writes"),
        "{run:#?}"
    );
    // A misspelt lint is a configuration error that suggests the right one.
    p.file(
        "retort.toml",
        "[lints]\ncreate-index-block-writes = \"deny\"\n",
    );
    let run = p.retort(&["check"]).code(1);
    assert!(
        run.stderr
            .contains("did you mean `create-index-blocks-writes`?"),
        "{run:#?}"
    );
}

#[test]
fn the_runner_timeout_quiets_lock_without_timeout() {
    let p = Project::new();
    p.migration(
        "001",
        "none",
        "CREATE TABLE users (id bigint);",
        "DROP TABLE users;",
    )
    .migration(
        "002",
        "001",
        "ALTER TABLE users ADD COLUMN email text;",
        "ALTER TABLE users DROP COLUMN email;",
    );
    let run = p.retort(&["lint"]).ok();
    assert!(
        run.stderr.contains("warning[lock-without-timeout]"),
        "{run:#?}"
    );
    p.file("retort.toml", "statement_lock_timeout = 5\n");
    let run = p.retort(&["lint"]).ok();
    assert!(!run.stderr.contains("lock-without-timeout"), "{run:#?}");
    assert!(
        run.stderr
            .contains("linted 2 migrations in migrations: no lints"),
        "{run:#?}"
    );
}

#[test]
fn lint_prints_only_lints_and_json_names_their_codes() {
    let p = Project::new();
    index_on_existing_table(&p);
    // A warning that is not a lint: `retort check` shows it, `retort lint` does not.
    p.migration(
        "003",
        "002",
        "-- retort:unchecked a parser gap\nSELECT 1;",
        "SELECT 1;",
    );
    let check = p.retort(&["check"]).ok();
    assert!(
        check.stderr.contains("warning[sql-unchecked]"),
        "{check:#?}"
    );
    let lint = p.retort(&["lint"]).ok();
    assert!(!lint.stderr.contains("sql-unchecked"), "{lint:#?}");
    assert!(
        lint.stderr.contains("warning[create-index-blocks-writes]"),
        "{lint:#?}"
    );
    assert!(
        lint.stderr
            .contains("linted 3 migrations in migrations: 1 warning"),
        "{lint:#?}"
    );

    let json = p.retort(&["lint", "--format", "json"]).ok();
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(doc["warnings"], 1, "{doc:#}");
    assert_eq!(
        doc["diagnostics"][0]["code"], "create-index-blocks-writes",
        "{doc:#}"
    );
    assert_eq!(doc["diagnostics"][0]["severity"], "warning", "{doc:#}");
    assert_eq!(
        doc["diagnostics"][0]["location"], "migrations/002_m.sql:6:1",
        "{doc:#}"
    );
    let json = p.retort(&["check", "--format", "json"]).ok();
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    let codes: Vec<&str> = doc["diagnostics"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert!(codes.contains(&"create-index-blocks-writes"), "{doc:#}");
}

#[test]
fn retort_allow_silences_one_lint_with_a_reason() {
    let p = Project::new();
    p.migration(
        "001",
        "none",
        "CREATE TABLE users (id bigint, email text);",
        "DROP TABLE users;",
    )
    .migration(
        "002",
        "001",
        "-- retort:allow create-index-blocks-writes the table holds ten rows\n\
             CREATE INDEX users_email ON users (email);\n\
             CREATE INDEX users_id ON users (id);",
        "DROP INDEX users_email;\nDROP INDEX users_id;",
    );
    let run = p.retort(&["lint"]).ok();
    // The marker silences the statement after it only.
    assert_eq!(
        run.stderr
            .matches("warning[create-index-blocks-writes]")
            .count(),
        1,
        "{run:#?}"
    );
    assert!(run.stderr.contains("migrations/002_m.sql:8:1"), "{run:#?}");

    // No reason: an error. An unknown lint: an error with a suggestion. An allow that
    // silences nothing: a warning.
    p.migration(
        "002",
        "001",
        "-- retort:allow create-index-blocks-writes\nCREATE INDEX users_email ON users (email);\n\
         -- retort:allow create-index-block-writes small\nCREATE INDEX users_id ON users (id);\n\
         -- retort:allow drop-index-blocks-table nothing is dropped\nSELECT 1;",
        "DROP INDEX users_email;\nDROP INDEX users_id;",
    );
    let run = p.retort(&["check"]).code(1);
    assert!(
        run.stderr.contains("error[sql-allow-no-reason]"),
        "{run:#?}"
    );
    assert!(
        run.stderr.contains("error[sql-allow-unknown-code]"),
        "{run:#?}"
    );
    assert!(
        run.stderr
            .contains("did you mean `create-index-blocks-writes`?"),
        "{run:#?}"
    );
    assert!(run.stderr.contains("warning[sql-allow-unused]"), "{run:#?}");
}
