//! Functions and procedures: one entry per name with the argument types of each overload
//! (as `oidvectortypes` prints them) and each overload's definition, read from what
//! `pg_get_functiondef` prints (PostgreSQL builds it from `pg_proc`: `prosrc` as the body,
//! the language, volatility, strictness, security, parallel safety, leakproofness, cost,
//! rows, settings, arguments and result) through the reader the migrations' statements go
//! through, so that both sides are in one form. Aggregates have no such text: their
//! definitions are not read. The functions PostgreSQL makes for a range type (its
//! constructors) are the type's, not objects of their own.

use std::collections::BTreeMap;
use std::sync::Arc;

use retort_core::schema::catalog::{FnDef, QName};
use retort_core::schema::routine::parse_routine;

use super::{Reader, USER_SCHEMA, not_in_extension};

/// Adds the functions.
pub(super) fn read(r: &mut Reader<'_>) -> Result<(), postgres::Error> {
    let rows = r.query(&format!(
        "SELECT n.nspname::text, p.proname::text, \
                replace(oidvectortypes(p.proargtypes), ', ', ','), \
                CASE WHEN p.prokind IN ('f', 'p', 'w') THEN pg_get_functiondef(p.oid) END \
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
        let sig: String = row.get(2);
        if sig.is_empty() && r.exclude.is_runtime_function(&name) {
            continue;
        }
        let def = row
            .get::<_, Option<String>>(3)
            .and_then(|d| parse_routine(&d))
            .filter(|d| d.name == name && d.routine.signature() == sig);
        let f = fns.entry(name).or_default();
        if let Some(d) = def {
            f.defs.insert(sig.clone(), Arc::new(d.routine));
        }
        f.sigs.insert(sig);
    }
    for (name, f) in fns {
        let o = r.obj(f);
        Arc::make_mut(&mut r.cat.functions).insert(name, o);
    }
    Ok(())
}
