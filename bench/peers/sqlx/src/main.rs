//! sqlx's peer: the generated migrations (reversible `.up.sql` / `.down.sql` pairs) embedded
//! by `sqlx::migrate!()`, applied on one connection from a current-thread tokio runtime.

use peer_common::{AnyError, Peer};
use sqlx::Connection;
use sqlx::migrate::Migrator;
use sqlx::postgres::PgConnection;
use tokio::runtime::Runtime;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

struct Sqlx;

impl Peer for Sqlx {
    type Conn = (Runtime, PgConnection);

    fn count() -> Result<usize, AnyError> {
        Ok(MIGRATOR
            .iter()
            .filter(|m| !m.migration_type.is_down_migration())
            .count())
    }

    fn connect(url: &str) -> Result<Self::Conn, AnyError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let conn = runtime.block_on(PgConnection::connect(url))?;
        Ok((runtime, conn))
    }

    fn migrate((runtime, conn): &mut Self::Conn) -> Result<Option<usize>, AnyError> {
        runtime.block_on(MIGRATOR.run(&mut *conn))?;
        Ok(None)
    }
}

fn main() -> std::process::ExitCode {
    peer_common::main::<Sqlx>()
}
