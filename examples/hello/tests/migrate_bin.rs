//! The service's own binary is the CLI: `src/bin/migrate.rs` is `retort::cli::run(&MIGRATIONS)`.
//! Run where no migration directory exists, it still applies and reads the compiled-in
//! migrations, with `retort`'s commands, output and exit codes.

use std::process::Command;

fn migrate(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_migrate"))
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .output()
        .expect("the migrate binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_compiled_in_migrations_are_applied_from_anywhere() {
    let db = retort_test_support::database().expect("a test database");
    let empty = std::env::temp_dir().join(format!("hello-migrate-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    assert!(!empty.join("migrations").exists());

    let (code, out, err) = migrate(&empty, &["--database-url", db.url(), "upgrade"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("5 migrations"), "{out}{err}");
    let (code, out, err) = migrate(&empty, &["--database-url", db.url(), "current"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("(head)"), "{out}{err}");
    // `check` where the directory is not: the database against the compiled-in set.
    let (code, out, err) = migrate(&empty, &["--database-url", db.url(), "check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains("5 migrations compiled into this binary"),
        "{err}"
    );
    assert!(err.contains("database: in sync"), "{err}");
    let (code, out, _) = migrate(&empty, &["history"]);
    assert_eq!(code, 0);
    assert_eq!(
        out.lines().filter(|l| l.contains(" -> ")).count(),
        5,
        "{out}"
    );
    let (code, out, err) = migrate(&empty, &["--database-url", db.url(), "downgrade", "base"]);
    assert_eq!(code, 0, "{out}{err}");
    // A usage error is retort's, with its exit code, naming this binary.
    let (code, _, err) = migrate(&empty, &["upgrade", "not a target!"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = migrate(&empty, &["--no-such-flag"]);
    assert_eq!(code, 2);
    assert!(err.contains("migrate"), "{err}");
    let _ = std::fs::remove_dir_all(&empty);
}

/// `migrate test` runs the stairway with the compiled-in migrations, Rust ones included
/// (`005_seed_admin.rs`: up, down, up, the schema unchanged by it); the `retort` command,
/// which cannot compile Rust, refuses with a pointer to this binary.
#[test]
fn the_stairway_runs_the_rust_migration_from_this_binary() {
    let db = retort_test_support::database().expect("a test database");
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let (code, out, err) = migrate(here, &["--database-url", db.url(), "test"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("  005  up, down, up"), "{out}");
    assert!(out.contains("stairway passed: 5 revisions"), "{out}");

    // The same migrations applied by this binary: the Rust one ran and left its row.
    let (code, out, err) = migrate(here, &["--database-url", db.url(), "upgrade"]);
    assert_eq!(code, 0, "{out}{err}");
    let mut client = db.connect();
    let admins: i64 = client
        .query_one("SELECT count(*) FROM users WHERE name = 'admin'", &[])
        .unwrap()
        .get(0);
    assert_eq!(admins, 1);
}
