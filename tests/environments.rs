//! Migrations limited to environments (`environments: dev, test`) against a real PostgreSQL:
//! run where the runner's environment is listed, recorded as skipped elsewhere (the chain and
//! `current` stay whole), and never reverted where they were skipped.

use retort::postgres::Client;
use retort::runtime::Config;
use retort::{Migrator, Target};

retort::migrations!("tests/ui/migrations/environments", untracked);

fn plans(client: &mut Client) -> Vec<String> {
    client
        .query("SELECT name FROM plans ORDER BY name", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

fn migrator(environment: Option<&str>) -> Migrator<'static> {
    let config = match environment {
        Some(e) => Config::default().environment(e),
        None => Config::default(),
    };
    Migrator::new(&MIGRATIONS).with_config(config)
}

#[test]
fn the_header_is_in_the_set() {
    let m = MIGRATIONS.get("002").unwrap();
    assert_eq!(m.environments(), ["dev", "test"]);
    assert!(m.runs_in(Some("test")) && !m.runs_in(Some("prod")) && !m.runs_in(None));
    assert!(MIGRATIONS.get("003").unwrap().runs_in(None));
}

#[test]
fn it_runs_where_listed_and_is_recorded_as_skipped_elsewhere() {
    let db = retort_test_support::database().unwrap();
    let mut client = db.connect();
    let steps = migrator(Some("dev"))
        .upgrade(&mut client, &Target::Head)
        .unwrap();
    assert!(steps.iter().all(|s| !s.skipped));
    assert_eq!(plans(&mut client), ["demo", "demo-pro"]);

    for environment in [Some("prod"), None] {
        let db = retort_test_support::database().unwrap();
        let mut client = db.connect();
        let steps = migrator(environment)
            .upgrade(&mut client, &Target::Head)
            .unwrap();
        let skipped: Vec<&str> = steps
            .iter()
            .filter(|s| s.skipped)
            .map(|s| s.revision.as_str())
            .collect();
        assert_eq!(skipped, ["002"]);
        assert!(plans(&mut client).is_empty());
        // Recorded: the chain is whole and the database is at the head, in sync.
        let status = migrator(environment).status(&mut client).unwrap();
        assert!(status.is_in_sync(), "{status:?}");
        assert_eq!(status.applied.len(), 3);
        assert!(status.applied.iter().any(|r| r.is_skipped()));

        // Reverting past it runs nothing of it: a row it would delete stays. A dry run says
        // so too.
        client
            .batch_execute("INSERT INTO plans VALUES ('demo-local', 5)")
            .unwrap();
        let dry = migrator(environment)
            .dry_run(true)
            .downgrade(&mut client, &"001".parse().unwrap())
            .unwrap();
        assert_eq!(
            dry.iter().map(|s| s.skipped).collect::<Vec<_>>(),
            [false, true]
        );
        let steps = migrator(environment)
            .downgrade(&mut client, &"001".parse().unwrap())
            .unwrap();
        assert_eq!(steps.len(), 2);
        assert!(steps[1].skipped, "{steps:?}");
        assert_eq!(plans(&mut client), ["demo-local"]);
        let status = migrator(environment).status(&mut client).unwrap();
        assert_eq!(status.applied.len(), 1);
    }
}

#[test]
fn an_offline_script_records_it_as_skipped_where_it_would_be() {
    let prod = migrator(Some("prod"))
        .upgrade_script(None, &Target::Head)
        .unwrap();
    assert!(!prod.contains("INSERT INTO plans"), "{prod}");
    let dev = migrator(Some("dev"))
        .upgrade_script(None, &Target::Head)
        .unwrap();
    assert!(
        dev.contains("INSERT INTO plans VALUES ('demo', 0)"),
        "{dev}"
    );
    // Applied, the prod script leaves what an online run in prod leaves.
    let db = retort_test_support::database().unwrap();
    let mut client = db.connect();
    // The script is for psql: its meta-commands (`\set ON_ERROR_STOP`, …) are left out here.
    let sql: String = prod
        .lines()
        .filter(|l| !l.starts_with('\\'))
        .map(|l| format!("{l}\n"))
        .collect();
    client.batch_execute(&sql).unwrap();
    assert!(plans(&mut client).is_empty());
    let status = migrator(Some("prod")).status(&mut client).unwrap();
    assert!(status.is_in_sync(), "{status:?}");
    assert!(
        status
            .applied
            .iter()
            .any(|r| r.revision.as_str() == "002" && r.is_skipped())
    );
}
