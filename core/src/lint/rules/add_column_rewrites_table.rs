//! `add-column-rewrites-table`.

use squawk_syntax::ast;

use super::Rule;
use crate::codes::Code;
use crate::lint::{Context, Finding, Level, sql};

/// ## What it does
/// Finds `ADD COLUMN` on a table that existed before the revision with a value computed row
/// by row: a volatile default (`random()`, `clock_timestamp()`, `gen_random_uuid()`,
/// `nextval(…)`), a `serial` type, an identity, a stored generated column.
///
/// ## Why is this bad?
/// PostgreSQL 11+ stores a constant or stable default without touching the rows; a
/// volatile one rewrites the table under an ACCESS EXCLUSIVE lock.
///
/// ## Example
/// ```sql
/// ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();
/// ```
///
/// ## Use instead
/// ```sql
/// ALTER TABLE users ADD COLUMN token uuid;
/// ALTER TABLE users ALTER COLUMN token SET DEFAULT gen_random_uuid();
/// -- then fill the existing rows in batches
/// ```
pub(super) const RULE: Rule = Rule {
    code: Code::AddColumnRewritesTable,
    default: Level::Warn,
    check,
};

/// Functions PostgreSQL marks volatile that defaults use.
const VOLATILE: &[&str] = &[
    "random",
    "clock_timestamp",
    "timeofday",
    "gen_random_uuid",
    "uuid_generate_v1",
    "uuid_generate_v1mc",
    "uuid_generate_v4",
    "uuidv4",
    "uuidv7",
    "nextval",
    "txid_current",
    "setseed",
];

fn check(cx: &Context) -> Vec<Finding> {
    cx.on_existing_table_actions(|a, table| {
        let ast::AlterTableAction::AddColumn(ac) = a else {
            return None;
        };
        let why = rewrite_reason(&ac)?;
        Some(Finding {
            code: RULE.code,
            range: cx.span(&ac),
            message: format!("adding this column rewrites `{table}` under an exclusive lock"),
            label: why,
            help: "add the column without a default (or with a constant one), set the default \
                   in a second statement, and fill the existing rows in batches"
                .to_owned(),
        })
    })
}

/// Why the column's value must be computed for every existing row, if it must.
fn rewrite_reason(ac: &ast::AddColumn) -> Option<String> {
    let ty = ac.ty().map(|t| sql::text(&t).to_lowercase());
    if let Some(ty) = ty
        && matches!(
            ty.trim(),
            "serial" | "serial4" | "bigserial" | "serial8" | "smallserial" | "serial2"
        )
    {
        return Some(format!("`{}` fills every row from a sequence", ty.trim()));
    }
    for c in ac.constraints() {
        match c {
            ast::Constraint::DefaultConstraint(d) => {
                let words = sql::words(&d);
                let call = words
                    .windows(2)
                    .find(|w| w[1] == "(" && VOLATILE.contains(&w[0].as_str()));
                if let Some(w) = call {
                    return Some(format!("`{}()` is volatile: computed for every row", w[0]));
                }
            }
            ast::Constraint::GeneratedConstraint(g) => {
                let words = sql::words(&g);
                if words.iter().any(|w| w == "identity") {
                    return Some("an identity fills every row from a sequence".to_owned());
                }
                if words.iter().any(|w| w == "stored") {
                    return Some("a stored generated column is computed for every row".to_owned());
                }
            }
            _ => {}
        }
    }
    None
}
