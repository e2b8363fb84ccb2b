//! `retort`: create, check, apply and inspect migrations. See `retort --help`.
//!
//! The `retort` binary is [`main`]; a service's own binary gets every command with its
//! migrations compiled in from [`run`] (the facade's `retort::cli::run`, feature `cli`).
//! This file only wires things up: the command line is declared in `cli.rs`, and each command
//! lives in a module of its own under `commands/`.

mod cli;
mod commands;
mod config;
mod import;
mod introspect;
mod targets;
mod url;

use std::io::Write;
use std::process::ExitCode;

use retort_core::codes::Code;

/// The `retort` binary: every command on the migration directory.
pub fn main() -> ExitCode {
    start(None)
}

/// Every `retort` command, flags, exit codes and `retort.toml` included, in a service's own
/// binary, with `set` (its compiled-in, checked migrations) as the migrations the database
/// commands apply and read: `upgrade`, `downgrade`, `stamp`, `current`, `history`, `heads`,
/// `branches` and `check`'s database part use it; the commands that read or write files
/// (`revision`, `schema`, `diff`, `lint`, `test`, …) use the migration directory as the
/// `retort` binary does.
///
/// ```no_run
/// # static MIGRATIONS: retort_core::MigrationSet = retort_core::MigrationSet::from_static(&[]);
/// // src/bin/migrate.rs
/// fn main() -> std::process::ExitCode {
///     retort_cli::run(&MIGRATIONS)
/// }
/// ```
pub fn run(set: &'static retort_core::MigrationSet) -> ExitCode {
    start(Some(set))
}

fn start(embedded: Option<&'static retort_core::MigrationSet>) -> ExitCode {
    report_panics_briefly();
    // Usage errors exit with status 2, `--help` and `--version` with 0 (clap's defaults).
    // clap never echoes an option's value in its usage errors' help, but a mistyped
    // `--database-url` value could appear in "unexpected argument" text: redact it.
    // In a service's binary, usage and help name that binary.
    let mut command = <cli::Cli as clap::CommandFactory>::command();
    if embedded.is_some()
        && let Some(name) = std::env::args_os().next().and_then(|a| {
            std::path::Path::new(&a)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
        })
    {
        command = command.bin_name(name);
    }
    let parsed = command
        .try_get_matches()
        .and_then(|m| <cli::Cli as clap::FromArgMatches>::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let url = std::env::args()
                .skip_while(|a| a != "--database-url")
                .nth(1)
                .or_else(|| {
                    std::env::args()
                        .find_map(|a| a.strip_prefix("--database-url=").map(str::to_owned))
                });
            let code = e.exit_code();
            let text = e.render().to_string();
            // clap's own usage errors carry a code like every other error.
            let text = match text.strip_prefix("error: ") {
                Some(rest) => format!("error[{}]: {rest}", Code::CliBadArgument),
                None => text,
            };
            let out = url::redact(&text, url.as_deref());
            if e.use_stderr() {
                let _ = write!(std::io::stderr(), "{out}");
            } else {
                let _ = write!(std::io::stdout(), "{out}");
            }
            return ExitCode::from(code as u8);
        }
    };
    commands::run(&cli, embedded).into()
}

/// A bug in retort must still read as one line, not as a backtrace: the default panic hook
/// would suggest `RUST_BACKTRACE` and print one when it is set.
fn report_panics_briefly() {
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| info.payload().downcast_ref::<String>().map(String::as_str))
            .unwrap_or("unknown cause");
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let _ = writeln!(
            std::io::stderr(),
            "error[{}]: internal error in retort: {what}{at}\n\
             note: this is a bug; please report it at {}/issues",
            Code::InternalError,
            env!("CARGO_PKG_REPOSITORY")
        );
    }));
}
