//! Many `retort upgrade` processes at once on one fresh database: each migration is applied
//! by exactly one of them, every one exits 0, and no lock is left behind.

mod common;

use std::process::Command;

use common::{Project, database};

#[test]
fn sixteen_processes_upgrade_one_database_at_once() {
    let db = database();
    let p = Project::new();
    for i in 1..=20 {
        let parent = if i == 1 {
            "none".to_owned()
        } else {
            format!("{:03}", i - 1)
        };
        let log = if i == 1 {
            "CREATE TABLE applied_log (i int);\n"
        } else {
            ""
        };
        p.migration(
            &format!("{i:03}"),
            &parent,
            &format!("{log}CREATE TABLE t{i} (x int);\nINSERT INTO applied_log VALUES ({i});"),
            &format!("DROP TABLE t{i};"),
        );
    }
    let children: Vec<_> = (0..16)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_retort"))
                .args(["--database-url", db.url(), "upgrade"])
                .current_dir(&p.root)
                .env_remove("DATABASE_URL")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("the retort binary runs")
        })
        .collect();
    let mut applied_lines = 0;
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "a runner failed: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        applied_lines += stdout
            .lines()
            .filter(|l| l.trim_start().starts_with("applied"))
            .count();
    }
    assert_eq!(
        applied_lines, 20,
        "each migration reported applied exactly once in all"
    );
    let mut c = db.connect();
    let n: i64 = c
        .query_one("SELECT count(*) FROM applied_log", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 20, "each migration ran exactly once");
    let locks: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(locks, 0, "no lock left behind");
}
