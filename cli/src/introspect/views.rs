//! Views and materialized views, their queries as `pg_get_viewdef` prints them.

use std::collections::BTreeSet;
use std::sync::Arc;

use retort_core::schema::catalog::{QName, RelKind, Written};

use super::{Reader, USER_SCHEMA, not_in_extension};

/// `AS <query>` from what `pg_get_viewdef` prints (its trailing `;` left out).
pub(crate) fn as_query(def: &str) -> String {
    format!("AS {}", def.trim().trim_end_matches(';').trim_end())
}

/// The words of a text (lower case): what a view mentions.
pub(crate) fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Adds the views, in the order they were created.
pub(super) fn read(r: &mut Reader<'_>) -> Result<(), postgres::Error> {
    let rows = r.query(&format!(
        "SELECT n.nspname::text, c.relname::text, c.relkind = 'm', pg_get_viewdef(c.oid) \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('v', 'm') AND {USER_SCHEMA} AND {} ORDER BY c.oid",
        not_in_extension("pg_class", "c.oid")
    ))?;
    for row in rows {
        let name = QName::new(row.get::<_, String>(0), row.get::<_, String>(1));
        let def: String = row.get(3);
        let o = r.obj(RelKind::View {
            materialized: row.get(2),
            mentions: Arc::new(words(&def)),
            sql: Written::new(&as_query(&def)),
        });
        r.cat.put_relation(name, o);
    }
    Ok(())
}
