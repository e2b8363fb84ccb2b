use super::super::tests::diff_of;
use super::super::{DiffOptions, Renames, diff};
use super::{Form, Step, StepKind, Txn, steps};
use crate::check::{Input, Options, check_texts};

/// The chain `head` as revision 1 and `steps` after it: every error of the check, and
/// whether the schema at its end re-diffs empty against `to`.
fn replay(head: &str, to: &str, steps: &[Step]) -> (Vec<String>, bool) {
    let mut inputs = vec![Input {
        name: "001_head.sql".into(),
        text: format!(
            "-- revision: 001\n-- down_revision: none\n-- lossy_down: test\n\n\
             -- migrate:up\n{head}\n-- migrate:down\n"
        ),
    }];
    for (k, s) in steps.iter().enumerate() {
        let txn = match s.txn {
            Txn::Transactional => "",
            Txn::NonTransactional => "-- transaction: false\n",
        };
        inputs.push(Input {
            name: format!("00{}_s.sql", k + 2),
            text: format!(
                "-- revision: 00{}\n-- down_revision: 00{}\n{txn}\n-- migrate:up\n{}\n\
                 -- migrate:down\n{}",
                k + 2,
                k + 1,
                s.up,
                s.down
            ),
        });
    }
    let report = check_texts(&inputs, "migrations", &Options::default());
    let errors: Vec<String> = report.errors().map(|d| d.render(&report.sources)).collect();
    let last = report.schema.catalogs.last().cloned().flatten();
    let desired = diff_of(to, to, true);
    assert!(desired.changes.is_empty());
    let mut s = crate::source::Sources::new();
    let f = s.add("schema.sql", to);
    let want = crate::schema::desired::desired_schema(&s, f).catalog;
    let converged = last.is_some_and(|cat| {
        let again = diff(
            &cat,
            &want,
            &Renames::none(),
            DiffOptions { allow_drop: true },
        );
        again.changes.is_empty() && again.problems.is_empty()
    });
    (errors, converged)
}

fn steps_of(from: &str, to: &str, form: Form) -> Vec<Step> {
    let d = diff_of(from, to, true);
    assert!(d.problems.is_empty(), "{:?}", d.problems);
    let mut s = crate::source::Sources::new();
    let f = s.add("head.sql", from);
    let head = crate::schema::desired::desired_schema(&s, f).catalog;
    steps(&d, &head, form)
}

const HEAD: &str = "CREATE TABLE a (id int PRIMARY KEY, n text, m int);\n\
                    CREATE TABLE b (id int PRIMARY KEY, a_id int);";

#[test]
fn an_index_on_an_existing_table_is_built_concurrently_in_a_revision_of_its_own() {
    let to = format!("{HEAD}\nCREATE INDEX a_n_ix ON a (n);\nALTER TABLE a ADD COLUMN k int;");
    let s = steps_of(HEAD, &to, Form::Safe);
    let kinds: Vec<(StepKind, Txn)> = s.iter().map(|s| (s.kind, s.txn)).collect();
    assert_eq!(
        kinds,
        [
            (StepKind::Changes, Txn::Transactional),
            (StepKind::ConcurrentIndexes, Txn::NonTransactional)
        ]
    );
    assert!(
        s[1].up
            .contains("CREATE INDEX CONCURRENTLY a_n_ix ON a (n);")
    );
    assert!(s[1].up.starts_with("-- transaction: false"));
    assert_eq!(s[1].down, "DROP INDEX CONCURRENTLY a_n_ix;\n");
    let (errors, converged) = replay(HEAD, &to, &s);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(converged);
}

#[test]
fn an_index_on_a_new_table_stays_in_the_transaction() {
    let to = format!("{HEAD}\nCREATE TABLE c (x int);\nCREATE INDEX c_x_ix ON c (x);");
    let s = steps_of(HEAD, &to, Form::Safe);
    assert_eq!(s.len(), 1);
    assert!(s[0].up.contains("CREATE INDEX c_x_ix ON c (x);"));
}

#[test]
fn foreign_keys_and_checks_on_existing_tables_are_validated_in_the_next_revision() {
    let to = "CREATE TABLE a (id int PRIMARY KEY, n text, m int, CONSTRAINT m_pos CHECK (m > 0));\n\
              CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (id) ON DELETE CASCADE);";
    let s = steps_of(HEAD, to, Form::Safe);
    assert_eq!(s.len(), 2);
    assert!(s[0].up.contains("CHECK (m > 0) NOT VALID;"), "{}", s[0].up);
    assert!(
        s[0].up.contains("ON DELETE CASCADE NOT VALID;"),
        "{}",
        s[0].up
    );
    assert!(s[1].up.contains("ALTER TABLE a VALIDATE CONSTRAINT m_pos;"));
    assert!(
        s[1].up
            .contains("ALTER TABLE b VALIDATE CONSTRAINT b_a_id_fkey;")
    );
    let (errors, converged) = replay(HEAD, to, &s);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(converged);
}

#[test]
fn a_foreign_key_without_clauses_converges_after_validation() {
    let to = "CREATE TABLE a (id int PRIMARY KEY, n text, m int);\n\
              CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);";
    let s = steps_of(HEAD, to, Form::Safe);
    let (errors, converged) = replay(HEAD, to, &s);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(converged, "{s:?}");
}

#[test]
fn set_not_null_goes_through_a_validated_check() {
    let to = "CREATE TABLE a (id int PRIMARY KEY, n text NOT NULL, m int);\n\
              CREATE TABLE b (id int PRIMARY KEY, a_id int);";
    let s = steps_of(HEAD, to, Form::Safe);
    assert_eq!(s.len(), 2);
    assert!(s[0].up.contains(
        "ALTER TABLE a ADD CONSTRAINT a_n_not_null_check CHECK (n IS NOT NULL) NOT VALID;"
    ));
    let validate = s[1].up.find("VALIDATE CONSTRAINT a_n_not_null_check");
    let set = s[1].up.find("ALTER COLUMN n SET NOT NULL");
    let drop = s[1].up.find("DROP CONSTRAINT a_n_not_null_check");
    assert!(
        validate < set && set < drop && validate.is_some(),
        "{}",
        s[1].up
    );
    let (errors, converged) = replay(HEAD, to, &s);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(converged);
}

#[test]
fn a_foreign_key_on_a_concurrent_unique_index_comes_after_it() {
    let to = "CREATE TABLE a (id int PRIMARY KEY, n text, m int);\n\
              CREATE UNIQUE INDEX a_m_key ON a (m);\n\
              CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (m));";
    let s = steps_of(HEAD, to, Form::Safe);
    let kinds: Vec<StepKind> = s.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            StepKind::ConcurrentIndexes,
            StepKind::ForeignKeys,
            StepKind::Validations
        ]
    );
    let (errors, converged) = replay(HEAD, to, &s);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(converged);
}

#[test]
fn simple_writes_one_transactional_revision() {
    let to = "CREATE TABLE a (id int PRIMARY KEY, n text NOT NULL, m int);\n\
              CREATE INDEX a_m_ix ON a (m);\n\
              CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);";
    let s = steps_of(HEAD, to, Form::Simple);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].txn, Txn::Transactional);
    assert!(!s[0].up.contains("CONCURRENTLY") && !s[0].up.contains("NOT VALID"));
    let (errors, converged) = replay(HEAD, to, &s);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(converged);
}
