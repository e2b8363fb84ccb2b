//! `prefer-identity` (off by default).

use super::Rule;
use super::style::declared;
use crate::codes::Code;
use crate::lint::{Context, Finding, Level};

/// ## What it does
/// Finds columns declared `serial`, `bigserial` or `smallserial`.
///
/// ## Why is this bad?
/// A serial's sequence is a separate object with its own permissions; identity columns are the standard's form, owned by the column.
///
/// ## Example
/// ```sql
/// CREATE TABLE users (id bigserial PRIMARY KEY);
/// ```
///
/// ## Use instead
/// ```sql
/// CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
/// ```
pub(super) const RULE: Rule = Rule {
    code: Code::PreferIdentity,
    default: Level::Allow,
    check,
};

fn check(cx: &Context) -> Vec<Finding> {
    declared(cx)
        .into_iter()
        .filter(|c| c.ty.trim_end_matches(char::is_numeric).ends_with("serial"))
        .map(|c| Finding {
            code: RULE.code,
            message: format!("column `{}` is a serial", c.name),
            range: c.range,
            label: format!("`{}`", c.ty),
            help: "use `bigint GENERATED ALWAYS AS IDENTITY`".to_owned(),
        })
        .collect()
}
