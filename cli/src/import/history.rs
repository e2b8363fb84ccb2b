//! The other tool's history table in a database: what it applied, as `retort stamp --adopt`
//! needs it. sqlx: `_sqlx_migrations (version bigint, success bool, checksum bytea, …)`;
//! diesel: `__diesel_schema_migrations (version varchar, run_on timestamp)`; refinery:
//! `refinery_schema_history (version int4 or int8, name, applied_on, checksum varchar)`. Each
//! is read where the connection's `search_path` finds it, as the tool itself finds it.

use postgres::Client;

use super::Tool;

/// One row: a migration the tool applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    /// Its version, as text (the imported revision's id).
    pub version: String,
    /// The checksum the tool recorded (sqlx's as lower-case hex, refinery's as decimal).
    pub checksum: Option<String>,
    /// Whether the tool recorded it as failed (sqlx's `success = false`).
    pub failed: bool,
}

/// The rows of `tool`'s table, oldest version first; `None` when the table does not exist.
pub fn read(client: &mut Client, tool: Tool) -> Result<Option<Vec<Applied>>, postgres::Error> {
    let table = tool.history_table();
    let exists: bool = client
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&table])?
        .get(0);
    if !exists {
        return Ok(None);
    }
    let sql = match tool {
        Tool::Sqlx => {
            "SELECT version::text, encode(checksum, 'hex'), NOT success \
             FROM _sqlx_migrations ORDER BY version"
        }
        Tool::Diesel => {
            "SELECT version::text, NULL::text, false FROM __diesel_schema_migrations \
             ORDER BY version"
        }
        Tool::Refinery => {
            "SELECT version::text, checksum::text, false FROM refinery_schema_history \
             ORDER BY version"
        }
    };
    let rows = client.query(sql, &[])?;
    Ok(Some(
        rows.iter()
            .map(|r| Applied {
                version: r.get(0),
                checksum: r.get(1),
                failed: r.get(2),
            })
            .collect(),
    ))
}
