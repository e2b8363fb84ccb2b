//! Functions and procedures: one entry per name with the argument types of each overload
//! (as `oidvectortypes` prints them). Bodies are not read: they are never compared. The
//! functions PostgreSQL makes for a range type (its constructors) are the type's, not
//! objects of their own.

use std::collections::BTreeMap;
use std::sync::Arc;

use retort_core::schema::catalog::{FnDef, QName};

use super::{Reader, USER_SCHEMA, not_in_extension};

/// Adds the functions.
pub(super) fn read(r: &mut Reader<'_>) -> Result<(), postgres::Error> {
    let rows = r.query(&format!(
        "SELECT n.nspname::text, p.proname::text, \
                replace(oidvectortypes(p.proargtypes), ', ', ',') \
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
         WHERE {USER_SCHEMA} AND {} \
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass \
                           AND d.objid = p.oid AND d.deptype = 'i') \
         ORDER BY p.oid",
        not_in_extension("pg_proc", "p.oid")
    ))?;
    let mut fns: BTreeMap<QName, FnDef> = BTreeMap::new();
    for row in rows {
        let name = QName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        fns.entry(name).or_default().sigs.insert(row.get(2));
    }
    for (name, f) in fns {
        let o = r.obj(f);
        Arc::make_mut(&mut r.cat.functions).insert(name, o);
    }
    Ok(())
}
