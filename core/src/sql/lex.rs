//! Tokens of PostgreSQL SQL, and the split of a section into statements.
//!
//! The split follows psql: a `;` ends a statement unless it is inside parentheses, a string, a
//! quoted identifier, a comment, a dollar-quoted body, or the `BEGIN ATOMIC … END` body of a
//! `CREATE FUNCTION`/`CREATE PROCEDURE`.

use std::ops::Range;

use squawk_lexer::{LiteralKind, TokenKind};

/// What kind of token, as far as retort cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokKind {
    /// Spaces, tabs, newlines.
    Whitespace,
    /// `-- …` to the end of the line.
    LineComment,
    /// `/* … */`.
    BlockComment,
    /// A keyword or unquoted identifier (PostgreSQL folds these to lower case).
    Word,
    /// `"…"`.
    QuotedIdent,
    /// A string, bit string or dollar-quoted literal.
    String,
    /// A number.
    Number,
    /// `$1`.
    Param,
    /// `;`.
    Semi,
    /// `(`.
    OpenParen,
    /// `)`.
    CloseParen,
    /// One character of an operator or other punctuation.
    Punct,
    /// A character PostgreSQL does not accept here.
    Unknown,
}

/// A token: its kind, its byte range, and whether it is unterminated (a string, quoted
/// identifier or comment that runs to the end of the text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tok {
    /// The kind.
    pub kind: TokKind,
    /// Byte range in the text given to [`tokenize`].
    pub range: Range<usize>,
    /// Runs to the end of the input without its closing delimiter.
    pub unterminated: bool,
}

impl Tok {
    /// Whitespace or a comment: not part of a statement's meaning.
    pub fn is_trivia(&self) -> bool {
        matches!(
            self.kind,
            TokKind::Whitespace | TokKind::LineComment | TokKind::BlockComment
        )
    }
}

/// Splits `text` into tokens; the ranges cover the text exactly.
pub fn tokenize(text: &str) -> Vec<Tok> {
    let mut pos = 0usize;
    let mut out = Vec::new();
    for t in squawk_lexer::tokenize(text) {
        let len = t.len as usize;
        let (kind, unterminated) = match t.kind {
            TokenKind::Whitespace => (TokKind::Whitespace, false),
            TokenKind::LineComment => (TokKind::LineComment, false),
            TokenKind::BlockComment { terminated } => (TokKind::BlockComment, !terminated),
            TokenKind::Ident => (TokKind::Word, false),
            TokenKind::QuotedIdent { terminated, .. } => (TokKind::QuotedIdent, !terminated),
            TokenKind::Literal { kind } => match kind {
                LiteralKind::Int { .. } | LiteralKind::Numeric { .. } => (TokKind::Number, false),
                LiteralKind::Str { terminated }
                | LiteralKind::NationalStr { terminated }
                | LiteralKind::ByteStr { terminated }
                | LiteralKind::BitStr { terminated }
                | LiteralKind::DollarQuotedString { terminated }
                | LiteralKind::UnicodeEscStr { terminated }
                | LiteralKind::EscStr { terminated } => (TokKind::String, !terminated),
            },
            TokenKind::PositionalParam { .. } => (TokKind::Param, false),
            TokenKind::Semi => (TokKind::Semi, false),
            TokenKind::OpenParen => (TokKind::OpenParen, false),
            TokenKind::CloseParen => (TokKind::CloseParen, false),
            TokenKind::Unknown => (TokKind::Unknown, false),
            TokenKind::Eof => break,
            _ => (TokKind::Punct, false),
        };
        out.push(Tok {
            kind,
            range: pos..pos + len,
            unterminated,
        });
        pos += len;
    }
    out
}

/// One statement of a section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// From the statement's first token to its `;` included (or its last token when the
    /// section ends without one), relative to the text given to [`split`].
    pub range: Range<usize>,
    /// Whether it ends with `;`.
    pub terminated: bool,
    /// Set when the statement is preceded by a `-- retort:unchecked <reason>` comment: the
    /// reason, and the comment's range.
    pub unchecked: Option<(String, Range<usize>)>,
}

/// The marker comment that exempts the next statement from the syntax check.
pub const UNCHECKED_MARKER: &str = "retort:unchecked";

fn word_is(text: &str, tok: &Tok, word: &str) -> bool {
    tok.kind == TokKind::Word && text[tok.range.clone()].eq_ignore_ascii_case(word)
}

/// Splits a section into statements, as psql does (see the module docs).
///
/// Trivia between statements (comments, blank lines) belongs to no statement. A lone `;` is
/// an empty statement and is dropped, as PostgreSQL does.
pub fn split(text: &str) -> Vec<Statement> {
    split_tokens(text, &tokenize(text))
}

/// [`split`] over tokens already made by [`tokenize`] of the same text.
pub fn split_tokens(text: &str, toks: &[Tok]) -> Vec<Statement> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None; // index of the first significant token
    let mut last_sig = 0usize;
    let mut depth = 0i32;
    let mut begin_depth = 0i32;
    let mut routine = false; // CREATE [OR REPLACE] FUNCTION/PROCEDURE
    let mut sig_count = 0usize;
    let mut pending_unchecked: Option<(String, Range<usize>)> = None;
    let mut unchecked: Option<(String, Range<usize>)> = None;

    for (i, tok) in toks.iter().enumerate() {
        if tok.is_trivia() {
            if start.is_none() && tok.kind == TokKind::LineComment {
                let body = text[tok.range.clone()].trim_start_matches('-').trim();
                if let Some(rest) = body.strip_prefix(UNCHECKED_MARKER) {
                    pending_unchecked = Some((rest.trim().to_owned(), tok.range.clone()));
                }
            }
            continue;
        }
        if start.is_none() {
            if tok.kind == TokKind::Semi {
                pending_unchecked = None;
                continue;
            }
            start = Some(i);
            unchecked = pending_unchecked.take();
            sig_count = 0;
            routine = false;
        }
        sig_count += 1;
        last_sig = i;
        match tok.kind {
            TokKind::OpenParen => depth += 1,
            TokKind::CloseParen => depth -= 1,
            TokKind::Word => {
                // `CREATE [OR REPLACE] FUNCTION|PROCEDURE` within the first four words.
                if sig_count <= 4
                    && (word_is(text, tok, "function") || word_is(text, tok, "procedure"))
                    && word_is(text, &toks[start.unwrap_or(i)], "create")
                {
                    routine = true;
                }
                if routine && depth == 0 {
                    if word_is(text, tok, "begin")
                        || (begin_depth > 0 && word_is(text, tok, "case"))
                    {
                        begin_depth += 1;
                    } else if begin_depth > 0 && word_is(text, tok, "end") {
                        begin_depth -= 1;
                    }
                }
            }
            TokKind::Semi if depth <= 0 && begin_depth <= 0 => {
                let first = start.take().unwrap_or(i);
                out.push(Statement {
                    range: toks[first].range.start..tok.range.end,
                    terminated: true,
                    unchecked: unchecked.take(),
                });
                depth = 0;
                begin_depth = 0;
            }
            _ => {}
        }
    }
    if let Some(first) = start {
        out.push(Statement {
            range: toks[first].range.start..toks[last_sig].range.end,
            terminated: false,
            unchecked,
        });
    }
    out
}

/// The words of a statement that carry meaning, lower-cased: keywords and unquoted
/// identifiers, skipping trivia, for recognising statement kinds.
pub fn words<'t>(text: &'t str, toks: &'t [Tok]) -> impl Iterator<Item = (String, &'t Tok)> + 't {
    toks.iter()
        .filter(|t| !t.is_trivia())
        .map(move |t| (text[t.range.clone()].to_ascii_lowercase(), t))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(sql: &str) -> Vec<&str> {
        split(sql).into_iter().map(|s| &sql[s.range]).collect()
    }

    #[test]
    fn splits_on_top_level_semicolons() {
        assert_eq!(
            texts("CREATE TABLE a (x int);\n-- c\nINSERT INTO a VALUES (';');  ;\nSELECT 1"),
            vec![
                "CREATE TABLE a (x int);",
                "INSERT INTO a VALUES (';');",
                "SELECT 1"
            ]
        );
    }

    #[test]
    fn keeps_dollar_bodies_and_comments_whole() {
        let sql = "CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END $$ LANGUAGE plpgsql;\n\
                   /* a; b */ DO $body$ BEGIN PERFORM 1; END $body$;";
        assert_eq!(texts(sql).len(), 2);
    }

    #[test]
    fn begin_atomic_bodies_hold_semicolons() {
        let sql = "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql\n\
                   BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END;\nSELECT 3;";
        let t = texts(sql);
        assert_eq!(t.len(), 2, "{t:?}");
        assert!(t[0].ends_with("END;"));
    }

    #[test]
    fn transaction_begin_is_not_a_block() {
        assert_eq!(texts("BEGIN; SELECT 1; COMMIT;").len(), 3);
    }

    #[test]
    fn unchecked_marker_applies_to_the_next_statement_only() {
        let sql = "-- retort:unchecked parser gap in X\nFOO BAR;\nSELECT 1;";
        let s = split(sql);
        assert_eq!(s[0].unchecked.as_ref().unwrap().0, "parser gap in X");
        assert!(s[1].unchecked.is_none());
    }

    #[test]
    fn unterminated_last_statement() {
        let s = split("SELECT 1; SELECT 2");
        assert!(s[0].terminated);
        assert!(!s[1].terminated);
    }
}
