//! Both drivers behind one test API: a test written once over [`Client`] and [`Migrator`]
//! runs on the synchronous runner (`postgres`) and on the tokio one (`tokio-postgres`), on
//! the same session that the test then looks at. [`both_drivers!`] makes a test of each.

use postgres::types::ToSql;
use postgres::{Row, Statement};
use retort_core::{Migration, MigrationSet, Revision};
use retort_runtime::{Config, Direction, Error, Status, Step, Target};

/// Which runner a test drives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Driver {
    /// `retort_runtime::Migrator` on `postgres::Client`.
    Sync,
    /// `retort_runtime::tokio::Migrator` on `tokio_postgres::Client`.
    Tokio,
}

/// `fn name(driver: Driver)` as two tests, `name::sync` and `name::tokio`.
#[allow(unused_macros)]
macro_rules! both_drivers {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[test]
                fn sync() {
                    super::$name($crate::common::driver::Driver::Sync)
                }
                #[test]
                fn tokio() {
                    super::$name($crate::common::driver::Driver::Tokio)
                }
            }
        )*
    };
}

/// One database session, of either driver.
pub enum Client {
    /// A `postgres::Client`.
    Sync(postgres::Client),
    /// A `tokio_postgres::Client`, with the runtime that drives its connection.
    Tokio {
        /// The client.
        client: tokio_postgres::Client,
        /// A runtime of its own, one worker: the connection runs in the background as in a
        /// service.
        rt: tokio::runtime::Runtime,
    },
}

impl Client {
    /// Connects to `url` with `driver`.
    pub fn connect(driver: Driver, url: &str) -> Result<Client, postgres::Error> {
        match driver {
            Driver::Sync => Ok(Client::Sync(postgres::Client::connect(
                url,
                postgres::NoTls,
            )?)),
            Driver::Tokio => {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(1)
                    .enable_all()
                    .build()
                    .expect("a tokio runtime");
                let (client, connection) =
                    rt.block_on(tokio_postgres::connect(url, tokio_postgres::NoTls))?;
                rt.spawn(connection);
                Ok(Client::Tokio { client, rt })
            }
        }
    }

    /// Runs a simple query.
    pub fn batch_execute(&mut self, sql: &str) -> Result<(), postgres::Error> {
        match self {
            Client::Sync(c) => c.batch_execute(sql),
            Client::Tokio { client, rt } => rt.block_on(client.batch_execute(sql)),
        }
    }

    /// Runs a query.
    pub fn query(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, postgres::Error> {
        match self {
            Client::Sync(c) => c.query(sql, params),
            Client::Tokio { client, rt } => rt.block_on(client.query(sql, params)),
        }
    }

    /// Runs a query of one row.
    pub fn query_one(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Row, postgres::Error> {
        match self {
            Client::Sync(c) => c.query_one(sql, params),
            Client::Tokio { client, rt } => rt.block_on(client.query_one(sql, params)),
        }
    }

    /// Runs a statement.
    pub fn execute(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, postgres::Error> {
        match self {
            Client::Sync(c) => c.execute(sql, params),
            Client::Tokio { client, rt } => rt.block_on(client.execute(sql, params)),
        }
    }

    /// Prepares a statement (to look at the session's state).
    pub fn prepare(&mut self, sql: &str) -> Result<Statement, postgres::Error> {
        match self {
            Client::Sync(c) => c.prepare(sql),
            Client::Tokio { client, rt } => rt.block_on(client.prepare(sql)),
        }
    }

    /// Whether the session is gone.
    pub fn is_closed(&self) -> bool {
        match self {
            Client::Sync(c) => c.is_closed(),
            Client::Tokio { client, .. } => client.is_closed(),
        }
    }

    /// The tokio runtime and client, for tests of the tokio driver alone.
    pub fn tokio(&mut self) -> Option<(&tokio::runtime::Runtime, &mut tokio_postgres::Client)> {
        match self {
            Client::Sync(_) => None,
            Client::Tokio { client, rt } => Some((rt, client)),
        }
    }
}

/// Runs queries: a [`Client`] of either driver, or a plain `postgres::Client`.
pub trait Query {
    /// Runs a query.
    fn rows(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, postgres::Error>;
}

impl Query for Client {
    fn rows(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, postgres::Error> {
        self.query(sql, params)
    }
}

impl Query for postgres::Client {
    fn rows(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, postgres::Error> {
        self.query(sql, params)
    }
}

type Progress<'s> = Box<dyn FnMut(&Migration, Direction, Option<&Step>) + Send + 's>;

/// The runtime's `Migrator` API, run by the driver of the [`Client`] it is given.
pub struct Migrator<'s> {
    set: &'s MigrationSet,
    config: Config,
    single_transaction: bool,
    dry_run: bool,
    progress: Option<Progress<'s>>,
}

impl<'s> Migrator<'s> {
    /// See `retort_runtime::Migrator::new`.
    pub fn new(set: &'s MigrationSet) -> Self {
        Migrator {
            set,
            config: Config::default(),
            single_transaction: false,
            dry_run: false,
            progress: None,
        }
    }

    /// See `retort_runtime::Migrator::with_config`.
    pub fn with_config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// See `retort_runtime::Migrator::single_transaction`.
    pub fn single_transaction(mut self, yes: bool) -> Self {
        self.single_transaction = yes;
        self
    }

    /// See `retort_runtime::Migrator::dry_run`.
    pub fn dry_run(mut self, yes: bool) -> Self {
        self.dry_run = yes;
        self
    }

    /// See `retort_runtime::Migrator::on_progress`.
    pub fn on_progress(
        mut self,
        f: impl FnMut(&Migration, Direction, Option<&Step>) + Send + 's,
    ) -> Self {
        self.progress = Some(Box::new(f));
        self
    }

    fn sync(&mut self) -> retort_runtime::Migrator<'_> {
        let mut m = retort_runtime::Migrator::new(self.set)
            .with_config(self.config.clone())
            .single_transaction(self.single_transaction)
            .dry_run(self.dry_run);
        if let Some(p) = self.progress.as_mut() {
            m = m.on_progress(move |a, b, c| p(a, b, c));
        }
        m
    }

    fn tokio(&mut self) -> retort_runtime::tokio::Migrator<'_> {
        let mut m = retort_runtime::tokio::Migrator::new(self.set)
            .with_config(self.config.clone())
            .single_transaction(self.single_transaction)
            .dry_run(self.dry_run);
        if let Some(p) = self.progress.as_mut() {
            m = m.on_progress(move |a, b, c| p(a, b, c));
        }
        m
    }

    /// See `retort_runtime::Migrator::upgrade`.
    pub fn upgrade(&mut self, client: &mut Client, target: &Target) -> Result<Vec<Step>, Error> {
        match client {
            Client::Sync(c) => self.sync().upgrade(c, target),
            Client::Tokio { client, rt } => rt.block_on(self.tokio().upgrade(client, target)),
        }
    }

    /// See `retort_runtime::Migrator::downgrade`.
    pub fn downgrade(&mut self, client: &mut Client, target: &Target) -> Result<Vec<Step>, Error> {
        match client {
            Client::Sync(c) => self.sync().downgrade(c, target),
            Client::Tokio { client, rt } => rt.block_on(self.tokio().downgrade(client, target)),
        }
    }

    /// See `retort_runtime::Migrator::stamp`.
    pub fn stamp(
        &mut self,
        client: &mut Client,
        target: &Target,
    ) -> Result<(Vec<Revision>, Vec<Revision>), Error> {
        match client {
            Client::Sync(c) => self.sync().stamp(c, target),
            Client::Tokio { client, rt } => rt.block_on(self.tokio().stamp(client, target)),
        }
    }

    /// See `retort_runtime::Migrator::status`.
    pub fn status(&mut self, client: &mut Client) -> Result<Status, Error> {
        match client {
            Client::Sync(c) => self.sync().status(c),
            Client::Tokio { client, rt } => rt.block_on(self.tokio().status(client)),
        }
    }

    /// See `retort_runtime::Migrator::upgrade_script` (no connection: the same for both).
    pub fn upgrade_script(&self, from: Option<&Target>, to: &Target) -> Result<String, Error> {
        self.offline().upgrade_script(from, to)
    }

    /// See `retort_runtime::Migrator::downgrade_script`.
    pub fn downgrade_script(&self, from: Option<&Target>, to: &Target) -> Result<String, Error> {
        self.offline().downgrade_script(from, to)
    }

    /// The synchronous migrator, for what needs no connection.
    fn offline(&self) -> retort_runtime::Migrator<'s> {
        retort_runtime::Migrator::new(self.set).with_config(self.config.clone())
    }
}

/// A session on `db` with `driver`.
pub fn connect(driver: Driver, db: &retort_test_support::TestDb) -> Client {
    Client::connect(driver, db.url()).expect("a connection")
}

/// A fresh database and a session on it with `driver`.
pub fn db(driver: Driver) -> (retort_test_support::TestDb, Client) {
    let db = retort_test_support::database().expect("a test database");
    let client = Client::connect(driver, db.url()).expect("a connection");
    (db, client)
}
