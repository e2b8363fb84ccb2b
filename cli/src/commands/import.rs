//! `retort import --from sqlx|diesel|refinery SRC`: another tool's migrations as retort
//! files in the migration directory, checked as the build checks them.
//!
//! The files are written, then checked; a down that the schema model shows does not restore
//! the schema gets `lossy_down:` naming what it leaves (the tool never checked it, and the
//! database may rely on it as it is); the errors left after that are the history's own (a
//! down PostgreSQL would refuse, a statement refused in a transaction) and are printed, not
//! hidden: the command then fails, with the files written for the user to fix.

use std::collections::BTreeMap;
use std::path::Path;

use retort_core::check::{Options, check_dir};
use retort_core::codes::Code;
use retort_core::diagnostic::Severity;

use super::diff::print_diagnostics;
use super::{Ctx, Fail, Outcome, Status, count, fail};
use crate::cli::ImportArgs;
use crate::import::convert::Converted;
use crate::import::manifest::{self, Entry, Manifest};
use crate::import::{self, Txn};
use crate::outln;

/// At most this many of a down's differences are named in its `lossy_down:` reason.
const REASONS_NAMED: usize = 3;

/// Imports `args.src` into the migration directory.
pub fn run(ctx: &Ctx, args: &ImportArgs) -> Outcome {
    let tool = args.from;
    let sources = import::read(tool, &args.src)?;
    if sources.is_empty() {
        return Err(fail(
            Status::Failure,
            Code::ImportSourceUnreadable,
            format!("{} holds no {} migration", args.src.display(), tool.name()),
            Some(format!(
                "pass the directory that holds the {} migrations",
                tool.name()
            )),
        ));
    }
    ensure_empty(ctx, &args.src)?;
    let mut files: Vec<Converted> = Vec::with_capacity(sources.len());
    for s in &sources {
        let parent = files.last().map(|c| c.revision.as_str());
        files.push(Converted::new(tool, s, parent));
    }
    write_all(ctx, &files)?;
    let manifest = Manifest {
        tool,
        migrations: sources
            .iter()
            .map(|s| Entry {
                revision: s.version.clone(),
                source: s.path.to_string_lossy().into_owned(),
                checksums: s.checksums.clone(),
            })
            .collect(),
    };
    write(ctx, manifest::FILE, &manifest.to_text())?;

    let options = Options {
        allow_multiple_heads: false,
        allow_multiple_roots: false,
        lints: ctx.lints.clone(),
    };
    let report = check_dir(&ctx.dir, &ctx.display, &options);
    let lossy = lossy_reasons(&report, tool.name());
    for c in &mut files {
        if let Some(why) = lossy.get(&c.file_name) {
            c.lossy_down = Some(why.clone());
        }
    }
    let relabelled: Vec<&Converted> = files.iter().filter(|c| c.lossy_down.is_some()).collect();
    for c in &relabelled {
        write(ctx, &c.file_name, &c.text())?;
    }
    let report = if relabelled.is_empty() {
        report
    } else {
        check_dir(&ctx.dir, &ctx.display, &options)
    };

    let shown = Path::new(&ctx.display);
    outln!(
        "imported {} from {} ({}) into {}",
        count(files.len(), "migration"),
        tool.name(),
        args.src.display(),
        ctx.display
    );
    let n = |f: &dyn Fn(&Converted) -> bool| files.iter().filter(|c| f(c)).count();
    let lines = [
        (
            n(&|c| c.txn == Txn::NonTransactional),
            "run outside a transaction (`transaction: false`)",
        ),
        (
            n(&|c| c.unwrapped),
            "had a BEGIN/COMMIT wrapper taken out (retort gives each migration its own transaction)",
        ),
        (
            relabelled.len(),
            "marked `lossy_down:` (their down does not restore the schema; the reason names what it leaves)",
        ),
        (
            n(&|c| c.down.is_err()),
            "marked `irreversible:` (no down migration)",
        ),
    ];
    for (k, what) in lines {
        if k > 0 {
            outln!("  {k} {what}");
        }
    }
    outln!(
        "  {} lists the checksums {} recorded, for `retort stamp --adopt {}`",
        shown.join(manifest::FILE).display(),
        tool.name(),
        tool.name()
    );
    let warnings = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    if warnings > 0 {
        outln!(
            "  {} (`retort lint` lists them)",
            count(warnings, "lint warning")
        );
    }
    let errors: Vec<_> = report.errors().cloned().collect();
    if errors.is_empty() {
        outln!(
            "next: `retort check`; for a database that {} already migrated, `retort stamp --adopt {}`",
            tool.name(),
            tool.name()
        );
        return Ok(Status::Success);
    }
    print_diagnostics(ctx, &errors, &report.sources);
    Err(fail(
        Status::Failure,
        Code::ImportSourceErrors,
        format!(
            "the imported migrations have {} that the {} history itself has; the files are \
             written",
            count(errors.len(), "error"),
            tool.name()
        ),
        Some(format!(
            "fix each one above in {} (or say why a down is lossy with `-- lossy_down: \
             <reason>`), then run `retort check`",
            ctx.display
        )),
    ))
}

/// Refuses a migration directory that holds anything but dot-files, and the source
/// directory itself.
fn ensure_empty(ctx: &Ctx, src: &Path) -> Result<(), Fail> {
    let same = match (ctx.dir.canonicalize(), src.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    let busy = std::fs::read_dir(&ctx.dir).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| !e.file_name().to_string_lossy().starts_with('.'))
    });
    if ctx.dir.exists() && !ctx.dir.is_dir() || busy {
        let help = if same {
            format!(
                "the source files stay where they are: write retort's elsewhere with `--dir`, \
                 such as `retort import --from … {} --dir db/migrations` (and `dir = \
                 \"db/migrations\"` in retort.toml), or move the source aside first",
                src.display()
            )
        } else {
            "choose an empty or new directory with `--dir`".to_owned()
        };
        return Err(fail(
            Status::Failure,
            Code::CliDirectoryNotEmpty,
            format!("`{}` is not an empty directory", ctx.display),
            Some(help),
        ));
    }
    Ok(())
}

/// Creates the directory and writes every file.
fn write_all(ctx: &Ctx, files: &[Converted]) -> Result<(), Fail> {
    ctx.create_dir()?;
    for c in files {
        write(ctx, &c.file_name, &c.text())?;
    }
    Ok(())
}

/// Writes one file of the directory.
fn write(ctx: &Ctx, name: &str, text: &str) -> Result<(), Fail> {
    let path = ctx.dir.join(name);
    std::fs::write(&path, text).map_err(|e| {
        fail(
            Status::Failure,
            Code::CliWriteFailed,
            format!(
                "cannot write {}: {e}",
                Path::new(&ctx.display).join(name).display()
            ),
            None,
        )
    })
}

/// For each file whose down does not restore the schema, the `lossy_down:` reason: what the
/// check says the down leaves.
fn lossy_reasons(report: &retort_core::check::Report, tool: &str) -> BTreeMap<String, String> {
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for d in report.errors() {
        if d.code != Code::SchemaDownNotRestored {
            continue;
        }
        let Some(span) = &d.span else { continue };
        let path = report.sources.get(span.file).path();
        let Some(name) = Path::new(path).file_name() else {
            continue;
        };
        // "the down section of `r` leaves table `t` (created here in …)": the middle part.
        let what = d
            .message
            .split_once("` ")
            .map_or(d.message.as_str(), |(_, rest)| rest);
        let what = what.split(" (").next().unwrap_or(what).trim();
        found
            .entry(name.to_string_lossy().into_owned())
            .or_default()
            .push(what.to_owned());
    }
    found
        .into_iter()
        .map(|(file, whats)| {
            let mut named: Vec<String> = whats.iter().take(REASONS_NAMED).cloned().collect();
            if whats.len() > REASONS_NAMED {
                named.push(format!("and {} more", whats.len() - REASONS_NAMED));
            }
            (
                file,
                format!("imported from {tool}; its down {}", named.join("; ")),
            )
        })
        .collect()
}
