//! A [`Catalog`] as PostgreSQL DDL: what `retort schema` prints.
//!
//! The script creates, in dependency order, what the model knows: schemas, extensions, enum
//! types, functions (bodies not checked, as pg_dump does; those on a table's row type after
//! the tables), sequences (with their options), tables (columns with type, collation, `NOT
//! NULL`, default, identity and its sequence's options, generated expression; primary keys,
//! unique and check constraints), sequence ownership and options, foreign keys
//! (as `ALTER TABLE … ADD CONSTRAINT` after every table), indexes. Expressions are printed
//! as the migrations wrote them ([`Written`]). What the model holds only in part is a
//! comment, never an invention: an expression it did not keep (or that a rename made stale,
//! or that calls a function the script does not create), a view, a function or trigger whose
//! definition was not read, and every unknown part of the catalog (`-- unknown: …`).

use std::fmt::Write as _;

use super::catalog::{
    Catalog, Column, Constraint, ConstraintKind, Ns, OUTSIDE_TABLES, Origin, QName, RelKind,
    SeqType, SequenceOptions, Table, TypeDef, Written, generated_name, literal, quote_ident,
    sql_name,
};
use crate::source::Sources;

/// One part of a catalog that is not known, as a sentence, and where it became unknown when
/// the model knows that.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownPart {
    /// What is not known: "the columns of table `x`".
    pub what: String,
    /// `migrations/0012_x.sql:3`: the statement after which it is not known (or, for a
    /// table's contents, the one that created the table).
    pub at: Option<String>,
}

/// `file:line` of an origin.
pub fn origin_text(sources: &Sources, o: &Origin) -> String {
    let src = sources.get(o.file);
    format!("{}:{}", src.path(), src.line_col(o.range.start).0)
}

/// `(a, b)` with each name quoted as needed.
fn column_list(cols: &[String]) -> String {
    let c: Vec<String> = cols.iter().map(|c| quote_ident(c)).collect();
    format!("({})", c.join(", "))
}

/// The word for a namespace in sentences.
fn ns_word(ns: Ns) -> &'static str {
    match ns {
        Ns::Relation => "relation (table, view, index, sequence)",
        Ns::Type => "type",
        Ns::Function => "function",
        Ns::Trigger => "trigger",
        Ns::Extension => "extension",
        Ns::Schema => "schema",
    }
}

/// Every part of `cat` that is not known, in a stable order.
pub fn unknown_parts(cat: &Catalog, sources: &Sources) -> Vec<UnknownPart> {
    let mut out = Vec::new();
    let u = &cat.unknown;
    if let Some(o) = &u.all {
        out.push(UnknownPart {
            what: "everything from this statement on: the model does not understand it, so \
                   what follows is what was known before it"
                .to_owned(),
            at: Some(origin_text(sources, o)),
        });
    }
    for (ns, o) in &u.ns {
        out.push(UnknownPart {
            what: format!("which {}s exist beyond those listed", ns_word(*ns)),
            at: Some(origin_text(sources, o)),
        });
    }
    for (ns, name) in &u.names {
        let outside = |n: &str| OUTSIDE_TABLES.contains(&n);
        let skip = name.schema == "public"
            && match ns {
                Ns::Relation => outside(&name.name),
                Ns::Trigger => name.name.split_once('.').is_some_and(|(t, _)| outside(t)),
                _ => false,
            };
        if !skip {
            out.push(UnknownPart {
                what: format!("whether {} `{name}` exists, and what it is", ns_word(*ns)),
                at: None,
            });
        }
    }
    for (ns, prefix) in &u.prefixes {
        out.push(UnknownPart {
            what: format!(
                "which {}s whose names start with `{prefix}` exist",
                ns_word(*ns)
            ),
            at: None,
        });
    }
    for (name, r) in cat.relations.iter() {
        if let RelKind::Table(t) = &r.value {
            let at = || Some(origin_text(sources, &r.origin));
            if !t.columns_known {
                out.push(UnknownPart {
                    what: format!("some columns of table `{name}`"),
                    at: at(),
                });
            }
            if !t.constraints_known {
                out.push(UnknownPart {
                    what: format!("some constraints of table `{name}`"),
                    at: at(),
                });
            }
        }
    }
    out
}

/// `-- unknown: what (after at)`.
fn unknown_line(p: &UnknownPart) -> String {
    match &p.at {
        Some(at) => format!("-- unknown: {} (after {at})", p.what),
        None => format!("-- unknown: {}", p.what),
    }
}

/// The sequence owned by `table.col` under the name `serial` or an identity column gives
/// it, if the catalog holds it.
fn owned_sequence(cat: &Catalog, table: &QName, col: &str) -> Option<QName> {
    cat.relations.iter().find_map(|(n, r)| match &r.value {
        RelKind::Sequence {
            owned_by: Some((t, c)),
            ..
        } if t == table && c == col => Some(n.clone()),
        _ => None,
    })
}

/// The options of the sequence `seq`, if known.
fn options_of(cat: &Catalog, seq: &QName) -> Option<SequenceOptions> {
    match cat.relations.get(seq).map(|r| &r.value) {
        Some(RelKind::Sequence { options, .. }) => *options,
        _ => None,
    }
}

/// A column's type with its collation, if it has one that is not the type's default.
fn type_and_collation(c: &Column) -> String {
    match &c.collation {
        Some(k) => format!("{} COLLATE {k}", c.ty),
        None => c.ty.clone(),
    }
}

/// `ALTER SEQUENCE` giving a sequence made with `made` its options `options`, if they
/// differ (`RESTART`, so that a new sequence starts at its new start).
fn alter_options(seq: &QName, made: &SequenceOptions, options: &SequenceOptions) -> Option<String> {
    let changes = made.changes_to(options);
    (!changes.is_empty()).then(|| {
        let restart = if made.start != options.start {
            " RESTART"
        } else {
            ""
        };
        format!("ALTER SEQUENCE {} {changes}{restart};", sql_name(seq))
    })
}

/// Whether `seq` has the name PostgreSQL gives the sequence of `table.col`.
fn default_sequence_name(seq: &QName, table: &QName, col: &str) -> bool {
    let (n, exact) = generated_name(&table.name, &[col.to_owned()], "seq");
    exact && seq.schema == table.schema && seq.name == n
}

/// The `serial` type for an integer type, if there is one.
fn serial_of(ty: &str) -> Option<&'static str> {
    match ty {
        "integer" => Some("serial"),
        "bigint" => Some("bigserial"),
        "smallint" => Some("smallserial"),
        _ => None,
    }
}

/// A text kept as written, if it can be printed as SQL: known, and calling none of the
/// functions the migrations create whose definitions are not kept (the script does not
/// create them). Else why not.
fn printable<'a>(cat: &Catalog, w: &'a Written) -> Result<&'a str, String> {
    let Some(text) = w.get() else {
        return Err("its expression is not kept".to_owned());
    };
    let calls = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .find(|word| {
            cat.functions
                .iter()
                .any(|(f, d)| f.name.eq_ignore_ascii_case(word) && !fully_kept(&d.value))
        });
    match calls {
        Some(f) => Err(format!(
            "`{}` calls function `{f}`, whose definition is not kept",
            one_line(text)
        )),
        None => Ok(text),
    }
}

/// The functions as `CREATE` statements (a comment for an overload whose definition is not
/// kept): those whose arguments or result name no relation, and those that do (printed after
/// the tables, whose row types they use).
fn functions(cat: &Catalog, sources: &Sources) -> (Vec<String>, Vec<String>) {
    let (mut early, mut late) = (Vec::new(), Vec::new());
    for (name, f) in cat.functions.iter() {
        let uses_relation = f
            .value
            .mentions
            .iter()
            .any(|w| cat.relations.keys().any(|r| r.name.eq_ignore_ascii_case(w)));
        let out = if uses_relation { &mut late } else { &mut early };
        for sig in &f.value.sigs {
            match f.value.defs.get(sig) {
                Some(d) => out.push(d.create_sql(name, false).trim_end().to_owned()),
                None => out.push(format!(
                    "-- FUNCTION {}({sig}): its definition is not kept (created at {})",
                    sql_name(name),
                    origin_text(sources, &f.origin)
                )),
            }
        }
        if f.value.sigs.is_empty() {
            out.push(format!(
                "-- FUNCTION {}: its definition is not kept (created at {})",
                sql_name(name),
                origin_text(sources, &f.origin)
            ));
        }
    }
    (early, late)
}

/// Whether every overload of a function's definition is kept (so the script creates it).
fn fully_kept(f: &super::catalog::FnDef) -> bool {
    !f.sigs.is_empty() && f.sigs.iter().all(|s| f.defs.contains_key(s))
}

/// Whether `table` is a table whose listed columns include every one of `cols` (and there
/// is at least one): else what names them cannot be printed.
fn has_columns(cat: &Catalog, table: &QName, cols: &[String]) -> bool {
    !cols.is_empty()
        && cat
            .table(table)
            .is_some_and(|t| cols.iter().all(|c| t.column(c).is_some()))
}

/// Why a definition on `table` is a comment when the table's columns are not all known.
const COLUMNS_NOT_KNOWN: &str = "the table's columns are not all known";

/// A check or foreign key added `NOT VALID` (and not validated since).
fn not_valid(k: &Constraint) -> bool {
    k.sql.get().is_some_and(|s| {
        s.to_ascii_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .ends_with(&["not", "valid"])
    })
}

/// A view's text after its name, if the script can create it: known, calling no function
/// the migrations create, and using only tables whose columns are all known and views the
/// script creates. Else why not.
fn view_printable<'a>(cat: &'a Catalog, name: &QName, depth: usize) -> Result<&'a str, String> {
    let Some(RelKind::View { sql, mentions, .. }) = cat.relations.get(name).map(|r| &r.value)
    else {
        return Err("not a view".to_owned());
    };
    let text = printable(cat, sql)?;
    for (other, r) in cat.relations.iter() {
        if other == name || !mentions.contains(&other.name.to_lowercase()) {
            continue;
        }
        match &r.value {
            RelKind::Table(t) if !t.columns_known => {
                return Err(format!(
                    "it uses table `{other}`, whose columns are not all known"
                ));
            }
            RelKind::View { .. }
                if depth > 32 || view_printable(cat, other, depth + 1).is_err() =>
            {
                return Err(format!("it uses view `{other}`, which is not printed"));
            }
            _ => {}
        }
    }
    Ok(text)
}

/// `text` on one line, for a comment.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The column lines of a `CREATE TABLE` and the sequences it creates itself; the options
/// of its `serial` sequences that differ from a new one's go to `seq_lines`.
fn table_body(
    cat: &Catalog,
    name: &QName,
    t: &Table,
    out: &mut String,
    seq_lines: &mut Vec<String>,
) -> Vec<QName> {
    let mut lines: Vec<(String, Option<String>)> = Vec::new();
    let mut made = Vec::new();
    for c in &t.columns {
        let seq = owned_sequence(cat, name, &c.name);
        let col = quote_ident(&c.name);
        if c.generated {
            let text = if t.columns_known {
                printable(cat, &c.generated_sql)
            } else {
                Err(COLUMNS_NOT_KNOWN.to_owned())
            };
            lines.push(match text {
                Ok(expr) => (
                    format!(
                        "{col} {} GENERATED ALWAYS AS ({expr}) STORED",
                        type_and_collation(c)
                    ),
                    None,
                ),
                Err(why) => (
                    format!(
                        "-- {col} {} GENERATED ALWAYS AS (…) STORED",
                        type_and_collation(c)
                    ),
                    Some(format!("a generated column: {why}")),
                ),
            });
            continue;
        }
        let mut line = format!("{col} ");
        let mut note = None;
        let serial = match (&seq, serial_of(&c.ty)) {
            (Some(s), Some(serial))
                if !c.identity
                    && c.default
                    && c.not_null
                    && default_sequence_name(s, name, &c.name) =>
            {
                Some((s.clone(), serial))
            }
            _ => None,
        };
        if let Some((s, serial)) = serial {
            line.push_str(serial);
            match (options_of(cat, &s), SeqType::of(&c.ty)) {
                (Some(o), Some(ty)) => {
                    seq_lines.extend(alter_options(&s, &SequenceOptions::defaults(ty), &o));
                }
                _ => note = Some("its sequence's options are not known".to_owned()),
            }
            made.push(s);
        } else {
            line.push_str(&type_and_collation(c));
            if c.not_null && !c.identity {
                line.push_str(" NOT NULL");
            }
            if c.identity {
                line.push_str(if c.identity_always {
                    " GENERATED ALWAYS AS IDENTITY"
                } else {
                    " GENERATED BY DEFAULT AS IDENTITY"
                });
                if let Some(s) = &seq {
                    let mut opts = Vec::new();
                    if !default_sequence_name(s, name, &c.name) {
                        opts.push(format!("SEQUENCE NAME {}", sql_name(s)));
                    }
                    match options_of(cat, s) {
                        Some(o) => opts.extend(Some(o.non_default()).filter(|o| !o.is_empty())),
                        None => note = Some("its sequence's options are not known".to_owned()),
                    }
                    if !opts.is_empty() {
                        let _ = write!(line, " ({})", opts.join(" "));
                    }
                    made.push(s.clone());
                }
            } else if c.default {
                match printable(cat, &c.default_sql) {
                    Ok(expr) => {
                        let _ = write!(line, " DEFAULT {expr}");
                    }
                    Err(why) => note = Some(format!("has a default: {why}")),
                }
            }
        }
        lines.push((line, note));
    }
    for k in &t.constraints {
        let cname = quote_ident(&k.name);
        let guessed = (!k.name_exact).then(|| "name generated, may differ".to_owned());
        match &k.kind {
            ConstraintKind::PrimaryKey | ConstraintKind::Unique => {
                let what = if k.kind == ConstraintKind::PrimaryKey {
                    "PRIMARY KEY"
                } else {
                    "UNIQUE"
                };
                let line = format!("CONSTRAINT {cname} {what} {}", column_list(&k.columns));
                lines.push(if has_columns(cat, name, &k.columns) {
                    (line, guessed)
                } else {
                    (
                        format!("-- {line}"),
                        Some("names columns the model does not know".to_owned()),
                    )
                });
            }
            // `NOT VALID` in `CREATE TABLE` is valid: such a check is added after it.
            ConstraintKind::Check if not_valid(k) => {}
            ConstraintKind::Check if !t.columns_known => lines.push((
                format!("-- CONSTRAINT {cname} CHECK (…)"),
                Some(COLUMNS_NOT_KNOWN.to_owned()),
            )),
            ConstraintKind::Check => lines.push(match printable(cat, &k.sql) {
                Ok(check) => (format!("CONSTRAINT {cname} {check}"), guessed),
                Err(why) => (
                    format!("-- CONSTRAINT {cname} CHECK (…)"),
                    Some(format!("{why}; it mentions {}", column_list(&k.columns))),
                ),
            }),
            ConstraintKind::ForeignKey { .. } | ConstraintKind::NotNull => {}
            ConstraintKind::Other => lines.push((
                format!("-- CONSTRAINT {cname} EXCLUDE …"),
                Some("an exclusion or other constraint: its definition is not kept".to_owned()),
            )),
        }
    }
    if !t.columns_known {
        lines.push((
            "-- unknown: other columns may exist, and those listed may differ".to_owned(),
            None,
        ));
    }
    if !t.constraints_known {
        lines.push(("-- unknown: other constraints may exist".to_owned(), None));
    }
    // Commas go after every SQL line but the last one; comments take none.
    let last_sql = lines.iter().rposition(|(l, _)| !l.starts_with("--"));
    for (k, (line, note)) in lines.iter().enumerate() {
        let comma = if Some(k) < last_sql && !line.starts_with("--") {
            ","
        } else {
            ""
        };
        match note {
            Some(n) => {
                let _ = writeln!(out, "    {line}{comma}  -- {n}");
            }
            None => {
                let _ = writeln!(out, "    {line}{comma}");
            }
        }
    }
    made
}

/// Renders `cat` as a PostgreSQL script (see the module documentation).
pub fn render(cat: &Catalog, sources: &Sources) -> String {
    let mut out = String::new();
    let unknown = unknown_parts(cat, sources);
    if !unknown.is_empty() {
        out.push_str("-- Parts of this schema are not known to the model:\n");
        for p in &unknown {
            out.push_str(&unknown_line(p));
            out.push('\n');
        }
        out.push('\n');
    }
    let section = |out: &mut String, title: &str| {
        if !out.is_empty() && !out.ends_with("\n\n") {
            out.push('\n');
        }
        let _ = writeln!(out, "-- {title}");
    };
    if !cat.schemas.is_empty() {
        section(&mut out, "Schemas");
        for s in cat.schemas.keys() {
            let _ = writeln!(out, "CREATE SCHEMA {};", quote_ident(s));
        }
    }
    if !cat.extensions.is_empty() {
        section(&mut out, "Extensions");
        for e in cat.extensions.keys() {
            let _ = writeln!(out, "CREATE EXTENSION IF NOT EXISTS {};", quote_ident(e));
        }
    }
    if !cat.types.is_empty() {
        section(&mut out, "Types");
        for (name, t) in cat.types.iter() {
            match &t.value {
                TypeDef::Enum(values) => {
                    let v: Vec<String> = values.iter().map(|v| literal(v)).collect();
                    let _ = writeln!(
                        out,
                        "CREATE TYPE {} AS ENUM ({});",
                        sql_name(name),
                        v.join(", ")
                    );
                }
                TypeDef::Other => {
                    let _ = writeln!(
                        out,
                        "-- type {}: a composite, range, base type or domain; its definition \
                         is not kept (created at {})",
                        sql_name(name),
                        origin_text(sources, &t.origin)
                    );
                }
            }
        }
    }
    // Tables first (they make their serial and identity sequences), then the rest.
    let mut tables = String::new();
    let mut made_by_tables: Vec<QName> = Vec::new();
    let mut seq_options = Vec::new();
    let mut fks = Vec::new();
    for (name, r) in cat.relations.iter() {
        let RelKind::Table(t) = &r.value else {
            continue;
        };
        let _ = writeln!(tables, "CREATE TABLE {} (", sql_name(name));
        made_by_tables.extend(table_body(cat, name, t, &mut tables, &mut seq_options));
        tables.push_str(");\n");
        for k in &t.constraints {
            if k.kind == ConstraintKind::Check && not_valid(k) {
                let text = if t.columns_known {
                    printable(cat, &k.sql)
                } else {
                    Err(COLUMNS_NOT_KNOWN.to_owned())
                };
                fks.push(match text {
                    Ok(check) => format!(
                        "ALTER TABLE {} ADD CONSTRAINT {} {check};",
                        sql_name(name),
                        quote_ident(&k.name)
                    ),
                    Err(why) => format!(
                        "-- ALTER TABLE {} ADD CONSTRAINT {} CHECK (…) NOT VALID: {why}",
                        sql_name(name),
                        quote_ident(&k.name)
                    ),
                });
            }
            if let ConstraintKind::ForeignKey { table, columns } = &k.kind {
                let refs = if columns.is_empty() {
                    String::new()
                } else {
                    format!(" {}", column_list(columns))
                };
                let note = if k.name_exact {
                    ""
                } else {
                    "  -- name generated, may differ"
                };
                let tail = match k.sql.get() {
                    Some(t) if !t.is_empty() => format!(" {t}"),
                    _ => String::new(),
                };
                let line = format!(
                    "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY {} REFERENCES {}{refs}{tail};",
                    sql_name(name),
                    quote_ident(&k.name),
                    column_list(&k.columns),
                    sql_name(table),
                );
                let target_known = if columns.is_empty() {
                    cat.table(table)
                        .and_then(Table::primary_key)
                        .is_some_and(|pk| has_columns(cat, table, pk))
                } else {
                    has_columns(cat, table, columns)
                };
                fks.push(if has_columns(cat, name, &k.columns) && target_known {
                    format!("{line}{note}")
                } else {
                    format!("-- {line}  -- names columns the model does not know")
                });
            }
        }
    }
    let mut sequences = Vec::new();
    let mut owned = Vec::new();
    let mut indexes = Vec::new();
    let mut view_indexes = Vec::new();
    let mut views: Vec<((crate::source::FileId, usize), String)> = Vec::new();
    for (name, r) in cat.relations.iter() {
        match &r.value {
            RelKind::Sequence { owned_by, options } if !made_by_tables.contains(name) => {
                sequences.push(match options {
                    Some(o) => {
                        let mut line = format!("CREATE SEQUENCE {}", sql_name(name));
                        if o.data_type != SeqType::BigInt {
                            let _ = write!(line, " AS {}", o.data_type.word());
                        }
                        let rest = o.non_default();
                        if !rest.is_empty() {
                            let _ = write!(line, " {rest}");
                        }
                        line.push(';');
                        line
                    }
                    None => format!(
                        "CREATE SEQUENCE {};  -- its options are not known",
                        sql_name(name)
                    ),
                });
                if let Some((t, c)) = owned_by {
                    let line = format!(
                        "ALTER SEQUENCE {} OWNED BY {}.{};",
                        sql_name(name),
                        sql_name(t),
                        quote_ident(c)
                    );
                    owned.push(if has_columns(cat, t, std::slice::from_ref(c)) {
                        line
                    } else {
                        format!("-- {line}  -- names a column the model does not know")
                    });
                }
            }
            RelKind::Index {
                table,
                unique,
                columns,
                uses,
                constraint: false,
                name_exact,
                sql,
            } => {
                let u = if *unique { "UNIQUE " } else { "" };
                let note = if *name_exact {
                    ""
                } else {
                    "  -- name generated, may differ"
                };
                let on_table = cat.table(table).is_some();
                let all_known = cat.table(table).is_some_and(|t| t.columns_known);
                let def = printable(cat, sql);
                if !on_table {
                    // On a materialized view: printed after it, if it is printed.
                    let view_printed = matches!(
                        cat.relations.get(table).map(|r| &r.value),
                        Some(RelKind::View { .. }) if view_printable(cat, table, 0).is_ok()
                    );
                    view_indexes.push(match def {
                        Ok(d) if view_printed => format!(
                            "CREATE {u}INDEX {} ON {} {d};{note}",
                            quote_ident(&name.name),
                            sql_name(table)
                        ),
                        _ => format!(
                            "-- CREATE {u}INDEX {} ON {} …: on a view whose query is not kept",
                            quote_ident(&name.name),
                            sql_name(table)
                        ),
                    });
                    continue;
                }
                indexes.push(match columns {
                    _ if all_known && def.is_ok() => format!(
                        "CREATE {u}INDEX {} ON {} {};{note}",
                        quote_ident(&name.name),
                        sql_name(table),
                        def.unwrap_or_default()
                    ),
                    Some(cols) if has_columns(cat, table, cols) => format!(
                        "CREATE {u}INDEX {} ON {} {};{note}",
                        quote_ident(&name.name),
                        sql_name(table),
                        column_list(cols)
                    ),
                    _ => format!(
                        "-- CREATE {u}INDEX {} ON {} …: {}{}",
                        quote_ident(&name.name),
                        sql_name(table),
                        match def {
                            _ if !all_known => COLUMNS_NOT_KNOWN.to_owned(),
                            Err(why) if sql.get().is_some() => why,
                            _ => "expressions or a predicate, not kept".to_owned(),
                        },
                        match uses {
                            Some(u) if !u.is_empty() => format!("; it uses {}", column_list(u)),
                            _ => String::new(),
                        }
                    ),
                });
            }
            RelKind::View {
                materialized, sql, ..
            } => {
                let m = if *materialized { "MATERIALIZED " } else { "" };
                let line = match view_printable(cat, name, 0) {
                    Ok(def) => format!("CREATE {m}VIEW {} {def};", sql_name(name)),
                    Err(why) => format!(
                        "-- CREATE {m}VIEW {} AS …: {} (created at {})",
                        sql_name(name),
                        if sql.get().is_some() {
                            why
                        } else {
                            "its query is not kept".to_owned()
                        },
                        origin_text(sources, &r.origin)
                    ),
                };
                // In the order they were created: a view may use an earlier one.
                views.push(((r.origin.file, r.origin.range.start), line));
            }
            _ => {}
        }
    }
    let block = |out: &mut String, title: &str, lines: &[String]| {
        if !lines.is_empty() {
            section(out, title);
            for l in lines {
                out.push_str(l);
                out.push('\n');
            }
        }
    };
    let (early, late) = functions(cat, sources);
    if !early.is_empty() {
        section(&mut out, "Functions");
        // As pg_dump does: a body may use what the script creates later.
        out.push_str("SET check_function_bodies = false;\n");
        for l in &early {
            out.push_str(l);
            out.push('\n');
        }
    }
    block(&mut out, "Sequences", &sequences);
    if !tables.is_empty() {
        section(&mut out, "Tables");
        out.push_str(&tables);
    }
    block(&mut out, "Sequence ownership", &owned);
    block(&mut out, "Sequence options", &seq_options);
    block(&mut out, "Foreign keys and checks not validated", &fks);
    block(&mut out, "Indexes", &indexes);
    views.sort();
    let views: Vec<String> = views.into_iter().map(|(_, v)| v).collect();
    block(&mut out, "Functions on the tables' row types", &late);
    block(&mut out, "Views", &views);
    block(&mut out, "Indexes on materialized views", &view_indexes);
    let triggers: Vec<String> = cat
        .triggers
        .iter()
        .map(|((table, name), t)| match &t.value.def {
            Some(d) => d.create_sql(name, table, false).trim_end().to_owned(),
            None => format!(
                "-- TRIGGER {} ON {}{}: its definition is not kept",
                quote_ident(name),
                sql_name(table),
                match &t.value.function {
                    Some(func) => format!(" EXECUTE FUNCTION {}()", sql_name(func)),
                    None => String::new(),
                }
            ),
        })
        .collect();
    block(&mut out, "Triggers", &triggers);
    out
}
