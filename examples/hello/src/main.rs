//! hello: the smallest program that uses retort.
//!
//! `migrations/` holds four revisions; `build.rs` tracks the directory, and
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

use std::process::ExitCode;

use retort::runtime::{Direction, Error, Migrator, Target};

/// The migrations of `migrations/`, checked at compile time.
mod db {
    retort::migrations!();
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    print_migrations();
    // `db::HEAD` exists because the history has one head; `db::revisions::R004` names the
    // same revision, and stops compiling if its file is renamed or deleted.
    assert_eq!(db::HEAD, db::revisions::R004);

    let url = std::env::var("DATABASE_URL").ok();
    let (_throwaway, mut client) = match &url {
        Some(url) => {
            let client = retort::postgres::Client::connect(url, retort::postgres::NoTls)
                .map_err(|e| format!("error: cannot connect to DATABASE_URL: {e}"))?;
            (None, client)
        }
        None => {
            println!("\nno DATABASE_URL: using a throwaway PostgreSQL cluster");
            let db = retort_test_support::database().map_err(|e| format!("error: {e}"))?;
            let client = db.connect();
            (Some(db), client)
        }
    };
    let target = |s: Option<&String>, default: &str| -> Result<Target, String> {
        s.map_or(default, String::as_str)
            .parse()
            .map_err(|e| format!("error: {e}"))
    };
    let render = |e: Error| e.render();
    match (args.first().map(String::as_str), url.is_some()) {
        (None, false) => {
            // The tour: apply everything, look, revert one, revert all, apply again.
            migrate(&mut client, "upgrade", &Target::Head).map_err(render)?;
            status(&mut client).map_err(render)?;
            typed_rows(&mut client).map_err(|e| format!("error: {e}"))?;
            migrate(&mut client, "downgrade", &target(None, "-1")?).map_err(render)?;
            migrate(&mut client, "downgrade", &Target::Base).map_err(render)?;
            migrate(&mut client, "upgrade", &Target::Head).map_err(render)?;
            migrate(&mut client, "upgrade", &Target::Head).map_err(render)?;
            status(&mut client).map_err(render)
        }
        (None, true) | (Some("upgrade"), _) => {
            migrate(&mut client, "upgrade", &target(args.get(1), "head")?).map_err(render)?;
            status(&mut client).map_err(render)
        }
        (Some("downgrade"), _) if args.len() == 2 => {
            migrate(&mut client, "downgrade", &target(args.get(1), "-1")?).map_err(render)?;
            status(&mut client).map_err(render)
        }
        (Some("status"), _) => status(&mut client).map_err(render),
        _ => Err("usage: hello [upgrade [TARGET] | downgrade TARGET | status]".to_owned()),
    }
}

fn print_migrations() {
    println!(
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
        let transaction = if m.is_transactional() {
            "in a transaction"
        } else {
            "outside a transaction"
        };
        println!(
            "  {} <- {parents:<6}  {:<48} {transaction}",
            m.revision(),
            m.message()
        );
    }
    println!("head: {}", db::HEAD);
}

fn migrate(
    client: &mut retort::postgres::Client,
    what: &str,
    target: &Target,
) -> Result<(), Error> {
    println!("\n$ {what} {target}");
    let mut migrator = Migrator::new(&db::MIGRATIONS).on_progress(|m, direction, done| {
        if let Some(step) = done {
            let verb = if direction == Direction::Up {
                "applied "
            } else {
                "reverted"
            };
            println!(
                "  {verb} {} {:<48} {:>8.1?}",
                m.revision(),
                m.message(),
                step.duration
            );
        }
    });
    let steps = if what == "upgrade" {
        migrator.upgrade(client, target)?
    } else {
        migrator.downgrade(client, target)?
    };
    if steps.is_empty() {
        println!("  nothing to do");
    }
    Ok(())
}

/// The typed schema at the head: `db::schema::users` names the table and its columns, and
/// its `Row` reads a row of `SELECT *` (`email` is an `Option`: the column may be NULL).
fn typed_rows(client: &mut retort::postgres::Client) -> Result<(), retort::postgres::Error> {
    use db::schema::users;
    let insert = format!(
        "INSERT INTO {} ({}, {}) VALUES ($1, $2)",
        users::TABLE,
        users::NAME,
        users::EMAIL
    );
    client.execute(&insert, &[&"Ada", &"ada@example.com"])?;
    println!("\n$ SELECT * FROM {}", users::TABLE);
    for row in client.query(&format!("SELECT * FROM {}", users::TABLE), &[])? {
        let user = users::Row::try_from(&row)?;
        println!("  {} {} {:?}", user.id, user.name, user.email);
    }
    Ok(())
}

fn status(client: &mut retort::postgres::Client) -> Result<(), Error> {
    let status = Migrator::new(&db::MIGRATIONS).status(client)?;
    let current: Vec<&str> = status.current.iter().map(|r| r.as_str()).collect();
    println!(
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
