//! `retort check`, run as a user runs it: the built binary on directories of migrations.

mod common;

use common::Project;

/// A migration file whose up section changes no schema: header, up section, a down
/// section of `SELECT 1;`.
fn migration(rev: &str, down: &str, up: &str) -> String {
    reversible(rev, down, up, "SELECT 1;")
}

/// A migration file: header, up section, down section.
fn reversible(rev: &str, parents: &str, up: &str, down: &str) -> String {
    format!(
        "-- revision: {rev}\n-- down_revision: {parents}\n-- message: test\n\n-- migrate:up\n{up}\n\n\
         -- migrate:down\n{down}\n"
    )
}

/// The `-->` lines of the output: where each diagnostic points.
fn locations(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|l| l.trim_start().strip_prefix("--> "))
        .collect()
}

fn last_line(text: &str) -> &str {
    text.lines().last().unwrap_or("")
}

fn good_history(p: &Project) {
    p.migration_file(
        "001_init.sql",
        &reversible(
            "001",
            "none",
            "CREATE TABLE \"user\" (id bigint PRIMARY KEY);",
            "DROP TABLE \"user\";",
        ),
    )
    .migration_file(
        "002_add_email.sql",
        &reversible(
            "002",
            "001",
            // A good history sets a lock timeout before it locks a table in use.
            "SET LOCAL lock_timeout = '5s';\nALTER TABLE \"user\" ADD COLUMN email text;",
            "ALTER TABLE \"user\" DROP COLUMN email;",
        ),
    );
}

#[test]
fn clean_directory_passes() {
    let p = Project::new();
    good_history(&p);
    // A README and dot-files are ignored.
    p.file("migrations/README.md", "# migrations\n")
        .file("migrations/.keep", "");
    let run = p.retort(&["check"]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.stderr, "checked 2 migrations in migrations: ok\n");
    assert_eq!(run.stdout, "");
}

#[test]
fn syntax_error_names_file_line_and_column() {
    let p = Project::new();
    good_history(&p);
    p.migration_file(
        "003_x.sql",
        "-- revision: 003\n\
         -- down_revision: 002\n\
         \n\
         -- migrate:up\n\
         SET LOCAL lock_timeout = '5s';\n\
         ALTER TABLE \"user\" ADD COLUMN phone text;\n\
         CREATE TABLE address (id bigint, user_id bigint,);\n\
         \n\
         -- migrate:down\n\
         DROP TABLE address;\n\
         ALTER TABLE \"user\" DROP COLUMN phone;\n",
    );
    let run = p.retort(&["check"]);
    assert_eq!(run.code, 1, "{run:#?}");
    assert_eq!(
        locations(&run.stderr),
        ["migrations/003_x.sql:7:48"],
        "{run:#?}"
    );
    assert!(
        run.stderr
            .starts_with("error[sql-syntax]: SQL syntax error"),
        "{run:#?}"
    );
    assert!(
        run.stderr
            .contains("7 | CREATE TABLE address (id bigint, user_id bigint,);"),
        "{run:#?}"
    );
    assert_eq!(
        last_line(&run.stderr),
        "checked 3 migrations in migrations: 1 error"
    );
}

#[test]
fn every_problem_in_every_file_is_reported_in_one_run() {
    let p = Project::new();
    good_history(&p);
    p.migration_file(
        // A misspelt header key.
        "003_typo.sql",
        "-- revision: 003\n-- down_revision: 002\n-- mesage: typo\n\n-- migrate:up\nSELECT 1;\n\n\
         -- migrate:down\nSELECT 1;\n",
    )
    .migration_file(
        // A syntax error in the down section.
        "004_syntax.sql",
        &migration("004", "003", "SELECT 1;")
            .replace("-- migrate:down\nSELECT 1;", "-- migrate:down\nDROP TABLE;"),
    )
    .migration_file(
        // A statement PostgreSQL refuses inside a transaction.
        "005_index.sql",
        &reversible(
            "005",
            "004",
            "CREATE INDEX CONCURRENTLY user_email ON \"user\" (email);",
            "DROP INDEX user_email;",
        ),
    )
    // Not a migration at all.
    .file("migrations/notes.txt", "remember the index\n");
    let run = p.retort(&["check"]);
    assert_eq!(run.code, 1, "{run:#?}");
    let errors = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error"))
        .count();
    assert_eq!(errors, 4, "{run:#?}");
    let files: Vec<&str> = locations(&run.stderr)
        .into_iter()
        .map(|l| l.split(':').next().unwrap())
        .collect();
    for file in [
        "migrations/003_typo.sql",
        "migrations/004_syntax.sql",
        "migrations/005_index.sql",
    ] {
        assert!(files.contains(&file), "{file} not reported: {run:#?}");
    }
    assert!(
        run.stderr
            .contains("error[load-stray-file]: `migrations/notes.txt` is not a migration file"),
        "{run:#?}"
    );
    assert!(run.stderr.contains("did you mean `message`?"), "{run:#?}");
    assert_eq!(
        last_line(&run.stderr),
        "checked 5 migrations in migrations: 4 errors"
    );
}

#[test]
fn unchecked_statement_is_a_warning_and_passes() {
    let p = Project::new();
    good_history(&p);
    p.migration_file(
        "003_copy.sql",
        &migration(
            "003",
            "002",
            "-- retort:unchecked psql meta-command\n\\copy \"user\" FROM 'users.csv'",
        ),
    );
    let run = p.retort(&["check"]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(
        run.stderr.starts_with(
            "warning[sql-unchecked]: statement not syntax-checked: psql meta-command\n"
        ),
        "{run:#?}"
    );
    assert_eq!(locations(&run.stderr), ["migrations/003_copy.sql:7:1"]);
    assert_eq!(
        last_line(&run.stderr),
        "checked 3 migrations in migrations: ok, 1 warning"
    );
}

#[test]
fn errors_and_warnings_are_counted_apart() {
    let p = Project::new();
    good_history(&p);
    p.migration_file(
        "003_copy.sql",
        &migration(
            "003",
            "002",
            "-- retort:unchecked later\nSELECT;;\nSELEC 1;",
        ),
    );
    let run = p.retort(&["check"]);
    assert_eq!(run.code, 1, "{run:#?}");
    assert_eq!(
        last_line(&run.stderr),
        "checked 3 migrations in migrations: 1 error, 1 warning"
    );
}

#[test]
fn several_heads_fail_unless_allowed() {
    let p = Project::new();
    good_history(&p);
    p.migration_file("003_other.sql", &migration("003", "001", "SELECT 3;"));
    let run = p.retort(&["check"]);
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(
        run.stderr.starts_with(
            "error[graph-multiple-heads]: 2 heads: `002`, `003` (branching from `001`)"
        ),
        "{run:#?}"
    );
    let run = p.retort(&["check", "--allow-multiple-heads"]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.stderr, "checked 3 migrations in migrations: ok\n");
}

#[test]
fn several_roots_fail_unless_allowed() {
    let p = Project::new();
    good_history(&p);
    p.migration_file("003_root.sql", &migration("003", "none", "SELECT 3;"))
        .migration_file("004_merge.sql", &migration("004", "002, 003", "SELECT 4;"));
    let run = p.retort(&["check"]);
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(
        run.stderr
            .starts_with("error[graph-multiple-roots]: 2 revisions have `down_revision: none`"),
        "{run:#?}"
    );
    let run = p.retort(&["check", "--allow-multiple-roots"]);
    assert_eq!(run.code, 0, "{run:#?}");
}

#[test]
fn a_down_section_that_does_not_restore_the_schema_fails() {
    let p = Project::new();
    good_history(&p);
    let index = reversible(
        "003",
        "002",
        "CREATE INDEX user_email ON \"user\" (email);",
        "SELECT 1;",
    );
    p.migration_file("003_index.sql", &index);
    // The case is about the down section, not about how the index is built.
    p.file(
        "retort.toml",
        "[lints]\ncreate-index-blocks-writes = \"allow\"\n",
    );
    let run = p.retort(&["check"]);
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(
        run.stderr.starts_with(
            "error[schema-down-not-restored]: the down section of `003` leaves index `user_email` (created in \
             migrations/003_index.sql:6)\n"
        ),
        "{run:#?}"
    );
    // It points at the down section and at the statement that created the index.
    assert_eq!(locations(&run.stderr), ["migrations/003_index.sql:8:1"]);
    assert!(
        run.stderr
            .contains("6 | CREATE INDEX user_email ON \"user\" (email);"),
        "{run:#?}"
    );
    assert!(run.stderr.contains("-- lossy_down: <reason>"), "{run:#?}");
    assert_eq!(
        last_line(&run.stderr),
        "checked 3 migrations in migrations: 1 error"
    );
    // Lossy on purpose, said so in the header: it passes.
    p.migration_file(
        "003_index.sql",
        &index.replace(
            "-- message: test\n",
            "-- message: test\n-- lossy_down: the index stays, to be dropped by hand\n",
        ),
    );
    let run = p.retort(&["check"]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.stderr, "checked 3 migrations in migrations: ok\n");
}

#[test]
fn missing_directory_is_one_clear_error() {
    let p = Project::new();
    let run = p.retort(&["--dir", "db/migrations", "check"]);
    assert_eq!(run.code, 1, "{run:#?}");
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error"))
        .collect();
    assert_eq!(
        errors,
        [
            "error[load-missing-directory]: cannot read the migration directory `db/migrations`: it does not exist"
        ]
    );
    assert_eq!(
        last_line(&run.stderr),
        "checked 0 migrations in db/migrations: 1 error"
    );
}

#[test]
fn dir_is_named_as_written() {
    let p = Project::new();
    p.file(
        "db/migrations/001_init.sql",
        &migration("001", "none", "SELEC 1;"),
    );
    // `--dir` after the command works too.
    let run = p.retort(&["check", "--dir", "./db/migrations/"]);
    assert_eq!(run.code, 1, "{run:#?}");
    assert_eq!(locations(&run.stderr), ["./db/migrations/001_init.sql:6:1"]);
    assert_eq!(
        last_line(&run.stderr),
        "checked 1 migration in ./db/migrations/: 1 error"
    );

    // An absolute path, from elsewhere.
    let abs = p.root.join("db/migrations");
    let elsewhere = Project::new();
    let run = elsewhere.retort(&["--dir", abs.to_str().unwrap(), "check"]);
    assert_eq!(run.code, 1, "{run:#?}");
    assert_eq!(
        locations(&run.stderr),
        [format!("{}/001_init.sql:6:1", abs.display())]
    );
}

#[test]
fn help_shows_usage_and_examples() {
    let p = Project::new();
    let run = p.retort(&["--help"]);
    assert_eq!(run.code, 0, "{run:#?}");
    for text in [
        "Usage: retort [OPTIONS] <COMMAND>",
        "check",
        "--dir <DIR>",
        "else migrations]",
        "Examples:\n  retort init",
        "  retort check ",
        "Exit status: 0 ok, 1",
    ] {
        assert!(run.stdout.contains(text), "{text:?} missing: {run:#?}");
    }
    let run = p.retort(&["check", "--help"]);
    assert_eq!(run.code, 0, "{run:#?}");
    for text in [
        "Usage: retort check [OPTIONS]",
        "--allow-multiple-heads",
        "--allow-multiple-roots",
        "Exit status: 0 when there is no error",
        "Examples:",
    ] {
        assert!(run.stdout.contains(text), "{text:?} missing: {run:#?}");
    }
    let run = p.retort(&["--version"]);
    assert_eq!(run.code, 0);
    assert_eq!(
        run.stdout,
        format!("retort {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn usage_errors_exit_2() {
    let p = Project::new();
    // No command at all: the help, on standard error.
    let run = p.retort(&[]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stderr.contains("Usage: retort"), "{run:#?}");
    for args in [
        &["frobnicate"][..],
        &["check", "--allow-everything"],
        &["check", "--dir"],
    ] {
        let run = p.retort(args);
        assert_eq!(run.code, 2, "{args:?}: {run:#?}");
        assert!(run.stderr.starts_with("error["), "{args:?}: {run:#?}");
        assert!(run.stderr.contains("--help"), "{args:?}: {run:#?}");
    }
}
