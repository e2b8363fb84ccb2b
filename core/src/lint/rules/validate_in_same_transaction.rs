//! `validate-in-same-transaction`.

use squawk_syntax::ast;

use super::Rule;
use crate::codes::Code;
use crate::lint::{Context, Finding, Level, sql};
use crate::schema::catalog::simple_name;

/// ## What it does
/// Finds `VALIDATE CONSTRAINT` of a constraint the same transactional revision added
/// `NOT VALID`.
///
/// ## Why is this bad?
/// The strong lock taken to add the constraint is held until the transaction ends, so the
/// validating scan runs under it: `NOT VALID` bought nothing.
///
/// ## Example
/// ```sql
/// ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;
/// ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;
/// ```
///
/// ## Use instead
/// ```sql
/// -- in a later revision:
/// ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;
/// ```
pub(super) const RULE: Rule = Rule {
    code: Code::ValidateInSameTransaction,
    default: Level::Warn,
    check,
};

fn check(cx: &Context) -> Vec<Finding> {
    if !cx.revision.transactional {
        return Vec::new();
    }
    cx.on_existing_table_actions(|a, table| {
        let ast::AlterTableAction::ValidateConstraint(v) = a else {
            return None;
        };
        let name = v
            .constraint_name_ref()
            .and_then(|r| simple_name(&sql::text(&r)))?;
        if cx
            .revision
            .not_valid
            .contains(&(table.clone(), name.clone()))
        {
            return Some(Finding {
                code: RULE.code,
                range: cx.span(&v),
                message: format!(
                    "`{name}` is validated in the transaction that added it `NOT VALID`"
                ),
                label: "the scan runs under the lock taken to add it".to_owned(),
                help: "validate it in a later revision".to_owned(),
            });
        }
        None
    })
}
