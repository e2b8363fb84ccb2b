//! `required-column-without-default`.

use squawk_syntax::ast;

use super::Rule;
use crate::codes::Code;
use crate::lint::{Context, Finding, Level, sql};

/// ## What it does
/// Finds `ADD COLUMN … NOT NULL` (or `PRIMARY KEY`) without a default on a table that
/// existed before the revision.
///
/// ## Why is this bad?
/// The existing rows would hold null in it: the statement fails as soon as the table has a
/// row, in production though not on an empty development database.
///
/// ## Example
/// ```sql
/// ALTER TABLE users ADD COLUMN country text NOT NULL;
/// ```
///
/// ## Use instead
/// ```sql
/// ALTER TABLE users ADD COLUMN country text NOT NULL DEFAULT 'unknown';
/// ```
pub(super) const RULE: Rule = Rule {
    code: Code::RequiredColumnWithoutDefault,
    default: Level::Warn,
    check,
};

fn check(cx: &Context) -> Vec<Finding> {
    cx.on_existing_table_actions(|a, table| {
        let ast::AlterTableAction::AddColumn(ac) = a else {
            return None;
        };
        let serial = ac.ty().is_some_and(|t| {
            sql::text(&t)
                .to_lowercase()
                .trim()
                .trim_end_matches(char::is_numeric)
                .ends_with("serial")
        });
        let mut required = false;
        let mut filled = serial;
        for c in ac.constraints() {
            match c {
                ast::Constraint::NotNullConstraint(_)
                | ast::Constraint::PrimaryKeyConstraint(_) => required = true,
                ast::Constraint::DefaultConstraint(d) => {
                    // `DEFAULT NULL` fills nothing.
                    filled |= sql::words(&d).last().is_none_or(|w| w != "null");
                }
                ast::Constraint::GeneratedConstraint(_) => filled = true,
                _ => {}
            }
        }
        if required && !filled {
            return Some(Finding {
                code: RULE.code,
                range: cx.span(&ac),
                message: format!(
                    "a `NOT NULL` column without a default fails as soon as `{table}` has a row"
                ),
                label: "no default for the existing rows".to_owned(),
                help: "give it a default, or add it nullable, fill it, and set it `NOT NULL` \
                       later"
                    .to_owned(),
            });
        }
        None
    })
}
