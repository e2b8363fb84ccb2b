//! Table constraints: primary keys, unique, checks (as `pg_get_constraintdef` prints them),
//! foreign keys (their target, and their clauses in [`fk_clauses`]' form), exclusions.

use std::collections::BTreeMap;

use retort_core::schema::catalog::{Constraint, ConstraintKind, QName, Table, Written};

use super::canonical::fk_clauses;
use super::{Reader, USER_SCHEMA};

/// The action of `ON DELETE`/`ON UPDATE` as `pg_constraint` codes it.
fn action(code: &str) -> &'static str {
    match code {
        "r" => "RESTRICT",
        "c" => "CASCADE",
        "n" => "SET NULL",
        "d" => "SET DEFAULT",
        _ => "NO ACTION",
    }
}

/// Adds the constraints of `tables`.
pub(super) fn read(
    r: &mut Reader<'_>,
    tables: &mut BTreeMap<QName, Table>,
) -> Result<(), postgres::Error> {
    let cols = |rel: &str, keys: &str| {
        format!(
            "ARRAY(SELECT a.attname::text FROM unnest({keys}) WITH ORDINALITY k(num, ord) \
             JOIN pg_attribute a ON a.attrelid = {rel} AND a.attnum = k.num ORDER BY k.ord)"
        )
    };
    let rows = r.query(&format!(
        "SELECT n.nspname::text, c.relname::text, con.conname::text, con.contype::text, {}, \
                fn.nspname::text, fc.relname::text, {}, pg_get_constraintdef(con.oid), \
                con.confmatchtype::text, con.confupdtype::text, con.confdeltype::text, \
                con.condeferrable, con.condeferred, con.convalidated \
         FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_class fc ON fc.oid = con.confrelid \
         LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace \
         WHERE con.contype IN ('p', 'u', 'c', 'f', 'x') AND {USER_SCHEMA} \
         ORDER BY c.oid, con.oid",
        cols("con.conrelid", "con.conkey"),
        cols("con.confrelid", "con.confkey"),
    ))?;
    for row in rows {
        let table = QName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        let Some(t) = tables.get_mut(&table) else {
            continue;
        };
        let mut columns: Vec<String> = row.get(4);
        let def: String = row.get(8);
        let (kind, sql) = match row.get::<_, String>(3).as_str() {
            "p" => (ConstraintKind::PrimaryKey, Written::unknown()),
            "u" => (ConstraintKind::Unique, Written::unknown()),
            "c" => {
                columns.sort();
                (ConstraintKind::Check, Written::new(&def))
            }
            "f" => {
                let mut clauses = String::new();
                match row.get::<_, String>(9).as_str() {
                    "f" => clauses.push_str(" MATCH FULL"),
                    "p" => clauses.push_str(" MATCH PARTIAL"),
                    _ => {}
                }
                for (word, code) in [("UPDATE", 10), ("DELETE", 11)] {
                    let a = action(&row.get::<_, String>(code));
                    if a != "NO ACTION" {
                        clauses.push_str(&format!(" ON {word} {a}"));
                    }
                }
                if row.get(12) {
                    clauses.push_str(" DEFERRABLE");
                }
                if row.get(13) {
                    clauses.push_str(" INITIALLY DEFERRED");
                }
                if !row.get::<_, bool>(14) {
                    clauses.push_str(" NOT VALID");
                }
                (
                    ConstraintKind::ForeignKey {
                        table: QName::new(row.get::<_, String>(5), row.get::<_, String>(6)),
                        columns: row.get(7),
                    },
                    Written::new(&fk_clauses(&clauses).unwrap_or(clauses)),
                )
            }
            _ => (ConstraintKind::Other, Written::new(&def)),
        };
        t.constraints.push(Constraint {
            name: row.get(2),
            name_exact: true,
            kind,
            columns,
            sql,
        });
    }
    Ok(())
}
