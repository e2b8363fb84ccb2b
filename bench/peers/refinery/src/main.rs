//! refinery's peer: the generated migrations (`V<n>__<name>.sql`, up only: refinery has no
//! down migrations) embedded by `refinery::embed_migrations!()`, applied with the synchronous
//! `postgres` client.

use peer_common::{AnyError, Peer};
use postgres::{Client, NoTls};

mod embedded {
    refinery::embed_migrations!("migrations");
}

struct Refinery;

impl Peer for Refinery {
    type Conn = Client;

    fn count() -> Result<usize, AnyError> {
        Ok(embedded::migrations::runner().get_migrations().len())
    }

    fn connect(url: &str) -> Result<Client, AnyError> {
        Ok(Client::connect(url, NoTls)?)
    }

    fn migrate(conn: &mut Client) -> Result<Option<usize>, AnyError> {
        let report = embedded::migrations::runner().run(conn)?;
        Ok(Some(report.applied_migrations().len()))
    }
}

fn main() -> std::process::ExitCode {
    peer_common::main::<Refinery>()
}
