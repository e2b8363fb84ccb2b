//! The version table: its DDL and every statement that reads or writes it.
//!
//! One row per applied revision. Reads take their values as parameters. Writes are SQL
//! text, every value a literal made by [`literal`] (and the table's quoted name), so that the
//! write recording a migration travels in the same message as the migration's SQL.

use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

use postgres::types::Type;
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
}

/// How long a new row's migration took, as its INSERT writes it.
#[derive(Clone, Copy, Debug)]
pub enum Took {
    /// Not known (yet): `NULL`.
    Unknown,
    /// Measured by the client.
    Measured(Duration),
    /// Measured by the server: from the arrival of the message that holds the INSERT (the
    /// migration's SQL before it, in the same message) to the INSERT.
    SinceMessage,
}

/// `s` as an SQL string literal: `E'…'`, with `\` and `'` doubled, which PostgreSQL reads
/// back byte for byte whatever `standard_conforming_strings` says.
pub fn literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 3);
    out.push_str("E'");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("''"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

fn opt_literal(s: Option<&str>) -> String {
    s.map_or_else(|| "NULL".to_owned(), literal)
}

fn array_literal(items: &[String]) -> String {
    let mut out = "ARRAY[".to_owned();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&literal(item));
    }
    out.push_str("]::text[]");
    out
}

/// A duration in milliseconds as SQL: `NULL` when there is none.
fn millis(duration_ms: Option<f64>) -> String {
    // `{:?}` keeps a `.` (or an exponent), so the server reads a float, never an integer
    // overflowing; NaN and infinities never come out of a `Duration`.
    duration_ms.map_or_else(|| "NULL".to_owned(), |ms| format!("{ms:?}::float8"))
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
    let rows = client
        .query_typed(
            "SELECT to_regclass($1) IS NOT NULL",
            &[(&config.qualified_table(), Type::TEXT)],
        )
        .await?;
    Ok(rows.first().is_some_and(|r| r.get(0)))
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
        .query_typed(
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
    let rows = client
        .query_typed(
            &format!(
                "SELECT down_sql, irreversible FROM {} WHERE revision = $1",
                config.qualified_table()
            ),
            &[(&revision, Type::TEXT)],
        )
        .await?;
    Ok(rows.first().map(|r| StoredDown {
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

/// The INSERT that records `row`'s migration as skipped, with `why` in place of a down (no
/// down SQL).
pub fn insert_skipped_sql(config: &Config, row: &NewRow<'_>, why: &str) -> String {
    format!(
        "INSERT INTO {} (revision, down_revisions, message, checksum, down_sql, irreversible, \
         transactional, state, statements_done) VALUES ({}, {}, {}, {}, NULL, {}, {}, 'applied', {})",
        config.qualified_table(),
        literal(row.revision),
        array_literal(&row.down_revisions),
        literal(row.message),
        literal(&row.checksum),
        literal(why),
        row.transactional,
        SKIPPED
    )
}

/// The INSERT of a new row, `took` its duration.
pub fn insert_sql(config: &Config, row: &NewRow<'_>, took: Took) -> String {
    let duration = match took {
        Took::Unknown => "NULL".to_owned(),
        Took::Measured(d) => millis(Some(d.as_secs_f64() * 1e3)),
        Took::SinceMessage => {
            "(extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000)::float8"
                .to_owned()
        }
    };
    let mut sql = String::with_capacity(
        256 + row.message.len() + row.down_sql.map_or(0, str::len) + 16 * row.down_revisions.len(),
    );
    let _ = write!(
        sql,
        "INSERT INTO {} (revision, down_revisions, message, checksum, down_sql, irreversible, \
         transactional, state, duration_ms) VALUES ({}, {}, {}, {}, {}, {}, {}, '{}', {duration})",
        config.qualified_table(),
        literal(row.revision),
        array_literal(&row.down_revisions),
        literal(row.message),
        literal(&row.checksum),
        opt_literal(row.down_sql),
        opt_literal(row.irreversible),
        row.transactional,
        row.state.as_str(),
    );
    sql
}

/// The UPDATE that sets a row's state, progress and duration.
pub fn update_state_sql(
    config: &Config,
    revision: &str,
    state: RowState,
    statements_done: i32,
    duration_ms: Option<f64>,
) -> String {
    format!(
        "UPDATE {} SET state = '{}', statements_done = {statements_done}, duration_ms = {} \
         WHERE revision = {}",
        config.qualified_table(),
        state.as_str(),
        millis(duration_ms),
        literal(revision)
    )
}

/// The DELETE of a row.
pub fn delete_sql(config: &Config, revision: &str) -> String {
    format!(
        "DELETE FROM {} WHERE revision = {}",
        config.qualified_table(),
        literal(revision)
    )
}

/// Runs one of the writes above by itself: one round trip.
pub async fn write(client: &mut impl Conn, sql: &str) -> Result<(), postgres::Error> {
    client.batch_execute(sql).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_double_quotes_and_backslashes_only() {
        assert_eq!(literal(""), "E''");
        assert_eq!(literal("it's"), "E'it''s'");
        assert_eq!(literal(r"a\b\'"), r"E'a\\b\\'''");
        assert_eq!(literal("$$ é\n"), "E'$$ é\n'");
        assert_eq!(array_literal(&[]), "ARRAY[]::text[]");
        assert_eq!(
            array_literal(&["a".to_owned(), "b'".to_owned()]),
            "ARRAY[E'a', E'b''']::text[]"
        );
        assert_eq!(millis(None), "NULL");
        assert_eq!(millis(Some(2.0)), "2.0::float8");
    }

    #[test]
    fn writes_quote_every_value() {
        let c = Config::new().schema("s").unwrap();
        let row = NewRow {
            revision: "r'1",
            down_revisions: vec!["p".to_owned()],
            message: r"m\",
            checksum: "ab".to_owned(),
            down_sql: None,
            irreversible: Some("no"),
            transactional: true,
            state: RowState::Started,
        };
        assert_eq!(
            insert_sql(&c, &row, Took::Unknown),
            r#"INSERT INTO "s"."retort_migrations" (revision, down_revisions, message, checksum, down_sql, irreversible, transactional, state, duration_ms) VALUES (E'r''1', ARRAY[E'p']::text[], E'm\\', E'ab', NULL, E'no', true, 'started', NULL)"#
        );
        assert_eq!(
            delete_sql(&c, "x"),
            r#"DELETE FROM "s"."retort_migrations" WHERE revision = E'x'"#
        );
        assert!(
            update_state_sql(&c, "x", RowState::Applied, 3, Some(1.5)).ends_with(
                "SET state = 'applied', statements_done = 3, duration_ms = 1.5::float8 \
                 WHERE revision = E'x'"
            )
        );
    }
}
