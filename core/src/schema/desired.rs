//! The desired schema: a `schema.sql` of plain PostgreSQL DDL read into a [`Catalog`] by the
//! same lexer, parser and replay as a migration's up section (from an empty database), with
//! its errors as located diagnostics, and its `-- retort:renamed_from <old name>`
//! annotations read into [`Renames`].

use std::ops::Range;

use super::Parses;
use super::catalog::{Catalog, QName, qname, simple_name};
use super::diff::{Place, Rename, RenameKind, Renames};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::file::Section;
use crate::source::{FileId, Sources};
use crate::sql::lex::{self, Statement, Tok, TokKind};

/// The comment that declares a rename in the desired schema, followed by the old name.
pub const RENAMED_FROM_MARKER: &str = "retort:renamed_from";

/// What [`desired_schema`] read.
#[derive(Clone, Debug, Default)]
pub struct DesiredSchema {
    /// The schema the file creates.
    pub catalog: Catalog,
    /// Its rename annotations.
    pub renames: Renames,
    /// Its errors (syntax, what PostgreSQL would refuse, bad annotations) and warnings.
    pub diagnostics: Vec<Diagnostic>,
}

impl DesiredSchema {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Reads the desired schema in `file` of `sources`: checks its SQL as a migration's, replays
/// it from an empty catalog and reads its rename annotations.
pub fn desired_schema(sources: &Sources, file: FileId) -> DesiredSchema {
    let text = sources.get(file).text();
    let mut diagnostics = Vec::new();
    let mut parsed = Vec::new();
    let section = Section {
        marker: 0..0,
        body: 0..text.len(),
    };
    crate::check::check_section(file, text, &section, false, &mut parsed, &mut diagnostics);
    let mut parses: Parses = parsed.into_iter().collect();
    let mut catalog = Catalog::new();
    super::replay_plain(
        &mut catalog,
        file,
        0..text.len(),
        sources,
        &mut parses,
        &mut diagnostics,
    );
    let renames = read_renames(file, text, &mut diagnostics);
    diagnostics.sort_by_key(|d| d.span.as_ref().map_or(0, |s| s.range.start));
    DesiredSchema {
        catalog,
        renames,
        diagnostics,
    }
}

/// The rename annotations of `text`; a misplaced or empty one is an error.
fn read_renames(file: FileId, text: &str, diags: &mut Vec<Diagnostic>) -> Renames {
    let toks = lex::tokenize(text);
    if toks.iter().any(|t| t.unterminated) {
        return Renames::default();
    }
    let stmts = lex::split_tokens(text, &toks);
    let mut items = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        if t.kind != TokKind::LineComment {
            continue;
        }
        let body = text[t.range.clone()].trim_start_matches('-').trim();
        let Some(rest) = body.strip_prefix(RENAMED_FROM_MARKER) else {
            continue;
        };
        if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
            continue;
        }
        let old = rest.trim();
        let at = Place {
            file,
            range: t.range.clone(),
        };
        if old.is_empty() {
            diags.push(
                Diagnostic::error(
                    Code::AutogenBadAnnotation,
                    format!("`{RENAMED_FROM_MARKER}` needs the old name"),
                )
                .at(file, t.range.clone(), "no name given")
                .with_help(format!(
                    "write the name the object has at the head: `-- {RENAMED_FROM_MARKER} \
                         old_name`"
                )),
            );
            continue;
        }
        match annotated(text, &toks, &stmts, i, old) {
            Ok(kind) => items.push(Rename { kind, at: Some(at) }),
            Err(why) => diags.push(
                Diagnostic::error(
                    Code::AutogenBadAnnotation,
                    format!("`{RENAMED_FROM_MARKER}` {why}"),
                )
                .at(file, t.range.clone(), "annotation here")
                .with_help(
                    "put it on the line before the new name of a table (`CREATE TABLE`), a \
                         column (in its `CREATE TABLE`), an index (`CREATE INDEX`), a type \
                         (`CREATE TYPE`) or an enum value (in its `CREATE TYPE … AS ENUM`)",
                ),
            ),
        }
    }
    Renames { items }
}

/// The significant tokens of a statement.
fn significant<'t>(toks: &'t [Tok], range: &Range<usize>) -> Vec<&'t Tok> {
    toks.iter()
        .filter(|t| !t.is_trivia() && t.range.start >= range.start && t.range.end <= range.end)
        .collect()
}

/// What a statement creates, read from its first words: its kind (`table`, `index`, `type`)
/// and name, and the index of the first token after the name.
fn created(text: &str, toks: &[&Tok]) -> Option<(&'static str, QName, usize)> {
    let word = |k: usize| {
        toks.get(k)
            .filter(|t| t.kind == TokKind::Word)
            .map(|t| text[t.range.clone()].to_ascii_lowercase())
    };
    let mut k = 0;
    if word(k)? != "create" {
        return None;
    }
    k += 1;
    if word(k).as_deref() == Some("or") && word(k + 1).as_deref() == Some("replace") {
        k += 2;
    }
    while matches!(
        word(k).as_deref(),
        Some("unique" | "unlogged" | "temp" | "temporary")
    ) {
        k += 1;
    }
    let kind = match word(k)?.as_str() {
        "table" => "table",
        "index" => "index",
        "type" => "type",
        _ => return None,
    };
    k += 1;
    if word(k).as_deref() == Some("concurrently") {
        k += 1;
    }
    if word(k).as_deref() == Some("if")
        && word(k + 1).as_deref() == Some("not")
        && word(k + 2).as_deref() == Some("exists")
    {
        k += 3;
    }
    // The name: `a`, `"A"`, `s.a`.
    let start = k;
    let mut name = String::new();
    while let Some(t) = toks.get(k) {
        let s = &text[t.range.clone()];
        let part = matches!(t.kind, TokKind::Word | TokKind::QuotedIdent);
        let dot = t.kind == TokKind::Punct && s == ".";
        let expect_part = (k - start) % 2 == 0;
        if (expect_part && part && !(kind == "index" && s.eq_ignore_ascii_case("on")))
            || (!expect_part && dot)
        {
            name.push_str(s);
            k += 1;
        } else {
            break;
        }
    }
    Some((kind, qname(&name)?, k))
}

/// The old name as written after the marker, in the schema of `new`.
fn old_qname(old: &str, new: &QName) -> Option<QName> {
    if old.contains('.') {
        qname(old)
    } else {
        simple_name(old).map(|n| new.sibling(n))
    }
}

/// What the annotation in token `i` renames, or why it renames nothing.
fn annotated(
    text: &str,
    toks: &[Tok],
    stmts: &[Statement],
    i: usize,
    old: &str,
) -> Result<RenameKind, &'static str> {
    const NOTHING: &str = "is not before a table, column, index, type or enum value";
    let next = toks[i + 1..]
        .iter()
        .find(|t| !t.is_trivia())
        .ok_or(NOTHING)?;
    let stmt = stmts
        .iter()
        .find(|s| s.range.start <= next.range.start && next.range.start < s.range.end)
        .ok_or(NOTHING)?;
    let sig = significant(toks, &stmt.range);
    let (kind, name, after) = created(text, &sig).ok_or(NOTHING)?;
    let bad_name = "names no object: write the old name as an identifier";
    if next.range.start == stmt.range.start {
        let from = old_qname(old, &name).ok_or(bad_name)?;
        return Ok(match kind {
            "table" => RenameKind::Table { from, to: name },
            "index" => RenameKind::Index { from, to: name },
            _ => RenameKind::Type { from, to: name },
        });
    }
    // Inside the statement: a column of a `CREATE TABLE`, a value of a `CREATE TYPE … AS ENUM`.
    let pos = sig
        .iter()
        .position(|t| t.range.start == next.range.start)
        .ok_or(NOTHING)?;
    let mut depth = 0i32;
    for t in &sig[after..pos] {
        match t.kind {
            TokKind::OpenParen => depth += 1,
            TokKind::CloseParen => depth -= 1,
            _ => {}
        }
    }
    let prev = &text[sig[pos - 1].range.clone()];
    if depth != 1 || !(prev == "(" || prev == ",") {
        return Err(NOTHING);
    }
    let tok_text = &text[next.range.clone()];
    match (kind, next.kind) {
        ("table", TokKind::Word | TokKind::QuotedIdent) => {
            let word = tok_text.to_ascii_lowercase();
            if matches!(
                word.as_str(),
                "constraint" | "primary" | "unique" | "check" | "foreign" | "exclude" | "like"
            ) {
                return Err(NOTHING);
            }
            Ok(RenameKind::Column {
                table: name,
                from: simple_name(old).ok_or(bad_name)?,
                to: simple_name(tok_text).ok_or(NOTHING)?,
            })
        }
        ("type", TokKind::String) => {
            let unquote = |s: &str| -> Option<String> {
                let s = s.strip_prefix('\'')?.strip_suffix('\'')?;
                Some(s.replace("''", "'"))
            };
            Ok(RenameKind::EnumValue {
                ty: name,
                from: unquote(old).unwrap_or_else(|| old.to_owned()),
                to: unquote(tok_text).ok_or(NOTHING)?,
            })
        }
        _ => Err(NOTHING),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(sql: &str) -> DesiredSchema {
        let mut s = Sources::new();
        let f = s.add("schema.sql", sql);
        desired_schema(&s, f)
    }

    #[test]
    fn the_schema_is_replayed() {
        let d = read("CREATE TABLE t (id serial PRIMARY KEY, name text NOT NULL);");
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let t = d.catalog.table(&QName::new("public", "t")).unwrap();
        assert_eq!(t.columns.len(), 2);
    }

    #[test]
    fn errors_are_located() {
        let d = read("CREATE TABLE t (id int);\nCREATE INDEX i ON missing (x);\nCREATE TABLE (;\n");
        assert!(d.has_errors());
        assert!(d.diagnostics.iter().all(|x| x.span.is_some()));
        assert!(
            d.diagnostics.iter().any(|x| x.message.contains("missing")),
            "{:?}",
            d.diagnostics
        );
    }

    #[test]
    fn annotations_are_read() {
        let d = read(
            "-- retort:renamed_from old_t\nCREATE TABLE app_t (\n    id int,\n    \
             -- retort:renamed_from old_c\n    c text\n);\n\
             -- retort:renamed_from old_i\nCREATE INDEX i ON app_t (c);\n\
             -- retort:renamed_from old_ty\nCREATE TYPE mood AS ENUM (\n    'a',\n    \
             -- retort:renamed_from 'b0'\n    'b'\n);\n",
        );
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        let q = |n: &str| QName::new("public", n);
        let kinds: Vec<RenameKind> = d.renames.items.into_iter().map(|r| r.kind).collect();
        assert_eq!(
            kinds,
            vec![
                RenameKind::Table {
                    from: q("old_t"),
                    to: q("app_t")
                },
                RenameKind::Column {
                    table: q("app_t"),
                    from: "old_c".into(),
                    to: "c".into()
                },
                RenameKind::Index {
                    from: q("old_i"),
                    to: q("i")
                },
                RenameKind::Type {
                    from: q("old_ty"),
                    to: q("mood")
                },
                RenameKind::EnumValue {
                    ty: q("mood"),
                    from: "b0".into(),
                    to: "b".into()
                },
            ]
        );
    }

    #[test]
    fn a_misplaced_annotation_is_an_error() {
        let d = read(
            "CREATE TABLE t (\n    id int,\n    -- retort:renamed_from x\n    PRIMARY KEY (id)\n);\n-- retort:renamed_from\nCREATE TABLE u (a int);\nCREATE VIEW v AS\n-- retort:renamed_from w\nSELECT 1;",
        );
        let errors: Vec<&Diagnostic> = d.diagnostics.iter().filter(|x| x.is_error()).collect();
        assert_eq!(errors.len(), 3, "{errors:?}");
    }
}
