//! Many `retort upgrade` processes at once on one fresh database: each migration is applied
//! by exactly one of them, every one exits 0, none waits without end, and no lock is left
//! behind. Short variant in `cargo test` (3 rounds); `RETORT_LONG_TESTS=1`: 20 rounds.

mod common;

use std::process::Child;
use std::time::{Duration, Instant};

use common::{Project, Run, database};

const RUNNERS: usize = 32;

/// Longer than any run may take unless runners wait for each other forever: a bound that
/// tells a deadlock from a slow machine, not a measure of speed. (The lock timeout is 60 s.)
const DEADLOCK_BOUND: Duration = Duration::from_secs(120);

fn long() -> bool {
    std::env::var("RETORT_LONG_TESTS").is_ok_and(|v| v == "1")
}

fn spawn(p: &Project, url: &str) -> Child {
    p.spawn(&["--database-url", url, "upgrade"])
}

#[test]
fn thirty_two_processes_upgrade_one_database_at_once() {
    let rounds = if long() { 20 } else { 3 };
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
            &format!(
                "DROP TABLE t{i};{}",
                if i == 1 {
                    "\nDROP TABLE applied_log;"
                } else {
                    ""
                }
            ),
        );
    }
    let all = Instant::now();
    let mut slowest = Duration::ZERO;
    for round in 0..rounds {
        let db = database();
        let started = Instant::now();
        let mut children: Vec<Option<Child>> =
            (0..RUNNERS).map(|_| Some(spawn(&p, db.url()))).collect();
        let mut applied_lines = 0;
        let mut left = RUNNERS;
        while left > 0 {
            if started.elapsed() > DEADLOCK_BOUND {
                for c in children.iter_mut().flatten() {
                    let _ = c.kill();
                }
                panic!("round {round}: {left} runners still running after {DEADLOCK_BOUND:?}");
            }
            for slot in children.iter_mut() {
                let done = slot
                    .as_mut()
                    .is_some_and(|c| c.try_wait().unwrap().is_some());
                if !done {
                    continue;
                }
                let run = Run::of(slot.take().unwrap());
                slowest = slowest.max(started.elapsed());
                left -= 1;
                assert_eq!(
                    run.code, 0,
                    "round {round}: a runner failed: {}\n{}",
                    run.stdout, run.stderr
                );
                applied_lines += run
                    .stdout
                    .lines()
                    .filter(|l| l.trim_start().starts_with("applied"))
                    .count();
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(
            applied_lines, 20,
            "round {round}: each migration reported applied exactly once in all"
        );
        let mut c = db.connect();
        let (n, distinct): (i64, i64) = c
            .query_one(
                "SELECT count(*), count(DISTINCT i) FROM applied_log WHERE i BETWEEN 1 AND 20",
                &[],
            )
            .map(|r| (r.get(0), r.get(1)))
            .unwrap();
        assert_eq!(
            (n, distinct),
            (20, 20),
            "round {round}: each migration ran exactly once"
        );
        let tables: i64 = c
            .query_one(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' \
                 AND tablename ~ '^t[0-9]+$'",
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(tables, 20, "round {round}");
        let rows: Vec<(String, String)> = c
            .query(
                "SELECT revision, state FROM retort_migrations ORDER BY seq",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        let expected: Vec<(String, String)> = (1..=20)
            .map(|i| (format!("{i:03}"), "applied".to_owned()))
            .collect();
        assert_eq!(rows, expected, "round {round}");
        let locks: i64 = c
            .query_one(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = \
                 (SELECT oid FROM pg_database WHERE datname = current_database())",
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(locks, 0, "round {round}: no lock left behind");
    }
    eprintln!(
        "{rounds} rounds of {RUNNERS} processes in {:.1?}; the slowest process took {slowest:.1?}",
        all.elapsed()
    );
}
