//! One test's database.

use std::fmt;
use std::process::Command;

use postgres::{Client, Config, NoTls};

use crate::{Cluster, Error};

/// A fresh, empty database of its own for one test; dropped (`DROP DATABASE … WITH (FORCE)`,
/// which disconnects whoever is still connected) when this value is dropped.
///
/// Get one with [`database()`](crate::database).
pub struct TestDb {
    name: String,
    url: String,
    cluster: &'static Cluster,
}

impl TestDb {
    pub(crate) fn new(cluster: &'static Cluster, name: String) -> TestDb {
        TestDb {
            url: cluster.url_for(&name),
            name,
            cluster,
        }
    }

    /// The database's name: `retort_test_<pid>_<n>_<random>`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A connection string for the database that the `postgres` crate, `psql` and libpq
    /// accept: `postgres://postgres@127.0.0.1:<port>/<name>` on a throwaway cluster (trust
    /// authentication: no password), or `RETORT_TEST_DATABASE_URL` with the database replaced.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's connection settings, parsed from [`url`](TestDb::url).
    pub fn config(&self) -> Config {
        self.url
            .parse()
            .expect("a test database URL is built from one that parsed")
    }

    /// A new connection to the database (without TLS).
    ///
    /// # Panics
    ///
    /// If the connection fails; [`try_connect`](TestDb::try_connect) returns the error instead.
    pub fn connect(&self) -> Client {
        self.try_connect()
            .unwrap_or_else(|e| panic!("connecting to test database {}: {e}", self.name))
    }

    /// A new connection to the database (without TLS), or why not.
    pub fn try_connect(&self) -> Result<Client, Error> {
        let config = self.config();
        config.connect(NoTls).map_err(|source| Error::Connect {
            target: format!("test database {}", self.name),
            source,
        })
    }

    /// `psql` connected to this database: [`Cluster::psql_command`] for its name.
    pub fn psql_command(&self) -> Command {
        self.cluster.psql_command(&self.name)
    }

    /// A new database, uniquely named, that starts as a copy of this one
    /// ([`Cluster::database_from`]); close every connection to this one first.
    pub fn copy(&self) -> Result<TestDb, Error> {
        self.cluster.database_from(self)
    }

    /// The server the database lives on.
    pub fn cluster(&self) -> &'static Cluster {
        self.cluster
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // Best effort: on a throwaway cluster everything goes at the end of the process anyway.
        let _ = self.cluster.drop_database(&self.name);
    }
}

impl fmt::Debug for TestDb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Not the URL: an external server's may hold a password.
        f.debug_struct("TestDb")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}
