//! [`Checksum`]: a digest of what a migration means, not of its bytes.

use std::fmt;

use sha2::{Digest, Sha256};

use crate::sql::lex::{TokKind, tokenize};

/// SHA-256 over the SQL's tokens, without comments and whitespace.
///
/// Reformatting, re-indenting, changing comments, changing the case of keywords or unquoted
/// identifiers, or checking a file out with CRLF line endings leaves the checksum alone;
/// changing a string literal, a quoted identifier, a number, a dollar-quoted body or any word
/// changes it.
///
/// ```
/// use retort_core::Checksum;
///
/// let a = Checksum::of_sql("CREATE TABLE t (id int); -- first");
/// let b = Checksum::of_sql("create table t (\n    id INT\n);");
/// assert_eq!(a, b);
/// assert_ne!(a, Checksum::of_sql("CREATE TABLE t (id bigint);"));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Checksum([u8; 32]);

/// Separates two tokens in the digest input.
const SEP: u8 = 0x1f;
/// Marks that two punctuation characters were written apart (`< -` is not `<-`).
const APART: u8 = 0x1e;

impl Checksum {
    /// The checksum of a piece of SQL (see the type's docs).
    pub fn of_sql(sql: &str) -> Self {
        let sql = sql.strip_prefix('\u{feff}').unwrap_or(sql);
        let mut hasher = Sha256::new();
        let mut prev_punct = false;
        let mut gap = false;
        for tok in tokenize(sql) {
            if tok.is_trivia() {
                gap = true;
                continue;
            }
            let text = &sql[tok.range.clone()];
            let punct = tok.kind == TokKind::Punct;
            if punct && prev_punct && gap {
                hasher.update([APART]);
            }
            match tok.kind {
                // PostgreSQL folds unquoted words to lower case (ASCII only in UTF-8).
                TokKind::Word => hasher.update(text.to_ascii_lowercase().as_bytes()),
                // A string's text is data; keep it byte for byte, but never let a CRLF
                // checkout change it.
                _ if text.contains('\r') => hasher.update(text.replace("\r\n", "\n").as_bytes()),
                _ => hasher.update(text.as_bytes()),
            }
            hasher.update([SEP]);
            prev_punct = punct;
            gap = false;
        }
        Checksum(hasher.finalize().into())
    }

    /// The checksum of a Rust data migration's source: SHA-256 over its tokens without
    /// comments and layout ([`crate::rust_source::normalized`]), so that `rustfmt`, edited
    /// comments or a CRLF checkout leave it alone and any edited token changes it. It never
    /// equals the checksum of SQL.
    ///
    /// ```
    /// use retort_core::Checksum;
    /// let a = Checksum::of_rust("pub fn up(tx: &mut T) -> R { Ok(()) } // done");
    /// let b = Checksum::of_rust("pub fn up(\n    tx: &mut T,\n) -> R {\n    Ok(())\n}\n");
    /// assert_ne!(a, b); // the trailing comma after `tx: &mut T` is a token
    /// assert_eq!(a, Checksum::of_rust("pub fn up(tx:&mut T)->R{Ok(())}"));
    /// assert_ne!(a, Checksum::of_sql("pub fn up(tx: &mut T) -> R { Ok(()) }"));
    /// ```
    pub fn of_rust(src: &str) -> Self {
        let src = src.strip_prefix('\u{feff}').unwrap_or(src);
        let mut hasher = Sha256::new();
        hasher.update(b"rust\0");
        match crate::rust_source::normalized(src) {
            Some(text) => hasher.update(text.as_bytes()),
            // The compiler refuses such a file; it is never applied, so any stable digest do.
            None => hasher.update(src.replace("\r\n", "\n").as_bytes()),
        }
        Checksum(hasher.finalize().into())
    }

    /// Wraps 32 bytes computed elsewhere (the macro's output, the version table).
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Checksum(bytes)
    }

    /// The 32 bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Lower-case hexadecimal, 64 characters.
    pub fn to_hex(&self) -> String {
        crate::digest::to_hex(&self.0)
    }

    /// Parses 64 hexadecimal characters, as written by [`Checksum::to_hex`].
    pub fn from_hex(hex: &str) -> Option<Self> {
        crate::digest::from_hex(hex).map(Checksum)
    }
}

impl fmt::Debug for Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Checksum({})", self.to_hex())
    }
}

impl fmt::Display for Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_comments_case_and_crlf_do_not_count() {
        let a = Checksum::of_sql("ALTER TABLE \"User\" ADD COLUMN email text; -- why\n");
        for same in [
            "alter table \"User\" add column EMAIL TEXT;",
            "/* c */ ALTER TABLE \"User\"\r\n  ADD COLUMN email text;",
            "\u{feff}ALTER TABLE \"User\" ADD COLUMN email text;",
        ] {
            assert_eq!(a, Checksum::of_sql(same), "{same}");
        }
    }

    #[test]
    fn literals_quoted_names_and_words_count() {
        let a = Checksum::of_sql("INSERT INTO t VALUES ('a b'); ALTER TABLE \"User\" ADD x int;");
        for other in [
            "INSERT INTO t VALUES ('a  b'); ALTER TABLE \"User\" ADD x int;",
            "INSERT INTO t VALUES ('A b'); ALTER TABLE \"User\" ADD x int;",
            "INSERT INTO t VALUES ('a b'); ALTER TABLE \"user\" ADD x int;",
            "INSERT INTO t VALUES ('a b'); ALTER TABLE \"User\" ADD y int;",
            "INSERT INTO t VALUES ('a b'); ALTER TABLE \"User\" ADD x int",
        ] {
            assert_ne!(a, Checksum::of_sql(other), "{other}");
        }
    }

    #[test]
    fn operators_written_apart_differ() {
        assert_ne!(
            Checksum::of_sql("SELECT a <- b"),
            Checksum::of_sql("SELECT a < - b")
        );
        assert_eq!(
            Checksum::of_sql("SELECT a<b"),
            Checksum::of_sql("SELECT a < b")
        );
    }

    #[test]
    fn hex_round_trip() {
        let c = Checksum::of_sql("SELECT 1");
        assert_eq!(Checksum::from_hex(&c.to_hex()), Some(c));
        assert_eq!(Checksum::from_hex("zz"), None);
        assert_eq!(
            Checksum::from_hex(&c.to_hex().to_uppercase()),
            Some(c),
            "either case"
        );
        let mut signed = c.to_hex();
        signed.replace_range(0..1, "+");
        assert_eq!(Checksum::from_hex(&signed), None, "digits only");
        let mut wide = c.to_hex();
        wide.replace_range(0..2, "é");
        assert_eq!(Checksum::from_hex(&wide), None);
    }
}
