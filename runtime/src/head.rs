//! The head cache: how an upgrade to `head` of a database already there is answered in one
//! round trip, without the lock and without reading the version table's rows.
//!
//! # What is stored
//!
//! A one-row table beside the version table, in its schema: `<table>_head` (see
//! [`Config::head_table_name`]), holding the *key* of the last state a run verified as up to
//! date, or NULL. The key is SHA-256 over:
//!
//! - this runtime's version (a release that decides differently never trusts an older key);
//! - the set's [`fingerprint`](retort_core::MigrationSet::fingerprint): every revision,
//!   parent, checksum, transaction flag, environment list and checkpoint range;
//! - the runner's environment, if one is named;
//! - the version table's identity: its configured name, its oid, its schema's oid and its
//!   name as the catalog has it (a table dropped and made again, renamed or moved to another
//!   schema is another table).
//!
//! A statement-level trigger on the version table, `retort_head` (`AFTER INSERT OR UPDATE OR
//! DELETE OR TRUNCATE`, `ENABLE ALWAYS`, so it fires in replica sessions too), runs a small
//! plpgsql function of the head table's name that sets the key to NULL. Any change to the
//! version table, by this release, an older one, a script or a person deleting a row by hand
//! to run a migration again, clears the key in the same transaction as the change.
//!
//! # A run's own migrations
//!
//! The trigger's work (a plpgsql call and an `UPDATE` of the head row) would cost each
//! migration's transaction about 50 µs of server time. A run under the advisory lock that has
//! migrations to apply clears the key once, in a statement of its own, before the first
//! ([`clear`]); its transactions then begin their version-table write with `SET LOCAL
//! retort.head_cleared = '<head table>'`, and the trigger's `WHEN` skips its work in them.
//! Nothing else writes a key meanwhile: only a run does, under that lock, which the run keeps
//! until it ends. Every other session, this one's later transactions and a run under a lease
//! (which can expire under a long migration) fire the trigger as before. The trigger carries
//! a comment naming this form; one made by an older release (no `WHEN`) still clears the key
//! on every change, and the next full run makes it again.
//!
//! # The fast path
//!
//! [`is_current`]: one simple query reads the key, the version table's identity and whether
//! the trigger is there and enabled. When the key is the one this program computes, the
//! database is at the head of this set exactly as when a full run last verified it, and the
//! upgrade returns no steps, as the full path would. Anything else (no head table, no row, a
//! NULL or other key, no trigger, an error) takes the full path, unchanged.
//!
//! - A concurrent run mid-upgrade: what it has not committed is invisible, and each of its
//!   commits that touches the version table clears the key. The answer is the committed
//!   state at the moment of the read, as a full run that had taken the lock just before the
//!   other would have answered.
//! - `lock = "table"`: the fast path takes no lock of either kind; it is one statement in a
//!   transaction of its own, so a pooler in transaction mode is fine.
//! - Rust migrations: their checksum (of the source) is in the fingerprint; a run at the head
//!   runs none, so a driver that cannot run them answers alike.
//! - Migrations limited to other environments: their skipped rows are rows like any other;
//!   the environment is in the key, so a runner of another environment does its own full
//!   run once.
//! - Squash checkpoints: the set's checkpoints and ranges are in the fingerprint; the full
//!   path reads the version table through the checkpoint's view and verifies as usual before
//!   any key is written.
//!
//! # Writing the key
//!
//! Only a full upgrade to `head` (not a dry run) writes it, under the run's lock, and only
//! once the database is verified at the head: the rows are read, viewed, verified and planned
//! (an empty plan) in a `REPEATABLE READ` transaction, and the key is written by an `UPDATE`
//! of the head row in that same transaction. A change to the version table committed after
//! that transaction's snapshot has updated the head row too (the trigger updates it, never
//! deletes it: against a deleted row, an upsert would insert a stale key without a
//! conflict), so the `UPDATE` fails with a serialization error and no key is written; a
//! change after the `UPDATE` waits for its commit and then clears the key. After a run that
//! applied migrations, a new transaction of that kind reads the rows again to write it.
//!
//! The objects are made by the full path ([`begin`]), under the lock, in one implicit
//! transaction: all of them or none. A role that may not create them (no `CREATE` on the
//! schema, not the version table's owner) gets no fast path and the full path as before; a
//! failure here never fails a run. Until they exist, each fast-path read fails once on the
//! server ("relation … does not exist") and falls back.
//!
//! What escapes the trigger: changes made while it is disabled (`ALTER TABLE … DISABLE
//! TRIGGER`, as `pg_restore --disable-triggers` does; `session_replication_role` does not,
//! since it is enabled `ALWAYS`). `UPDATE <table>_head SET key = NULL;` clears the key by hand.
//! Offline `--sql` scripts make the version table without the trigger and no head table: a
//! database migrated only by scripts takes the full path at every start-up until a run has
//! made them.

use postgres::SimpleQueryMessage;
use sha2::{Digest, Sha256};

use crate::config::{Config, Ident};
use crate::driver::Conn;
use retort_core::MigrationSet;
use retort_core::digest::to_hex;

/// The trigger's name on the version table (trigger names are the table's own).
pub(crate) const TRIGGER: &str = "retort_head";

/// The setting a run's transactions carry (`SET LOCAL`) once the run has cleared the key
/// itself: the trigger's `WHEN` compares it with the head table's name and skips its work.
const QUIET_SETTING: &str = "retort.head_cleared";

/// The comment on a trigger made by this release, with its `WHEN`: a full run makes a
/// trigger without it (an older release's) again.
const TRIGGER_COMMENT: &str =
    "retort head cache v2: skipped where retort.head_cleared names the head table";

/// Whether the trigger does its work in a run's transactions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Trigger {
    /// As in any other session: every change to the version table clears the key.
    #[default]
    Fires,
    /// The run cleared the key itself, under the advisory lock, before its first migration;
    /// its transactions say so (see [`quiet_sql`]) and the trigger skips its work in them.
    Quiet,
}

/// The trigger function's body: sets the key of the head table named by its argument, in the
/// version table's schema, to NULL. No name is written into it, so a version table moved to
/// another schema keeps a working trigger; a head table that is not there is no error (the
/// version table must stay writable whatever happens to the cache).
const FUNCTION_BODY: &str = "
BEGIN
  IF to_regclass(format('%I.%I', TG_TABLE_SCHEMA, TG_ARGV[0])) IS NOT NULL THEN
    EXECUTE format('UPDATE %I.%I SET key = NULL, changes = changes + 1',
                   TG_TABLE_SCHEMA, TG_ARGV[0]);
  END IF;
  RETURN NULL;
END
";

/// Which table is the version table, as the catalog has it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Identity {
    /// Its oid.
    pub(crate) oid: u32,
    /// Its schema's oid.
    pub(crate) namespace: u32,
    /// Its name.
    pub(crate) name: String,
}

/// Where the key is written: the version table's identity and the head table beside it,
/// quoted and qualified by the version table's own schema.
pub(crate) struct Place {
    identity: Identity,
    /// The version table's schema, quoted.
    schema: String,
    /// The head table, quoted, in that schema.
    head: String,
}

/// The key of a database at the head of `set`, for this runner and this version table.
pub(crate) fn key(config: &Config, set: &MigrationSet, table: &Identity) -> [u8; 32] {
    fn field(h: &mut Sha256, bytes: &[u8]) {
        h.update((bytes.len() as u64).to_be_bytes());
        h.update(bytes);
    }
    let mut h = Sha256::new();
    h.update(b"retort head key v1\0");
    field(&mut h, env!("CARGO_PKG_VERSION").as_bytes());
    h.update(set.fingerprint());
    match config.environment_name() {
        None => h.update([0]),
        Some(e) => {
            h.update([1]);
            field(&mut h, e.as_bytes());
        }
    }
    field(&mut h, config.qualified_table().as_bytes());
    h.update(table.oid.to_be_bytes());
    h.update(table.namespace.to_be_bytes());
    field(&mut h, table.name.as_bytes());
    h.finalize().into()
}

/// The fast path's one query: the key (when set), the version table's identity, and the
/// trigger's `tgenabled` (NULL: no trigger). No row when the key is NULL, or the head table
/// read is not in the version table's schema.
pub(crate) fn check_sql(config: &Config) -> String {
    format!(
        "SELECT encode(h.key, 'hex'), c.oid, c.relnamespace, c.relname, \
         (SELECT t.tgenabled FROM pg_catalog.pg_trigger t \
          WHERE t.tgrelid = c.oid AND t.tgname = '{TRIGGER}') \
         FROM {head} h JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass({table}) \
         WHERE h.key IS NOT NULL AND c.relnamespace = \
         (SELECT hc.relnamespace FROM pg_catalog.pg_class hc WHERE hc.oid = h.tableoid)",
        head = config.qualified_head_table(),
        table = crate::table::literal(&config.qualified_table()),
    )
}

/// Whether the database is at the head of `set` as a full run last verified it, and nothing
/// has changed the version table since: one round trip, no lock. `false` on any doubt.
pub(crate) async fn is_current(
    client: &mut impl Conn,
    config: &Config,
    set: &MigrationSet,
) -> bool {
    let Ok(messages) = client.simple_query(&check_sql(config)).await else {
        return false;
    };
    let mut rows = messages.iter().filter_map(|m| match m {
        SimpleQueryMessage::Row(r) => Some(r),
        _ => None,
    });
    let (Some(row), None) = (rows.next(), rows.next()) else {
        return false;
    };
    let read = || -> Option<(String, Identity, String)> {
        let stored = row.get(0)?.to_owned();
        let identity = Identity {
            oid: row.get(1)?.parse().ok()?,
            namespace: row.get(2)?.parse().ok()?,
            name: row.get(3)?.to_owned(),
        };
        Some((stored, identity, row.get(4)?.to_owned()))
    };
    let Some((stored, identity, enabled)) = read() else {
        return false;
    };
    enabled == "A" && stored == to_hex(&key(config, set, &identity))
}

/// The head table, its function and the trigger, as made beside the version table `table`
/// (quoted) in `schema` (quoted), the head table holding its one row with no key.
pub(crate) fn create_sql(config: &Config, schema: &str, table: &str) -> String {
    let name = config.head_table_name();
    let head = format!("{schema}.{}", name.quoted());
    let table = format!("{schema}.{table}");
    format!(
        "CREATE TABLE IF NOT EXISTS {head} (\n    \
         id boolean PRIMARY KEY DEFAULT true CHECK (id),\n    \
         key bytea,\n    \
         changes bigint NOT NULL DEFAULT 0,\n    \
         verified_at timestamptz\n);\n\
         INSERT INTO {head} (id) VALUES (true) ON CONFLICT (id) DO NOTHING;\n\
         CREATE OR REPLACE FUNCTION {head}() RETURNS trigger LANGUAGE plpgsql \
         SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS {body};\n\
         DROP TRIGGER IF EXISTS {TRIGGER} ON {table};\n\
         CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} \
         FOR EACH STATEMENT \
         WHEN (pg_catalog.current_setting('{QUIET_SETTING}', true) IS DISTINCT FROM {arg}) \
         EXECUTE FUNCTION {head}({arg});\n\
         ALTER TABLE {table} ENABLE ALWAYS TRIGGER {TRIGGER};\n\
         COMMENT ON TRIGGER {TRIGGER} ON {table} IS {comment};\n",
        body = crate::table::literal(FUNCTION_BODY),
        arg = crate::table::literal(name.as_str()),
        comment = crate::table::literal(TRIGGER_COMMENT),
    )
}

/// The statement that makes the rest of a transaction of a [`Trigger::Quiet`] run skip the
/// trigger's work: `SET LOCAL retort.head_cleared = '<head table>'`. Under a trigger of an
/// older release (no `WHEN`) it changes nothing: the trigger fires, as it always may.
pub(crate) fn quiet_sql(config: &Config) -> String {
    format!(
        "SET LOCAL {QUIET_SETTING} = {}",
        crate::table::literal(config.head_table_name().as_str())
    )
}

/// The statement that starts the writer's transaction: `BEGIN ISOLATION LEVEL REPEATABLE
/// READ`, then, in it, where the version table is, whether the head cache's objects are
/// there (the head table in its schema, the trigger on it, enabled `ALWAYS`), and whether
/// the trigger is this release's (its comment).
pub(crate) fn begin_sql(config: &Config) -> String {
    format!(
        "BEGIN ISOLATION LEVEL REPEATABLE READ;\n\
         SELECT n.nspname, c.oid, c.relnamespace, c.relname, \
         pg_catalog.to_regclass(pg_catalog.format('%I.%I', n.nspname, {head})) IS NOT NULL \
         AND t.tgenabled = 'A', \
         pg_catalog.obj_description(t.oid, 'pg_trigger') IS NOT DISTINCT FROM {comment} \
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_catalog.pg_trigger t ON t.tgrelid = c.oid AND t.tgname = '{TRIGGER}' \
         WHERE c.oid = pg_catalog.to_regclass({table})",
        head = crate::table::literal(config.head_table_name().as_str()),
        table = crate::table::literal(&config.qualified_table()),
        comment = crate::table::literal(TRIGGER_COMMENT),
    )
}

/// Under the run's lock: opens the `REPEATABLE READ` transaction in which the run reads and
/// verifies the version table and [`record`] writes the key, making the head table, its
/// function and the trigger first if they are not all there or the trigger is an older
/// release's, and says where the key goes. One round trip when they are this release's.
/// `None`, with no transaction open, when the version table is not there or the objects are
/// not there and cannot be made (the role may not): the run then goes on without a key. An
/// older trigger that cannot be made again is kept: it clears the key on every change.
pub(crate) async fn begin(client: &mut impl Conn, config: &Config) -> Option<Place> {
    let sql = begin_sql(config);
    let (place, state) = match client.simple_query(&sql).await {
        Ok(messages) => match place_of(&messages, config) {
            Some(found) => found,
            None => {
                let _ = client.batch_execute("ROLLBACK").await;
                return None;
            }
        },
        Err(_) => {
            let _ = client.batch_execute("ROLLBACK").await;
            return None;
        }
    };
    if state == Objects::Current {
        return Some(place);
    }
    let _ = client.batch_execute("ROLLBACK").await;
    let table = Ident::new(&place.identity.name).ok()?.quoted();
    let made = client
        .batch_execute(&create_sql(config, &place.schema, &table))
        .await;
    if made.is_err() && state == Objects::Missing {
        return None;
    }
    client
        .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        .await
        .ok()?;
    Some(place)
}

/// What [`begin_sql`] found of the head cache's objects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Objects {
    /// Not all there, or the trigger is not enabled `ALWAYS`: no key can be trusted.
    Missing,
    /// There and enabled, the trigger an older release's (no `WHEN`, no comment).
    Older,
    /// There and enabled, the trigger this release's.
    Current,
}

/// [`begin_sql`]'s answer: where the key goes, and what is there of the objects.
fn place_of(messages: &[SimpleQueryMessage], config: &Config) -> Option<(Place, Objects)> {
    let row = messages.iter().find_map(|m| match m {
        SimpleQueryMessage::Row(r) => Some(r),
        _ => None,
    })?;
    let schema = Ident::new(row.get(0)?).ok()?.quoted();
    let identity = Identity {
        oid: row.get(1)?.parse().ok()?,
        namespace: row.get(2)?.parse().ok()?,
        name: row.get(3)?.to_owned(),
    };
    let state = match (row.get(4), row.get(5)) {
        (Some("t"), Some("t")) => Objects::Current,
        (Some("t"), _) => Objects::Older,
        _ => Objects::Missing,
    };
    let head = format!("{schema}.{}", config.head_table_name().quoted());
    Some((
        Place {
            identity,
            schema,
            head,
        },
        state,
    ))
}

/// Before a run under the advisory lock applies migrations: ends the transaction [`begin`]
/// opened (nothing was written in it) and clears the key in a statement of its own, one
/// round trip. [`Trigger::Quiet`] when the key is cleared: no other run writes one until
/// this run's lock is released, so its own transactions need not clear it again. On any
/// failure (a head row deleted by hand, a lost connection), [`Trigger::Fires`]: the run's
/// transactions clear the key themselves, as without this.
pub(crate) async fn clear(client: &mut impl Conn, place: &Place) -> Trigger {
    let sql = format!(
        "ROLLBACK;\nUPDATE {} SET key = NULL, changes = changes + 1 WHERE id",
        place.head
    );
    match client.simple_query(&sql).await {
        Ok(messages) => {
            // The `UPDATE`'s count, after the `ROLLBACK`'s.
            if completed(&messages).last() == Some(&1) {
                Trigger::Quiet
            } else {
                Trigger::Fires
            }
        }
        Err(_) => {
            let _ = client.batch_execute("ROLLBACK").await;
            Trigger::Fires
        }
    }
}

/// Writes the key of `set` in the transaction [`begin`] opened, in which the run has just
/// verified the database at the head, and commits it: one round trip. Failing (a concurrent
/// change to the version table, a head row deleted by hand, a lost connection) writes nothing
/// and fails nothing: the next run takes the full path again.
pub(crate) async fn record(
    client: &mut impl Conn,
    config: &Config,
    set: &MigrationSet,
    place: &Place,
) {
    let key = to_hex(&key(config, set, &place.identity));
    let sql = format!(
        "UPDATE {} SET key = pg_catalog.decode('{key}', 'hex'), verified_at = now() WHERE id;\n\
         COMMIT",
        place.head
    );
    match client.simple_query(&sql).await {
        Ok(messages) => {
            // The `UPDATE`'s count, before the `COMMIT`'s.
            if completed(&messages).first() == Some(&0) {
                // The row was deleted by hand: put it back, keyless, for the next run.
                let _ = client
                    .batch_execute(&format!(
                        "INSERT INTO {} (id) VALUES (true) ON CONFLICT (id) DO NOTHING",
                        place.head
                    ))
                    .await;
            }
        }
        Err(_) => {
            let _ = client.batch_execute("ROLLBACK").await;
        }
    }
}

/// The row counts of the statements of a simple query, in order.
fn completed(messages: &[SimpleQueryMessage]) -> Vec<u64> {
    messages
        .iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::CommandComplete(n) => Some(*n),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity() -> Identity {
        Identity {
            oid: 16390,
            namespace: 2200,
            name: "retort_migrations".to_owned(),
        }
    }

    #[test]
    fn the_key_depends_on_the_set_the_environment_and_the_table() {
        let set = MigrationSet::from_static(&[]);
        let c = Config::new();
        let k = key(&c, &set, &identity());
        assert_eq!(k, key(&Config::new(), &set, &identity()));
        assert_ne!(k, key(&c.clone().environment("dev"), &set, &identity()));
        assert_ne!(k, key(&c.clone().environment(""), &set, &identity()));
        let other = |f: fn(&mut Identity)| {
            let mut i = identity();
            f(&mut i);
            key(&c, &set, &i)
        };
        assert_ne!(k, other(|i| i.oid += 1));
        assert_ne!(k, other(|i| i.namespace += 1));
        assert_ne!(k, other(|i| i.name.push('x')));
        assert_ne!(k, key(&c.clone().schema("s").unwrap(), &set, &identity()));
        assert_eq!(to_hex(&k).len(), 64);
    }

    #[test]
    fn names_are_literals_and_quoted_identifiers() {
        assert_eq!(crate::table::literal("a'b"), "E'a''b'");
        assert_eq!(crate::table::literal("a\\'b"), "E'a\\\\''b'");
        let c = Config::new().schema("o'k").unwrap().table("v\"t").unwrap();
        let sql = check_sql(&c);
        assert!(sql.contains("FROM \"o'k\".\"v\"\"t_head\" h"), "{sql}");
        assert!(sql.contains("to_regclass(E'\"o''k\".\"v\"\"t\"')"), "{sql}");
        let ddl = create_sql(&c, "\"o'k\"", "\"v\"\"t\"");
        assert!(
            ddl.contains("EXECUTE FUNCTION \"o'k\".\"v\"\"t_head\"(E'v\"t_head')"),
            "{ddl}"
        );
        assert!(ddl.contains("ENABLE ALWAYS TRIGGER retort_head"), "{ddl}");
        assert!(
            ddl.contains(
                "WHEN (pg_catalog.current_setting('retort.head_cleared', true) \
                 IS DISTINCT FROM E'v\"t_head')"
            ),
            "{ddl}"
        );
        assert_eq!(
            quiet_sql(&c),
            "SET LOCAL retort.head_cleared = E'v\"t_head'"
        );
    }
}
