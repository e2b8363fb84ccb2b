//! Triggers (not those PostgreSQL makes for foreign keys), with the function each executes
//! and its definition, read from what `pg_get_triggerdef` prints (PostgreSQL builds it from
//! `pg_trigger`: the type bits, `tgattr`, the arguments, the `WHEN` condition) through the
//! reader the migrations' statements go through.

use std::sync::Arc;

use retort_core::schema::catalog::{QName, Trigger};
use retort_core::schema::trigger_def::parse_trigger;

use super::{Reader, USER_SCHEMA};

/// Adds the triggers.
pub(super) fn read(r: &mut Reader<'_>) -> Result<(), postgres::Error> {
    let rows = r.query(&format!(
        "SELECT n.nspname::text, c.relname::text, t.tgname::text, pn.nspname::text, \
                p.proname::text, pg_get_triggerdef(t.oid) \
         FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_proc p ON p.oid = t.tgfoid JOIN pg_namespace pn ON pn.oid = p.pronamespace \
         WHERE NOT t.tgisinternal AND {USER_SCHEMA} ORDER BY t.oid"
    ))?;
    for row in rows {
        let table = QName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        if r.exclude.is_version_table(&table) {
            continue;
        }
        let name: String = row.get(2);
        let function = QName::new(row.get::<_, String>(3), row.get::<_, String>(4));
        let def = parse_trigger(&row.get::<_, String>(5))
            .filter(|d| d.table == table && d.name == name && d.def.function == function)
            .map(|d| Arc::new(d.def));
        let o = r.obj(Trigger {
            function: Some(function),
            def,
        });
        Arc::make_mut(&mut r.cat.triggers).insert((table, name), o);
    }
    Ok(())
}
