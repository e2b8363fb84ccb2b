//! `set-not-null-scans-table`.

use squawk_syntax::ast;

use super::Rule;
use crate::codes::Code;
use crate::lint::{Context, Finding, Level, sql};
use crate::schema::catalog::{ConstraintKind, Table, simple_name};

/// ## What it does
/// Finds `ALTER COLUMN … SET NOT NULL` on a table that existed before the revision, unless
/// a validated `CHECK (column IS NOT NULL)` already proves it.
///
/// ## Why is this bad?
/// PostgreSQL scans the whole table for a null under an ACCESS EXCLUSIVE lock.
///
/// ## Example
/// ```sql
/// ALTER TABLE users ALTER COLUMN email SET NOT NULL;
/// ```
///
/// ## Use instead
/// ```sql
/// ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;
/// -- in a later revision:
/// ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;
/// -- in a later revision:
/// ALTER TABLE users ALTER COLUMN email SET NOT NULL;
/// ```
pub(super) const RULE: Rule = Rule {
    code: Code::SetNotNullScansTable,
    default: Level::Warn,
    check,
};

fn check(cx: &Context) -> Vec<Finding> {
    cx.on_existing_table_actions(|a, table| {
        let ast::AlterTableAction::AlterColumn(ac) = a else {
            return None;
        };
        if !matches!(ac.option(), Some(ast::AlterColumnOption::SetNotNull(_))) {
            return None;
        }
        let column = ac
            .column_name_ref()
            .and_then(|r| simple_name(&sql::text(&r)))?;
        if cx.table(table).is_some_and(|t| proven(t, &column)) {
            return None;
        }
        Some(Finding {
            code: RULE.code,
            range: cx.span(&ac),
            message: format!("`SET NOT NULL` scans every row of `{table}` under an exclusive lock"),
            label: format!("no validated `CHECK ({column} IS NOT NULL)` proves it"),
            help: format!(
                "add `CHECK ({column} IS NOT NULL) NOT VALID` and validate it in earlier \
                 revisions; PostgreSQL then skips the scan"
            ),
        })
    })
}

/// Whether a validated check of `table` says `column IS NOT NULL` (alone or as one of the
/// terms joined by `AND`).
fn proven(table: &Table, column: &str) -> bool {
    let want = format!("{column}isnotnull");
    table
        .constraints
        .iter()
        .filter(|c| c.kind == ConstraintKind::Check)
        .filter_map(|c| c.sql.get())
        .filter(|sql| !sql.trim_end().to_lowercase().ends_with("not valid"))
        .any(|sql| {
            let lower = sql.to_lowercase();
            let body = lower.trim().strip_prefix("check").unwrap_or(&lower);
            body.split(" and ").any(|term| {
                let squeezed: String = term
                    .chars()
                    .filter(|c| !(c.is_whitespace() || matches!(c, '(' | ')' | '"')))
                    .collect();
                squeezed == want
            })
        })
}
