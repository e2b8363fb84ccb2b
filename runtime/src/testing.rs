//! Tests of a migration set on a real database, for a user's own test suite:
//! [`stairway`] runs every revision up, down and up again and checks that the schema comes
//! back each time; [`migrate_to`] puts a database at one revision, for data tests (insert rows
//! at one revision, upgrade, assert).
//!
//! The schema is compared as PostgreSQL prints it (`pg_catalog`: columns with types,
//! defaults and nullability, constraints, indexes, views, sequences, functions, triggers,
//! enum labels, schemas and extensions), the version table left out. `retort test` does the
//! same from the command line and compares with the build's schema model as well.
//!
//! ```no_run
//! # fn demo(set: &retort_core::MigrationSet, client: &mut postgres::Client) -> Result<(), Box<dyn std::error::Error>> {
//! // In a test, on an empty database:
//! let report = retort_runtime::testing::stairway(set, client)?;
//! assert_eq!(report.revisions, set.len());
//! # Ok(()) }
//! ```

use std::collections::{BTreeSet, HashSet};

use postgres::Client;
use retort_core::plan::History;
use retort_core::target::Target;
use retort_core::{MigrationSet, Revision};

use crate::{Config, Error, Migrator, Step};

/// Which step of the stairway.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StairStep {
    /// The first upgrade to the revision.
    Up,
    /// Its downgrade.
    Down,
    /// The upgrade after the downgrade.
    UpAgain,
}

impl std::fmt::Display for StairStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StairStep::Up => "upgrading to",
            StairStep::Down => "downgrading",
            StairStep::UpAgain => "upgrading again to",
        })
    }
}

/// Why the stairway stopped.
#[derive(Debug, thiserror::Error)]
pub enum StairwayError {
    /// A migration failed (the runtime's error says which statement).
    #[error("{step} `{revision}` failed: {source}")]
    Migration {
        /// The revision.
        revision: Revision,
        /// The step.
        step: StairStep,
        /// The runtime's error.
        source: Error,
    },
    /// After a step, the schema is not what it was: after a down, what it was before the
    /// up; after the second up, what the first up made.
    #[error(
        "after {step} `{revision}`, the schema differs from {expected}: missing {missing:?}, \
         unexpected {unexpected:?}"
    )]
    Differs {
        /// The revision.
        revision: Revision,
        /// The step.
        step: StairStep,
        /// What it was compared with.
        expected: &'static str,
        /// Catalog lines expected and absent.
        missing: Vec<String>,
        /// Catalog lines present and not expected.
        unexpected: Vec<String>,
    },
    /// The revisions cannot be ordered (a broken set).
    #[error("the migration set has no history: {0}")]
    History(String),
    /// Reading the catalog failed.
    #[error("reading the catalog failed: {0}")]
    Database(#[from] postgres::Error),
    /// Reading the version table failed, or it holds what the set does not know.
    #[error("reading the version table failed: {0}")]
    Status(Error),
}

/// What a stairway did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StairwayReport {
    /// Revisions upgraded to.
    pub revisions: usize,
    /// Revisions downgraded and upgraded again (the others are irreversible).
    pub reverted: usize,
}

/// The stairway with its settings: the version table's configuration and the revisions
/// whose down is lossy on purpose (their down is run, but the schema after it is not
/// compared with the one before the up).
pub struct Stairway<'s> {
    set: &'s MigrationSet,
    config: Config,
    lossy: HashSet<String>,
}

impl<'s> Stairway<'s> {
    /// The stairway over `set`, with the default configuration.
    pub fn new(set: &'s MigrationSet) -> Self {
        Stairway {
            set,
            config: Config::default(),
            lossy: HashSet::new(),
        }
    }

    /// The version table's configuration.
    pub fn with_config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Revisions whose down does not restore the schema on purpose (`lossy_down:`).
    pub fn lossy<I: IntoIterator<Item = S>, S: Into<String>>(mut self, revisions: I) -> Self {
        self.lossy.extend(revisions.into_iter().map(Into::into));
        self
    }

    /// Runs it on `client`'s database, which should hold none of the set's revisions: for
    /// each revision in history order, with exactly its ancestors applied (a branch switch
    /// downgrades to the base first), upgrade to it, downgrade it and compare the schema with
    /// the one before, upgrade again and compare with the one after the first upgrade. After
    /// a Rust data migration's up, the schema must be the one before it.
    pub fn run(&self, client: &mut Client) -> Result<StairwayReport, StairwayError> {
        let history =
            History::from_set(self.set).map_err(|e| StairwayError::History(e.to_string()))?;
        let mut report = StairwayReport::default();
        let mut applied: HashSet<Revision> = self.applied(client)?;
        for rev in history.revisions() {
            let ancestors: HashSet<Revision> = history
                .ancestors_of(rev.as_str())
                .unwrap_or_default()
                .into_iter()
                .collect();
            if applied != ancestors {
                if !applied.is_empty() {
                    self.go(client, &Target::Base, false, rev, StairStep::Up)?;
                }
                for p in history.parents(rev.as_str()).unwrap_or_default() {
                    let t = Target::Revision(p.as_str().to_owned());
                    self.go(client, &t, true, rev, StairStep::Up)?;
                }
            }
            let target = Target::Revision(rev.as_str().to_owned());
            let before = snapshot(client, &self.config)?;
            self.go(client, &target, true, rev, StairStep::Up)?;
            report.revisions += 1;
            if self.set.get(rev.as_str()).is_some_and(|m| m.is_rust()) {
                // Data only: the build took the schema to be what it was before.
                same(
                    client,
                    &self.config,
                    &before,
                    rev,
                    StairStep::Up,
                    "before it (a Rust migration is for data and must not change the schema)",
                )?;
            }
            let irreversible = self
                .set
                .get(rev.as_str())
                .is_some_and(|m| m.irreversible().is_some());
            if !irreversible {
                let after = snapshot(client, &self.config)?;
                self.go(client, &Target::Relative(-1), false, rev, StairStep::Down)?;
                if !self.lossy.contains(rev.as_str()) {
                    same(
                        client,
                        &self.config,
                        &before,
                        rev,
                        StairStep::Down,
                        "before its up",
                    )?;
                }
                self.go(client, &target, true, rev, StairStep::UpAgain)?;
                same(
                    client,
                    &self.config,
                    &after,
                    rev,
                    StairStep::UpAgain,
                    "after its first up",
                )?;
                report.reverted += 1;
            }
            applied = ancestors;
            applied.insert(rev.clone());
        }
        Ok(report)
    }

    /// The revisions applied now.
    fn applied(&self, client: &mut Client) -> Result<HashSet<Revision>, StairwayError> {
        let status = Migrator::new(self.set)
            .with_config(self.config.clone())
            .status(client)
            .map_err(StairwayError::Status)?;
        Ok(status.applied.into_iter().map(|r| r.revision).collect())
    }

    /// Upgrades or downgrades to `target` for the step `step` of `rev`.
    fn go(
        &self,
        client: &mut Client,
        target: &Target,
        up: bool,
        rev: &Revision,
        step: StairStep,
    ) -> Result<Vec<Step>, StairwayError> {
        let mut m = Migrator::new(self.set).with_config(self.config.clone());
        let r = if up {
            m.upgrade(client, target)
        } else {
            m.downgrade(client, target)
        };
        r.map_err(|source| StairwayError::Migration {
            revision: rev.clone(),
            step,
            source,
        })
    }
}

/// [`Stairway::run`] with the default configuration and no lossy downs.
pub fn stairway(set: &MigrationSet, client: &mut Client) -> Result<StairwayReport, StairwayError> {
    Stairway::new(set).run(client)
}

/// Puts the database at exactly `revision` (an id or a unique prefix): upgrades to it when it
/// is not applied, downgrades to it when something after it is. Returns the migrations run.
pub fn migrate_to(
    set: &MigrationSet,
    client: &mut Client,
    revision: &str,
) -> Result<Vec<Step>, Error> {
    let target = Target::Revision(revision.to_owned());
    let status = Migrator::new(set).status(client)?;
    let history = History::from_set(set)?;
    let rev = history.resolve(revision)?;
    if status.applied.iter().any(|r| r.revision == rev) {
        Migrator::new(set).downgrade(client, &target)
    } else {
        Migrator::new(set).upgrade(client, &target)
    }
}

/// Compares the catalog now with `expected`.
fn same(
    client: &mut Client,
    config: &Config,
    expected: &BTreeSet<String>,
    rev: &Revision,
    step: StairStep,
    what: &'static str,
) -> Result<(), StairwayError> {
    let now = snapshot(client, config)?;
    if &now == expected {
        return Ok(());
    }
    Err(StairwayError::Differs {
        revision: rev.clone(),
        step,
        expected: what,
        missing: expected.difference(&now).cloned().collect(),
        unexpected: now.difference(expected).cloned().collect(),
    })
}

/// The schema as PostgreSQL prints it, one line per fact, the runtime's own objects left out:
/// the version table, the lease table of `lock = "table"` and the head cache (its table, its
/// function and its trigger on the version table), which runs make as they need them.
pub fn snapshot(client: &mut Client, config: &Config) -> Result<BTreeSet<String>, postgres::Error> {
    const USER: &str = "NOT IN ('pg_catalog', 'information_schema', 'pg_toast')";
    // $1 the version table, $2 the lease table, $3 the head table and its function.
    const OURS: &str = "($1::text, $2::text, $3::text)";
    let table = config.get_table().as_str().to_owned();
    let lock = config.lock_table_name().as_str().to_owned();
    let head = config.head_table_name().as_str().to_owned();
    let queries = [
        format!(
            "SELECT 'column ' || table_schema || '.' || table_name || '.' || column_name || ' ' \
             || data_type || ' ' || coalesce(udt_name, '') || ' ' || is_nullable || ' ' || \
             coalesce(column_default, '') || ' ' || coalesce(collation_name, '') || ' ' || \
             is_identity FROM information_schema.columns WHERE table_schema {USER} \
             AND table_name NOT IN {OURS}"
        ),
        format!(
            "SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || \
             pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_namespace n \
             ON n.oid = c.connamespace JOIN pg_class r ON r.oid = c.conrelid \
             WHERE n.nspname {USER} AND conrelid <> 0 AND r.relname NOT IN {OURS}"
        ),
        format!(
            "SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname {USER} \
             AND tablename NOT IN {OURS}"
        ),
        format!(
            "SELECT 'view ' || schemaname || '.' || viewname || ' ' || definition FROM pg_views \
             WHERE schemaname {USER} AND {OURS} IS NOT NULL UNION ALL \
             SELECT 'matview ' || schemaname || '.' || matviewname || ' ' || definition \
             FROM pg_matviews WHERE schemaname {USER}"
        ),
        format!(
            "SELECT 'sequence ' || schemaname || '.' || sequencename || ' ' || data_type || ' ' \
             || start_value || ' ' || min_value || ' ' || max_value || ' ' || increment_by || \
             ' ' || cycle || ' ' || cache_size FROM pg_sequences WHERE schemaname {USER} \
             AND sequencename NOT LIKE $1::text || '%' AND {OURS} IS NOT NULL"
        ),
        format!(
            "SELECT 'function ' || pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n \
             ON n.oid = p.pronamespace WHERE n.nspname {USER} AND p.prokind IN ('f', 'p') \
             AND NOT (p.proname = $3::text AND p.prorettype = 'trigger'::regtype) \
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE \
             d.objid = p.oid AND d.deptype = 'e') AND {OURS} IS NOT NULL"
        ),
        "SELECT 'trigger ' || pg_get_triggerdef(t.oid) FROM pg_trigger t \
         JOIN pg_class r ON r.oid = t.tgrelid WHERE NOT t.tgisinternal \
         AND NOT (t.tgname = 'retort_head' AND r.relname = $1::text) \
         AND ($1::text, $2::text, $3::text) IS NOT NULL"
            .to_owned(),
        format!(
            "SELECT 'enum ' || n.nspname || '.' || t.typname || ' ' || string_agg(e.enumlabel, \
             ',' ORDER BY e.enumsortorder) FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid \
             JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname {USER} \
             AND {OURS} IS NOT NULL GROUP BY n.nspname, t.typname"
        ),
        format!(
            "SELECT 'schema ' || nspname FROM pg_namespace WHERE nspname {USER} \
             AND nspname NOT LIKE 'pg\\_%' AND {OURS} IS NOT NULL"
        ),
        "SELECT 'extension ' || extname FROM pg_extension \
         WHERE ($1::text, $2::text, $3::text) IS NOT NULL"
            .to_owned(),
    ];
    let mut out = BTreeSet::new();
    for q in &queries {
        for row in client.query(q.as_str(), &[&table, &lock, &head])? {
            out.insert(row.get::<_, String>(0));
        }
    }
    Ok(out)
}
