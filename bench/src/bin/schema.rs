//! Runs the schema model over a diesel migration directory:
//! `schema <diesel dir> <out dir>` converts it to retort files in `<out dir>`, checks them,
//! replays every revision, prints every schema diagnostic and a summary.

use std::time::Instant;

use retort_core::check::{Options, check_dir};
use retort_core::diagnostic::render_all;
use retort_core::schema::analyze;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(src), Some(out)) = (args.first(), args.get(1)) else {
        eprintln!("usage: schema <diesel dir> <out dir>");
        std::process::exit(2);
    };
    let out_path = std::path::Path::new(out);
    let _ = std::fs::remove_dir_all(out_path);
    let n = retort_bench::convert_diesel(src.as_ref(), out_path).expect("convert");
    let report = check_dir(out_path, "migrations", &Options::default());
    let check_errors = report.errors().count();
    // Best of a few rounds for the time; the diagnostics of the last.
    let mut best = f64::MAX;
    let mut schema = analyze(&report.sources, &report.files, &report.graph);
    for _ in 0..5 {
        let start = Instant::now();
        schema = analyze(&report.sources, &report.files, &report.graph);
        best = best.min(start.elapsed().as_secs_f64());
    }
    if !schema.diagnostics.is_empty() {
        println!("{}", render_all(&schema.diagnostics, &report.sources));
    }
    let s = &schema.stats;
    let errors = schema.diagnostics.iter().filter(|d| d.is_error()).count();
    let head = report
        .order
        .last()
        .and_then(|&i| schema.catalogs[i].as_ref());
    let (tables, columns, indexes) = head.map_or((0, 0, 0), |c| c.counts());
    println!(
        "{src}: {n} migrations converted, {check_errors} check errors (format/SQL/graph)\n\
         revisions replayed: {}\n\
         fully known after up: {}\n\
         partly unknown after up: {} (of which nothing known: {})\n\
         statements replayed: {}\n\
         down sections compared: {} (skipped: {})\n\
         schema errors: {errors}\n\
         at the head: {tables} tables, {columns} columns, {indexes} indexes\n\
         replay + checks: {:.1} ms (best of 5)",
        s.revisions,
        s.fully_known,
        s.partly_unknown,
        s.all_unknown,
        s.statements,
        s.downs_checked,
        s.downs_skipped,
        best * 1e3,
    );
    if std::env::var_os("SCHEMA_UNKNOWN").is_some() {
        // Where knowledge was first lost, per revision that is partly unknown.
        for &i in &report.order {
            if let Some(c) = &schema.catalogs[i] {
                let u = &c.unknown;
                if let Some(o) = &u.all {
                    let src = report.sources.get(o.file);
                    println!(
                        "all unknown from {}:{}",
                        src.path(),
                        src.line_col(o.range.start).0
                    );
                    break;
                }
            }
        }
        // Where each table's columns or constraints first became unknown.
        let mut prev: Option<&retort_core::schema::Catalog> = None;
        for &i in &report.order {
            let Some(c) = &schema.catalogs[i] else {
                continue;
            };
            for (n, r) in c.relations.iter() {
                let retort_core::schema::catalog::RelKind::Table(t) = &r.value else {
                    continue;
                };
                let before = prev.and_then(|p| p.table(n));
                let was = before.map_or((true, true), |b| (b.columns_known, b.constraints_known));
                if was.0 && !t.columns_known || was.1 && !t.constraints_known {
                    println!(
                        "table {n}: columns known {}, constraints known {} after {}",
                        t.columns_known,
                        t.constraints_known,
                        report.sources.get(report.files[i].file).path()
                    );
                }
            }
            prev = Some(c);
        }
        if let Some(c) = head {
            for (ns, o) in &c.unknown.ns {
                let src = report.sources.get(o.file);
                println!(
                    "namespace {ns:?} unknown from {}:{}",
                    src.path(),
                    src.line_col(o.range.start).0
                );
            }
            // Where each name whose existence is unknown at the head became so.
            for n in &c.unknown.names {
                let first = report.order.iter().find(|&&i| {
                    schema.catalogs[i]
                        .as_ref()
                        .is_some_and(|c| c.unknown.names.contains(n))
                });
                if let Some(&i) = first {
                    println!(
                        "{:?} `{}` unknown from {}",
                        n.0,
                        n.1,
                        report.sources.get(report.files[i].file).path()
                    );
                }
            }
            for (n, r) in c.relations.iter() {
                if let retort_core::schema::catalog::RelKind::Table(t) = &r.value
                    && (!t.columns_known || !t.constraints_known)
                {
                    println!(
                        "table {n}: columns known {}, constraints known {}",
                        t.columns_known, t.constraints_known
                    );
                }
            }
        }
    }
}
