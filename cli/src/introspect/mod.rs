//! A live PostgreSQL database's schema, read from `pg_catalog` into the schema model's
//! [`Catalog`], so that `retort diff` can take a database as either side and `retort check`
//! can find drift.
//!
//! One file per kind of object, each running its catalog queries and adding what it reads
//! through the catalog's own types: [`namespaces`] (schemas, extensions), [`tables`] (with
//! [`columns`] and [`constraints`]), [`indexes`], [`views`], [`sequences`], [`types`],
//! [`functions`], [`triggers`]. Texts (defaults, checks, index and view definitions) are held
//! as PostgreSQL prints them; [`canonical`] brings the other side of a comparison to the same
//! form. System schemas, objects that belong to an extension, and the version table are left
//! out (and diesel's, which the model never judges): the migrations do not make them.

pub mod canonical;
mod columns;
mod constraints;
mod functions;
mod indexes;
mod namespaces;
mod sequences;
mod tables;
mod triggers;
mod types;
mod views;

use postgres::Client;
use retort_core::schema::catalog::{Catalog, OUTSIDE_TABLES, Obj, Origin, QName};
use retort_core::source::{FileId, Sources};

/// What the reader leaves out besides the system's objects: the runtime's own objects, which
/// runs make as they need them (the version table; beside it, in its schema, the lease table
/// of `lock = "table"` and the head cache's table, its function and its trigger on the
/// version table).
#[derive(Clone, Debug)]
pub struct Exclude {
    /// The version table's name.
    pub table: String,
    /// Its schema, when one is configured (else any schema).
    pub schema: Option<String>,
    /// The tables beside it: the lease table's and the head table's names.
    pub companions: Vec<String>,
    /// The head cache's trigger function (named as its table).
    pub function: String,
}

impl Exclude {
    /// The version table that `config` names, and what the runtime makes beside it.
    pub fn version_table(config: &retort_runtime::Config) -> Self {
        Exclude {
            table: config.get_table().as_str().to_owned(),
            schema: config.get_schema().map(|s| s.as_str().to_owned()),
            companions: vec![
                config.lock_table_name().as_str().to_owned(),
                config.head_table_name().as_str().to_owned(),
            ],
            function: config.head_table_name().as_str().to_owned(),
        }
    }

    /// Whether `name` is in the version table's schema (any schema, when none is set).
    fn in_schema(&self, name: &QName) -> bool {
        self.schema.as_ref().is_none_or(|s| *s == name.schema)
    }

    /// Whether the relation `name` is the version table or a table the runtime keeps beside
    /// it, or another tool's that the model never judges ([`OUTSIDE_TABLES`], in `public`).
    /// Triggers on these tables go with them.
    fn is_version_table(&self, name: &QName) -> bool {
        ((name.name == self.table || self.companions.contains(&name.name)) && self.in_schema(name))
            || (name.schema == "public" && OUTSIDE_TABLES.contains(&name.name.as_str()))
    }

    /// Whether the function `name` is the head cache's trigger function.
    fn is_runtime_function(&self, name: &QName) -> bool {
        name.name == self.function && self.in_schema(name)
    }
}

/// A SQL condition on `n` (a `pg_namespace` row): not a system schema.
pub(crate) const USER_SCHEMA: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema') \
     AND n.nspname NOT LIKE 'pg\\_%'";

/// A SQL condition: the object `oid` of catalog `class` is not an extension's member.
pub(crate) fn not_in_extension(class: &str, oid: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '{class}'::regclass \
         AND e.objid = {oid} AND e.deptype = 'e')"
    )
}

/// The reader's state: the connection, the catalog being built and the origin every object
/// gets (the database, numbered in the order read, so that views keep their creation order).
pub(crate) struct Reader<'c> {
    pub(crate) client: &'c mut Client,
    pub(crate) cat: Catalog,
    pub(crate) exclude: Exclude,
    file: FileId,
    next: usize,
}

impl Reader<'_> {
    /// `value` wrapped as an object read from the database.
    pub(crate) fn obj<T>(&mut self, value: T) -> Obj<T> {
        self.next += 1;
        Obj {
            value,
            origin: Origin {
                file: self.file,
                range: self.next..self.next,
            },
            if_not_exists: false,
        }
    }

    /// Runs a catalog query.
    pub(crate) fn query(&mut self, sql: &str) -> Result<Vec<postgres::Row>, postgres::Error> {
        self.client.query(sql, &[])
    }
}

/// The schema of the database behind `client`, the version table left out.
pub fn read_catalog(client: &mut Client, exclude: Exclude) -> Result<Catalog, postgres::Error> {
    let mut sources = Sources::new();
    let file = sources.add("database", "");
    let mut r = Reader {
        client,
        cat: Catalog::new(),
        exclude,
        file,
        next: 0,
    };
    namespaces::read(&mut r)?;
    types::read(&mut r)?;
    tables::read(&mut r)?;
    sequences::read(&mut r)?;
    indexes::read(&mut r)?;
    views::read(&mut r)?;
    functions::read(&mut r)?;
    triggers::read(&mut r)?;
    r.cat.rebuild_refs();
    Ok(r.cat)
}
