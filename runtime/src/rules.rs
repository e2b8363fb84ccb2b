//! [`Rules`]: what a run does, written once over [`Conn`] for both drivers. The
//! synchronous [`Migrator`](crate::Migrator) and the tokio one (`crate::tokio::Migrator`)
//! hold a `Rules` and hand it their connection; everything they promise (the lock released on
//! every way out, a transaction a migration with its version row, non-transactional ones
//! statement by statement with their progress recorded, interrupted runs refused, errors
//! located in the file) is decided here.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use retort_core::checkpoint::{self, RowRef};
use retort_core::codes::Code;
use retort_core::plan::History;
use retort_core::sql::lex;
use retort_core::target::Target;
use retort_core::{Migration, MigrationSet, Revision};

use crate::config::{Config, LockStrategy};
use crate::driver::{self, Conn};
use crate::error::{Error, Outcome, StatementError, describe_pg};
use crate::flush::{self, Commit};
use crate::head;
use crate::lease::{self, LeaseError};
use crate::lock::{self, LockError};
use crate::migrator::{Direction, Status, Step};
use crate::table::{self, AppliedRow, NewRow, ReadError, RowState};
use crate::txn_control;

/// A progress callback, as [`Rules`] calls it: as each migration starts (`None`) and ends
/// (`Some(step)`).
pub(crate) trait Report {
    /// Tells of `m`.
    fn report(&mut self, m: &Migration, direction: Direction, step: Option<&Step>);
}

impl Report for Box<dyn FnMut(&Migration, Direction, Option<&Step>) + '_> {
    fn report(&mut self, m: &Migration, direction: Direction, step: Option<&Step>) {
        self(m, direction, step)
    }
}

/// The tokio driver's callback: `Send`, and in a mutex (never contended: only `&mut` reaches
/// it) so that a run's future, which holds `&Rules` across its waits, is `Send` too.
impl Report for std::sync::Mutex<Box<dyn FnMut(&Migration, Direction, Option<&Step>) + Send + '_>> {
    fn report(&mut self, m: &Migration, direction: Direction, step: Option<&Step>) {
        let f = self
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(m, direction, step)
    }
}

/// A migrator's settings and the rules of a run. `P` is its progress callback: the tokio
/// driver's must be `Send`, the synchronous one's need not.
pub(crate) struct Rules<'s, P> {
    /// The migrations.
    pub(crate) set: &'s MigrationSet,
    /// Version table, schema, timeouts.
    pub(crate) config: Config,
    /// One transaction for the whole upgrade.
    pub(crate) single_transaction: bool,
    /// One transaction, rolled back at the end.
    pub(crate) dry_run: bool,
    /// Called as each migration starts (`None`) and ends (`Some(step)`).
    pub(crate) progress: Option<P>,
}

impl<'s, P: Report> Rules<'s, P> {
    /// Settings by default.
    pub(crate) fn new(set: &'s MigrationSet) -> Self {
        Rules {
            set,
            config: Config::default(),
            single_transaction: false,
            dry_run: false,
            progress: None,
        }
    }

    /// Applies what `target` needs, under the lock; for `head`, first asks the head cache
    /// (see [`crate::head`]) whether the database is there already: one round trip, no lock.
    pub(crate) async fn upgrade(
        &mut self,
        client: &mut impl Conn,
        target: &Target,
    ) -> Result<Vec<Step>, Error> {
        if self.uses_head(target) && head::is_current(client, &self.config, self.set).await {
            return Ok(Vec::new());
        }
        let held = self.lock(client).await?;
        let result = driver::catch_unwind(self.upgrade_locked(client, target)).await;
        self.unlock(client, held, result).await
    }

    /// Reverts what `target` needs, under the lock.
    pub(crate) async fn downgrade(
        &mut self,
        client: &mut impl Conn,
        target: &Target,
    ) -> Result<Vec<Step>, Error> {
        let held = self.lock(client).await?;
        let result = driver::catch_unwind(self.downgrade_locked(client, target)).await;
        self.unlock(client, held, result).await
    }

    /// Records `target` as the database's state, under the lock.
    pub(crate) async fn stamp(
        &mut self,
        client: &mut impl Conn,
        target: &Target,
    ) -> Result<(Vec<Revision>, Vec<Revision>), Error> {
        let held = self.lock(client).await?;
        let result = driver::catch_unwind(self.stamp_locked(client, target)).await;
        self.unlock(client, held, result).await
    }

    /// Takes the run's lock (the advisory lock or the lease, as configured), waiting up to
    /// the configured timeout, and tells the driver what to send should the run be dropped
    /// before [`Rules::unlock`].
    async fn lock(&self, client: &mut impl Conn) -> Result<Held, Error> {
        let held = match self.config.get_lock_strategy() {
            LockStrategy::Advisory => {
                let key = self.config.lock_key();
                match lock::acquire(client, key, self.config.get_lock_timeout()).await {
                    Ok(()) => Held::Advisory(key),
                    Err(LockError::Db(e)) => return Err(Error::Database(e)),
                    Err(LockError::Timeout(waited, holder)) => {
                        return Err(Error::LockTimeout {
                            table: self.config.display_table(),
                            waited,
                            holder: holder.map(Box::new),
                        });
                    }
                }
            }
            LockStrategy::Table => {
                let owner = lease::new_owner();
                match lease::acquire(client, &self.config, &owner).await {
                    Ok(()) => Held::Lease(owner),
                    Err(LeaseError::Db(e)) => return Err(Error::Database(e)),
                    Err(LeaseError::Timeout(waited, holder)) => {
                        return Err(Error::LeaseTimeout {
                            table: self.config.display_table(),
                            lock_table: self.config.qualified_lock_table(),
                            waited,
                            holder: holder.map(Box::new),
                        });
                    }
                }
            }
        };
        let reset = if self.config.get_statement_lock_timeout().is_some() {
            "RESET lock_timeout; "
        } else {
            ""
        };
        let release = match &held {
            Held::Advisory(key) => lock::release_sql(*key),
            Held::Lease(owner) => lease::release_sql(&self.config, owner),
        };
        client.holding(Some(format!("ROLLBACK; {reset}{release}")));
        Ok(held)
    }

    /// Releases the lock on every way out of the body: success, error, panic (passed on
    /// once the lock is released). A panic may have left a transaction open: it is rolled
    /// back first. If the connection itself is gone, PostgreSQL released an advisory lock
    /// with the session; a lease stays until it expires.
    async fn unlock<T>(
        &self,
        client: &mut impl Conn,
        held: Held,
        result: std::thread::Result<Result<T, Error>>,
    ) -> Result<T, Error> {
        if !client.is_closed() {
            if result.is_err() {
                let _ = client.batch_execute("ROLLBACK").await;
            }
            let _ = match &held {
                Held::Advisory(key) => lock::release(client, *key).await,
                Held::Lease(owner) => lease::release(client, &self.config, owner).await,
            };
        }
        client.holding(None);
        match result {
            Ok(r) => r,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }

    /// What the database holds compared with the set. Reads only; takes no lock.
    pub(crate) async fn status(&self, client: &mut impl Conn) -> Result<Status, Error> {
        let rows = read_rows(client, &self.config, false).await?;
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
        // Each revision's position in `out`, so that every row costs one look-up.
        let mut at: HashMap<Revision, usize> = HashMap::with_capacity(rows.len());
        let mut folded = Vec::new();
        for row in rows {
            if let Some(c) = view.folded.get(&row.revision) {
                folded.push(row.revision.clone());
                if at.contains_key(c) {
                    continue;
                }
                let Some(m) = view.set.get(c.as_str()) else {
                    continue;
                };
                // The range stands for the checkpoint: one applied row of it, never written.
                at.insert(c.clone(), out.len());
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
            if let Some(&k) = at.get(&row.revision) {
                out[k] = row;
            } else {
                at.insert(row.revision.clone(), out.len());
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
    async fn prepare_table(&self, client: &mut impl Conn) -> Result<bool, Error> {
        if self.dry_run {
            Ok(table::exists(client, &self.config).await?)
        } else {
            table::ensure(client, &self.config).await?;
            Ok(true)
        }
    }

    /// Whether an upgrade to `target` reads and writes the head cache: an upgrade to `head`
    /// that is not a dry run. (`heads`, a revision or a step are other questions than the
    /// one the key answers.)
    fn uses_head(&self, target: &Target) -> bool {
        matches!(target, Target::Head) && !self.dry_run
    }

    /// The rows, viewed for the set, verified, and the upgrade's plan: the revisions to apply.
    async fn plan_upgrade(
        &self,
        client: &mut impl Conn,
        has_table: bool,
        target: &Target,
    ) -> Result<(Cow<'s, MigrationSet>, Vec<Revision>), Error> {
        let rows = read_rows(client, &self.config, has_table).await?;
        let Viewed { set, rows, .. } = self.view(rows)?;
        self.verify(set.as_ref(), &rows, false)?;
        let history = history_of(set.as_ref(), &rows)?;
        let applied: HashSet<Revision> = rows.iter().map(|r| r.revision.clone()).collect();
        let plan = history.upgrade(&applied, target)?;
        Ok((set, plan))
    }

    async fn upgrade_locked(
        &mut self,
        client: &mut impl Conn,
        target: &Target,
    ) -> Result<Vec<Step>, Error> {
        let has_table = self.prepare_table(client).await?;
        // With the head cache, the rows are read in a REPEATABLE READ transaction, so that
        // the key written when nothing is left to do stands for exactly what was verified.
        let place = if self.uses_head(target) {
            head::begin(client, &self.config).await
        } else {
            None
        };
        let (set, plan) = match self.plan_upgrade(client, has_table, target).await {
            Ok(planned) => planned,
            Err(e) => {
                if place.is_some() {
                    let _ = client.batch_execute("ROLLBACK").await;
                }
                return Err(e);
            }
        };
        // Whether the head cache's trigger works in the migrations' transactions.
        let mut trigger = head::Trigger::Fires;
        if let Some(place) = &place {
            if plan.is_empty() {
                head::record(client, &self.config, self.set, place).await;
                return Ok(Vec::new());
            }
            // Nothing was written in it: ended, the migrations run in their own. Under the
            // advisory lock, which no run loses before it ends, the key is cleared once here
            // rather than by the trigger in each migration's transaction. A lease can expire
            // under a long migration and let another run write a key: the trigger fires.
            if self.config.get_lock_strategy() == LockStrategy::Advisory {
                trigger = head::clear(client, place).await;
            } else {
                client.batch_execute("ROLLBACK").await?;
            }
        }
        let steps = self
            .apply_upgrade(client, has_table, set.as_ref(), &plan, trigger)
            .await?;
        if place.is_some() {
            self.record_head(client).await;
        }
        Ok(steps)
    }

    /// After an upgrade to `head` that applied migrations: reads the rows again in a
    /// `REPEATABLE READ` transaction and, verified at the head with nothing left to do,
    /// writes the key. Fails nothing: a run that could not write it leaves it for the next.
    async fn record_head(&self, client: &mut impl Conn) {
        let Some(place) = head::begin(client, &self.config).await else {
            return;
        };
        match self.plan_upgrade(client, true, &Target::Head).await {
            Ok((_, plan)) if plan.is_empty() => {
                head::record(client, &self.config, self.set, &place).await;
            }
            _ => {
                let _ = client.batch_execute("ROLLBACK").await;
            }
        }
    }

    /// Applies `plan` (revisions of `set`, in order), the head cache's trigger working or
    /// quiet in the migrations' transactions as `trigger` says.
    async fn apply_upgrade(
        &mut self,
        client: &mut impl Conn,
        has_table: bool,
        set: &MigrationSet,
        plan: &[Revision],
        trigger: head::Trigger,
    ) -> Result<Vec<Step>, Error> {
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
        crate::rust::require_code(migrations.iter().copied(), client.runs_rust())?;
        let environment = self.config.environment_name();
        txn_control::refuse(
            migrations
                .iter()
                .copied()
                .filter(|m| m.is_transactional() && !m.is_rust() && m.runs_in(environment)),
            Direction::Up,
        )?;
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
            client.batch_execute("BEGIN").await?;
            if !has_table && let Err(e) = table::ensure(client, &self.config).await {
                let _ = client.batch_execute("ROLLBACK").await;
                return Err(e.into());
            }
            let mut steps = Vec::with_capacity(migrations.len());
            for (i, m) in migrations.iter().enumerate() {
                // What the failure path must replay to stand where this migration starts.
                let applied = if m.runs_in(self.config.environment_name()) {
                    self.apply_transactional(client, m, None, &migrations[..i], trigger)
                        .await
                } else {
                    self.skip(client, m).await
                };
                match applied {
                    Ok(step) => steps.push(step),
                    Err(e) => {
                        let _ = client.batch_execute("ROLLBACK").await;
                        return Err(e);
                    }
                }
            }
            if self.dry_run {
                client.batch_execute("ROLLBACK").await?;
            } else {
                commit(client, &migrations, Direction::Up).await?;
            }
            return Ok(steps);
        }
        let mut steps = Vec::with_capacity(migrations.len());
        let mut deferred = flush::Deferred::default();
        for (i, m) in migrations.iter().enumerate() {
            let skipped = !m.runs_in(self.config.environment_name());
            let commit = Commit::of(m, skipped, i, migrations.len());
            let applied = if skipped {
                self.skip(client, m).await
            } else if m.is_transactional() {
                self.apply_transactional(client, m, Some(commit), &[], trigger)
                    .await
            } else {
                self.apply_outside(client, m).await
            };
            match applied {
                Ok(step) => {
                    deferred.committed(m.revision(), commit);
                    steps.push(step);
                }
                Err(e) => return Err(deferred.flush(client, &self.config, e).await),
            }
        }
        Ok(steps)
    }

    /// Records `m` as skipped: limited to environments this run's is not one of. Its row says
    /// so, and no code of it runs (here, or when it is reverted).
    async fn skip(&mut self, client: &mut impl Conn, m: &Migration) -> Result<Step, Error> {
        self.report_start(m, Direction::Up);
        let start = Instant::now();
        let why = table::skipped_reason(m, self.config.environment_name());
        table::write(
            client,
            &table::insert_skipped_sql(&self.config, &new_row(m, RowState::Applied), &why),
        )
        .await?;
        let mut step = step(m, Direction::Up, start.elapsed());
        step.skipped = true;
        self.report_end(m, &step);
        Ok(step)
    }

    fn report_start(&mut self, m: &Migration, d: Direction) {
        if let Some(p) = self.progress.as_mut() {
            p.report(m, d, None);
        }
    }

    fn report_end(&mut self, m: &Migration, step: &Step) {
        if let Some(p) = self.progress.as_mut() {
            p.report(m, step.direction, Some(step));
        }
    }

    /// Applies a transactional migration with its version row: in a transaction of its own
    /// that commits as `own` says, or (`None`) inside the run's single transaction.
    async fn apply_transactional(
        &mut self,
        client: &mut impl Conn,
        m: &Migration,
        own: Option<Commit>,
        before: &[&Migration],
        trigger: head::Trigger,
    ) -> Result<Step, Error> {
        self.report_start(m, Direction::Up);
        let start = Instant::now();
        run_section(
            client,
            &self.config,
            m,
            Direction::Up,
            own,
            before,
            &Record::Insert(new_row(m, RowState::Applied), trigger),
        )
        .await?;
        let duration = start.elapsed();
        if own.is_some() {
            commit(client, &[m], Direction::Up).await?;
        }
        let step = step(m, Direction::Up, duration);
        self.report_end(m, &step);
        Ok(step)
    }

    /// Applies a non-transactional migration statement by statement, recording progress.
    async fn apply_outside(
        &mut self,
        client: &mut impl Conn,
        m: &Migration,
    ) -> Result<Step, Error> {
        self.report_start(m, Direction::Up);
        let start = Instant::now();
        let started = table::insert_sql(
            &self.config,
            &new_row(m, RowState::Started),
            table::Took::Unknown,
        );
        table::write(client, &started)
            .await
            .map_err(|e| record_error(m, Direction::Up, 0, statements(m.up_sql()).len(), 0, &e))?;
        let done = run_outside(
            client,
            &self.config,
            m,
            Direction::Up,
            m.up_sql(),
            RowState::Started,
        )
        .await?;
        let duration = start.elapsed();
        let done_sql = table::update_state_sql(
            &self.config,
            m.revision().as_str(),
            RowState::Applied,
            done,
            Some(duration.as_secs_f64() * 1e3),
        );
        table::write(client, &done_sql).await.map_err(|e| {
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

    async fn downgrade_locked(
        &mut self,
        client: &mut impl Conn,
        target: &Target,
    ) -> Result<Vec<Step>, Error> {
        let has_table = self.prepare_table(client).await?;
        let rows = read_rows(client, &self.config, has_table).await?;
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
        // Revisions recorded as skipped in this environment: their row goes, nothing runs.
        let mut skipped_here: HashSet<Revision> = HashSet::new();
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
                    } = table::stored_down(client, &self.config, rev.as_str())
                        .await?
                        .unwrap_or(table::StoredDown {
                            down_sql: None,
                            irreversible: Some("its row has no down SQL".to_owned()),
                        });
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
                        environments: Vec::new(),
                    })
                }
            };
            let skipped = by_rev.get(rev).is_some_and(|r| r.is_skipped());
            if skipped {
                skipped_here.insert(rev.clone());
            } else if m.down_sql().is_none() {
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
        let to_run: Vec<&Migration> = work
            .iter()
            .filter(|m| !skipped_here.contains(m.revision()))
            .collect();
        txn_control::refuse(
            to_run
                .iter()
                .copied()
                .filter(|m| m.is_transactional() && !m.is_rust()),
            Direction::Down,
        )?;
        crate::rust::require_code(to_run, client.runs_rust())?;
        if self.dry_run {
            return self.dry_run_down(client, &work, &skipped_here).await;
        }
        let mut steps = Vec::with_capacity(work.len());
        let mut deferred = flush::Deferred::default();
        for (i, m) in work.iter().enumerate() {
            let skipped = skipped_here.contains(m.revision());
            let commit = Commit::of(m, skipped, i, work.len());
            match self.revert(client, m, skipped, commit).await {
                Ok(step) => {
                    deferred.committed(m.revision(), commit);
                    steps.push(step);
                }
                Err(e) => return Err(deferred.flush(client, &self.config, e).await),
            }
        }
        Ok(steps)
    }

    /// Reverts one migration of a downgrade: only its row goes when it was `skipped` in this
    /// environment; a transactional one in a transaction of its own that commits as `commit`
    /// says; any other statement by statement, recording progress.
    async fn revert(
        &mut self,
        client: &mut impl Conn,
        m: &Migration,
        skipped: bool,
        how: Commit,
    ) -> Result<Step, Error> {
        self.report_start(m, Direction::Down);
        let start = Instant::now();
        if skipped {
            table::write(
                client,
                &table::delete_sql(&self.config, m.revision().as_str()),
            )
            .await?;
            let mut step = step(m, Direction::Down, start.elapsed());
            step.skipped = true;
            self.report_end(m, &step);
            return Ok(step);
        }
        let down = m.down_sql().unwrap_or_default();
        if m.is_transactional() {
            run_section(
                client,
                &self.config,
                m,
                Direction::Down,
                Some(how),
                &[],
                &Record::Delete,
            )
            .await?;
            commit(client, &[m], Direction::Down).await?;
        } else {
            let reverting = table::update_state_sql(
                &self.config,
                m.revision().as_str(),
                RowState::Reverting,
                0,
                None,
            );
            table::write(client, &reverting)
                .await
                .map_err(|e| record_error(m, Direction::Down, 0, statements(down).len(), 0, &e))?;
            let done = run_outside(
                client,
                &self.config,
                m,
                Direction::Down,
                down,
                RowState::Reverting,
            )
            .await? as usize;
            table::write(
                client,
                &table::delete_sql(&self.config, m.revision().as_str()),
            )
            .await
            .map_err(|e| record_error(m, Direction::Down, done, done, done, &e))?;
        }
        let step = step(m, Direction::Down, start.elapsed());
        self.report_end(m, &step);
        Ok(step)
    }

    /// A downgrade inside one transaction that is rolled back.
    async fn dry_run_down(
        &mut self,
        client: &mut impl Conn,
        work: &[Migration],
        skipped: &HashSet<Revision>,
    ) -> Result<Vec<Step>, Error> {
        if let Some(m) = work
            .iter()
            .find(|m| !m.is_transactional() && !skipped.contains(m.revision()))
        {
            return Err(Error::plan(
                Code::TxnNonTransactionalInRun,
                format!(
                    "a dry run cannot include `{}`: it runs outside a transaction",
                    m.revision()
                ),
            ));
        }
        let all: Vec<&Migration> = work.iter().collect();
        client.batch_execute("BEGIN").await?;
        let mut steps = Vec::with_capacity(work.len());
        for (i, m) in work.iter().enumerate() {
            self.report_start(m, Direction::Down);
            let start = Instant::now();
            // Skipped in this environment: only its row goes, as in a real run.
            let result = if skipped.contains(m.revision()) {
                table::write(
                    client,
                    &table::delete_sql(&self.config, m.revision().as_str()),
                )
                .await
                .map_err(Error::from)
            } else {
                run_section(
                    client,
                    &self.config,
                    m,
                    Direction::Down,
                    None,
                    &all[..i],
                    &Record::Delete,
                )
                .await
            };
            if let Err(e) = result {
                let _ = client.batch_execute("ROLLBACK").await;
                return Err(e);
            }
            let mut step = step(m, Direction::Down, start.elapsed());
            step.skipped = skipped.contains(m.revision());
            self.report_end(m, &step);
            steps.push(step);
        }
        client.batch_execute("ROLLBACK").await?;
        Ok(steps)
    }

    async fn stamp_locked(
        &mut self,
        client: &mut impl Conn,
        target: &Target,
    ) -> Result<(Vec<Revision>, Vec<Revision>), Error> {
        table::ensure(client, &self.config).await?;
        let rows = read_rows(client, &self.config, true).await?;
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
        client.batch_execute("BEGIN").await?;
        match self
            .stamp_rows(client, set, &rows, &folded, &desired, &applied)
            .await
        {
            Ok(done) => {
                client.batch_execute("COMMIT").await?;
                Ok(done)
            }
            Err(e) => {
                let _ = client.batch_execute("ROLLBACK").await;
                Err(e)
            }
        }
    }

    /// [`Rules::stamp_locked`]'s writes, inside its transaction.
    async fn stamp_rows(
        &self,
        client: &mut impl Conn,
        set: &MigrationSet,
        rows: &[AppliedRow],
        folded: &[Revision],
        desired: &HashSet<Revision>,
        applied: &HashSet<Revision>,
    ) -> Result<(Vec<Revision>, Vec<Revision>), Error> {
        let mut added = Vec::new();
        let by_rev: HashMap<&Revision, &AppliedRow> =
            rows.iter().map(|r| (&r.revision, r)).collect();
        for m in set.iter().filter(|m| desired.contains(m.revision())) {
            match by_rev.get(m.revision()) {
                None => {
                    let row = new_row(m, RowState::Applied);
                    table::write(
                        client,
                        &table::insert_sql(&self.config, &row, table::Took::Unknown),
                    )
                    .await?;
                    added.push(m.revision().clone());
                }
                Some(r) if r.state != RowState::Applied => {
                    let applied = table::update_state_sql(
                        &self.config,
                        m.revision().as_str(),
                        RowState::Applied,
                        r.statements_done,
                        None,
                    );
                    table::write(client, &applied).await?;
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
            table::write(
                client,
                &table::delete_sql(&self.config, r.revision.as_str()),
            )
            .await?;
            removed.push(r.revision.clone());
            // A checkpoint that the range's rows stood for: those rows go with it.
            if set
                .get(r.revision.as_str())
                .is_some_and(|m| m.replaces().is_some())
            {
                for f in folded.iter().rev() {
                    table::write(client, &table::delete_sql(&self.config, f.as_str())).await?;
                    removed.push(f.clone());
                }
            }
        }
        Ok((added, removed))
    }
}

/// The lock a run holds: the advisory lock's key, or the lease's owner id.
enum Held {
    Advisory(i64),
    Lease(String),
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
async fn commit<M: std::borrow::Borrow<Migration>>(
    client: &mut impl Conn,
    migrations: &[M],
    direction: Direction,
) -> Result<(), Error> {
    let Err(e) = client.batch_execute("COMMIT").await else {
        return Ok(());
    };
    let lost = crate::error::is_connection_lost(&e);
    if !lost {
        let _ = client.batch_execute("ROLLBACK").await;
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

async fn read_rows(
    client: &mut impl Conn,
    config: &Config,
    exists: bool,
) -> Result<Vec<AppliedRow>, Error> {
    table::read(client, config, exists)
        .await
        .map_err(|e| match e {
            ReadError::Db(e) => Error::Database(e),
            ReadError::Corrupt(s) => Error::Corrupt(s),
        })
}

/// Runs a section outside a transaction, one statement at a time, recording after each how
/// many ran (in `state`), so that an interruption can say how far it got. Returns how many
/// statements ran. With a statement lock timeout in `config`, the session's `lock_timeout`
/// is set before the first statement and reset after the last, or after the failure.
async fn run_outside(
    client: &mut impl Conn,
    config: &Config,
    m: &Migration,
    section: Direction,
    sql: &str,
    state: RowState,
) -> Result<i32, Error> {
    let Some(set) = config.set_session_lock_timeout_sql() else {
        return run_statements(client, config, m, section, sql, state).await;
    };
    client.batch_execute(&set).await?;
    let ran = run_statements(client, config, m, section, sql, state).await;
    match ran {
        Ok(done) => {
            client.batch_execute("RESET lock_timeout").await?;
            Ok(done)
        }
        Err(e) => {
            // The migration's own error is the one to report; a connection too broken to
            // reset the setting takes the setting with it.
            let _ = client.batch_execute("RESET lock_timeout").await;
            Err(e)
        }
    }
}

/// [`run_outside`]'s statements and progress rows.
async fn run_statements(
    client: &mut impl Conn,
    config: &Config,
    m: &Migration,
    section: Direction,
    sql: &str,
    state: RowState,
) -> Result<i32, Error> {
    let stmts = statements(sql);
    for (i, stmt) in stmts.iter().enumerate() {
        client
            .batch_execute(&sql[stmt.clone()])
            .await
            .map_err(|e| {
                statement_error(
                    m,
                    section,
                    i,
                    stmt.clone(),
                    &e,
                    Outcome::Interrupted { done: i },
                )
            })?;
        let progress =
            table::update_state_sql(config, m.revision().as_str(), state, i as i32 + 1, None);
        table::write(client, &progress)
            .await
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

/// The version-table write that goes with a transactional section, in its transaction.
enum Record<'a> {
    /// Going up: the migration's new row, and whether the head cache's trigger is quiet in
    /// the run's transactions (the write then starts with [`head::quiet_sql`]).
    Insert(NewRow<'a>, head::Trigger),
    /// Going down: the removal of its row.
    Delete,
}

impl Record<'_> {
    /// The write's SQL for `m`, `took` the duration a new row records.
    fn sql(&self, config: &Config, m: &Migration, took: table::Took) -> String {
        match self {
            Record::Insert(row, head::Trigger::Fires) => table::insert_sql(config, row, took),
            Record::Insert(row, head::Trigger::Quiet) => format!(
                "{};\n{}",
                head::quiet_sql(config),
                table::insert_sql(config, row, took)
            ),
            Record::Delete => table::delete_sql(config, m.revision().as_str()),
        }
    }
}

/// Where a section's failure was found.
enum Located {
    /// A statement of the section: its index, its byte range, and the byte offset of the
    /// error in it.
    Statement(usize, std::ops::Range<usize>, usize),
    /// The version-table write after the section.
    Record,
    /// Nowhere that could be told.
    Unknown,
}

/// Runs a transactional section and the version-table write that records it (`record`) in
/// one round trip: `BEGIN` (when `begin` says how the transaction of its own commits, followed
/// by [`Commit::set_local_sql`]), the section's SQL and the write as one simple
/// query, so PostgreSQL runs the statements in order, as `psql -1` would, without a round
/// trip each, and the write in the same transaction. The transaction is left open on success;
/// it is rolled back on failure.
///
/// On failure, PostgreSQL's position (when it gives one in the section) names the statement.
/// When it does not (a constraint violated at run time, or the write failing), the section is
/// run again in a new transaction one statement at a time, after `before` (the SQL the run
/// applied before it in the same transaction, in single-transaction mode), then the write, to
/// find the one that fails; then that transaction is rolled back too. Statements run twice
/// only on that failure path, and always inside a transaction that is rolled back. A failing
/// write is reported as [`Error::Database`], as a write to the version table.
///
/// The section ends in whole tokens ([`txn_control::refuse`] made sure before the run), so
/// the `;` after it starts the write as a statement of its own.
///
/// With a statement lock timeout in `config`, the section is preceded by `SET LOCAL
/// lock_timeout`, in the replay too, so a statement that waited too long fails there again.
///
/// A Rust migration's functions run instead of SQL (in the transaction `begin` asks for or
/// the one already open), then the write, as a message of its own.
async fn run_section(
    client: &mut impl Conn,
    config: &Config,
    m: &Migration,
    section: Direction,
    begin: Option<Commit>,
    before: &[&Migration],
    record: &Record<'_>,
) -> Result<(), Error> {
    if m.is_rust() {
        let start = Instant::now();
        client.run_rust(config, m, section).await?;
        let write = record.sql(config, m, table::Took::Measured(start.elapsed()));
        if let Err(e) = table::write(client, &write).await {
            let _ = client.batch_execute("ROLLBACK").await;
            return Err(e.into());
        }
        return Ok(());
    }
    let sql = section_sql(m, section);
    let set_local = config.set_local_lock_timeout_sql();
    let write = record.sql(config, m, table::Took::SinceMessage);
    let mut batch = String::with_capacity(sql.len() + write.len() + 64);
    if let Some(commit) = begin {
        batch.push_str("BEGIN;\n");
        if let Some(set) = commit.set_local_sql() {
            batch.push_str(set);
            batch.push_str(";\n");
        }
    }
    if let Some(set) = &set_local {
        batch.push_str(set);
        batch.push_str(";\n");
    }
    let prefix_len = batch.len();
    batch.push_str(sql);
    // A line break ends a trailing `--` comment, and `;` a last statement without one.
    batch.push_str("\n;\n");
    batch.push_str(&write);
    let Err(e) = client.run_body(m, section, &batch).await else {
        return Ok(());
    };
    let _ = client.batch_execute("ROLLBACK").await;
    let stmts = statements(sql);
    // The prefix is ASCII: its length in bytes is its length in characters.
    let prefix_chars = batch[..prefix_len].chars().count();
    // A character position in `sql`, if PostgreSQL points into it.
    let in_sql = char_position(&e)
        .and_then(|p| p.checked_sub(prefix_chars + 1))
        .and_then(|i| sql.char_indices().nth(i));
    let located = match in_sql {
        // The statement that holds it.
        Some((at, _)) => stmts
            .iter()
            .position(|r| at < r.end)
            .map_or(Located::Unknown, |i| {
                Located::Statement(i, stmts[i].clone(), at - stmts[i].start)
            }),
        // Not the SQL's fault: the session is gone, or the statement was cancelled (by a
        // person, or by `statement_timeout`). Running the section again to find the
        // statement would only repeat the wait, or fail on the dead connection.
        None if crate::error::is_connection_lost(&e) || is_cancel(&e) => Located::Unknown,
        // No position, or one past the SQL: in the write, or where a last statement left
        // incomplete meets the `;` after it (a syntax error at its end); the replay tells.
        None => {
            locate_by_replay(
                client,
                set_local.as_deref(),
                section,
                sql,
                &stmts,
                before,
                &write,
            )
            .await
        }
    };
    Err(match located {
        Located::Statement(index, range, offset) => {
            statement_error_at(m, section, index, range, offset, &e, Outcome::RolledBack)
        }
        Located::Record => Error::Database(e),
        Located::Unknown => {
            statement_error_at(m, section, usize::MAX, 0..0, 0, &e, Outcome::RolledBack)
        }
    })
}

/// Runs `before`, then `sql`'s statements one by one, then `write`, in a transaction that is
/// rolled back, and returns the first that fails (a statement with the byte offset of the
/// error in it).
async fn locate_by_replay(
    client: &mut impl Conn,
    set_local: Option<&str>,
    section: Direction,
    sql: &str,
    stmts: &[std::ops::Range<usize>],
    before: &[&Migration],
    write: &str,
) -> Located {
    if client.batch_execute("BEGIN").await.is_err() {
        return Located::Unknown;
    }
    let mut found = Located::Unknown;
    let mut ready = match set_local {
        Some(set) => client.batch_execute(set).await.is_ok(),
        None => true,
    };
    for b in before {
        if !ready {
            break;
        }
        ready = client.batch_execute(section_sql(b, section)).await.is_ok();
    }
    if ready {
        for (i, r) in stmts.iter().enumerate() {
            if let Err(again) = client.batch_execute(&sql[r.clone()]).await {
                let offset = char_position(&again)
                    .and_then(|p| sql[r.clone()].char_indices().nth(p - 1).map(|(b, _)| b))
                    .unwrap_or(0);
                found = Located::Statement(i, r.clone(), offset);
                ready = false;
                break;
            }
        }
    }
    if ready && client.batch_execute(write).await.is_err() {
        found = Located::Record;
    }
    let _ = client.batch_execute("ROLLBACK").await;
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
        skipped: false,
    }
}

fn new_row(m: &Migration, state: RowState) -> NewRow<'_> {
    let (down_sql, irreversible) = crate::rust::recorded_down(m);
    NewRow {
        revision: m.revision().as_str(),
        down_revisions: m
            .down_revisions()
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect(),
        message: m.message(),
        checksum: m.checksum().to_hex(),
        down_sql,
        irreversible,
        transactional: m.is_transactional(),
        state,
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
        unflushed: Vec::new(),
        snippet: format!("{}{sql}", "\n".repeat(first_line - 1)),
    }))
}
