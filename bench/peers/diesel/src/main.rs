//! diesel's peer: the generated migrations (`<version>_<name>/up.sql` and `down.sql`)
//! embedded by `diesel_migrations::embed_migrations!()`, applied over libpq.

use diesel::migration::MigrationSource;
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use peer_common::{AnyError, Peer};

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

struct Diesel;

impl Peer for Diesel {
    type Conn = PgConnection;

    fn count() -> Result<usize, AnyError> {
        Ok(MigrationSource::<Pg>::migrations(&MIGRATIONS)?.len())
    }

    fn connect(url: &str) -> Result<PgConnection, AnyError> {
        Ok(PgConnection::establish(url)?)
    }

    fn migrate(conn: &mut PgConnection) -> Result<Option<usize>, AnyError> {
        Ok(Some(conn.run_pending_migrations(MIGRATIONS)?.len()))
    }
}

fn main() -> std::process::ExitCode {
    peer_common::main::<Diesel>()
}
