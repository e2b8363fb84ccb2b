//! Triggers (not those PostgreSQL makes for foreign keys), with the function each executes.

use std::sync::Arc;

use retort_core::schema::catalog::QName;

use super::{Reader, USER_SCHEMA};

/// Adds the triggers.
pub(super) fn read(r: &mut Reader<'_>) -> Result<(), postgres::Error> {
    let rows = r.query(&format!(
        "SELECT n.nspname::text, c.relname::text, t.tgname::text, pn.nspname::text, \
                p.proname::text \
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
        let function = QName::new(row.get::<_, String>(3), row.get::<_, String>(4));
        let o = r.obj(Some(function));
        Arc::make_mut(&mut r.cat.triggers).insert((table, row.get(2)), o);
    }
    Ok(())
}
