//! The advisory lock that makes one run at a time apply migrations.
//!
//! A session-level `pg_advisory_lock` on a key derived from the version table's name. It is
//! taken with `pg_try_advisory_lock` in a loop, so that the wait has a timeout of retort's own
//! and, when it runs out, the message can say which session holds the lock. PostgreSQL
//! releases a session's advisory locks when the session ends, so a crashed run never leaves
//! one behind; a run that ends normally, with or without an error or a panic, releases it
//! itself (see [`crate::rules`]); an async run dropped half-way has its driver send the
//! release.

use std::time::{Duration, Instant};

use postgres::types::Type;

use crate::driver::Conn;

/// Who holds the lock, as far as PostgreSQL can tell.
#[derive(Clone, Debug, PartialEq)]
pub struct Holder {
    /// The backend's process id.
    pub pid: i32,
    /// Its `application_name`, if set.
    pub application: String,
    /// Its client address, if over TCP.
    pub client: Option<String>,
    /// How long its session has been connected, in seconds.
    pub connected_secs: Option<f64>,
    /// Its state (`idle`, `active`, `idle in transaction`).
    pub state: Option<String>,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "backend pid {}", self.pid)?;
        if !self.application.is_empty() {
            write!(f, ", application `{}`", self.application)?;
        }
        if let Some(c) = &self.client {
            write!(f, ", from {c}")?;
        }
        if let Some(s) = &self.state {
            write!(f, ", {s}")?;
        }
        if let Some(secs) = self.connected_secs {
            write!(f, ", connected for {secs:.0} s")?;
        }
        Ok(())
    }
}

/// Why the lock was not had.
#[derive(Debug)]
pub enum LockError {
    /// The timeout ran out; the holder, if PostgreSQL could say.
    Timeout(Duration, Option<Holder>),
    /// The database failed.
    Db(postgres::Error),
}

impl From<postgres::Error> for LockError {
    fn from(e: postgres::Error) -> Self {
        LockError::Db(e)
    }
}

/// Takes the lock, waiting up to `timeout`.
pub async fn acquire(client: &mut impl Conn, key: i64, timeout: Duration) -> Result<(), LockError> {
    let start = Instant::now();
    let mut pause = Duration::from_millis(5);
    loop {
        let got = client
            .query_typed("SELECT pg_try_advisory_lock($1)", &[(&key, Type::INT8)])
            .await?
            .first()
            .is_some_and(|r| r.get::<_, bool>(0));
        if got {
            return Ok(());
        }
        let waited = start.elapsed();
        if waited >= timeout {
            return Err(LockError::Timeout(
                timeout,
                holder(client, key).await.ok().flatten(),
            ));
        }
        client.pause(pause.min(timeout - waited)).await?;
        pause = (pause * 2).min(Duration::from_millis(200));
    }
}

/// The SQL that releases the lock.
pub fn release_sql(key: i64) -> String {
    format!("SELECT pg_advisory_unlock({key})")
}

/// Releases the lock.
pub async fn release(client: &mut impl Conn, key: i64) -> Result<(), postgres::Error> {
    client
        .query_typed("SELECT pg_advisory_unlock($1)", &[(&key, Type::INT8)])
        .await?;
    Ok(())
}

/// Who holds the lock `key`, from `pg_locks` and `pg_stat_activity`.
pub async fn holder(client: &mut impl Conn, key: i64) -> Result<Option<Holder>, postgres::Error> {
    // A bigint advisory key is stored as classid = high 32 bits, objid = low 32 bits,
    // objsubid = 1.
    let bits = key as u64;
    let (high, low) = ((bits >> 32) as u32, bits as u32);
    let rows = client
        .query_typed(
            "SELECT a.pid, coalesce(a.application_name, ''), a.client_addr::text, \
                    extract(epoch FROM now() - a.backend_start)::float8, a.state \
             FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
             WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 \
               AND l.classid::bigint = $1 AND l.objid::bigint = $2 AND l.database = \
                   (SELECT oid FROM pg_database WHERE datname = current_database()) \
             LIMIT 1",
            &[
                (&i64::from(high), Type::INT8),
                (&i64::from(low), Type::INT8),
            ],
        )
        .await?;
    Ok(rows.first().map(|r| Holder {
        pid: r.get(0),
        application: r.get(1),
        client: r.get(2),
        connected_secs: r.get(3),
        state: r.get(4),
    }))
}
