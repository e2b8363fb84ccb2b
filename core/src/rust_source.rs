//! What retort reads of a Rust data migration's source (`migrations/<rev>_<slug>.rs`): its
//! tokens without comments or layout, for the checksum, and where its `pub fn up` and
//! `pub fn down` are.
//!
//! This is a lexer, not a parser: the compiler reads the file when `migrations!()` includes
//! it and reports its errors itself. The lexer only has to know what is a comment, what is
//! a literal and where a word ends, so that a reformat (`rustfmt`, a CRLF checkout, edited
//! comments) never changes a checksum and every edited token does.

use std::ops::Range;

/// One token of Rust source: a word (identifier, keyword, number), a literal (string, byte
/// string, raw string, character) or one punctuation character; comments and whitespace
/// are not tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// What kind of token.
    pub kind: TokenKind,
    /// Its byte range in the source.
    pub range: Range<usize>,
}

/// The kinds of [`Token`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// An identifier, keyword, lifetime name or number: a run of `[0-9A-Za-z_]` and
    /// non-ASCII letters.
    Word,
    /// A string, byte string, C string, raw string or character literal, quotes included.
    Literal,
    /// One punctuation character (`{`, `:`, `&`, …).
    Punct,
}

/// A problem that makes the source unreadable as tokens: a literal or block comment that
/// is never closed. The compiler reports it too; the checksum and the search for `up` stop
/// there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unterminated {
    /// Where the literal or comment starts.
    pub at: usize,
    /// What is not closed: `"block comment"`, `"string literal"`, ….
    pub what: &'static str,
}

/// The tokens of `src`, or where an unclosed literal or comment starts.
///
/// ```
/// use retort_core::rust_source::{tokens, TokenKind};
/// let toks = tokens("pub fn up(/* x */) { \"a // b\" } // c").unwrap();
/// let text: Vec<&str> = toks.iter().map(|t| &"pub fn up(/* x */) { \"a // b\" } // c"[t.range.clone()]).collect();
/// assert_eq!(text, ["pub", "fn", "up", "(", ")", "{", "\"a // b\"", "}"]);
/// assert_eq!(toks[6].kind, TokenKind::Literal);
/// ```
pub fn tokens(src: &str) -> Result<Vec<Token>, Unterminated> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
        } else if src[i..].starts_with("//") {
            i = src[i..].find('\n').map_or(bytes.len(), |n| i + n);
        } else if src[i..].starts_with("/*") {
            i = block_comment_end(src, i).ok_or(Unterminated {
                at: start,
                what: "block comment",
            })?;
        } else if let Some(end) = raw_string_end(src, i)? {
            out.push(token(TokenKind::Literal, start..end));
            i = end;
        } else if let Some(quote) = string_start(src, i) {
            let end = quoted_end(src, quote, b'"').ok_or(Unterminated {
                at: start,
                what: "string literal",
            })?;
            out.push(token(TokenKind::Literal, start..end));
            i = end;
        } else if let Some(end) = (src[i..].starts_with("b'") && !word_before(src, i))
            .then(|| char_literal_end(src, i + 1))
            .flatten()
        {
            out.push(token(TokenKind::Literal, start..end));
            i = end;
        } else if c == b'\'' {
            match char_literal_end(src, i) {
                Some(end) => {
                    out.push(token(TokenKind::Literal, start..end));
                    i = end;
                }
                None => {
                    // A lifetime or a label: the quote, then its name as a word.
                    out.push(token(TokenKind::Punct, start..start + 1));
                    i += 1;
                }
            }
        } else if is_word_char(src, i) {
            while i < bytes.len() && is_word_char(src, i) {
                i += src[i..].chars().next().map_or(1, char::len_utf8);
            }
            out.push(token(TokenKind::Word, start..i));
        } else {
            let len = src[i..].chars().next().map_or(1, char::len_utf8);
            i += len;
            out.push(token(TokenKind::Punct, start..i));
        }
    }
    Ok(out)
}

fn token(kind: TokenKind, range: Range<usize>) -> Token {
    Token { kind, range }
}

fn is_word_char(src: &str, i: usize) -> bool {
    src[i..]
        .chars()
        .next()
        .is_some_and(|c| c == '_' || c.is_alphanumeric())
}

/// The end of the (nestable) block comment that starts at `i`.
fn block_comment_end(src: &str, mut i: usize) -> Option<usize> {
    let mut depth = 0usize;
    while i < src.len() {
        if src[i..].starts_with("/*") {
            depth += 1;
            i += 2;
        } else if src[i..].starts_with("*/") {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return Some(i);
            }
        } else {
            i += src[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    None
}

/// Where the opening `"` is when a (byte or C) string literal starts at `i`.
fn string_start(src: &str, i: usize) -> Option<usize> {
    let rest = &src[i..];
    if rest.starts_with('"') {
        Some(i)
    } else if (rest.starts_with("b\"") || rest.starts_with("c\"")) && !word_before(src, i) {
        Some(i + 1)
    } else {
        None
    }
}

/// Whether the byte before `i` continues a word (so `ab"…"` is not a byte string).
fn word_before(src: &str, i: usize) -> bool {
    src[..i]
        .chars()
        .next_back()
        .is_some_and(|c| c == '_' || c.is_alphanumeric())
}

/// The end of a raw string (`r"…"`, `r#"…"#`, `br##"…"##`, `cr"…"`) that starts at `i`;
/// `Ok(None)` when none starts there.
fn raw_string_end(src: &str, i: usize) -> Result<Option<usize>, Unterminated> {
    if word_before(src, i) {
        return Ok(None);
    }
    let rest = &src[i..];
    let after_prefix = if rest.starts_with("br") || rest.starts_with("cr") {
        2
    } else if rest.starts_with('r') {
        1
    } else {
        return Ok(None);
    };
    let hashes = rest[after_prefix..]
        .bytes()
        .take_while(|&b| b == b'#')
        .count();
    if !rest[after_prefix + hashes..].starts_with('"') {
        return Ok(None);
    }
    let body = i + after_prefix + hashes + 1;
    let close = format!("\"{}", "#".repeat(hashes));
    match src[body..].find(&close) {
        Some(n) => Ok(Some(body + n + close.len())),
        None => Err(Unterminated {
            at: i,
            what: "raw string literal",
        }),
    }
}

/// The end of a literal quoted with `quote_char` whose opening quote is at `open`, escapes
/// (`\"`, `\\`) included.
fn quoted_end(src: &str, open: usize, quote_char: u8) -> Option<usize> {
    let bytes = src.as_bytes();
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote_char => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// The end of a character literal whose quote is at `open`, or `None` when the quote starts
/// a lifetime or label (`'a`, `'static`, `'outer:`).
fn char_literal_end(src: &str, open: usize) -> Option<usize> {
    let rest = &src[open + 1..];
    if rest.starts_with('\\') {
        return quoted_end(src, open, b'\'');
    }
    let c = rest.chars().next()?;
    let after = open + 1 + c.len_utf8();
    src[after..].starts_with('\'').then_some(after + 1)
}

/// The text the checksum of a Rust migration is computed over: its tokens, with one space
/// between two words or literals and between two punctuation characters that were written
/// apart where together they would be one operator (`& &` is not `&&`, `: &` is `:&`); comments and layout are not in it, and a CRLF checkout does not
/// change a literal. `None` when the source has an unclosed literal or comment.
pub fn normalized(src: &str) -> Option<String> {
    let toks = tokens(src).ok()?;
    let mut out = String::with_capacity(src.len());
    let mut prev: Option<&Token> = None;
    for t in &toks {
        if let Some(p) = prev {
            let apart = match (p.kind, t.kind) {
                (TokenKind::Punct, TokenKind::Punct) => {
                    p.range.end < t.range.start
                        && JOINED.contains(&[
                            src.as_bytes()[p.range.start],
                            src.as_bytes()[t.range.start],
                        ])
                }
                (TokenKind::Punct, _) | (_, TokenKind::Punct) => false,
                _ => true,
            };
            if apart {
                out.push(' ');
            }
        }
        let text = &src[t.range.clone()];
        if text.contains('\r') {
            out.push_str(&text.replace("\r\n", "\n"));
        } else {
            out.push_str(text);
        }
        prev = Some(t);
    }
    Some(out)
}

/// The pairs of punctuation characters that Rust reads as one operator when written together.
const JOINED: &[[u8; 2]] = &[
    *b"&&", *b"||", *b"::", *b"->", *b"=>", *b"==", *b"!=", *b"<=", *b">=", *b"<<", *b">>", *b"+=",
    *b"-=", *b"*=", *b"/=", *b"%=", *b"^=", *b"&=", *b"|=", *b"..", *b".=",
];

/// Where a Rust migration's functions are: the range of the name in `pub fn up` and
/// `pub fn down` at the top level of the file (not inside a module, impl or function).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Functions {
    /// `pub fn up`'s name.
    pub up: Option<Range<usize>>,
    /// `pub fn down`'s name.
    pub down: Option<Range<usize>>,
}

/// Finds `pub fn up` and `pub fn down` at the top level of `src`.
///
/// ```
/// use retort_core::rust_source::functions;
/// let src = "mod m { pub fn down() {} }\npub fn up(tx: &mut T) -> R { Ok(()) }";
/// let f = functions(src).unwrap();
/// assert_eq!(&src[f.up.unwrap()], "up");
/// assert_eq!(f.down, None);
/// ```
pub fn functions(src: &str) -> Result<Functions, Unterminated> {
    let toks = tokens(src)?;
    let mut out = Functions::default();
    let mut depth = 0usize;
    let text = |t: &Token| &src[t.range.clone()];
    for (k, t) in toks.iter().enumerate() {
        match text(t) {
            "{" | "(" | "[" if t.kind == TokenKind::Punct => depth += 1,
            "}" | ")" | "]" if t.kind == TokenKind::Punct => depth = depth.saturating_sub(1),
            "fn" if depth == 0 && t.kind == TokenKind::Word => {
                let public = k > 0 && text(&toks[k - 1]) == "pub";
                let Some(name) = toks.get(k + 1) else {
                    continue;
                };
                let slot = match text(name) {
                    "up" => &mut out.up,
                    "down" => &mut out.down,
                    _ => continue,
                };
                if public && slot.is_none() {
                    *slot = Some(name.range.clone());
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(src: &str) -> Vec<&str> {
        tokens(src)
            .unwrap()
            .iter()
            .map(|t| &src[t.range.clone()])
            .collect()
    }

    #[test]
    fn literals_keep_what_looks_like_comments() {
        assert_eq!(
            words(r##"x = r#"a " // b"# + "c /* d" + b"e" + '"' + 'f';"##),
            [
                "x",
                "=",
                r##"r#"a " // b"#"##,
                "+",
                "\"c /* d\"",
                "+",
                "b\"e\"",
                "+",
                "'\"'",
                "+",
                "'f'",
                ";"
            ]
        );
    }

    #[test]
    fn lifetimes_are_not_char_literals() {
        assert_eq!(
            words("fn f<'a>(x: &'a str) -> char { '\\'' }"),
            [
                "fn", "f", "<", "'", "a", ">", "(", "x", ":", "&", "'", "a", "str", ")", "-", ">",
                "char", "{", "'\\''", "}"
            ]
        );
    }

    #[test]
    fn nested_block_comments_end_where_they_close() {
        assert_eq!(words("a /* b /* c */ d */ e"), ["a", "e"]);
        assert_eq!(
            tokens("a /* b /* c */ d").unwrap_err(),
            Unterminated {
                at: 2,
                what: "block comment"
            }
        );
    }

    #[test]
    fn unclosed_literals_are_reported_where_they_open() {
        assert_eq!(tokens("let s = \"abc").unwrap_err().at, 8);
        assert_eq!(tokens("let s = r#\"abc\"").unwrap_err().at, 8);
    }

    #[test]
    fn a_reformat_keeps_the_normalized_text_and_an_edit_changes_it() {
        let a = "pub fn up(tx: &mut T) -> R {\n    tx.execute(\"UPDATE t SET a = 1\", &[])?; // why\n    Ok(())\n}\n";
        let b = "// header\r\npub fn up( tx : &mut T ) -> R { tx.execute( \"UPDATE t SET a = 1\" , &[] )?;\r\n /* x */ Ok(()) }";
        assert_eq!(normalized(a), normalized(b));
        let c = a.replace("a = 1", "a = 2");
        assert_ne!(normalized(a), normalized(&c));
        // Words stay apart: `pub fn` is not `pubfn`.
        assert_ne!(normalized("pub fn up"), normalized("pubfn up"));
        assert_ne!(normalized("a && b"), normalized("a & & b"));
        assert_eq!(normalized("\"a\r\nb\""), normalized("\"a\nb\""));
    }

    #[test]
    fn finds_only_top_level_public_functions() {
        let src = "fn up() {}\nmod inner { pub fn down() {} }\nimpl X { pub fn up() {} }\npub fn down(tx: &mut T) {}";
        let f = functions(src).unwrap();
        assert_eq!(f.up, None);
        assert_eq!(f.down.map(|r| &src[r]), Some("down"));
    }
}
