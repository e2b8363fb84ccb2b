//! [`Migrator`]: upgrade, downgrade, stamp and inspect a database with a [`MigrationSet`].

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use postgres::Client;
use retort_core::checkpoint::{self, RowRef};
use retort_core::codes::Code;
use retort_core::plan::History;
use retort_core::sql::lex;
use retort_core::target::Target;
use retort_core::{Migration, MigrationSet, Revision};

use crate::config::Config;
use crate::error::{Error, Outcome, StatementError, describe_pg};
use crate::lock::{self, LockError};
use crate::table::{self, AppliedRow, NewRow, ReadError, RowState};

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
    set: &'s MigrationSet,
    config: Config,
    single_transaction: bool,
    dry_run: bool,
    progress: Option<Progress<'s>>,
}

impl<'s> Migrator<'s> {
    /// A migrator with the default [`Config`].
    pub fn new(set: &'s MigrationSet) -> Self {
        Migrator {
            set,
            config: Config::default(),
            single_transaction: false,
            dry_run: false,
            progress: None,
        }
    }

    /// Uses `config` (version table, schema, lock timeout).
    pub fn with_config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Applies every migration of an upgrade in one transaction (Alembic's default) instead
    /// of one each: all or nothing for the whole run. Refused when the run includes a
    /// non-transactional migration.
    pub fn single_transaction(mut self, yes: bool) -> Self {
        self.single_transaction = yes;
        self
    }

    /// Runs upgrades and downgrades in one transaction that is rolled back at the end: every
    /// statement runs, every error shows, nothing stays. Refused when the run includes a
    /// non-transactional migration (it cannot run inside a transaction).
    pub fn dry_run(mut self, yes: bool) -> Self {
        self.dry_run = yes;
        self
    }

    /// Calls `f` as each migration starts (`None`) and ends (`Some(step)`).
    pub fn on_progress(mut self, f: impl FnMut(&Migration, Direction, Option<&Step>) + 's) -> Self {
        self.progress = Some(Box::new(f));
        self
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The migration set.
    pub fn set(&self) -> &'s MigrationSet {
        self.set
    }

    /// Applies what `target` needs. Returns the migrations applied, in order.
    pub fn upgrade(&mut self, client: &mut Client, target: &Target) -> Result<Vec<Step>, Error> {
        self.locked(client, |this, client| this.upgrade_locked(client, target))
    }

    /// Reverts what `target` needs. Returns the migrations reverted, in order.
    pub fn downgrade(&mut self, client: &mut Client, target: &Target) -> Result<Vec<Step>, Error> {
        self.locked(client, |this, client| this.downgrade_locked(client, target))
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
        self.locked(client, |this, client| this.stamp_locked(client, target))
    }

    /// Runs `body` under the advisory lock (see [`lock::with_lock`]).
    fn locked<T>(
        &mut self,
        client: &mut Client,
        body: impl FnOnce(&mut Self, &mut Client) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let key = self.config.lock_key();
        let timeout = self.config.get_lock_timeout();
        match lock::with_lock(client, key, timeout, |client| body(self, client)) {
            Ok(result) => result,
            Err(LockError::Db(e)) => Err(Error::Database(e)),
            Err(LockError::Timeout(waited, holder)) => Err(Error::LockTimeout {
                table: self.config.display_table(),
                waited,
                holder: holder.map(Box::new),
            }),
        }
    }

    /// What the database holds compared with the set. Reads only; takes no lock.
    pub fn status(&self, client: &mut Client) -> Result<Status, Error> {
        let rows = read_rows(client, &self.config, false)?;
        let Viewed { set, rows, .. } = self.view(rows)?;
        let set = set.as_ref();
        let history = history_of(set, &rows)?;
        let applied: HashSet<Revision> = rows.iter().map(|r| r.revision.clone()).collect();
        let pending = set
            .iter()
            .map(|m| m.revision().clone())
            .filter(|r| !applied.contains(r))
            .collect();
        Ok(Status {
            current: history.current(&applied),
            pending,
            unknown: rows
                .iter()
                .filter(|r| set.get(r.revision.as_str()).is_none())
                .map(|r| r.revision.clone())
                .collect(),
            edited: edited(set, &rows),
            interrupted: rows
                .iter()
                .filter(|r| r.state != RowState::Applied)
                .map(|r| r.revision.clone())
                .collect(),
            applied: rows,
        })
    }

    /// The set to plan over for a database with `rows`, and the rows as they read for it:
    /// with a squash checkpoint, either the checkpoint or its range (see
    /// [`retort_core::checkpoint`]); rows of a range that stand for the checkpoint read as one
    /// row of the checkpoint.
    fn view(&self, rows: Vec<AppliedRow>) -> Result<Viewed<'s>, Error> {
        let refs: Vec<RowRef<'_>> = rows
            .iter()
            .map(|r| RowRef {
                revision: &r.revision,
                parents: &r.down_revisions,
                applied: r.state == RowState::Applied,
            })
            .collect();
        let view =
            checkpoint::view(self.set, &refs).map_err(|e| Error::plan(e.code(), e.to_string()))?;
        let Some(view) = view else {
            return Ok(Viewed {
                set: Cow::Borrowed(self.set),
                rows,
                folded: Vec::new(),
            });
        };
        let mut out: Vec<AppliedRow> = Vec::with_capacity(rows.len());
        let mut folded = Vec::new();
        for row in rows {
            if let Some(c) = view.folded.get(&row.revision) {
                folded.push(row.revision.clone());
                if out.iter().any(|r| r.revision == *c) {
                    continue;
                }
                let Some(m) = view.set.get(c.as_str()) else {
                    continue;
                };
                // The range stands for the checkpoint: one applied row of it, never written.
                out.push(AppliedRow {
                    revision: c.clone(),
                    down_revisions: Vec::new(),
                    message: m.message().to_owned(),
                    checksum: m.checksum(),
                    transactional: m.is_transactional(),
                    state: RowState::Applied,
                    statements_done: 0,
                    ..row
                });
                continue;
            }
            let mut row = row;
            if row
                .down_revisions
                .iter()
                .any(|p| view.folded.contains_key(p))
            {
                let mut parents: Vec<Revision> = Vec::new();
                for p in &row.down_revisions {
                    let p = view.folded.get(p).unwrap_or(p).clone();
                    if !parents.contains(&p) {
                        parents.push(p);
                    }
                }
                row.down_revisions = parents;
            }
            // A real row of the checkpoint replaces one made up from the range.
            if let Some(k) = out.iter().position(|r| r.revision == row.revision) {
                out[k] = row;
            } else {
                out.push(row);
            }
        }
        Ok(Viewed {
            set: Cow::Owned(view.set),
            rows: out,
            folded,
        })
    }

    /// The checks before any change: nothing interrupted, nothing edited, and (unless
    /// `allow_unknown`) nothing unknown.
    fn verify(
        &self,
        set: &MigrationSet,
        rows: &[AppliedRow],
        allow_unknown: bool,
    ) -> Result<(), Error> {
        if let Some(r) = rows.iter().find(|r| r.state != RowState::Applied) {
            return Err(Error::Interrupted {
                revision: r.revision.clone(),
                reverting: r.state == RowState::Reverting,
                done: r.statements_done.max(0) as usize,
            });
        }
        let edited = edited(set, rows);
        if !edited.is_empty() {
            return Err(Error::Edited(edited));
        }
        if !allow_unknown {
            let unknown: Vec<Revision> = rows
                .iter()
                .filter(|r| set.get(r.revision.as_str()).is_none())
                .map(|r| r.revision.clone())
                .collect();
            if !unknown.is_empty() {
                return Err(Error::Unknown(unknown));
            }
        }
        Ok(())
    }

    /// Makes sure of the version table, except in a dry run, which leaves nothing behind, not
    /// even the table: there a missing one reads as empty and is created inside the run's
    /// transaction. Returns whether the table exists now.
    fn prepare_table(&self, client: &mut Client) -> Result<bool, Error> {
        if self.dry_run {
            Ok(table::exists(client, &self.config)?)
        } else {
            table::ensure(client, &self.config)?;
            Ok(true)
        }
    }

    fn upgrade_locked(&mut self, client: &mut Client, target: &Target) -> Result<Vec<Step>, Error> {
        let has_table = self.prepare_table(client)?;
        let rows = read_rows(client, &self.config, has_table)?;
        let Viewed { set, rows, .. } = self.view(rows)?;
        let set = set.as_ref();
        self.verify(set, &rows, false)?;
        let history = history_of(set, &rows)?;
        let applied: HashSet<Revision> = rows.iter().map(|r| r.revision.clone()).collect();
        let plan = history.upgrade(&applied, target)?;
        let migrations: Vec<&Migration> = plan
            .iter()
            .map(|r| {
                set.get(r.as_str()).ok_or_else(|| {
                    Error::plan(
                        Code::TargetUnreachable,
                        format!("revision `{r}` is not in this build"),
                    )
                })
            })
            .collect::<Result<_, _>>()?;
        if migrations.is_empty() {
            return Ok(Vec::new());
        }
        crate::rust::require_code(migrations.iter().copied())?;
        if self.single_transaction || self.dry_run {
            let mode = if self.dry_run {
                "a dry run"
            } else {
                "single-transaction mode"
            };
            if let Some(m) = migrations.iter().find(|m| !m.is_transactional()) {
                return Err(Error::plan(
                    Code::TxnNonTransactionalInRun,
                    format!(
                        "{mode} cannot include `{}`: it runs outside a transaction",
                        m.revision()
                    ),
                ));
            }
            client.batch_execute("BEGIN")?;
            let created = if has_table {
                Ok(())
            } else {
                table::ensure(client, &self.config)
            };
            let insert =
                match created.and_then(|()| client.prepare(&table::insert_sql(&self.config))) {
                    Ok(insert) => insert,
                    Err(e) => {
                        let _ = client.batch_execute("ROLLBACK");
                        return Err(e.into());
                    }
                };
            let mut steps = Vec::with_capacity(migrations.len());
            for (i, m) in migrations.iter().enumerate() {
                // What the failure path must replay to stand where this migration starts.
                match self.apply_transactional(client, &insert, m, false, &migrations[..i]) {
                    Ok(step) => steps.push(step),
                    Err(e) => {
                        let _ = client.batch_execute("ROLLBACK");
                        return Err(e);
                    }
                }
            }
            if self.dry_run {
                client.batch_execute("ROLLBACK")?;
            } else {
                commit(client, &migrations, Direction::Up)?;
            }
            return Ok(steps);
        }
        let insert = client.prepare(&table::insert_sql(&self.config))?;
        let mut steps = Vec::with_capacity(migrations.len());
        for m in migrations {
            steps.push(if m.is_transactional() {
                self.apply_transactional(client, &insert, m, true, &[])?
            } else {
                self.apply_outside(client, &insert, m)?
            });
        }
        Ok(steps)
    }

    fn report_start(&mut self, m: &Migration, d: Direction) {
        if let Some(p) = self.progress.as_mut() {
            p(m, d, None);
        }
    }

    fn report_end(&mut self, m: &Migration, step: &Step) {
        if let Some(p) = self.progress.as_mut() {
            p(m, step.direction, Some(step));
        }
    }

    /// Applies a transactional migration with its version row: in a transaction of its own
    /// (`own_transaction`), or inside the run's single transaction.
    fn apply_transactional(
        &mut self,
        client: &mut Client,
        insert: &postgres::Statement,
        m: &Migration,
        own_transaction: bool,
        before: &[&Migration],
    ) -> Result<Step, Error> {
        self.report_start(m, Direction::Up);
        let start = Instant::now();
        run_section(
            client,
            &self.config,
            m,
            Direction::Up,
            m.up_sql(),
            own_transaction,
            before,
        )?;
        let duration = start.elapsed();
        let recorded = table::insert(
            client,
            insert,
            &new_row(m, RowState::Applied, Some(duration)),
        );
        if let Err(e) = recorded {
            if own_transaction {
                let _ = client.batch_execute("ROLLBACK");
            }
            return Err(e.into());
        }
        if own_transaction {
            commit(client, &[m], Direction::Up)?;
        }
        let step = step(m, Direction::Up, duration);
        self.report_end(m, &step);
        Ok(step)
    }

    /// Applies a non-transactional migration statement by statement, recording progress.
    fn apply_outside(
        &mut self,
        client: &mut Client,
        insert: &postgres::Statement,
        m: &Migration,
    ) -> Result<Step, Error> {
        self.report_start(m, Direction::Up);
        let start = Instant::now();
        table::insert(client, insert, &new_row(m, RowState::Started, None))
            .map_err(|e| record_error(m, Direction::Up, 0, statements(m.up_sql()).len(), 0, &e))?;
        let done = run_outside(
            client,
            &self.config,
            m,
            Direction::Up,
            m.up_sql(),
            RowState::Started,
        )?;
        let duration = start.elapsed();
        table::update_state(
            client,
            &self.config,
            m.revision().as_str(),
            RowState::Applied,
            done,
            Some(duration.as_secs_f64() * 1e3),
        )
        .map_err(|e| {
            record_error(
                m,
                Direction::Up,
                done as usize,
                done as usize,
                done as usize,
                &e,
            )
        })?;
        let step = step(m, Direction::Up, duration);
        self.report_end(m, &step);
        Ok(step)
    }

    fn downgrade_locked(
        &mut self,
        client: &mut Client,
        target: &Target,
    ) -> Result<Vec<Step>, Error> {
        let has_table = self.prepare_table(client)?;
        let rows = read_rows(client, &self.config, has_table)?;
        let Viewed { set, rows, .. } = self.view(rows)?;
        let set = set.as_ref();
        self.verify(set, &rows, true)?;
        let history = history_of(set, &rows)?;
        let applied: HashSet<Revision> = rows.iter().map(|r| r.revision.clone()).collect();
        let plan = history.downgrade(&applied, target)?;
        // Every step's down SQL, before anything runs: an irreversible one stops the run here.
        let by_rev: HashMap<&Revision, &AppliedRow> =
            rows.iter().map(|r| (&r.revision, r)).collect();
        let mut work: Vec<Migration> = Vec::with_capacity(plan.len());
        for rev in &plan {
            let m = match set.get(rev.as_str()) {
                Some(m) => m.clone(),
                None => {
                    // Unknown to this build: revert with what the table recorded.
                    let row = by_rev.get(rev).ok_or_else(|| {
                        Error::plan(
                            Code::TargetUnreachable,
                            format!("revision `{rev}` is not applied"),
                        )
                    })?;
                    let table::StoredDown {
                        down_sql,
                        irreversible,
                    } = table::stored_down(client, &self.config, rev.as_str())?.unwrap_or(
                        table::StoredDown {
                            down_sql: None,
                            irreversible: Some("its row has no down SQL".to_owned()),
                        },
                    );
                    Migration::new(retort_core::MigrationParts {
                        revision: rev.clone(),
                        down_revisions: row.down_revisions.clone(),
                        message: row.message.clone(),
                        up_sql: String::new(),
                        down_sql,
                        irreversible,
                        transactional: row.transactional,
                        path: format!("(version table row `{rev}`)"),
                        up_line: 0,
                        down_line: 1,
                    })
                }
            };
            if m.down_sql().is_none() {
                return Err(Error::Irreversible {
                    revision: rev.clone(),
                    reason: m
                        .irreversible()
                        .unwrap_or("it has no down section")
                        .to_owned(),
                });
            }
            work.push(m);
        }
        crate::rust::require_code(&work)?;
        if self.dry_run {
            return self.dry_run_down(client, &work);
        }
        let mut steps = Vec::with_capacity(work.len());
        for m in &work {
            self.report_start(m, Direction::Down);
            let start = Instant::now();
            let down = m.down_sql().unwrap_or_default();
            if m.is_transactional() {
                run_section(client, &self.config, m, Direction::Down, down, true, &[])?;
                if let Err(e) = table::delete(client, &self.config, m.revision().as_str()) {
                    let _ = client.batch_execute("ROLLBACK");
                    return Err(e.into());
                }
                commit(client, &[m], Direction::Down)?;
            } else {
                table::update_state(
                    client,
                    &self.config,
                    m.revision().as_str(),
                    RowState::Reverting,
                    0,
                    None,
                )
                .map_err(|e| record_error(m, Direction::Down, 0, statements(down).len(), 0, &e))?;
                let done = run_outside(
                    client,
                    &self.config,
                    m,
                    Direction::Down,
                    down,
                    RowState::Reverting,
                )? as usize;
                table::delete(client, &self.config, m.revision().as_str())
                    .map_err(|e| record_error(m, Direction::Down, done, done, done, &e))?;
            }
            let step = step(m, Direction::Down, start.elapsed());
            self.report_end(m, &step);
            steps.push(step);
        }
        Ok(steps)
    }

    /// A downgrade inside one transaction that is rolled back.
    fn dry_run_down(
        &mut self,
        client: &mut Client,
        work: &[Migration],
    ) -> Result<Vec<Step>, Error> {
        if let Some(m) = work.iter().find(|m| !m.is_transactional()) {
            return Err(Error::plan(
                Code::TxnNonTransactionalInRun,
                format!(
                    "a dry run cannot include `{}`: it runs outside a transaction",
                    m.revision()
                ),
            ));
        }
        let all: Vec<&Migration> = work.iter().collect();
        client.batch_execute("BEGIN")?;
        let mut steps = Vec::with_capacity(work.len());
        for (i, m) in work.iter().enumerate() {
            self.report_start(m, Direction::Down);
            let start = Instant::now();
            let result = run_section(
                client,
                &self.config,
                m,
                Direction::Down,
                m.down_sql().unwrap_or_default(),
                false,
                &all[..i],
            )
            .and_then(|()| Ok(table::delete(client, &self.config, m.revision().as_str())?));
            if let Err(e) = result {
                let _ = client.batch_execute("ROLLBACK");
                return Err(e);
            }
            let step = step(m, Direction::Down, start.elapsed());
            self.report_end(m, &step);
            steps.push(step);
        }
        client.batch_execute("ROLLBACK")?;
        Ok(steps)
    }

    fn stamp_locked(
        &mut self,
        client: &mut Client,
        target: &Target,
    ) -> Result<(Vec<Revision>, Vec<Revision>), Error> {
        table::ensure(client, &self.config)?;
        let rows = read_rows(client, &self.config, true)?;
        let Viewed { set, rows, folded } = self.view(rows)?;
        let set = set.as_ref();
        let history = history_of(set, &rows)?;
        // Interrupted rows count as applied for planning: stamping decides their fate.
        let applied: HashSet<Revision> = rows.iter().map(|r| r.revision.clone()).collect();
        let desired: HashSet<Revision> = match target {
            Target::Base => HashSet::new(),
            Target::Relative(n) if *n < 0 => {
                let down: HashSet<Revision> =
                    history.downgrade(&applied, target)?.into_iter().collect();
                applied.difference(&down).cloned().collect()
            }
            Target::RevisionRelative(_, n) if *n < 0 => {
                let down: HashSet<Revision> =
                    history.downgrade(&applied, target)?.into_iter().collect();
                applied.difference(&down).cloned().collect()
            }
            Target::Revision(prefix) => {
                // This branch moves to the revision: its descendants go, its ancestors come.
                let rev = history.resolve(prefix)?;
                let descendants: HashSet<Revision> = history
                    .descendants_of(rev.as_str())
                    .unwrap_or_default()
                    .into_iter()
                    .collect();
                let mut d: HashSet<Revision> = applied
                    .iter()
                    .filter(|r| !descendants.contains(*r))
                    .cloned()
                    .collect();
                d.extend(history.upgrade(&HashSet::new(), target)?);
                d
            }
            _ => {
                let mut d = applied.clone();
                d.extend(history.upgrade(&applied, target)?);
                d
            }
        };
        let mut tx = client.transaction()?;
        let insert = tx.prepare(&table::insert_sql(&self.config))?;
        let mut added = Vec::new();
        for m in set.iter().filter(|m| desired.contains(m.revision())) {
            match rows.iter().find(|r| r.revision == *m.revision()) {
                None => {
                    table::insert(&mut tx, &insert, &new_row(m, RowState::Applied, None))?;
                    added.push(m.revision().clone());
                }
                Some(r) if r.state != RowState::Applied => {
                    table::update_state(
                        &mut tx,
                        &self.config,
                        m.revision().as_str(),
                        RowState::Applied,
                        r.statements_done,
                        None,
                    )?;
                    added.push(m.revision().clone());
                }
                Some(_) => {}
            }
        }
        if let Some(missing) = desired
            .iter()
            .find(|r| set.get(r.as_str()).is_none() && !applied.contains(*r))
        {
            return Err(Error::plan(
                Code::TargetUnreachable,
                format!("cannot stamp `{missing}`: this build does not have it"),
            ));
        }
        let mut removed = Vec::new();
        for r in rows.iter().rev().filter(|r| !desired.contains(&r.revision)) {
            table::delete(&mut tx, &self.config, r.revision.as_str())?;
            removed.push(r.revision.clone());
            // A checkpoint that the range's rows stood for: those rows go with it.
            if set
                .get(r.revision.as_str())
                .is_some_and(|m| m.replaces().is_some())
            {
                for f in folded.iter().rev() {
                    table::delete(&mut tx, &self.config, f.as_str())?;
                    removed.push(f.clone());
                }
            }
        }
        tx.commit()?;
        Ok((added, removed))
    }
}

/// The set to plan over and the version table's rows as they read for it.
struct Viewed<'s> {
    set: Cow<'s, MigrationSet>,
    rows: Vec<AppliedRow>,
    /// Rows of a replaced range that read as their checkpoint.
    folded: Vec<Revision>,
}

/// The history over `set` and the rows it does not know.
fn history_of(set: &MigrationSet, rows: &[AppliedRow]) -> Result<History, Error> {
    let mut nodes: Vec<(Revision, Vec<Revision>)> = set
        .iter()
        .map(|m| (m.revision().clone(), m.down_revisions().to_vec()))
        .collect();
    for row in rows {
        if set.get(row.revision.as_str()).is_none() {
            nodes.push((row.revision.clone(), row.down_revisions.clone()));
        }
    }
    History::new(nodes).map_err(Error::from)
}

/// The applied rows whose checksum differs from the set's migration.
fn edited(set: &MigrationSet, rows: &[AppliedRow]) -> Vec<(Revision, String)> {
    rows.iter()
        .filter_map(|r| {
            let m = set.get(r.revision.as_str())?;
            (m.checksum() != r.checksum).then(|| (r.revision.clone(), m.path().to_owned()))
        })
        .collect()
}

/// Commits the transaction that holds `migrations` and their version-table rows. A failure
/// names them: when the connection was lost on the way, whether the server committed is
/// unknown ([`Error::Commit`] says how to find out); otherwise the server refused and
/// rolled back.
fn commit<M: std::borrow::Borrow<Migration>>(
    client: &mut Client,
    migrations: &[M],
    direction: Direction,
) -> Result<(), Error> {
    let Err(e) = client.batch_execute("COMMIT") else {
        return Ok(());
    };
    let lost = crate::error::is_connection_lost(&e);
    if !lost {
        let _ = client.batch_execute("ROLLBACK");
    }
    Err(Error::Commit {
        revisions: migrations
            .iter()
            .map(|m| m.borrow().revision().clone())
            .collect(),
        direction,
        lost,
        cause: describe_pg(&e),
    })
}

fn read_rows(client: &mut Client, config: &Config, exists: bool) -> Result<Vec<AppliedRow>, Error> {
    table::read(client, config, exists).map_err(|e| match e {
        ReadError::Db(e) => Error::Database(e),
        ReadError::Corrupt(s) => Error::Corrupt(s),
    })
}

/// Runs a section outside a transaction, one statement at a time, recording after each how
/// many ran (in `state`), so that an interruption can say how far it got. Returns how many
/// statements ran. With a statement lock timeout in `config`, the session's `lock_timeout`
/// is set before the first statement and reset after the last, or after the failure.
fn run_outside(
    client: &mut Client,
    config: &Config,
    m: &Migration,
    section: Direction,
    sql: &str,
    state: RowState,
) -> Result<i32, Error> {
    let Some(set) = config.set_session_lock_timeout_sql() else {
        return run_statements(client, config, m, section, sql, state);
    };
    client.batch_execute(&set)?;
    let ran = run_statements(client, config, m, section, sql, state);
    match ran {
        Ok(done) => {
            client.batch_execute("RESET lock_timeout")?;
            Ok(done)
        }
        Err(e) => {
            // The migration's own error is the one to report; a connection too broken to
            // reset the setting takes the setting with it.
            let _ = client.batch_execute("RESET lock_timeout");
            Err(e)
        }
    }
}

/// [`run_outside`]'s statements and progress rows.
fn run_statements(
    client: &mut Client,
    config: &Config,
    m: &Migration,
    section: Direction,
    sql: &str,
    state: RowState,
) -> Result<i32, Error> {
    let stmts = statements(sql);
    for (i, stmt) in stmts.iter().enumerate() {
        client.batch_execute(&sql[stmt.clone()]).map_err(|e| {
            statement_error(
                m,
                section,
                i,
                stmt.clone(),
                &e,
                Outcome::Interrupted { done: i },
            )
        })?;
        table::update_state(
            client,
            config,
            m.revision().as_str(),
            state,
            i as i32 + 1,
            None,
        )
        .map_err(|e| record_error(m, section, i + 1, stmts.len(), i, &e))?;
    }
    Ok(stmts.len() as i32)
}

/// A write to the version table about a non-transactional migration failed after `ran` of
/// its `total` statements ran; the table counts `recorded` of them (as far as this side
/// knows: a write lost with the connection may have been made before it went).
fn record_error(
    m: &Migration,
    section: Direction,
    ran: usize,
    total: usize,
    recorded: usize,
    e: &postgres::Error,
) -> Error {
    Error::Record {
        revision: m.revision().clone(),
        section,
        ran,
        total,
        recorded,
        lost: crate::error::is_connection_lost(e),
        cause: describe_pg(e),
    }
}

/// Runs a transactional section in one round trip: `BEGIN` (when `begin`) and the section's
/// SQL as one simple query, so PostgreSQL runs the statements in order, as `psql -1` would,
/// without a round trip each. The transaction is left open on success.
///
/// On failure, PostgreSQL's position (when it gives one) names the statement. When it does
/// not (a constraint violated at run time, say), everything is rolled back, and the section
/// is run again in a new transaction one statement at a time, after `before` (the SQL the
/// run applied before it in the same transaction, in single-transaction mode), to find the
/// one that fails; then that transaction is rolled back too. Statements run twice only on
/// that failure path, and always inside a transaction that is rolled back.
///
/// With a statement lock timeout in `config`, the section is preceded by `SET LOCAL
/// lock_timeout`, in the replay too, so a statement that waited too long fails there again.
fn run_section(
    client: &mut Client,
    config: &Config,
    m: &Migration,
    section: Direction,
    sql: &str,
    begin: bool,
    before: &[&Migration],
) -> Result<(), Error> {
    if m.is_rust() {
        // Its functions, in the transaction `begin` asks for or the one already open.
        return crate::rust::run(client, config, m, section);
    }
    let set_local = config.set_local_lock_timeout_sql();
    let mut prefix = if begin { "BEGIN;\n" } else { "" }.to_owned();
    if let Some(set) = &set_local {
        prefix.push_str(set);
        prefix.push_str(";\n");
    }
    if sql.trim().is_empty() {
        if begin {
            client.batch_execute("BEGIN")?;
        }
        return Ok(());
    }
    let Err(e) = client.batch_execute(&format!("{prefix}{sql}")) else {
        return Ok(());
    };
    let _ = client.batch_execute("ROLLBACK");
    let stmts = statements(sql);
    let prefix_chars = prefix.chars().count();
    let located = match char_position(&e) {
        Some(p) if p > prefix_chars => {
            // A character position in `sql`, then the statement that holds it.
            let at = sql
                .char_indices()
                .nth(p - prefix_chars - 1)
                .map_or(sql.len(), |(i, _)| i);
            stmts
                .iter()
                .position(|r| at < r.end)
                .map(|i| (i, stmts[i].clone(), at - stmts[i].start))
        }
        // Not the SQL's fault: the session is gone, or the statement was cancelled (by a
        // person, or by `statement_timeout`). Running the section again to find the
        // statement would only repeat the wait, or fail on the dead connection.
        _ if crate::error::is_connection_lost(&e) || is_cancel(&e) => None,
        _ => locate_by_replay(client, set_local.as_deref(), section, sql, &stmts, before),
    };
    let (index, range, offset) = located.unwrap_or((usize::MAX, 0..0, 0));
    Err(statement_error_at(
        m,
        section,
        index,
        range,
        offset,
        &e,
        Outcome::RolledBack,
    ))
}

/// Runs `before`, then `sql`'s statements one by one, in a transaction that is rolled back,
/// and returns the first statement that fails, with the byte offset of the error in it.
fn locate_by_replay(
    client: &mut Client,
    set_local: Option<&str>,
    section: Direction,
    sql: &str,
    stmts: &[std::ops::Range<usize>],
    before: &[&Migration],
) -> Option<(usize, std::ops::Range<usize>, usize)> {
    client.batch_execute("BEGIN").ok()?;
    let mut found = None;
    let timeout_set = set_local.is_none_or(|set| client.batch_execute(set).is_ok());
    if timeout_set
        && before
            .iter()
            .all(|b| client.batch_execute(section_sql(b, section)).is_ok())
    {
        for (i, r) in stmts.iter().enumerate() {
            if let Err(again) = client.batch_execute(&sql[r.clone()]) {
                let offset = char_position(&again)
                    .and_then(|p| sql[r.clone()].char_indices().nth(p - 1).map(|(b, _)| b))
                    .unwrap_or(0);
                found = Some((i, r.clone(), offset));
                break;
            }
        }
    }
    let _ = client.batch_execute("ROLLBACK");
    found
}

/// Whether a statement was cancelled (`57014`: `pg_cancel_backend`, `statement_timeout`).
fn is_cancel(e: &postgres::Error) -> bool {
    e.code() == Some(&postgres::error::SqlState::QUERY_CANCELED)
}

/// PostgreSQL's 1-based character position of an error, if it gave one.
fn char_position(e: &postgres::Error) -> Option<usize> {
    e.as_db_error().and_then(|db| match db.position() {
        Some(postgres::error::ErrorPosition::Original(p)) => Some(*p as usize),
        _ => None,
    })
}

/// The byte ranges of a section's statements.
fn statements(sql: &str) -> Vec<std::ops::Range<usize>> {
    lex::split(sql).into_iter().map(|s| s.range).collect()
}

fn step(m: &Migration, direction: Direction, duration: Duration) -> Step {
    Step {
        revision: m.revision().clone(),
        message: m.message().to_owned(),
        direction,
        duration,
    }
}

fn new_row(m: &Migration, state: RowState, duration: Option<Duration>) -> NewRow<'_> {
    NewRow {
        revision: m.revision().as_str(),
        down_revisions: m
            .down_revisions()
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect(),
        message: m.message(),
        checksum: m.checksum().to_hex(),
        down_sql: crate::rust::recorded_down(m).0,
        irreversible: crate::rust::recorded_down(m).1,
        transactional: m.is_transactional(),
        state,
        duration_ms: duration.map(|d| d.as_secs_f64() * 1e3),
    }
}

/// A failed statement whose text was sent alone: PostgreSQL's position is relative to it.
fn statement_error(
    m: &Migration,
    section: Direction,
    index: usize,
    range: std::ops::Range<usize>,
    e: &postgres::Error,
    outcome: Outcome,
) -> Error {
    let sql = section_sql(m, section);
    let offset = char_position(e)
        .and_then(|p| {
            sql[range.clone()]
                .char_indices()
                .nth(p.saturating_sub(1))
                .map(|(i, _)| i)
        })
        .unwrap_or(0);
    statement_error_at(m, section, index, range, offset, e, outcome)
}

fn section_sql(m: &Migration, section: Direction) -> &str {
    if section == Direction::Up {
        m.up_sql()
    } else {
        m.down_sql().unwrap_or_default()
    }
}

/// A failed statement (`index` `usize::MAX` when it could not be told), its place in the
/// file (`offset_in_stmt` bytes into it), and PostgreSQL's words.
fn statement_error_at(
    m: &Migration,
    section: Direction,
    index: usize,
    range: std::ops::Range<usize>,
    offset_in_stmt: usize,
    e: &postgres::Error,
    outcome: Outcome,
) -> Error {
    let sql = section_sql(m, section);
    let first_line = if section == Direction::Up {
        m.up_line()
    } else {
        m.down_line()
    }
    .max(1) as usize;
    let stmt = &sql[range.clone()];
    let at = range.start + offset_in_stmt;
    let line_in_sql = sql[..at].matches('\n').count();
    let line_start = sql[..at].rfind('\n').map_or(0, |i| i + 1);
    let column = sql[line_start..at].chars().count() + 1;
    let (message, code, detail) = match e.as_db_error() {
        Some(db) => (
            db.message().to_owned(),
            db.code().code().to_owned(),
            match (db.detail(), db.hint()) {
                (Some(d), Some(h)) => Some(format!("{d} ({h})")),
                (Some(d), None) => Some(d.to_owned()),
                (None, Some(h)) => Some(h.to_owned()),
                (None, None) => None,
            },
        ),
        None => (describe_pg(e), String::new(), None),
    };
    Error::Statement(Box::new(StatementError {
        revision: m.revision().clone(),
        path: m.path().to_owned(),
        section,
        statement: index.wrapping_add(1),
        sql: stmt.to_owned(),
        line: first_line + line_in_sql,
        column,
        message,
        code,
        detail,
        outcome,
        connection_lost: crate::error::is_connection_lost(e),
        snippet: format!("{}{sql}", "\n".repeat(first_line - 1)),
    }))
}
