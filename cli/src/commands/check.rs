//! `retort check`: the build's checks on a directory, every problem printed, then a summary;
//! with a database, whether it is in sync.

use std::io::Write as _;

use retort_core::Revision;
use retort_core::check::{Options, check_dir, check_texts};
use retort_core::codes::Code;
use retort_core::diagnostic::{Diagnostic, Severity};
use retort_core::source::Sources;
use retort_runtime::Migrator;

use super::diff::catalog_at;
use super::drift::Drift;
use super::{Ctx, Outcome, Status, count, runtime_fail};
use crate::cli::{CheckArgs, Format};
use crate::outln;

/// One diagnostic as JSON: its code, severity, message, location, help and rendering.
pub fn diagnostic_json(d: &Diagnostic, sources: &Sources) -> serde_json::Value {
    serde_json::json!({
        "code": d.code.as_str(),
        "severity": match d.severity { Severity::Error => "error", _ => "warning" },
        "message": d.message,
        "location": d.location(sources),
        "help": d.help,
        "rendered": d.render(sources),
    })
}

fn revs(items: &[Revision]) -> Vec<&str> {
    items.iter().map(Revision::as_str).collect()
}

/// Checks the directory and prints every diagnostic, then one summary line:
/// `checked 12 migrations in migrations: 2 errors, 1 warning`, or `…: ok`. With a database,
/// then compares it with the migrations.
pub fn run(ctx: &Ctx, args: &CheckArgs) -> Outcome {
    let options = Options {
        allow_multiple_heads: args.allow_multiple_heads,
        allow_multiple_roots: args.allow_multiple_roots,
        lints: ctx.lints.clone(),
    };
    // A service's binary run where its migration directory is not (a container): the
    // migrations it embeds were checked when it was built; only the database is checked.
    let embedded_only = ctx.embedded.is_some() && !ctx.dir.exists();
    let report = if embedded_only {
        check_texts(&[], &ctx.display, &options)
    } else {
        check_dir(&ctx.dir, &ctx.display, &options)
    };
    let errors = report.errors().count();
    let warnings = report.warnings().count();
    let json = args.format == Format::Json;

    let mut err = std::io::stderr().lock();
    if !json {
        for d in &report.diagnostics {
            let text = if ctx.styled_err {
                d.render_styled(&report.sources)
            } else {
                d.render(&report.sources)
            };
            let _ = writeln!(err, "{text}\n");
        }
        let verdict = match (errors, warnings) {
            (0, 0) => "ok".to_owned(),
            (0, w) => format!("ok, {}", count(w, "warning")),
            (e, 0) => count(e, "error"),
            (e, w) => format!("{}, {}", count(e, "error"), count(w, "warning")),
        };
        if let (true, Some(set)) = (embedded_only, ctx.embedded) {
            let _ = writeln!(
                err,
                "{} compiled into this binary, checked when it was built; `{}` is not here, \
                 so the database's schema is not compared with them (no drift check)",
                count(set.len(), "migration"),
                ctx.display
            );
        } else {
            let _ = writeln!(
                err,
                "checked {} in {}: {verdict}",
                count(report.files.len(), "migration"),
                ctx.display
            );
        }
    }

    // The database, when one is given and the migrations are sound.
    let mut database = serde_json::Value::Null;
    let mut drift: Vec<Drift> = Vec::new();
    let mut status = if errors == 0 {
        Status::Success
    } else {
        Status::Failure
    };
    if let (0, Some(fleet)) = (errors, &ctx.fleet) {
        let set = match ctx.embedded {
            Some(set) => set.clone(),
            None => report
                .to_set()
                .unwrap_or_else(|| retort_core::MigrationSet::from_static(&[])),
        };
        let mut extra = serde_json::Map::new();
        if json {
            let diagnostics: Vec<serde_json::Value> = report
                .diagnostics
                .iter()
                .map(|d| diagnostic_json(d, &report.sources))
                .collect();
            extra.insert("directory".into(), ctx.display.clone().into());
            extra.insert("migrations".into(), report.files.len().into());
            extra.insert("warnings".into(), warnings.into());
            extra.insert("diagnostics".into(), diagnostics.into());
        }
        // The schema model at the revision a database target is at, to compare its catalog
        // with (none where the directory is not here).
        let model = |current: &[Revision]| match current {
            _ if embedded_only => Ok(None),
            [] => Ok(Some(retort_core::schema::Catalog::new())),
            [rev] => catalog_at(&report, rev.as_str()).map(Some),
            _ => Ok(None),
        };
        let status = super::fleet::check(ctx, fleet, &set, model, args.format, extra)?;
        if !json && fleet.targets.iter().any(|t| t.schema().is_some()) {
            let _ = writeln!(
                err,
                "note: for a schema target, check compares its version table with the \
                 migrations (pending, unknown, edited, interrupted), not its tables: drift is \
                 compared for database targets only"
            );
        }
        return Ok(status);
    }
    if errors == 0 && ctx.url.is_some() {
        // In a service's binary, the compiled-in migrations are what the database gets.
        let set = match ctx.embedded {
            Some(set) => set.clone(),
            None => report
                .to_set()
                .unwrap_or_else(|| retort_core::MigrationSet::from_static(&[])),
        };
        let mut client = ctx.connect()?;
        let s = Migrator::new(&set)
            .with_config(ctx.config.clone())
            .status(&mut client)
            .map_err(|e| runtime_fail(&e))?;
        let edited: Vec<&str> = s.edited.iter().map(|(r, _)| r.as_str()).collect();
        database = serde_json::json!({
            "in_sync": s.is_in_sync(),
            "current": revs(&s.current),
            "pending": revs(&s.pending),
            "unknown": revs(&s.unknown),
            "edited": edited,
            "interrupted": revs(&s.interrupted),
        });
        if !s.is_in_sync() {
            status = Status::NotInSync;
        }
        // Drift, when the database is at one revision this directory knows.
        let settled = s.edited.is_empty() && s.unknown.is_empty() && s.interrupted.is_empty();
        let model = match s.current.as_slice() {
            _ if embedded_only => None,
            [] if settled => Some(retort_core::schema::Catalog::new()),
            [rev] if settled => Some(catalog_at(&report, rev.as_str())?),
            _ => None,
        };
        if let (Some(model), Some(url)) = (model, ctx.url.as_deref()) {
            drift = super::drift::drift(&mut client, url, &ctx.config, &model)?;
            if !drift.is_empty() {
                status = Status::NotInSync;
            }
        }
        if !json {
            let at = if s.current.is_empty() {
                "base".to_owned()
            } else {
                revs(&s.current).join(", ")
            };
            if s.is_in_sync() {
                let _ = writeln!(
                    err,
                    "database: in sync at {at} ({} applied)",
                    s.applied.len()
                );
            } else {
                let _ = writeln!(
                    err,
                    "error[{}]: the database is not in sync with the migrations (it is at {at})",
                    Code::DbNotInSync
                );
                let show = |what: &str, items: Vec<String>, err: &mut std::io::StderrLock<'_>| {
                    if !items.is_empty() {
                        let _ = writeln!(err, "  {what:<12} {}", items.join(", "));
                    }
                };
                show(
                    "pending",
                    s.pending.iter().map(|r| r.to_string()).collect(),
                    &mut err,
                );
                show(
                    "unknown",
                    s.unknown.iter().map(|r| r.to_string()).collect(),
                    &mut err,
                );
                show(
                    "edited",
                    s.edited.iter().map(|(r, p)| format!("{r} ({p})")).collect(),
                    &mut err,
                );
                show(
                    "interrupted",
                    s.interrupted.iter().map(|r| r.to_string()).collect(),
                    &mut err,
                );
                let help = if !s.interrupted.is_empty() {
                    "finish or undo the interrupted migration by hand, then `retort stamp` what is true"
                } else if !s.edited.is_empty() {
                    "restore the edited files: an applied migration must not change; put changes in a new revision"
                } else if !s.unknown.is_empty() {
                    "the database is ahead of these files: use the newer migrations"
                } else {
                    "`retort upgrade` applies the pending revisions"
                };
                let _ = writeln!(err, "  = help: {help}");
            }
            print_drift(&mut err, &drift, &s.current);
        }
    }

    if json {
        let diagnostics: Vec<serde_json::Value> = report
            .diagnostics
            .iter()
            .map(|d| diagnostic_json(d, &report.sources))
            .collect();
        let doc = serde_json::json!({
            "ok": status == Status::Success,
            "directory": ctx.display,
            "migrations": report.files.len(),
            "errors": errors,
            "warnings": warnings,
            "diagnostics": diagnostics,
            "database": database,
            "drift": drift
                .iter()
                .map(|d| serde_json::json!({
                    "code": Code::DbDrift.as_str(),
                    "what": d.what,
                    "sql": d.sql,
                }))
                .collect::<Vec<_>>(),
        });
        outln!("{doc:#}");
    }
    Ok(status)
}

/// Drift as `error[db-drift]`, each difference with the SQL that undoes it.
fn print_drift(err: &mut std::io::StderrLock<'_>, drift: &[Drift], current: &[Revision]) {
    if drift.is_empty() {
        return;
    }
    let at = match current {
        [] => "base".to_owned(),
        revs => revs
            .iter()
            .map(Revision::as_str)
            .collect::<Vec<_>>()
            .join(", "),
    };
    let _ = writeln!(
        err,
        "error[{}]: the database's schema differs from the migrations at {at}: {} made \
         outside them",
        Code::DbDrift,
        count(drift.len(), "change")
    );
    for d in drift {
        let _ = writeln!(err, "  - {}", d.what);
        if let Some(sql) = &d.sql {
            for line in sql.lines() {
                let _ = writeln!(err, "      {line}");
            }
        }
    }
    let _ = writeln!(
        err,
        "  = help: the SQL under each difference brings the database back to the migrations; \
         to keep a change instead, write it in a new revision (`retort revision \
         --autogenerate` with the change in the schema file)"
    );
}
