//! `retort schema` and the proof of the schema model against a real PostgreSQL: the rich
//! fixture (`tests/fixtures/schema_rich`, 23 revisions with a merge) is applied with `retort
//! upgrade`, the live catalog is read from `pg_catalog`, and it is compared, object by object
//! and column by column, with what `retort schema --format json` says for the same revision.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::{Project, database, psql};
use serde_json::Value;

/// The fixture's revisions, in file order.
fn fixture_files() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema_rich");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("the fixture directory")
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// A project whose `migrations/` is the rich fixture.
fn rich_project() -> Project {
    let p = Project::new();
    for (name, text) in fixture_files() {
        p.file(&format!("migrations/{name}"), &text);
    }
    p
}

/// What to compare: everything, or only what the DDL that `retort schema` prints creates
/// (views whose query the model kept; no indexes on materialized views).
#[derive(Clone, Copy, PartialEq)]
enum Scope {
    Everything,
    Ddl,
}

/// One line per fact: `column users.email #2 character varying(255) not null`, …
type Facts = BTreeSet<String>;

fn flags(not_null: bool, default: bool, identity: &str, generated: bool) -> String {
    let mut s = String::new();
    if not_null {
        s.push_str(" not null");
    }
    if default {
        s.push_str(" default");
    }
    if !identity.is_empty() {
        s.push_str(" identity ");
        s.push_str(identity);
    }
    if generated {
        s.push_str(" generated");
    }
    s
}

/// ` collate "C"`, or nothing for the type's default collation.
fn collate(c: Option<&str>) -> String {
    c.map(|c| format!(" collate {c}")).unwrap_or_default()
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|x| x.as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The facts `retort schema --format json` states, leaving out what it says is unknown.
fn model_facts(doc: &Value, scope: Scope) -> Facts {
    let mut f = Facts::new();
    let tables = doc["tables"].as_array().unwrap();
    let pk_of = |table: &str| -> Vec<String> {
        tables
            .iter()
            .find(|t| t["name"] == table)
            .and_then(|t| {
                t["constraints"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|k| k["kind"] == "primary_key")
            })
            .map(|k| strs(&k["columns"]))
            .unwrap_or_default()
    };
    for t in tables {
        let name = t["name"].as_str().unwrap();
        f.insert(format!("table {name}"));
        if t["columns_known"] == true {
            let mut n = 0;
            for c in t["columns"].as_array().unwrap() {
                let generated = c["generated"] == true;
                n += 1;
                f.insert(format!(
                    "column {name}.{} #{n} {}{}{}",
                    c["name"].as_str().unwrap(),
                    c["type"].as_str().unwrap(),
                    flags(
                        c["not_null"] == true,
                        c["default"] == true,
                        c["identity"].as_str().unwrap_or_default(),
                        generated,
                    ),
                    collate(c["collation"].as_str()),
                ));
            }
        }
        if t["constraints_known"] == true {
            for k in t["constraints"].as_array().unwrap() {
                let mut cols = strs(&k["columns"]);
                let line = match k["kind"].as_str().unwrap() {
                    "primary_key" => format!("p ({})", cols.join(", ")),
                    "unique" => format!("u ({})", cols.join(", ")),
                    "check" => {
                        cols.sort();
                        format!("c ({})", cols.join(", "))
                    }
                    "foreign_key" => {
                        let rt = k["references"]["table"].as_str().unwrap();
                        let mut rc = strs(&k["references"]["columns"]);
                        if rc.is_empty() {
                            rc = pk_of(rt);
                        }
                        format!("f ({}) -> {rt} ({})", cols.join(", "), rc.join(", "))
                    }
                    other => format!("{other} ({})", cols.join(", ")),
                };
                f.insert(format!(
                    "constraint {name}.{} {line}",
                    k["name"].as_str().unwrap()
                ));
            }
        }
    }
    for i in doc["indexes"].as_array().unwrap() {
        let on_table = tables.iter().any(|t| t["name"] == i["table"]);
        if !on_table && scope == Scope::Ddl {
            continue;
        }
        let cols = if i["columns"].is_null() {
            "(expressions or a predicate)".to_owned()
        } else {
            format!("({})", strs(&i["columns"]).join(", "))
        };
        f.insert(format!(
            "index {} on {}{}{} {cols}",
            i["name"].as_str().unwrap(),
            i["table"].as_str().unwrap(),
            if i["unique"] == true { " unique" } else { "" },
            if i["constraint"] == true {
                " (constraint)"
            } else {
                ""
            },
        ));
    }
    for s in doc["sequences"].as_array().unwrap() {
        let o = &s["options"];
        f.insert(format!(
            "sequence_options {} {} increment {} min {} max {} start {} cache {} cycle {}",
            s["name"].as_str().unwrap(),
            o["type"].as_str().unwrap_or("not known"),
            o["increment"],
            o["min"],
            o["max"],
            o["start"],
            o["cache"],
            o["cycle"]
        ));
        let owner = &s["owned_by"];
        f.insert(if owner.is_null() {
            format!("sequence {}", s["name"].as_str().unwrap())
        } else {
            format!(
                "sequence {} owned by {}.{}",
                s["name"].as_str().unwrap(),
                owner["table"].as_str().unwrap(),
                owner["column"].as_str().unwrap()
            )
        });
    }
    for t in doc["types"].as_array().unwrap() {
        if t["kind"] == "enum" {
            f.insert(format!(
                "enum {} ({})",
                t["name"].as_str().unwrap(),
                strs(&t["values"]).join(", ")
            ));
        }
    }
    for v in doc["views"].as_array().unwrap() {
        let m = if v["materialized"] == true {
            "materialized "
        } else {
            ""
        };
        if scope == Scope::Everything || !v["sql"].is_null() {
            f.insert(format!("{m}view {}", v["name"].as_str().unwrap()));
        }
    }
    {
        for func in doc["functions"].as_array().unwrap() {
            for sig in strs(&func["signatures"]) {
                f.insert(format!(
                    "function {}({sig})",
                    func["name"].as_str().unwrap()
                ));
            }
        }
        for t in doc["triggers"].as_array().unwrap() {
            f.insert(format!(
                "trigger {}.{} -> {}",
                t["table"].as_str().unwrap(),
                t["name"].as_str().unwrap(),
                t["function"].as_str().unwrap_or("?")
            ));
        }
    }
    for s in strs(&doc["schemas"]) {
        f.insert(format!("schema {s}"));
    }
    f
}

/// `name` or `schema.name` as `retort schema` writes it, from a namespace and a name column.
fn qualified(ns: &str, name: &str) -> String {
    format!(
        "CASE WHEN {ns} = 'public' THEN quote_ident({name}) \
         ELSE quote_ident({ns}) || '.' || quote_ident({name}) END"
    )
}

/// User relations: not the system's, not the version table's or those the runtime keeps
/// beside it (its head cache's table, whose function and trigger are left out too).
const USER_RELATIONS: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema') \
    AND n.nspname NOT LIKE 'pg\\_%' AND c.relname NOT LIKE 'retort\\_migrations%'";

/// The same facts, read from PostgreSQL's catalog.
fn live_facts(client: &mut postgres::Client, scope: Scope) -> Facts {
    let mut f = Facts::new();
    let rel = qualified("n.nspname", "c.relname");
    let q = |client: &mut postgres::Client, sql: &str| {
        client
            .query(sql, &[])
            .unwrap_or_else(|e| panic!("{e}: {sql}"))
    };
    for r in q(
        client,
        &format!(
            "SELECT {rel}, c.relkind::text FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'p', 'v', 'm') AND {USER_RELATIONS}"
        ),
    ) {
        let (name, kind): (String, String) = (r.get(0), r.get(1));
        match kind.as_str() {
            "r" | "p" => f.insert(format!("table {name}")),
            "m" => f.insert(format!("materialized view {name}")),
            _ => f.insert(format!("view {name}")),
        };
    }
    for r in q(
        client,
        &format!(
            "SELECT {rel}, a.attname::text, \
                    row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum), \
                    format_type(a.atttypid, a.atttypmod), a.attnotnull, \
                    a.atthasdef AND a.attgenerated = '', \
                    CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by default' \
                    ELSE '' END, \
                    a.attgenerated <> '', \
                    CASE WHEN a.attcollation = t.typcollation THEN NULL \
                         WHEN cn.nspname IN ('pg_catalog', 'public') THEN quote_ident(co.collname) \
                         ELSE quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END \
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             JOIN pg_type t ON t.oid = a.atttypid \
             LEFT JOIN pg_collation co ON co.oid = a.attcollation \
             LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace \
             WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped \
               AND {USER_RELATIONS}"
        ),
    ) {
        let n: i64 = r.get(2);
        f.insert(format!(
            "column {}.{} #{n} {}{}{}",
            r.get::<_, String>(0),
            r.get::<_, String>(1),
            r.get::<_, String>(3),
            flags(r.get(4), r.get(5), r.get::<_, &str>(6), r.get(7)),
            collate(r.get::<_, Option<&str>>(8)),
        ));
    }
    for r in q(
        client,
        &format!(
            "SELECT {rel}, format_type(s.seqtypid, NULL), s.seqincrement, s.seqmin, s.seqmax, \
                    s.seqstart, s.seqcache, s.seqcycle \
             FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {USER_RELATIONS}"
        ),
    ) {
        f.insert(format!(
            "sequence_options {} {} increment {} min {} max {} start {} cache {} cycle {}",
            r.get::<_, String>(0),
            r.get::<_, String>(1),
            r.get::<_, i64>(2),
            r.get::<_, i64>(3),
            r.get::<_, i64>(4),
            r.get::<_, i64>(5),
            r.get::<_, i64>(6),
            r.get::<_, bool>(7),
        ));
    }
    let cols = |rel: &str, keys: &str| {
        format!(
            "ARRAY(SELECT a.attname::text FROM unnest({keys}) WITH ORDINALITY k(num, ord) \
             JOIN pg_attribute a ON a.attrelid = {rel} AND a.attnum = k.num ORDER BY k.ord)"
        )
    };
    for r in q(
        client,
        &format!(
            "SELECT {rel}, con.conname::text, con.contype::text, {}, \
                    {}, {} \
             FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             LEFT JOIN pg_class fc ON fc.oid = con.confrelid \
             LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace \
             WHERE con.contype IN ('p', 'u', 'c', 'f', 'x') AND {USER_RELATIONS}",
            cols("con.conrelid", "con.conkey"),
            qualified("fn.nspname", "fc.relname"),
            cols("con.confrelid", "con.confkey"),
        ),
    ) {
        let (table, name, kind): (String, String, String) = (r.get(0), r.get(1), r.get(2));
        let mut columns: Vec<String> = r.get(3);
        let line = match kind.as_str() {
            "c" => {
                columns.sort();
                format!("c ({})", columns.join(", "))
            }
            "f" => format!(
                "f ({}) -> {} ({})",
                columns.join(", "),
                r.get::<_, String>(4),
                r.get::<_, Vec<String>>(5).join(", ")
            ),
            "x" => format!("other ({})", columns.join(", ")),
            k => format!("{k} ({})", columns.join(", ")),
        };
        f.insert(format!("constraint {table}.{name} {line}"));
    }
    for r in q(
        client,
        &format!(
            "SELECT {}, {rel}, i.indisunique, \
                    i.indpred IS NOT NULL OR 0 = ANY (i.indkey::int2[]), {}, \
                    EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid \
                            AND k.contype IN ('p', 'u', 'x')) \
             FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             JOIN pg_class ic ON ic.oid = i.indexrelid \
             WHERE ({everything} OR c.relkind IN ('r', 'p')) AND {USER_RELATIONS}",
            qualified("n.nspname", "ic.relname"),
            cols("i.indrelid", "i.indkey::int2[]"),
            everything = scope == Scope::Everything,
        ),
    ) {
        let expr: bool = r.get(3);
        let cols = if expr {
            "(expressions or a predicate)".to_owned()
        } else {
            format!("({})", r.get::<_, Vec<String>>(4).join(", "))
        };
        f.insert(format!(
            "index {} on {}{}{} {cols}",
            r.get::<_, String>(0),
            r.get::<_, String>(1),
            if r.get(2) { " unique" } else { "" },
            if r.get(5) { " (constraint)" } else { "" },
        ));
    }
    for r in q(
        client,
        &format!(
            "SELECT {rel}, (SELECT {} || '.' || quote_ident(a.attname) \
                    FROM pg_depend d JOIN pg_class oc ON oc.oid = d.refobjid \
                    JOIN pg_namespace onn ON onn.oid = oc.relnamespace \
                    JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid \
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid \
                      AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')) \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind = 'S' AND {USER_RELATIONS}",
            qualified("onn.nspname", "oc.relname"),
        ),
    ) {
        let owner: Option<String> = r.get(1);
        f.insert(match owner {
            Some(o) => format!("sequence {} owned by {o}", r.get::<_, String>(0)),
            None => format!("sequence {}", r.get::<_, String>(0)),
        });
    }
    for r in q(
        client,
        &format!(
            "SELECT {}, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) \
             FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid \
             JOIN pg_namespace n ON n.oid = t.typnamespace GROUP BY 1",
            qualified("n.nspname", "t.typname"),
        ),
    ) {
        f.insert(format!(
            "enum {} ({})",
            r.get::<_, String>(0),
            r.get::<_, Vec<String>>(1).join(", ")
        ));
    }
    {
        let func = qualified("n.nspname", "p.proname");
        for r in q(
            client,
            &format!(
                "SELECT {func} || '(' || replace(oidvectortypes(p.proargtypes), ', ', ',') \
                 || ')' FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
                 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') \
                 AND p.proname <> 'retort_migrations_head'"
            ),
        ) {
            f.insert(format!("function {}", r.get::<_, String>(0)));
        }
        for r in q(
            client,
            &format!(
                "SELECT {rel} || '.' || t.tgname || ' -> ' || {func} FROM pg_trigger t \
                 JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
                 JOIN pg_proc p ON p.oid = t.tgfoid \
                 JOIN pg_namespace pn ON pn.oid = p.pronamespace \
                 WHERE NOT t.tgisinternal AND {USER_RELATIONS}",
                func = qualified("pn.nspname", "p.proname"),
            ),
        ) {
            f.insert(format!("trigger {}", r.get::<_, String>(0)));
        }
    }
    for r in q(
        client,
        "SELECT nspname::text FROM pg_namespace WHERE nspname NOT IN ('public', \
         'information_schema') AND nspname NOT LIKE 'pg\\_%'",
    ) {
        f.insert(format!("schema {}", r.get::<_, String>(0)));
    }
    f
}

/// How PostgreSQL prints every default, generated expression, constraint and index: the
/// same in two databases when their definitions are the same.
fn live_definitions(client: &mut postgres::Client) -> Facts {
    let rel = qualified("n.nspname", "c.relname");
    let mut f = Facts::new();
    for sql in [
        format!(
            "SELECT 'default ' || {rel} || '.' || a.attname || ' ' || pg_get_expr(d.adbin, d.adrelid) \
             FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum \
             JOIN pg_class c ON c.oid = d.adrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE {USER_RELATIONS}"
        ),
        format!(
            "SELECT 'constraint ' || {rel} || '.' || con.conname || ' ' || pg_get_constraintdef(con.oid) \
             FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {USER_RELATIONS}"
        ),
        format!(
            "SELECT 'view ' || {rel} || ' ' || pg_get_viewdef(c.oid) FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('v', 'm') AND {USER_RELATIONS}"
        ),
        format!(
            "SELECT 'index ' || pg_get_indexdef(i.indexrelid) FROM pg_index i \
             JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind IN ('r', 'p') AND {USER_RELATIONS}"
        ),
        "SELECT 'function ' || p.proname || ' ' || pg_get_functiondef(p.oid) FROM pg_proc p \
         JOIN pg_namespace n ON n.oid = p.pronamespace \
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND p.prokind <> 'a' \
         AND p.proname <> 'retort_migrations_head'"
            .to_owned(),
        format!(
            "SELECT 'trigger ' || {rel} || '.' || t.tgname || ' ' || pg_get_triggerdef(t.oid) \
             FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE NOT t.tgisinternal AND {USER_RELATIONS}"
        ),
    ] {
        for r in client.query(&sql, &[]).unwrap() {
            f.insert(r.get(0));
        }
    }
    f
}

/// A readable diff of two fact sets, grouped by the object they are about; empty when they
/// agree.
fn diff(model: &Facts, live: &Facts) -> String {
    let mut by_object: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let object = |fact: &str| -> String {
        let mut words = fact.split(' ');
        let kind = words.next().unwrap_or_default();
        let name = words.next().unwrap_or_default();
        let table = name.rsplit_once('.').map_or(name, |(t, _)| t);
        match kind {
            "column" | "constraint" => format!("table {table}"),
            _ => format!("{kind} {name}"),
        }
    };
    for f in model.difference(live) {
        by_object
            .entry(object(f))
            .or_default()
            .push(format!("  model only:      {f}"));
    }
    for f in live.difference(model) {
        by_object
            .entry(object(f))
            .or_default()
            .push(format!("  PostgreSQL only: {f}"));
    }
    let mut out = String::new();
    for (obj, lines) in by_object {
        out.push_str(&format!("{obj}:\n"));
        for l in lines {
            out.push_str(&l);
            out.push('\n');
        }
    }
    out
}

/// `retort schema REV --format json`.
fn model_json(p: &Project, rev: &str) -> Value {
    let run = p.retort(&["schema", rev, "--format", "json"]).ok();
    serde_json::from_str(&run.stdout).expect("one JSON document")
}

#[test]
fn the_fixture_is_clean_and_fully_known() {
    let p = rich_project();
    let run = p.retort(&["check"]).ok();
    assert!(
        run.stderr
            .contains("checked 23 migrations in migrations: ok"),
        "{run:#?}"
    );
    // The model's own diagnostics (missing objects, merges, reversibility): none. The lints
    // (this fixture alters tables it created earlier) are not the model's verdicts.
    let report = retort_core::check::check_dir(
        &p.path("migrations"),
        "migrations",
        &retort_core::check::Options {
            lints: retort_core::lint::LintSettings::off(),
            ..retort_core::check::Options::default()
        },
    );
    let schema = &report.schema;
    let messages: Vec<String> = schema
        .diagnostics
        .iter()
        .map(|d| d.render(&report.sources))
        .collect();
    assert!(messages.is_empty(), "{}", messages.join("\n"));
    assert_eq!(schema.stats.revisions, 23);
    for (name, _) in fixture_files() {
        let rev = &name[..2];
        let doc = model_json(&p, rev);
        assert_eq!(doc["complete"], true, "{rev}: {:#}", doc["unknown"]);
        assert_eq!(doc["revision"], rev);
    }
}

#[test]
fn the_model_matches_postgres_at_every_stop_of_an_upgrade() {
    let db = database();
    let p = rich_project();
    let mut client = db.connect();
    let mut compared = 0;
    // A stop on branch a alone (11), the merge (13), and the head.
    for rev in [
        "01", "03", "05", "07", "09", "11", "13", "15", "17", "18", "19", "20", "21", "22", "23",
    ] {
        p.db(db.url(), &["upgrade", rev]).ok();
        let model = model_facts(&model_json(&p, rev), Scope::Everything);
        let live = live_facts(&mut client, Scope::Everything);
        let d = diff(&model, &live);
        assert!(
            d.is_empty(),
            "at revision {rev} the model and PostgreSQL differ:\n{d}"
        );
        // The catalog reader of `retort diff` agrees: the database is the model at `rev`.
        let run = p.retort(&["diff", "--from", db.url(), "--to", rev]).ok();
        assert!(
            run.stdout.trim_end().ends_with("-- no changes")
                && run.stdout.lines().all(|l| l.starts_with("--")),
            "at revision {rev}: {run:#?}"
        );
        compared += model.len();
    }
    // The facts compared are many, not a handful.
    assert!(compared > 900, "{compared}");
}

#[test]
fn the_printed_ddl_builds_the_same_schema() {
    let p = rich_project();
    let migrated = database();
    p.db(migrated.url(), &["upgrade", "head"]).ok();
    let ddl = p.retort(&["schema"]).ok().stdout;
    let fresh = database();
    psql(&fresh, &ddl);
    let model = model_facts(&model_json(&p, "head"), Scope::Ddl);
    let built = live_facts(&mut fresh.connect(), Scope::Ddl);
    let d = diff(&model, &built);
    assert!(
        d.is_empty(),
        "the printed DDL builds another schema:\n{d}\n{ddl}"
    );
    // And the same as the migrations built, down to how PostgreSQL prints each default,
    // generated expression, constraint, index and view, but for the views the DDL leaves
    // out (a rename made their query as written stale).
    let doc = model_json(&p, "head");
    let left_out: Vec<String> = doc["views"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["sql"].is_null())
        .map(|v| format!("view {} ", v["name"].as_str().unwrap()))
        .collect();
    assert_eq!(left_out, ["view active_users "], "{doc:#}");
    let printed = |facts: Facts| -> Facts {
        facts
            .into_iter()
            .filter(|f| !left_out.iter().any(|v| format!("{f} ").starts_with(v)))
            .collect()
    };
    let migrated_facts = printed(live_facts(&mut migrated.connect(), Scope::Ddl));
    let d = diff(&migrated_facts, &built);
    assert!(d.is_empty(), "DDL and migrations differ:\n{d}\n{ddl}");
    let (from_migrations, from_ddl) = (
        printed(live_definitions(&mut migrated.connect())),
        live_definitions(&mut fresh.connect()),
    );
    assert!(
        from_ddl
            .iter()
            .any(|f| f.starts_with("view article_counts ")),
        "{from_ddl:#?}"
    );
    assert!(from_migrations.len() > 40, "{from_migrations:#?}");
    let d = diff(&from_migrations, &from_ddl);
    assert!(d.is_empty(), "definitions differ:\n{d}\n{ddl}");
}

#[test]
fn schema_names_one_revision() {
    let p = rich_project();
    // Prefixes, steps, the merge's parents.
    let out = p.retort(&["schema", "13-1"]).code(1);
    assert!(
        out.stderr
            .contains("`13-1` is ambiguous: `13` has 2 parents, `11` and `12`"),
        "{out:#?}"
    );
    let at_11 = p.retort(&["schema", "10+1"]).code(1);
    assert!(at_11.stderr.contains("`10` has 2 children"), "{at_11:#?}");
    let text = p.retort(&["schema", "12-2"]).ok().stdout;
    assert!(text.starts_with("-- The schema at revision 09 "), "{text}");
    assert!(text.contains("CREATE TYPE mood AS ENUM ('happy', 'neutral', 'unhappy');"));
    assert!(!text.contains("invoices"), "{text}");
    for (args, code, says) in [
        (
            &["schema", "base"][..],
            1,
            "`base` is before the first revision",
        ),
        (
            &["schema", "+1"][..],
            2,
            "counts from the database's current revision",
        ),
        (&["schema", "99"][..], 1, "99"),
        (&["schema", "a b"][..], 2, "is not a target"),
    ] {
        let run = p.retort(args).code(code);
        assert!(run.stderr.contains(says), "{args:?}: {run:#?}");
    }
    // Two heads: an error listing them.
    p.file(
        "migrations/90_other.sql",
        "-- revision: 90\n-- down_revision: 22\n-- message: Another head\n\n\
         -- migrate:up\nCREATE TABLE other (id int);\n\n-- migrate:down\nDROP TABLE other;\n",
    );
    for rev in [None, Some("head"), Some("heads")] {
        let mut args = vec!["schema"];
        args.extend(rev);
        let run = p.retort(&args).code(1);
        assert!(run.stderr.contains("2 heads, `23` and `90`"), "{run:#?}");
        assert!(
            run.stderr.contains("help: name one, as `retort schema 23`"),
            "{run:#?}"
        );
    }
    let text = p.retort(&["schema", "90"]).ok().stdout;
    assert!(text.contains("CREATE TABLE other ("), "{text}");
    // Broken migrations: their errors, exit 1, nothing on standard output.
    p.file("migrations/91_broken.sql", "-- revision: 91\n");
    let run = p.retort(&["schema", "90"]).code(1);
    assert!(run.stdout.is_empty(), "{run:#?}");
    assert!(run.stderr.contains("migrations/91_broken.sql"), "{run:#?}");
}

#[test]
fn unknown_parts_are_shown_not_guessed() {
    let p = Project::new();
    p.migration(
        "1",
        "none",
        "CREATE SEQUENCE s;\n\
         CREATE TABLE t (id int PRIMARY KEY DEFAULT nextval('s'), v text DEFAULT 'x');\n\
         CREATE FUNCTION f(x t.v%TYPE) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT x';\n\
         ALTER SEQUENCE s RENAME TO s2;\n\
         CREATE TABLE copy AS SELECT * FROM t;\n\
         CREATE INDEX t_v ON t (f(v)) WHERE v <> '';",
        "DROP TABLE copy;\nDROP TABLE t;\nDROP FUNCTION f(text);\nDROP SEQUENCE s2;",
    );
    let text = p.retort(&["schema"]).ok().stdout;
    for line in [
        "-- unknown: some columns of table `copy` (after migrations/1_m.sql:10)",
        "    id integer NOT NULL,  -- has a default: its expression is not kept",
        "    v text DEFAULT 'x',",
        "-- CREATE INDEX t_v ON t …: `(f(v)) WHERE v <> ''` calls function `f`, \
         whose definition is not kept; it uses (v)",
        "-- FUNCTION f(t.v%type): its definition is not kept (created at migrations/1_m.sql:8)",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
    let doc = model_json(&p, "head");
    assert_eq!(doc["complete"], false);
    assert_eq!(
        doc["unknown"][0]["what"], "some columns of table `copy`",
        "{doc:#}"
    );
}

/// Migrations that write sequence options, identity options and collations in every form
/// the model reads, PostgreSQL's defaults written out or left to it.
fn options_project() -> Project {
    let p = Project::new();
    p.migration(
        "1",
        "none",
        "CREATE SEQUENCE s_plain INCREMENT BY 1 NO MINVALUE MAXVALUE 9223372036854775807 \
         START WITH 1 CACHE 1 NO CYCLE;\n\
         CREATE SEQUENCE s_int AS integer;\n\
         CREATE SEQUENCE s_small AS smallint;\n\
         CREATE SEQUENCE s_down INCREMENT -1;\n\
         CREATE SEQUENCE s_down_small AS smallint INCREMENT BY -2 CACHE 3;\n\
         CREATE SEQUENCE s_bounds START 5 MINVALUE 5 MAXVALUE 500 CYCLE;\n\
         CREATE SEQUENCE s_alter START 5 MINVALUE 5 CACHE 10 CYCLE;\n\
         ALTER SEQUENCE s_alter INCREMENT BY 3 RESTART WITH 100 AS integer;\n\
         CREATE SEQUENCE s_custom_max AS integer MAXVALUE 1000;\n\
         ALTER SEQUENCE s_custom_max AS bigint;\n\
         CREATE SEQUENCE s_flip;\n\
         ALTER SEQUENCE s_flip INCREMENT BY -1 NO MINVALUE NO MAXVALUE START WITH -1 RESTART;\n\
         CREATE SEQUENCE s_min MINVALUE -9223372036854775808 START 1;\n\
         CREATE TABLE t (\n\
             id serial PRIMARY KEY,\n\
             big bigserial,\n\
             small smallserial,\n\
             a int GENERATED ALWAYS AS IDENTITY (START WITH 10 INCREMENT BY 5),\n\
             b smallint GENERATED BY DEFAULT AS IDENTITY (MAXVALUE 100 CACHE 4),\n\
             c bigint GENERATED BY DEFAULT AS IDENTITY (MINVALUE 1 NO CYCLE),\n\
             d int NOT NULL,\n\
             e int GENERATED ALWAYS AS IDENTITY (INCREMENT BY -10),\n\
             name text COLLATE \"C\" NOT NULL,\n\
             code varchar(10) COLLATE pg_catalog.\"POSIX\",\n\
             plain text COLLATE \"default\",\n\
             retyped text COLLATE \"C\",\n\
             later text\n\
         );\n\
         ALTER SEQUENCE t_id_seq INCREMENT BY 2;\n\
         ALTER TABLE t ALTER COLUMN a SET INCREMENT BY 7 SET CYCLE RESTART;\n\
         ALTER TABLE t ALTER COLUMN a TYPE bigint;\n\
         ALTER TABLE t ALTER COLUMN small TYPE integer;\n\
         ALTER TABLE t ALTER COLUMN c SET MAXVALUE 1000;\n\
         ALTER TABLE t ALTER COLUMN d ADD GENERATED ALWAYS AS IDENTITY (START 3);\n\
         ALTER TABLE t ALTER COLUMN retyped TYPE varchar(20);\n\
         ALTER TABLE t ALTER COLUMN later TYPE text COLLATE \"POSIX\";\n\
         ALTER TABLE t ADD COLUMN added text COLLATE \"C\" DEFAULT 'x';\n\
         ALTER TABLE t ALTER COLUMN id DROP IDENTITY IF EXISTS;\n\
         ALTER TABLE t ALTER COLUMN e DROP IDENTITY;",
        "DROP TABLE t;\nDROP SEQUENCE s_min, s_flip, s_custom_max, s_alter, s_bounds, \
         s_down_small, s_down, s_small, s_int, s_plain;",
    );
    p
}

#[test]
fn sequence_options_and_collations_match_postgres_and_drift_is_found() {
    let p = options_project();
    let db = database();
    p.db(db.url(), &["upgrade"]).ok();
    // What the model says is what pg_sequence and pg_attribute say.
    let doc = model_json(&p, "head");
    assert_eq!(doc["complete"], true, "{doc:#}");
    let model = model_facts(&doc, Scope::Everything);
    let live = live_facts(&mut db.connect(), Scope::Everything);
    let d = diff(&model, &live);
    assert!(d.is_empty(), "the model and PostgreSQL differ:\n{d}");
    let options = model
        .iter()
        .filter(|f| f.starts_with("sequence_options "))
        .count();
    assert_eq!(options, 17, "{model:#?}");
    assert_eq!(
        model.iter().filter(|f| f.contains(" collate ")).count(),
        4,
        "{model:#?}"
    );
    // The catalog reader agrees: the database is the model at its head.
    let run = p.retort(&["diff", "--from", db.url(), "--to", "head"]).ok();
    assert!(
        run.stdout.trim_end().ends_with("-- no changes")
            && run.stdout.lines().all(|l| l.starts_with("--")),
        "{run:#?}"
    );
    // The printed DDL builds the same options and collations.
    let ddl = p.retort(&["schema"]).ok().stdout;
    let fresh = database();
    psql(&fresh, &ddl);
    let built = live_facts(&mut fresh.connect(), Scope::Everything);
    let d = diff(&live, &built);
    assert!(
        d.is_empty(),
        "the printed DDL builds another schema:\n{d}\n{ddl}"
    );
    // A hand change of each kind is drift, with the SQL that undoes it.
    for (change, says, undo) in [
        (
            "ALTER SEQUENCE s_int INCREMENT BY 5;",
            "sequence `s_int` has options the migrations do not give it",
            "ALTER SEQUENCE s_int INCREMENT BY 1;",
        ),
        (
            "ALTER TABLE t ALTER COLUMN name TYPE text COLLATE \"POSIX\";",
            "column `t.name` has collation \"POSIX\", the migrations \"C\"",
            "ALTER TABLE t ALTER COLUMN name TYPE text COLLATE \"C\";",
        ),
        (
            "ALTER TABLE t ALTER COLUMN b SET CACHE 1;",
            "sequence `t_b_seq` has options the migrations do not give it",
            "ALTER SEQUENCE t_b_seq CACHE 4;",
        ),
    ] {
        psql(&db, change);
        let run = p.db(db.url(), &["check", "--format", "json"]);
        let doc: Value = serde_json::from_str(&run.stdout).expect("one JSON document");
        assert_eq!(run.code, 3, "{change}: {doc:#}");
        let drift = doc["drift"].as_array().expect("a drift list");
        assert_eq!(drift.len(), 1, "{change}: {doc:#}");
        let what = drift[0]["what"].as_str().unwrap_or_default();
        assert!(what.starts_with(says), "{change}: {what}");
        let sql = drift[0]["sql"].as_str().unwrap_or_default();
        assert_eq!(sql, undo, "{change}");
        psql(&db, sql);
        p.db(db.url(), &["check"]).ok();
    }
}
