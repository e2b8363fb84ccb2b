//! `retort lint`: the lints alone, rendered like rustc's or as JSON, then a summary.

use std::io::Write as _;

use retort_core::check::{Options, check_dir};
use retort_core::codes::{Code, Family};
use retort_core::diagnostic::Diagnostic;

use super::check::diagnostic_json;
use super::{Ctx, Outcome, Status, count};
use crate::cli::{Format, LintArgs};
use crate::outln;

/// Whether `d` is about lints: a lint, or a `-- retort:allow` marker's problem.
fn is_lint(d: &Diagnostic) -> bool {
    d.code.family() == Family::Lint
        || matches!(
            d.code,
            Code::SqlAllowNoReason | Code::SqlAllowUnknownCode | Code::SqlAllowUnused
        )
}

/// Checks the directory and prints its lints; fails when a lint is denied or the
/// migrations have other errors.
pub fn run(ctx: &Ctx, args: &LintArgs) -> Outcome {
    let options = Options {
        allow_multiple_heads: true,
        allow_multiple_roots: true,
        lints: ctx.lints.clone(),
    };
    let report = check_dir(&ctx.dir, &ctx.display, &options);
    let lints: Vec<&Diagnostic> = report.diagnostics.iter().filter(|d| is_lint(d)).collect();
    let denied = lints.iter().filter(|d| d.is_error()).count();
    let warnings = lints.len() - denied;
    let other_errors = report.errors().filter(|d| !is_lint(d)).count();
    let status = if denied + other_errors == 0 {
        Status::Success
    } else {
        Status::Failure
    };
    if args.format == Format::Json {
        let doc = serde_json::json!({
            "ok": status == Status::Success,
            "directory": ctx.display,
            "migrations": report.files.len(),
            "errors": denied,
            "warnings": warnings,
            "other_errors": other_errors,
            "diagnostics": lints
                .iter()
                .map(|d| diagnostic_json(d, &report.sources))
                .collect::<Vec<_>>(),
        });
        outln!("{doc:#}");
        return Ok(status);
    }
    let mut err = std::io::stderr().lock();
    for d in &lints {
        let text = if ctx.styled_err {
            d.render_styled(&report.sources)
        } else {
            d.render(&report.sources)
        };
        let _ = writeln!(err, "{text}\n");
    }
    let verdict = match (denied, warnings) {
        (0, 0) => "no lints".to_owned(),
        (0, w) => count(w, "warning"),
        (e, 0) => count(e, "denied lint"),
        (e, w) => format!("{}, {}", count(e, "denied lint"), count(w, "warning")),
    };
    let _ = writeln!(
        err,
        "linted {} in {}: {verdict}",
        count(report.files.len(), "migration"),
        ctx.display
    );
    if other_errors > 0 {
        let _ = writeln!(
            err,
            "error[{}]: the migrations also have {}; `retort check` shows them",
            Code::CheckFailed,
            count(other_errors, "error")
        );
    }
    Ok(status)
}
