//! tokio-service: an async service that applies its migrations at start-up with
//! `retort::tokio::Migrator`, on its own `tokio-postgres` connection, then serves.
//!
//! ```text
//! DATABASE_URL=postgres://… cargo run -p tokio-service
//! cargo run -p tokio-service        # no DATABASE_URL: a throwaway PostgreSQL cluster
//! ```
//!
//! `LISTEN` is the address to serve on (default `127.0.0.1:0`, a free port). At start-up it
//! upgrades the database to the migrations' head, prints each migration it applied and
//! `ready: listening on <address>`, then answers every HTTP request with the number of visits
//! so far (recording one). Replicas that start together take turns on retort's advisory
//! lock: each migration runs once, and every replica serves once the database is at head.
//! Ctrl-C (SIGINT) stops it.

use std::process::ExitCode;
use std::sync::Arc;

use retort::Target;
use retort::tokio::Migrator;
use retort::tokio::tokio_postgres::{self, NoTls};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The migrations of `migrations/`, checked at compile time.
mod db {
    retort::migrations!();
}

fn main() -> ExitCode {
    // Kept until the service stops: dropping it removes the throwaway database. It is made
    // and dropped outside the runtime: starting PostgreSQL and cleaning up block.
    let (_throwaway, url) = match std::env::var("DATABASE_URL") {
        Ok(url) => (None, url),
        Err(_) => {
            println!("no DATABASE_URL: using a throwaway PostgreSQL cluster");
            match retort_test_support::database() {
                Ok(db) => {
                    let url = db.url().to_owned();
                    (Some(db), url)
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
    };
    let result = tokio::runtime::Runtime::new()
        .map_err(|e| format!("error: cannot start the runtime: {e}"))
        .and_then(|runtime| runtime.block_on(run(&url)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// The service: migrations, then requests until Ctrl-C.
async fn run(url: &str) -> Result<(), String> {
    let (mut client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .map_err(|e| format!("error: cannot connect to the database: {e}"))?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            eprintln!("error: the database connection ended: {e}");
        }
    });

    // The migrations, before anything serves: the same guarantees as the synchronous
    // runner (one lock, a transaction a migration, progress recorded for `002`, which runs
    // outside a transaction).
    let steps = Migrator::new(&db::MIGRATIONS)
        .on_progress(|m, _, step| {
            if let Some(step) = step {
                println!(
                    "applied {} ({}) in {:.1?}",
                    m.revision(),
                    m.message(),
                    step.duration
                );
            }
        })
        .upgrade(&mut client, &Target::Head)
        .await
        .map_err(|e| e.render())?;
    println!(
        "migrations: {} applied, the database is at {}",
        steps.len(),
        db::HEAD
    );

    let listen = std::env::var("LISTEN").unwrap_or_else(|_| "127.0.0.1:0".to_owned());
    let listener = TcpListener::bind(&listen)
        .await
        .map_err(|e| format!("error: cannot listen on {listen}: {e}"))?;
    let address = listener.local_addr().map_err(|e| format!("error: {e}"))?;
    println!("ready: listening on {address}");

    let client = Arc::new(client);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((socket, _)) = accepted else { continue };
                let client = Arc::clone(&client);
                tokio::spawn(async move {
                    if let Err(e) = answer(socket, &client).await {
                        eprintln!("error: a request failed: {e}");
                    }
                });
            }
            _ = tokio::signal::ctrl_c() => {
                println!("stopping");
                return Ok(());
            }
        }
    }
}

/// Reads a request's head, records the visit and answers with the count.
async fn answer(
    mut socket: TcpStream,
    client: &tokio_postgres::Client,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
        let n = socket.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let path = String::from_utf8_lossy(&head)
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_owned();
    let visits: i64 = client
        .query_one(
            "WITH v AS (INSERT INTO visits (path) VALUES ($1) RETURNING 1) \
             SELECT count(*) + 1 FROM visits",
            &[&path],
        )
        .await?
        .get(0);
    let body = format!("visits: {visits}\nschema: {}\n", db::HEAD);
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    socket.write_all(response.as_bytes()).await?;
    socket.shutdown().await?;
    Ok(())
}
