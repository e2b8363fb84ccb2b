use super::catalog::{ConstraintKind, QName, RelKind, TypeDef};
use super::*;
use crate::check::{Input, Options, Report, check_texts};

/// A migration: revision, parents, up, down (`None`: irreversible).
type M<'a> = (&'a str, &'a str, &'a str, Option<&'a str>);

fn input((rev, parent, up, down): M<'_>, extra_header: &str) -> Input {
    let mut text = format!(
        "-- revision: {rev}\n-- down_revision: {parent}\n{extra_header}\n-- migrate:up\n{up}\n"
    );
    match down {
        Some(d) => text.push_str(&format!("\n-- migrate:down\n{d}\n")),
        None => {
            text = text.replacen(
                "\n\n-- migrate:up",
                "\n-- irreversible: test\n\n-- migrate:up",
                1,
            )
        }
    }
    Input {
        name: format!("{rev}_m.sql"),
        text,
    }
}

fn run(ms: &[M<'_>]) -> (Report, SchemaReport) {
    let inputs: Vec<Input> = ms.iter().map(|m| input(*m, "")).collect();
    let report = check_texts(&inputs, "migrations", &Options::default());
    let schema = analyze(&report.sources, &report.files, &report.graph);
    (report, schema)
}

/// The messages of the schema diagnostics, each with `file:line`.
fn messages(ms: &[M<'_>]) -> Vec<String> {
    let (report, schema) = run(ms);
    schema
        .diagnostics
        .iter()
        .map(|d| {
            let loc = d.location(&report.sources).unwrap_or_default();
            let loc = loc
                .rsplit_once(':')
                .map_or(loc.clone(), |(l, _)| l.to_owned());
            format!("{} @ {loc}", d.message)
        })
        .collect()
}

/// The catalog after the last revision listed.
fn head(ms: &[M<'_>]) -> Catalog {
    let (report, schema) = run(ms);
    let last = ms.last().expect("one").0;
    let i = report
        .files
        .iter()
        .position(|f| {
            f.revision
                .as_ref()
                .is_some_and(|r| r.value.as_str() == last)
        })
        .expect("file");
    schema.catalogs[i].clone().expect("replayed")
}

fn one(up: &str) -> Catalog {
    head(&[("1", "none", up, None)])
}

fn q(name: &str) -> QName {
    catalog::qname(name).expect("name")
}

fn ok(ms: &[M<'_>]) {
    let m = messages(ms);
    assert!(m.is_empty(), "{m:#?}");
}

// ---- replay, statement by statement ----

#[test]
fn create_table_records_columns_and_constraints() {
    let c = one(
        "CREATE TABLE \"Users\" (id serial PRIMARY KEY, Email varchar(255) NOT NULL UNIQUE, \
         age int DEFAULT 0 CHECK (age >= 0), n bigint GENERATED ALWAYS AS IDENTITY);",
    );
    let t = c
        .table(&QName::new("public", "Users"))
        .expect("quoted name kept");
    assert!(t.columns_known && t.constraints_known);
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["id", "email", "age", "n"]);
    let id = t.column("id").unwrap();
    assert!(id.not_null && id.default && id.ty == "integer");
    assert_eq!(t.column("email").unwrap().ty, "character varying(255)");
    assert!(t.column("n").unwrap().identity);
    assert_eq!(t.primary_key(), Some(&["id".to_owned()][..]));
    assert!(t.constraint("Users_email_key").is_some());
    assert!(t.constraint("Users_age_check").is_some());
    // The constraint indexes and the serial's sequence are relations.
    assert!(
        c.relations
            .contains_key(&QName::new("public", "Users_pkey"))
    );
    assert!(matches!(
        c.relations
            .get(&QName::new("public", "Users_id_seq"))
            .map(|r| &r.value),
        Some(RelKind::Sequence { .. })
    ));
}

#[test]
fn alter_table_actions_change_the_table() {
    let c = one("CREATE TABLE t (a int, b text, c int);
         ALTER TABLE t ADD COLUMN d int NOT NULL DEFAULT 1, DROP COLUMN c;
         ALTER TABLE t RENAME COLUMN b TO bb;
         ALTER TABLE t ALTER COLUMN a TYPE bigint, ALTER COLUMN a SET NOT NULL;
         ALTER TABLE t ALTER COLUMN d DROP DEFAULT;
         ALTER TABLE t ADD CONSTRAINT t_a_uq UNIQUE (a);
         ALTER TABLE t ADD PRIMARY KEY (a);
         ALTER TABLE t DROP CONSTRAINT t_a_uq;
         ALTER TABLE t RENAME TO u;");
    assert!(c.table(&q("t")).is_none());
    let t = c.table(&q("u")).expect("renamed");
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["a", "bb", "d"]);
    let a = t.column("a").unwrap();
    assert_eq!((a.ty.as_str(), a.not_null), ("bigint", true));
    assert!(!t.column("d").unwrap().default);
    assert!(t.constraint("t_a_uq").is_none());
    assert!(
        t.constraint("t_pkey").is_some(),
        "generated names keep the old table name"
    );
    // The primary key's index follows the table.
    assert!(matches!(
        c.relations.get(&q("t_pkey")).map(|r| &r.value),
        Some(RelKind::Index { table, .. }) if *table == q("u")
    ));
}

#[test]
fn indexes_types_sequences_views_functions_triggers_extensions() {
    let c = one("CREATE EXTENSION IF NOT EXISTS pg_trgm;
         CREATE TYPE mood AS ENUM ('sad', 'ok');
         ALTER TYPE mood ADD VALUE 'happy';
         ALTER TYPE mood ADD VALUE 'meh' BEFORE 'ok';
         CREATE TABLE t (id int PRIMARY KEY, m mood);
         CREATE INDEX ON t (m);
         CREATE UNIQUE INDEX t_idx ON t (id, m);
         ALTER INDEX t_idx RENAME TO t_idx2;
         CREATE SEQUENCE s;
         CREATE VIEW v AS SELECT * FROM t;
         CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql;
         CREATE TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f();
         CREATE SCHEMA app;
         CREATE TABLE app.x (id int);");
    assert!(c.extensions.contains_key("pg_trgm"));
    assert_eq!(
        c.types.get(&q("mood")).map(|t| &t.value),
        Some(&TypeDef::Enum(vec![
            "sad".into(),
            "meh".into(),
            "ok".into(),
            "happy".into()
        ]))
    );
    assert!(c.relations.contains_key(&q("t_m_idx")));
    assert!(c.relations.contains_key(&q("t_idx2")) && !c.relations.contains_key(&q("t_idx")));
    assert!(c.relations.contains_key(&q("s")));
    assert!(matches!(
        c.relations.get(&q("v")).map(|r| &r.value),
        Some(RelKind::View { .. })
    ));
    assert!(c.functions.contains_key(&q("f")));
    assert!(c.triggers.contains_key(&(q("t"), "tr".to_owned())));
    assert!(c.table(&QName::new("app", "x")).is_some());
    assert!(!c.partly_unknown(), "{:?}", c.unknown);

    let c2 = head(&[
        (
            "1",
            "none",
            "CREATE TABLE t (id int PRIMARY KEY); CREATE INDEX i ON t (id); CREATE TYPE e AS ENUM ('a'); CREATE SEQUENCE s; CREATE VIEW v AS SELECT 1; CREATE EXTENSION x; CREATE FUNCTION f() RETURNS int AS 'select 1' LANGUAGE sql; CREATE TRIGGER tr AFTER INSERT ON t EXECUTE FUNCTION f();",
            None,
        ),
        (
            "2",
            "1",
            "DROP TRIGGER tr ON t; DROP INDEX i; DROP TYPE e; DROP SEQUENCE s; DROP VIEW v; DROP EXTENSION x; DROP FUNCTION f(); DROP TABLE t;",
            None,
        ),
    ]);
    assert!(
        c2.relations.is_empty(),
        "{:?}",
        c2.relations.keys().collect::<Vec<_>>()
    );
    assert!(c2.types.is_empty() && c2.extensions.is_empty() && c2.triggers.is_empty());
    assert!(c2.functions.is_empty());
}

#[test]
fn foreign_keys_are_recorded_and_follow_renames() {
    let c = one(
        "CREATE TABLE a (id int PRIMARY KEY);
         CREATE TABLE b (id int, a_id int REFERENCES a, CONSTRAINT fk2 FOREIGN KEY (id) REFERENCES a (id));
         ALTER TABLE a RENAME TO aa;",
    );
    let b = c.table(&q("b")).unwrap();
    let fk = b.constraint("b_a_id_fkey").expect("generated name");
    assert_eq!(
        fk.kind,
        ConstraintKind::ForeignKey {
            table: q("aa"),
            columns: vec![]
        }
    );
    assert!(b.constraint("fk2").is_some());
}

#[test]
fn data_statements_change_nothing_and_unknown_statements_mark_unknown() {
    let c = one("CREATE TABLE t (a int); INSERT INTO t VALUES (1); UPDATE t SET a = 2; SELECT 1;");
    assert!(!c.partly_unknown());
    let c = one("CREATE TABLE t (a int); DO $$ BEGIN EXECUTE 'DROP TABLE t'; END $$;");
    assert!(c.all_unknown());
    let c = one("CREATE TABLE t (a int); CREATE TABLE u (LIKE t);");
    assert!(!c.table(&q("u")).unwrap().columns_known);
    assert!(c.table(&q("t")).unwrap().columns_known);
}

// ---- semantic errors ----

#[test]
fn missing_objects_are_errors_with_where_they_were_dropped() {
    let m = messages(&[
        ("1", "none", "CREATE TABLE posts (id int);", None),
        ("2", "1", "DROP TABLE posts;", None),
        ("3", "2", "ALTER TABLE posts ADD COLUMN x int;", None),
    ]);
    assert_eq!(
        m,
        [
            "table `posts` does not exist: it was dropped in migrations/2_m.sql:6 @ migrations/3_m.sql:6"
        ]
    );
    let m = messages(&[(
        "1",
        "none",
        "CREATE TABLE t (a int);
ALTER TABLE t DROP COLUMN b;
ALTER TABLE t RENAME COLUMN c TO d;
CREATE INDEX i ON t (e);
DROP INDEX nope;
ALTER TABLE t DROP CONSTRAINT nope;
DROP TYPE nope;
ALTER TYPE nope ADD VALUE 'x';
DROP SEQUENCE nope;
DROP VIEW nope;
CREATE INDEX j ON nope (a);",
        None,
    )]);
    assert_eq!(
        m,
        [
            "column `b` of table `t` does not exist @ migrations/1_m.sql:7",
            "column `c` of table `t` does not exist @ migrations/1_m.sql:8",
            "column `e` of table `t` does not exist @ migrations/1_m.sql:9",
            "index `nope` does not exist @ migrations/1_m.sql:10",
            "constraint `nope` of table `t` does not exist @ migrations/1_m.sql:11",
            "type `nope` does not exist @ migrations/1_m.sql:12",
            "type `nope` does not exist @ migrations/1_m.sql:13",
            "sequence `nope` does not exist @ migrations/1_m.sql:14",
            "view `nope` does not exist @ migrations/1_m.sql:15",
            "table `nope` does not exist @ migrations/1_m.sql:16",
        ]
    );
}

#[test]
fn if_exists_and_if_not_exists_are_not_errors() {
    ok(&[(
        "1",
        "none",
        "DROP TABLE IF EXISTS t; CREATE TABLE t (a int); CREATE TABLE IF NOT EXISTS t (b int);
         ALTER TABLE t ADD COLUMN IF NOT EXISTS a int; ALTER TABLE t DROP COLUMN IF EXISTS z;
         CREATE INDEX IF NOT EXISTS i ON t (a); CREATE INDEX IF NOT EXISTS i ON t (a);
         DROP INDEX IF EXISTS nope; ALTER TABLE IF EXISTS nope ADD COLUMN x int;
         ALTER TABLE t DROP CONSTRAINT IF EXISTS nope; DROP TYPE IF EXISTS nope;",
        None,
    )]);
}

#[test]
fn creating_what_exists_is_an_error() {
    let m = messages(&[
        (
            "1",
            "none",
            "CREATE TABLE t (a int);\nCREATE INDEX i ON t (a);\nCREATE TYPE e AS ENUM ('x');",
            None,
        ),
        (
            "2",
            "1",
            "CREATE TABLE t (b int);\nALTER TABLE t ADD COLUMN a int;\nCREATE INDEX i ON t (a);\nCREATE TYPE e AS ENUM ('y');\nALTER TYPE e ADD VALUE 'x';",
            None,
        ),
    ]);
    assert_eq!(
        m,
        [
            "table `t` already exists: it was created in migrations/1_m.sql:6 @ migrations/2_m.sql:6",
            "column `a` of table `t` already exists @ migrations/2_m.sql:7",
            "index `i` already exists: it was created in migrations/1_m.sql:7 @ migrations/2_m.sql:8",
            "type `e` already exists: it was created in migrations/1_m.sql:8 @ migrations/2_m.sql:9",
            "enum type `e` already has the value 'x' @ migrations/2_m.sql:10",
        ]
    );
}

#[test]
fn foreign_keys_need_a_table_columns_and_a_unique_constraint() {
    let m = messages(&[(
        "1",
        "none",
        "CREATE TABLE a (id int PRIMARY KEY, code text, other text UNIQUE);
CREATE TABLE n (x int);
CREATE TABLE b (a_id int REFERENCES missing);
CREATE TABLE c (a_code text REFERENCES a (code));
CREATE TABLE d (a_x text REFERENCES a (nope));
CREATE TABLE e (x int REFERENCES n);
CREATE TABLE f (a_id int REFERENCES a, o text REFERENCES a (other));",
        None,
    )]);
    assert_eq!(
        m,
        [
            "table `missing` does not exist @ migrations/1_m.sql:8",
            "foreign key references `a` (code), which has no unique constraint on those columns @ migrations/1_m.sql:9",
            "foreign key references column `nope` of table `a`, which does not exist @ migrations/1_m.sql:10",
            "foreign key references table `n`, which has no primary key @ migrations/1_m.sql:11",
        ]
    );
}

#[test]
fn unknown_statements_silence_the_checks() {
    // After a DO block that runs DDL, nothing is known: no error about `t`.
    ok(&[
        (
            "1",
            "none",
            "DO $$ BEGIN EXECUTE 'CREATE TABLE t (a int)'; END $$;",
            Some(""),
        ),
        (
            "2",
            "1",
            "ALTER TABLE t ADD COLUMN b int; DROP INDEX nope;",
            None,
        ),
    ]);
    // `LIKE` leaves the columns unknown: no column error on that table, but on others.
    let m = messages(&[(
        "1",
        "none",
        "CREATE TABLE t (a int); CREATE TABLE u (LIKE t);
ALTER TABLE u DROP COLUMN a;
ALTER TABLE t DROP COLUMN zz;",
        None,
    )]);
    assert_eq!(
        m,
        ["column `zz` of table `t` does not exist @ migrations/1_m.sql:8"]
    );
    // A function whose body creates triggers, called: trigger names unknown.
    ok(&[(
        "1",
        "none",
        "CREATE TABLE t (a int);
         CREATE FUNCTION mk(x regclass) RETURNS void AS $$ BEGIN EXECUTE format('CREATE TRIGGER tr BEFORE UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION f()', x); END $$ LANGUAGE plpgsql;
         SELECT mk('t');
         DROP TRIGGER tr ON t;",
        None,
    )]);
    // A statement that does not parse makes everything after it unknown.
    ok(&[(
        "1",
        "none",
        "CREATE TABLE t (a int);\n-- retort:unchecked new syntax\nCREATE FANCY THING;\nDROP TABLE nope;",
        None,
    )]);
    // DROP … CASCADE: views may be gone, so they are unknown.
    ok(&[(
        "1",
        "none",
        "CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t; DROP TABLE t CASCADE; CREATE VIEW v AS SELECT 1;",
        None,
    )]);
}

#[test]
fn branches_that_change_one_object_differently_conflict() {
    let m = messages(&[
        (
            "1",
            "none",
            "CREATE TABLE t (a int);",
            Some("DROP TABLE t;"),
        ),
        (
            "2",
            "1",
            "ALTER TABLE t ADD COLUMN b int;",
            Some("ALTER TABLE t DROP COLUMN b;"),
        ),
        // The same column, of another type (different columns merge: see
        // `branches_that_change_different_columns_of_a_table_merge`).
        (
            "3",
            "1",
            "ALTER TABLE t ADD COLUMN b text;",
            Some("ALTER TABLE t DROP COLUMN b;"),
        ),
        ("4", "2, 3", "", Some("")),
    ]);
    assert_eq!(m.len(), 1, "{m:#?}");
    assert!(
        m[0].starts_with("the branches merged by `4` change table `t` in different ways"),
        "{m:#?}"
    );
    // Branches that touch different objects merge to the union.
    let c = head(&[
        (
            "1",
            "none",
            "CREATE TABLE t (a int);",
            Some("DROP TABLE t;"),
        ),
        ("2", "1", "CREATE TABLE u (a int);", Some("DROP TABLE u;")),
        ("3", "1", "CREATE TABLE v (a int);", Some("DROP TABLE v;")),
        (
            "4",
            "2, 3",
            "ALTER TABLE u ADD COLUMN b int; ALTER TABLE v ADD COLUMN b int;",
            Some("ALTER TABLE u DROP COLUMN b; ALTER TABLE v DROP COLUMN b;"),
        ),
    ]);
    assert!(c.table(&q("t")).is_some() && c.table(&q("u")).is_some() && c.table(&q("v")).is_some());
}

// ---- reversibility ----

#[test]
fn a_down_that_restores_the_schema_is_clean() {
    ok(&[
        (
            "1",
            "none",
            "CREATE TYPE mood AS ENUM ('a'); CREATE TABLE t (id serial PRIMARY KEY, m mood);
             CREATE INDEX t_m ON t (m);",
            Some("DROP TABLE t; DROP TYPE mood;"),
        ),
        (
            "2",
            "1",
            "ALTER TABLE t ADD COLUMN email text NOT NULL DEFAULT ''; CREATE UNIQUE INDEX idx_user_email ON t (email);
             ALTER TABLE t RENAME COLUMN m TO mm; ALTER TABLE t ALTER COLUMN id TYPE bigint;",
            Some("DROP INDEX idx_user_email; ALTER TABLE t DROP COLUMN email; ALTER TABLE t RENAME COLUMN mm TO m; ALTER TABLE t ALTER COLUMN id TYPE int4;"),
        ),
        (
            "3",
            "2",
            "CREATE EXTENSION IF NOT EXISTS citext;",
            Some(""),
        ),
    ]);
}

#[test]
fn a_down_that_leaves_or_misses_something_is_an_error() {
    let m = messages(&[
        (
            "1",
            "none",
            "CREATE TABLE users (id int PRIMARY KEY, email text);",
            Some("DROP TABLE users;"),
        ),
        (
            "2",
            "1",
            "CREATE INDEX idx_user_email ON users (email);\nCREATE TYPE mood AS ENUM ('x');\nALTER TABLE users DROP COLUMN email;",
            Some("SELECT 1;"),
        ),
    ]);
    assert_eq!(
        m,
        [
            "the down section of `2` does not restore column `email` of table `users` @ migrations/2_m.sql:9",
            "the down section of `2` does not drop type `mood` created by up (created in migrations/2_m.sql:6) @ migrations/2_m.sql:9",
        ]
    );
    let m = messages(&[
        (
            "1",
            "none",
            "CREATE TABLE users (id int PRIMARY KEY, email text);",
            Some("DROP TABLE users;"),
        ),
        (
            "2",
            "1",
            "CREATE INDEX idx_user_email ON users (email);",
            Some(""),
        ),
    ]);
    assert_eq!(
        m,
        [
            "the down section of `2` leaves index `idx_user_email` (created in migrations/2_m.sql:5) @ migrations/2_m.sql:7"
        ]
    );
}

#[test]
fn a_lossy_down_says_so_in_its_header() {
    let inputs = [
        input(
            (
                "1",
                "none",
                "CREATE TABLE t (a int, b int);",
                Some("DROP TABLE t;"),
            ),
            "",
        ),
        input(
            (
                "2",
                "1",
                "ALTER TABLE t DROP COLUMN b;",
                Some("ALTER TABLE t ADD COLUMN b int NOT NULL DEFAULT 0;"),
            ),
            "-- lossy_down: the column's data is gone; it comes back with zeros",
        ),
        input(("3", "2", "ALTER TABLE t DROP COLUMN a;", Some("")), ""),
    ];
    let report = check_texts(&inputs, "migrations", &Options::default());
    let schema = analyze(&report.sources, &report.files, &report.graph);
    let m: Vec<&str> = schema
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        m,
        ["the down section of `3` does not restore column `a` of table `t`"]
    );
    assert_eq!(schema.stats.downs_skipped, 1);
}

#[test]
fn cascade_makes_the_views_that_use_the_object_unknown_and_no_others() {
    let m = messages(&[(
        "1",
        "none",
        "CREATE TABLE t (a int);
CREATE VIEW v AS SELECT a FROM t;
CREATE VIEW vv AS SELECT * FROM v;
CREATE VIEW w AS SELECT 1 AS x;
DROP TABLE t CASCADE;
DROP VIEW v;
DROP VIEW vv;
ALTER VIEW w RENAME TO w2;
DROP VIEW w;",
        None,
    )]);
    assert_eq!(
        m,
        [
            "view `w` does not exist: it was dropped in migrations/1_m.sql:13 @ migrations/1_m.sql:14"
        ]
    );
}

#[test]
fn functions_are_told_apart_by_argument_types() {
    let m = messages(&[(
        "1",
        "none",
        "CREATE FUNCTION f(a int) RETURNS int AS 'select 1' LANGUAGE sql;
CREATE FUNCTION f(text) RETURNS int AS 'select 1' LANGUAGE sql;
DROP FUNCTION f(integer);
DROP FUNCTION f(text);
DROP FUNCTION f(int4);",
        None,
    )]);
    assert_eq!(
        m,
        [
            "function `f` does not exist: it was dropped in migrations/1_m.sql:9 @ migrations/1_m.sql:10"
        ]
    );
    // An overload we cannot match leaves the name unknown: no error either way.
    ok(&[(
        "1",
        "none",
        "CREATE FUNCTION f(int) RETURNS int AS 'select 1' LANGUAGE sql;
         CREATE FUNCTION f(text) RETURNS int AS 'select 1' LANGUAGE sql;
         DROP FUNCTION f(varchar); DROP FUNCTION f(int); DROP FUNCTION f;",
        None,
    )]);
}

#[test]
fn triggers_follow_their_function_and_renames() {
    let m = messages(&[(
        "1",
        "none",
        "CREATE TABLE t (a int);
CREATE FUNCTION tf() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION tf();
ALTER FUNCTION tf() RENAME TO tg;
ALTER TRIGGER tr ON t RENAME TO tr2;
DROP TRIGGER tr2 ON t;
CREATE TRIGGER tr3 BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION tg();
DROP FUNCTION tg() CASCADE;
DROP TRIGGER tr3 ON t;",
        None,
    )]);
    assert_eq!(
        m,
        ["trigger `tr3` on table `t` does not exist @ migrations/1_m.sql:14"]
    );
}

#[test]
fn indexes_get_postgres_names_and_go_with_the_columns_they_use() {
    let c = one("CREATE TABLE t (name text, b int); CREATE UNIQUE INDEX ON t (lower(name));");
    assert!(c.relations.contains_key(&q("t_lower_idx")));
    assert!(!c.partly_unknown());
    let m = messages(&[(
        "1",
        "none",
        "CREATE TABLE t (a int, b text, c int);
CREATE INDEX i ON t (lower(b)) WHERE c > 0;
CREATE INDEX j ON t (a);
ALTER TABLE t DROP COLUMN c;
DROP INDEX j;
DROP INDEX i;",
        None,
    )]);
    assert_eq!(
        m,
        [
            "index `i` does not exist: it was dropped in migrations/1_m.sql:9 @ migrations/1_m.sql:11"
        ]
    );
    // Indexes on a materialized view go with it.
    let m = messages(&[(
        "1",
        "none",
        "CREATE MATERIALIZED VIEW mv AS SELECT 1 AS id;
CREATE UNIQUE INDEX mi ON mv (id);
DROP MATERIALIZED VIEW mv;
DROP INDEX mi;",
        None,
    )]);
    assert_eq!(
        m,
        [
            "index `mi` does not exist: it was dropped in migrations/1_m.sql:8 @ migrations/1_m.sql:9"
        ]
    );
}

#[test]
fn postgres_18_not_null_constraints_and_null_defaults() {
    let c = one(
        "CREATE TABLE t (a int, b int DEFAULT NULL, CONSTRAINT a_nn NOT NULL a);
         ALTER TABLE t ADD CONSTRAINT b_nn NOT NULL b;",
    );
    let t = c.table(&q("t")).unwrap();
    assert!(t.column("a").unwrap().not_null && t.column("b").unwrap().not_null);
    assert!(
        !t.column("b").unwrap().default,
        "DEFAULT NULL is no default"
    );
    // Their names are not held: dropping or renaming one is never an error.
    let c = head(&[(
        "1",
        "none",
        "CREATE TABLE t (a int NOT NULL);
         ALTER TABLE t RENAME CONSTRAINT t_a_not_null TO a_nn;
         ALTER TABLE t DROP CONSTRAINT t_a_not_null1;
         ALTER TABLE t DROP CONSTRAINT t_a_not_null;",
        None,
    )]);
    assert!(!c.table(&q("t")).unwrap().column("a").unwrap().not_null);
    ok(&[(
        "1",
        "none",
        "CREATE TABLE t (a int NOT NULL); ALTER TABLE t DROP CONSTRAINT t_a_not_null;",
        None,
    )]);
}

#[test]
fn what_a_down_creates_if_not_exists_may_have_been_there() {
    ok(&[
        (
            "1",
            "none",
            "CREATE TABLE t (a int);",
            Some("DROP TABLE t;"),
        ),
        (
            "2",
            "1",
            "DROP TABLE IF EXISTS legacy;",
            Some("CREATE TABLE IF NOT EXISTS legacy (id serial PRIMARY KEY, v int8 UNIQUE);"),
        ),
    ]);
}

#[test]
fn a_branch_that_drops_what_the_other_changes_conflicts() {
    let m = messages(&[
        (
            "1",
            "none",
            "CREATE TABLE t (a int);",
            Some("DROP TABLE t;"),
        ),
        ("2", "1", "DROP TABLE t;", Some("CREATE TABLE t (a int);")),
        (
            "3",
            "1",
            "ALTER TABLE t ADD COLUMN b int;",
            Some("ALTER TABLE t DROP COLUMN b;"),
        ),
        ("4", "2, 3", "", Some("")),
    ]);
    assert_eq!(m.len(), 1, "{m:#?}");
    assert!(
        m[0].starts_with("the branches merged by `4` change table `t`"),
        "{m:#?}"
    );
    // Both branches making the same change merge cleanly.
    ok(&[
        (
            "1",
            "none",
            "CREATE TABLE t (a int);",
            Some("DROP TABLE t;"),
        ),
        (
            "2",
            "1",
            "ALTER TABLE t ADD COLUMN b int;",
            Some("ALTER TABLE t DROP COLUMN b;"),
        ),
        (
            "3",
            "1",
            "ALTER TABLE t ADD COLUMN b int;",
            Some("ALTER TABLE t DROP COLUMN b;"),
        ),
        (
            "4",
            "2, 3",
            "ALTER TABLE t DROP COLUMN b;",
            Some("ALTER TABLE t ADD COLUMN b int;"),
        ),
    ]);
}

#[test]
fn identity_sequences_using_index_and_copied_indexes() {
    // An identity column has a sequence, like a serial.
    ok(&[(
        "1",
        "none",
        "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY, a int);
         ALTER SEQUENCE t_id_seq RESTART WITH 10;
         ALTER TABLE t ALTER COLUMN a ADD GENERATED BY DEFAULT AS IDENTITY;
         ALTER SEQUENCE t_a_seq RESTART WITH 10;",
        None,
    )]);
    // A unique constraint made from an index keeps its columns: a foreign key may use them.
    ok(&[(
        "1",
        "none",
        "CREATE TABLE t (a int, b int);
         CREATE UNIQUE INDEX t_ab ON t (a, b);
         ALTER TABLE t ADD CONSTRAINT t_ab_key UNIQUE USING INDEX t_ab;
         CREATE TABLE u (a int, b int, FOREIGN KEY (a, b) REFERENCES t (a, b));",
        None,
    )]);
    // `LIKE … INCLUDING ALL` copies indexes under names PostgreSQL makes: they are not judged.
    ok(&[(
        "1",
        "none",
        "CREATE TABLE t (a int PRIMARY KEY, b int);
         CREATE INDEX ON t (b);
         CREATE TABLE t2 (LIKE t INCLUDING ALL);
         DROP INDEX t2_b_idx;",
        None,
    )]);
}

#[test]
fn search_path_and_functions_that_change_the_schema_make_everything_unknown() {
    let c = one("CREATE TABLE t (a int); SELECT set_config('search_path', 'app', false);");
    assert!(c.all_unknown());
    let c = one(
        "CREATE FUNCTION mk() RETURNS void AS $$ BEGIN EXECUTE 'CREATE TABLE x (a int)'; END $$ LANGUAGE plpgsql;
         DO $$ BEGIN PERFORM mk(); END $$;",
    );
    assert!(c.all_unknown());
}

#[test]
fn types_schemas_and_sequences() {
    let c = one("CREATE TYPE mood AS ENUM ('a', 'b');
         CREATE TABLE t (m mood, ms mood[]);
         ALTER TYPE mood RENAME VALUE 'a' TO 'aa';
         ALTER TYPE mood RENAME TO feeling;
         CREATE SCHEMA app;
         CREATE TABLE app.x (id int);
         CREATE SEQUENCE app.s OWNED BY app.x.id;
         ALTER SEQUENCE app.s RENAME TO s2;");
    assert_eq!(
        c.types.get(&q("feeling")).map(|t| &t.value),
        Some(&TypeDef::Enum(vec!["aa".into(), "b".into()]))
    );
    let t = c.table(&q("t")).unwrap();
    assert_eq!(t.column("m").unwrap().ty, "feeling");
    assert_eq!(t.column("ms").unwrap().ty, "feeling[]");
    assert!(matches!(
        c.relations.get(&QName::new("app", "s2")).map(|r| &r.value),
        Some(RelKind::Sequence { owned_by: Some((t, col)) }) if *t == QName::new("app", "x") && col == "id"
    ));
    // Dropping the schema drops what is in it; a table in a schema that does not exist is an
    // error.
    let m = messages(&[(
        "1",
        "none",
        "CREATE SCHEMA app;
CREATE TABLE app.x (id int);
DROP SCHEMA app CASCADE;
DROP TABLE app.x;
CREATE TABLE nope.y (id int);",
        None,
    )]);
    assert_eq!(
        m,
        [
            "table `app.x` does not exist: it was dropped in migrations/1_m.sql:8 @ migrations/1_m.sql:9",
            "schema `nope` does not exist @ migrations/1_m.sql:10",
        ]
    );
}

#[test]
fn an_enum_value_added_by_up_is_left_by_a_down_that_does_not_recreate_the_type() {
    let m = messages(&[
        (
            "1",
            "none",
            "CREATE TYPE mood AS ENUM ('a');",
            Some("DROP TYPE mood;"),
        ),
        ("2", "1", "ALTER TYPE mood ADD VALUE 'b';", Some("")),
    ]);
    assert_eq!(m.len(), 1, "{m:#?}");
    assert!(
        m[0].starts_with("the down section of `2` leaves value 'b' in enum type `mood`"),
        "{m:#?}"
    );
}

#[test]
fn alter_table_forms_without_the_column_keyword() {
    let c = one("CREATE TABLE t (a int);
         ALTER TABLE t ADD b int;
         ALTER TABLE t RENAME b TO c;
         ALTER TABLE t ALTER c TYPE bigint;
         ALTER TABLE t DROP a;");
    let t = c.table(&q("t")).unwrap();
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["c"]);
    assert_eq!(t.column("c").unwrap().ty, "bigint");
}

#[test]
fn identity_columns_keep_always_or_by_default() {
    let c = one("CREATE TABLE t (a int GENERATED ALWAYS AS IDENTITY, b int GENERATED BY DEFAULT AS IDENTITY, c int NOT NULL, d int NOT NULL);
         ALTER TABLE t ALTER COLUMN c ADD GENERATED ALWAYS AS IDENTITY;
         ALTER TABLE t ALTER COLUMN d ADD GENERATED BY DEFAULT AS IDENTITY (START 10);
         ALTER TABLE t ALTER COLUMN a SET GENERATED BY DEFAULT;
         ALTER TABLE t ALTER COLUMN b SET INCREMENT BY 2 SET GENERATED ALWAYS;
         ALTER TABLE t ALTER COLUMN d SET INCREMENT BY 5;");
    let t = c.table(&q("t")).unwrap();
    let kinds: Vec<(bool, bool)> = t
        .columns
        .iter()
        .map(|c| (c.identity, c.identity_always))
        .collect();
    assert_eq!(
        kinds,
        [(true, false), (true, true), (true, true), (true, false)]
    );
}

#[test]
fn expressions_are_kept_as_written_and_follow_column_renames() {
    let c = one("CREATE SEQUENCE s;
         CREATE TABLE p (id int PRIMARY KEY);
         CREATE TABLE t (
             id serial PRIMARY KEY,
             n int DEFAULT nextval('s'),
             a int CHECK (a > 0),
             b int GENERATED ALWAYS AS (a * 2) STORED,
             \"text\" text DEFAULT ''::text,
             p_id int REFERENCES p ON DELETE CASCADE,
             CONSTRAINT t_a_b CHECK (a < 'a'::text::int + b)
         );
         CREATE INDEX t_lower ON t USING btree (lower(\"text\")) WHERE a > 1;
         ALTER TABLE t RENAME COLUMN a TO aa;
         ALTER TABLE t RENAME COLUMN \"text\" TO Body;
         ALTER SEQUENCE s RENAME TO s2;");
    let t = c.table(&q("t")).unwrap();
    let col = |n: &str| t.column(n).unwrap();
    assert_eq!(
        col("id").default_sql.get(),
        Some("nextval('t_id_seq'::regclass)")
    );
    assert_eq!(col("n").default_sql.get(), None, "the sequence was renamed");
    assert_eq!(col("b").generated_sql.get(), Some("aa * 2"));
    assert_eq!(col("body").default_sql.get(), Some("''::text"));
    let sql = |n: &str| t.constraint(n).unwrap().sql.get().map(str::to_owned);
    assert_eq!(sql("t_a_check").as_deref(), Some("CHECK (aa > 0)"));
    assert_eq!(
        sql("t_a_b").as_deref(),
        Some("CHECK (aa < 'a'::text::int + b)"),
        "a string and a type named like the column stay"
    );
    assert_eq!(sql("t_p_id_fkey").as_deref(), Some("ON DELETE CASCADE"));
    match c.relations.get(&q("t_lower")).map(|r| &r.value) {
        Some(RelKind::Index { sql, .. }) => {
            assert_eq!(sql.get(), Some("USING btree (lower(body)) WHERE aa > 1"))
        }
        other => panic!("{other:?}"),
    }
    // Written texts are never compared.
    let mut other = t.clone();
    other.columns[2].generated_sql = super::catalog::Written::new("a+a");
    assert_eq!(*t, other);
    // ALTER COLUMN … SET/DROP DEFAULT.
    let c = one("CREATE TABLE t (a int DEFAULT 1, b int);
         ALTER TABLE t ALTER COLUMN a DROP DEFAULT, ALTER COLUMN b SET DEFAULT 2 + 2;");
    let t = c.table(&q("t")).unwrap();
    assert_eq!(t.column("a").unwrap().default_sql.get(), None);
    assert_eq!(t.column("b").unwrap().default_sql.get(), Some("2 + 2"));
}

#[test]
fn a_revision_whose_parent_is_missing_starts_from_an_unknown_schema() {
    // `2`'s parent does not exist: it must not be replayed on an empty schema ("table `t`
    // does not exist"); the graph error says what is wrong.
    let m = messages(&[
        (
            "1",
            "none",
            "CREATE TABLE u (a int);",
            Some("DROP TABLE u;"),
        ),
        (
            "2",
            "9",
            "ALTER TABLE t ADD COLUMN b int;",
            Some("ALTER TABLE t DROP COLUMN b;"),
        ),
    ]);
    assert!(m.is_empty(), "{m:#?}");
    let c = head(&[("2", "9", "CREATE TABLE v (a int);", Some("DROP TABLE v;"))]);
    assert!(c.all_unknown());
}

#[test]
fn a_string_default_keeps_its_old_type_through_alter_type_and_checks_keep_not_valid() {
    let up = "CREATE TABLE t (a timestamp DEFAULT '1970-01-01', b timestamp DEFAULT now(), n text);
         ALTER TABLE t ALTER COLUMN a TYPE timestamptz, ALTER COLUMN b TYPE timestamptz;
         ALTER TABLE t ADD CONSTRAINT t_n_len CHECK (char_length(n) < 9) NOT VALID;
         ALTER TABLE t ADD CONSTRAINT t_n_nonempty CHECK (n <> '') NOT VALID;
         ALTER TABLE t VALIDATE CONSTRAINT t_n_nonempty;";
    let (report, schema) = run(&[("1", "none", up, None)]);
    let c = schema.catalogs[0].clone().expect("replayed");
    let t = c.table(&q("t")).unwrap();
    // As PostgreSQL: the literal was a constant of the old type; now() loses its implicit cast.
    assert_eq!(
        t.column("a").unwrap().default_sql.get(),
        Some("'1970-01-01'::timestamp without time zone")
    );
    assert_eq!(t.column("b").unwrap().default_sql.get(), Some("now()"));
    let sql = |n: &str| t.constraint(n).unwrap().sql.get().map(str::to_owned);
    assert_eq!(
        sql("t_n_len").as_deref(),
        Some("CHECK (char_length(n) < 9) NOT VALID")
    );
    assert_eq!(sql("t_n_nonempty").as_deref(), Some("CHECK (n <> '')"));
    // The DDL adds a check not validated after the table, where NOT VALID holds.
    let ddl = super::ddl::render(&c, &report.sources);
    assert!(
        ddl.contains("ALTER TABLE t ADD CONSTRAINT t_n_len CHECK (char_length(n) < 9) NOT VALID;"),
        "{ddl}"
    );
    assert!(
        ddl.contains("    CONSTRAINT t_n_nonempty CHECK (n <> '')\n"),
        "{ddl}"
    );
}

#[test]
fn a_renamed_enum_value_renames_a_default_of_it() {
    let c = one("CREATE TYPE m AS ENUM ('a', 'b');
         CREATE TABLE t (x m DEFAULT 'a', y m DEFAULT 'a'::m, z text DEFAULT 'a', CONSTRAINT t_x_ck CHECK (x <> 'a'));
         ALTER TYPE m RENAME VALUE 'a' TO 'c';");
    let t = c.table(&q("t")).unwrap();
    let d = |n: &str| t.column(n).unwrap().default_sql.get().map(str::to_owned);
    assert_eq!(d("x").as_deref(), Some("'c'"));
    assert_eq!(d("y").as_deref(), Some("'c'::m"));
    assert_eq!(d("z").as_deref(), Some("'a'"), "not of the type");
    assert_eq!(t.constraint("t_x_ck").unwrap().sql.get(), None);
}

#[test]
fn a_view_keeps_its_query_until_a_rename_makes_it_stale() {
    let c = one("CREATE TABLE t (a int, b int);
         CREATE TABLE u (c int);
         CREATE VIEW v AS SELECT a FROM t;
         CREATE VIEW w (x) AS SELECT c FROM u WITH CHECK OPTION;
         CREATE MATERIALIZED VIEW m AS SELECT b FROM t WITH NO DATA;
         ALTER TABLE t RENAME COLUMN a TO aa;");
    let sql = |n: &str| match c.relations.get(&q(n)).map(|r| &r.value) {
        Some(RelKind::View { sql, .. }) => sql.get().map(str::to_owned),
        other => panic!("{other:?}"),
    };
    assert_eq!(sql("v"), None, "it mentions the renamed column");
    assert_eq!(
        sql("w").as_deref(),
        Some("(x) AS SELECT c FROM u WITH CHECK OPTION")
    );
    assert_eq!(sql("m").as_deref(), Some("AS SELECT b FROM t WITH NO DATA"));
    let c2 = one("CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t;
         ALTER TABLE t RENAME TO t2;");
    assert!(matches!(
        c2.relations.get(&q("v")).map(|r| &r.value),
        Some(RelKind::View { sql, .. }) if sql.get().is_none()
    ));
}

#[test]
fn branches_that_change_different_columns_of_a_table_merge() {
    let base = (
        "1",
        "none",
        "CREATE TABLE t (a int);",
        Some("DROP TABLE t;"),
    );
    let merge = ("4", "2, 3", "", Some(""));
    let add_b = (
        "2",
        "1",
        "ALTER TABLE t ADD COLUMN b int;",
        Some("ALTER TABLE t DROP COLUMN b;"),
    );
    let side = |up, down| ("3", "1", up, Some(down));
    ok(&[
        base,
        add_b,
        side(
            "ALTER TABLE t ADD COLUMN c int, ADD CONSTRAINT t_a_key UNIQUE (a);",
            "ALTER TABLE t DROP CONSTRAINT t_a_key, DROP COLUMN c;",
        ),
        merge,
    ]);
    let c = head(&[
        base,
        add_b,
        side(
            "ALTER TABLE t DROP COLUMN a;",
            "ALTER TABLE t ADD COLUMN a int;",
        ),
        merge,
    ]);
    let names: Vec<&str> = c
        .table(&q("t"))
        .expect("t")
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["b"]);
    // One column changed two ways: a conflict that names the column.
    let (report, schema) = run(&[
        base,
        (
            "2",
            "1",
            "ALTER TABLE t ALTER COLUMN a TYPE bigint;",
            Some("ALTER TABLE t ALTER COLUMN a TYPE int;"),
        ),
        side(
            "ALTER TABLE t ALTER COLUMN a SET NOT NULL;",
            "ALTER TABLE t ALTER COLUMN a DROP NOT NULL;",
        ),
        merge,
    ]);
    let text = crate::diagnostic::render_all(&schema.diagnostics, &report.sources);
    assert_eq!(schema.diagnostics.len(), 1, "{text}");
    assert!(
        text.contains(
            "error[schema-merge-conflict]: the branches merged by `4` change table `t` in \
             different ways"
        ),
        "{text}"
    );
    assert!(
        text.contains("note: both branches change column `a`"),
        "{text}"
    );
    // Each side points at its own change.
    assert!(
        text.contains("ALTER TABLE t ALTER COLUMN a TYPE bigint;"),
        "{text}"
    );
    assert!(
        text.contains("ALTER TABLE t ALTER COLUMN a SET NOT NULL;"),
        "{text}"
    );
}

#[test]
fn a_down_section_after_an_up_section_with_an_error_is_not_judged() {
    // The up section fails on `name`: its down would only echo that the index is missing.
    let m = messages(&[
        (
            "1",
            "none",
            "CREATE TABLE t (a int);",
            Some("DROP TABLE t;"),
        ),
        (
            "2",
            "1",
            "CREATE INDEX t_name ON t (name);",
            Some("DROP INDEX t_name;"),
        ),
    ]);
    assert_eq!(
        m,
        ["column `name` of table `t` does not exist @ migrations/2_m.sql:5"]
    );
}

#[test]
fn a_dropped_table_takes_its_dependents_after_renames() {
    let setup = "CREATE TABLE a (id serial PRIMARY KEY, n int);\n\
         CREATE INDEX a_n ON a (n);\n\
         CREATE SEQUENCE s OWNED BY a.n;\n\
         CREATE TABLE b (a_id int REFERENCES a (id));\n\
         ALTER TABLE a RENAME TO a2;\n\
         ALTER INDEX a_n RENAME TO a_n2;\n\
         CREATE VIEW v AS SELECT id FROM a2;\n";
    let c = one(setup);
    // The reverse index followed both renames.
    let mut deps: Vec<String> = c
        .dependents(&q("a2"))
        .iter()
        .map(|n| n.name.clone())
        .collect();
    deps.sort();
    assert_eq!(deps, ["a_id_seq", "a_n2", "a_pkey", "s"]);
    assert!(c.dependents(&q("a")).is_empty());

    let c = one(&format!("{setup}DROP TABLE a2 CASCADE;"));
    for gone in ["a2", "a_pkey", "a_n2", "a_n", "a_id_seq", "s"] {
        assert!(!c.relations.contains_key(&q(gone)), "{gone} is still there");
    }
    assert!(c.dependents(&q("a2")).is_empty());
    let b = c.table(&q("b")).expect("b stays");
    assert!(
        !b.constraints
            .iter()
            .any(|k| matches!(k.kind, ConstraintKind::ForeignKey { .. })),
        "the foreign key to a2 went with it: {:?}",
        b.constraints
    );
    assert!(
        !c.knows(Ns::Relation, &q("v")),
        "the view on a2 may be gone"
    );

    // Dropping the column drops the index on it and the sequence it owns, not the others.
    let c = one(&format!("{setup}ALTER TABLE a2 DROP COLUMN n;"));
    assert!(!c.relations.contains_key(&q("a_n2")));
    assert!(!c.relations.contains_key(&q("s")));
    assert!(c.relations.contains_key(&q("a_pkey")));
    assert!(c.relations.contains_key(&q("a_id_seq")));
}

#[test]
fn a_view_follows_its_table_through_a_rename_into_a_cascade() {
    // PostgreSQL's view follows the renamed table, so DROP … CASCADE of the new name drops
    // it; the model must not go on believing the view exists (a later CREATE VIEW v would
    // then be a false "already exists").
    let c = one("CREATE TABLE a (id int);\n\
         CREATE VIEW v AS SELECT id FROM a;\n\
         ALTER TABLE a RENAME TO a2;\n\
         DROP TABLE a2 CASCADE;\n");
    assert!(
        !c.knows(Ns::Relation, &q("v")),
        "the view on a2 may be gone"
    );
    let m = messages(&[(
        "1",
        "none",
        "CREATE TABLE a (id int);\n\
         CREATE VIEW v AS SELECT id FROM a;\n\
         ALTER TABLE a RENAME TO a2;\n\
         DROP TABLE a2 CASCADE;\n\
         CREATE VIEW v AS SELECT 1;\n",
        None,
    )]);
    assert!(m.is_empty(), "{m:?}");
}
