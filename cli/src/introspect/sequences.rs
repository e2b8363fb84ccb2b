//! Sequences, with the column that owns each (`serial`, identity, `OWNED BY`).

use retort_core::schema::catalog::{QName, RelKind};

use super::{Reader, USER_SCHEMA, not_in_extension};

/// Adds the sequences.
pub(super) fn read(r: &mut Reader<'_>) -> Result<(), postgres::Error> {
    let rows = r.query(&format!(
        "SELECT n.nspname::text, c.relname::text, \
                (SELECT ARRAY[onn.nspname::text, oc.relname::text, a.attname::text] \
                 FROM pg_depend d JOIN pg_class oc ON oc.oid = d.refobjid \
                 JOIN pg_namespace onn ON onn.oid = oc.relnamespace \
                 JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid \
                 WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid \
                   AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') \
                 LIMIT 1) \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind = 'S' AND {USER_SCHEMA} AND {} ORDER BY c.oid",
        not_in_extension("pg_class", "c.oid")
    ))?;
    for row in rows {
        let name = QName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        let owner: Option<Vec<String>> = row.get(2);
        let owned_by = match owner.as_deref() {
            Some([schema, table, column]) => {
                let t = QName::new(schema.clone(), table.clone());
                if r.exclude.is_version_table(&t) {
                    continue;
                }
                Some((t, column.clone()))
            }
            _ => None,
        };
        let o = r.obj(RelKind::Sequence { owned_by });
        r.cat.put_relation(name, o);
    }
    Ok(())
}
