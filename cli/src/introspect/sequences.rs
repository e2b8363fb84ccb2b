//! Sequences, with the column that owns each (`serial`, identity, `OWNED BY`) and their
//! options (`pg_sequence`).

use retort_core::schema::catalog::{QName, RelKind, SeqType, SequenceOptions};

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
                 LIMIT 1), \
                format_type(s.seqtypid, NULL), s.seqincrement, s.seqmin, s.seqmax, \
                s.seqstart, s.seqcache, s.seqcycle \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_sequence s ON s.seqrelid = c.oid \
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
        let options = SeqType::of(&row.get::<_, String>(3)).map(|t| SequenceOptions {
            data_type: t,
            increment: row.get(4),
            min: row.get(5),
            max: row.get(6),
            start: row.get(7),
            cache: row.get(8),
            cycle: row.get(9),
        });
        let o = r.obj(RelKind::Sequence { owned_by, options });
        r.cat.put_relation(name, o);
    }
    Ok(())
}
