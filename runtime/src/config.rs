//! [`Config`]: where the version table lives and how long to wait for the lock.

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

/// Where the version table is and how a run waits for the lock.
#[derive(Clone, Debug)]
pub struct Config {
    table: Ident,
    schema: Option<Ident>,
    lock_timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            table: Ident("retort_migrations".to_owned()),
            schema: None,
            lock_timeout: Duration::from_secs(60),
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

    /// How long a run waits for another run's lock before it gives up.
    pub fn lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// The lock timeout.
    pub fn get_lock_timeout(&self) -> Duration {
        self.lock_timeout
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
