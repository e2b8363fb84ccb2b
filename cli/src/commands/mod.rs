//! One module per command. Each takes its arguments and where to write, and returns a
//! [`Status`]; `main` turns that into the exit code.

pub mod check;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use crate::cli::{Cli, Command};

/// How a command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// It did what was asked, or found nothing wrong: exit status 0.
    Success,
    /// It found problems, or failed: exit status 1.
    Failure,
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> ExitCode {
        match status {
            Status::Success => ExitCode::SUCCESS,
            Status::Failure => ExitCode::FAILURE,
        }
    }
}

/// Where a command writes its diagnostics, and whether in colour.
pub struct Output<'a> {
    /// Diagnostics and summaries: standard error, as compilers do.
    pub err: &'a mut dyn Write,
    /// Whether to colour diagnostics (ANSI).
    pub styled: bool,
}

/// Runs the command that `cli` names.
pub fn run(cli: &Cli) -> Status {
    let stderr = std::io::stderr();
    // Colour only for a person at a terminal, and never when NO_COLOR is set (no-color.org).
    let styled = stderr.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut err = stderr.lock();
    let mut out = Output {
        err: &mut err,
        styled,
    };
    let status = match &cli.command {
        Command::Check(args) => check::run(&cli.dir, args, &mut out),
    };
    let _ = out.err.flush();
    status
}

/// `1 error`, `2 errors`.
pub fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}
