//! The command line, declared with clap: global options, one variant per command.
//!
//! To add a command: a variant of [`Command`] with its arguments here, a module in
//! `commands/`, and a match arm in `commands::run`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  retort check                          check ./migrations, as `cargo build` would
  retort --dir db/migrations check      check another directory
  retort check --allow-multiple-heads   accept unmerged heads, like the macro flag";

/// `retort [--dir DIR] COMMAND`.
#[derive(Debug, Parser)]
#[command(
    name = "retort",
    version,
    about = "Database version control for Rust: migrations checked by the compiler.",
    after_help = EXAMPLES,
    arg_required_else_help = true
)]
pub struct Cli {
    /// The migration directory, relative to the working directory.
    #[arg(long, value_name = "DIR", default_value = "migrations", global = true)]
    pub dir: PathBuf,

    // `--database-url` (and `DATABASE_URL`) goes here once a command needs a database.
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands. `init`, `revision`, `upgrade`, `downgrade`, `current`, `history`, `heads`,
/// `branches`, `show`, `merge` and `stamp` are to come.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the migrations as `retort::migrations!()` does at build time.
    #[command(
        long_about = "Check the migrations as `retort::migrations!()` does at build time: file \
                      format, revision graph, SQL syntax and statements that cannot run in a \
                      transaction. Prints every problem, then a summary line.\n\n\
                      Exit status: 0 when there is no error (warnings are fine), 1 when there \
                      is one, 2 for a usage error.",
        after_help = "Examples:\n  \
                      retort check\n  \
                      retort check --dir db/migrations --allow-multiple-heads"
    )]
    Check(CheckArgs),
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
    fn dir_defaults_and_is_global() {
        let cli = Cli::try_parse_from(["retort", "check"]).unwrap();
        assert_eq!(cli.dir, PathBuf::from("migrations"));
        let cli = Cli::try_parse_from(["retort", "check", "--dir", "db/m"]).unwrap();
        assert_eq!(cli.dir, PathBuf::from("db/m"));
        let cli = Cli::try_parse_from(["retort", "--dir", "db/m", "check"]).unwrap();
        assert_eq!(cli.dir, PathBuf::from("db/m"));
        let Command::Check(args) = cli.command;
        assert!(!args.allow_multiple_heads && !args.allow_multiple_roots);
    }
}
