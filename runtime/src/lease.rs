//! The lock of [`LockStrategy::Table`](crate::LockStrategy::Table): a lease, one row in a
//! lock table in the version table's schema (`<table>_lock`, see
//! [`Config::qualified_lock_table`]).
//!
//! Every operation is one short statement in a transaction of its own, so the lease holds
//! no session state: it works through a pooler in transaction mode and on servers without
//! advisory locks. The row says who holds it: a random owner id of the run, the backend pid
//! and `application_name` that took it, the client address, when it was taken and when it
//! expires.
//!
//! - acquire: an `INSERT … ON CONFLICT (id) DO UPDATE … WHERE expires_at < now()`: it takes
//!   the row when there is none or when the one there has expired, atomically (a conflicting
//!   insert waits for the other's commit, then sees its row). Retried with the advisory
//!   lock's pauses up to the same timeout; when the timeout runs out, the error names the
//!   holder from the row.
//! - release: `DELETE … WHERE owner = <this run>`, on every way out of a run that the rules
//!   see (success, error, panic) and, with the async driver, when the run is dropped; a
//!   lease that expired and was taken over is not someone else's to delete, and is not.
//!
//! What it does not guarantee: a run that is killed, or whose connection is lost, holds the
//! lease until it expires (one hour by default, [`Config::lease_expiry`]); the next run
//! waits and then times out naming it. The expiry must be longer than the longest run: a
//! lease is not renewed, and a run still going when its lease expires can be joined by a
//! second one. A stuck lease, once its holder is known to be gone, is cleared by hand with
//! `DELETE FROM <table>_lock;` (for the default table, `DELETE FROM retort_migrations_lock;`).
//! Its expiry is judged by the server's clock (`now()`) alone.

use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use postgres::error::SqlState;
use postgres::types::Type;

use crate::config::Config;
use crate::driver::Conn;

/// Who holds the lease, from its row.
#[derive(Clone, Debug, PartialEq)]
pub struct LeaseHolder {
    /// The holding run's random id.
    pub owner: String,
    /// The backend pid of the statement that took it (through a pooler, one of many).
    pub pid: i32,
    /// Its `application_name`, if set.
    pub application: String,
    /// Its client address, if over TCP.
    pub client: Option<String>,
    /// How long ago the lease was taken, in seconds.
    pub held_secs: f64,
    /// In how many seconds it expires (negative: it has expired).
    pub expires_in_secs: f64,
}

impl std::fmt::Display for LeaseHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "lease `{}`, taken by backend pid {}",
            self.owner, self.pid
        )?;
        if !self.application.is_empty() {
            write!(f, ", application `{}`", self.application)?;
        }
        if let Some(c) = &self.client {
            write!(f, ", from {c}")?;
        }
        write!(
            f,
            ", {:.0} s ago, expires in {:.0} s",
            self.held_secs, self.expires_in_secs
        )
    }
}

/// Why the lease was not had.
#[derive(Debug)]
pub enum LeaseError {
    /// The timeout ran out; the holder, if the row could be read.
    Timeout(Duration, Option<LeaseHolder>),
    /// The database failed.
    Db(postgres::Error),
}

impl From<postgres::Error> for LeaseError {
    fn from(e: postgres::Error) -> Self {
        LeaseError::Db(e)
    }
}

/// A new owner id: random enough that two runs never share one (the process's random hash
/// keys, the time, the process id and a counter, hashed), as 16 hex digits.
pub fn new_owner() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u32(std::process::id());
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    h.write_u128(nanos);
    format!("{:016x}", h.finish())
}

/// The lock table's DDL, idempotent.
pub fn create_sql(config: &Config) -> String {
    let schema = config
        .get_schema()
        .map(|s| format!("CREATE SCHEMA IF NOT EXISTS {};\n", s.quoted()))
        .unwrap_or_default();
    format!(
        "{schema}CREATE TABLE IF NOT EXISTS {} (\n    \
         id boolean PRIMARY KEY DEFAULT true CHECK (id),\n    \
         owner text NOT NULL,\n    \
         pid integer NOT NULL,\n    \
         application text NOT NULL,\n    \
         client text,\n    \
         locked_at timestamptz NOT NULL,\n    \
         expires_at timestamptz NOT NULL\n);\n",
        config.qualified_lock_table()
    )
}

/// Creates the lock table if it is missing. Runs before any lock is held, so two first runs
/// may create it at once: the loser's duplicate-object error means it is there.
async fn ensure(client: &mut impl Conn, config: &Config) -> Result<(), postgres::Error> {
    let there = client
        .query_typed(
            "SELECT to_regclass($1) IS NOT NULL",
            &[(&config.qualified_lock_table(), Type::TEXT)],
        )
        .await?
        .first()
        .is_some_and(|r| r.get::<_, bool>(0));
    if there {
        return Ok(());
    }
    match client.batch_execute(&create_sql(config)).await {
        Err(e)
            if [
                SqlState::UNIQUE_VIOLATION,
                SqlState::DUPLICATE_TABLE,
                SqlState::DUPLICATE_SCHEMA,
                SqlState::DUPLICATE_OBJECT,
            ]
            .iter()
            .any(|s| e.code() == Some(s)) =>
        {
            Ok(())
        }
        other => other,
    }
}

/// Takes the lease for `owner`, waiting up to the configured lock timeout.
pub async fn acquire(
    client: &mut impl Conn,
    config: &Config,
    owner: &str,
) -> Result<(), LeaseError> {
    ensure(client, config).await?;
    let timeout = config.get_lock_timeout();
    let expiry = config.get_lease_expiry().as_millis() as f64 / 1e3;
    let sql = format!(
        "INSERT INTO {t} AS l (id, owner, pid, application, client, locked_at, expires_at) \
         VALUES (true, $1, pg_backend_pid(), current_setting('application_name'), \
                 inet_client_addr()::text, now(), now() + make_interval(secs => $2)) \
         ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, \
             application = excluded.application, client = excluded.client, \
             locked_at = excluded.locked_at, expires_at = excluded.expires_at \
         WHERE l.expires_at < now() RETURNING true",
        t = config.qualified_lock_table()
    );
    let start = Instant::now();
    let mut pause = Duration::from_millis(5);
    loop {
        let taken = client
            .query_typed(&sql, &[(&owner, Type::TEXT), (&expiry, Type::FLOAT8)])
            .await?;
        if taken.len() == 1 {
            return Ok(());
        }
        let waited = start.elapsed();
        if waited >= timeout {
            return Err(LeaseError::Timeout(
                timeout,
                holder(client, config).await.ok().flatten(),
            ));
        }
        client.pause(pause.min(timeout - waited)).await?;
        pause = (pause * 2).min(Duration::from_millis(200));
    }
}

/// The SQL that gives the lease of `owner` back.
pub fn release_sql(config: &Config, owner: &str) -> String {
    format!(
        "DELETE FROM {} WHERE owner = '{}'",
        config.qualified_lock_table(),
        owner.replace('\'', "''")
    )
}

/// Gives the lease of `owner` back (nothing, if it expired and was taken over).
pub async fn release(
    client: &mut impl Conn,
    config: &Config,
    owner: &str,
) -> Result<(), postgres::Error> {
    client
        .query_typed(
            &format!(
                "DELETE FROM {} WHERE owner = $1",
                config.qualified_lock_table()
            ),
            &[(&owner, Type::TEXT)],
        )
        .await?;
    Ok(())
}

/// Who holds the lease, from its row (`None`: nobody).
pub async fn holder(
    client: &mut impl Conn,
    config: &Config,
) -> Result<Option<LeaseHolder>, postgres::Error> {
    let rows = client
        .query_typed(
            &format!(
                "SELECT owner, pid, application, client, \
                        extract(epoch FROM now() - locked_at)::float8, \
                        extract(epoch FROM expires_at - now())::float8 \
                 FROM {}",
                config.qualified_lock_table()
            ),
            &[],
        )
        .await?;
    Ok(rows.first().map(|r| LeaseHolder {
        owner: r.get(0),
        pid: r.get(1),
        application: r.get(2),
        client: r.get(3),
        held_secs: r.get(4),
        expires_in_secs: r.get(5),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_differ_and_release_sql_is_quoted() {
        let (a, b) = (new_owner(), new_owner());
        assert_ne!(a, b);
        assert_eq!(a.len(), 16);
        let c = Config::new().schema("s").unwrap();
        assert_eq!(
            release_sql(&c, "o'x"),
            "DELETE FROM \"s\".\"retort_migrations_lock\" WHERE owner = 'o''x'"
        );
        assert!(create_sql(&c).starts_with("CREATE SCHEMA IF NOT EXISTS \"s\";\n"));
    }
}
