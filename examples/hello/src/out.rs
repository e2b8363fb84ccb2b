//! Standard output that a closed pipe stops cleanly: `cargo run -p hello | head -3` ends with
//! status 0 once `head` has what it wants, where `println!` would panic.

use std::fmt;
use std::io::{self, ErrorKind, Write};

/// Why the program stops before the end.
#[derive(Debug)]
pub enum Stop {
    /// The reader of standard output is gone (`| head`): nothing more to say, and no error.
    Closed,
    /// A failure, with the message to print on standard error.
    Failed(String),
}

impl Stop {
    /// A failure with `message`.
    pub fn failed(message: impl fmt::Display) -> Self {
        Stop::Failed(message.to_string())
    }
}

/// Lines written to standard output, locked for the whole run.
pub struct Out {
    stdout: io::StdoutLock<'static>,
}

impl Out {
    /// Standard output, locked.
    pub fn stdout() -> Self {
        Out {
            stdout: io::stdout().lock(),
        }
    }

    /// Writes one line: [`Stop::Closed`] when the reader is gone, [`Stop::Failed`] on any
    /// other error.
    pub fn line(&mut self, args: fmt::Arguments<'_>) -> Result<(), Stop> {
        self.stdout
            .write_fmt(args)
            .and_then(|()| self.stdout.write_all(b"\n"))
            .map_err(|e| match e.kind() {
                ErrorKind::BrokenPipe => Stop::Closed,
                _ => Stop::failed(format_args!("error: cannot write to standard output: {e}")),
            })
    }
}

/// `say!(out, "…", args)`: one line on `out`, returning early with its [`Stop`].
macro_rules! say {
    ($out:expr, $($arg:tt)*) => {
        $out.line(format_args!($($arg)*))?
    };
}

pub(crate) use say;
