//! Columns: the type as `format_type` prints it, `NOT NULL`, the default and the generation
//! expression as `pg_get_expr` prints them, identity, the collation when it is not the type's.

use std::collections::BTreeMap;

use retort_core::schema::catalog::{Column, QName, Table, Written, quote_ident};

use super::{Reader, USER_SCHEMA};

/// Adds the columns of `tables`, in their order.
pub(super) fn read(
    r: &mut Reader<'_>,
    tables: &mut BTreeMap<QName, Table>,
) -> Result<(), postgres::Error> {
    let rows = r.query(&format!(
        "SELECT n.nspname::text, c.relname::text, a.attname::text, \
                format_type(a.atttypid, a.atttypmod), a.attnotnull, \
                a.attidentity::text, a.attgenerated::text, pg_get_expr(d.adbin, d.adrelid), \
                co.collname::text, con.nspname::text \
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_type ty ON ty.oid = a.atttypid \
         LEFT JOIN pg_collation co ON co.oid = a.attcollation \
              AND a.attcollation <> ty.typcollation \
         LEFT JOIN pg_namespace con ON con.oid = co.collnamespace \
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
         WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped \
           AND {USER_SCHEMA} ORDER BY c.oid, a.attnum"
    ))?;
    for row in rows {
        let table = QName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        let Some(t) = tables.get_mut(&table) else {
            continue;
        };
        let identity: String = row.get(5);
        let generated = !row.get::<_, String>(6).is_empty();
        let expr: Option<String> = row.get(7);
        let text = |on: bool| match &expr {
            Some(e) if on => Written::new(e),
            _ => Written::unknown(),
        };
        let default = expr.is_some() && !generated;
        // As the replay holds it: the name as SQL, `pg_catalog.` and `public.` left out.
        let collation = match (
            row.get::<_, Option<String>>(8),
            row.get::<_, Option<String>>(9),
        ) {
            (Some(name), Some(ns)) if ns == "pg_catalog" || ns == "public" => {
                Some(quote_ident(&name))
            }
            (Some(name), Some(ns)) => Some(format!("{}.{}", quote_ident(&ns), quote_ident(&name))),
            _ => None,
        };
        t.columns.push(Column {
            name: row.get(2),
            ty: row.get(3),
            not_null: row.get(4),
            default,
            identity: !identity.is_empty(),
            identity_always: identity == "a",
            generated,
            default_sql: text(default),
            generated_sql: text(generated),
            collation,
        });
    }
    Ok(())
}
