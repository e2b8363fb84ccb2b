//! One test's database.

use std::fmt;
use std::io::Write as _;
use std::process::{Command, Output, Stdio};

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

    /// Runs `script` with `psql` on this database, as `psql -f` runs a file (meta-commands
    /// and all), stopping at the first error (`ON_ERROR_STOP`), quietly (`-q`); the script
    /// goes on standard input, so no file is written. Returns what `psql` did: its exit
    /// status says whether every statement ran.
    ///
    /// ```no_run
    /// let db = retort_test_support::database()?;
    /// let out = db.psql_script("CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);\n")?;
    /// assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn psql_script(&self, script: &str) -> std::io::Result<Output> {
        let mut child = self
            .psql_command()
            .args(["-q", "-f", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let mut stdin = child.stdin.take().expect("stdin is piped");
        // Written from another thread: psql may fill its output pipes before it has read
        // the whole script.
        let script = script.to_owned();
        let writer = std::thread::spawn(move || stdin.write_all(script.as_bytes()));
        let out = child.wait_with_output()?;
        match writer.join() {
            // psql stops reading at the first error: a broken pipe then is no failure of ours.
            Ok(Err(e)) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e),
            _ => Ok(out),
        }
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
