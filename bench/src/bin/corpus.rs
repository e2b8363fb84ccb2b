//! Runs retort's checker over a real project's migrations.
//!
//! `cargo run --release -p retort-bench --bin corpus -- <diesel migrations dir> <out dir>`
//!
//! Converts the diesel layout to retort files in `<out dir>`, checks them, prints every
//! diagnostic and a summary: files, statements, errors, warnings, time.

use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let (Some(src), Some(out)) = (args.next(), args.next()) else {
        eprintln!("usage: corpus <diesel migrations dir> <out dir>");
        std::process::exit(2);
    };
    if out.exists() {
        let _ = std::fs::remove_dir_all(&out);
    }
    let n = match retort_bench::convert_diesel(&src, &out) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("error: cannot convert {}: {e}", src.display());
            std::process::exit(2);
        }
    };
    let start = Instant::now();
    let report = retort_core::check::check_dir(&out, "migrations", &Default::default());
    let elapsed = start.elapsed();
    let statements: usize = report
        .files
        .iter()
        .map(|f| {
            let text = report.sources.get(f.file).text();
            [&f.up, &f.down]
                .into_iter()
                .flatten()
                .map(|s| retort_core::sql::lex::split(&text[s.body.clone()]).len())
                .sum::<usize>()
        })
        .sum();
    println!("{}", report.render());
    println!(
        "{}: {n} migrations, {} files, {statements} statements: {} errors, {} warnings; checked in {:.1} ms",
        src.display(),
        report.files.len(),
        report.errors().count(),
        report.warnings().count(),
        elapsed.as_secs_f64() * 1e3
    );
}
