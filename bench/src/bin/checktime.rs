//! Times `check_dir` on a directory: `checktime <dir> [rounds]`, and the part of it spent in
//! the schema model (replay and checks); with `CHECKTIME_SHOW=1`, the diagnostics. Build it without optimisation too, to see what a
//! proc macro compiled in the dev profile pays.

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: checktime <dir> [rounds]");
        std::process::exit(2);
    };
    let rounds: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(5);
    let mut best = f64::MAX;
    let mut best_schema = f64::MAX;
    let mut errors = 0;
    let mut rendered = String::new();
    for _ in 0..rounds {
        let start = Instant::now();
        let report = retort_core::check::check_dir(dir.as_ref(), "migrations", &Default::default());
        best = best.min(start.elapsed().as_secs_f64());
        best_schema = best_schema.min(report.schema.stats.elapsed.as_secs_f64());
        errors = report.errors().count();
        rendered = report.render();
    }
    // `CHECKTIME_SHOW=1` prints the diagnostics too.
    if std::env::var_os("CHECKTIME_SHOW").is_some() && !rendered.is_empty() {
        println!("{rendered}");
    }
    println!(
        "{dir}: best of {rounds}: {:.1} ms (schema model: {:.1} ms), {errors} errors",
        best * 1e3,
        best_schema * 1e3
    );
}
