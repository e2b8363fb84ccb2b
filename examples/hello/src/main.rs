//! hello: the smallest program that uses retort.
//!
//! `migrations/` holds five revisions, the last a data migration written in Rust; `build.rs` tracks the directory, and
//! `retort::migrations!()` checks it when this crate compiles and embeds it.
//!
//! ```text
//! cargo run -p hello                      # a tour on a throwaway database: apply, inspect, revert
//! DATABASE_URL=postgres://… cargo run -p hello -- upgrade [TARGET]
//! DATABASE_URL=postgres://… cargo run -p hello -- downgrade TARGET
//! DATABASE_URL=postgres://… cargo run -p hello -- status
//! ```
//!
//! Without `DATABASE_URL`, it starts a throwaway PostgreSQL cluster from the installed server
//! binaries (the one the tests use), and removes it when it exits.
//!
//! Its output can be cut short: `cargo run -p hello | head -3` exits with status 0.

mod out;

use std::process::ExitCode;

use retort::runtime::{Direction, Error, Migrator, Target};

use out::{Out, Stop, say};

/// The migrations of `migrations/`, checked at compile time.
mod db {
    retort::migrations!();
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args, &mut Out::stdout()) {
        Ok(()) | Err(Stop::Closed) => ExitCode::SUCCESS,
        Err(Stop::Failed(message)) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String], out: &mut Out) -> Result<(), Stop> {
    print_migrations(out)?;
    // `db::HEAD` exists because the history has one head; `db::revisions::R005` names the
    // same revision, and stops compiling if its file is renamed or deleted.
    assert_eq!(db::HEAD, db::revisions::R005);

    let url = std::env::var("DATABASE_URL").ok();
    let (_throwaway, mut client) = match &url {
        Some(url) => {
            let client = retort::postgres::Client::connect(url, retort::postgres::NoTls)
                .map_err(|e| Stop::failed(format!("error: cannot connect to DATABASE_URL: {e}")))?;
            (None, client)
        }
        None => {
            say!(
                out,
                "\nno DATABASE_URL: using a throwaway PostgreSQL cluster"
            );
            let db =
                retort_test_support::database().map_err(|e| Stop::failed(format!("error: {e}")))?;
            let client = db.connect();
            (Some(db), client)
        }
    };
    let target = |s: Option<&String>, default: &str| -> Result<Target, Stop> {
        s.map_or(default, String::as_str)
            .parse()
            .map_err(|e| Stop::failed(format!("error: {e}")))
    };
    let client = &mut client;
    match (args.first().map(String::as_str), url.is_some()) {
        (None, false) => {
            // The tour: apply everything, look, revert one, revert all, apply again.
            migrate(out, client, "upgrade", &Target::Head)?;
            status(out, client)?;
            typed_rows(out, client)?;
            migrate(out, client, "downgrade", &target(None, "-1")?)?;
            migrate(out, client, "downgrade", &Target::Base)?;
            migrate(out, client, "upgrade", &Target::Head)?;
            migrate(out, client, "upgrade", &Target::Head)?;
            status(out, client)
        }
        (None, true) | (Some("upgrade"), _) => {
            migrate(out, client, "upgrade", &target(args.get(1), "head")?)?;
            status(out, client)
        }
        (Some("downgrade"), _) if args.len() == 2 => {
            migrate(out, client, "downgrade", &target(args.get(1), "-1")?)?;
            status(out, client)
        }
        (Some("status"), _) => status(out, client),
        _ => Err(Stop::failed(
            "usage: hello [upgrade [TARGET] | downgrade TARGET | status]",
        )),
    }
}

/// A runtime error, rendered like rustc's.
fn render(e: Error) -> Stop {
    Stop::Failed(e.render())
}

fn print_migrations(out: &mut Out) -> Result<(), Stop> {
    say!(
        out,
        "{} migrations, each after its parents:",
        db::MIGRATIONS.len()
    );
    for m in &db::MIGRATIONS {
        let parents = match m.down_revisions() {
            [] => "(root)".to_owned(),
            parents => parents
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        };
        let transaction = if m.is_rust() {
            "Rust, in a transaction"
        } else if m.is_transactional() {
            "in a transaction"
        } else {
            "outside a transaction"
        };
        say!(
            out,
            "  {} <- {parents:<6}  {:<48} {transaction}",
            m.revision(),
            m.message()
        );
    }
    say!(out, "head: {}", db::HEAD);
    Ok(())
}

fn migrate(
    out: &mut Out,
    client: &mut retort::postgres::Client,
    what: &str,
    target: &Target,
) -> Result<(), Stop> {
    say!(out, "\n$ {what} {target}");
    // The progress callback cannot return early: it keeps the first failed write, which
    // ends the run once the migrator is done.
    let mut stopped = None;
    let steps = {
        let mut migrator = Migrator::new(&db::MIGRATIONS).on_progress(|m, direction, done| {
            let Some(step) = done else { return };
            if stopped.is_some() {
                return;
            }
            let verb = if direction == Direction::Up {
                "applied "
            } else {
                "reverted"
            };
            stopped = out
                .line(format_args!(
                    "  {verb} {} {:<48} {:>8.1?}",
                    m.revision(),
                    m.message(),
                    step.duration
                ))
                .err();
        });
        if what == "upgrade" {
            migrator.upgrade(client, target)
        } else {
            migrator.downgrade(client, target)
        }
    };
    if let Some(stop) = stopped {
        return Err(stop);
    }
    if steps.map_err(render)?.is_empty() {
        say!(out, "  nothing to do");
    }
    Ok(())
}

/// The typed schema at the head: `db::schema::users` names the table and its columns, and
/// its `Row` reads a row of `SELECT *` (`email` is an `Option`: the column may be NULL).
fn typed_rows(out: &mut Out, client: &mut retort::postgres::Client) -> Result<(), Stop> {
    use db::schema::users;
    let failed = |e: retort::postgres::Error| Stop::failed(format!("error: {e}"));
    let insert = format!(
        "INSERT INTO {} ({}, {}) VALUES ($1, $2)",
        users::TABLE,
        users::NAME,
        users::EMAIL
    );
    client
        .execute(&insert, &[&"Ada", &"ada@example.com"])
        .map_err(failed)?;
    say!(out, "\n$ SELECT * FROM {}", users::TABLE);
    let rows = client
        .query(&format!("SELECT * FROM {}", users::TABLE), &[])
        .map_err(failed)?;
    for row in rows {
        let user = users::Row::try_from(&row).map_err(failed)?;
        say!(out, "  {} {} {:?}", user.id, user.name, user.email);
    }
    Ok(())
}

fn status(out: &mut Out, client: &mut retort::postgres::Client) -> Result<(), Stop> {
    let status = Migrator::new(&db::MIGRATIONS)
        .status(client)
        .map_err(render)?;
    let current: Vec<&str> = status.current.iter().map(|r| r.as_str()).collect();
    say!(
        out,
        "\ncurrent: {}  ({} applied, {} pending{})",
        if current.is_empty() {
            "base".to_owned()
        } else {
            current.join(", ")
        },
        status.applied.len(),
        status.pending.len(),
        if status.is_in_sync() { ", in sync" } else { "" }
    );
    Ok(())
}
