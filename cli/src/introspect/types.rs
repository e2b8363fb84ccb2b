//! Types: enums with their labels in order; composite, range and base types and domains as
//! [`TypeDef::Other`]. Array types, the row types of relations and the multirange types
//! PostgreSQL makes for a range are not objects of their own.

use std::sync::Arc;

use retort_core::schema::catalog::{QName, TypeDef};

use super::{Reader, USER_SCHEMA, not_in_extension};

/// Adds the types.
pub(super) fn read(r: &mut Reader<'_>) -> Result<(), postgres::Error> {
    let rows = r.query(&format!(
        "SELECT n.nspname::text, t.typname::text, t.typtype = 'e', \
                ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid \
                      ORDER BY e.enumsortorder) \
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
         WHERE {USER_SCHEMA} AND {} \
           AND (t.typtype IN ('e', 'd', 'r') \
                OR (t.typtype = 'c' AND (SELECT c.relkind FROM pg_class c \
                                         WHERE c.oid = t.typrelid) = 'c') \
                OR (t.typtype = 'b' AND t.typcategory <> 'A')) \
         ORDER BY t.oid",
        not_in_extension("pg_type", "t.oid")
    ))?;
    for row in rows {
        let name = QName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        let def = if row.get(2) {
            TypeDef::Enum(row.get(3))
        } else {
            TypeDef::Other
        };
        let o = r.obj(def);
        Arc::make_mut(&mut r.cat.types).insert(name, o);
    }
    Ok(())
}
