//! Tables (plain and partitioned), each with its columns ([`super::columns`]) and
//! constraints ([`super::constraints`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use retort_core::schema::catalog::{QName, RelKind, Table};

use super::{Reader, USER_SCHEMA, not_in_extension};

/// Adds every table but the version table.
pub(super) fn read(r: &mut Reader<'_>) -> Result<(), postgres::Error> {
    let rows = r.query(&format!(
        "SELECT n.nspname::text, c.relname::text FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p') AND {USER_SCHEMA} AND {} ORDER BY c.oid",
        not_in_extension("pg_class", "c.oid")
    ))?;
    let mut tables: BTreeMap<QName, Table> = BTreeMap::new();
    for row in rows {
        let name = QName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        if r.exclude.is_version_table(&name) {
            continue;
        }
        tables.insert(
            name,
            Table {
                columns: Vec::new(),
                constraints: Vec::new(),
                columns_known: true,
                constraints_known: true,
            },
        );
    }
    super::columns::read(r, &mut tables)?;
    super::constraints::read(r, &mut tables)?;
    for (name, table) in tables {
        let o = r.obj(RelKind::Table(Arc::new(table)));
        r.cat.put_relation(name, o);
    }
    Ok(())
}
