//! Rust data migrations (`migrations/<rev>_<slug>.rs`) compiled in by `migrations!()` and
//! run by the runtime against a real PostgreSQL: in the migration's transaction with its
//! version row, reverted by `pub fn down`, rolled back whole when the function fails or
//! panics, and refused where they cannot run (offline SQL, a downgrade past an
//! irreversible one).

use retort::postgres::Client;
use retort::runtime::Error;
use retort::{Migrator, Target};

retort::migrations!("tests/ui/migrations/rust_data", untracked);

fn domains(client: &mut Client) -> Vec<(String, Option<String>)> {
    client
        .query("SELECT email, email_domain FROM accounts ORDER BY id", &[])
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

fn applied(client: &mut Client) -> Vec<String> {
    client
        .query(
            "SELECT revision FROM retort_migrations ORDER BY revision",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

fn target(t: &str) -> Target {
    t.parse().unwrap()
}

#[test]
fn the_set_knows_which_migrations_are_rust() {
    let rust: Vec<&str> = MIGRATIONS
        .iter()
        .filter(|m| m.is_rust())
        .map(|m| m.revision().as_str())
        .collect();
    assert_eq!(rust, ["002", "004"]);
    let m002 = MIGRATIONS.get("002").unwrap();
    assert_eq!(
        m002.path(),
        "tests/ui/migrations/rust_data/002_fill_domains.rs"
    );
    assert_eq!(m002.up_sql(), "");
    assert_eq!(
        m002.checksum(),
        retort::Checksum::of_rust(include_str!("ui/migrations/rust_data/002_fill_domains.rs"))
    );
    assert_eq!(
        MIGRATIONS.get("004").unwrap().irreversible(),
        Some("the admin may have been changed by hand since")
    );
}

#[test]
fn up_runs_in_the_migration_and_down_reverts_it() {
    let db = retort_test_support::database().unwrap();
    let mut client = db.connect();
    let steps = Migrator::new(&MIGRATIONS)
        .upgrade(&mut client, &target("003"))
        .unwrap();
    assert_eq!(steps.len(), 3);
    assert_eq!(
        domains(&mut client),
        [
            ("ada@Example.com".to_owned(), Some("example.com".to_owned())),
            ("bob@test.org".to_owned(), Some("test.org".to_owned())),
        ]
    );
    // The row keeps no down SQL: a program without the code must not "revert" it by running
    // nothing.
    let row = client
        .query_one(
            "SELECT down_sql, irreversible, checksum FROM retort_migrations WHERE revision = '002'",
            &[],
        )
        .unwrap();
    assert_eq!(row.get::<_, Option<String>>(0), None);
    assert!(
        row.get::<_, Option<String>>(1)
            .unwrap()
            .contains("Rust data migration"),
    );
    assert_eq!(
        row.get::<_, String>(2),
        MIGRATIONS.get("002").unwrap().checksum().to_hex()
    );

    Migrator::new(&MIGRATIONS)
        .downgrade(&mut client, &target("001"))
        .unwrap();
    assert_eq!(applied(&mut client), ["001"]);
    assert!(domains(&mut client).iter().all(|(_, d)| d.is_none()));

    // Up again, to the head: the irreversible seed runs, and nothing can go below it.
    Migrator::new(&MIGRATIONS)
        .upgrade(&mut client, &Target::Head)
        .unwrap();
    assert_eq!(domains(&mut client).len(), 3);
    let err = Migrator::new(&MIGRATIONS)
        .downgrade(&mut client, &target("003"))
        .unwrap_err();
    assert!(
        err.render()
            .contains("the admin may have been changed by hand since"),
        "{}",
        err.render()
    );
}

#[test]
fn an_error_or_a_panic_rolls_the_whole_migration_back() {
    for (mode, says) in [
        ("error", "the test asked for an error"),
        ("panic", "a panic: the test asked for a panic"),
    ] {
        let db = retort_test_support::database().unwrap();
        let mut client = db.connect();
        Migrator::new(&MIGRATIONS)
            .upgrade(&mut client, &target("001"))
            .unwrap();
        client
            .batch_execute(&format!("SET retort_test.mode = '{mode}'"))
            .unwrap();
        let err = Migrator::new(&MIGRATIONS)
            .upgrade(&mut client, &Target::Head)
            .unwrap_err();
        assert!(matches!(err, Error::Rust { .. }), "{err:?}");
        let text = err.render();
        assert!(
            text.starts_with("error[db-rust-migration-failed]: migration `002` failed in its `pub fn up` (tests/ui/migrations/rust_data/002_fill_domains.rs)"),
            "{text}"
        );
        assert!(text.contains(says), "{text}");
        assert!(text.contains("nothing of `002` was applied"), "{text}");
        // The UPDATEs it made before failing are gone with its transaction, and so is its
        // version row; the connection is usable and the lock released.
        assert!(domains(&mut client).iter().all(|(_, d)| d.is_none()));
        assert_eq!(applied(&mut client), ["001"]);
        client.batch_execute("RESET retort_test.mode").unwrap();
        Migrator::new(&MIGRATIONS)
            .upgrade(&mut client, &Target::Head)
            .unwrap();
        assert_eq!(applied(&mut client), ["001", "002", "003", "004"]);
    }
}

#[test]
fn single_transaction_and_dry_runs_carry_rust_migrations() {
    let db = retort_test_support::database().unwrap();
    let mut client = db.connect();
    // A dry run applies everything in one transaction and rolls it back.
    let steps = Migrator::new(&MIGRATIONS)
        .dry_run(true)
        .upgrade(&mut client, &Target::Head)
        .unwrap();
    assert_eq!(steps.len(), 4);
    let exists: bool = client
        .query_one("SELECT to_regclass('accounts') IS NOT NULL", &[])
        .unwrap()
        .get(0);
    assert!(!exists, "a dry run left the table behind");

    // A failure in single-transaction mode takes every earlier migration of the run with it.
    client
        .batch_execute("SET retort_test.mode = 'error'")
        .unwrap();
    let err = Migrator::new(&MIGRATIONS)
        .single_transaction(true)
        .upgrade(&mut client, &Target::Head)
        .unwrap_err();
    assert!(matches!(err, Error::Rust { .. }), "{err:?}");
    let exists: bool = client
        .query_one("SELECT to_regclass('accounts') IS NOT NULL", &[])
        .unwrap()
        .get(0);
    assert!(!exists, "001 survived the failed single transaction");

    client.batch_execute("RESET retort_test.mode").unwrap();
    Migrator::new(&MIGRATIONS)
        .single_transaction(true)
        .upgrade(&mut client, &Target::Head)
        .unwrap();
    assert_eq!(applied(&mut client), ["001", "002", "003", "004"]);
    assert_eq!(domains(&mut client)[1].1.as_deref(), Some("test.org"));
}

#[test]
fn offline_sql_cannot_hold_a_rust_migration() {
    let migrator = Migrator::new(&MIGRATIONS);
    let err = migrator.upgrade_script(None, &Target::Head).unwrap_err();
    assert_eq!(err.code().as_str(), "db-rust-not-compiled-in");
    assert!(
        err.to_string().contains("`002` is written in Rust"),
        "{err}"
    );
    // Up to the revision before it, the script is fine.
    assert!(migrator.upgrade_script(None, &target("001")).is_ok());
}

mod schema_change {
    retort::migrations!("tests/ui/migrations/rust_schema_change", untracked);
}

#[test]
fn the_stairway_catches_a_rust_migration_that_changes_the_schema() {
    let db = retort_test_support::database().unwrap();
    let mut client = db.connect();
    // The build took 002 for data: the typed schema has no `note`.
    let columns: Vec<&str> = schema_change::schema::accounts::COLUMNS
        .iter()
        .map(|c| c.name())
        .collect();
    assert_eq!(columns, ["id", "email", "email_domain"]);
    let err = retort::testing::stairway(&schema_change::MIGRATIONS, &mut client).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("after upgrading to `002`, the schema differs from before it (a Rust migration is for data"),
        "{text}"
    );
    assert!(text.contains("note"), "{text}");
    // The clean fixture passes, its Rust migrations reverted and applied again.
    let db = retort_test_support::database().unwrap();
    let mut client = db.connect();
    let report = retort::testing::stairway(&MIGRATIONS, &mut client).unwrap();
    assert_eq!((report.revisions, report.reverted), (4, 3));
}
