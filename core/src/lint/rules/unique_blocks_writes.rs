//! `unique-blocks-writes`.

use squawk_syntax::ast;

use super::Rule;
use crate::codes::Code;
use crate::lint::{Context, Finding, Level, sql};

/// ## What it does
/// Finds `ADD UNIQUE` and `ADD PRIMARY KEY` without `USING INDEX` on a table that existed
/// before the revision.
///
/// ## Why is this bad?
/// The constraint's index is built under an ACCESS EXCLUSIVE lock: no read or write runs
/// until it is done.
///
/// ## Example
/// ```sql
/// ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
/// ```
///
/// ## Use instead
/// ```sql
/// -- transaction: false
/// CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);
/// -- in a later revision:
/// ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;
/// ```
pub(super) const RULE: Rule = Rule {
    code: Code::UniqueBlocksWrites,
    default: Level::Warn,
    check,
};

fn check(cx: &Context) -> Vec<Finding> {
    cx.on_existing_table_actions(|a, table| {
        let ast::AlterTableAction::AddConstraint(ac) = a else {
            return None;
        };
        let what = match ac.constraint() {
            Some(ast::Constraint::UniqueConstraint(_)) => "unique constraint",
            Some(ast::Constraint::PrimaryKeyConstraint(_)) => "primary key",
            _ => return None,
        };
        if sql::has_seq(&sql::words(&ac), &["using", "index"]) {
            return None;
        }
        Some(Finding {
            code: RULE.code,
            range: cx.span(&ac),
            message: format!("adding a {what} builds its index while `{table}` is locked"),
            label: "without `USING INDEX`".to_owned(),
            help: "build a unique index with `CREATE UNIQUE INDEX CONCURRENTLY` first, then \
                   add the constraint `USING INDEX` it"
                .to_owned(),
        })
    })
}
