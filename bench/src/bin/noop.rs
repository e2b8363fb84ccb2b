//! The start-up check on a database already at the head: `Migrator::upgrade(head)` of N
//! migrations, timed R times on one connection after a first run.
//!
//!   cargo run --release -p retort-bench --bin noop -- [N ...]   (default: 1000 10000)
//!
//! For each N, a fresh database on a throwaway cluster (`retort-test-support`) is stamped at
//! the head of N generated migrations (rows only: the no-op check reads the version table, not
//! the migrations' objects), one upgrade runs (the full path), then `ROUNDS` (default 20) more
//! are timed inside the process. Printed: the first timed call (which computes what the set
//! caches), the fastest and the median, in milliseconds. With `FULL=1`, the head cache's key
//! is cleared (untimed) before each call, so each takes the full path. Not part of the test
//! run.

use std::time::Instant;

use retort_core::{Migration, MigrationParts, MigrationSet, Revision};
use retort_runtime::{Migrator, Target};

fn set_of(n: usize) -> MigrationSet {
    let migrations = (1..=n)
        .map(|i| {
            Migration::new(MigrationParts {
                revision: Revision::parse(&format!("{i:06}")).expect("a revision"),
                down_revisions: if i == 1 {
                    Vec::new()
                } else {
                    vec![Revision::parse(&format!("{:06}", i - 1)).expect("a revision")]
                },
                message: format!("migration {i}"),
                up_sql: format!("CREATE TABLE t{i} (id bigint PRIMARY KEY, v text);"),
                down_sql: Some(format!("DROP TABLE t{i};")),
                irreversible: None,
                transactional: true,
                path: format!("migrations/{i:06}_m.sql"),
                up_line: 5,
                down_line: 8,
                environments: Vec::new(),
            })
        })
        .collect();
    MigrationSet::from_ordered(migrations).expect("a chain")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let sizes = if sizes.is_empty() {
        vec![1000, 10000]
    } else {
        sizes
    };
    let rounds: usize = std::env::var("ROUNDS").map_or(Ok(20), |r| r.parse())?;
    let full = std::env::var("FULL").is_ok_and(|v| v == "1");
    println!("| N | first (ms) | fastest (ms) | median (ms) |\n|---|---|---|---|");
    for n in sizes {
        let db = retort_test_support::database()?;
        let mut client = db.connect();
        let set = set_of(n);
        Migrator::new(&set).stamp(&mut client, &Target::Head)?;
        let applied = Migrator::new(&set).upgrade(&mut client, &Target::Head)?;
        assert!(applied.is_empty(), "the database was stamped at the head");
        let set = set_of(n);
        let mut times = Vec::with_capacity(rounds);
        for _ in 0..rounds.max(1) {
            if full {
                client.batch_execute("UPDATE retort_migrations_head SET key = NULL")?;
            }
            let start = Instant::now();
            let steps = Migrator::new(&set).upgrade(&mut client, &Target::Head)?;
            times.push(start.elapsed().as_secs_f64() * 1e3);
            assert!(
                steps.is_empty(),
                "a no-op applied {} migrations",
                steps.len()
            );
        }
        let first = times[0];
        times.sort_by(f64::total_cmp);
        println!(
            "| {n} | {first:.3} | {:.3} | {:.3} |",
            times[0],
            times[times.len() / 2]
        );
    }
    Ok(())
}
