//! [`Error`]: everything a run can fail with, each saying which revision, which file and
//! statement, what PostgreSQL said, and what to do.

use std::time::Duration;

use retort_core::Revision;
use retort_core::codes::Code;
use retort_core::diagnostic::Diagnostic;
use retort_core::plan::PlanError;
use retort_core::source::Sources;

use crate::lease::LeaseHolder;
use crate::lock::Holder;
use crate::migrator::Direction;

/// Where in a migration a statement failed, and PostgreSQL's own words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementError {
    /// The migration.
    pub revision: Revision,
    /// Its file, as shown in messages.
    pub path: String,
    /// The section: [`Direction::Up`] for the up section, [`Direction::Down`] for the down.
    pub section: Direction,
    /// The 1-based number of the statement in its section; 0 when it could not be told
    /// (PostgreSQL gave no position, and the statements run one by one did not fail again).
    pub statement: usize,
    /// The statement's text.
    pub sql: String,
    /// The 1-based line and column in the file where PostgreSQL points (or where the
    /// statement starts, when it does not point).
    pub line: usize,
    /// See `line`.
    pub column: usize,
    /// PostgreSQL's message.
    pub message: String,
    /// PostgreSQL's SQLSTATE.
    pub code: String,
    /// PostgreSQL's detail and hint, if any.
    pub detail: Option<String>,
    /// What became of the migration.
    pub outcome: Outcome,
    /// Whether the connection was lost (the server ended the session, or went away) rather
    /// than the statement failing: the migration itself may be fine.
    pub connection_lost: bool,
    /// Migrations this run committed before, without waiting for their flush to disk (every
    /// commit of a run but the last), that were not known to be flushed when the connection
    /// was lost: if the server crashed, its recovery rolled back a suffix of them, each with
    /// its version row. Empty when the connection was not lost, or everything was flushed.
    pub unflushed: Vec<Revision>,
    /// The section's SQL placed at its lines of the file, for rendering.
    pub(crate) snippet: String,
}

/// What a failure left behind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Its transaction was rolled back: nothing of it was applied.
    RolledBack,
    /// A non-transactional migration stopped part-way: `done` statements ran; the version
    /// table records it as interrupted.
    Interrupted {
        /// How many statements ran.
        done: usize,
    },
}

/// Everything a run can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Talking to the database failed outside any migration.
    #[error("database error: {}", describe_pg(.0))]
    Database(#[from] postgres::Error),
    /// Another run held the lock for longer than the timeout.
    #[error("another migration run holds the lock on `{table}` ({}); gave up after {:.0?}", .holder.as_ref().map_or_else(|| "PostgreSQL could not say which session".to_owned(), |h| h.to_string()), .waited)]
    LockTimeout {
        /// The version table.
        table: String,
        /// How long it waited.
        waited: Duration,
        /// Who holds the lock.
        holder: Option<Box<Holder>>,
    },
    /// Another run held the lease of [`crate::LockStrategy::Table`] for longer than the
    /// timeout.
    #[error("another migration run holds the lease on `{table}` ({}); gave up after {:.0?}", .holder.as_ref().map_or_else(|| "its row could not be read".to_owned(), |h| h.to_string()), .waited)]
    LeaseTimeout {
        /// The version table.
        table: String,
        /// The lock table, quoted for SQL.
        lock_table: String,
        /// How long it waited.
        waited: Duration,
        /// Who holds the lease.
        holder: Option<Box<LeaseHolder>>,
    },
    /// A statement of a migration failed.
    #[error("{} {} failed: {}", .0.revision, .0.section, .0.message)]
    Statement(Box<StatementError>),
    /// Applied revisions whose up SQL is not what this build has.
    #[error("applied migrations were edited since: {}", list(.0))]
    Edited(Vec<(Revision, String)>),
    /// Applied revisions this build does not know: the database is ahead of it.
    #[error("the database has migrations this build does not know: {}", list_revs(.0))]
    Unknown(Vec<Revision>),
    /// A non-transactional migration was interrupted, and nobody has decided what to do.
    #[error("migration `{revision}` was interrupted while {}: {done} of its statements ran", if *.reverting { "reverting" } else { "applying" })]
    Interrupted {
        /// The migration.
        revision: Revision,
        /// Whether it was being reverted.
        reverting: bool,
        /// How many statements ran.
        done: usize,
    },
    /// The version table holds something retort never writes.
    #[error("the version table is corrupt: {0}")]
    Corrupt(String),
    /// The target cannot be reached, or the run cannot be planned (see the message).
    #[error("{message}")]
    Plan {
        /// Which problem.
        code: Code,
        /// What is wrong and what to do, in a sentence or two.
        message: String,
    },
    /// Committing a migration's transaction (its SQL and its version-table row together)
    /// failed. When the connection was lost on the way (`lost`), nobody on this side can
    /// know whether the server committed before it went; otherwise the server refused the
    /// commit (a deferred constraint, a serialization failure) and rolled everything back.
    #[error("{}", commit_message(.revisions, *.direction, *.lost, .cause))]
    Commit {
        /// The migrations the transaction held: one, or every one of a single-transaction run.
        revisions: Vec<Revision>,
        /// Whether they were being applied or reverted.
        direction: Direction,
        /// Whether the connection was lost (the outcome is unknown) rather than the commit
        /// refused (the outcome is known: rolled back).
        lost: bool,
        /// What the client saw, without connection details.
        cause: String,
    },
    /// A non-transactional migration's statements ran, but writing its progress to the
    /// version table failed: the table may count fewer statements than ran, or not show the
    /// migration as done (or, reverting, as gone) though every statement ran.
    #[error("{}", record_message(.revision, .section, *.ran, *.total, *.lost, .cause))]
    Record {
        /// The migration.
        revision: Revision,
        /// The section: [`Direction::Up`] for the up section, [`Direction::Down`] for the
        /// down.
        section: Direction,
        /// How many of its statements ran.
        ran: usize,
        /// How many it has.
        total: usize,
        /// How many the version table counts (as far as this side knows).
        recorded: usize,
        /// Whether the connection was lost (the write may have been made before it went).
        lost: bool,
        /// What the client saw, without connection details.
        cause: String,
    },
    /// A Rust data migration's function returned an error or panicked; its transaction was
    /// rolled back.
    #[error("migration `{revision}` failed in its `pub fn {section}` ({path}): {}{cause}", if *.panicked { "a panic: " } else { "" })]
    Rust {
        /// The migration.
        revision: Revision,
        /// Its file.
        path: String,
        /// Which function: [`Direction::Up`] for `up`, [`Direction::Down`] for `down`.
        section: Direction,
        /// The error it returned, or the panic's message.
        cause: String,
        /// Whether it panicked rather than returned an error.
        panicked: bool,
    },
    /// A Rust data migration is to run in a program that does not have its code compiled in
    /// (the `retort` command reads it from the directory and cannot run it).
    #[error("migration `{revision}` is written in Rust ({path}), and this program cannot run it")]
    RustNotCompiledIn {
        /// The migration.
        revision: Revision,
        /// Its file.
        path: String,
    },
    /// The runner reached a state it never should: a bug in retort, not in the migrations
    /// or the database.
    #[error("internal error: {0}")]
    Internal(String),
    /// A migration to revert is irreversible.
    #[error("migration `{revision}` is irreversible: {reason}")]
    Irreversible {
        /// The migration.
        revision: Revision,
        /// Why, from its header.
        reason: String,
    },
}

impl Error {
    /// A plan problem of kind `code`.
    pub(crate) fn plan(code: Code, message: impl Into<String>) -> Self {
        Error::Plan {
            code,
            message: message.into(),
        }
    }
}

impl From<PlanError> for Error {
    fn from(e: PlanError) -> Self {
        Error::plan(e.code(), e.to_string())
    }
}

fn commit_message(revisions: &[Revision], direction: Direction, lost: bool, cause: &str) -> String {
    let which = match revisions {
        [one] => format!("migration `{one}`"),
        many => format!("the run's transaction ({})", list_revs(many)),
    };
    let done = match direction {
        Direction::Up => "applied",
        Direction::Down => "reverted",
    };
    let it = if revisions.len() == 1 { "it" } else { "they" };
    if lost {
        format!(
            "the connection to the database was lost while committing {which}: {it} may or may \
             not have been {done} ({cause})"
        )
    } else {
        format!(
            "committing {which} failed: {cause}; nothing of {} was {done} (the transaction was \
             rolled back)",
            if revisions.len() == 1 { "it" } else { "them" }
        )
    }
}

fn list(items: &[(Revision, String)]) -> String {
    items
        .iter()
        .map(|(r, p)| format!("`{r}` ({p})"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn list_revs(items: &[Revision]) -> String {
    items
        .iter()
        .map(|r| format!("`{r}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether an error means the session is gone: the connection closed, a connection exception
/// (SQLSTATE class 08), or the server ending it (57P01 `pg_terminate_backend` or a fast
/// shutdown, 57P02 a crash shutdown, 57P03 not accepting connections).
/// A failure to read or write the socket (a reset connection) counts too.
pub(crate) fn is_connection_lost(e: &postgres::Error) -> bool {
    match e.as_db_error() {
        Some(db) => {
            let code = db.code().code();
            code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03")
        }
        None => {
            e.is_closed()
                || std::error::Error::source(e)
                    .is_some_and(|s| s.downcast_ref::<std::io::Error>().is_some())
        }
    }
}

/// PostgreSQL's message without the connection details.
pub(crate) fn describe_pg(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None if e.is_closed() => "the connection to the server was closed".to_owned(),
        None => e.to_string(),
    }
}

/// What a lost connection leaves unknown about the commits a run did not wait for.
fn unflushed_note(revisions: &[Revision]) -> String {
    let list = revisions
        .iter()
        .map(|r| format!("`{r}`"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "this run committed {list} without waiting for the flush to disk (only a run's last \
         commit waits); if the server crashed, its recovery may have rolled back the latest of \
         them, each with its version-table row. `retort status` shows what is applied"
    )
}

/// How a person settles a non-transactional migration that stopped part-way.
fn resolution(rev: &Revision, reverting: bool) -> String {
    if reverting {
        format!(
            "Either finish reverting by hand (the rest of its down section) and record that \
             with `retort stamp` of its parent, or redo what its down section undid and record \
             `retort stamp {rev}`"
        )
    } else {
        format!(
            "Finish or undo its statements by hand, then `retort stamp {rev}` if it is now \
             complete, or `retort stamp` of its parent if it is undone"
        )
    }
}

fn record_message(
    revision: &Revision,
    section: &Direction,
    ran: usize,
    total: usize,
    lost: bool,
    cause: &str,
) -> String {
    let what = if lost {
        "the connection to the database was lost while recording"
    } else {
        "the version table could not record"
    };
    if ran == 0 {
        format!("{what} that `{revision}`'s {section} section was starting: {cause}")
    } else if ran == total {
        format!(
            "{what} that `{revision}`'s {section} section ran (all {total} statements): {cause}"
        )
    } else {
        format!("{what} that statement {ran} of `{revision}`'s {section} section ran: {cause}")
    }
}

/// What to do after a commit whose outcome is unknown.
fn commit_help(revisions: &[Revision], direction: Direction) -> String {
    let names = list_revs(revisions);
    let (it, is) = if revisions.len() == 1 {
        ("it", "is")
    } else {
        ("they", "are")
    };
    match direction {
        Direction::Up => format!(
            "a migration and its row in the version table commit together, so the table \
             tells: `retort current` shows whether {names} {is} applied. Nothing needs undoing \
             by hand: the next `retort upgrade` reads the table and applies {it} only if {it} \
             {is} not recorded"
        ),
        Direction::Down => format!(
            "a migration's down section and the removal of its row in the version table \
             commit together, so the table tells: `retort current` shows whether {names} {is} \
             still applied. Nothing needs undoing by hand: the next `retort downgrade` reads \
             the table and reverts {it} only if {it} {is} still recorded"
        ),
    }
}

impl Error {
    /// The kind of error, as `retort explain` names it.
    pub fn code(&self) -> Code {
        match self {
            Error::Database(e) if is_connection_lost(e) => Code::DbConnectionLost,
            Error::Database(_) => Code::DbError,
            Error::LockTimeout { .. } => Code::DbLockTimeout,
            Error::LeaseTimeout { .. } => Code::DbLeaseTimeout,
            Error::Statement(_) => Code::DbMigrationFailed,
            Error::Edited(_) => Code::DbEditedMigration,
            Error::Unknown(_) => Code::DbUnknownRevision,
            Error::Interrupted { .. } => Code::DbInterruptedMigration,
            Error::Corrupt(_) => Code::DbCorruptVersionTable,
            Error::Plan { code, .. } => *code,
            Error::Commit { lost: true, .. } => Code::DbCommitLost,
            Error::Commit { lost: false, .. } => Code::DbCommitRefused,
            Error::Record { .. } => Code::DbRecordFailed,
            Error::Irreversible { .. } => Code::TargetIrreversible,
            Error::Rust { .. } => Code::DbRustMigrationFailed,
            Error::RustNotCompiledIn { .. } => Code::DbRustNotCompiledIn,
            Error::Internal(_) => Code::DbInternal,
        }
    }

    /// The error as rustc prints its own: `error[code]: …`, the place, the source line, a caret,
    /// and `help: …`.
    pub fn render(&self) -> String {
        match self {
            Error::Statement(e) => {
                let mut sources = Sources::new();
                let file = sources.add(e.path.clone(), &e.snippet);
                let src = sources.get(file);
                let at = src.line_range(e.line.clamp(1, src.text().split('\n').count()));
                let line = &src.text()[at.clone()];
                let caret = at.start
                    + line
                        .char_indices()
                        .nth(e.column.saturating_sub(1))
                        .map_or(line.len(), |(i, _)| i);
                let which = match e.statement {
                    0 => String::new(),
                    n => format!("statement {n} of "),
                };
                let mut d = Diagnostic::error(
                    self.code(),
                    format!(
                        "migration `{}` failed in {which}its {} section: {}",
                        e.revision, e.section, e.message
                    ),
                );
                // Underline the word PostgreSQL points at.
                let word = src.text()[caret..at.end]
                    .char_indices()
                    .find(|&(_, c)| !(c.is_alphanumeric() || c == '_'))
                    .map_or(at.end - caret, |(i, _)| i)
                    .max(1);
                // A lost connection mid-section gives no position and cannot be replayed to
                // find one: point at no statement rather than at the first (which ran fine).
                if !(e.connection_lost && e.statement == 0) {
                    d = d.at(
                        file,
                        caret..(caret + word).min(at.end).max(caret),
                        if !e.code.is_empty() {
                            format!("SQLSTATE {}", e.code)
                        } else if e.connection_lost {
                            "the connection was lost during this statement".to_owned()
                        } else {
                            "here".to_owned()
                        },
                    );
                }
                if let Some(detail) = &e.detail {
                    d = d.with_note(detail.clone());
                }
                if !e.unflushed.is_empty() {
                    d = d.with_note(unflushed_note(&e.unflushed));
                }
                let down = e.section == Direction::Down;
                let rev = &e.revision;
                // What a rolled-back transaction left: nothing of an up section (the
                // migration is not applied), nothing of a down section (it still is).
                let nothing = if down {
                    format!("nothing of `{rev}`'s down section took effect: it is still applied")
                } else {
                    format!("nothing of `{rev}` was applied")
                };
                d = d.with_help(match e.outcome {
                    // The session ended under it: nothing is wrong with the migration as far
                    // as anyone knows, and "fix the migration" would send a person looking
                    // for a mistake that is not there.
                    Outcome::RolledBack if e.connection_lost => format!(
                        "the connection to the database was lost while `{rev}` ran: {} (its \
                         transaction ended with the session). Run again once the server accepts \
                         connections",
                        if down {
                            "nothing of its down section took effect, it is still applied"
                        } else {
                            "nothing of it was applied"
                        }
                    ),
                    Outcome::Interrupted { done } if e.connection_lost => format!(
                        "the connection to the database was lost while `{rev}` ran outside a \
                         transaction: {done} of its {}statements ran and stay {}; statement {} \
                         may or may not have taken effect (an index it was {} may be left \
                         invalid). {}",
                        if down { "down " } else { "" },
                        if down { "done" } else { "applied" },
                        done + 1,
                        if down { "dropping" } else { "building" },
                        resolution(rev, down)
                    ),
                    Outcome::RolledBack => format!(
                        "{nothing}: its transaction was rolled back. Fix the migration and run \
                         again"
                    ),
                    Outcome::Interrupted { done } => format!(
                        "`{rev}` runs outside a transaction: {done} of its {}statements ran and \
                         stay {}. {}",
                        if down { "down " } else { "" },
                        if down { "done" } else { "applied" },
                        resolution(rev, down)
                    ),
                });
                d.render(&sources)
            }
            other => {
                let help = match other {
                    Error::LockTimeout { .. } => Some(
                        "wait for the other run to finish; if none is running, that session is \
                         stuck: end it with `SELECT pg_terminate_backend(<pid>)`"
                            .to_owned(),
                    ),
                    Error::LeaseTimeout { lock_table, .. } => Some(format!(
                        "wait for the other run to finish; if it died, its lease keeps runs out \
                         until it expires: once sure it is gone, clear it with \
                         `DELETE FROM {lock_table};`"
                    )),
                    Error::Edited(_) => Some(
                        "an applied migration must not change: restore the file (a reformat or \
                         new comments are fine, the checksum ignores them), and put the change \
                         in a new migration"
                            .to_owned(),
                    ),
                    Error::Unknown(_) => Some(
                        "this build is older than the database: deploy the newer build, or \
                         `retort downgrade` with the newer migrations first"
                            .to_owned(),
                    ),
                    Error::Interrupted {
                        revision,
                        reverting,
                        ..
                    } => Some(format!(
                        "a non-transactional migration stopped part-way through its {} section. \
                         {}",
                        if *reverting { "down" } else { "up" },
                        resolution(revision, *reverting)
                    )),
                    Error::Irreversible { .. } => Some(
                        "choose a target above it; data it removed cannot come back".to_owned(),
                    ),
                    Error::Rust {
                        revision, section, ..
                    } => Some(if *section == Direction::Down {
                        format!(
                            "nothing of `{revision}`'s down took effect: its transaction was \
                             rolled back and it is still applied. Fix the function and run again"
                        )
                    } else {
                        format!(
                            "nothing of `{revision}` was applied: its transaction was rolled \
                             back. Fix the function and run again"
                        )
                    }),
                    Error::RustNotCompiledIn { .. } => Some(
                        "run it from your own binary, which has the migrations compiled in: \
                         `fn main() -> std::process::ExitCode { retort::cli::run(&MIGRATIONS) }` \
                         in `src/bin/migrate.rs` (facade feature `cli`) gives every `retort` \
                         command, or call `retort::Migrator` from your service"
                            .to_owned(),
                    ),
                    Error::Commit {
                        revisions,
                        direction,
                        lost: true,
                        ..
                    } => Some(commit_help(revisions, *direction)),
                    Error::Record {
                        revision,
                        section,
                        ran: 0,
                        ..
                    } => Some(format!(
                        "none of its statements ran. If `retort check` now reports `{revision}` \
                         as interrupted, record that nothing happened with {}; else run again",
                        if *section == Direction::Down {
                            format!("`retort stamp {revision}`")
                        } else {
                            "`retort stamp` of its parent".to_owned()
                        }
                    )),
                    Error::Record {
                        revision,
                        section,
                        ran,
                        total,
                        recorded,
                        lost,
                        ..
                    } => Some(format!(
                        "as far as retort knows, the version table counts {recorded} of its \
                         statements as done and shows `{revision}` as interrupted, so the next \
                         run refuses to go on until that is settled{}. Statement {ran} and \
                         every one before it took effect{}. {}",
                        if *lost {
                            " (the write may have been made before the connection went: \
                             `retort check` tells)"
                        } else {
                            ""
                        },
                        if ran < total { ", none after it" } else { "" },
                        resolution(revision, *section == Direction::Down)
                    )),
                    Error::Commit { lost: false, .. } => Some(
                        "PostgreSQL refused the commit (a deferred constraint or trigger, or a \
                         conflict with another transaction): fix the migration, or run again"
                            .to_owned(),
                    ),
                    Error::Internal(_) => Some(
                        "a bug in retort: `retort current` shows where the database is; run \
                         again, and report the bug with this message"
                            .to_owned(),
                    ),
                    Error::Database(e) if is_connection_lost(e) => Some(
                        "the connection to the database was lost: what this run reported as \
                         applied or reverted is done and recorded, and nothing else is (a \
                         migration under way was rolled back with its transaction). Run again \
                         once the server accepts connections"
                            .to_owned(),
                    ),
                    _ => None,
                };
                let mut d = Diagnostic::error(self.code(), other.to_string());
                if let Some(help) = help {
                    d = d.with_help(help);
                }
                d.render(&Sources::new())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_errors_keep_their_code_and_render_it() {
        let e = Error::from(PlanError::UnknownRevision {
            prefix: "999".to_owned(),
            heads: vec![Revision::parse("002").expect("a valid id")],
        });
        assert_eq!(e.code(), Code::TargetNotFound);
        let text = e.render();
        assert!(
            text.starts_with("error[target-not-found]: no revision id is or starts with `999`"),
            "{text}"
        );
    }

    #[test]
    fn a_section_reads_up_or_down() {
        let rev = Revision::parse("004").expect("a valid id");
        let e = Error::Record {
            revision: rev,
            section: Direction::Down,
            ran: 0,
            total: 2,
            recorded: 0,
            lost: false,
            cause: "disk full".to_owned(),
        };
        assert_eq!(e.code(), Code::DbRecordFailed);
        let text = e.render();
        assert!(
            text.starts_with(
                "error[db-record-failed]: the version table could not record that `004`'s down \
                 section was starting: disk full"
            ),
            "{text}"
        );
        // Nothing of a down section ran: the migration is still applied, stamp it.
        assert!(text.contains("`retort stamp 004`"), "{text}");
    }
}
