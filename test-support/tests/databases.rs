//! Databases from the throwaway cluster (or from `RETORT_TEST_DATABASE_URL`, when the
//! environment sets it): fresh, distinct, empty, concurrent, dropped.

use std::io::Write;
use std::thread;
use std::time::Instant;

use retort_test_support::{TestDb, cluster, database};

/// Tables, views, sequences, functions and types in the database that are not PostgreSQL's own.
fn user_objects(db: &TestDb) -> i64 {
    let mut client = db.connect();
    client
        .query_one(
            "SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast'))
                  + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema'))
                  + (SELECT count(*) FROM pg_namespace
                      WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'public', 'pg_toast')
                        AND nspname NOT LIKE 'pg_temp_%' AND nspname NOT LIKE 'pg_toast_temp_%')",
            &[],
        )
        .unwrap()
        .get(0)
}

fn exists(name: &str) -> bool {
    let mut admin = cluster().unwrap().connect().unwrap();
    admin
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .unwrap()
        .is_some()
}

#[test]
fn two_databases_are_distinct_and_empty() {
    let a = database().unwrap();
    let b = database().unwrap();
    assert_ne!(a.name(), b.name());
    assert_ne!(a.url(), b.url());
    assert!(a.url().ends_with(a.name()), "{}", a.url());
    assert_eq!(user_objects(&a), 0);
    assert_eq!(user_objects(&b), 0);

    let mut ca = a.connect();
    let current: String = ca
        .query_one("SELECT current_database()", &[])
        .unwrap()
        .get(0);
    assert_eq!(current, a.name());
    ca.batch_execute("CREATE TABLE only_in_a (id int)").unwrap();

    let mut cb = b.connect();
    let current: String = cb
        .query_one("SELECT current_database()", &[])
        .unwrap()
        .get(0);
    assert_eq!(current, b.name());
    assert_eq!(
        user_objects(&b),
        0,
        "a table made in one database shows in another"
    );
    assert_eq!(user_objects(&a), 1);
}

#[test]
fn twenty_threads_each_get_a_database_and_query_it_concurrently() {
    let started = Instant::now();
    let names: Vec<String> = thread::scope(|s| {
        let handles: Vec<_> = (0..20)
            .map(|i: i32| {
                s.spawn(move || {
                    let db = database().unwrap();
                    let mut client = db.connect();
                    client
                        .batch_execute(
                            "CREATE TABLE t (n int); INSERT INTO t SELECT generate_series(1, 100)",
                        )
                        .unwrap();
                    let row = client
                        .query_one("SELECT sum(n)::int + $1, current_database() FROM t", &[&i])
                        .unwrap();
                    assert_eq!(row.get::<_, i32>(0), 5050 + i);
                    assert_eq!(row.get::<_, String>(1), db.name());
                    db.name().to_owned()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 20, "{names:?}");
    eprintln!("20 concurrent databases in {:.2?}", started.elapsed());
    for name in &names {
        assert!(!exists(name), "{name} was not dropped");
    }
}

#[test]
fn a_database_is_dropped_with_its_test_db_even_while_connected() {
    let db = database().unwrap();
    let name = db.name().to_owned();
    assert!(exists(&name));
    let mut still_open = db.connect();
    still_open.batch_execute("SELECT 1").unwrap();
    drop(db);
    assert!(
        !exists(&name),
        "{name} still exists after its TestDb was dropped"
    );
    // The open connection was terminated by DROP DATABASE … WITH (FORCE).
    assert!(still_open.batch_execute("SELECT 1").is_err());
}

#[test]
fn psql_command_runs_against_a_database() {
    let db = database().unwrap();
    db.connect()
        .batch_execute("CREATE TABLE greeting (word text); INSERT INTO greeting VALUES ('hello')")
        .unwrap();

    let out = cluster()
        .unwrap()
        .psql_command(db.name())
        .args(["-tAc", "SELECT 1"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "1");

    let out = db
        .psql_command()
        .args(["-tAc", "SELECT word FROM greeting"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "hello");

    // ON_ERROR_STOP is on: a script stops at its first error and psql exits with status 3.
    let mut child = db
        .psql_command()
        .args(["-f", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"SELECT * FROM no_such_table;\nSELECT 'not reached';\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("not reached"));
}

#[test]
fn the_cluster_describes_itself() {
    let cluster = cluster().unwrap();
    let version = cluster.server_version();
    let major: u32 = version
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(major >= 13, "PostgreSQL {version} is too old");
    let mut admin = cluster.connect().unwrap();
    let n: i64 = admin.query_one("SELECT 1::bigint", &[]).unwrap().get(0);
    assert_eq!(n, 1);
    if cluster.is_external() {
        return;
    }
    let data = cluster.data_dir().unwrap();
    assert!(data.join("PG_VERSION").exists());
    let port = cluster.port().unwrap();
    assert_eq!(
        cluster.url(),
        format!("postgres://postgres@127.0.0.1:{port}/postgres")
    );
    let socket = cluster
        .socket_dir()
        .unwrap()
        .join(format!(".s.PGSQL.{port}"));
    assert!(socket.exists(), "{}", socket.display());
    // The Unix socket works too.
    let mut config = postgres::Config::new();
    config
        .host_path(cluster.socket_dir().unwrap())
        .port(port)
        .user("postgres")
        .dbname("postgres");
    let mut client = config.connect(postgres::NoTls).unwrap();
    let settings: Vec<(String, String)> = client
        .query(
            "SELECT name, setting FROM pg_settings WHERE name IN
             ('fsync', 'synchronous_commit', 'full_page_writes', 'max_connections', 'listen_addresses')
             ORDER BY name",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let settings: Vec<(&str, &str)> = settings
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    assert_eq!(
        settings,
        [
            ("fsync", "off"),
            ("full_page_writes", "off"),
            ("listen_addresses", "127.0.0.1"),
            ("max_connections", "200"),
            ("synchronous_commit", "off"),
        ]
    );
    let pid = cluster.server_pid().unwrap();
    assert!(pid > 0);
}
