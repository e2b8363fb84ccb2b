//! The version table: its DDL and every statement that reads or writes it.
//!
//! One row per applied revision. Values always travel as parameters; only the table's
//! (quoted) name is written into the SQL.

use std::time::{Duration, SystemTime};

use retort_core::{Checksum, Revision};

use crate::config::Config;
use crate::driver::Conn;

/// The state of a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowState {
    /// The migration was applied whole.
    Applied,
    /// A non-transactional migration started and has not finished (or failed) applying;
    /// `statements_done` of its statements ran.
    Started,
    /// A non-transactional migration started and has not finished (or failed) reverting.
    Reverting,
}

impl RowState {
    fn as_str(self) -> &'static str {
        match self {
            RowState::Applied => "applied",
            RowState::Started => "started",
            RowState::Reverting => "reverting",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "applied" => Some(RowState::Applied),
            "started" => Some(RowState::Started),
            "reverting" => Some(RowState::Reverting),
            _ => None,
        }
    }
}

/// `statements_done` of a row recorded as skipped (state `applied`): tables made by earlier
/// versions accept it, as their `state` check knows no other word, and an earlier build reads
/// the row as applied with no down SQL, so it refuses to revert it rather than run its SQL.
pub(crate) const SKIPPED: i32 = -1;

/// One row of the version table.
#[derive(Clone, Debug, PartialEq)]
pub struct AppliedRow {
    /// The revision.
    pub revision: Revision,
    /// Its parents, as recorded when it was applied.
    pub down_revisions: Vec<Revision>,
    /// Its message.
    pub message: String,
    /// The checksum of its up SQL when it was applied.
    pub checksum: Checksum,
    /// Whether it ran in a transaction.
    pub transactional: bool,
    /// Applied, or interrupted.
    pub state: RowState,
    /// For an interrupted non-transactional migration: how many statements ran.
    pub statements_done: i32,
    /// When it was applied (or started).
    pub applied_at: SystemTime,
    /// How long it took, once done.
    pub duration: Option<Duration>,
}

/// What a new row records.
pub struct NewRow<'a> {
    pub revision: &'a str,
    pub down_revisions: Vec<String>,
    pub message: &'a str,
    pub checksum: String,
    pub down_sql: Option<&'a str>,
    pub irreversible: Option<&'a str>,
    pub transactional: bool,
    pub state: RowState,
    pub duration_ms: Option<f64>,
}

/// The DDL, idempotent: run under the lock, so concurrent first runs cannot race.
pub fn create_sql(config: &Config) -> String {
    let t = config.qualified_table();
    let schema = config
        .get_schema()
        .map(|s| format!("CREATE SCHEMA IF NOT EXISTS {};\n", s.quoted()))
        .unwrap_or_default();
    format!(
        "{schema}CREATE TABLE IF NOT EXISTS {t} (\n    \
         seq bigint GENERATED ALWAYS AS IDENTITY,\n    \
         revision text PRIMARY KEY,\n    \
         down_revisions text[] NOT NULL,\n    \
         message text NOT NULL,\n    \
         checksum text NOT NULL,\n    \
         down_sql text,\n    \
         irreversible text,\n    \
         transactional boolean NOT NULL,\n    \
         state text NOT NULL CHECK (state IN ('applied', 'started', 'reverting')),\n    \
         statements_done integer NOT NULL DEFAULT 0,\n    \
         applied_at timestamptz NOT NULL DEFAULT clock_timestamp(),\n    \
         duration_ms double precision\n);\n"
    )
}

/// Creates the table if it is missing. Checks first, so that an existing table costs one
/// read and no DDL (no lock on the catalog, no notice).
pub async fn ensure(client: &mut impl Conn, config: &Config) -> Result<(), postgres::Error> {
    if !exists(client, config).await? {
        client.batch_execute(&create_sql(config)).await?;
    }
    Ok(())
}

/// Whether the version table exists.
pub async fn exists(client: &mut impl Conn, config: &Config) -> Result<bool, postgres::Error> {
    let row = client
        .query_one(
            "SELECT to_regclass($1) IS NOT NULL",
            &[&config.qualified_table()],
        )
        .await?;
    Ok(row.get(0))
}

/// Why the rows could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// The query failed.
    Db(postgres::Error),
    /// A row holds something retort never writes (edited by hand, or another tool's table).
    Corrupt(String),
}

impl From<postgres::Error> for ReadError {
    fn from(e: postgres::Error) -> Self {
        ReadError::Db(e)
    }
}

/// Every row, in the order they were applied. An absent table reads as empty; `known_to_exist`
/// saves the look-up when the caller has just made sure of it.
pub async fn read(
    client: &mut impl Conn,
    config: &Config,
    known_to_exist: bool,
) -> Result<Vec<AppliedRow>, ReadError> {
    if !known_to_exist && !exists(client, config).await? {
        return Ok(Vec::new());
    }
    let rows = client
        .query(
            &format!(
                "SELECT revision, down_revisions, message, checksum, transactional, state, \
             statements_done, applied_at, duration_ms FROM {} ORDER BY seq",
                config.qualified_table()
            ),
            &[],
        )
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let revision: String = row.get(0);
        let parents: Vec<String> = row.get(1);
        let checksum: String = row.get(3);
        let state: String = row.get(5);
        let bad = |what: String| {
            ReadError::Corrupt(format!(
                "row `{revision}` of the version table {} has {what}",
                config.display_table()
            ))
        };
        let parse_rev = |s: &str| {
            Revision::parse(s).map_err(|e| bad(format!("an invalid revision `{s}` ({e})")))
        };
        out.push(AppliedRow {
            revision: parse_rev(&revision)?,
            down_revisions: parents
                .iter()
                .map(|p| parse_rev(p))
                .collect::<Result<_, _>>()?,
            message: row.get(2),
            checksum: Checksum::from_hex(&checksum)
                .ok_or_else(|| bad("a malformed checksum".to_owned()))?,
            transactional: row.get(4),
            state: RowState::parse(&state)
                .ok_or_else(|| bad(format!("an unknown state `{state}`")))?,
            statements_done: row.get(6),
            applied_at: row.get(7),
            duration: row
                .get::<_, Option<f64>>(8)
                .map(|ms| Duration::from_secs_f64(ms.max(0.0) / 1e3)),
        });
    }
    Ok(out)
}

/// What a row records about reverting its revision.
pub struct StoredDown {
    /// The down SQL, if the migration had one.
    pub down_sql: Option<String>,
    /// Why it is irreversible, if it is.
    pub irreversible: Option<String>,
}

/// The down SQL and irreversibility recorded for a revision.
pub async fn stored_down(
    client: &mut impl Conn,
    config: &Config,
    revision: &str,
) -> Result<Option<StoredDown>, postgres::Error> {
    let row = client
        .query_opt(
            &format!(
                "SELECT down_sql, irreversible FROM {} WHERE revision = $1",
                config.qualified_table()
            ),
            &[&revision],
        )
        .await?;
    Ok(row.map(|r| StoredDown {
        down_sql: r.get(0),
        irreversible: r.get(1),
    }))
}

impl AppliedRow {
    /// Whether its migration was recorded as skipped (limited to other environments).
    pub fn is_skipped(&self) -> bool {
        self.state == RowState::Applied && self.statements_done == SKIPPED
    }
}

/// What a skipped migration's row says in place of a down: why it did not run here.
pub(crate) fn skipped_reason(m: &retort_core::Migration, environment: Option<&str>) -> String {
    let environments: Vec<&str> = m.environments().iter().map(|e| e.as_ref()).collect();
    format!(
        "skipped: limited to {}, and this run's environment is {}",
        environments.join(", "),
        environment.map_or_else(|| "not named".to_owned(), |e| format!("`{e}`"))
    )
}

/// Records `row`'s migration as skipped, with `why` in place of a down (no down SQL).
pub async fn insert_skipped(
    client: &mut impl Conn,
    config: &Config,
    row: &NewRow<'_>,
    why: &str,
) -> Result<(), postgres::Error> {
    let sql = format!(
        "INSERT INTO {} (revision, down_revisions, message, checksum, down_sql, irreversible, \
         transactional, state, statements_done) VALUES ($1, $2, $3, $4, NULL, $5, $6, 'applied', $7)",
        config.qualified_table()
    );
    client
        .execute(
            sql.as_str(),
            &[
                &row.revision,
                &row.down_revisions,
                &row.message,
                &row.checksum,
                &why,
                &row.transactional,
                &SKIPPED,
            ],
        )
        .await?;
    Ok(())
}

/// The INSERT of a new row (parameters in [`insert_params`]' order).
pub fn insert_sql(config: &Config) -> String {
    format!(
        "INSERT INTO {} (revision, down_revisions, message, checksum, down_sql, irreversible, \
         transactional, state, duration_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        config.qualified_table()
    )
}

/// Inserts a row.
pub async fn insert(
    client: &mut impl Conn,
    statement: &postgres::Statement,
    row: &NewRow<'_>,
) -> Result<(), postgres::Error> {
    client
        .execute(
            statement,
            &[
                &row.revision,
                &row.down_revisions,
                &row.message,
                &row.checksum,
                &row.down_sql,
                &row.irreversible,
                &row.transactional,
                &row.state.as_str(),
                &row.duration_ms,
            ],
        )
        .await?;
    Ok(())
}

/// Sets a row's state, progress and duration.
pub async fn update_state(
    client: &mut impl Conn,
    config: &Config,
    revision: &str,
    state: RowState,
    statements_done: i32,
    duration_ms: Option<f64>,
) -> Result<(), postgres::Error> {
    client.execute(
        &format!(
            "UPDATE {} SET state = $2, statements_done = $3, duration_ms = $4 WHERE revision = $1",
            config.qualified_table()
        ),
        &[&revision, &state.as_str(), &statements_done, &duration_ms],
    )
    .await?;
    Ok(())
}

/// Deletes a row.
pub async fn delete(
    client: &mut impl Conn,
    config: &Config,
    revision: &str,
) -> Result<(), postgres::Error> {
    client
        .execute(
            &format!(
                "DELETE FROM {} WHERE revision = $1",
                config.qualified_table()
            ),
            &[&revision],
        )
        .await?;
    Ok(())
}
