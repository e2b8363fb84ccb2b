//! `lock-without-timeout`.

use squawk_syntax::ast;

use super::Rule;
use crate::codes::Code;
use crate::lint::{Context, Finding, Level, sql};
use crate::schema::catalog::{Ns, QName, RelKind, qname};

/// ## What it does
/// Finds a statement that takes an ACCESS EXCLUSIVE lock on a table that existed before the
/// revision (most `ALTER TABLE` forms, `DROP TABLE`, `TRUNCATE`, `LOCK TABLE`, `DROP
/// INDEX`) when neither the migration (`SET lock_timeout`, or `SET LOCAL lock_timeout` in
/// a transactional revision, before it) nor the runner (`statement_lock_timeout`) sets a
/// lock timeout.
///
/// ## Why is this bad?
/// The lock waits for every running query on the table; meanwhile every new query on the
/// table queues behind it. A quick `ADD COLUMN` becomes an outage.
///
/// ## Example
/// ```sql
/// ALTER TABLE users ADD COLUMN nickname text;
/// ```
///
/// ## Use instead
/// ```sql
/// SET LOCAL lock_timeout = '5s';
/// ALTER TABLE users ADD COLUMN nickname text;
/// ```
pub(super) const RULE: Rule = Rule {
    code: Code::LockWithoutTimeout,
    default: Level::Warn,
    check,
};

fn check(cx: &Context) -> Vec<Finding> {
    if cx.settings.runner_lock_timeout || cx.revision.lock_timeout {
        return Vec::new();
    }
    let Some(table) = locked_table(cx) else {
        return Vec::new();
    };
    let what = match cx.catalog.table(&table) {
        Some(_) => format!("`{table}`"),
        None if matches!(cx.stmt, ast::Stmt::DropIndex(_)) => format!("the table of `{table}`"),
        None => format!("`{table}`"),
    };
    vec![Finding {
        code: RULE.code,
        range: cx.head(),
        message: format!("waits for an exclusive lock on {what} with no lock timeout"),
        label: "every query on the table queues behind this lock".to_owned(),
        help: "write `SET LOCAL lock_timeout = '5s';` before it (`SET lock_timeout` in a \
               `transaction: false` revision), or set `statement_lock_timeout` in retort.toml"
            .to_owned(),
    }]
}

/// The existing table the statement locks ACCESS EXCLUSIVE, if it does.
fn locked_table(cx: &Context) -> Option<QName> {
    use ast::Stmt as S;
    let existing = |names: Vec<QName>| {
        names
            .into_iter()
            .find(|t| cx.existed_before(t) && cx.maybe_table(t))
    };
    match cx.stmt {
        S::AlterTable(_) => {
            let (s, table) = cx.alter_existing()?;
            s.actions().any(|a| exclusive(&a)).then_some(table)
        }
        S::DropTable(s) => existing(
            s.table_name_refs()
                .filter_map(|r| qname(&sql::text(&r)))
                .collect(),
        ),
        S::Truncate(s) => existing(sql::truncated(s)),
        S::Lock(s) => {
            let words = sql::words(s);
            let mode_given = words.iter().any(|w| w == "mode");
            let exclusive = !mode_given || sql::has_seq(&words, &["access", "exclusive"]);
            exclusive.then(|| existing(sql::locked(s)))?
        }
        S::DropIndex(s) if s.concurrently_token().is_none() => {
            let if_exists = s.if_exists().is_some();
            let tables = s
                .index_refs()
                .filter_map(|r| qname(&sql::text(&r)))
                .filter_map(|i| match cx.catalog.relations.get(&i).map(|o| &o.value) {
                    Some(RelKind::Index { table, .. }) => Some(table.clone()),
                    Some(_) => None,
                    // An index the model does not know: it may be gone (`IF EXISTS`), and its
                    // table is not known either; the message names the index.
                    None => (!if_exists && !cx.catalog.knows(Ns::Relation, &i)).then_some(i),
                })
                .collect();
            existing(tables)
        }
        _ => None,
    }
}

/// Whether an `ALTER TABLE` action takes ACCESS EXCLUSIVE (the few that take a weaker lock
/// are listed; anything else is assumed to take the strongest, as most forms do).
fn exclusive(a: &ast::AlterTableAction) -> bool {
    use ast::AlterTableAction as A;
    match a {
        // SHARE UPDATE EXCLUSIVE or SHARE ROW EXCLUSIVE.
        A::ValidateConstraint(_)
        | A::AlterConstraint(_)
        | A::ClusterOn(_)
        | A::SetWithoutCluster(_)
        | A::AttachPartition(_)
        | A::SetOptions(_)
        | A::ResetOptions(_)
        | A::EnableTrigger(_)
        | A::DisableTrigger(_)
        | A::EnableAlwaysTrigger(_)
        | A::EnableReplicaTrigger(_) => false,
        A::AddConstraint(ac) => !matches!(
            ac.constraint(),
            Some(ast::Constraint::ForeignKeyConstraint(_))
        ),
        A::AlterColumn(ac) => {
            !matches!(ac.option(), Some(ast::AlterColumnOption::SetStatistics(_)))
        }
        _ => true,
    }
}
