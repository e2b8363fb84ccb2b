//! `column-type-rewrites-table`.

use squawk_syntax::ast;

use super::Rule;
use crate::codes::Code;
use crate::lint::{Context, Finding, Level, sql};
use crate::schema::catalog::{normalize_type, simple_name};

/// ## What it does
/// Finds `ALTER COLUMN … TYPE` on a table that existed before the revision, when the new
/// type is not binary-coercible from the old one (as `varchar(n)` to `varchar(m > n)` or
/// `text`, or `numeric(p,s)` to `numeric(q > p,s)` are).
///
/// ## Why is this bad?
/// The table and its indexes are rewritten under an ACCESS EXCLUSIVE lock.
///
/// ## Example
/// ```sql
/// ALTER TABLE events ALTER COLUMN id TYPE bigint;
/// ```
///
/// ## Use instead
/// A new column of the new type, filled in batches, switched over in a later revision.
pub(super) const RULE: Rule = Rule {
    code: Code::ColumnTypeRewritesTable,
    default: Level::Warn,
    check,
};

fn check(cx: &Context) -> Vec<Finding> {
    cx.on_existing_table_actions(|a, table| {
        let ast::AlterTableAction::AlterColumn(ac) = a else {
            return None;
        };
        let Some(ast::AlterColumnOption::SetType(st)) = ac.option() else {
            return None;
        };
        let (Some(column), Some(ty)) = (
            ac.column_name_ref()
                .and_then(|r| simple_name(&sql::text(&r))),
            st.ty(),
        ) else {
            return None;
        };
        // The old type must be known: the model's certainty, or silence.
        let old = cx
            .table(table)
            .filter(|t| t.columns_known)
            .and_then(|t| t.column(&column))
            .map(|c| c.ty.clone())?;
        let new = normalize_type(&sql::text(&ty));
        let zone_change = is_zone_change(&old, &new);
        // `USING col` (or `USING col::new`) converts as no `USING` does.
        let plain = st.using_expr().and_then(|u| u.expr()).is_none_or(|e| {
            let text = sql::text(&e);
            let (name, cast) = match text.split_once("::") {
                Some((n, c)) => (n, Some(normalize_type(c))),
                None => (text.as_str(), None),
            };
            simple_name(name.trim()).as_deref() == Some(column.as_str())
                && cast.is_none_or(|c| c == new)
        });
        if plain && (coercible(&old, &new) || (zone_change && cx.revision.utc)) {
            return None;
        }
        let help = if zone_change {
            "write `SET LOCAL timezone = 'UTC';` before it: PostgreSQL 12+ then changes the \
             type without a rewrite"
        } else {
            "add a column of the new type, fill it in batches and switch over in a later \
             revision"
        };
        Some(Finding {
            code: RULE.code,
            range: cx.span(&ac),
            message: format!(
                "changing `{column}` from `{old}` to `{new}` rewrites `{table}` under an \
                 exclusive lock"
            ),
            label: "rewrites every row".to_owned(),
            help: help.to_owned(),
        })
    })
}

/// `timestamp` to `timestamptz` or back (same precision): no rewrite when the session's
/// time zone is UTC.
fn is_zone_change(old: &str, new: &str) -> bool {
    let flip = |t: &str| {
        t.replace("without time zone", "\u{0}")
            .replace("with time zone", "without time zone")
            .replace('\u{0}', "with time zone")
    };
    old.starts_with("timestamp") && new.starts_with("timestamp") && flip(old) == new
}

/// Whether PostgreSQL changes `old` to `new` without touching a row.
pub(super) fn coercible(old: &str, new: &str) -> bool {
    if old == new {
        return true;
    }
    if let (Some(o), Some(n)) = (old.strip_suffix("[]"), new.strip_suffix("[]")) {
        return coercible(o, n);
    }
    let (obase, omod) = split(old);
    let (nbase, nmod) = split(new);
    match (obase, nbase) {
        ("varchar" | "text", "text") => true,
        ("varchar", "varchar") | ("bit varying", "bit varying") => match (omod, nmod) {
            (_, None) => true,
            (Some(o), Some(n)) => n.first() >= o.first(),
            (None, Some(_)) => false,
        },
        ("text", "varchar") => nmod.is_none(),
        ("numeric", "numeric") => match (omod.as_deref(), nmod.as_deref()) {
            (_, None) => true,
            (Some([op, os]), Some([np, ns])) => ns == os && np >= op,
            (Some([op]), Some([np, 0]))
            | (Some([op, 0]), Some([np]))
            | (Some([op]), Some([np])) => np >= op,
            _ => false,
        },
        ("cidr", "inet") => true,
        _ => false,
    }
}

/// `varchar(10)` → (`varchar`, `[10]`); the base names PostgreSQL's synonyms share.
fn split(ty: &str) -> (&str, Option<Vec<u32>>) {
    let (base, modifier) = match ty.split_once('(') {
        Some((b, rest)) => {
            let nums = rest
                .trim_end_matches(')')
                .split(',')
                .map(|n| n.trim().parse().ok())
                .collect::<Option<Vec<u32>>>();
            (b.trim(), nums)
        }
        None => (ty.trim(), None),
    };
    let base = match base {
        "character varying" => "varchar",
        "decimal" => "numeric",
        "varbit" => "bit varying",
        b => b,
    };
    (base, modifier)
}

#[cfg(test)]
mod tests {
    use super::coercible;
    use crate::schema::catalog::normalize_type as n;

    #[test]
    fn widening_is_quiet_and_narrowing_or_changing_is_not() {
        let c = |a: &str, b: &str| coercible(&n(a), &n(b));
        assert!(c("varchar(10)", "varchar(20)"));
        assert!(c("character varying(10)", "text"));
        assert!(c("varchar(10)", "varchar"));
        assert!(c("numeric(10,2)", "numeric(12,2)"));
        assert!(c("numeric(10,2)", "numeric"));
        assert!(c("text[]", "text[]"));
        assert!(c("cidr", "inet"));
        assert!(!c("varchar(20)", "varchar(10)"));
        assert!(!c("numeric(10,2)", "numeric(12,3)"));
        assert!(!c("integer", "bigint"));
        assert!(!c("timestamp", "timestamptz"));
        assert!(!c("text", "varchar(10)"));
    }
}
