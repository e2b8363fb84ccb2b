//! Rust data migrations as the runtime runs them: a file `migrations/<rev>_<slug>.rs` with
//! `pub fn up` (and `pub fn down`), which `migrations!()` compiles into the program and
//! describes with a [`RustMigration`].
//!
//! The functions run inside the migration's transaction, the one that also writes its
//! version row: a function that returns an error, or panics, leaves nothing behind. They are
//! for data (backfills, seed rows, transformations SQL cannot express); the build assumes
//! they change no schema, and `retort test` checks that on a live database.

/// The error a Rust migration returns: any error, boxed (`?` converts to it).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The signature of a Rust migration's `up` and `down`.
pub type MigrationFn = fn(&mut postgres::Transaction<'_>) -> Result<(), BoxError>;

/// A Rust migration's functions, as `migrations!()` generates them (see
/// [`retort_core::RustCode`]).
#[derive(Clone, Copy, Debug)]
pub struct RustMigration {
    /// `pub fn up`.
    pub up: MigrationFn,
    /// `pub fn down`, when the migration can be reverted.
    pub down: Option<MigrationFn>,
}

use postgres::Client;
use retort_core::{Body, Migration};

use crate::config::Config;
use crate::error::Error;
use crate::migrator::Direction;

/// What the version table records as a Rust migration's way back, as `(down_sql,
/// irreversible)`: never SQL (there is none), and a reason that tells a program without its
/// code (the `retort` command, an older build) why it cannot revert it.
pub(crate) fn recorded_down(m: &Migration) -> (Option<&str>, Option<&str>) {
    if !m.is_rust() {
        return (m.down_sql(), m.irreversible());
    }
    let reason = m.irreversible().unwrap_or(
        "it is a Rust data migration: revert it with a program that has it compiled in \
         (your binary's `retort::cli::run`)",
    );
    (None, Some(reason))
}

/// Refuses a plan that holds a Rust migration this run cannot execute, before anything
/// runs: its code is not compiled into this program, or the driver is not the synchronous
/// one (`driver_runs_rust`).
pub(crate) fn require_code<'a>(
    plan: impl IntoIterator<Item = &'a Migration>,
    driver_runs_rust: bool,
) -> Result<(), Error> {
    match plan.into_iter().find(|m| match m.body() {
        Body::Rust(code) => !driver_runs_rust || functions(code.as_ref()).is_none(),
        Body::Sql => false,
    }) {
        Some(m) => Err(refused(m, driver_runs_rust)),
        None => Ok(()),
    }
}

/// Why `m`, a Rust migration, cannot run here: no code in this program, or (with the code)
/// a driver that cannot hand it a `postgres::Transaction`.
pub(crate) fn refused(m: &Migration, driver_runs_rust: bool) -> Error {
    let compiled_in = matches!(m.body(), Body::Rust(code) if functions(code.as_ref()).is_some());
    if driver_runs_rust || !compiled_in {
        return Error::RustNotCompiledIn {
            revision: m.revision().clone(),
            path: m.path().to_owned(),
        };
    }
    Error::plan(
        retort_core::codes::Code::DbRustNotCompiledIn,
        format!(
            "migration `{}` is written in Rust ({}): its functions take a \
             `postgres::Transaction`, which the async runner does not have; apply the range \
             that holds it with the synchronous `retort::Migrator` (in `spawn_blocking`), then \
             go on with the async one",
            m.revision(),
            m.path()
        ),
    )
}

fn functions(code: Option<&retort_core::RustCode>) -> Option<&'static RustMigration> {
    code?.downcast::<RustMigration>()
}

/// Runs a Rust migration's `up` or `down` in its transaction and leaves the transaction open
/// on success, as a SQL section is left (the caller writes the version row and commits).
///
/// The function needs a `postgres::Transaction`, which the client makes only by sending
/// `BEGIN`. For a migration in a transaction of its own, that `BEGIN` starts it; in a
/// single-transaction run or a dry run, where the run's transaction is already open,
/// PostgreSQL answers it with a warning and changes nothing. The `Transaction` is then forgotten rather than
/// dropped, so that it neither commits nor rolls back what the caller still owns (it holds
/// nothing but its borrow of the client). On an error or a panic it is dropped, which rolls
/// the transaction back, and the error names the migration.
pub(crate) fn run(
    client: &mut Client,
    config: &Config,
    m: &Migration,
    section: Direction,
) -> Result<(), Error> {
    let Body::Rust(code) = m.body() else {
        return Ok(());
    };
    let Some(functions) = functions(code.as_ref()) else {
        return Err(Error::RustNotCompiledIn {
            revision: m.revision().clone(),
            path: m.path().to_owned(),
        });
    };
    let f = match section {
        Direction::Up => functions.up,
        Direction::Down => match functions.down {
            Some(down) => down,
            None => {
                return Err(Error::Irreversible {
                    revision: m.revision().clone(),
                    reason: m
                        .irreversible()
                        .unwrap_or("it has no `pub fn down`")
                        .to_owned(),
                });
            }
        },
    };
    let mut tx = client.transaction()?;
    if let Some(set) = config.set_local_lock_timeout_sql() {
        tx.batch_execute(&set)?;
    }
    let failed = |cause: String, panicked: bool| Error::Rust {
        revision: m.revision().clone(),
        path: m.path().to_owned(),
        section,
        cause,
        panicked,
    };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&mut tx))) {
        Ok(Ok(())) => {
            std::mem::forget(tx);
            Ok(())
        }
        Ok(Err(e)) => {
            drop(tx);
            Err(failed(error_chain(&*e), false))
        }
        Err(panic) => {
            drop(tx);
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".to_owned());
            Err(failed(message, true))
        }
    }
}

/// An error and its sources, `: `-separated (a `postgres` error's source holds the server's
/// message).
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(s) = next {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        next = s.source();
    }
    out
}
