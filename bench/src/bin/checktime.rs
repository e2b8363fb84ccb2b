//! Times `check_dir` on a directory: `checktime <dir> [rounds]`, and the part of it spent in
//! the schema model (replay and checks); then `check_dir_verified` with what that check
//! recorded, which is what the build script does on its next run and the macro after it (the
//! SQL checks skipped, and the down sections that passed not replayed). With
//! `CHECKTIME_SHOW=1` it prints the diagnostics too. Build it without optimisation as well,
//! to see what a proc macro compiled in the dev profile pays.

use std::time::Instant;

use retort_core::check::{Report, check_dir, check_dir_verified};
use retort_core::verified::Verified;

/// Best wall time of `rounds` runs of `run`, the schema model's best, and the last report.
fn time(rounds: usize, run: impl Fn() -> Report) -> (f64, f64, Report) {
    let mut best = f64::MAX;
    let mut best_schema = f64::MAX;
    let mut last = None;
    for _ in 0..rounds {
        let start = Instant::now();
        let report = run();
        best = best.min(start.elapsed().as_secs_f64());
        best_schema = best_schema.min(report.schema.stats.elapsed.as_secs_f64());
        last = Some(report);
    }
    (best, best_schema, last.expect("at least one round"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: checktime <dir> [rounds]");
        std::process::exit(2);
    };
    let rounds: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(5).max(1);
    let path = std::path::Path::new(dir);
    let options = Default::default();
    let (best, schema, report) = time(rounds, || check_dir(path, "migrations", &options));
    let errors = report.errors().count();
    println!(
        "{dir}: check_dir, best of {rounds}: {:.1} ms (schema model: {:.1} ms, the rest: {:.1} ms), {errors} errors",
        best * 1e3,
        schema * 1e3,
        (best - schema) * 1e3
    );
    let verified: Verified = report.verified.clone();
    let (best, schema, _) = time(rounds, || {
        check_dir_verified(path, "migrations", &options, &verified)
    });
    println!(
        "{dir}: check_dir_verified ({} files' SQL verified, {} down sections passed), best of {rounds}: {:.1} ms (schema model: {:.1} ms)",
        verified.len(),
        verified.downs_len(),
        best * 1e3,
        schema * 1e3
    );
    // `CHECKTIME_SHOW=1` prints the diagnostics too.
    if std::env::var_os("CHECKTIME_SHOW").is_some() && !report.diagnostics.is_empty() {
        println!("{}", report.render());
    }
}
