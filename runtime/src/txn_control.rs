//! The check that a transactional migration's SQL leaves its transaction, and the message it
//! travels in, alone.
//!
//! A transactional migration and its version-table row are sent as one message inside one
//! transaction: a `COMMIT` or `ROLLBACK` in the SQL would end that transaction part-way, and
//! the row would be written in another; a string, quoted name or comment left open at its end
//! would take in the row's INSERT after it. The build's checks refuse such SQL
//! (`txn-control`, `sql-unterminated`); a set made in code did not pass them, so a run checks
//! again before anything runs, with the same lexer and classification.

use retort_core::Migration;
use retort_core::codes::Code;
use retort_core::sql::{lex, txn};

use crate::error::Error;
use crate::migrator::Direction;

/// Refuses the first of `migrations` whose `section` begins, ends or prepares a transaction,
/// or ends inside an unterminated token.
pub(crate) fn refuse<'a>(
    migrations: impl IntoIterator<Item = &'a Migration>,
    section: Direction,
) -> Result<(), Error> {
    for m in migrations {
        let sql = match section {
            Direction::Up => m.up_sql(),
            Direction::Down => m.down_sql().unwrap_or_default(),
        };
        let toks = lex::tokenize(sql);
        if toks.iter().any(|t| t.unterminated) {
            return Err(Error::plan(
                Code::SqlUnterminated,
                format!(
                    "the {section} section of `{}` ({}) ends inside a string, quoted name or \
                     comment that is never closed. Close it",
                    m.revision(),
                    m.path()
                ),
            ));
        }
        if let Some(what) = control(sql, &toks) {
            return Err(Error::plan(
                Code::TxnControl,
                format!(
                    "`{what}` in the {section} section of `{}` ({}): retort runs a transactional \
                     migration in a transaction of its own, with its version-table row, and a \
                     `{what}` inside would end it part-way. Remove it, or mark the migration \
                     `-- transaction: false`",
                    m.revision(),
                    m.path()
                ),
            ));
        }
    }
    Ok(())
}

/// The first statement of `sql` (its tokens `toks`) that begins, ends or prepares a
/// transaction.
fn control(sql: &str, toks: &[lex::Tok]) -> Option<&'static str> {
    for stmt in lex::split_tokens(sql, toks) {
        let from = toks.partition_point(|t| t.range.start < stmt.range.start);
        let to = toks.partition_point(|t| t.range.start < stmt.range.end);
        let toks = &toks[from..to];
        // Only a statement whose first word can start one is classified: the others cost
        // no more than the split.
        let first = toks.iter().find(|t| !t.is_trivia());
        let word = first.map_or("", |t| &sql[t.range.clone()]);
        if ![
            "begin", "start", "commit", "end", "rollback", "abort", "prepare",
        ]
        .iter()
        .any(|w| word.eq_ignore_ascii_case(w))
        {
            continue;
        }
        if let Some(txn::TxnNeed::Control(what)) = txn::classify(sql, toks) {
            return Some(what);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn control(sql: &str) -> Option<&'static str> {
        super::control(sql, &lex::tokenize(sql))
    }

    #[test]
    fn transaction_control_is_found_and_nothing_else() {
        assert_eq!(control("CREATE TABLE t ();\nCOMMIT;"), Some("COMMIT"));
        assert_eq!(control("select 1; begin; select 2"), Some("BEGIN"));
        assert_eq!(control("/* x */ Rollback"), Some("ROLLBACK"));
        assert_eq!(control("END;"), Some("COMMIT"));
        assert_eq!(
            control("PREPARE TRANSACTION 'x'"),
            Some("PREPARE TRANSACTION")
        );
        for fine in [
            "SAVEPOINT a; ROLLBACK TO SAVEPOINT a; RELEASE a;",
            "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;",
            "DO $$ BEGIN COMMIT; END $$;",
            "SELECT 'commit'; -- commit",
            "PREPARE q AS SELECT 1;",
            "",
        ] {
            assert_eq!(control(fine), None, "{fine}");
        }
    }
}
