//! Helpers for the differ's tests: two schemas as SQL text, the diff between them, and its
//! SQL.

use super::{Change, Diff, DiffOptions, Problem, diff, render_change};
use crate::schema::desired::desired_schema;
use crate::source::Sources;

/// The diff from the schema `from` creates to the one `to` creates (with `to`'s annotations).
pub(crate) fn diff_of(from: &str, to: &str, allow_drop: bool) -> Diff {
    let mut s = Sources::new();
    let f = s.add("head.sql", from);
    let t = s.add("schema.sql", to);
    let a = desired_schema(&s, f);
    let b = desired_schema(&s, t);
    assert!(!a.has_errors(), "{:?}", a.diagnostics);
    assert!(!b.has_errors(), "{:?}", b.diagnostics);
    diff(
        &a.catalog,
        &b.catalog,
        &b.renames,
        DiffOptions { allow_drop },
    )
}

/// The changes between two schemas, drops allowed; panics on a problem.
pub(crate) fn changes_between(from: &str, to: &str) -> Vec<Change> {
    let d = diff_of(from, to, true);
    let problems: Vec<&Problem> = d.problems.iter().collect();
    assert!(problems.is_empty(), "{problems:?}");
    d.changes
}

/// The up section of `changes`.
pub(crate) fn up_sql(changes: &[Change]) -> String {
    changes.iter().map(render_change).collect()
}

/// The down section of `changes`.
pub(crate) fn down_sql(changes: &[Change]) -> String {
    changes
        .iter()
        .rev()
        .map(|c| render_change(&c.inverse()))
        .collect()
}

#[test]
fn equal_schemas_have_no_changes() {
    let sql = "CREATE SCHEMA app; CREATE TYPE mood AS ENUM ('a', 'b');\n\
               CREATE TABLE app.t (id serial PRIMARY KEY, m mood DEFAULT 'a', n text UNIQUE);\n\
               CREATE INDEX ON app.t (lower(n)); CREATE VIEW v AS SELECT id FROM app.t;";
    assert!(changes_between(sql, sql).is_empty());
}

#[test]
fn an_annotation_naming_nothing_is_a_problem_and_one_already_applied_is_not() {
    let d = diff_of(
        "CREATE TABLE t (a int);",
        "-- retort:renamed_from nothing\nCREATE TABLE u (a int);",
        true,
    );
    assert!(
        d.problems
            .iter()
            .any(|p| matches!(p, Problem::UnknownRename(_))),
        "{:?}",
        d.problems
    );
    let d = diff_of(
        "CREATE TABLE t (a int); ALTER TABLE t RENAME TO u;",
        "-- retort:renamed_from t\nCREATE TABLE u (a int);",
        true,
    );
    assert!(d.problems.is_empty() && d.changes.is_empty(), "{d:?}");
    // Never there at all: an error even though the new name exists.
    let d = diff_of(
        "CREATE TABLE u (a int);",
        "-- retort:renamed_from t\nCREATE TABLE u (a int);",
        true,
    );
    assert!(
        matches!(d.problems[..], [Problem::UnknownRename(_)]),
        "{d:?}"
    );
}

#[test]
fn a_function_whose_definition_is_not_read_is_listed_as_not_compared() {
    // `%TYPE` names a column's type, which the model does not resolve.
    let sql = "CREATE TABLE t (a int);\n\
               CREATE FUNCTION f(x t.a%TYPE) RETURNS int LANGUAGE sql AS 'SELECT 1';";
    let d = diff_of(sql, "CREATE TABLE t (a int);", true);
    assert!(d.changes.is_empty(), "{:?}", d.changes);
    assert!(
        d.not_compared.iter().any(|n| n.contains("function `f(")),
        "{:?}",
        d.not_compared
    );
}
