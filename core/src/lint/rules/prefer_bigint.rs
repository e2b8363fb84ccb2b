//! `prefer-bigint` (off by default).

use super::Rule;
use super::style::declared;
use crate::codes::Code;
use crate::lint::{Context, Finding, Level};

/// ## What it does
/// Finds columns declared as 32- or 16-bit integers.
///
/// ## Why is this bad?
/// A growing table runs out of them, and changing a large table's key type later rewrites it.
///
/// ## Example
/// ```sql
/// CREATE TABLE events (id serial PRIMARY KEY);
/// ```
///
/// ## Use instead
/// ```sql
/// CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
/// ```
pub(super) const RULE: Rule = Rule {
    code: Code::PreferBigint,
    default: Level::Allow,
    check,
};

fn check(cx: &Context) -> Vec<Finding> {
    declared(cx)
        .into_iter()
        .filter(|c| {
            matches!(
                c.ty.as_str(),
                "int"
                    | "integer"
                    | "int4"
                    | "int2"
                    | "smallint"
                    | "serial"
                    | "serial4"
                    | "smallserial"
                    | "serial2"
            )
        })
        .map(|c| Finding {
            code: RULE.code,
            message: format!("column `{}` is a 32-bit integer", c.name),
            range: c.range,
            label: format!("`{}`", c.ty),
            help: "use `bigint`".to_owned(),
        })
        .collect()
}
