//! One module per command. Each takes the [`Ctx`] and its arguments, writes its output, and
//! returns `Ok(Status)` or a [`Fail`]; `main` turns that into the exit code.

pub mod adopt;
pub mod autogen;
pub mod check;
pub mod diff;
pub mod drift;
pub mod explain;
pub mod fleet;
pub mod graph;
pub mod import;
pub mod init;
pub mod lint;
pub mod migrate;
pub mod revision;
pub mod schema;
pub mod squash;
pub mod stairway;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use retort_core::MigrationSet;
use retort_core::check::{Options, Report, check_dir};
use retort_core::codes::Code;
use retort_core::diagnostic::Diagnostic;
use retort_core::source::Sources;
use retort_runtime::Error;

use crate::cli::{Cli, Command};
use crate::{config, url};

/// How a command ended: the exit status. Documented in `retort --help` and the README.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// 0: done, or nothing wrong found.
    Success,
    /// 1: the migrations have an error, or the request cannot be done (a target that does
    /// not exist, several heads where one is needed, a non-empty directory for `init`).
    Failure,
    /// 2: a usage error (clap's own, a malformed target, no database given).
    Usage,
    /// 3: `check` found the database out of sync with the migrations.
    NotInSync,
    /// 4: the database could not be reached, refused the run, or a migration failed in it.
    Database,
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> ExitCode {
        ExitCode::from(match status {
            Status::Success => 0,
            Status::Failure => 1,
            Status::Usage => 2,
            Status::NotInSync => 3,
            Status::Database => 4,
        })
    }
}

/// A command that failed: its exit status and the rendered message (may be empty when the
/// command printed its diagnostics itself).
#[derive(Debug)]
pub struct Fail {
    /// The exit status.
    pub status: Status,
    /// `error[code]: …` with `help: …`, rendered.
    pub text: String,
}

/// The result of a command.
pub type Outcome = Result<Status, Fail>;

/// `error[code]: message` with `help: help`.
pub fn fail(status: Status, code: Code, message: impl Into<String>, help: Option<String>) -> Fail {
    let mut d = Diagnostic::error(code, message);
    if let Some(h) = help {
        d = d.with_help(h);
    }
    Fail {
        status,
        text: d.render(&Sources::new()),
    }
}

/// A runtime error: rendered as the runtime renders it. Plan problems (a target that cannot
/// be reached) and irreversible migrations are the request's fault (1); the rest comes from
/// the database (4).
pub fn runtime_fail(e: &Error) -> Fail {
    let status = match e {
        Error::Plan { .. } | Error::Irreversible { .. } => Status::Failure,
        _ => Status::Database,
    };
    Fail {
        status,
        text: e.render(),
    }
}

/// Everything a command needs besides its own arguments.
pub struct Ctx {
    /// The migration directory.
    pub dir: PathBuf,
    /// The directory as written, for messages.
    pub display: String,
    /// The database URL (flag, else `DATABASE_URL`).
    pub url: Option<String>,
    /// Version table and lock settings (retort.toml).
    pub config: retort_runtime::Config,
    /// The desired schema's file (`--schema-file`, else retort.toml, else schema.sql).
    pub schema_file: PathBuf,
    /// Colour on standard error.
    pub styled_err: bool,
    /// Colour on standard output.
    pub styled_out: bool,
    /// Whether standard output is a terminal (progress lines).
    pub out_tty: bool,
    /// The lints' levels and the runner's lock timeout (retort.toml).
    pub lints: retort_core::lint::LintSettings,
    /// The migrations compiled into a service's binary ([`crate::run`]), which the
    /// database commands use instead of the directory.
    pub embedded: Option<&'static MigrationSet>,
    /// The targets of a fleet run (`--targets`, else `targets` in retort.toml unless
    /// `--database-url` is given), for the commands that run on many databases.
    pub fleet: Option<fleet::Fleet>,
}

fn colour_allowed() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

impl Ctx {
    /// Checks the directory as the build does (several heads allowed: branches are a normal
    /// state between two developers' work and a merge) and gives its set; on an error,
    /// prints every diagnostic and fails with status 1.
    pub fn load(&self) -> Result<(Report, MigrationSet), Fail> {
        let options = Options {
            allow_multiple_heads: true,
            allow_multiple_roots: false,
            lints: self.lints.clone(),
        };
        let report = check_dir(&self.dir, &self.display, &options);
        match report.to_set() {
            Some(set) => Ok((report, set)),
            None => {
                let mut err = std::io::stderr().lock();
                for d in report.errors() {
                    let text = if self.styled_err {
                        d.render_styled(&report.sources)
                    } else {
                        d.render(&report.sources)
                    };
                    let _ = writeln!(err, "{text}\n");
                }
                let n = report.errors().count();
                Err(fail(
                    Status::Failure,
                    Code::CheckFailed,
                    format!(
                        "the migrations in {} have {}; nothing was done",
                        self.display,
                        count(n, "error")
                    ),
                    Some(format!(
                        "fix {} above (`retort check` shows them again)",
                        if n == 1 { "it" } else { "them" }
                    )),
                ))
            }
        }
    }

    /// The migrations the database commands apply and read: the compiled-in set in a
    /// service's binary, else the directory's (checked as [`Ctx::load`] does).
    pub fn set(&self) -> Result<std::borrow::Cow<'static, MigrationSet>, Fail> {
        match self.embedded {
            Some(set) => Ok(std::borrow::Cow::Borrowed(set)),
            None => self.load().map(|(_, set)| std::borrow::Cow::Owned(set)),
        }
    }

    /// Creates the migration directory (and its parents) if missing.
    pub fn create_dir(&self) -> Result<(), Fail> {
        std::fs::create_dir_all(&self.dir).map_err(|e| {
            fail(
                Status::Failure,
                Code::CliWriteFailed,
                format!("cannot create `{}`: {e}", self.display),
                None,
            )
        })
    }

    /// The targets to run on: the fleet, or, for a JSON report, the one database as a fleet
    /// of one; `None` for a run on one database as usual.
    pub fn fleet_for(&self, format: crate::cli::Format) -> Result<Option<fleet::Fleet>, Fail> {
        if let Some(f) = &self.fleet {
            return Ok(Some(f.clone()));
        }
        if format != crate::cli::Format::Json {
            return Ok(None);
        }
        let Some(url) = self.url.as_deref() else {
            // `connect` says what is missing.
            return self.connect().map(|_| None);
        };
        let target = crate::targets::Target::new(url, None, "--database-url".to_owned())
            .map_err(|e| fail(Status::Usage, Code::DbBadUrl, e.message, Some(e.help)))?;
        Ok(Some(fleet::Fleet {
            targets: vec![target],
            jobs: 1,
            fail_fast: false,
            canary: 0,
        }))
    }

    /// Connects to the database. Every message is about the URL with its password masked.
    pub fn connect(&self) -> Result<postgres::Client, Fail> {
        let Some(url) = self.url.as_deref() else {
            return Err(fail(Status::Usage, Code::DbNoUrl,
                "no database to connect to",
                Some("pass `--database-url postgres://USER:PASSWORD@HOST:PORT/DATABASE`, or set DATABASE_URL".to_owned()),
            ));
        };
        connect_url(url)
    }
}

/// Connects to the database at `url`. Every message is about the URL with its password
/// masked.
pub fn connect_url(url: &str) -> Result<postgres::Client, Fail> {
    let masked = url::mask(url);
    let mut config: postgres::Config = url.parse().map_err(|e: postgres::Error| {
        fail(
            Status::Usage,
            Code::DbBadUrl,
            format!(
                "`{masked}` is not a database URL: {}",
                url::redact(&e.to_string(), Some(url))
            ),
            Some("write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE".to_owned()),
        )
    })?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(10));
    }
    config
        .connect(postgres::NoTls)
        .map_err(|e| connect_fail(&e, &masked, url))
}

/// One clear line for a failed connection.
pub(crate) fn connect_fail(e: &postgres::Error, masked: &str, url: &str) -> Fail {
    let (message, help) = match e.as_db_error() {
        Some(db) => {
            let what = url::redact(db.message(), Some(url));
            match db.code().code() {
                "28P01" | "28000" => (
                    format!("the database at {masked} refused the login: {what}"),
                    "check the user name and password in the database URL".to_owned(),
                ),
                "3D000" => (
                    format!("cannot connect to {masked}: {what}"),
                    "create the database (`createdb`), or fix its name in the URL".to_owned(),
                ),
                _ => (
                    format!("cannot connect to {masked}: {what}"),
                    "check the database URL and the server's settings".to_owned(),
                ),
            }
        }
        None => {
            // The postgres crate's text, with its cause, stripped of anything secret.
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(cause) = source {
                let s = cause.to_string();
                if !text.contains(&s) {
                    text = format!("{text}: {s}");
                }
                source = cause.source();
            }
            (
                format!(
                    "cannot connect to the database at {masked}: {}",
                    url::redact(&text, Some(url))
                ),
                "check that the server is running and that the host and port in the URL are right"
                    .to_owned(),
            )
        }
    };
    fail(Status::Database, Code::DbConnectFailed, message, Some(help))
}

/// Runs the command that `cli` names; prints a failure's message (password-free).
pub fn run(cli: &Cli, embedded: Option<&'static MigrationSet>) -> Status {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let url = cli
        .database_url
        .clone()
        .or_else(|| std::env::var("DATABASE_URL").ok())
        .filter(|u| !u.is_empty());
    let outcome = (|| {
        // Needs neither the configuration nor the directory: it works anywhere.
        if let Command::Explain(a) = &cli.command {
            return explain::run(a);
        }
        let file = config::load(&cwd)
            .map_err(|e| fail(Status::Failure, Code::CliConfig, e.message, Some(e.help)))?;
        let dir = match &cli.command {
            Command::Init(a) => a.directory.clone(),
            _ => None,
        }
        .or_else(|| cli.dir.clone())
        .or(file.dir)
        .unwrap_or_else(|| PathBuf::from("migrations"));
        let schema_file = cli
            .schema_file
            .clone()
            .or(file.schema_file)
            .unwrap_or_else(|| PathBuf::from("schema.sql"));
        let fleet = fleet_of(cli, file.targets)?;
        let ctx = Ctx {
            display: dir.to_string_lossy().into_owned(),
            dir,
            schema_file,
            url: url.clone(),
            config: match cli
                .environment
                .clone()
                .or_else(|| std::env::var("RETORT_ENVIRONMENT").ok())
                .filter(|e| !e.is_empty())
            {
                Some(e) => file.runtime.environment(e),
                None => file.runtime,
            },
            styled_err: std::io::stderr().is_terminal() && colour_allowed(),
            styled_out: std::io::stdout().is_terminal() && colour_allowed(),
            out_tty: std::io::stdout().is_terminal(),
            lints: file.lints,
            embedded,
            fleet,
        };
        match &cli.command {
            Command::Init(a) => init::run(&ctx, a),
            Command::Revision(a) => revision::revision(&ctx, a),
            Command::Merge(a) => revision::merge(&ctx, a),
            Command::Upgrade(a) => migrate::upgrade(&ctx, a),
            Command::Downgrade(a) => migrate::downgrade(&ctx, a),
            Command::Stamp(a) => match a.adopt {
                Some(tool) => adopt::run(&ctx, tool),
                None => migrate::stamp(&ctx, a),
            },
            Command::Import(a) => import::run(&ctx, a),
            Command::Test(a) => stairway::run(&ctx, a.keep_going),
            Command::Squash(a) => squash::run(&ctx, a),
            Command::Current(a) => migrate::current(&ctx, a),
            Command::History(a) => graph::history(&ctx, a),
            Command::Heads(a) => graph::heads(&ctx, a),
            Command::Branches => graph::branches(&ctx),
            Command::Show(a) => graph::show(&ctx, a),
            Command::Check(a) => check::run(&ctx, a),
            Command::Lint(a) => lint::run(&ctx, a),
            Command::Schema(a) => schema::run(&ctx, a),
            Command::Explain(a) => explain::run(a),
            Command::Diff(a) => diff::run(&ctx, a),
        }
    })();
    let _ = std::io::stdout().flush();
    match outcome {
        Ok(status) => status,
        Err(f) => {
            if !f.text.is_empty() {
                let _ = writeln!(
                    std::io::stderr(),
                    "{}",
                    url::redact(&f.text, url.as_deref())
                );
            }
            f.status
        }
    }
}

/// The fleet a command runs on, if any: `--targets FILE`, else `targets` in retort.toml
/// (unless `--database-url` names one database), for the commands that run on many; the
/// fleet flags without targets, or targets for another command, are usage errors.
fn fleet_of(
    cli: &Cli,
    from_file: Vec<crate::targets::Target>,
) -> Result<Option<fleet::Fleet>, Fail> {
    let usage = |message: String, help: &str| {
        fail(
            Status::Usage,
            Code::CliBadArgument,
            message,
            Some(help.to_owned()),
        )
    };
    let takes_targets = match &cli.command {
        Command::Upgrade(a) | Command::Downgrade(a) => !a.sql,
        Command::Stamp(a) => a.adopt.is_none(),
        Command::Current(_) | Command::Check(_) => true,
        _ => false,
    };
    let targets = match (&cli.targets, &cli.database_url) {
        (Some(_), Some(_)) => {
            return Err(usage(
                "`--targets` and `--database-url` both name the databases".to_owned(),
                "give one: `--targets FILE` for many databases, `--database-url URL` for one",
            ));
        }
        (Some(_), None) if !takes_targets => {
            return Err(usage(
                format!("`--targets` is not for `{}`", command_name(&cli.command)),
                "`--targets` is for upgrade, downgrade, stamp TARGET, current and check \
                 (not with `--sql`)",
            ));
        }
        (Some(path), None) => {
            let display = path.to_string_lossy().into_owned();
            crate::targets::read_file(path, &display).map_err(|e| Fail {
                status: Status::Usage,
                text: e.text,
            })?
        }
        (None, Some(_)) => Vec::new(),
        (None, None) if takes_targets => from_file,
        (None, None) => Vec::new(),
    };
    if targets.is_empty() {
        for (given, flag) in [
            (cli.jobs.is_some(), "--jobs"),
            (cli.fail_fast, "--fail-fast"),
            (cli.canary.is_some(), "--canary"),
        ] {
            if given {
                return Err(usage(
                    format!("`{flag}` is for a run on many targets, and there are none"),
                    "name them with `--targets FILE` (one database URL a line) or `targets = \
                     [...]` in retort.toml",
                ));
            }
        }
        return Ok(None);
    }
    Ok(Some(fleet::Fleet {
        targets,
        jobs: cli.jobs.map_or(4, |j| j as usize),
        fail_fast: cli.fail_fast,
        canary: cli.canary.map_or(0, |k| k as usize),
    }))
}

/// The command's name as typed.
fn command_name(command: &Command) -> String {
    let name = format!("{command:?}");
    name.split(['(', ' '])
        .next()
        .unwrap_or_default()
        .to_lowercase()
}

/// Writes to standard output, ignoring a closed pipe (`retort history | head`).
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// `1 error`, `2 errors`.
pub fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// `` `a`, `b` and `c` ``.
pub fn list<T: std::fmt::Display>(items: &[T]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.len() {
        0 => "none".to_owned(),
        1 => quoted[0].clone(),
        n => format!("{} and {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

/// Parses a target as typed; a malformed one is a usage error.
pub fn parse_target(text: &str) -> Result<retort_core::target::Target, Fail> {
    text.parse().map_err(|e: retort_core::target::TargetError| {
        fail(Status::Usage, Code::TargetInvalid, e.to_string(), None)
    })
}
