//! Database version control for Rust, in the spirit of Alembic, with one twist: the
//! migrations are checked by the compiler.
//!
//! [`migrations!`] turns a `migrations/` directory into typed Rust items at `cargo build`. A
//! broken revision chain, two unmerged heads, a SQL syntax error, a statement PostgreSQL
//! refuses inside a transaction, a statement about a table or column that no longer exists,
//! or a down section that does not undo its up fails the build, with a message that names the
//! file, the line and the fix.
//!
//! # What fails the build
//!
//! - **Format**: a missing, repeated or unknown header key, a file name that does not match
//!   its revision, a missing `-- migrate:up` or `-- migrate:down`, text before the header, a
//!   file in the directory that is not a migration.
//! - **Graph**: two files with one revision, a `down_revision` naming nothing, a cycle,
//!   several roots, several heads that no merge joins.
//! - **SQL**: a statement of an up or down section that PostgreSQL would not parse.
//! - **Transactions**: `CREATE INDEX CONCURRENTLY`, `VACUUM` and the other statements
//!   PostgreSQL refuses in a transaction block, in a migration with `transaction: true`;
//!   `BEGIN` or `COMMIT` inside one.
//! - **Schema**: every revision is replayed, parents first, into a model of the schema. A
//!   statement about a table, column, index, constraint or type that does not exist at that
//!   point, one that creates what already exists, a foreign key to columns without a unique
//!   constraint, an enum value used in the transaction that added it, two merged branches
//!   changing one object differently, and a down section that does not bring the schema back
//!   to what it was before its up (unless its header says `lossy_down: <reason>`). What the model does not understand (dynamic SQL, a statement it
//!   has no rule for) marks what it touches unknown, and no check speaks about the unknown.
//!
//! - **Lints set to deny**: a statement that locks or rewrites a table created before its
//!   revision (`CREATE INDEX` without `CONCURRENTLY`, a constraint without `NOT VALID`, a
//!   type change that rewrites, …) is a warning, printed by `retort_build` and `retort check`;
//!   `deny = ["create-index-blocks-writes"]` in the call, or `[lints]` in `retort.toml`
//!   beside `Cargo.toml`, makes it an error. `-- retort:allow <code> <reason>` on the line
//!   before a statement silences one lint there.
//!
//! Every error has a stable code, printed in brackets (`[schema-missing-column]`), that
//! `retort explain <code>` documents: what it means, why, an example and the fix.
//!
//! # A migration
//!
//! One file a revision, `migrations/<revision>_<slug>.sql`: a header of `-- key: value` lines,
//! then the SQL that applies the revision and the SQL that reverts it.
//!
//! ```sql
//! -- revision: 002
//! -- down_revision: 001
//! -- message: Add user email
//!
//! -- migrate:up
//! ALTER TABLE users ADD COLUMN email text;
//!
//! -- migrate:down
//! ALTER TABLE users DROP COLUMN email;
//! ```
//!
//! | key | |
//! |---|---|
//! | `revision` | required: 1 to 32 letters and digits; the file name starts with it |
//! | `down_revision` | required: the parent; `none` for the first migration; `a, b` for a merge |
//! | `message` | one line; defaults to the file name's slug |
//! | `transaction` | `true` (the default) or `false`: run the statements one by one, outside a transaction, as `CREATE INDEX CONCURRENTLY` needs |
//! | `irreversible` | why the migration cannot be reverted; such a file has no `-- migrate:down` |
//!
//! # Setting up
//!
//! In `Cargo.toml`:
//!
//! ```toml
//! [dependencies]
//! retort = "0.1"
//!
//! [build-dependencies]
//! retort-build = "0.1"
//! ```
//!
//! In `build.rs`, so that adding or removing a migration rebuilds the crate:
//!
//! ```no_run
//! fn main() {
//!     retort_build::track("migrations");
//! }
//! ```
//!
//! The build script checks the directory too, before the compiler runs, and prints every
//! problem in full; see [`retort_build`](https://docs.rs/retort-build).
//!
//! In the code:
//!
//! ```
//! // The examples compile against `examples/hello/migrations` of this repository.
//! # /*
//! mod db {
//!     retort::migrations!();
//! }
//! # */
//! # mod db { retort::migrations!("examples/hello/migrations", untracked); }
//!
//! for m in &db::MIGRATIONS {
//!     println!("{} {}", m.revision(), m.message());
//! }
//! assert_eq!(db::HEAD, db::revisions::R005);
//! ```
//!
//! # Applying them
//!
//! ```no_run
//! # mod db { retort::migrations!("examples/hello/migrations", untracked); }
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use retort::{Migrator, Target};
//!
//! let url = std::env::var("DATABASE_URL")?;
//! let mut client = retort::postgres::Client::connect(&url, retort::postgres::NoTls)?;
//! // One advisory lock for the run, a transaction per migration, nothing applied twice.
//! for step in Migrator::new(&db::MIGRATIONS).upgrade(&mut client, &Target::Head)? {
//!     println!("applied {} ({}) in {:.1?}", step.revision, step.message, step.duration);
//! }
//! # Ok(()) }
//! ```
//!
//! A runnable version is `examples/hello` in the repository: `cargo run -p hello`.
//!
//! An async service turns on the `tokio` feature and calls `retort::tokio::Migrator`, the
//! same runner with `async fn`s on a `tokio_postgres::Client` (or a deadpool or bb8 pooled
//! connection): `Migrator::new(&db::MIGRATIONS).upgrade(&mut client, &Target::Head).await?`.
//! Both are one implementation of the rules, so they promise the same things;
//! `examples/tokio-service` applies its migrations at start-up with it.
//!
//! # The crate
//!
//! At the root, what most programs name: [`migrations!`], what it generates
//! ([`MigrationSet`], [`Migration`], [`Revision`], [`Checksum`]), the [`Migrator`] that
//! applies them and its [`Target`], and the [`postgres`] crate it talks through. Then two
//! modules:
//!
//! - [`runtime`]: applying migrations: [`Migrator`], its [`runtime::Config`] (the version
//!   table's name and schema, the lock timeout, the statements' lock timeout: not
//!   `retort.toml`, which is the command
//!   line's), what a run returns ([`runtime::Step`], [`runtime::Status`]) and its
//!   [`runtime::Error`];
//! - [`schema`]: what the typed schema is made of ([`schema::Table`], [`schema::Column`],
//!   [`schema::FromRow`], [`schema::Raw`]) and [`schema::types`], the crates a call can
//!   choose for dates, times, `uuid` and `json`;
//! - `tokio` (feature `tokio`): the async runner, `retort::tokio::Migrator`, and the
//!   `tokio_postgres` crate it talks through;
//! - [`testing`]: for a test suite on a real database: [`testing::stairway`] (every revision
//!   up, down and up again, the schema compared each time) and [`testing::migrate_to`] (a
//!   database at one revision, for data tests).

#![warn(missing_docs)]
// The `build.rs` example is about its `fn main`.
#![allow(clippy::needless_doctest_main)]

pub mod runtime;
pub mod schema;

/// Tests of the migrations on a real database: [`stairway`](testing::stairway) and
/// [`migrate_to`](testing::migrate_to). `retort test` does the stairway from the command line
/// and compares with the build's schema model as well.
///
/// ```no_run
/// # mod m { retort::migrations!("examples/hello/migrations", untracked); }
/// # fn t(client: &mut retort::postgres::Client) {
/// // In a test, on a fresh database:
/// retort::testing::stairway(&m::MIGRATIONS, client).expect("every down restores its up");
/// # }
/// ```
pub mod testing {
    pub use retort_runtime::testing::*;
}

/// Your binary is the CLI (feature `cli`): every `retort` command, flags, exit codes and
/// `retort.toml` included, with the migrations compiled in.
///
/// ```ignore
/// // src/bin/migrate.rs
/// retort::migrations!();
///
/// fn main() -> std::process::ExitCode {
///     retort::cli::run(&MIGRATIONS)
/// }
/// ```
///
/// `cargo run --bin migrate -- upgrade` applies exactly the migrations the service embeds
/// (the commands that read or write files, such as `revision` and `schema`, still use the
/// migration directory).
#[cfg(feature = "cli")]
pub mod cli {
    pub use retort_cli::run;
}

#[cfg(feature = "tokio")]
pub mod tokio;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

#[doc(inline)]
pub use retort_core::{Checksum, Migration, MigrationSet, Revision};

#[doc(no_inline)]
pub use runtime::{Migrator, Target};

/// The `postgres` crate the runtime uses, so that the `Client` you pass is the same version.
pub use postgres;

/// The error a Rust data migration's `up` or `down` returns (`migrations/<rev>_<slug>.rs`):
/// any error, boxed, so that `?` works on every `postgres` call and on your own errors.
pub use retort_runtime::BoxError;

/// Checks a migration directory when the crate compiles, and embeds it as static data.
///
/// ```
/// # /*
/// mod db {
///     // `migrations/` beside Cargo.toml, tracked by `retort_build::track("migrations")`.
///     retort::migrations!();
/// }
/// # */
/// # mod db { retort::migrations!("examples/hello/migrations", untracked); }
///
/// // Every migration, each after its parents.
/// let revisions: Vec<&str> = db::MIGRATIONS.iter().map(|m| m.revision().as_str()).collect();
/// assert_eq!(revisions, ["001", "002", "003", "004", "005"]);
///
/// // One constant a revision: this line stops compiling if `002`'s file is deleted.
/// let email = db::MIGRATIONS.get(db::revisions::R002.as_str()).unwrap();
/// assert_eq!(email.message(), "Add user email");
/// assert_eq!(email.down_revisions(), [db::revisions::R001]);
///
/// // The head, as `HEAD` when there is one, and always as `HEADS`.
/// assert_eq!(db::HEADS, [db::HEAD]);
/// assert!(!db::MIGRATIONS.get("004").unwrap().is_transactional());
/// ```
///
/// # The call
///
/// ```text
/// retort::migrations!();                        // reads `migrations/`
/// retort::migrations!("db/migrations");         // a directory relative to Cargo.toml
/// retort::migrations!("db/migrations", allow_multiple_heads, untracked);
/// retort::migrations!(types = [chrono, uuid], derive = [Debug, Clone]);
/// ```
///
/// The directory, if any, is a string literal relative to the crate's `Cargo.toml`. After it,
/// separated by commas, come any of these flags and options:
///
/// - `allow_multiple_heads`: unmerged branches are not an error; there is then no `HEAD`.
/// - `allow_multiple_roots`: several migrations may have `down_revision: none`.
/// - `untracked`: no build script needs to track the directory. Without a build script cargo
///   rebuilds when a migration file changes, but not when one is added or removed, so the
///   build can embed a stale list; the macro refuses that unless this flag says so.
/// - `schema_at = ["002", "005"]`: generate the typed schema after these revisions too, as
///   `schema_at::R002`, `schema_at::R005` (only the head's is generated unless asked: each
///   costs compile time).
/// - `derive = [Debug, Clone, PartialEq]`: derive these on every `Row` struct of the typed
///   schema (any derive macro, such as `serde::Serialize`). None by default: at 170 tables,
///   `Debug` alone costs about as much compile time as the rest of the typed schema.
/// - `types = [chrono, uuid, serde_json]`: read timestamps, dates and times as chrono's
///   types, `uuid` as `uuid::Uuid`, `json` and `jsonb` as `serde_json::Value`, instead of
///   [`Raw`](schema::Raw); each needs retort's feature of the same name (see
///   [`schema::types`]). The call chooses, not the features: a feature that another crate of
///   the build turns on changes nothing here.
///
/// # Typed schema
///
/// The macro replays the migrations into a model of the schema (what `retort schema` prints)
/// and, when there is one head, generates `pub mod schema` with the tables at the head:
///
/// ```
/// # mod db { retort::migrations!("examples/hello/migrations", untracked); }
/// use db::schema::users;
///
/// // The table and its columns, for SQL: quoted where PostgreSQL needs it.
/// let sql = format!("SELECT {}, {} FROM {}", users::ID, users::NAME, users::TABLE);
/// assert_eq!(sql, "SELECT id, name FROM users");
/// assert_eq!(users::EMAIL.sql_type(), "text");
/// assert!(users::EMAIL.is_nullable());
///
/// // A row, every column by name; `Option` where the column may be NULL.
/// fn greet(row: &retort::postgres::Row) -> Result<String, retort::postgres::Error> {
///     let user = users::Row::try_from(row)?; // from `SELECT * FROM users`
///     let id: i64 = user.id;
///     let email: Option<String> = user.email;
///     Ok(format!("{id} {} <{}>", user.name, email.unwrap_or_default()))
/// }
/// ```
///
/// For each table, `schema::<table>` (`schema::<schema>::<table>` outside `public`) holds:
///
/// - `TABLE`: a [`schema::Table`], its name (`Display`s as SQL: quoted if needed, qualified outside
///   `public`);
/// - one [`schema::Column`] constant a column, named in upper case (`EMAIL`): name, type as
///   PostgreSQL's `format_type` prints it, nullability; and `COLUMNS`, all of them in order;
/// - `Row`: a struct with one field a column (`Option<T>` unless the column is `NOT NULL` or
///   in the primary key), implementing [`schema::FromRow`] and `TryFrom<&postgres::Row>`, which read
///   each column by name (other columns of the row are ignored), and what the call's
///   `derive = […]` names.
///
/// Code that names a column or a table that a later migration drops or renames stops
/// compiling, like code naming a revision. What the model does not know is left out rather
/// than guessed: a table whose existence it cannot tell (after a statement it does not
/// follow) has no module, one whose columns it cannot tell (`CREATE TABLE … AS`, `INHERITS`)
/// has `TABLE` alone; views are left out. With several heads there is no `schema`; name each
/// head in `schema_at`.
///
/// | PostgreSQL | Rust |
/// |---|---|
/// | `boolean` | `bool` |
/// | `smallint`, `integer` (`serial`), `bigint` (`bigserial`) | `i16`, `i32`, `i64` |
/// | `real`, `double precision` | `f32`, `f64` |
/// | `text`, `varchar(n)`, `char(n)`, `citext`, `name` | `String` |
/// | `bytea` | `Vec<u8>` |
/// | `"char"`, `oid` | `i8`, `u32` |
/// | `inet` | `std::net::IpAddr` |
/// | `hstore` | `HashMap<String, Option<String>>` |
/// | `T[]` | `Vec<Option<T>>` (one dimension; an element may be NULL) |
/// | `timestamp with time zone`, `timestamp`, `date`, `time` | with `types = [chrono]`: `chrono::DateTime<Utc>`, `NaiveDateTime`, `NaiveDate`, `NaiveTime`; else [`Raw`](schema::Raw) |
/// | `uuid` | with `types = [uuid]`: `uuid::Uuid`; else [`Raw`](schema::Raw) |
/// | `json`, `jsonb` | with `types = [serde_json]`: `serde_json::Value`; else [`Raw`](schema::Raw) |
/// | anything else: `numeric`, `interval`, enums, domains, extension types, … | [`Raw`](schema::Raw): the type and the binary value; [`Raw::decode`](schema::Raw::decode) reads it as any `FromSql` type |
///
/// With `types`, the call's dates and times are chrono's (with retort's `chrono` feature on):
///
/// ```
/// mod db {
///     # /*
///     retort::migrations!(types = [chrono]);
///     # */
///     # retort::migrations!("examples/hello/migrations", untracked, types = [chrono]);
/// }
/// use retort::schema::types::chrono::{DateTime, Utc};
///
/// fn joined(user: &db::schema::users::Row) -> DateTime<Utc> {
///     user.created_at // `timestamptz NOT NULL`; without `types`, a `retort::schema::Raw`
/// }
/// ```
///
/// Rust names: a table or column name that is a Rust identifier is kept (a keyword becomes
/// raw: `r#type`); other characters become `_` (ASCII) or `_u` and the hex code point
/// (`first name` → `first_name`, `café` → `caf_ue9`); a leading digit gets a `_`; `self`,
/// `super`, `crate`, `Self` and `_` get a trailing `_`. Constants are the same upper-cased;
/// a column named `table` or `columns` is `TABLE_`, `COLUMNS_`. Two names that become the
/// same Rust name (`first name` and `first_name`, or `Email` and `email` as constants) are
/// a compile error naming both.
///
/// # Errors
///
/// Every problem of the directory is a compile error at the call, each with its code, its
/// file, line and column, the line, and the fix: the header and sections of each file, the
/// revision graph, the SQL of each statement, statements refused inside a transaction, and
/// the schema model's verdicts (a missing table or column, an object created twice, a foreign
/// key without a unique target, a merge whose branches disagree, a down section that does not
/// undo its up). The [crate documentation](crate#what-fails-the-build) lists them;
/// `retort explain <code>` explains each.
#[doc(inline)]
pub use retort_macros::migrations;
