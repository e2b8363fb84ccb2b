//! `prefer-text` (off by default).

use super::Rule;
use super::style::declared;
use crate::codes::Code;
use crate::lint::{Context, Finding, Level};

/// ## What it does
/// Finds columns declared `varchar(n)`.
///
/// ## Why is this bad?
/// The limit is rarely a rule of the data, and lowering it rewrites the table.
///
/// ## Example
/// ```sql
/// CREATE TABLE users (name varchar(100));
/// ```
///
/// ## Use instead
/// ```sql
/// CREATE TABLE users (name text CHECK (char_length(name) <= 100));
/// ```
pub(super) const RULE: Rule = Rule {
    code: Code::PreferText,
    default: Level::Allow,
    check,
};

fn check(cx: &Context) -> Vec<Finding> {
    declared(cx)
        .into_iter()
        .filter(|c| {
            (c.ty.starts_with("varchar") || c.ty.starts_with("character varying"))
                && c.ty.contains("(")
        })
        .map(|c| Finding {
            code: RULE.code,
            message: format!("column `{}` is `varchar(n)`", c.name),
            range: c.range,
            label: format!("`{}`", c.ty),
            help: "use `text`, with a `CHECK (char_length(col) <= n)` if the limit matters"
                .to_owned(),
        })
        .collect()
}
