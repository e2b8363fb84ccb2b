//! The rules, one file each, and their registry [`RULES`]. A rule is a function from a
//! [`Context`] to the [`Finding`]s of its lint; it never reports a table created in the
//! same revision (except the style rules, which are about any column) and never changes
//! anything.

mod add_column_rewrites_table;
mod ban_drop_column;
mod column_type_rewrites_table;
mod constraint_scans_table;
mod create_index_blocks_writes;
mod drop_index_blocks_table;
mod lock_without_timeout;
mod prefer_bigint;
mod prefer_identity;
mod prefer_text;
mod prefer_timestamptz;
mod required_column_without_default;
mod set_not_null_scans_table;
mod style;
mod unique_blocks_writes;
mod validate_in_same_transaction;

use super::{Context, Finding, Level};
use crate::codes::Code;

/// A lint: its code, its level unless configured, and its check.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    /// The lint's code.
    pub code: Code,
    /// Its level when configuration does not say.
    pub default: Level,
    /// What it finds on one statement.
    pub check: fn(&Context) -> Vec<Finding>,
}

/// Every rule, the default set first, then the style rules (off by default).
pub static RULES: &[Rule] = &[
    create_index_blocks_writes::RULE,
    drop_index_blocks_table::RULE,
    constraint_scans_table::RULE,
    validate_in_same_transaction::RULE,
    set_not_null_scans_table::RULE,
    unique_blocks_writes::RULE,
    column_type_rewrites_table::RULE,
    add_column_rewrites_table::RULE,
    required_column_without_default::RULE,
    lock_without_timeout::RULE,
    prefer_bigint::RULE,
    prefer_text::RULE,
    prefer_identity::RULE,
    prefer_timestamptz::RULE,
    ban_drop_column::RULE,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::Family;

    #[test]
    fn every_lint_code_has_one_rule() {
        for &code in Code::ALL.iter().filter(|c| c.family() == Family::Lint) {
            assert_eq!(RULES.iter().filter(|r| r.code == code).count(), 1, "{code}");
        }
        assert_eq!(
            RULES.len(),
            Code::ALL
                .iter()
                .filter(|c| c.family() == Family::Lint)
                .count()
        );
    }
}
