//! `schema-unsafe-new-enum-value` against PostgreSQL: the statements of the schema model's
//! fixtures (`core/tests/schema/types/`) that the model reports are exactly those PostgreSQL
//! refuses with "unsafe use of new value"; the uses the model lets through (a later revision,
//! a `transaction: false` revision, a type created in the same transaction) apply.

mod common;

use std::collections::BTreeSet;

use retort_core::check::{Input, Options, check_texts};
use retort_core::codes::Code;
use retort_runtime::{Migrator, Target};

/// PostgreSQL's SQLSTATE for "unsafe use of new value".
const UNSAFE_NEW_ENUM_VALUE: &str = "55P04";

/// A fixture of the schema model: its migration files, split at the `-- file: NAME` lines.
fn fixture(name: &str) -> Vec<Input> {
    let path = format!(
        "{}/../core/tests/schema/types/{name}.sql",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut files: Vec<Input> = Vec::new();
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("-- file: ") {
            files.push(Input {
                name: name.trim().to_owned(),
                text: String::new(),
            });
        } else if let Some(f) = files.last_mut() {
            f.text.push_str(line);
            f.text.push('\n');
        }
    }
    assert!(!files.is_empty(), "{path} has no `-- file:` line");
    files
}

/// The up section's statements of a file written one per line, with their 1-based lines.
fn up_statements(text: &str) -> Vec<(usize, String)> {
    let mut up = false;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.starts_with("-- migrate:up") {
            up = true;
        } else if line.starts_with("-- migrate:down") {
            up = false;
        } else if up && !line.trim().is_empty() && !line.starts_with("--") {
            assert!(line.ends_with(';'), "one statement per line: {line}");
            out.push((i + 1, line.to_owned()));
        }
    }
    out
}

#[test]
fn postgresql_refuses_exactly_the_uses_the_model_reports() {
    let files = fixture("unsafe_new_enum_value");
    let [first, second] = files.as_slice() else {
        panic!("the fixture has two files");
    };
    // The lines of the second file the model reports.
    let report = check_texts(&files, "migrations", &Options::default());
    let reported: BTreeSet<usize> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::SchemaUnsafeNewEnumValue)
        .filter_map(|d| d.location(&report.sources))
        .filter_map(|loc| {
            let rest = loc.strip_prefix(&format!("migrations/{}:", second.name))?;
            rest.split(':').next()?.parse().ok()
        })
        .collect();
    assert!(!reported.is_empty(), "{}", report.render());
    assert_eq!(
        report.diagnostics.iter().filter(|d| d.is_error()).count(),
        reported.len(),
        "only this code: {}",
        report.render()
    );

    // The lines PostgreSQL refuses: each use alone, after the ADD VALUE, in a transaction.
    let db = retort_test_support::database().expect("a test database");
    let mut c = db.connect();
    for (_, stmt) in up_statements(&first.text) {
        c.batch_execute(&stmt).expect("the first revision applies");
    }
    let stmts = up_statements(&second.text);
    let (add_value, uses) = stmts.split_first().expect("ADD VALUE, then the uses");
    assert!(add_value.1.contains("ADD VALUE"), "{}", add_value.1);
    let mut refused = BTreeSet::new();
    for (line, stmt) in uses {
        c.batch_execute(&format!("BEGIN;\n{}", add_value.1))
            .expect("ADD VALUE in a transaction");
        match c.batch_execute(stmt) {
            Ok(()) => {}
            Err(e) => {
                let code = e.code().map(|s| s.code().to_owned());
                assert_eq!(
                    code.as_deref(),
                    Some(UNSAFE_NEW_ENUM_VALUE),
                    "line {line} `{stmt}` fails for another reason: {e:?}"
                );
                let message = e.as_db_error().map(|d| d.message().to_owned());
                assert!(
                    message
                        .as_deref()
                        .is_some_and(|m| m.contains("unsafe use of new value")),
                    "{message:?}"
                );
                refused.insert(*line);
            }
        }
        c.batch_execute("ROLLBACK").expect("rollback");
    }
    assert_eq!(
        refused, reported,
        "PostgreSQL refuses what the model reports"
    );
}

#[test]
fn the_uses_the_model_lets_through_apply() {
    let files = fixture("new_enum_value_used_safely");
    let report = check_texts(&files, "migrations", &Options::default());
    let set = report
        .to_set()
        .unwrap_or_else(|| panic!("the fixture checks clean:\n{}", report.render()));
    let db = retort_test_support::database().expect("a test database");
    let mut c = db.connect();
    let steps = Migrator::new(&set)
        .upgrade(&mut c, &Target::Head)
        .expect("PostgreSQL applies every revision");
    assert_eq!(steps.len(), files.len());
    let moods: Vec<String> = c
        .query("SELECT mood::text FROM posts ORDER BY id", &[])
        .expect("posts")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(moods, ["great", "fine"]);
}
