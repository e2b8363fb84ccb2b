//! Indexes on tables and materialized views: those behind a constraint (named like it) and
//! the others, with what follows `ON table` as `pg_get_indexdef` prints it.

use retort_core::schema::catalog::{QName, RelKind, Written};

use super::{Reader, USER_SCHEMA, not_in_extension};

/// What follows the table's name in `CREATE INDEX … ON table …`: from `USING` on.
pub(crate) fn after_table(def: &str) -> Option<&str> {
    def.find(" USING ").map(|k| &def[k + 1..])
}

/// Adds the indexes.
pub(super) fn read(r: &mut Reader<'_>) -> Result<(), postgres::Error> {
    let rows = r.query(&format!(
        "SELECT n.nspname::text, ic.relname::text, tn.nspname::text, c.relname::text, \
                i.indisunique, i.indpred IS NOT NULL OR 0 = ANY (i.indkey::int2[]), \
                ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY \
                      k(num, ord) JOIN pg_attribute a ON a.attrelid = i.indrelid \
                      AND a.attnum = k.num ORDER BY k.ord), \
                EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid \
                        AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x')), \
                pg_get_indexdef(i.indexrelid) \
         FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid \
         JOIN pg_namespace n ON n.oid = ic.relnamespace \
         JOIN pg_class c ON c.oid = i.indrelid \
         JOIN pg_namespace tn ON tn.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p', 'm') AND {USER_SCHEMA} AND {} ORDER BY ic.oid",
        not_in_extension("pg_class", "c.oid")
    ))?;
    for row in rows {
        let name = QName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        let table = QName::new(row.get::<_, String>(2), row.get::<_, String>(3));
        if r.exclude.is_version_table(&table) {
            continue;
        }
        let expressions: bool = row.get(5);
        let cols: Vec<String> = row.get(6);
        let constraint: bool = row.get(7);
        let def: String = row.get(8);
        let sql = if constraint {
            Written::new("")
        } else {
            after_table(&def).map_or_else(Written::unknown, Written::new)
        };
        let o = r.obj(RelKind::Index {
            table,
            unique: row.get(4),
            columns: (!expressions).then(|| cols.clone()),
            uses: (!expressions).then_some(cols),
            constraint,
            name_exact: true,
            sql,
        });
        r.cat.put_relation(name, o);
    }
    Ok(())
}
