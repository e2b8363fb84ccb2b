//! The syntax check of one statement: squawk's PostgreSQL parser, plus our own checks for
//! the truncated statements it lets through.

use std::ops::Range;

/// A syntax error in a statement: what, and where (a byte range of the statement's text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// What the parser expected or found, in words.
    pub message: String,
    /// Where, relative to the statement's text.
    pub range: Range<usize>,
}

/// Parses one statement as PostgreSQL and returns its first syntax error, if any.
///
/// Only the first error is kept: after one, a parser's further complaints are mostly echoes.
/// A panic inside the parser is caught and returned as an error that says so, so that a
/// parser bug can never crash the build (the `retort:unchecked` marker gets past it).
pub fn check_statement(sql: &str) -> Option<SyntaxError> {
    let result = std::panic::catch_unwind(|| {
        let parse = squawk_syntax::SourceFile::parse(sql);
        match parse.errors().into_iter().next() {
            Some(e) => {
                let r = e.range();
                Some(SyntaxError {
                    message: e.message().replace('_', " "),
                    range: usize::from(r.start())..usize::from(r.end()),
                })
            }
            None => super::gaps::find_gap(&parse.syntax_node()),
        }
    });
    match result {
        Ok(first) => first,
        Err(_) => Some(SyntaxError {
            message: "the SQL parser failed on this statement (a bug in retort's parser)".into(),
            range: 0..0,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_statements_pass() {
        for sql in [
            "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, x text);",
            "CREATE INDEX i ON t (x) WHERE x IS NOT NULL;",
            "DO $$ BEGIN RAISE NOTICE 'hi'; END $$;",
            "COMMENT ON FUNCTION f(int, text) IS 'x';",
            "ALTER SEQUENCE s RESTART WITH 10;",
        ] {
            assert_eq!(check_statement(sql), None, "{sql}");
        }
    }

    #[test]
    fn errors_have_positions() {
        let sql = "ALTER TABLE t DROP CONSTRAINT c\nALTER TABLE t ADD x int;";
        let e = check_statement(sql).unwrap();
        assert_eq!(e.range.start, 31, "{e:?}");
    }
}
