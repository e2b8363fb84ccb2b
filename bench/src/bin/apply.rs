//! Applying N generated migrations with retort, against `psql -X -1 -f` of the same SQL.
//!
//! `apply [N] [ROUNDS]` (defaults 1000 and 3). Uses the server of `DATABASE_URL` (whose user
//! may create databases) or, without it, the throwaway cluster of `retort-test-support`
//! (which runs with `fsync=off`: give a `DATABASE_URL` of a default-configured server for
//! durable figures; `bench/apply-bench.sh` starts one). Each measurement gets a fresh
//! database; the best of ROUNDS is reported, with the ratio to `psql -1`:
//!
//! - `psql -X -1 -f`: every up section, in order, in one transaction;
//! - retort, a transaction per migration (the default);
//! - retort, one transaction for the run (`single_transaction`);
//! - the no-op start-up check: `upgrade head` on an up-to-date database (best of 50);
//! - `status` on the same database (best of 50).

use std::process::Command;
use std::time::{Duration, Instant};

use retort_core::MigrationSet;
use retort_core::check::{Input, Options, check_texts};
use retort_runtime::{Migrator, Target};

struct Server {
    admin: postgres::Client,
    url_for: Box<dyn Fn(&str) -> String>,
    psql: Box<dyn Fn(&str) -> Command>,
}

fn server() -> Server {
    match std::env::var("DATABASE_URL") {
        Ok(url) => {
            let admin =
                postgres::Client::connect(&url, postgres::NoTls).expect("connect to DATABASE_URL");
            let base = url.clone();
            let with_db = move |db: &str| match base.rfind('/') {
                Some(i) if base.starts_with("postgres") => format!("{}/{db}", &base[..i]),
                _ => format!("{base} dbname={db}"),
            };
            let for_psql = with_db.clone();
            Server {
                admin,
                url_for: Box::new(with_db),
                psql: Box::new(move |db| {
                    let mut c = Command::new("psql");
                    c.arg(for_psql(db));
                    c
                }),
            }
        }
        Err(_) => {
            let cluster = retort_test_support::cluster().expect("a throwaway cluster");
            Server {
                admin: cluster.connect().expect("admin connection"),
                url_for: Box::new(move |db| cluster.url_for(db)),
                psql: Box::new(move |db| cluster.psql_command(db)),
            }
        }
    }
}

fn fresh(server: &mut Server, name: &str) -> postgres::Client {
    drop_db(server, name);
    server
        .admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create database");
    postgres::Client::connect(&(server.url_for)(name), postgres::NoTls).expect("connect")
}

fn drop_db(server: &mut Server, name: &str) {
    let _ = server
        .admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
}

fn main() {
    let mut args = Vec::new();
    for a in std::env::args().skip(1) {
        match a.parse::<usize>() {
            Ok(v) => args.push(v),
            Err(_) => {
                eprintln!(
                    "error: `{a}` is not a count\n  = help: usage: apply [N] [ROUNDS], two whole numbers (defaults 1000 and 3)"
                );
                std::process::exit(2);
            }
        }
    }
    let n = args.first().copied().unwrap_or(1000);
    let rounds = args.get(1).copied().unwrap_or(3).max(1);
    let inputs: Vec<Input> = retort_bench::generate(n)
        .into_iter()
        .map(|g| Input {
            name: g.name,
            text: g.text,
        })
        .collect();
    let report = check_texts(&inputs, "migrations", &Options::default());
    let set: MigrationSet = report.to_set().expect("generated migrations are valid");
    let mut script: String = set.iter().map(|m| format!("{}\n", m.up_sql())).collect();
    script.insert_str(0, "\\set ON_ERROR_STOP on\n");
    let script_path = std::env::temp_dir().join(format!("retort-apply-{}.sql", std::process::id()));
    std::fs::write(&script_path, &script).expect("write script");
    let mut server = server();

    // The three are interleaved round by round, so that a slow spell of the machine (or
    // of its disk, with a durable server) falls on all of them alike; the best of each counts.
    let mut psql_runs = Vec::new();
    let mut per_migration_runs = Vec::new();
    let mut single_runs = Vec::new();
    for _ in 0..rounds {
        drop(fresh(&mut server, "bench_psql"));
        let mut cmd = (server.psql)("bench_psql");
        cmd.args(["-X", "-q", "-1", "-f"]).arg(&script_path);
        let start = Instant::now();
        let out = cmd.output().expect("run psql");
        psql_runs.push(start.elapsed());
        assert!(
            out.status.success(),
            "psql: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        drop_db(&mut server, "bench_psql");

        for (single, runs) in [(false, &mut per_migration_runs), (true, &mut single_runs)] {
            let mut c = fresh(&mut server, "bench_retort");
            let start = Instant::now();
            Migrator::new(&set)
                .single_transaction(single)
                .upgrade(&mut c, &Target::Head)
                .expect("upgrade");
            runs.push(start.elapsed());
            drop(c);
            drop_db(&mut server, "bench_retort");
        }
    }
    let min = |v: &[Duration]| v.iter().copied().min().unwrap_or_default();
    let (psql, per_migration, single) =
        (min(&psql_runs), min(&per_migration_runs), min(&single_runs));
    let mut c = fresh(&mut server, "bench_noop");
    Migrator::new(&set)
        .upgrade(&mut c, &Target::Head)
        .expect("upgrade");
    let noop = (0..50)
        .map(|_| {
            let start = Instant::now();
            let steps = Migrator::new(&set)
                .upgrade(&mut c, &Target::Head)
                .expect("no-op");
            assert!(steps.is_empty());
            start.elapsed()
        })
        .min()
        .unwrap_or_default();
    let status = (0..50)
        .map(|_| {
            let start = Instant::now();
            assert!(
                Migrator::new(&set)
                    .status(&mut c)
                    .expect("status")
                    .is_in_sync()
            );
            start.elapsed()
        })
        .min()
        .unwrap_or_default();
    drop(c);
    drop_db(&mut server, "bench_noop");
    let _ = std::fs::remove_file(&script_path);

    let ratio = |d: Duration| d.as_secs_f64() / psql.as_secs_f64();
    println!("{n} migrations, best of {rounds}:");
    println!(
        "  psql -X -1 -f                       {:>9.3} s   1.00x",
        psql.as_secs_f64()
    );
    println!(
        "  retort, transaction per migration   {:>9.3} s   {:.2}x",
        per_migration.as_secs_f64(),
        ratio(per_migration)
    );
    println!(
        "  retort, single transaction          {:>9.3} s   {:.2}x",
        single.as_secs_f64(),
        ratio(single)
    );
    println!(
        "  no-op upgrade (up to date)          {:>9.2} ms",
        noop.as_secs_f64() * 1e3
    );
    println!(
        "  status                              {:>9.2} ms",
        status.as_secs_f64() * 1e3
    );
}
