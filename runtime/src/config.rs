//! [`Config`]: where the version table lives, how long to wait for the run's lock, and how
//! long each migration's statements may wait for the locks they take.

use std::time::Duration;

use sha2::{Digest, Sha256};

/// The longest identifier PostgreSQL keeps; longer ones are silently truncated, so they are
/// refused here instead.
const MAX_IDENT_BYTES: usize = 63;

/// A PostgreSQL identifier, checked and always written quoted.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ident(String);

/// Why a name cannot be a PostgreSQL identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentError {
    /// Empty.
    #[error("a table or schema name cannot be empty")]
    Empty,
    /// Longer than 63 bytes.
    #[error("`{0}` is longer than PostgreSQL's 63-byte limit for names (it would be cut short)")]
    TooLong(String),
    /// Holds a NUL character.
    #[error("a table or schema name cannot contain a NUL character")]
    Nul,
}

impl Ident {
    /// Checks a name. Any other character, quotes, dots and semicolons included, is fine:
    /// the name is always written quoted.
    pub fn new(name: &str) -> Result<Self, IdentError> {
        if name.is_empty() {
            Err(IdentError::Empty)
        } else if name.contains('\0') {
            Err(IdentError::Nul)
        } else if name.len() > MAX_IDENT_BYTES {
            Err(IdentError::TooLong(name.to_owned()))
        } else {
            Ok(Ident(name.to_owned()))
        }
    }

    /// The name as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name quoted for SQL: `"a""b"` for `a"b`.
    pub fn quoted(&self) -> String {
        format!("\"{}\"", self.0.replace('"', "\"\""))
    }
}

/// Where the version table is, how a run waits for the lock, and how long a migration's
/// statements may wait for the locks they take on the tables they change.
#[derive(Clone, Debug)]
pub struct Config {
    table: Ident,
    schema: Option<Ident>,
    lock_timeout: Duration,
    statement_lock_timeout: Option<StatementLockTimeout>,
    environment: Option<String>,
    lock_strategy: LockStrategy,
    lease_expiry: Duration,
}

/// How a run keeps other runs out while it applies migrations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LockStrategy {
    /// A session-level `pg_advisory_lock` (the default): released by PostgreSQL when the
    /// session ends, so a crashed run never leaves it behind. Needs the whole run on one
    /// server session: not through a pooler in transaction mode, not on servers without
    /// advisory locks (CockroachDB).
    #[default]
    Advisory,
    /// A lease: one row in a lock table next to the version table (`<table>_lock`), taken
    /// and given back by short statements of their own, so it needs no session state.
    /// A run that dies without releasing it keeps others out until the lease expires (see
    /// [`Config::lease_expiry`]).
    Table,
}

/// PostgreSQL's `lock_timeout` for a migration's statements, in whole milliseconds, never
/// zero (zero would mean "wait for ever" to PostgreSQL).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct StatementLockTimeout(u64);

impl StatementLockTimeout {
    /// Rounds up to the next millisecond, at least one.
    fn new(d: Duration) -> Self {
        let ms = d.as_nanos().div_ceil(1_000_000).max(1);
        StatementLockTimeout(u64::try_from(ms).unwrap_or(u64::MAX))
    }

    fn duration(self) -> Duration {
        Duration::from_millis(self.0)
    }

    /// The value as a SQL literal: `'1500ms'`.
    fn literal(self) -> String {
        format!("'{}ms'", self.0)
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            table: Ident("retort_migrations".to_owned()),
            schema: None,
            lock_timeout: Duration::from_secs(60),
            statement_lock_timeout: None,
            environment: None,
            lock_strategy: LockStrategy::Advisory,
            lease_expiry: Duration::from_secs(3600),
        }
    }
}

impl Config {
    /// The defaults: table `retort_migrations` in the first schema of the `search_path`, a
    /// lock timeout of 60 seconds.
    pub fn new() -> Self {
        Self::default()
    }

    /// Names the version table.
    pub fn table(mut self, name: &str) -> Result<Self, IdentError> {
        self.table = Ident::new(name)?;
        Ok(self)
    }

    /// Puts the version table in a schema (created if missing).
    pub fn schema(mut self, name: &str) -> Result<Self, IdentError> {
        self.schema = Some(Ident::new(name)?);
        Ok(self)
    }

    /// The runner's environment (`--environment`, `RETORT_ENVIRONMENT`): a migration whose
    /// header says `environments: …` runs only where this is one of them, and is recorded as
    /// skipped elsewhere (also when no environment is named).
    pub fn environment(mut self, name: impl Into<String>) -> Self {
        self.environment = Some(name.into());
        self
    }

    /// The runner's environment, if one is named ([`Config::environment`]).
    pub fn environment_name(&self) -> Option<&str> {
        self.environment.as_deref()
    }

    /// How long a run waits for another run's lock before it gives up.
    pub fn lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// The lock timeout.
    pub fn get_lock_timeout(&self) -> Duration {
        self.lock_timeout
    }

    /// How long each statement of a migration may wait for a lock (PostgreSQL's
    /// `lock_timeout`) before it fails, instead of waiting behind a long transaction while
    /// every query on the table queues behind it. Unset by default: statements wait as long
    /// as PostgreSQL's own setting says (for ever, unless the server or role sets one).
    ///
    /// A transactional migration's transaction begins with `SET LOCAL lock_timeout = '…'`;
    /// a non-transactional one runs after a session `SET lock_timeout = '…'`, followed by
    /// `RESET lock_timeout` whether it succeeded or failed. Downgrades, dry runs and offline
    /// scripts do the same. The duration is rounded up to whole milliseconds, at least one.
    /// A statement that times out fails the migration with PostgreSQL's "canceling statement
    /// due to lock timeout"; a transactional one is rolled back, so the run can be retried.
    pub fn statement_lock_timeout(mut self, timeout: Duration) -> Self {
        self.statement_lock_timeout = Some(StatementLockTimeout::new(timeout));
        self
    }

    /// The lock timeout applied to each migration's statements, if one is set (rounded up to
    /// whole milliseconds).
    pub fn get_statement_lock_timeout(&self) -> Option<Duration> {
        self.statement_lock_timeout
            .map(StatementLockTimeout::duration)
    }

    /// `SET LOCAL lock_timeout = '…'` for the start of a transactional migration, if a
    /// statement lock timeout is set.
    pub(crate) fn set_local_lock_timeout_sql(&self) -> Option<String> {
        self.statement_lock_timeout
            .map(|t| format!("SET LOCAL lock_timeout = {}", t.literal()))
    }

    /// `SET lock_timeout = '…'` for the session before a non-transactional migration, if a
    /// statement lock timeout is set; `RESET lock_timeout` undoes it.
    pub(crate) fn set_session_lock_timeout_sql(&self) -> Option<String> {
        self.statement_lock_timeout
            .map(|t| format!("SET lock_timeout = {}", t.literal()))
    }

    /// How runs keep each other out: [`LockStrategy::Advisory`] by default.
    pub fn lock_strategy(mut self, strategy: LockStrategy) -> Self {
        self.lock_strategy = strategy;
        self
    }

    /// The lock strategy.
    pub fn get_lock_strategy(&self) -> LockStrategy {
        self.lock_strategy
    }

    /// How long a lease of [`LockStrategy::Table`] lasts from the moment it is taken (one
    /// hour by default). It must be longer than the longest run: a run still going when its
    /// lease expires can be joined by another. It is also how long a run that died without
    /// releasing the lease keeps the others out. Rounded down to whole milliseconds.
    pub fn lease_expiry(mut self, expiry: Duration) -> Self {
        self.lease_expiry = expiry;
        self
    }

    /// The lease expiry.
    pub fn get_lease_expiry(&self) -> Duration {
        self.lease_expiry
    }

    /// The lock table of [`LockStrategy::Table`], quoted and in the version table's schema:
    /// `<table>_lock`, or `retort_lock_<hex>` (from [`Config::lock_key`]) when that name
    /// would pass PostgreSQL's 63-byte limit.
    pub fn qualified_lock_table(&self) -> String {
        self.qualified(&self.lock_table_name())
    }

    /// The lock table's name, unquoted: `<table>_lock`, or `retort_lock_<hex>`.
    pub fn lock_table_name(&self) -> Ident {
        self.companion("lock")
    }

    /// The head table's name, unquoted: `<table>_head`, or `retort_head_<hex>` (from
    /// [`Config::lock_key`]) when that name would pass PostgreSQL's 63-byte limit. It sits in
    /// the version table's schema and holds the key of the last state a run verified as up to
    /// date (see the runtime's `head` module); its trigger function has the same name.
    pub fn head_table_name(&self) -> Ident {
        self.companion("head")
    }

    /// The head table, quoted, qualified as the version table is: with the configured schema,
    /// or bare, for the `search_path` to find.
    pub fn qualified_head_table(&self) -> String {
        self.qualified(&self.head_table_name())
    }

    /// `<table>_<suffix>`, or `retort_<suffix>_<hex>` when that is too long a name.
    fn companion(&self, suffix: &str) -> Ident {
        let name = format!("{}_{suffix}", self.table.as_str());
        Ident::new(&name)
            .unwrap_or_else(|_| Ident(format!("retort_{suffix}_{:016x}", self.lock_key())))
    }

    /// `name` quoted, in the configured schema if there is one.
    fn qualified(&self, name: &Ident) -> String {
        match &self.schema {
            Some(s) => format!("{}.{}", s.quoted(), name.quoted()),
            None => name.quoted(),
        }
    }

    /// The table's name.
    pub fn get_table(&self) -> &Ident {
        &self.table
    }

    /// The table's schema, if one is set.
    pub fn get_schema(&self) -> Option<&Ident> {
        self.schema.as_ref()
    }

    /// The qualified, quoted table name for SQL.
    pub fn qualified_table(&self) -> String {
        match &self.schema {
            Some(s) => format!("{}.{}", s.quoted(), self.table.quoted()),
            None => self.table.quoted(),
        }
    }

    /// The table name as the user gave it, for messages.
    pub fn display_table(&self) -> String {
        match &self.schema {
            Some(s) => format!("{}.{}", s.as_str(), self.table.as_str()),
            None => self.table.as_str().to_owned(),
        }
    }

    /// The advisory-lock key: derived from the table's name, so two version tables in one
    /// database (two services) do not block each other, and every run for one table uses
    /// the same key. The name is taken quoted, so that schema `a.b` with table `c` and
    /// schema `a` with table `b.c` (both `a.b.c` unquoted) get keys of their own.
    pub fn lock_key(&self) -> i64 {
        let mut h = Sha256::new();
        h.update(b"retort migration lock\0");
        h.update(self.qualified_table().as_bytes());
        let d = h.finalize();
        i64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted_whatever_they_hold() {
        let c = Config::new()
            .table("we\"ird;name.x")
            .unwrap()
            .schema("my schema")
            .unwrap();
        assert_eq!(c.qualified_table(), "\"my schema\".\"we\"\"ird;name.x\"");
        assert_eq!(Config::new().qualified_table(), "\"retort_migrations\"");
        assert!(Config::new().table("").is_err());
        assert!(Config::new().table(&"x".repeat(64)).is_err());
        assert!(Config::new().table("a\0b").is_err());
    }

    #[test]
    fn statement_lock_timeouts_are_whole_milliseconds() {
        assert_eq!(Config::new().get_statement_lock_timeout(), None);
        assert_eq!(Config::new().set_local_lock_timeout_sql(), None);
        let c = Config::new().statement_lock_timeout(Duration::from_secs(3));
        assert_eq!(c.get_statement_lock_timeout(), Some(Duration::from_secs(3)));
        assert_eq!(
            c.set_local_lock_timeout_sql().as_deref(),
            Some("SET LOCAL lock_timeout = '3000ms'")
        );
        assert_eq!(
            c.set_session_lock_timeout_sql().as_deref(),
            Some("SET lock_timeout = '3000ms'")
        );
        let zero = Config::new().statement_lock_timeout(Duration::ZERO);
        assert_eq!(
            zero.get_statement_lock_timeout(),
            Some(Duration::from_millis(1))
        );
        let part = Config::new().statement_lock_timeout(Duration::from_micros(1500));
        assert_eq!(
            part.get_statement_lock_timeout(),
            Some(Duration::from_millis(2))
        );
    }

    #[test]
    fn the_lock_table_sits_next_to_the_version_table() {
        let c = Config::new();
        assert_eq!(c.get_lock_strategy(), LockStrategy::Advisory);
        assert_eq!(c.get_lease_expiry(), Duration::from_secs(3600));
        assert_eq!(c.qualified_lock_table(), "\"retort_migrations_lock\"");
        let c = c.schema("s").unwrap().table("v").unwrap();
        assert_eq!(c.qualified_lock_table(), "\"s\".\"v_lock\"");
        let long = Config::new().table(&"x".repeat(60)).unwrap();
        let name = long.qualified_lock_table();
        assert!(
            name.starts_with("\"retort_lock_") && name.len() == 2 + 12 + 16,
            "{name}"
        );
        assert_eq!(
            long.head_table_name().as_str(),
            format!("retort_head_{:016x}", long.lock_key())
        );
        assert_eq!(
            Config::new().qualified_head_table(),
            "\"retort_migrations_head\""
        );
        let c = Config::new().schema("s").unwrap().table("v").unwrap();
        assert_eq!(c.qualified_head_table(), "\"s\".\"v_head\"");
        assert_eq!(c.lock_table_name().as_str(), "v_lock");
    }

    #[test]
    fn lock_keys_differ_per_table() {
        let a = Config::new().lock_key();
        assert_eq!(a, Config::new().lock_key());
        assert_ne!(a, Config::new().table("other").unwrap().lock_key());
        let dotted = |schema: &str, table: &str| {
            Config::new()
                .schema(schema)
                .unwrap()
                .table(table)
                .unwrap()
                .lock_key()
        };
        assert_ne!(dotted("a.b", "c"), dotted("a", "b.c"));
    }
}
