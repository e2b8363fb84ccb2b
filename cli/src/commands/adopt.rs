//! `retort stamp --adopt sqlx|diesel|refinery`: a database that another tool migrated,
//! recorded in retort's version table as the same revisions, after checking that the tool's
//! history matches the migrations `retort import` wrote. No migration SQL is run and the
//! other tool's table is left as it was.

use std::collections::BTreeSet;

use retort_core::Revision;
use retort_core::codes::Code;
use retort_runtime::Migrator;

use super::revision::history_of;
use super::{Ctx, Fail, Outcome, Status, count, fail, list, parse_target, runtime_fail};
use crate::import::Tool;
use crate::import::history::{self, Applied};
use crate::import::manifest::{self, Manifest};
use crate::outln;

/// At most this many revisions are named in a message.
const NAMED: usize = 5;

/// Adopts the database that `tool` migrated.
pub fn run(ctx: &Ctx, tool: Tool) -> Outcome {
    let set = ctx.set()?;
    let history = history_of(&set)?;
    let manifest = Manifest::read(&ctx.dir).map_err(|m| {
        fail(
            Status::Failure,
            Code::ImportAdoptMismatch,
            format!("cannot read the import manifest: {m}"),
            Some(format!(
                "it is written by `retort import`; delete {} to adopt without checksums",
                manifest::FILE
            )),
        )
    })?;
    if let Some(m) = &manifest
        && m.tool != tool
    {
        return Err(fail(
            Status::Failure,
            Code::ImportAdoptMismatch,
            format!(
                "the migrations in {} were imported from {}, not {}",
                ctx.display,
                m.tool.name(),
                tool.name()
            ),
            Some(format!(
                "adopt with `retort stamp --adopt {}`",
                m.tool.name()
            )),
        ));
    }
    let mut client = ctx.connect()?;
    let table = tool.history_table();
    let applied = history::read(&mut client, tool)
        .map_err(|e| runtime_fail(&retort_runtime::Error::Database(e)))?
        .ok_or_else(|| {
            fail(
                Status::Failure,
                Code::ImportAdoptNoTable,
                format!(
                    "the database has no `{table}`: {} never migrated it (or not in the \
                     schema this connection sees)",
                    tool.name()
                ),
                Some(
                    "connect to the database the tool migrated; for a database whose state you \
                     know, `retort stamp <revision>` records it directly"
                        .to_owned(),
                ),
            )
        })?;
    check_rows(ctx, tool, &applied, &set, manifest.as_ref())?;

    // The applied set must be a revision and everything before it.
    let order: Vec<&Revision> = history.revisions().iter().collect();
    let position = |v: &str| order.iter().position(|r| r.as_str() == v);
    let versions: BTreeSet<&str> = applied.iter().map(|a| a.version.as_str()).collect();
    let Some(newest) = versions
        .iter()
        .filter_map(|v| position(v))
        .max()
        .map(|i| order[i])
    else {
        outln!(
            "{} applied nothing (`{table}` is empty): nothing recorded; `retort upgrade` applies \
             every migration",
            tool.name()
        );
        return Ok(Status::Success);
    };
    let mut expected: BTreeSet<String> = history
        .ancestors_of(newest.as_str())
        .unwrap_or_default()
        .iter()
        .map(|r| r.as_str().to_owned())
        .collect();
    expected.insert(newest.as_str().to_owned());
    let missing: Vec<&String> = expected
        .iter()
        .filter(|r| !versions.contains(r.as_str()))
        .collect();
    if !missing.is_empty() {
        return Err(fail(
            Status::Failure,
            Code::ImportAdoptGap,
            format!(
                "{} applied {newest} but not {} before it: {}",
                tool.name(),
                count(missing.len(), "revision"),
                named(missing.iter().map(|s| s.as_str()))
            ),
            Some(format!(
                "apply the missing migrations with {} first (they were skipped or applied out \
                 of order), or record the database's state by hand with `retort stamp`",
                tool.name()
            )),
        ));
    }

    let migrator = || Migrator::new(&set).with_config(ctx.config.clone());
    let status = migrator()
        .status(&mut client)
        .map_err(|e| runtime_fail(&e))?;
    if !status.applied.is_empty() {
        let recorded: BTreeSet<String> = status
            .applied
            .iter()
            .map(|r| r.revision.as_str().to_owned())
            .collect();
        if recorded == expected {
            outln!(
                "already adopted: {} records the {} that {} applied; nothing to do",
                ctx.config.display_table(),
                count(expected.len(), "revision"),
                tool.name()
            );
            return Ok(Status::Success);
        }
        return Err(fail(
            Status::Failure,
            Code::ImportAdoptConflict,
            format!(
                "{} already records {}, which is not what `{table}` gives ({} up to {newest})",
                ctx.config.display_table(),
                count(recorded.len(), "revision"),
                count(expected.len(), "revision")
            ),
            Some(
                "check which record is right; `retort stamp <revision>` sets retort's record \
                 explicitly"
                    .to_owned(),
            ),
        ));
    }
    let target = parse_target(newest.as_str())?;
    let (added, _) = migrator()
        .stamp(&mut client, &target)
        .map_err(|e| runtime_fail(&e))?;
    outln!(
        "adopted: recorded {} from `{table}` as applied, up to {newest}; no SQL was run",
        count(added.len(), "revision")
    );
    if manifest.is_none() && tool != Tool::Diesel {
        outln!(
            "  checksums were not compared: {} is not in {} (`retort import` writes it)",
            manifest::FILE,
            ctx.display
        );
    }
    outln!("  `{table}` is left as it was; `retort upgrade` applies what is newer than {newest}");
    Ok(Status::Success)
}

/// Every row must be a revision of the set, not failed, with the checksum of the imported
/// file where the tool keeps one.
fn check_rows(
    ctx: &Ctx,
    tool: Tool,
    applied: &[Applied],
    set: &retort_core::MigrationSet,
    manifest: Option<&Manifest>,
) -> Result<(), Fail> {
    let table = tool.history_table();
    let failed: Vec<&str> = applied
        .iter()
        .filter(|a| a.failed)
        .map(|a| a.version.as_str())
        .collect();
    if !failed.is_empty() {
        return Err(fail(
            Status::Failure,
            Code::ImportAdoptMismatch,
            format!(
                "`{table}` records {} as failed: {}",
                count(failed.len(), "migration"),
                named(failed.iter().copied())
            ),
            Some(format!(
                "settle it with {} first (fix the migration and run it again, or remove its \
                 row), then adopt",
                tool.name()
            )),
        ));
    }
    let unknown: Vec<&str> = applied
        .iter()
        .filter(|a| set.get(&a.version).is_none())
        .map(|a| a.version.as_str())
        .collect();
    if !unknown.is_empty() {
        return Err(fail(
            Status::Failure,
            Code::ImportAdoptMismatch,
            format!(
                "`{table}` records {} that no migration in {} has: {}",
                count(unknown.len(), "version"),
                ctx.display,
                named(unknown.iter().copied())
            ),
            Some(
                "import again from the directory this database was migrated with (it is newer \
                 than the imported one)"
                    .to_owned(),
            ),
        ));
    }
    let Some(m) = manifest else { return Ok(()) };
    let edited: Vec<&str> = applied
        .iter()
        .filter(|a| {
            let known = m.checksums(&a.version);
            match &a.checksum {
                Some(c) if !known.is_empty() => !known.iter().any(|k| k == c),
                _ => false,
            }
        })
        .map(|a| a.version.as_str())
        .collect();
    if !edited.is_empty() {
        return Err(fail(
            Status::Failure,
            Code::ImportAdoptMismatch,
            format!(
                "{} applied {} whose file differs from the one imported (checksum): {}",
                tool.name(),
                count(edited.len(), "migration"),
                named(edited.iter().copied())
            ),
            Some(format!(
                "the database ran other SQL than {} holds for them: import from the files \
                 the database was migrated with, or check the differences by hand",
                ctx.display
            )),
        ));
    }
    Ok(())
}

/// Up to [`NAMED`] names, then how many more.
fn named<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let all: Vec<&str> = names.collect();
    let mut out = list(&all[..all.len().min(NAMED)]);
    if all.len() > NAMED {
        out.push_str(&format!(" and {} more", all.len() - NAMED));
    }
    out
}
