//! The header of a migration file: the leading run of `-- key: value` lines.
//!
//! The keys ([`KEYS`]):
//!
//! - `revision: <id>` (required): the file's revision id, the start of its name.
//! - `down_revision: <parent>` (required): the parent revision, `none` for a first
//!   migration, or a comma-separated list for a merge.
//! - `message: <text>`: what the migration does (default: the file name's slug).
//! - `transaction: true|false`: whether the migration runs in a transaction (default `true`).
//! - `irreversible: <reason>`: the migration cannot be reverted and has no down section.
//! - `lossy_down: <reason>`: the down section does not bring the schema back to what it was
//!   before the up section, on purpose; the reversibility check of the schema model is off
//!   for this revision alone. A reason is required, and the key cannot be combined with
//!   `irreversible` (there is no down section to excuse).
//! - `replaces: <first>..<last>`: the file is a squash checkpoint, a root whose up builds the
//!   schema at `<last>` from nothing, standing for `<last>` and all its ancestors
//!   (`<first>` is their root); see [`crate::checkpoint`].
//!
//! - `environments: dev, test`: the migration runs only where the runner's environment is one
//!   of these (elsewhere it is recorded as skipped); it must not change the schema.
//!
//! A Rust data migration (`<rev>_<slug>.rs`) writes the same keys as `// key: value` lines;
//! `transaction: false`, `lossy_down` and `replaces` do not apply to it.

use std::ops::Range;

/// The keys a header may hold.
pub const KEYS: &[&str] = &[
    "revision",
    "down_revision",
    "message",
    "transaction",
    "irreversible",
    "lossy_down",
    "replaces",
    "environments",
];

/// What one line of a migration file looks like, before any meaning is given to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineShape {
    /// Empty or only whitespace.
    Blank,
    /// `-- key: value`, with the byte ranges (in the file) of the key and of the trimmed value.
    KeyValue {
        /// The key's range.
        key: Range<usize>,
        /// The value's range, trimmed (empty when there is no value).
        value: Range<usize>,
    },
    /// `-- migrate:up` or `-- migrate:down` (`up` is `true` for the first).
    Marker {
        /// Which section it starts.
        up: bool,
    },
    /// `-- migrate:<something else>`: a marker with a typo; the range of what follows `:`.
    BadMarker(Range<usize>),
    /// Any other `--` comment.
    Comment,
    /// Anything else: SQL.
    Other,
}

/// The language of a migration file, which decides how its header lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// `<rev>_<slug>.sql`: `-- key: value` lines and `-- migrate:` markers.
    Sql,
    /// `<rev>_<slug>.rs`, a Rust data migration: `// key: value` lines, no markers.
    Rust,
}

impl Syntax {
    /// The syntax of a file by its name (`.rs` or anything else).
    pub fn of_name(name: &str) -> Self {
        if name.ends_with(".rs") {
            Syntax::Rust
        } else {
            Syntax::Sql
        }
    }

    /// The file name extension, with its dot.
    pub fn extension(self) -> &'static str {
        match self {
            Syntax::Sql => ".sql",
            Syntax::Rust => ".rs",
        }
    }

    /// What starts a comment line: `--` or `//`.
    pub fn comment(self) -> &'static str {
        match self {
            Syntax::Sql => "--",
            Syntax::Rust => "//",
        }
    }
}

/// Classifies the line `text[range]` (without its newline) of a SQL file.
pub fn line_shape(text: &str, range: Range<usize>) -> LineShape {
    line_shape_in(text, range, Syntax::Sql)
}

/// Classifies the line `text[range]` (without its newline) of a file in `syntax`. In Rust,
/// doc comments (`///`, `//!`) are code, not header lines, and there are no markers.
pub fn line_shape_in(text: &str, range: Range<usize>, syntax: Syntax) -> LineShape {
    let line = &text[range.clone()];
    let trimmed_start = line.len() - line.trim_start().len();
    let body = line.trim();
    if body.is_empty() {
        return LineShape::Blank;
    }
    let Some(after_dashes) = body.strip_prefix(syntax.comment()) else {
        return LineShape::Other;
    };
    if syntax == Syntax::Rust && (after_dashes.starts_with('/') || after_dashes.starts_with('!')) {
        return LineShape::Other;
    }
    // Offset of `after_dashes` in the file.
    let base = range.start + trimmed_start + 2;
    let lead = after_dashes.len() - after_dashes.trim_start().len();
    let rest = &after_dashes[lead..];
    let key_len = rest
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    if key_len == 0 || !rest[key_len..].trim_start().starts_with(':') {
        return LineShape::Comment;
    }
    let key_start = base + lead;
    let key = &rest[..key_len];
    let colon = key_len + (rest[key_len..].len() - rest[key_len..].trim_start().len());
    let after_colon = &rest[colon + 1..];
    let value_lead = after_colon.len() - after_colon.trim_start().len();
    let value_start = key_start + colon + 1 + value_lead;
    let value = after_colon.trim();
    let value_range = value_start..value_start + value.len();
    if key == "migrate" && syntax == Syntax::Sql {
        return match value {
            "up" => LineShape::Marker { up: true },
            "down" => LineShape::Marker { up: false },
            _ => LineShape::BadMarker(value_range),
        };
    }
    LineShape::KeyValue {
        key: key_start..key_start + key_len,
        value: value_range,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(line: &str) -> LineShape {
        line_shape(line, 0..line.len())
    }

    #[test]
    fn shapes() {
        assert_eq!(shape("   "), LineShape::Blank);
        assert_eq!(
            shape("-- down_revision: 001, 002 "),
            LineShape::KeyValue {
                key: 3..16,
                value: 18..26
            }
        );
        assert_eq!(
            shape("--message:x"),
            LineShape::KeyValue {
                key: 2..9,
                value: 10..11
            }
        );
        assert_eq!(shape("-- migrate:up"), LineShape::Marker { up: true });
        assert_eq!(shape("--  migrate : down"), LineShape::Marker { up: false });
        assert_eq!(shape("-- migrate:upp"), LineShape::BadMarker(11..14));
        assert_eq!(shape("-- This adds: a column"), LineShape::Comment);
        assert_eq!(shape("-- plain comment"), LineShape::Comment);
        assert_eq!(shape("ALTER TABLE t ADD x int;"), LineShape::Other);
    }
}
