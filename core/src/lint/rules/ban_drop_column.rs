//! `ban-drop-column` (off by default).

use squawk_syntax::ast;

use super::Rule;
use crate::codes::Code;
use crate::lint::{Context, Finding, Level, sql};

/// ## What it does
/// Finds `ALTER TABLE … DROP COLUMN`.
///
/// ## Why is this bad?
/// Code deployed before the migration still uses the column and fails once it is gone;
/// the data does not come back with the down section.
///
/// ## Example
/// ```sql
/// ALTER TABLE users DROP COLUMN nickname;
/// ```
///
/// ## Use instead
/// Stop using the column in one release and drop it in a later one, marking the statement
/// `-- retort:allow ban-drop-column <reason>`.
pub(super) const RULE: Rule = Rule {
    code: Code::BanDropColumn,
    default: Level::Allow,
    check,
};

fn check(cx: &Context) -> Vec<Finding> {
    let ast::Stmt::AlterTable(s) = cx.stmt else {
        return Vec::new();
    };
    let Some(table) = sql::altered_table(s) else {
        return Vec::new();
    };
    s.actions()
        .filter_map(|a| match a {
            ast::AlterTableAction::DropColumn(dc) => Some(dc),
            _ => None,
        })
        .map(|dc| Finding {
            code: RULE.code,
            range: cx.span(&dc),
            message: format!("a column of `{table}` is dropped"),
            label: "code still using it fails".to_owned(),
            help: "stop using the column in a release first, then drop it and mark the \
                   statement `-- retort:allow ban-drop-column <reason>`"
                .to_owned(),
        })
        .collect()
}
