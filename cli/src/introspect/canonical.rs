//! The other side of a comparison with a live database, brought to the form the database's
//! catalog is in: the differ compares defaults, checks, index and view definitions, function
//! argument defaults and SQL-standard bodies, and trigger conditions as text,
//! and PostgreSQL prints them its own way (`'x'::text`, `CHECK ((a > 0))`, `USING btree
//! (a)`). Each such text of a table, index or view that the database also has is given to
//! PostgreSQL on a throwaway temporary object, inside a transaction that is rolled back, and
//! read back as PostgreSQL prints it. A text PostgreSQL refuses (a type the database does not
//! have) becomes unknown: not compared, never reported as a difference.
//!
//! Without a server, [`settle`] does what needs none: check columns in one order, a foreign
//! key to "the primary key" given its columns, foreign-key clauses in one spelling.

use std::sync::Arc;

use postgres::{Client, Transaction};
use retort_core::schema::catalog::{
    Catalog, ConstraintKind, QName, RelKind, Written, literal, quote_ident,
};
use retort_core::schema::diff::sql_tokens;
use retort_core::schema::routine::{Body, Routine, parse_routine};
use retort_core::schema::trigger_def::{TriggerDef, parse_trigger};

use super::indexes::after_table;
use super::views::as_query;

/// Foreign-key clauses (what follows the referenced columns) in one spelling: defaults left
/// out, the rest in the order `pg_get_constraintdef` prints them. `None` when the text is not
/// only such clauses.
pub fn fk_clauses(text: &str) -> Option<String> {
    let toks: Vec<String> = sql_tokens(text)
        .into_iter()
        .map(|t| t.to_ascii_uppercase())
        .collect();
    let (mut matching, mut update, mut delete) = (None, None, None);
    let (mut deferrable, mut deferred, mut not_valid) = (false, false, false);
    let mut i = 0;
    let word = |i: usize| toks.get(i).map(String::as_str);
    while i < toks.len() {
        match (word(i), word(i + 1)) {
            (Some("MATCH"), Some(m @ ("FULL" | "SIMPLE" | "PARTIAL"))) => {
                matching = (m != "SIMPLE").then(|| m.to_owned());
                i += 2;
            }
            (Some("ON"), Some(which @ ("UPDATE" | "DELETE"))) => {
                let (action, n) = match (word(i + 2), word(i + 3)) {
                    (Some("NO"), Some("ACTION")) => (None, 4),
                    (Some("SET"), Some(v @ ("NULL" | "DEFAULT"))) => (Some(format!("SET {v}")), 4),
                    (Some(a @ ("RESTRICT" | "CASCADE")), _) => (Some(a.to_owned()), 3),
                    _ => return None,
                };
                if which == "UPDATE" {
                    update = action;
                } else {
                    delete = action;
                }
                i += n;
            }
            (Some("DEFERRABLE"), _) => {
                deferrable = true;
                i += 1;
            }
            (Some("NOT"), Some("DEFERRABLE")) => {
                deferrable = false;
                i += 2;
            }
            (Some("INITIALLY"), Some(w @ ("DEFERRED" | "IMMEDIATE"))) => {
                deferred = w == "DEFERRED";
                i += 2;
            }
            (Some("NOT"), Some("VALID")) => {
                not_valid = true;
                i += 2;
            }
            _ => return None,
        }
    }
    let mut out = Vec::new();
    if let Some(m) = matching {
        out.push(format!("MATCH {m}"));
    }
    if let Some(a) = update {
        out.push(format!("ON UPDATE {a}"));
    }
    if let Some(a) = delete {
        out.push(format!("ON DELETE {a}"));
    }
    if deferrable || deferred {
        out.push("DEFERRABLE".to_owned());
    }
    if deferred {
        out.push("INITIALLY DEFERRED".to_owned());
    }
    if not_valid {
        out.push("NOT VALID".to_owned());
    }
    Some(out.join(" "))
}

/// What needs no server: every check's columns sorted (the catalog keeps them in attribute
/// order), a foreign key to "the primary key" given the referenced table's key columns, and
/// foreign-key clauses in [`fk_clauses`]' spelling.
pub fn settle(cat: &mut Catalog) {
    let tables = cat.tables_where(|_| true);
    for name in tables {
        let pks: Vec<Option<Vec<String>>> = cat
            .table(&name)
            .map(|t| {
                t.constraints
                    .iter()
                    .map(|k| match &k.kind {
                        ConstraintKind::ForeignKey { table, columns } if columns.is_empty() => cat
                            .table(table)
                            .and_then(|t| t.primary_key())
                            .map(<[String]>::to_vec),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let Some(t) = cat.table_mut(&name) else {
            continue;
        };
        for (k, pk) in t.constraints.iter_mut().zip(pks) {
            match &mut k.kind {
                ConstraintKind::Check => k.columns.sort(),
                ConstraintKind::ForeignKey { columns, .. } => {
                    if let Some(pk) = pk {
                        *columns = pk;
                    }
                    let text = k.sql.get().map(fk_clauses);
                    if let Some(Some(t)) = text {
                        k.sql = Written::new(&t);
                    }
                }
                _ => {}
            }
        }
    }
}

/// Runs `statements` in a savepoint, reads the one text `read` gives, and rolls back to the
/// savepoint; `None` when PostgreSQL refuses any of them.
fn probe(tx: &mut Transaction<'_>, statements: &[String], read: &str) -> Option<String> {
    let mut sp = tx.transaction().ok()?;
    for s in statements {
        sp.batch_execute(s).ok()?;
    }
    let row = sp.query_one(read, &[]).ok()?;
    row.get::<_, Option<String>>(0)
}

/// The name of the temporary table, view and index each probe makes.
const PROBE: &str = "retort_probe";

/// `CREATE TEMP TABLE retort_probe (…)` with the columns of the table `name` of `cat`.
fn probe_table(cat: &Catalog, name: &QName) -> Option<String> {
    let t = cat.table(name)?;
    let cols: Vec<String> = t
        .columns
        .iter()
        .map(|c| format!("{} {}", quote_ident(&c.name), c.ty))
        .collect();
    Some(format!("CREATE TEMP TABLE {PROBE} ({})", cols.join(", ")))
}

/// The texts of `other` that `live` has a counterpart of, each as PostgreSQL prints it (see
/// the module documentation); [`settle`] is applied to both first. Nothing is changed in the
/// database: everything runs in one transaction that is rolled back.
pub fn align(
    client: &mut Client,
    other: &mut Catalog,
    live: &mut Catalog,
) -> Result<(), postgres::Error> {
    settle(other);
    settle(live);
    let mut tx = client.transaction()?;
    for name in other.tables_where(|_| true) {
        let Some(lt) = live.table(&name).cloned() else {
            continue;
        };
        let Some(create) = probe_table(other, &name) else {
            continue;
        };
        let Some(t) = other.table(&name).cloned() else {
            continue;
        };
        let mut t = t;
        for c in &mut t.columns {
            if lt.column(&c.name).is_none() {
                continue;
            }
            let col = quote_ident(&c.name);
            if c.default && c.default_sql.get().is_some() {
                let set = format!(
                    "ALTER TABLE {PROBE} ALTER COLUMN {col} SET DEFAULT {}",
                    c.default_sql.get().unwrap_or_default()
                );
                let read = format!(
                    "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d \
                     JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum \
                     WHERE d.adrelid = '{PROBE}'::regclass AND a.attname = {}",
                    literal(&c.name)
                );
                c.default_sql = probe(&mut tx, &[create.clone(), set], &read)
                    .map_or_else(Written::unknown, |s| Written::new(&s));
            }
            if c.generated && c.generated_sql.get().is_some() {
                let add = format!(
                    "ALTER TABLE {PROBE} ADD COLUMN {PROBE}_generated {} \
                     GENERATED ALWAYS AS ({}) STORED",
                    c.ty,
                    c.generated_sql.get().unwrap_or_default()
                );
                let read = format!(
                    "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d \
                     JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum \
                     WHERE d.adrelid = '{PROBE}'::regclass AND a.attname = '{PROBE}_generated'"
                );
                c.generated_sql = probe(&mut tx, &[create.clone(), add], &read)
                    .map_or_else(Written::unknown, |s| Written::new(&s));
            }
        }
        for k in &mut t.constraints {
            if k.kind != ConstraintKind::Check || lt.constraint(&k.name).is_none() {
                continue;
            }
            let Some(sql) = k.sql.get() else {
                continue;
            };
            let add = format!("ALTER TABLE {PROBE} ADD CONSTRAINT {PROBE}_check {sql}");
            let read = format!(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint \
                 WHERE conrelid = '{PROBE}'::regclass AND conname = '{PROBE}_check'"
            );
            k.sql = probe(&mut tx, &[create.clone(), add], &read)
                .map_or_else(Written::unknown, |s| Written::new(&s));
        }
        if let Some(slot) = other.table_mut(&name) {
            *slot = t;
        }
    }
    align_indexes(&mut tx, other, live);
    align_views(&mut tx, other, live);
    align_functions(&mut tx, other, live);
    align_triggers(&mut tx, other, live);
    tx.rollback()
}

/// The plain indexes of `other` that `live` has too, through a probe index on a probe table.
fn align_indexes(tx: &mut Transaction<'_>, other: &mut Catalog, live: &Catalog) {
    let names: Vec<(QName, QName, String)> = other
        .relations
        .iter()
        .filter_map(|(n, r)| match &r.value {
            RelKind::Index {
                table,
                constraint: false,
                sql,
                columns,
                ..
            } if live.relations.contains_key(n) => {
                let text = match (sql.get(), columns) {
                    (Some(s), _) if !s.is_empty() => s.to_owned(),
                    (_, Some(cols)) if !cols.is_empty() => {
                        let c: Vec<String> = cols.iter().map(|c| quote_ident(c)).collect();
                        format!("({})", c.join(", "))
                    }
                    _ => return None,
                };
                Some((n.clone(), table.clone(), text))
            }
            _ => None,
        })
        .collect();
    for (name, table, text) in names {
        let printed = probe_table(other, &table).and_then(|create| {
            let index = format!("CREATE INDEX {PROBE}_index ON {PROBE} {text}");
            let read = format!("SELECT pg_get_indexdef('{PROBE}_index'::regclass)");
            probe(tx, &[create, index], &read)
        });
        let sql = printed
            .as_deref()
            .and_then(after_table)
            .map_or_else(Written::unknown, Written::new);
        if let Some(o) = Arc::make_mut(&mut other.relations).get_mut(&name)
            && let RelKind::Index { sql: s, .. } = &mut o.value
        {
            *s = sql;
        }
    }
}

/// `AS <query>` without a trailing `WITH [NO] DATA` (a materialized view's).
fn query_only(sql: &str) -> String {
    let toks = sql_tokens(sql);
    let n = toks.len();
    let tail = match toks.as_slice() {
        [.., w, no, d] if w == "with" && no == "no" && d == "data" => 3,
        [.., w, d] if w == "with" && d == "data" => 2,
        _ => 0,
    };
    if tail == 0 || n < tail {
        return sql.to_owned();
    }
    // Cut the text before the `with` that starts the tail.
    let lower = sql.to_ascii_lowercase();
    match lower.rfind("with") {
        Some(k) => sql[..k].trim_end().to_owned(),
        None => sql.to_owned(),
    }
}

/// The views of `other` that `live` has too, through a temporary view.
fn align_views(tx: &mut Transaction<'_>, other: &mut Catalog, live: &Catalog) {
    let views: Vec<(QName, String)> = other
        .relations
        .iter()
        .filter_map(|(n, r)| match &r.value {
            RelKind::View { sql, .. } if live.relations.contains_key(n) => {
                sql.get().map(|s| (n.clone(), s.to_owned()))
            }
            _ => None,
        })
        .collect();
    for (name, sql) in views {
        let create = format!("CREATE TEMP VIEW {PROBE}_view {}", query_only(&sql));
        let read = format!("SELECT pg_get_viewdef('{PROBE}_view'::regclass)");
        let printed = probe(tx, &[create], &read).map(|p| as_query(&p));
        // PostgreSQL expands a `*` when the view is created: the database's view keeps the
        // columns its tables had then, the probe gets today's. When they differ the texts
        // cannot tell a change made by hand from columns added since, so the view is not
        // compared (and said so) rather than reported as drift.
        let live_text = match live.relations.get(&name).map(|o| &o.value) {
            Some(RelKind::View { sql, .. }) => sql.get().map(str::to_owned),
            _ => None,
        };
        let printed = printed.filter(|p| {
            !(selects_star(&sql)
                && live_text
                    .as_deref()
                    .is_some_and(|l| sql_tokens(l) != sql_tokens(p)))
        });
        if let Some(o) = Arc::make_mut(&mut other.relations).get_mut(&name)
            && let RelKind::View { sql: s, .. } = &mut o.value
        {
            *s = printed.map_or_else(Written::unknown, |p| Written::new(&p));
        }
    }
}

/// Whether a query selects `*` or `t.*` (a star after `SELECT`, `,`, `.` or `DISTINCT`).
fn selects_star(sql: &str) -> bool {
    let toks = sql_tokens(sql);
    toks.windows(2)
        .any(|w| w[1] == "*" && matches!(w[0].as_str(), "select" | "," | "." | "distinct" | "all"))
}

/// The overloads of `other` that `live` has too and whose text PostgreSQL prints its own way
/// (argument defaults, a SQL-standard body), through a temporary function: its definition as
/// `pg_get_functiondef` prints it, read back. The body string of an `AS '…'` routine is kept
/// by PostgreSQL as written, so those need no probe.
fn align_functions(tx: &mut Transaction<'_>, other: &mut Catalog, live: &Catalog) {
    let probe_name = QName::new("pg_temp", format!("{PROBE}_fn"));
    let todo: Vec<(QName, String, Routine)> = other
        .functions
        .iter()
        .flat_map(|(n, f)| {
            f.value
                .defs
                .iter()
                .filter(|(sig, d)| {
                    live.functions
                        .get(n)
                        .is_some_and(|l| l.value.defs.contains_key(*sig))
                        && (matches!(d.body, Body::Sql(_))
                            || d.args.iter().any(|a| a.default.is_some()))
                })
                .map(|(sig, d)| (n.clone(), sig.clone(), (**d).clone()))
                .collect::<Vec<_>>()
        })
        .collect();
    for (name, sig, def) in todo {
        let create = def.create_sql(&probe_name, false);
        let read = format!(
            "SELECT pg_get_functiondef(p.oid) FROM pg_proc p              WHERE p.proname = '{PROBE}_fn' AND p.pronamespace = pg_my_temp_schema()"
        );
        let printed = probe(
            tx,
            &["SET LOCAL check_function_bodies = off".to_owned(), create],
            &read,
        )
        .and_then(|p| parse_routine(&p));
        let Some(printed) = printed else {
            continue;
        };
        if let Some(f) = Arc::make_mut(&mut other.functions).get_mut(&name) {
            f.value.defs.insert(sig, Arc::new(printed.routine));
        }
    }
}

/// The `WHEN` conditions of the triggers of `other` that `live` has too, through a trigger on
/// a probe table: the condition as `pg_get_triggerdef` prints it.
fn align_triggers(tx: &mut Transaction<'_>, other: &mut Catalog, live: &Catalog) {
    let probe_table_name = QName::new("pg_temp", PROBE);
    let todo: Vec<((QName, String), TriggerDef)> = other
        .triggers
        .iter()
        .filter(|(k, _)| live.triggers.contains_key(*k))
        .filter_map(|(k, t)| {
            let d = t.value.def.as_deref()?;
            d.when.is_some().then(|| (k.clone(), d.clone()))
        })
        .collect();
    for ((table, name), def) in todo {
        let Some(create_table) = probe_table(other, &table) else {
            continue;
        };
        let create = def.create_sql(&format!("{PROBE}_trigger"), &probe_table_name, false);
        let read = format!(
            "SELECT pg_get_triggerdef(oid) FROM pg_trigger              WHERE tgname = '{PROBE}_trigger' AND tgrelid = '{PROBE}'::regclass"
        );
        let when = probe(tx, &[create_table, create], &read)
            .and_then(|p| parse_trigger(&p))
            .map(|p| p.def.when);
        let Some(when) = when else {
            continue;
        };
        if let Some(t) = Arc::make_mut(&mut other.triggers).get_mut(&(table, name))
            && let Some(d) = &mut t.value.def
        {
            Arc::make_mut(d).when = when;
        }
    }
}

/// Leaves out of `live` the version table's schema when `other` does not have it (the
/// runtime made it, not the migrations).
pub fn forget_version_schema(live: &mut Catalog, other: &Catalog, schema: Option<&str>) {
    if let Some(s) = schema
        && !other.schemas.contains_key(s)
        && live.schemas.contains_key(s)
    {
        Arc::make_mut(&mut live.schemas).remove(s);
    }
}

#[cfg(test)]
mod tests {
    use super::{fk_clauses, query_only};

    #[test]
    fn foreign_key_clauses_have_one_spelling() {
        assert_eq!(fk_clauses("").as_deref(), Some(""));
        assert_eq!(
            fk_clauses("on delete cascade ON UPDATE NO ACTION match simple").as_deref(),
            Some("ON DELETE CASCADE")
        );
        assert_eq!(
            fk_clauses("ON DELETE SET NULL ON UPDATE RESTRICT DEFERRABLE INITIALLY DEFERRED")
                .as_deref(),
            Some("ON UPDATE RESTRICT ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED")
        );
        assert_eq!(
            fk_clauses("NOT DEFERRABLE INITIALLY IMMEDIATE").as_deref(),
            Some("")
        );
        assert_eq!(fk_clauses("ON DELETE explode"), None);
    }

    #[test]
    fn a_materialized_views_data_clause_is_cut() {
        assert_eq!(
            query_only("AS SELECT 1 AS with_x WITH NO DATA"),
            "AS SELECT 1 AS with_x"
        );
        assert_eq!(query_only("AS SELECT 1"), "AS SELECT 1");
    }
}
