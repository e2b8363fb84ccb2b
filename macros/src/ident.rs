//! Rust names for SQL names: the modules, fields and constants of the typed schema.
//!
//! A SQL name (as PostgreSQL holds it: folded to lower case unless it was quoted) becomes:
//!
//! - **a module or field name**: the name itself when it is a Rust identifier; a keyword
//!   becomes a raw identifier (`type` → `r#type`); `self`, `super`, `crate`, `Self` and `_`,
//!   which cannot be raw, get a trailing underscore (`self_`). Otherwise each character that
//!   cannot be in an identifier is replaced: other ASCII characters (space, `-`, `.`, …) by `_`,
//!   others by `_u` and their code point in hex (`é` → `_ue9`); a leading digit gets a `_`
//!   before it. So `first name` → `first_name`, `2fa` → `_2fa`, `café` → `caf_ue9`.
//! - **a constant name**: the same, upper-cased (ASCII only): `email` → `EMAIL`; names the
//!   table module itself uses (`TABLE`, `COLUMNS`) get a trailing underscore (a column named
//!   `table` is `TABLE_`).
//!
//! Two SQL names that become the same Rust name (`first name` and `first_name`; `Email` and
//! `email` as constants) are a compile error naming both, never one silently hiding the other.

/// Rust's strict and reserved keywords (edition 2024), which need `r#`.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers, and `_`.
const NOT_RAW: &[&str] = &["self", "super", "crate", "Self", "_"];

/// Constant names the table module defines itself.
pub const RESERVED_CONSTS: &[&str] = &["TABLE", "COLUMNS"];

/// The identifier characters of `name`: kept when ASCII alphanumeric or `_`, the rest
/// escaped; a `_` before a leading digit.
fn stem(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else if c.is_ascii() {
            out.push('_');
        } else {
            out.push_str(&format!("_u{:x}", u32::from(c)));
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// The module or field name for `name`, as Rust source text (`r#type` for a keyword).
pub fn snake(name: &str) -> String {
    let s = stem(name);
    if NOT_RAW.contains(&s.as_str()) {
        format!("{s}_")
    } else if KEYWORDS.contains(&s.as_str()) {
        format!("r#{s}")
    } else {
        s
    }
}

/// The constant name for a column named `name`.
pub fn upper(name: &str) -> String {
    let s = stem(name).to_ascii_uppercase();
    // `_` alone is no identifier; upper-case names are never keywords.
    if s == "_" || RESERVED_CONSTS.contains(&s.as_str()) {
        format!("{s}_")
    } else {
        s
    }
}

/// Each name of `names` that maps under `map` to the Rust name of an earlier one: that
/// earlier name, the name, and the Rust name, in the order of `names`.
pub fn collisions<'a>(
    names: impl IntoIterator<Item = &'a str>,
    map: impl Fn(&str) -> String,
) -> Vec<(&'a str, &'a str, String)> {
    let mut seen = std::collections::HashMap::new();
    let mut found = Vec::new();
    for name in names {
        let rust = map(name);
        match seen.get(&rust) {
            Some(first) => found.push((*first, name, rust)),
            None => {
                seen.insert(rust, name);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_stay_and_keywords_become_raw() {
        check(
            snake,
            &[
                ("email", "email"),
                ("Email", "Email"),
                ("_private", "_private"),
                ("type", "r#type"),
                ("gen", "r#gen"),
                ("async", "r#async"),
                ("union", "union"),
                ("self", "self_"),
                ("super", "super_"),
                ("crate", "crate_"),
                ("Self", "Self_"),
                ("_", "__"),
            ],
        );
    }

    /// `map` gives each case's Rust name.
    fn check(map: fn(&str) -> String, cases: &[(&str, &str)]) {
        for (sql, rust) in cases {
            assert_eq!(map(sql), *rust, "{sql:?}");
        }
    }

    #[test]
    fn other_characters_are_escaped() {
        check(
            snake,
            &[
                ("first name", "first_name"),
                ("e-mail", "e_mail"),
                ("a.b", "a_b"),
                ("2fa", "_2fa"),
                ("café", "caf_ue9"),
                ("日付", "_u65e5_u4ed8"),
                ("-", "__"),
                ("\"q\"", "_q_"),
            ],
        );
    }

    #[test]
    fn every_result_is_a_rust_identifier() {
        for sql in [
            "email", "type", "self", "Self", "_", "-", "2fa", "café", "a b", "x$y", "fn", "日付",
        ] {
            let rust = snake(sql);
            assert!(
                syn::parse_str::<syn::Ident>(&rust).is_ok(),
                "{sql:?} -> {rust:?} is not an identifier"
            );
            let c = upper(sql);
            assert!(
                syn::parse_str::<syn::Ident>(&c).is_ok(),
                "{sql:?} -> {c:?} is not an identifier"
            );
        }
    }

    #[test]
    fn constants_are_upper_case_and_avoid_the_modules_own() {
        check(
            upper,
            &[
                ("email", "EMAIL"),
                ("created_at", "CREATED_AT"),
                ("type", "TYPE"),
                ("self", "SELF"),
                ("table", "TABLE_"),
                ("columns", "COLUMNS_"),
                ("name", "NAME"),
                ("café", "CAF_UE9"),
                ("_", "__"),
            ],
        );
    }

    #[test]
    fn collisions_name_both() {
        assert_eq!(
            collisions(["id", "first name", "first_name", "first-name"], snake),
            [
                ("first name", "first_name", "first_name".to_owned()),
                ("first name", "first-name", "first_name".to_owned())
            ]
        );
        assert_eq!(
            collisions(["Email", "email"], upper),
            [("Email", "email", "EMAIL".to_owned())]
        );
        assert!(collisions(["Email", "email"], snake).is_empty());
        assert!(collisions(["a", "b"], upper).is_empty());
    }
}
