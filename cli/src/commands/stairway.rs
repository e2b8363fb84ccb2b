//! `retort test`: the stairway on a real PostgreSQL. For every revision in history order, on
//! a scratch database: upgrade to it and compare the live catalog with the schema model's
//! after its up section; downgrade it and compare with the model's after its down section
//! (what the parent had, or what a lossy down is known to leave); upgrade it again and
//! compare once more. The first difference, or the first statement PostgreSQL refuses, stops
//! the run as a located diagnostic. This finds what the static checks cannot see: SQL the
//! model does not understand (dynamic SQL, function bodies), and downs that PostgreSQL
//! refuses although they parse.
//!
//! Merge-aware: before each revision the scratch database holds exactly its ancestors; when
//! the previous step left another branch applied, the database is made again from nothing
//! and brought to the revision's parents.

use std::collections::HashSet;
use std::time::Instant;

use postgres::Client;
use retort_core::codes::Code;
use retort_core::diagnostic::Diagnostic;
use retort_core::file::Language;
use retort_core::schema::catalog::Catalog;
use retort_core::target::Target;
use retort_core::{MigrationSet, Revision};
use retort_runtime::Migrator;

use super::diff::print_diagnostics;
use super::drift::{Drift, drift};
use super::migrate::duration;
use super::revision::history_of;
use super::{Ctx, Fail, Outcome, Status, count, fail, runtime_fail};
use crate::outln;
use crate::url;

/// The scratch database the stairway runs on, dropped when done.
enum Scratch {
    /// A database on a throwaway cluster of the installed PostgreSQL (no URL given).
    Throwaway(Box<retort_test_support::TestDb>),
    /// A database created on the server of the given URL.
    OnServer {
        /// A connection to the database of the URL, which creates and drops the scratch one.
        admin: Box<Client>,
        /// The URL's settings with the scratch database's name.
        config: Box<postgres::Config>,
        /// The scratch database's name.
        name: String,
    },
}

impl Scratch {
    /// Creates the scratch database.
    fn create(ctx: &Ctx) -> Result<Scratch, Fail> {
        let Some(u) = ctx.url.as_deref() else {
            let db = retort_test_support::database().map_err(|e| {
                fail(
                    Status::Database,
                    Code::DbConnectFailed,
                    format!("cannot start a throwaway PostgreSQL cluster: {e}"),
                    Some(
                        "install the PostgreSQL server (initdb, pg_ctl on PATH), or give a \
                         server with `--database-url`: the stairway then creates and drops a \
                         scratch database there"
                            .to_owned(),
                    ),
                )
            })?;
            return Ok(Scratch::Throwaway(Box::new(db)));
        };
        let admin = super::connect_url(u)?;
        let mut config: postgres::Config = u.parse().map_err(|_| {
            fail(
                Status::Usage,
                Code::DbBadUrl,
                format!("`{}` is not a database URL", url::mask(u)),
                None,
            )
        })?;
        let name = format!(
            "retort_stairway_{}_{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        );
        config.dbname(&name);
        let mut s = Scratch::OnServer {
            admin: Box::new(admin),
            config: Box::new(config),
            name,
        };
        s.recreate(ctx)?;
        Ok(s)
    }

    /// A connection to the scratch database.
    fn connect(&self) -> Result<Client, Fail> {
        let r = match self {
            Scratch::Throwaway(db) => db.try_connect().map_err(|e| e.to_string()),
            Scratch::OnServer { config, .. } => {
                config.connect(postgres::NoTls).map_err(|e| e.to_string())
            }
        };
        r.map_err(|e| {
            fail(
                Status::Database,
                Code::DbConnectFailed,
                format!("cannot connect to the scratch database: {e}"),
                None,
            )
        })
    }

    /// Drops every object: the database made again from nothing.
    fn recreate(&mut self, ctx: &Ctx) -> Result<(), Fail> {
        let db_fail = |e: postgres::Error| {
            fail(
                Status::Database,
                Code::DbError,
                format!(
                    "cannot make the scratch database: {}",
                    url::redact(
                        &e.as_db_error()
                            .map_or_else(|| e.to_string(), |d| d.message().to_owned()),
                        ctx.url.as_deref()
                    )
                ),
                Some("the user of the URL needs the CREATEDB privilege".to_owned()),
            )
        };
        match self {
            Scratch::Throwaway(db) => {
                // A new database on the same cluster; the old one goes with its handle.
                **db = retort_test_support::database().map_err(|e| {
                    fail(Status::Database, Code::DbConnectFailed, e.to_string(), None)
                })?;
                Ok(())
            }
            Scratch::OnServer { admin, name, .. } => {
                // Two statements: a database is not created or dropped in a transaction.
                admin
                    .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .map_err(db_fail)?;
                admin
                    .batch_execute(&format!("CREATE DATABASE \"{name}\""))
                    .map_err(db_fail)
            }
        }
    }

    /// How messages name it.
    fn describe(&self) -> String {
        match self {
            Scratch::Throwaway(_) => "a throwaway PostgreSQL cluster".to_owned(),
            Scratch::OnServer { name, .. } => format!("scratch database `{name}`"),
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Scratch::OnServer { admin, name, .. } = self {
            let _ =
                admin.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
        }
    }
}

/// Which step of the stairway.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Up,
    Down,
    UpAgain,
}

impl Step {
    fn word(self) -> &'static str {
        match self {
            Step::Up => "upgrading to",
            Step::Down => "downgrading",
            Step::UpAgain => "upgrading again to",
        }
    }
}

/// Runs the stairway; with `keep_going`, a difference is reported and the database made
/// again from nothing for the next revision, instead of stopping.
pub fn run(ctx: &Ctx, keep_going: bool) -> Outcome {
    let started = Instant::now();
    let (report, dir_set) = ctx.load()?;
    let set = runnable_set(ctx, dir_set)?;
    let history = history_of(&set)?;
    let mut scratch = Scratch::create(ctx)?;
    let place = scratch.describe();
    let mut client = scratch.connect()?;
    let version: String = client
        .query_one("SHOW server_version", &[])
        .map(|r| r.get(0))
        .unwrap_or_default();
    outln!(
        "stairway on {place} (PostgreSQL {version}): {} up, down, up",
        count(history.len(), "revision")
    );
    let index_of = |rev: &str| {
        report
            .files
            .iter()
            .position(|f| f.revision.as_ref().is_some_and(|r| r.value.as_str() == rev))
    };
    // What the scratch database holds; `None` when a difference left it unknown.
    let mut applied: Option<HashSet<Revision>> = Some(HashSet::new());
    let mut downs = 0usize;
    let mut irreversible = 0usize;
    let mut found: Vec<Revision> = Vec::new();
    for rev in history.revisions() {
        let ancestors: HashSet<Revision> = history
            .ancestors_of(rev.as_str())
            .unwrap_or_default()
            .into_iter()
            .collect();
        if applied.as_ref() != Some(&ancestors) {
            drop(client);
            scratch.recreate(ctx)?;
            client = scratch.connect()?;
            for p in history.parents(rev.as_str()).unwrap_or_default() {
                migrate(
                    ctx,
                    &set,
                    &mut client,
                    &Target::Revision(p.as_str().to_owned()),
                    true,
                )?;
            }
        }
        let Some(i) = index_of(rev.as_str()) else {
            continue;
        };
        let schema = &report.schema;
        let after = schema.catalogs[i].clone().unwrap_or_default();
        let target = Target::Revision(rev.as_str().to_owned());
        // No down to run: irreversible (or, after a format error, no down section).
        let reverted = schema.reverted[i].clone();
        let irreversible_here = reverted.is_none()
            || set
                .get(rev.as_str())
                .is_some_and(|m| m.irreversible().is_some());
        let reverted = reverted.unwrap_or_default();
        let steps = |client: &mut Client| -> Result<(), Fail> {
            migrate(ctx, &set, client, &target, true)?;
            compare(ctx, &report, i, client, &after, Step::Up, &place)?;
            if !irreversible_here {
                migrate(ctx, &set, client, &Target::Relative(-1), false)?;
                compare(ctx, &report, i, client, &reverted, Step::Down, &place)?;
                migrate(ctx, &set, client, &target, true)?;
                compare(ctx, &report, i, client, &after, Step::UpAgain, &place)?;
            }
            Ok(())
        };
        match steps(&mut client) {
            Ok(()) if irreversible_here => {
                irreversible += 1;
                outln!("  {rev}  up (irreversible: no down)");
            }
            Ok(()) => {
                downs += 1;
                outln!("  {rev}  up, down, up");
            }
            Err(f) => {
                if !f.text.is_empty() {
                    eprintln!("{}\n", url::redact(&f.text, ctx.url.as_deref()));
                }
                found.push(rev.clone());
                if !keep_going {
                    return Err(fail(
                        f.status,
                        Code::DbStairwayMismatch,
                        format!("the stairway stopped at `{rev}`"),
                        Some(
                            "fix what is shown above, then run `retort test` again \
                             (`--keep-going` shows every revision that fails)"
                                .to_owned(),
                        ),
                    ));
                }
                // The next revision starts from a database made again.
                applied = None;
                continue;
            }
        }
        let mut now = ancestors;
        now.insert(rev.clone());
        applied = Some(now);
    }
    if !found.is_empty() {
        return Err(fail(
            Status::Failure,
            Code::DbStairwayMismatch,
            format!(
                "the stairway found differences at {}: {}",
                count(found.len(), "revision"),
                super::list(&found)
            ),
            Some("each is shown above; fix them, then run `retort test` again".to_owned()),
        ));
    }
    outln!(
        "stairway passed: {} upgraded, {downs} downgraded and upgraded again ({} irreversible); \
         the database matched the model after every step, in {}",
        count(history.len(), "revision"),
        irreversible,
        duration(started.elapsed())
    );
    Ok(Status::Success)
}

/// The set the stairway runs: the directory's, or in a service's own binary the compiled-in
/// one, which alone can run Rust migrations; it must be the directory's migrations, or the
/// model and what runs would disagree.
fn runnable_set(
    ctx: &Ctx,
    dir_set: MigrationSet,
) -> Result<std::borrow::Cow<'static, MigrationSet>, Fail> {
    let Some(embedded) = ctx.embedded else {
        if let Some(m) = dir_set.iter().find(|m| m.is_rust()) {
            return Err(fail(
                Status::Failure,
                Code::DbRustNotCompiledIn,
                format!(
                    "`{}` is a Rust migration ({}): the `retort` command cannot run it",
                    m.revision(),
                    m.path()
                ),
                Some(
                    "run the stairway from your own binary, which has the migrations compiled \
                     in: `fn main() -> std::process::ExitCode { retort::cli::run(&MIGRATIONS) }` \
                     in `src/bin/migrate.rs`, then `cargo run --bin migrate -- test`"
                        .to_owned(),
                ),
            ));
        }
        return Ok(std::borrow::Cow::Owned(dir_set));
    };
    let stale: Vec<&Revision> = dir_set
        .iter()
        .filter(|m| {
            embedded
                .get(m.revision().as_str())
                .is_none_or(|e| e.checksum() != m.checksum())
        })
        .map(|m| m.revision())
        .chain(
            embedded
                .iter()
                .filter(|e| dir_set.get(e.revision().as_str()).is_none())
                .map(|e| e.revision()),
        )
        .collect();
    if !stale.is_empty() {
        return Err(fail(
            Status::Failure,
            Code::DbEditedMigration,
            format!(
                "this binary was built from other migrations than `{}` holds: {}",
                ctx.display,
                super::list(&stale)
            ),
            Some("rebuild the binary (`cargo run --bin migrate -- test` does)".to_owned()),
        ));
    }
    Ok(std::borrow::Cow::Borrowed(embedded))
}

/// Upgrades to or downgrades to `target`; a failure is the runtime's located message.
fn migrate(
    ctx: &Ctx,
    set: &MigrationSet,
    client: &mut Client,
    target: &Target,
    up: bool,
) -> Result<(), Fail> {
    let mut m = Migrator::new(set).with_config(ctx.config.clone());
    let r = if up {
        m.upgrade(client, target)
    } else {
        m.downgrade(client, target)
    };
    r.map(|_| ()).map_err(|e| runtime_fail(&e))
}

/// Compares the live catalog with `model`; a difference is printed as a diagnostic at the
/// revision's section marker, and fails the run.
fn compare(
    ctx: &Ctx,
    report: &retort_core::check::Report,
    i: usize,
    client: &mut Client,
    model: &Catalog,
    step: Step,
    place: &str,
) -> Result<(), Fail> {
    let differences: Vec<Drift> = drift(client, place, &ctx.config, model)?;
    if differences.is_empty() {
        return Ok(());
    }
    let f = &report.files[i];
    let rev = f
        .revision
        .as_ref()
        .map_or_else(String::new, |r| r.value.as_str().to_owned());
    let section = match step {
        Step::Down => f.down.as_ref(),
        Step::Up | Step::UpAgain => f.up.as_ref(),
    };
    let mut d = Diagnostic::error(
        Code::DbStairwayMismatch,
        format!(
            "after {} `{rev}`, the database differs from the schema model: {}",
            step.word(),
            count(differences.len(), "difference")
        ),
    );
    let rust = match &f.language {
        Language::Rust(functions) => Some(match step {
            Step::Down => functions.down.clone(),
            Step::Up | Step::UpAgain => functions.up.clone(),
        }),
        Language::Sql => None,
    };
    match (&rust, section) {
        (Some(Some(name)), _) => {
            d = d.at(f.file, name.clone(), "this function changed the schema");
        }
        (Some(None), _) => {}
        (None, Some(s)) => {
            d = d.at(
                f.file,
                s.marker.clone(),
                match step {
                    Step::Down => "this down section left the database otherwise",
                    _ => "this up section left the database otherwise",
                },
            );
        }
        (None, None) => {}
    }
    for diff in &differences {
        d = d.with_note(match &diff.sql {
            Some(sql) => format!(
                "{}; to match the model: {}",
                diff.what,
                sql.replace('\n', " ")
            ),
            None => diff.what.clone(),
        });
    }
    d = d.with_help(if rust.is_some() {
        "a Rust migration is for data: the build takes the schema to be what it was before it, \
         so a schema change made there is unchecked and absent from the typed schema; move it \
         to a SQL migration"
    } else {
        "the model and PostgreSQL disagree on what this SQL does: SQL the model does not \
         understand (dynamic SQL, a function that changes the schema) is the usual cause; make \
         the section do what it says, or mark what the model cannot follow with \
         `-- retort:unchecked <reason>`"
    });
    print_diagnostics(ctx, &[d], &report.sources);
    // Printed: the caller says where the stairway stopped.
    Err(Fail {
        status: Status::Failure,
        text: String::new(),
    })
}
