//! [`Migrator`]: upgrade, downgrade, stamp and inspect a database with a [`MigrationSet`].

use std::time::Duration;

use postgres::Client;
use retort_core::target::Target;
use retort_core::{Migration, MigrationSet, Revision};

use crate::config::Config;
use crate::driver::{SyncConn, block_on};
use crate::error::Error;
use crate::rules::Rules;
use crate::table::AppliedRow;

/// Which way a step went; also which section of a migration ran (`up` applies, `down`
/// reverts). Displayed as `up` or `down`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Applied: the up section.
    Up,
    /// Reverted: the down section.
    Down,
}

impl std::fmt::Display for Direction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Direction::Up => "up",
            Direction::Down => "down",
        })
    }
}

/// One migration applied or reverted by a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The revision.
    pub revision: Revision,
    /// Its message.
    pub message: String,
    /// Up or down.
    pub direction: Direction,
    /// How long it took.
    pub duration: Duration,
    /// Whether it was only recorded: limited to other environments (`environments:`), its
    /// code did not run, up or down.
    pub skipped: bool,
}

/// What the database holds compared with the set, read without the lock.
#[derive(Clone, Debug, PartialEq)]
pub struct Status {
    /// Every row of the version table, in the order applied.
    pub applied: Vec<AppliedRow>,
    /// The database's current revisions: the heads of the applied set.
    pub current: Vec<Revision>,
    /// Revisions of the set not applied, each after its parents.
    pub pending: Vec<Revision>,
    /// Applied revisions the set does not know (the database is ahead of this build).
    pub unknown: Vec<Revision>,
    /// Applied revisions whose up SQL changed since, with their files.
    pub edited: Vec<(Revision, String)>,
    /// Non-transactional migrations interrupted part-way.
    pub interrupted: Vec<Revision>,
}

impl Status {
    /// Whether the database is exactly at the set's heads, with nothing edited, unknown or
    /// interrupted.
    pub fn is_in_sync(&self) -> bool {
        self.pending.is_empty()
            && self.unknown.is_empty()
            && self.edited.is_empty()
            && self.interrupted.is_empty()
    }
}

/// A progress callback: called as each migration starts (`None`) and ends (`Some(step)`).
type Progress<'a> = Box<dyn FnMut(&Migration, Direction, Option<&Step>) + 'a>;

/// Applies a [`MigrationSet`] to PostgreSQL.
///
/// Every run holds the advisory lock for its whole length, reads the version table again
/// once it has it, refuses to go on when an applied migration was edited, is unknown to the
/// set, or was interrupted, then applies each transactional migration in a transaction of its
/// own together with its version-table row.
///
/// ```no_run
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use retort_runtime::{Migrator, Target};
/// # static MIGRATIONS: retort_core::MigrationSet = retort_core::MigrationSet::from_static(&[]);
///
/// let mut client = postgres::Client::connect("host=localhost user=postgres", postgres::NoTls)?;
/// let steps = Migrator::new(&MIGRATIONS).upgrade(&mut client, &Target::Head)?;
/// for step in steps {
///     println!("applied {} in {:?}", step.revision, step.duration);
/// }
/// # Ok(()) }
/// ```
pub struct Migrator<'s> {
    rules: Rules<'s, Progress<'s>>,
}

impl<'s> Migrator<'s> {
    /// A migrator with the default [`Config`].
    pub fn new(set: &'s MigrationSet) -> Self {
        Migrator {
            rules: Rules::new(set),
        }
    }

    /// Uses `config` (version table, schema, lock timeout).
    pub fn with_config(mut self, config: Config) -> Self {
        self.rules.config = config;
        self
    }

    /// Applies every migration of an upgrade in one transaction (Alembic's default) instead
    /// of one each: all or nothing for the whole run. Refused when the run includes a
    /// non-transactional migration.
    pub fn single_transaction(mut self, yes: bool) -> Self {
        self.rules.single_transaction = yes;
        self
    }

    /// Runs upgrades and downgrades in one transaction that is rolled back at the end: every
    /// statement runs, every error shows, nothing stays. Refused when the run includes a
    /// non-transactional migration (it cannot run inside a transaction).
    pub fn dry_run(mut self, yes: bool) -> Self {
        self.rules.dry_run = yes;
        self
    }

    /// Calls `f` as each migration starts (`None`) and ends (`Some(step)`).
    pub fn on_progress(mut self, f: impl FnMut(&Migration, Direction, Option<&Step>) + 's) -> Self {
        self.rules.progress = Some(Box::new(f));
        self
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.rules.config
    }

    /// The migration set.
    pub fn set(&self) -> &'s MigrationSet {
        self.rules.set
    }

    /// Applies what `target` needs. Returns the migrations applied, in order.
    ///
    /// For [`Target::Head`] (not in a dry run), a database that a run already verified at the
    /// head of this set, and whose version table has not changed since, is answered by one
    /// query, without the lock: the start-up check of a service costs one round trip however
    /// many migrations there are. The run that verifies it keeps the answer in
    /// `<table>_head`, beside the version table; a trigger on the version table forgets it at
    /// any change there.
    pub fn upgrade(&mut self, client: &mut Client, target: &Target) -> Result<Vec<Step>, Error> {
        block_on(self.rules.upgrade(&mut SyncConn(client), target))
    }

    /// Reverts what `target` needs. Returns the migrations reverted, in order.
    pub fn downgrade(&mut self, client: &mut Client, target: &Target) -> Result<Vec<Step>, Error> {
        block_on(self.rules.downgrade(&mut SyncConn(client), target))
    }

    /// Records `target` as the database's state without running any SQL: rows are added for
    /// the revisions it needs and removed for those it does not; an interrupted migration is
    /// marked done (when the target includes it) or forgotten. Returns the revisions added
    /// and removed.
    pub fn stamp(
        &mut self,
        client: &mut Client,
        target: &Target,
    ) -> Result<(Vec<Revision>, Vec<Revision>), Error> {
        block_on(self.rules.stamp(&mut SyncConn(client), target))
    }

    /// What the database holds compared with the set. Reads only; takes no lock.
    pub fn status(&self, client: &mut Client) -> Result<Status, Error> {
        block_on(self.rules.status(&mut SyncConn(client)))
    }
}
