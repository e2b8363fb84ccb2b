//! retort's peer: the generated migrations embedded by `retort::migrations!()`, the directory
//! tracked by `build.rs`.

use peer_common::{AnyError, Peer};
use retort::postgres::{Client, NoTls};
use retort::{Migrator, Target};

mod db {
    retort::migrations!();
}

struct Retort;

impl Peer for Retort {
    type Conn = Client;

    fn count() -> Result<usize, AnyError> {
        Ok(db::MIGRATIONS.len())
    }

    fn connect(url: &str) -> Result<Client, AnyError> {
        Ok(Client::connect(url, NoTls)?)
    }

    fn migrate(conn: &mut Client) -> Result<Option<usize>, AnyError> {
        let steps = Migrator::new(&db::MIGRATIONS)
            .upgrade(conn, &Target::Head)
            .map_err(|e| e.render())?;
        Ok(Some(steps.len()))
    }
}

fn main() -> std::process::ExitCode {
    peer_common::main::<Retort>()
}
