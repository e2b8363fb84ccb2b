//! Another tool's migrations in retort's terms, for `retort import` and
//! `retort stamp --adopt`.
//!
//! Each tool's module reads its directory layout into [`Source`]s in the order the tool
//! applies them: [`sqlx`] (`<VERSION>_<DESCRIPTION>[.up|.down].sql`), [`diesel`]
//! (`<VERSION>_<name>/up.sql`, `down.sql`, `metadata.toml`) and [`refinery`]
//! (`V<VERSION>__<name>.sql`). [`convert`] turns a source into a retort file (the version is
//! the revision id, so that the database's history carries over unchanged); [`manifest`]
//! keeps what the tool recorded of each file (its checksum) beside the files; [`history`]
//! reads the tool's history table in a database.

pub mod convert;
pub mod diesel;
pub mod history;
pub mod manifest;
pub mod refinery;
pub mod sqlx;

use std::path::{Path, PathBuf};

use retort_core::codes::Code;
use serde::{Deserialize, Serialize};

use crate::commands::{Fail, Status, fail};

/// The tools whose migrations retort imports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tool {
    /// sqlx (`sqlx migrate`, `sqlx::migrate!`).
    Sqlx,
    /// diesel (`diesel migration`, `diesel_migrations`).
    Diesel,
    /// refinery (`refinery migrate`, `embed_migrations!`).
    Refinery,
}

impl Tool {
    /// Its name, as on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Sqlx => "sqlx",
            Tool::Diesel => "diesel",
            Tool::Refinery => "refinery",
        }
    }

    /// The table in which the tool records what it applied.
    pub fn history_table(self) -> &'static str {
        match self {
            Tool::Sqlx => "_sqlx_migrations",
            Tool::Diesel => "__diesel_schema_migrations",
            Tool::Refinery => "refinery_schema_history",
        }
    }
}

/// Whether a migration runs in a transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Txn {
    /// In its own transaction (every tool's default).
    Transactional,
    /// Statement by statement (sqlx's `-- no-transaction`, diesel's
    /// `run_in_transaction = false`).
    NonTransactional,
}

/// One migration of the other tool, as it applies it.
#[derive(Clone, Debug)]
pub struct Source {
    /// The version, as the tool's history table holds it (and as retort's revision id).
    pub version: String,
    /// What it does, words separated by spaces (from the file or directory name).
    pub name: String,
    /// Where its up SQL is, relative to the source directory (for messages).
    pub path: PathBuf,
    /// The up SQL, as in the file.
    pub up: String,
    /// The down SQL, when the tool has one.
    pub down: Option<String>,
    /// Whether it runs in a transaction.
    pub txn: Txn,
    /// The checksums the tool may have recorded for it (more than one where the tool's
    /// settings change it, such as refinery's 64-bit versions).
    pub checksums: Vec<String>,
}

/// Reads `src`, the other tool's migration directory, in the order the tool applies it.
pub fn read(tool: Tool, src: &Path) -> Result<Vec<Source>, Fail> {
    if !src.is_dir() {
        return Err(fail(
            Status::Failure,
            Code::ImportSourceUnreadable,
            format!("{} is not a directory", src.display()),
            Some(format!(
                "pass the directory that holds the {} migrations, such as `migrations`",
                tool.name()
            )),
        ));
    }
    let sources = match tool {
        Tool::Sqlx => sqlx::read(src)?,
        Tool::Diesel => diesel::read(src)?,
        Tool::Refinery => refinery::read(src)?,
    };
    for s in &sources {
        if !valid_id(&s.version) {
            return Err(fail(
                Status::Failure,
                Code::ImportBadName,
                format!(
                    "{}: its version `{}` cannot be a revision id",
                    src.join(&s.path).display(),
                    s.version
                ),
                Some(
                    "a revision id is 1 to 32 ASCII letters and digits; rename the migration \
                     with the other tool first"
                        .to_owned(),
                ),
            ));
        }
    }
    Ok(sources)
}

/// Whether `id` can be a revision id.
fn valid_id(id: &str) -> bool {
    retort_core::Revision::parse(id).is_ok()
}

/// A file that cannot be read, as a failure.
pub(crate) fn unreadable(path: &Path, e: &std::io::Error) -> Fail {
    fail(
        Status::Failure,
        Code::ImportSourceUnreadable,
        format!("cannot read {}: {e}", path.display()),
        Some("the file must be readable UTF-8 text".to_owned()),
    )
}

/// Two migrations with one version, as a failure.
pub(crate) fn duplicate(src: &Path, a: &Path, b: &Path, version: &str) -> Fail {
    fail(
        Status::Failure,
        Code::ImportDuplicateVersion,
        format!(
            "{} and {} have the same version `{version}`",
            src.join(a).display(),
            src.join(b).display()
        ),
        Some("give one of them another version with the other tool, then import again".to_owned()),
    )
}

/// The words of a name: `_` as spaces, trimmed.
pub(crate) fn words(name: &str) -> String {
    name.replace('_', " ").trim().to_owned()
}
