//! A fleet on one throwaway server: 50 databases and 20 schemas of another database as
//! targets of `retort upgrade --targets`. All reach head; a target made to fail fails alone,
//! is named, and the rest finish (exit 4); a rerun after the fix touches only it; with
//! `--fail-fast` the later targets are not started, with `--canary K` a canary's failure stops
//! the rest; afterwards no advisory lock is held and no retort connection is left.

mod common;

use std::time::{Duration, Instant};

use common::{Project, Run};
use retort_test_support::TestDb;
use serde_json::Value;

const DATABASES: usize = 50;
const SCHEMAS: usize = 20;

/// Three revisions, the second of which fails where a table `orders` already exists.
fn project() -> Project {
    let p = Project::new();
    p.migration(
        "001",
        "none",
        "CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL);",
        "DROP TABLE accounts;",
    )
    .migration(
        "002",
        "001",
        "CREATE TABLE orders (id bigint PRIMARY KEY, account bigint NOT NULL REFERENCES accounts);",
        "DROP TABLE orders;",
    )
    .migration(
        "003",
        "002",
        "CREATE INDEX orders_account ON orders (account);",
        "DROP INDEX orders_account;",
    );
    p
}

/// One target as the test sees it: the database and, for a schema target, the schema.
struct Spot<'a> {
    db: &'a TestDb,
    schema: &'static str,
}

/// The revisions recorded in a target's version table, in order (none when it has none).
fn applied(spot: &Spot<'_>) -> Vec<String> {
    let mut c = spot.db.connect();
    let table = format!("\"{}\".retort_migrations", spot.schema);
    let exists: bool = c
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&table])
        .unwrap()
        .get(0);
    if !exists {
        return Vec::new();
    }
    c.query(&format!("SELECT revision FROM {table} ORDER BY seq"), &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// The tables of one schema of a database, sorted.
fn tables_in(db: &TestDb, schema: &str) -> Vec<String> {
    db.connect()
        .query(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = $1 ORDER BY 1",
            &[&schema],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {run:#?}"))
}

/// The JSON report's entries, by status.
fn with_status<'a>(doc: &'a Value, status: &str) -> Vec<&'a Value> {
    doc["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["status"] == status)
        .collect()
}

/// No advisory lock held in the fleet's databases and no session of retort's left on the
/// server (sessions may take a moment to end after the process exits).
fn nothing_left(admin_db: &TestDb, names: &[String]) {
    let mut c = admin_db.connect();
    let start = Instant::now();
    loop {
        let locks: i64 = c
            .query_one(
                "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database \
                 WHERE l.locktype = 'advisory' AND d.datname = ANY($1)",
                &[&names],
            )
            .unwrap()
            .get(0);
        let sessions: i64 = c
            .query_one(
                "SELECT count(*) FROM pg_stat_activity \
                 WHERE application_name = 'retort' OR datname = ANY($1) AND pid <> pg_backend_pid()",
                &[&names],
            )
            .unwrap()
            .get(0);
        if locks == 0 && sessions == 0 {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{locks} advisory locks and {sessions} sessions left"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_fleet_of_fifty_databases_and_twenty_schemas() {
    let p = project();
    // The databases, made a few at a time.
    let dbs: Vec<TestDb> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..5)
            .map(|_| {
                s.spawn(|| {
                    (0..DATABASES / 5)
                        .map(|_| common::database())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let tenants = common::database();
    const NAMES: [&str; SCHEMAS] = [
        "tenant_00",
        "tenant_01",
        "tenant_02",
        "tenant_03",
        "tenant_04",
        "tenant_05",
        "tenant_06",
        "tenant_07",
        "tenant_08",
        "tenant_09",
        "tenant_10",
        "tenant_11",
        "tenant_12",
        "tenant_13",
        "tenant_14",
        "tenant_15",
        "tenant_16",
        "tenant_17",
        "tenant_18",
        "tenant_19",
    ];
    let mut spots: Vec<Spot<'_>> = dbs
        .iter()
        .map(|db| Spot {
            db,
            schema: "public",
        })
        .collect();
    spots.extend(NAMES.iter().map(|s| Spot {
        db: &tenants,
        schema: s,
    }));
    // Half the schemas by `schema = "…"`, half by the URL's own search_path; a comment and a
    // blank line between.
    let mut file = String::from("# the fleet: 50 databases, then 20 schemas of one database\n\n");
    for db in &dbs {
        file.push_str(&format!("{}\n", db.url()));
    }
    for (i, s) in NAMES.iter().enumerate() {
        let sep = if tenants.url().contains('?') {
            '&'
        } else {
            '?'
        };
        if i % 2 == 0 {
            file.push_str(&format!("{}  schema = \"{s}\"   # by key\n", tenants.url()));
        } else {
            file.push_str(&format!(
                "{}{sep}options=-csearch_path%3D{s}\n",
                tenants.url()
            ));
        }
    }
    p.file("targets.txt", &file);
    let mut names: Vec<String> = dbs.iter().map(|d| d.name().to_owned()).collect();
    names.push(tenants.name().to_owned());
    let head = vec!["001".to_owned(), "002".to_owned(), "003".to_owned()];
    let total = DATABASES + SCHEMAS;

    // One database made to fail: its `orders` exists already.
    let bad = 17;
    common::psql(&dbs[bad], "CREATE TABLE orders (x int);");
    let run = p
        .retort(&["upgrade", "--targets", "targets.txt", "--jobs", "8"])
        .code(4);
    let bad_label = dbs[bad].url();
    let failed_lines: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with('[') && l.contains("] failed "))
        .collect();
    assert_eq!(failed_lines.len(), 1, "{run:#?}");
    assert!(failed_lines[0].contains(bad_label), "{run:#?}");
    assert!(failed_lines[0].contains("base → 001"), "{run:#?}");
    assert!(
        run.stdout.contains("error[db-migration-failed]"),
        "{run:#?}"
    );
    assert!(run.stdout.contains("already exists"), "{run:#?}");
    assert_eq!(
        run.stdout
            .lines()
            .filter(|l| l.starts_with('[') && l.contains("] ok "))
            .count(),
        total - 1,
        "{run:#?}"
    );
    // Every target, schemas not yet made included, was read before and after.
    assert_eq!(
        run.stdout
            .matches("  base → 003  3 migrations applied  ")
            .count(),
        total - 1,
        "{run:#?}"
    );
    assert!(
        run.stdout.contains(&format!(
            "upgrade on {total} targets: {} ok, 1 failed, 0 not started",
            total - 1
        )),
        "{run:#?}"
    );
    assert!(
        run.stderr
            .starts_with("error[db-targets-failed]: 1 of 70 targets failed"),
        "{run:#?}"
    );
    assert!(
        run.stderr
            .contains(&format!("failed: {bad_label} (targets.txt:{})", bad + 3)),
        "{run:#?}"
    );
    assert!(
        run.stderr.contains("run the same command again"),
        "{run:#?}"
    );
    for (i, spot) in spots.iter().enumerate() {
        let want: &[String] = if i == bad { &head[..1] } else { &head };
        assert_eq!(applied(spot), want, "target {i}");
    }
    // Each schema holds its own tables, version table and head cache; nothing went to
    // `public`.
    for s in NAMES {
        assert_eq!(
            tables_in(&tenants, s),
            [
                "accounts",
                "orders",
                "retort_migrations",
                "retort_migrations_head"
            ],
            "{s}"
        );
    }
    assert!(tables_in(&tenants, "public").is_empty());
    assert_eq!(
        tables_in(&dbs[0], "public"),
        [
            "accounts",
            "orders",
            "retort_migrations",
            "retort_migrations_head"
        ]
    );
    nothing_left(&tenants, &names);

    // Fixed, the rerun touches that target alone.
    common::psql(&dbs[bad], "DROP TABLE orders;");
    let run = p
        .retort(&["upgrade", "--targets", "targets.txt", "--format", "json"])
        .ok();
    let doc = json(&run);
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["summary"]["ok"], total);
    let touched: Vec<&Value> = doc["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| !t["migrations"].as_array().unwrap().is_empty())
        .collect();
    assert_eq!(touched.len(), 1, "{doc:#}");
    assert_eq!(touched[0]["target"], bad_label);
    assert_eq!(touched[0]["from"], serde_json::json!(["001"]));
    assert_eq!(touched[0]["to"], serde_json::json!(["003"]));
    assert_eq!(touched[0]["migrations"][0]["revision"], "002");
    for t in doc["targets"].as_array().unwrap() {
        assert_eq!(t["to"], serde_json::json!(["003"]), "{t:#}");
        assert_eq!(t["error"], Value::Null);
    }
    for spot in &spots {
        assert_eq!(applied(spot), head);
    }
    // `current` and `check` read every target.
    let run = p.retort(&["current", "--targets", "targets.txt"]).ok();
    assert_eq!(run.stdout.matches("  at 003  ").count(), total, "{run:#?}");
    let run = p
        .retort(&["check", "--targets", "targets.txt", "--format", "json"])
        .ok();
    let doc = json(&run);
    assert_eq!(with_status(&doc, "ok").len(), total, "{doc:#}");
    assert_eq!(doc["targets"][0]["drift"], serde_json::json!([]));
    assert_eq!(doc["targets"][DATABASES]["drift"], Value::Null);
    nothing_left(&tenants, &names);

    // Back to base everywhere, then `--fail-fast` with one job: the targets after the failed
    // one are not started, and stay untouched.
    p.retort(&[
        "downgrade",
        "base",
        "--targets",
        "targets.txt",
        "--jobs",
        "8",
    ])
    .ok();
    for spot in &spots {
        assert!(applied(spot).is_empty());
    }
    assert_eq!(
        tables_in(&tenants, "tenant_03"),
        ["retort_migrations", "retort_migrations_head"]
    );
    let bad = 4;
    common::psql(&dbs[bad], "CREATE TABLE orders (x int);");
    let run = p
        .retort(&[
            "--fail-fast",
            "upgrade",
            "--targets",
            "targets.txt",
            "--jobs",
            "1",
            "--format",
            "json",
        ])
        .code(4);
    let doc = json(&run);
    assert_eq!(doc["summary"]["ok"], bad);
    assert_eq!(doc["summary"]["failed"], 1);
    assert_eq!(doc["summary"]["not_started"], total - bad - 1);
    assert_eq!(doc["targets"][bad]["status"], "failed");
    assert_eq!(
        doc["targets"][bad]["error"]["code"], "db-migration-failed",
        "{doc:#}"
    );
    for (i, spot) in spots.iter().enumerate() {
        let want: &[String] = match i {
            i if i < bad => &head,
            i if i == bad => &head[..1],
            _ => &[],
        };
        assert_eq!(applied(spot), want, "target {i}");
        if i > bad {
            assert_eq!(doc["targets"][i]["status"], "not-started");
            assert_eq!(doc["targets"][i]["migrations"], serde_json::json!([]));
        }
    }
    nothing_left(&tenants, &names);

    // `--canary 3` with the failure among the canaries: the other targets are not started.
    common::psql(&dbs[bad], "DROP TABLE orders;");
    p.retort(&["downgrade", "base", "--targets", "targets.txt"])
        .ok();
    let bad = 1;
    common::psql(&dbs[bad], "CREATE TABLE orders (x int);");
    let run = p
        .retort(&[
            "upgrade",
            "--targets",
            "targets.txt",
            "--canary",
            "3",
            "--jobs",
            "8",
        ])
        .code(4);
    assert!(
        run.stdout.contains(&format!(
            "upgrade on {total} targets: 2 ok, 1 failed, {} not started",
            total - 3
        )),
        "{run:#?}"
    );
    assert!(
        run.stdout.contains("not started: a canary target failed"),
        "{run:#?}"
    );
    for (i, spot) in spots.iter().enumerate() {
        let want: &[String] = match i {
            0 | 2 => &head,
            1 => &head[..1],
            _ => &[],
        };
        assert_eq!(applied(spot), want, "target {i}");
    }
    // Fixed, the canaries pass and the rest follow.
    common::psql(&dbs[bad], "DROP TABLE orders;");
    let run = p
        .retort(&[
            "upgrade",
            "--targets",
            "targets.txt",
            "--canary",
            "3",
            "--format",
            "json",
        ])
        .ok();
    let doc = json(&run);
    assert_eq!(doc["summary"]["ok"], total);
    for spot in &spots {
        assert_eq!(applied(spot), head);
    }
    nothing_left(&tenants, &names);
}

#[test]
fn targets_in_retort_toml_and_stamp() {
    let p = project();
    let a = common::database();
    let b = common::database();
    p.file(
        "retort.toml",
        &format!(
            "targets = [\n  \"{}\",\n  {{ url = \"{}\", schema = \"t1\" }},\n]\n",
            a.url(),
            b.url()
        ),
    );
    let run = p.retort(&["stamp", "002"]).ok();
    assert!(run.stdout.contains("base → 002  stamped"), "{run:#?}");
    assert!(
        run.stdout.contains(&format!("{} schema=t1", b.url())),
        "{run:#?}"
    );
    assert_eq!(
        applied(&Spot {
            db: &a,
            schema: "public"
        }),
        ["001", "002"]
    );
    assert_eq!(
        applied(&Spot {
            db: &b,
            schema: "t1"
        }),
        ["001", "002"]
    );
    // `check` says who is behind: exit 3, both named.
    let run = p.retort(&["check"]).code(3);
    assert_eq!(run.stdout.matches("not-in-sync").count(), 2, "{run:#?}");
    assert!(run.stdout.contains("pending      003"), "{run:#?}");
    // `--database-url` names one database instead of the file's targets.
    let run = p.db(a.url(), &["current"]).ok();
    assert!(run.stdout.starts_with("002"), "{run:#?}");
}

#[test]
fn unreachable_targets_fail_alone_with_their_password_masked() {
    let p = project();
    let a = common::database();
    p.file(
        "targets.txt",
        &format!(
            "postgres://app:s3cretpass@127.0.0.1:1/nowhere?connect_timeout=2\n{}\n",
            a.url()
        ),
    );
    let run = p.retort(&["upgrade", "--targets", "targets.txt"]).code(4);
    for text in [&run.stdout, &run.stderr] {
        assert!(!text.contains("s3cretpass"), "{run:#?}");
    }
    assert!(
        run.stdout
            .contains("postgres://app:***@127.0.0.1:1/nowhere"),
        "{run:#?}"
    );
    assert!(run.stdout.contains("error[db-connect-failed]"), "{run:#?}");
    assert!(run.stdout.contains("1 ok, 1 failed"), "{run:#?}");
    assert_eq!(
        applied(&Spot {
            db: &a,
            schema: "public"
        })
        .len(),
        3
    );
    // On one database, `--format json` gives the same report for it alone.
    let run = p.db(a.url(), &["downgrade", "-1", "--format", "json"]).ok();
    let doc = json(&run);
    assert_eq!(doc["command"], "downgrade");
    assert_eq!(doc["summary"]["targets"], 1);
    assert_eq!(doc["targets"][0]["from"], serde_json::json!(["003"]));
    assert_eq!(doc["targets"][0]["to"], serde_json::json!(["002"]));
    assert_eq!(doc["targets"][0]["migrations"][0]["direction"], "down");
}

#[test]
fn bad_targets_and_flags_are_usage_errors() {
    let p = project();
    p.file(
        "targets.txt",
        "postgres://a:pw@h/db\n\npostgres://h/db2 tenant_1\n",
    );
    let run = p.retort(&["upgrade", "--targets", "targets.txt"]).code(2);
    assert!(
        run.stderr
            .starts_with("error[cli-bad-target]: unexpected `tenant_1`"),
        "{run:#?}"
    );
    assert!(run.stderr.contains("--> targets.txt:3:18"), "{run:#?}");
    assert!(run.stderr.contains("help: one target a line"), "{run:#?}");
    let run = p.retort(&["upgrade", "--targets", "missing.txt"]).code(2);
    assert!(
        run.stderr.contains("cannot read the targets file"),
        "{run:#?}"
    );
    let run = p.retort(&["upgrade", "--jobs", "3"]).code(2);
    assert!(
        run.stderr.contains("`--jobs` is for a run on many targets"),
        "{run:#?}"
    );
    let run = p.retort(&["history", "--targets", "targets.txt"]).code(2);
    assert!(
        run.stderr.contains("`--targets` is not for `history`"),
        "{run:#?}"
    );
    p.file("t2.txt", "postgres://h/db\n");
    let run = p
        .retort(&[
            "upgrade",
            "--targets",
            "t2.txt",
            "--database-url",
            "postgres://h/x",
        ])
        .code(2);
    assert!(run.stderr.contains("both name the databases"), "{run:#?}");
}
