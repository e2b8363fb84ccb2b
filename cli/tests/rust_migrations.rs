//! A directory with a Rust data migration, seen by the `retort` command: the checks and the
//! file commands read it (its header, its `pub fn up`/`down`, its checksum), and the commands
//! that would have to run it refuse before anything runs, pointing at the service's own binary.

mod common;

use common::{Project, database, tables};

const RUST_UP: &str = "// revision: 002
// down_revision: 001
// message: Backfill

pub fn up(tx: &mut retort::postgres::Transaction<'_>) -> Result<(), retort::BoxError> {
    tx.execute(\"UPDATE users SET name = lower(name)\", &[])?;
    Ok(())
}

pub fn down(_tx: &mut retort::postgres::Transaction<'_>) -> Result<(), retort::BoxError> {
    Ok(())
}
";

fn project() -> Project {
    let p = Project::new();
    p.migration(
        "001",
        "none",
        "CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL);",
        "DROP TABLE users;",
    )
    .migration_file("002_backfill.rs", RUST_UP)
    .migration(
        "003",
        "002",
        "ALTER TABLE users ADD COLUMN email text;",
        "ALTER TABLE users DROP COLUMN email;",
    );
    p
}

#[test]
fn the_checks_and_the_history_read_it() {
    let p = project();
    let run = p.retort(&["check"]).ok();
    assert!(run.stderr.contains("checked 3 migrations"), "{run:#?}");
    let run = p.retort(&["history"]).ok();
    assert!(run.stdout.contains("001 -> 002, Backfill"), "{run:#?}");
    // The schema at the Rust revision is its parent's.
    let run = p.retort(&["schema", "002"]).ok();
    assert!(run.stdout.contains("CREATE TABLE"), "{run:#?}");
    assert!(!run.stdout.contains("email"), "{run:#?}");
}

#[test]
fn a_broken_rust_migration_is_located() {
    let p = Project::new();
    p.migration("001", "none", "CREATE TABLE t (id int);", "DROP TABLE t;")
        .migration_file(
            "002_x.rs",
            "// revision: 002\n// down_revision: 001\n// lossy_down: why not\n\nfn up() {}\n",
        );
    let run = p.retort(&["check"]).code(1);
    let err = &run.stderr;
    assert!(
        err.contains(
            "error[format-rust-header]: a Rust migration cannot have `lossy_down` in its header"
        ),
        "{err}"
    );
    assert!(err.contains("--> migrations/002_x.rs:3:4"), "{err}");
    assert!(
        err.contains("error[format-rust-missing-up]: a Rust migration without `pub fn up`"),
        "{err}"
    );
    assert!(
        err.contains("error[format-missing-section]: missing `pub fn down`"),
        "{err}"
    );
}

#[test]
fn the_command_refuses_to_run_it_and_runs_nothing() {
    let db = database();
    let p = project();
    let run = p.db(db.url(), &["upgrade"]).code(4);
    assert!(
        run.stderr.contains(
            "error[db-rust-not-compiled-in]: migration `002` is written in Rust (migrations/002_backfill.rs), and this program cannot run it"
        ),
        "{run:#?}"
    );
    assert!(
        run.stderr.contains("retort::cli::run(&MIGRATIONS)"),
        "{run:#?}"
    );
    // Refused before anything ran: not even 001.
    assert!(tables(&db).iter().all(|t| t != "users"), "{run:#?}");

    // Up to the revision before it is fine, and so is stamping past it (no code runs).
    p.db(db.url(), &["upgrade", "001"]).ok();
    p.db(db.url(), &["stamp", "002"]).ok();
    let run = p.db(db.url(), &["current"]).ok();
    assert!(run.stdout.contains("002"), "{run:#?}");
    // Reverting it needs its `down`, which the command does not have either.
    let run = p.db(db.url(), &["downgrade", "001"]).code(4);
    assert!(run.stderr.contains("db-rust-not-compiled-in"), "{run:#?}");
    // Nor can an offline script hold it.
    let run = p.retort(&["upgrade", "--sql"]).code(1);
    assert!(run.stderr.contains("`002` is written in Rust"), "{run:#?}");
    // The stairway says where to run it.
    let run = p.db(db.url(), &["test"]).code(1);
    assert!(
        run.stderr.contains("`cargo run --bin migrate -- test`"),
        "{run:#?}"
    );
}
