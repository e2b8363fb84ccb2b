//! What fault tests use: a private cluster that stops and starts again, a proxy that cuts a
//! connection at a COMMIT, and copies of a database.

use std::time::Duration;

use retort_test_support::{CommitCut, CutProxy, StopMode, cluster, database, private_cluster};

fn count(c: &mut postgres::Client, sql: &str) -> i64 {
    c.query_one(sql, &[]).unwrap().get(0)
}

#[test]
fn a_private_cluster_stops_and_starts_again_keeping_what_was_committed() {
    let private = private_cluster().unwrap();
    assert!(!std::ptr::eq(private, cluster().unwrap()));
    let db = private.database().unwrap();
    let url = db.url().to_owned();
    let mut c = db.connect();
    c.batch_execute("CREATE TABLE t (x int); INSERT INTO t VALUES (1)")
        .unwrap();
    for mode in [StopMode::Fast, StopMode::Immediate] {
        private.stop(mode).unwrap();
        // The session is gone, and nobody can connect.
        assert!(c.batch_execute("SELECT 1").is_err(), "{mode:?}");
        assert!(db.try_connect().is_err(), "{mode:?}");
        private.start_again().unwrap();
        // Same URL, same data (durable: an immediate stop loses no acknowledged commit).
        assert_eq!(db.url(), url);
        c = db.connect();
        assert_eq!(count(&mut c, "SELECT count(*) FROM t"), 1, "{mode:?}");
        assert_eq!(
            c.query_one("SHOW synchronous_commit", &[])
                .unwrap()
                .get::<_, String>(0),
            "on"
        );
    }
    drop(c);
    drop(db);
    private.stop(StopMode::Fast).unwrap();
}

#[test]
fn the_shared_cluster_cannot_be_stopped() {
    let shared = cluster().unwrap();
    let err = shared.stop(StopMode::Fast).unwrap_err();
    assert!(err.to_string().contains("private_cluster()"), "{err}");
    // It still serves.
    database().unwrap().connect();
}

#[test]
fn the_proxy_cuts_at_the_nth_commit_after_or_before_forwarding_it() {
    for (how, committed) in [
        (CommitCut::AfterForwarding, 1),
        (CommitCut::BeforeForwarding, 0),
    ] {
        let db = database().unwrap();
        let mut direct = db.connect();
        direct.batch_execute("CREATE TABLE t (x int)").unwrap();
        let proxy = CutProxy::start(&db, 2, how).unwrap();
        let mut c = postgres::Client::connect(&proxy.url(), postgres::NoTls).unwrap();
        // The first COMMIT passes.
        c.batch_execute("BEGIN; INSERT INTO t VALUES (1)").unwrap();
        c.batch_execute("COMMIT").unwrap();
        assert!(!proxy.has_cut());
        // The second is cut: the client hears nothing back.
        c.batch_execute("BEGIN; INSERT INTO t VALUES (2)").unwrap();
        let err = c.batch_execute("COMMIT").unwrap_err();
        assert!(err.as_db_error().is_none(), "{err}");
        assert!(proxy.has_cut());
        assert_eq!(proxy.commits(), 2);
        // Once the server has ended the session, the row is there only if it was forwarded.
        let start = std::time::Instant::now();
        while count(
            &mut direct,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
        ) > 0
        {
            assert!(start.elapsed() < Duration::from_secs(10));
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(
            count(&mut direct, "SELECT count(*) FROM t WHERE x = 2"),
            committed,
            "{how:?}"
        );
        // Other connections through it pass untouched.
        let mut again = postgres::Client::connect(&proxy.url(), postgres::NoTls).unwrap();
        again
            .batch_execute("BEGIN; INSERT INTO t VALUES (3); COMMIT")
            .unwrap();
        assert_eq!(count(&mut direct, "SELECT count(*) FROM t WHERE x = 3"), 1);
    }
}

#[test]
fn a_copy_starts_with_what_the_original_holds() {
    let original = database().unwrap();
    original
        .connect()
        .batch_execute("CREATE TABLE t (x int); INSERT INTO t VALUES (1), (2)")
        .unwrap();
    let copy = original.copy().unwrap();
    assert_ne!(copy.name(), original.name());
    let mut c = copy.connect();
    assert_eq!(count(&mut c, "SELECT count(*) FROM t"), 2);
    // Independent from then on.
    c.batch_execute("INSERT INTO t VALUES (3)").unwrap();
    assert_eq!(count(&mut original.connect(), "SELECT count(*) FROM t"), 2);
}
