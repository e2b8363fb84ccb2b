//! `retort check`: the build's checks on a directory, every problem printed, then a summary.

use std::path::Path;

use retort_core::check::{Options, check_dir};

use super::{Output, Status, count};
use crate::cli::CheckArgs;

/// Checks `dir` and prints every diagnostic, then one summary line:
/// `checked 12 migrations in migrations: 2 errors, 1 warning`, or `…: ok`.
///
/// Writes are best effort: a closed standard error must not turn into a panic.
pub fn run(dir: &Path, args: &CheckArgs, out: &mut Output<'_>) -> Status {
    let written = dir.to_string_lossy();
    let options = Options {
        allow_multiple_heads: args.allow_multiple_heads,
        allow_multiple_roots: args.allow_multiple_roots,
    };
    let report = check_dir(dir, &written, &options);
    for d in &report.diagnostics {
        let text = if out.styled {
            d.render_styled(&report.sources)
        } else {
            d.render(&report.sources)
        };
        let _ = writeln!(out.err, "{text}\n");
    }
    let errors = report.errors().count();
    let warnings = report.warnings().count();
    let verdict = match (errors, warnings) {
        (0, 0) => "ok".to_owned(),
        (0, w) => format!("ok, {}", count(w, "warning")),
        (e, 0) => count(e, "error"),
        (e, w) => format!("{}, {}", count(e, "error"), count(w, "warning")),
    };
    let _ = writeln!(
        out.err,
        "checked {} in {written}: {verdict}",
        count(report.files.len(), "migration")
    );
    if errors == 0 {
        Status::Success
    } else {
        Status::Failure
    }
}
