//! The lints against the facts they stand on: for every row of
//! `retort_test_support::lint_claims::CLAIMS` (each checked on PostgreSQL by
//! `runtime/tests/lint_claims.rs`), the row's lint fires on the statement of a `Fires` row and
//! stays quiet on the statement of a `Quiet` row, when the table existed before the revision.

use retort_core::check::{Input, Options, check_texts};
use retort_core::lint::LintSettings;
use retort_test_support::lint_claims::{BASE, CLAIMS, Claim, Form, Run};

/// The migrations of one row: the base tables and the row's setup in a first revision, the
/// row's statement in a second one, run as the row says.
fn migrations(claim: &Claim) -> Vec<Input> {
    let header = |rev: &str, parent: &str, txn: bool| {
        format!(
            "-- revision: {rev}\n-- down_revision: {parent}\n-- irreversible: test\n{}\n-- migrate:up\n",
            if txn { "" } else { "-- transaction: false\n" }
        )
    };
    let statement = claim.statement.trim_end().trim_end_matches(';');
    vec![
        Input {
            name: "001_base.sql".to_owned(),
            text: format!("{}{BASE}{}\n", header("001", "none", true), claim.setup),
        },
        Input {
            name: "002_change.sql".to_owned(),
            text: format!(
                "{}{statement};\n",
                header("002", "001", claim.run == Run::Transaction)
            ),
        },
    ]
}

/// Quiet forms that depend on the rows a table holds, which a build cannot see: there the
/// lint warns, as it must for a table that may have rows.
const QUIET_ONLY_WITHOUT_ROWS: &[&str] =
    &["ADD COLUMN … NOT NULL without a default succeeds on an empty table"];

#[test]
fn every_lint_fires_on_its_claims_and_is_quiet_on_their_safe_forms() {
    let options = Options {
        lints: LintSettings::default(),
        ..Options::default()
    };
    let mut wrong = Vec::new();
    for claim in CLAIMS {
        let report = check_texts(&migrations(claim), "migrations", &options);
        let errors: Vec<String> = report
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.message.clone())
            .collect();
        assert!(
            errors.is_empty(),
            "{} ({}): the migrations have errors: {errors:?}",
            claim.code,
            claim.shows
        );
        let fired = report
            .diagnostics
            .iter()
            .any(|d| d.code.as_str() == claim.code);
        let expected = claim.form == Form::Fires || QUIET_ONLY_WITHOUT_ROWS.contains(&claim.shows);
        if fired != expected {
            wrong.push(format!(
                "{} {:?} ({}): the lint {}",
                claim.code,
                claim.form,
                claim.shows,
                if fired { "fired" } else { "stayed quiet" }
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "lints that disagree with their claims:\n{}",
        wrong.join("\n")
    );
}
