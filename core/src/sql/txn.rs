//! Statements that PostgreSQL refuses to run inside a transaction block.

use super::lex::{Tok, TokKind};

/// What a statement does to the surrounding transaction, if anything retort must know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxnNeed {
    /// PostgreSQL refuses it inside a transaction block; the string names the statement.
    OutsideOnly(&'static str),
    /// It begins or ends a transaction itself (`BEGIN`, `COMMIT`, …).
    Control(&'static str),
}

/// Classifies one statement from its tokens (as made by [`super::lex::tokenize`] of `text`).
///
/// Conservative: a statement is flagged only when PostgreSQL refuses it in a transaction
/// block whatever its options, so a flag is never a false alarm.
pub fn classify(text: &str, toks: &[Tok]) -> Option<TxnNeed> {
    let sig: Vec<&Tok> = toks
        .iter()
        .filter(|t| !t.is_trivia() && t.kind != TokKind::Semi)
        .collect();
    let word = |i: usize| -> String {
        sig.get(i)
            .filter(|t| t.kind == TokKind::Word)
            .map(|t| text[t.range.clone()].to_ascii_lowercase())
            .unwrap_or_default()
    };
    let words: Vec<String> = (0..sig.len()).map(word).collect();
    let w = |i: usize| words.get(i).map(String::as_str).unwrap_or("");
    let has = |s: &str| words.iter().any(|x| x == s);
    let has_pair = |a: &str, b: &str| words.windows(2).any(|p| p[0] == a && p[1] == b);

    use TxnNeed::*;
    match (w(0), w(1)) {
        ("create", "index") if w(2) == "concurrently" => {
            Some(OutsideOnly("CREATE INDEX CONCURRENTLY"))
        }
        ("create", "unique") if w(2) == "index" && w(3) == "concurrently" => {
            Some(OutsideOnly("CREATE INDEX CONCURRENTLY"))
        }
        ("drop", "index") if w(2) == "concurrently" => Some(OutsideOnly("DROP INDEX CONCURRENTLY")),
        ("reindex", _) => {
            // REINDEX [ ( option, … ) ] { INDEX | TABLE | SCHEMA | DATABASE | SYSTEM } [ CONCURRENTLY ] name
            let conc = words.iter().enumerate().any(|(i, x)| {
                x == "concurrently"
                    && !matches!(w(i + 1), "false" | "off")
                    && sig.get(i + 1).is_none_or(|t| &text[t.range.clone()] != "0")
            });
            // The object kind: the first word after the optional option list.
            let mut depth = 0;
            let kind = sig[1..].iter().zip(&words[1..]).find_map(|(t, word)| {
                match t.kind {
                    TokKind::OpenParen => depth += 1,
                    TokKind::CloseParen => depth -= 1,
                    _ if depth == 0 => return Some(word.as_str()),
                    _ => {}
                }
                None
            });
            match kind {
                _ if conc => Some(OutsideOnly("REINDEX CONCURRENTLY")),
                Some("system") => Some(OutsideOnly("REINDEX SYSTEM")),
                Some("database") => Some(OutsideOnly("REINDEX DATABASE")),
                _ => None,
            }
        }
        ("vacuum", _) => Some(OutsideOnly("VACUUM")),
        ("create", "database") => Some(OutsideOnly("CREATE DATABASE")),
        ("drop", "database") => Some(OutsideOnly("DROP DATABASE")),
        ("alter", "database") if has_pair("set", "tablespace") => {
            Some(OutsideOnly("ALTER DATABASE … SET TABLESPACE"))
        }
        ("create", "tablespace") => Some(OutsideOnly("CREATE TABLESPACE")),
        ("drop", "tablespace") => Some(OutsideOnly("DROP TABLESPACE")),
        ("alter", "system") => Some(OutsideOnly("ALTER SYSTEM")),
        ("cluster", _) => {
            // Only the form without a table: CLUSTER [VERBOSE] or CLUSTER ( options ).
            let mut depth = 0;
            let rest = sig[1..].iter().filter(|t| {
                match t.kind {
                    TokKind::OpenParen => depth += 1,
                    TokKind::CloseParen => {
                        depth -= 1;
                        return false;
                    }
                    _ => {}
                }
                depth == 0 && !text[t.range.clone()].eq_ignore_ascii_case("verbose")
            });
            (rest.count() == 0).then_some(OutsideOnly("CLUSTER without a table"))
        }
        ("alter", "table") if has_pair("detach", "partition") && has("concurrently") => {
            Some(OutsideOnly("ALTER TABLE … DETACH PARTITION … CONCURRENTLY"))
        }
        ("create", "subscription") if !has("create_slot") && !has("connect") => Some(OutsideOnly(
            "CREATE SUBSCRIPTION (it creates a replication slot)",
        )),
        ("begin", _) | ("start", "transaction") => Some(Control("BEGIN")),
        ("commit", "prepared") => Some(OutsideOnly("COMMIT PREPARED")),
        ("rollback", "prepared") => Some(OutsideOnly("ROLLBACK PREPARED")),
        ("prepare", "transaction") => Some(Control("PREPARE TRANSACTION")),
        ("commit", _) | ("end", _) => Some(Control("COMMIT")),
        ("rollback", _) if has("to") => None,
        ("rollback", _) | ("abort", _) => Some(Control("ROLLBACK")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::lex::tokenize;

    fn c(sql: &str) -> Option<TxnNeed> {
        classify(sql, &tokenize(sql))
    }

    #[test]
    fn refused_in_a_transaction() {
        for (sql, what) in [
            (
                "CREATE INDEX CONCURRENTLY i ON t (x);",
                "CREATE INDEX CONCURRENTLY",
            ),
            (
                "create unique index concurrently if not exists i on t (x)",
                "CREATE INDEX CONCURRENTLY",
            ),
            ("DROP INDEX CONCURRENTLY i;", "DROP INDEX CONCURRENTLY"),
            ("REINDEX INDEX CONCURRENTLY i;", "REINDEX CONCURRENTLY"),
            ("REINDEX (CONCURRENTLY) TABLE t;", "REINDEX CONCURRENTLY"),
            ("REINDEX DATABASE db;", "REINDEX DATABASE"),
            ("REINDEX SYSTEM;", "REINDEX SYSTEM"),
            ("VACUUM ANALYZE t;", "VACUUM"),
            ("CREATE DATABASE x;", "CREATE DATABASE"),
            ("DROP DATABASE IF EXISTS x;", "DROP DATABASE"),
            (
                "ALTER DATABASE x SET TABLESPACE y;",
                "ALTER DATABASE … SET TABLESPACE",
            ),
            ("ALTER SYSTEM SET work_mem = '1MB';", "ALTER SYSTEM"),
            ("CLUSTER;", "CLUSTER without a table"),
            ("CLUSTER VERBOSE;", "CLUSTER without a table"),
            (
                "ALTER TABLE p DETACH PARTITION c CONCURRENTLY;",
                "ALTER TABLE … DETACH PARTITION … CONCURRENTLY",
            ),
        ] {
            assert_eq!(c(sql), Some(TxnNeed::OutsideOnly(what)), "{sql}");
        }
    }

    #[test]
    fn allowed_in_a_transaction() {
        for sql in [
            "CREATE INDEX i ON t (concurrently);",
            "REINDEX TABLE t;",
            "REINDEX (CONCURRENTLY false) TABLE t;",
            "CLUSTER t USING i;",
            "ALTER DATABASE x SET search_path = a;",
            "ALTER TYPE mood ADD VALUE 'meh';",
            "ALTER TABLE p DETACH PARTITION c;",
            "SAVEPOINT a;",
            "ROLLBACK TO SAVEPOINT a;",
            "SELECT 'VACUUM';",
            "CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p WITH (create_slot = false);",
        ] {
            assert_eq!(c(sql), None, "{sql}");
        }
    }

    #[test]
    fn transaction_control() {
        assert_eq!(c("BEGIN;"), Some(TxnNeed::Control("BEGIN")));
        assert_eq!(
            c("START TRANSACTION ISOLATION LEVEL SERIALIZABLE;"),
            Some(TxnNeed::Control("BEGIN"))
        );
        assert_eq!(c("COMMIT;"), Some(TxnNeed::Control("COMMIT")));
        assert_eq!(c("END;"), Some(TxnNeed::Control("COMMIT")));
        assert_eq!(c("ROLLBACK;"), Some(TxnNeed::Control("ROLLBACK")));
    }
}
