//! `prefer-timestamptz` (off by default).

use super::Rule;
use super::style::declared;
use crate::codes::Code;
use crate::lint::{Context, Finding, Level};

/// ## What it does
/// Finds columns declared `timestamp` without a time zone.
///
/// ## Why is this bad?
/// The same instant reads differently from sessions in different time zones, and converting later rewrites the table.
///
/// ## Example
/// ```sql
/// CREATE TABLE events (at timestamp NOT NULL);
/// ```
///
/// ## Use instead
/// ```sql
/// CREATE TABLE events (at timestamptz NOT NULL);
/// ```
pub(super) const RULE: Rule = Rule {
    code: Code::PreferTimestamptz,
    default: Level::Allow,
    check,
};

fn check(cx: &Context) -> Vec<Finding> {
    declared(cx)
        .into_iter()
        .filter(|c| {
            (c.ty.starts_with("timestamp")
                && !c.ty.contains("with time zone")
                && !c.ty.starts_with("timestamptz"))
                || c.ty.contains("without time zone")
        })
        .map(|c| Finding {
            code: RULE.code,
            message: format!("column `{}` is `timestamp` without a time zone", c.name),
            range: c.range,
            label: format!("`{}`", c.ty),
            help: "use `timestamptz`".to_owned(),
        })
        .collect()
}
