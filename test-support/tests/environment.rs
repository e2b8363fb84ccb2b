//! What the environment variables do: `RETORT_TEST_DATABASE_URL` (a server to use instead of
//! a throwaway cluster, given as a URL or as `key=value` pairs, or not valid) and
//! `RETORT_TEST_PG_BIN` (where the server binaries are, or are not).
//!
//! Environment variables belong to the whole process, so each case runs this test binary
//! again as a child, filtered to the ignored test `child`, with the variable set there and
//! `RETORT_TEST_SUPPORT_ENV_CHILD` naming the case.

use std::env;
use std::process::{Command, Output, Stdio};

use retort_test_support::{BIN_DIR_VAR, DATABASE_URL_VAR, Error, cluster, database};

const CASE: &str = "RETORT_TEST_SUPPORT_ENV_CHILD";

#[test]
#[ignore = "run by the other tests of this file, in a child process"]
fn child() {
    let Ok(case) = env::var(CASE) else {
        return;
    };
    match case.as_str() {
        "external" => external(),
        "bad-url" => {
            let err = database().unwrap_err();
            assert!(
                matches!(&err, Error::Cluster(e) if matches!(**e, Error::BadUrl { .. })),
                "{err:?}"
            );
            assert!(err.to_string().contains(DATABASE_URL_VAR), "{err}");
            // The failure is kept: a second call gives it again, without trying again.
            assert!(matches!(cluster().unwrap_err(), Error::Cluster(_)));
        }
        "no-binaries" => {
            let err = database().unwrap_err();
            let Error::Cluster(inner) = &err else {
                panic!("{err:?}")
            };
            assert!(matches!(**inner, Error::BinariesNotFound { .. }), "{err:?}");
            let message = err.to_string();
            println!("MESSAGE {message}");
            assert!(message.contains("/nonexistent/pg/bin"), "{message}");
            assert!(message.contains("apt-get install postgresql"), "{message}");
        }
        other => panic!("unknown case {other}"),
    }
    println!("CHILD OK");
}

/// In the child: the databases are made on the server the URL names, and nothing is started.
fn external() {
    let url = env::var(DATABASE_URL_VAR).unwrap();
    let cluster = cluster().unwrap();
    assert!(cluster.is_external());
    assert_eq!(cluster.url(), url);
    assert!(cluster.data_dir().is_none() && cluster.port().is_none());

    let db = database().unwrap();
    let mut client = db.connect();
    let (current, data_directory): (String, String) = {
        let row = client
            .query_one(
                "SELECT current_database(), current_setting('data_directory')",
                &[],
            )
            .unwrap();
        (row.get(0), row.get(1))
    };
    assert_eq!(current, db.name());
    println!("DATA_DIRECTORY {data_directory}");

    let out = db
        .psql_command()
        .args(["-tAc", "SELECT current_database()"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), db.name());

    let name = db.name().to_owned();
    drop(client);
    drop(db);
    let mut admin = cluster.connect().unwrap();
    let left = admin
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .unwrap();
    assert!(left.is_none(), "{name} was not dropped");

    // A database still alive when the process ends is left behind on an external server
    // (nothing runs at exit); the parent checks that the dropped one is gone.
}

/// Runs the child case with `vars` set, and returns its process id and output once it
/// succeeded.
fn run_child(case: &str, vars: &[(&str, &str)]) -> (u32, Output) {
    let mut cmd = Command::new(env::current_exe().unwrap());
    cmd.args(["--exact", "child", "--ignored", "--nocapture"])
        .env(CASE, case)
        .env_remove(DATABASE_URL_VAR)
        .env_remove(BIN_DIR_VAR);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("CHILD OK"),
        "case {case} failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    (pid, out)
}

#[test]
fn a_database_url_names_the_server_to_use_as_url_or_key_value_pairs() {
    let server = cluster().unwrap();
    let mut urls = vec![server.url().to_owned()];
    if let Some(port) = server.port() {
        urls.push(format!(
            "host=127.0.0.1 port={port} user=postgres dbname=postgres"
        ));
    }
    for url in &urls {
        let (pid, out) = run_child("external", &[(DATABASE_URL_VAR, url)]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        // The child's database was on this process's server, not on one of its own.
        let mut admin = server.connect().unwrap();
        let ours: String = admin
            .query_one("SELECT current_setting('data_directory')", &[])
            .unwrap()
            .get(0);
        assert!(
            stdout.contains(&format!("DATA_DIRECTORY {ours}\n")),
            "{url}: {stdout}"
        );
        // And no database of the child's is left.
        let prefix = format!("retort_test_{pid}_%");
        let left: i64 = admin
            .query_one(
                "SELECT count(*) FROM pg_database WHERE datname LIKE $1",
                &[&prefix],
            )
            .unwrap()
            .get(0);
        assert_eq!(left, 0);
        // Nor did it start a cluster of its own.
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("started in"), "{stderr}");
    }
}

#[test]
fn a_bad_database_url_is_reported() {
    run_child("bad-url", &[(DATABASE_URL_VAR, "postgres://[bad")]);
}

#[test]
fn missing_server_binaries_say_where_they_were_looked_for_and_what_to_install() {
    let (_, out) = run_child("no-binaries", &[(BIN_DIR_VAR, "/nonexistent/pg/bin")]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}");
}
