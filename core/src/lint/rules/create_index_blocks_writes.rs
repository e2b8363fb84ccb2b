//! `create-index-blocks-writes`.

use squawk_syntax::ast;

use super::Rule;
use crate::codes::Code;
use crate::lint::{Context, Finding, Level, sql};
use crate::schema::catalog::qname;

/// ## What it does
/// Finds `CREATE INDEX` without `CONCURRENTLY` on a table that existed before the revision.
///
/// ## Why is this bad?
/// The build holds a SHARE lock on the table: every write waits until the index is built.
///
/// ## Example
/// ```sql
/// CREATE INDEX users_email ON users (email);
/// ```
///
/// ## Use instead
/// ```sql
/// -- transaction: false
/// CREATE INDEX CONCURRENTLY users_email ON users (email);
/// ```
pub(super) const RULE: Rule = Rule {
    code: Code::CreateIndexBlocksWrites,
    default: Level::Warn,
    check,
};

fn check(cx: &Context) -> Vec<Finding> {
    let ast::Stmt::CreateIndex(s) = cx.stmt else {
        return Vec::new();
    };
    if s.concurrently_token().is_some() {
        return Vec::new();
    }
    let Some(table) = s
        .table_relation_name()
        .and_then(|r| r.table_name_ref())
        .and_then(|r| qname(&sql::text(&r)))
    else {
        return Vec::new();
    };
    if !cx.existed_before(&table) || !cx.maybe_table(&table) {
        return Vec::new();
    }
    vec![Finding {
        code: RULE.code,
        range: cx.head(),
        message: format!("`CREATE INDEX` blocks writes to `{table}` while the index builds"),
        label: "without `CONCURRENTLY`".to_owned(),
        help: "build it with `CREATE INDEX CONCURRENTLY`, in a revision marked \
               `transaction: false`"
            .to_owned(),
    }]
}
