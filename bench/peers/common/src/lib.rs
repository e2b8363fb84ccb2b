//! The command line every peer binary shares, so that the four differ only in the calls to
//! their tool:
//!
//! - `peer count`: how many (up) migrations the binary embeds;
//! - `peer apply`: connects to `DATABASE_URL` and applies every pending migration;
//! - `peer noop [R]`: connects once, then runs the same call R times (default 20) on the
//!   up-to-date database and prints the fastest, in milliseconds: the start-up check.
//!
//! `run.sh` times `apply` from outside, as it times `psql`, connection and start-up included.

use std::error::Error;
use std::process::ExitCode;
use std::time::Instant;

/// Any error of a tool, printed as it is.
pub type AnyError = Box<dyn Error + Send + Sync>;

/// What a peer binary does with its tool.
pub trait Peer {
    /// An open connection.
    type Conn;
    /// How many up migrations the tool's macro embedded.
    fn count() -> Result<usize, AnyError>;
    /// Opens a connection to `url`.
    fn connect(url: &str) -> Result<Self::Conn, AnyError>;
    /// Applies every pending migration; returns how many it applied, where the tool says
    /// (sqlx does not).
    fn migrate(conn: &mut Self::Conn) -> Result<Option<usize>, AnyError>;
}

/// Runs the command line of the module docs for `P`.
pub fn main<P: Peer>() -> ExitCode {
    match run::<P>() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run<P: Peer>() -> Result<(), AnyError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let url = || std::env::var("DATABASE_URL").map_err(|_| "DATABASE_URL is not set");
    match args.first().map(String::as_str) {
        Some("count") => println!("{}", P::count()?),
        Some("apply") => {
            let mut conn = P::connect(&url()?)?;
            let applied = P::migrate(&mut conn)?;
            println!(
                "{}",
                applied.map_or("applied".to_owned(), |n| format!("{n} applied"))
            );
        }
        Some("noop") => {
            let rounds: usize = args.get(1).map_or(Ok(20), |r| r.parse())?;
            let mut conn = P::connect(&url()?)?;
            let mut best = f64::MAX;
            for _ in 0..rounds.max(1) {
                let start = Instant::now();
                let applied = P::migrate(&mut conn)?;
                best = best.min(start.elapsed().as_secs_f64());
                if let Some(applied @ 1..) = applied {
                    return Err(format!("the no-op check applied {applied} migrations").into());
                }
            }
            println!("{:.3}", best * 1e3);
        }
        _ => return Err("usage: peer count | apply | noop [ROUNDS]".into()),
    }
    Ok(())
}
