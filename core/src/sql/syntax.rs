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
    check_statement_keeping(sql).0
}

/// A statement's parse, kept by the SQL check for the schema model.
pub type StatementParse = squawk_syntax::Parse<squawk_syntax::SourceFile>;

/// [`check_statement`], also returning the parse when the parser found no error (even if
/// retort's own checks did), so that the schema model need not parse the statement again.
pub fn check_statement_keeping(sql: &str) -> (Option<SyntaxError>, Option<StatementParse>) {
    let result = std::panic::catch_unwind(|| {
        let parse = squawk_syntax::SourceFile::parse(sql);
        match parse.errors().into_iter().next() {
            Some(e) => {
                let r = e.range();
                let range = usize::from(r.start())..usize::from(r.end());
                let error = match unknown_statement(sql, &range, e.message()) {
                    Some(better) => better,
                    None => SyntaxError {
                        message: humanize(e.message()),
                        range,
                    },
                };
                (Some(error), None)
            }
            None => (super::gaps::find_gap(&parse.syntax_node()), Some(parse)),
        }
    });
    match result {
        Ok(checked) => checked,
        Err(_) => (
            Some(SyntaxError {
                message: "the SQL parser failed on this statement (a bug in retort's parser)"
                    .into(),
                range: 0..0,
            }),
            None,
        ),
    }
}

/// "expected command" at the very start: the statement's first words are no statement
/// PostgreSQL knows. Say so, and underline those words.
fn unknown_statement(sql: &str, range: &Range<usize>, message: &str) -> Option<SyntaxError> {
    let lead = sql.len() - sql.trim_start().len();
    if !message.starts_with("expected command") || range.start > lead {
        return None;
    }
    let mut words = sql[lead..]
        .split(|c: char| c.is_whitespace() || c == ';' || c == '(')
        .filter(|w| !w.is_empty());
    let first = words.next()?;
    let (text, len) = match words.next() {
        Some(second) => {
            let end = sql[lead..]
                .find(second)
                .map_or(first.len(), |i| i + second.len());
            (format!("{first} {second}"), end)
        }
        None => (first.to_owned(), first.len()),
    };
    Some(SyntaxError {
        message: format!("PostgreSQL has no statement that starts `{text}`"),
        range: lead..lead + len,
    })
}

/// Turns the parser's token names into what a person reads: `CREATE_KW` → `` `CREATE` ``,
/// `R_PAREN` → `` `)` ``, `column_name` → `column name`.
fn humanize(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.is_empty() {
            return;
        }
        let punct = match word.as_str() {
            "L_PAREN" => Some("("),
            "R_PAREN" => Some(")"),
            "L_BRACK" => Some("["),
            "R_BRACK" => Some("]"),
            "COMMA" => Some(","),
            "SEMICOLON" => Some(";"),
            "DOT" => Some("."),
            "EQ" => Some("="),
            "STAR" => Some("*"),
            "COLON" => Some(":"),
            _ => None,
        };
        if let Some(p) = punct {
            out.push('`');
            out.push_str(p);
            out.push('`');
        } else if let Some(kw) = word.strip_suffix("_KW") {
            out.push('`');
            out.push_str(kw);
            out.push('`');
        } else if word == "IDENT" {
            out.push_str("a name");
        } else if word.chars().all(|c| c.is_ascii_uppercase() || c == '_') && word.len() > 1 {
            out.push_str(&word.to_ascii_lowercase().replace('_', " "));
        } else {
            out.push_str(&word.replace('_', " "));
        }
        word.clear();
    };
    for c in message.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
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
    fn messages_name_tokens_as_written() {
        assert_eq!(
            humanize("expected R_PAREN, found CREATE_KW"),
            "expected `)`, found `CREATE`"
        );
        assert_eq!(humanize("expected column_name"), "expected column name");
        assert_eq!(humanize("expected IDENT"), "expected a name");
        let e = check_statement("  CREATE TABEL x (id int);").unwrap();
        assert_eq!(
            e.message,
            "PostgreSQL has no statement that starts `CREATE TABEL`"
        );
        assert_eq!(e.range, 2..14);
    }

    #[test]
    fn errors_have_positions() {
        let sql = "ALTER TABLE t DROP CONSTRAINT c\nALTER TABLE t ADD x int;";
        let e = check_statement(sql).unwrap();
        assert_eq!(e.range.start, 31, "{e:?}");
    }
}
