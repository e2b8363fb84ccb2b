//! `constraint-scans-table`.

use squawk_syntax::ast;

use super::Rule;
use crate::codes::Code;
use crate::lint::{Context, Finding, Level, sql};

/// ## What it does
/// Finds `ADD CONSTRAINT … FOREIGN KEY` and `… CHECK` without `NOT VALID` on a table that
/// existed before the revision.
///
/// ## Why is this bad?
/// Every row is checked while the statement's lock is held, so writes wait for the scan.
///
/// ## Example
/// ```sql
/// ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
/// ```
///
/// ## Use instead
/// ```sql
/// ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
/// -- in a later revision:
/// ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;
/// ```
pub(super) const RULE: Rule = Rule {
    code: Code::ConstraintScansTable,
    default: Level::Warn,
    check,
};

fn check(cx: &Context) -> Vec<Finding> {
    cx.on_existing_table_actions(|a, table| {
        let ast::AlterTableAction::AddConstraint(ac) = a else {
            return None;
        };
        let what = match ac.constraint() {
            Some(ast::Constraint::ForeignKeyConstraint(_)) => "foreign key",
            Some(ast::Constraint::CheckConstraint(_)) => "check",
            _ => return None,
        };
        if sql::has_seq(&sql::words(&ac), &["not", "valid"]) {
            return None;
        }
        Some(Finding {
            code: RULE.code,
            range: cx.span(&ac),
            message: format!("adding a {what} scans every row of `{table}` under a lock"),
            label: "without `NOT VALID`".to_owned(),
            help: "add it `NOT VALID`, then `VALIDATE CONSTRAINT` it in a later revision"
                .to_owned(),
        })
    })
}
