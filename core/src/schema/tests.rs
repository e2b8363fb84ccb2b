//! What the snapshots cannot show: facts the DDL does not print. Every other case of the
//! schema model is a fixture under `core/tests/schema/`, snapshotted with its diagnostics and
//! the schema it leaves (see the README there).

use super::catalog::{QName, RelKind, Written};
use super::*;
use crate::check::{Input, Options, check_texts};

/// The catalog after one irreversible revision whose up section is `up`.
fn one(up: &str) -> Catalog {
    let input = Input {
        name: "1_m.sql".to_owned(),
        text: format!(
            "-- revision: 1\n-- down_revision: none\n-- irreversible: test\n\n-- migrate:up\n{up}\n"
        ),
    };
    let report = check_texts(&[input], "migrations", &Options::default());
    assert!(!report.has_errors(), "{}", report.render());
    report.schema.catalogs[0].clone().expect("replayed")
}

fn q(name: &str) -> QName {
    catalog::qname(name).expect("name")
}

#[test]
fn constraint_indexes_are_relations_that_follow_their_table() {
    // The DDL prints the constraints, not the indexes behind them.
    let c = one("CREATE TABLE \"Users\" (id serial PRIMARY KEY, email text UNIQUE);");
    for index in ["Users_pkey", "Users_email_key"] {
        assert!(matches!(
            c.relations.get(&QName::new("public", index)).map(|r| &r.value),
            Some(RelKind::Index { table, constraint: true, .. })
                if *table == QName::new("public", "Users")
        ));
    }
    let c = one("CREATE TABLE t (a int);
         ALTER TABLE t ADD PRIMARY KEY (a);
         ALTER TABLE t RENAME TO u;");
    assert!(matches!(
        c.relations.get(&q("t_pkey")).map(|r| &r.value),
        Some(RelKind::Index { table, .. }) if *table == q("u")
    ));
}

#[test]
fn the_reverse_index_of_dependents_follows_renames() {
    let setup = "CREATE TABLE a (id serial PRIMARY KEY, n int);\n\
         CREATE INDEX a_n ON a (n);\n\
         CREATE SEQUENCE s OWNED BY a.n;\n\
         CREATE TABLE b (a_id int REFERENCES a (id));\n\
         ALTER TABLE a RENAME TO a2;\n\
         ALTER INDEX a_n RENAME TO a_n2;\n\
         CREATE VIEW v AS SELECT id FROM a2;\n";
    let c = one(setup);
    let mut deps: Vec<String> = c
        .dependents(&q("a2"))
        .iter()
        .map(|n| n.name.clone())
        .collect();
    deps.sort();
    assert_eq!(deps, ["a_id_seq", "a_n2", "a_pkey", "s"]);
    assert!(c.dependents(&q("a")).is_empty());
    let c = one(&format!("{setup}DROP TABLE a2 CASCADE;"));
    assert!(c.dependents(&q("a2")).is_empty());
}

#[test]
fn written_texts_are_never_compared() {
    let c = one("CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) STORED);");
    let t = c.table(&q("t")).expect("t");
    assert_eq!(
        t.column("b").and_then(|b| b.generated_sql.get()),
        Some("a * 2")
    );
    let mut other = t.clone();
    other.columns[1].generated_sql = Written::new("a+a");
    assert_eq!(*t, other);
}
