//! Schemas (other than `public` and the system's) and extensions (other than `plpgsql`,
//! which every database has).

use std::sync::Arc;

use super::{Reader, USER_SCHEMA};

/// Adds the schemas and extensions.
pub(super) fn read(r: &mut Reader<'_>) -> Result<(), postgres::Error> {
    let rows = r.query(&format!(
        "SELECT n.nspname::text FROM pg_namespace n WHERE {USER_SCHEMA} \
         AND n.nspname <> 'public' ORDER BY n.oid"
    ))?;
    for row in rows {
        let name: String = row.get(0);
        let o = r.obj(());
        Arc::make_mut(&mut r.cat.schemas).insert(name, o);
    }
    let rows =
        r.query("SELECT extname::text FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY oid")?;
    for row in rows {
        let name: String = row.get(0);
        let o = r.obj(());
        Arc::make_mut(&mut r.cat.extensions).insert(name, o);
    }
    Ok(())
}
