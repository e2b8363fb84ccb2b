//! A fresh, empty PostgreSQL database for every test, with no set-up.
//!
//! ```
//! let db = retort_test_support::database()?;
//! let mut client = db.connect();
//! client.batch_execute("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)")?;
//! let n: i64 = client.query_one("SELECT count(*) FROM t", &[])?.get(0);
//! assert_eq!(n, 1);
//! // Dropping `db` drops the database; the cluster goes when the process ends.
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`database()`] creates a uniquely named, empty database and returns a [`TestDb`] that drops
//! it again. Tests call it from as many threads as they like; databases never collide, across
//! threads, test binaries or machines.
//!
//! # Where the databases live
//!
//! - **By default, on a throwaway cluster** that the first call starts, once per process: the
//!   PostgreSQL server binaries are found on `PATH` or in the usual places, `initdb` makes a
//!   cluster in a fresh directory — in `/dev/shm` when that is a memory file system with 1 GiB
//!   free (`CREATE DATABASE` is seven times faster there), else in the temporary directory
//!   (`/tmp` when root) — and the server listens on `127.0.0.1` on a free port and on a Unix
//!   socket in that directory, with trust authentication (no password),
//!   superuser `postgres`, up to 200 connections, and `fsync`, `synchronous_commit` and
//!   `full_page_writes` off — fast, and not durable, which tests do not need. Each process
//!   has its own, so test binaries may run at the same time (as nextest runs them). When the
//!   process ends, however it ends — tests pass, a test panics, the process is killed with
//!   `SIGKILL` — a reaper process that was started beside the server stops it and removes the
//!   directory. Run as root, the server runs as the `postgres` user (or `nobody`), since
//!   PostgreSQL refuses to run as root.
//! - **On a server of your choosing**, if [`RETORT_TEST_DATABASE_URL`](DATABASE_URL_VAR) is
//!   set: a URL (`postgres://user:password@host:5432/postgres`) or `key=value` pairs, whose
//!   user may create databases. Each test database is created there (`CREATE DATABASE …
//!   TEMPLATE template0`) and dropped again; nothing is started.
//!
//! Server binaries are looked for in [`RETORT_TEST_PG_BIN`](BIN_DIR_VAR) alone when it is set,
//! else on `PATH`, then in `/usr/lib/postgresql/*/bin` (newest version first),
//! `/usr/local/pgsql/bin`, `/opt/homebrew/opt/postgresql*/bin` and
//! `/usr/local/opt/postgresql*/bin`. Where none are found, [`Error::BinariesNotFound`] lists
//! where it looked and says what to install (`apt-get install postgresql` on Debian).
//! PostgreSQL 13 or newer is needed (`DROP DATABASE … WITH (FORCE)`).
//!
//! # Platform
//!
//! Unix only: the cluster is managed with Unix sockets, users and process groups.

#![warn(missing_docs)]

mod bins;
mod cluster;
mod db;
mod error;
pub mod lint_claims;
mod proxy;

use std::sync::{Arc, OnceLock};

pub use cluster::{Cluster, StopMode};
pub use db::TestDb;
pub use error::Error;
pub use proxy::{CommitCut, CutProxy};

/// The environment variable naming a server to create test databases on instead of starting
/// a throwaway cluster: `RETORT_TEST_DATABASE_URL`.
pub const DATABASE_URL_VAR: &str = "RETORT_TEST_DATABASE_URL";

/// The environment variable naming the one directory to take the server binaries from:
/// `RETORT_TEST_PG_BIN` (for example `/usr/lib/postgresql/16/bin`).
pub const BIN_DIR_VAR: &str = "RETORT_TEST_PG_BIN";

/// A fresh, uniquely named, empty database, dropped when the returned [`TestDb`] is.
///
/// The first call in a process starts the throwaway cluster (about half a second) or connects to
/// the server named by `RETORT_TEST_DATABASE_URL`; see the [crate documentation](crate). Safe
/// to call from any number of threads at once.
///
/// ```no_run
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let db = retort_test_support::database()?;
/// println!("{} at {}", db.name(), db.url());
/// let mut client = db.connect();
/// client.batch_execute("CREATE TABLE users (id bigint PRIMARY KEY)")?;
/// # Ok(()) }
/// ```
pub fn database() -> Result<TestDb, Error> {
    cluster()?.create_database()
}

/// The server the test databases are created on, started (or connected to) on first use.
///
/// For an administrative connection ([`Cluster::connect`]) or `psql`
/// ([`Cluster::psql_command`]). If starting it failed, every call returns that error.
pub fn cluster() -> Result<&'static Cluster, Error> {
    static CLUSTER: OnceLock<Result<Cluster, Arc<Error>>> = OnceLock::new();
    match CLUSTER.get_or_init(|| Cluster::from_env().map_err(Arc::new)) {
        Ok(cluster) => Ok(cluster),
        Err(e) => Err(Error::Cluster(Arc::clone(e))),
    }
}

/// A throwaway cluster of the caller's own, which it may stop and start again
/// ([`Cluster::stop`], [`Cluster::start_again`]) to see what a program does when the server
/// goes away; [`Cluster::database`] makes databases on it.
///
/// Every call starts a new one (about half a second, more on a busy machine). It lives until
/// the process ends, like the shared one; call [`Cluster::stop`] when done to free its memory
/// early. Refused when `RETORT_TEST_DATABASE_URL` is set: a server of someone else's is not
/// ours to stop.
pub fn private_cluster() -> Result<&'static Cluster, Error> {
    if std::env::var(DATABASE_URL_VAR).is_ok_and(|u| !u.trim().is_empty()) {
        return Err(Error::Stop(format!(
            "{DATABASE_URL_VAR} names the server to use; a test that stops the server needs a \
             cluster of its own (unset {DATABASE_URL_VAR})"
        )));
    }
    Ok(Box::leak(Box::new(Cluster::start_new(true)?)))
}
