//! `drop-index-blocks-table`.

use squawk_syntax::ast;

use super::Rule;
use crate::codes::Code;
use crate::lint::{Context, Finding, Level, sql};
use crate::schema::catalog::{Ns, RelKind, qname};

/// ## What it does
/// Finds `DROP INDEX` without `CONCURRENTLY` of an index on a table that existed before
/// the revision.
///
/// ## Why is this bad?
/// It takes an ACCESS EXCLUSIVE lock on the table: while it waits for running queries,
/// every new query on the table waits behind it.
///
/// ## Example
/// ```sql
/// DROP INDEX users_email;
/// ```
///
/// ## Use instead
/// ```sql
/// -- transaction: false
/// DROP INDEX CONCURRENTLY users_email;
/// ```
pub(super) const RULE: Rule = Rule {
    code: Code::DropIndexBlocksTable,
    default: Level::Warn,
    check,
};

fn check(cx: &Context) -> Vec<Finding> {
    let ast::Stmt::DropIndex(s) = cx.stmt else {
        return Vec::new();
    };
    if s.concurrently_token().is_some() {
        return Vec::new();
    }
    let if_exists = s.if_exists().is_some();
    let blocks: Vec<String> = s
        .index_refs()
        .filter_map(|r| qname(&sql::text(&r)))
        .filter(|index| match cx.catalog.relations.get(index) {
            Some(obj) => {
                obj.origin.file != cx.revision.file
                    && matches!(&obj.value, RelKind::Index { table, .. } if cx.existed_before(table))
            }
            // Not known to the model: it may be gone already (`IF EXISTS`).
            None => !if_exists && !cx.catalog.knows(Ns::Relation, index),
        })
        .map(|i| i.to_string())
        .collect();
    if blocks.is_empty() {
        return Vec::new();
    }
    vec![Finding {
        code: RULE.code,
        range: cx.head(),
        message: format!(
            "`DROP INDEX {}` locks its table against reads and writes",
            blocks.join(", ")
        ),
        label: "without `CONCURRENTLY`".to_owned(),
        help: "drop it with `DROP INDEX CONCURRENTLY`, in a revision marked \
               `transaction: false`"
            .to_owned(),
    }]
}
