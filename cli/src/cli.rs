//! The command line, declared with clap: global options, one variant per command.
//!
//! To add a command: a variant of [`Command`] with its arguments here, a module in
//! `commands/`, and a match arm in `commands::run`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::import::Tool;

const EXAMPLES: &str = "\
Examples:
  retort init                              create ./migrations with a first revision
  retort revision -m \"Add user email\"      a new revision on top of the head
  retort revision --autogenerate -m \"Add email\"   the revision that makes the head schema.sql
  retort diff                              the SQL from the head to schema.sql, no file written
  retort upgrade                           apply everything (DATABASE_URL or --database-url)
  retort downgrade -1                      revert the last revision
  retort upgrade --sql > upgrade.sql       the same as a psql script, no database needed
  retort history                           the revisions, newest first
  retort check                             the build's checks (and, with a database, sync)
  retort explain schema-missing-column     what the code in `error[…]` means, and the fix

Configuration: an optional retort.toml in the working directory (keys `dir`, `table`,
`schema`, `lock_timeout` and `statement_lock_timeout` in seconds, `schema_file`, `lock` =
\"advisory\" or \"table\" with `lease_expiry` in seconds); flags win over it, it wins over the
defaults.

Many databases: `--targets FILE` (one URL a line) or `targets = [...]` in retort.toml runs
upgrade, downgrade, stamp, current and check on each, `--jobs N` at once (default 4), with a
report per target; `--fail-fast` stops starting targets after a failure, `--canary K` runs
the first K first. Not atomic across targets: run it again to resume (done targets do nothing).

Exit status: 0 ok, 1 the migrations or the request have an error, 2 usage error,
3 the database is not in sync (check), 4 database error (unreachable, refused, a migration failed;
with targets: any target failed).";

/// `retort [--dir DIR] [--database-url URL] COMMAND`.
#[derive(Debug, Parser)]
#[command(
    name = "retort",
    version,
    about = "Database version control for Rust: migrations checked by the compiler.",
    after_help = EXAMPLES,
    arg_required_else_help = true
)]
pub struct Cli {
    /// The migration directory, relative to the working directory [default: `dir` in
    /// retort.toml, else migrations].
    #[arg(long, value_name = "DIR", global = true)]
    pub dir: Option<PathBuf>,

    /// The database, as postgres://USER:PASSWORD@HOST:PORT/DATABASE [default: $DATABASE_URL].
    /// Never printed with its password.
    #[arg(long, value_name = "URL", global = true)]
    pub database_url: Option<String>,

    /// The desired schema, plain PostgreSQL DDL, for `revision --autogenerate` and `diff`
    /// [default: `schema_file` in retort.toml, else schema.sql].
    #[arg(long, value_name = "FILE", global = true)]
    pub schema_file: Option<PathBuf>,

    /// Many databases: a file with one database URL a line (`#` comments; `schema = "NAME"`
    /// after a URL for a schema per tenant). `upgrade`, `downgrade`, `stamp`, `current` and
    /// `check` then run on every target [default: `targets` in retort.toml].
    #[arg(long, value_name = "FILE", global = true)]
    pub targets: Option<PathBuf>,

    /// With targets: how many run at once [default: 4].
    #[arg(long, value_name = "N", global = true,
          value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub jobs: Option<u32>,

    /// With targets: start no new target after the first failure (those under way finish).
    #[arg(long, global = true)]
    pub fail_fast: bool,

    /// With targets: run the first K targets, then the rest only if all K succeeded.
    #[arg(long, value_name = "K", global = true,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub canary: Option<u32>,

    /// The environment this run is in: a migration whose header says `environments: …`
    /// runs only where this is one of them, and is recorded as skipped elsewhere
    /// [env: RETORT_ENVIRONMENT; retort.toml: environment].
    #[arg(long, value_name = "NAME", global = true)]
    pub environment: Option<String>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Output formats of the read commands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    #[default]
    Text,
    /// One JSON document on standard output (shape documented in the README).
    Json,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the migration directory with a first revision.
    #[command(
        long_about = "Create the migration directory with a first (empty) revision, and print the \
                      lines to add to Cargo.toml, build.rs and the code. Refuses a directory \
                      that exists and is not empty.",
        after_help = "Examples:\n  retort init\n  retort init db/migrations"
    )]
    Init(InitArgs),

    /// Write a new revision file on top of the head.
    #[command(
        long_about = "Write a new revision file whose `down_revision` is the head. When there \
                      are several heads it refuses and lists them, unless `--head` picks one. \
                      The id is the UTC time (YYYYMMDDHHMMSS, so ids sort in creation order), \
                      moved on by a second if taken; `--rev-id` chooses it. Prints the path.\n\n\
                      With `--autogenerate`, the up and down sections are written from the \
                      difference between the schema at the head and the desired schema \
                      (`--schema-file`, else `schema_file` in retort.toml, else schema.sql): \
                      \"no changes\" and no file when they are equal. Renames only by an \
                      annotation, `-- retort:renamed_from <old name>` on the line before the \
                      new name; drops only with `--allow-drop` (the revision then gets a \
                      `lossy_down:` header). What the model cannot compare is listed in the \
                      file. The file is checked and replayed before retort says it is done.",
        after_help = "Examples:\n  retort revision -m \"Add user email\"\n  \
                      retort revision -m \"Fix\" --head 20250101120000 --rev-id 004\n  \
                      retort revision --autogenerate -m \"Add email\"\n  \
                      retort revision --autogenerate --allow-drop -m \"Drop legacy\""
    )]
    Revision(RevisionArgs),

    /// Print the SQL between two schemas, without writing a file.
    #[command(
        long_about = "Print the SQL that turns one schema into another, without writing a file: \
                      the up section `revision --autogenerate` would write, with what the model \
                      cannot compare as comments. A STATE is a revision (`head`, an id or \
                      unique prefix, `<rev>-1`, `base` for the empty database), a .sql file of \
                      DDL, or a database URL (its catalog is read; nothing is changed in it). \
                      Drops are printed (they need `--allow-drop` only to be written).",
        after_help = "Examples:\n  retort diff\n  retort diff --from head-1 --to head\n  \
                      retort diff --from base --to schema.sql\n  \
                      retort diff --from postgres://localhost/app --to head"
    )]
    Diff(DiffArgs),

    /// Apply migrations up to TARGET (default: head).
    #[command(
        long_about = "Apply the migrations needed to reach TARGET (default `head`): one line per \
                      migration with its time. Targets: head, heads, a revision id or unique \
                      prefix, +N, <rev>+N. `--sql` prints the psql script instead (TARGET may \
                      then be a range FROM:TO; without one it starts from an empty database) \
                      and needs no database. `--dry-run` runs everything in one transaction \
                      and rolls it back.",
        after_help = "Examples:\n  retort upgrade\n  retort upgrade +1\n  \
                      retort upgrade 002 --dry-run\n  retort upgrade 001:003 --sql > up.sql"
    )]
    Upgrade(MoveArgs),

    /// Revert migrations down to TARGET.
    #[command(
        long_about = "Revert the migrations above TARGET: one line per migration with its \
                      time. Targets: base (revert everything), a revision id or unique prefix \
                      (keep it), -N, <rev>-N. `--sql` prints the psql script instead (TARGET may \
                      then be a range FROM:TO; without one it starts from the heads) and needs \
                      no database. `--dry-run` runs in one transaction and rolls it back.",
        after_help = "Examples:\n  retort downgrade -1\n  retort downgrade base\n  \
                      retort downgrade 003:001 --sql > down.sql"
    )]
    Downgrade(MoveArgs),

    /// Show the database's current revisions.
    #[command(after_help = "Examples:\n  retort current\n  retort current --format json")]
    Current(ReadArgs),

    /// List the revisions, newest first.
    #[command(
        long_about = "List the revisions, newest first, as `parent -> revision (flags), message`. \
                      `-r FROM:TO` limits the list to TO's ancestors that descend from FROM \
                      (both included; either side may be empty, `base`, `head` or `current`). \
                      `-i` marks the database's current revisions.",
        after_help = "Examples:\n  retort history\n  retort history -r 002:head --verbose\n  \
                      retort history -r current: -i\n  \
                      retort history --format json"
    )]
    History(HistoryArgs),

    /// Show the heads (revisions without children).
    #[command(after_help = "Examples:\n  retort heads\n  retort heads --format json")]
    Heads(ReadArgs),

    /// Show the branch points (revisions with several children) and their branches.
    #[command(after_help = "Example:\n  retort branches")]
    Branches,

    /// Show one revision: its parents, children, file and SQL.
    #[command(after_help = "Examples:\n  retort show 002\n  retort show head")]
    Show(ShowArgs),

    /// Write a merge revision over the heads (default: all of them).
    #[command(
        long_about = "Write a merge revision whose `down_revision` lists the given heads (default: \
                      every head), with empty up and down sections.",
        after_help = "Examples:\n  retort merge -m \"Merge alice and bob\"\n  \
                      retort merge -m \"Merge\" 0a1 0b2"
    )]
    Merge(MergeArgs),

    /// Record TARGET as applied without running any SQL.
    #[command(
        long_about = "Record TARGET as the database's state without running any SQL: adopt a \
                      database whose tables already exist (`stamp head`), or record what a \
                      person did by hand. Targets as for upgrade and downgrade.\n\n\
                      With `--adopt TOOL` instead of a target, the state is what that tool's \
                      history table (`_sqlx_migrations`, `__diesel_schema_migrations`, \
                      `refinery_schema_history`) says it applied, after checking it against \
                      the migrations `retort import` wrote: every applied version must be a \
                      revision, the applied set must be everything up to its newest, and \
                      checksums must match where the tool keeps them. The other tool's table \
                      is left as it was.",
        after_help = "Examples:\n  retort stamp head\n  retort stamp base\n  \
                      retort stamp --adopt sqlx"
    )]
    Stamp(StampArgs),

    /// Convert another tool's migrations (sqlx, diesel, refinery) into retort files.
    #[command(
        long_about = "Convert another tool's migration directory into retort files in the \
                      migration directory (which must be empty or new): the versions become \
                      the revision ids and keep their order; sqlx's `-- no-transaction` and \
                      diesel's `run_in_transaction = false` become `transaction: false`; a \
                      `BEGIN; … COMMIT;` around a whole section is taken out (each migration \
                      runs in its own transaction); a migration without a down gets \
                      `irreversible:`, a down that does not restore the schema `lossy_down:` \
                      naming what it leaves. Errors that remain are the history's own and are \
                      printed (exit 1, files written). A `.retort-import.toml` beside the files \
                      keeps the tool's checksums for `retort stamp --adopt`.",
        after_help = "Examples:\n  retort import --from sqlx ../old/migrations\n  \
                      retort import --from diesel migrations --dir db/migrations\n  \
                      retort import --from refinery src/sql"
    )]
    Import(ImportArgs),

    /// Run every revision up, down and up again on a real PostgreSQL, comparing the schema.
    #[command(
        long_about = "The stairway: for every revision in history order, on a scratch \
                      database, upgrade to it and compare the database's catalog with the \
                      schema model; downgrade it and compare with what the model says its down \
                      leaves; upgrade it again and compare once more. It finds what the build's \
                      checks cannot see: SQL the model does not understand (dynamic SQL, \
                      functions that change the schema) and downs that PostgreSQL refuses. \
                      The first difference or failure stops it, located in the file. The \
                      scratch database is created on the server of `--database-url` (and \
                      dropped after; the user needs CREATEDB), or, without a URL, on a \
                      throwaway cluster of the installed PostgreSQL. The database of the URL \
                      itself is never changed.",
        after_help = "Examples:\n  retort test\n  retort test --database-url postgres://localhost/postgres\n  \
                      retort test --keep-going"
    )]
    Test(TestArgs),

    /// Write a checkpoint that builds the schema at REV from nothing, replacing REV and
    /// everything before it.
    #[command(
        long_about = "Write one checkpoint revision (`down_revision: none`, `replaces: \
                      <first>..<REV>`) whose up builds the schema at REV from nothing: the \
                      model's DDL as `retort schema REV` prints it, the functions, views and \
                      triggers as their migrations wrote them, and the range's data statements \
                      whose tables still exist. What it cannot carry is an error and nothing is \
                      written. The build then proves it: replayed from nothing, its schema must \
                      equal the schema at REV. A fresh database applies the checkpoint instead \
                      of the range; a database part way through the range goes on with the old \
                      files; one past REV counts the checkpoint as applied. Delete the old files \
                      once every database has reached REV.",
        after_help = "Examples:\n  retort squash --to 0142 -m \"Checkpoint 2024\""
    )]
    Squash(SquashArgs),

    /// Check the migrations as `retort::migrations!()` does at build time, and the database.
    #[command(
        long_about = "Check the migrations as `retort::migrations!()` does at build time: file \
                      format, revision graph, SQL syntax and statements that cannot run in a \
                      transaction. Prints every problem, then a summary line. With a database \
                      (--database-url or DATABASE_URL), also whether it is in sync: nothing \
                      pending, unknown, edited or interrupted, and no drift: its schema is what \
                      the migrations make at its revision (each difference is printed with the \
                      SQL that undoes it).\n\n\
                      Exit status: 0 when there is no error (warnings are fine), 1 when the \
                      migrations have an error, 2 for a usage error, 3 when the database is \
                      not in sync, 4 when the database cannot be read.",
        after_help = "Examples:\n  \
                      retort check\n  \
                      retort check --dir db/migrations --allow-multiple-heads\n  \
                      retort check --database-url postgres://app@localhost/app --format json"
    )]
    Check(CheckArgs),

    /// Print the lints only: statements that lock or rewrite a table that holds data.
    #[command(
        long_about = "Print the lints only: statements PostgreSQL accepts that lock or rewrite \
                      a table created before their revision (an index built without \
                      CONCURRENTLY, a constraint added without NOT VALID, a type change that \
                      rewrites, a lock taken with no lock timeout, …), each with the safe way. \
                      Levels come from `[lints]` in retort.toml; `-- retort:allow <code> \
                      <reason>` on the line before a statement silences one lint there; \
                      `retort explain <code>` documents each.\n\n\
                      Exit status: 0 unless a lint is set to deny (1) or the migrations have \
                      errors (1; `retort check` shows them).",
        after_help = "Examples:\n  \
                      retort lint\n  \
                      retort lint --dir db/migrations --format json"
    )]
    Lint(LintArgs),

    /// Print the schema the migrations define at REV (default: head), from the files alone.
    #[command(
        long_about = "Print the schema the migrations define at REV (default `head`), read from \
                      the files alone (no database): PostgreSQL DDL in dependency order — \
                      schemas, extensions, enum types, sequences, tables with their columns \
                      and keys, foreign keys, indexes — with a comment for what the model does \
                      not keep (a default's expression, a check's, a view's query, a \
                      function's body) and for every part it does not know. REV is a revision \
                      id or unique prefix, `head`, or `<rev>+N`/`<rev>-N`; with several heads, \
                      name one.",
        after_help = "Examples:\n  retort schema\n  retort schema 002\n  \
                      retort schema head --format json\n  retort schema 002-1 > schema.sql"
    )]
    Schema(SchemaArgs),

    /// Explain an error or warning code, such as `schema-missing-column`.
    #[command(
        long_about = "Print what a code means, why it is a problem, an example and the fix.                       Every error and warning retort prints carries its code in brackets:                       `error[schema-missing-column]: …`. Without a code, or with `--list`,                       list every code with a one-line summary.",
        after_help = "Examples:\n  retort explain schema-missing-column\n  retort explain --list"
    )]
    Explain(ExplainArgs),
}

/// `schema [REV]`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// The revision: an id, a unique prefix, `head`, `<rev>+N` or `<rev>-N` [default: head].
    #[arg(allow_negative_numbers = true)]
    pub rev: Option<String>,
    /// Output format: SQL text, or one JSON document.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// `init [DIR]`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The directory to create [default: --dir, else `dir` in retort.toml, else migrations].
    pub directory: Option<PathBuf>,
    /// The first revision's message.
    #[arg(short, long, default_value = "Initial schema")]
    pub message: String,
}

/// `revision -m MSG`.
#[derive(Debug, Args)]
pub struct RevisionArgs {
    /// The message: one line, also the file name's slug.
    #[arg(short, long)]
    pub message: String,
    /// The revision to build on, when there are several heads (an id or a unique prefix).
    #[arg(long, value_name = "REV")]
    pub head: Option<String>,
    /// The new revision's id (1–32 letters and digits) instead of the UTC time.
    #[arg(long, value_name = "ID")]
    pub rev_id: Option<String>,
    /// Write the sections from the difference between the head and the schema file.
    #[arg(long)]
    pub autogenerate: bool,
    /// With `--autogenerate`: write drops of tables, columns, indexes, types, constraints and
    /// enum values that the schema file no longer has.
    #[arg(long, requires = "autogenerate")]
    pub allow_drop: bool,
    /// With `--autogenerate`: every change in its plain form, in one transactional revision
    /// (by default an index on an existing table is built `CONCURRENTLY` in a revision of its
    /// own, and constraints and `SET NOT NULL` on existing tables are validated in a following
    /// one).
    #[arg(long, requires = "autogenerate")]
    pub simple: bool,
}

/// `diff [--from STATE] [--to STATE]`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Where from: a revision (`head`, an id, `<rev>-1`, `base`) or a .sql file [default: head].
    #[arg(long, value_name = "STATE", allow_hyphen_values = true)]
    pub from: Option<String>,
    /// Where to: a revision or a .sql file [default: the schema file].
    #[arg(long, value_name = "STATE", allow_hyphen_values = true)]
    pub to: Option<String>,
    /// Print the plain form, as one transactional revision (`revision --autogenerate
    /// --simple` writes it) rather than the safe forms' revisions.
    #[arg(long)]
    pub simple: bool,
}

/// `upgrade [TARGET]` and `downgrade TARGET`.
#[derive(Debug, Args)]
pub struct MoveArgs {
    /// Where to go; with `--sql`, FROM:TO too.
    #[arg(allow_negative_numbers = true)]
    pub target: Option<String>,
    /// Print the SQL script to standard output instead of running it (no database needed).
    #[arg(long, conflicts_with = "dry_run")]
    pub sql: bool,
    /// Run in one transaction, report, and roll back: nothing stays.
    #[arg(long)]
    pub dry_run: bool,
    /// Output format: with `json`, one document with a report per database (as with
    /// `--targets`).
    #[arg(long, value_enum, default_value_t, conflicts_with = "sql")]
    pub format: Format,
}

/// The read commands' `--format`.
#[derive(Debug, Args)]
pub struct ReadArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// `history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// A range FROM:TO (ids, unique prefixes, `base`, `head`, `current` (needs the
    /// database); either side may be empty).
    #[arg(short = 'r', long, value_name = "FROM:TO")]
    pub rev_range: Option<String>,
    /// Mark the database's current revisions `(current)` (needs the database).
    #[arg(short = 'i', long)]
    pub indicate_current: bool,
    /// One block per revision: parents, children, file, transaction mode.
    #[arg(short, long)]
    pub verbose: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// `show REV`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A revision id, a unique prefix, or `head`.
    pub rev: String,
}

/// `squash --to REV -m MSG`.
#[derive(Debug, Args)]
pub struct SquashArgs {
    /// The last revision the checkpoint replaces (an id, a unique prefix, `head`).
    #[arg(long, value_name = "REV")]
    pub to: String,
    /// The checkpoint's message.
    #[arg(short, long)]
    pub message: String,
    /// The checkpoint's id instead of the UTC time.
    #[arg(long, value_name = "ID")]
    pub rev_id: Option<String>,
}

/// `merge -m MSG [REV…]`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The merge revision's message.
    #[arg(short, long)]
    pub message: String,
    /// The heads to merge (ids or unique prefixes) [default: every head].
    pub revs: Vec<String>,
    /// The new revision's id instead of the UTC time.
    #[arg(long, value_name = "ID")]
    pub rev_id: Option<String>,
}

/// `stamp TARGET` or `stamp --adopt TOOL`.
#[derive(Debug, Args)]
pub struct StampArgs {
    /// The state to record.
    #[arg(
        allow_negative_numbers = true,
        required_unless_present = "adopt",
        conflicts_with = "adopt"
    )]
    pub target: Option<String>,

    /// Record what this tool's history table says it applied (after `retort import`).
    #[arg(long, value_enum, value_name = "TOOL")]
    pub adopt: Option<Tool>,

    /// Output format: with `json`, one document with a report per database (as with
    /// `--targets`).
    #[arg(long, value_enum, default_value_t, conflicts_with = "adopt")]
    pub format: Format,
}

/// `test [--keep-going]`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Report every difference instead of stopping at the first (the database is made again
    /// from nothing after each).
    #[arg(long)]
    pub keep_going: bool,
}

/// `import --from TOOL SRC`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The tool whose migrations these are.
    #[arg(long, value_enum, value_name = "TOOL")]
    pub from: Tool,

    /// Its migration directory.
    #[arg(value_name = "SRC")]
    pub src: PathBuf,
}

/// The arguments of `retort check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Accept several heads (unmerged branches), as `allow_multiple_heads` in the macro call.
    #[arg(long)]
    pub allow_multiple_heads: bool,

    /// Accept several roots (independent histories), as `allow_multiple_roots` in the macro
    /// call.
    #[arg(long)]
    pub allow_multiple_roots: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// `lint [--format F]`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn declaration_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn dir_is_global() {
        let cli = Cli::try_parse_from(["retort", "check"]).unwrap();
        assert_eq!(cli.dir, None);
        let cli = Cli::try_parse_from(["retort", "check", "--dir", "db/m"]).unwrap();
        assert_eq!(cli.dir, Some(PathBuf::from("db/m")));
        let cli = Cli::try_parse_from(["retort", "--dir", "db/m", "check"]).unwrap();
        assert_eq!(cli.dir, Some(PathBuf::from("db/m")));
        let Command::Check(args) = cli.command else {
            panic!()
        };
        assert!(!args.allow_multiple_heads && !args.allow_multiple_roots);
    }

    #[test]
    fn fleet_flags_are_global() {
        let cli = Cli::try_parse_from([
            "retort",
            "--targets",
            "t.txt",
            "upgrade",
            "--jobs",
            "8",
            "--fail-fast",
        ])
        .unwrap();
        assert_eq!(cli.targets, Some(PathBuf::from("t.txt")));
        assert_eq!(cli.jobs, Some(8));
        assert!(cli.fail_fast);
        let cli =
            Cli::try_parse_from(["retort", "--canary", "2", "current", "--targets", "t"]).unwrap();
        assert_eq!(cli.canary, Some(2));
        assert!(Cli::try_parse_from(["retort", "upgrade", "--jobs", "0"]).is_err());
        assert!(Cli::try_parse_from(["retort", "upgrade", "--canary", "0"]).is_err());
    }

    #[test]
    fn every_command_has_examples() {
        for sub in Cli::command().get_subcommands() {
            let help = sub
                .get_after_help()
                .map(|h| h.to_string())
                .unwrap_or_default();
            assert!(
                help.contains("retort "),
                "{} has no example",
                sub.get_name()
            );
        }
    }
}

/// `retort explain [CODE] [--list]`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The code, as printed in brackets after `error` or `warning`.
    #[arg(value_name = "CODE", conflicts_with = "list")]
    pub code: Option<String>,

    /// List every code with a one-line summary (the default without a code).
    #[arg(long)]
    pub list: bool,
}
