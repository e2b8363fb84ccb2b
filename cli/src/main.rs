//! `retort`: create, check, apply and inspect migrations. See `retort --help`.
//!
//! This file only wires things up: the command line is declared in [`cli`], and each command
//! lives in a module of its own under [`commands`].

mod cli;
mod commands;
mod config;
mod import;
mod introspect;
mod url;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use retort_core::codes::Code;

fn main() -> ExitCode {
    report_panics_briefly();
    // Usage errors exit with status 2, `--help` and `--version` with 0 (clap's defaults).
    // clap never echoes an option's value in its usage errors' help, but a mistyped
    // `--database-url` value could appear in "unexpected argument" text: redact it.
    let cli = match cli::Cli::try_parse() {
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
    commands::run(&cli).into()
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
