//! The one error type of the crate.

use std::io;
use std::path::PathBuf;
use std::process::ExitStatus;
use std::sync::Arc;

/// Why a test database or the throwaway cluster could not be had.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `initdb`, `pg_ctl` and `postgres` were not found together in any directory searched.
    #[error(
        "the PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found together in any of:\n{}\n\
         Install the PostgreSQL server package (Debian/Ubuntu: `apt-get install postgresql`; \
         Fedora: `dnf install postgresql-server`; macOS: `brew install postgresql`), \
         or name its bin directory in {bin_var}, \
         or set {url_var} to a server where the tests may create databases",
        list(searched),
        bin_var = crate::BIN_DIR_VAR,
        url_var = crate::DATABASE_URL_VAR
    )]
    BinariesNotFound {
        /// Every directory looked in, in the order searched.
        searched: Vec<PathBuf>,
    },

    /// Running as root, and no unprivileged user exists to run the server as.
    #[error(
        "running as root, and neither the `postgres` nor the `nobody` user exists to run the \
         PostgreSQL server as (it refuses to run as root); create one (`useradd --system postgres`) \
         or run the tests as another user"
    )]
    NoUnprivilegedUser,

    /// A file-system or process operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The underlying error.
        #[source]
        source: io::Error,
    },

    /// `initdb` exited unsuccessfully.
    #[error("initdb failed ({status}); the end of its output:\n{output}")]
    Initdb {
        /// initdb's exit status.
        status: ExitStatus,
        /// The last lines of initdb's standard output and error.
        output: String,
    },

    /// The server did not start (`pg_ctl start` failed or timed out).
    #[error("the PostgreSQL server did not start ({status}); {output}the end of its log:\n{log}")]
    Start {
        /// pg_ctl's exit status.
        status: ExitStatus,
        /// What pg_ctl printed, if anything, followed by a newline.
        output: String,
        /// The last lines of the server log.
        log: String,
    },

    /// `RETORT_TEST_DATABASE_URL` is not a connection string that the `postgres` crate accepts.
    #[error("{var} is not a valid connection string: {source}", var = crate::DATABASE_URL_VAR)]
    BadUrl {
        /// The parser's complaint.
        #[source]
        source: postgres::Error,
    },

    /// Connecting to the server failed.
    #[error("could not connect to {target}: {source}")]
    Connect {
        /// Where (host, port, database, user; never a password).
        target: String,
        /// The driver's error.
        #[source]
        source: postgres::Error,
    },

    /// A statement on the server failed (creating the database, asking for its version).
    #[error("{what} failed: {source}")]
    Sql {
        /// What was being done.
        what: String,
        /// The driver's error.
        #[source]
        source: postgres::Error,
    },

    /// `pg_ctl stop` failed, or stopping was asked of a server that is not a private cluster
    /// of this process.
    #[error("cannot stop the server: {0}")]
    Stop(String),

    /// The throwaway cluster failed to start earlier in this process; this is that failure,
    /// shared by every caller (the start is not retried).
    #[error(transparent)]
    Cluster(Arc<Error>),
}

fn list(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| format!("  {}", p.display()))
        .collect::<Vec<_>>()
        .join("\n")
}

impl Error {
    pub(crate) fn io(what: impl Into<String>, source: io::Error) -> Self {
        Error::Io {
            what: what.into(),
            source,
        }
    }
}
