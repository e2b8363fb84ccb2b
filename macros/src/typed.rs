//! The typed schema: from the schema model's catalog at a revision to one Rust module a
//! table, with its name, a constant a column and a row struct.
//!
//! ```text
//! pub mod <table> {                       // a table of `public`; others under `<schema>::`
//!     pub const TABLE: retort::schema::Table;     // name, schema, SQL text
//!     pub const <COLUMN>: retort::schema::Column; // a column: name, SQL text, type, nullability
//!     pub const COLUMNS: &[retort::schema::Column];
//!     pub struct Row { pub <column>: T, … }       // Option<T> when nullable
//!     impl TryFrom<&postgres::Row> for Row;     // and so retort::schema::FromRow
//! }
//! ```
//!
//! Only what the model knows is generated: a table whose existence is not known is left out,
//! and one whose columns are not all known has `TABLE` alone (no constants, no `Row`), so a
//! struct never claims a column the table may not have. Views are left out (the model does
//! not know their columns).

use std::collections::BTreeMap;
use std::fmt::Write;

use retort_core::schema::catalog::{QName, normalize_type, quote_ident, sql_name};
use retort_core::schema::shape::{ColumnShape, SchemaShape, TableShape};

use crate::family::TypeFamily;
use crate::ident::{collisions, snake, upper};

/// A name clash: the error's message and help line.
pub struct Problem {
    /// What clashes.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

/// The items of one revision's schema module, and the problems that keep some out.
pub struct Generated {
    /// The modules of the tables (and of the schemas other than `public`), as Rust source:
    /// written as text and handed to the compiler as one string, since making each of
    /// millions of tokens through the macro bridge was most of the macro's time at
    /// thousands of tables.
    pub items: String,
    /// Tables left out because the model does not know whether they exist.
    pub left_out: usize,
    /// SQL names that map to the same Rust name; the modules or columns concerned are left
    /// out.
    pub problems: Vec<Problem>,
}

/// The macro that puts the call's `#[derive(…)]` on a row struct (see [`RowOptions::derive`]).
pub const DERIVE_MACRO: &str = "__retort_row";

/// The help line of a name clash.
const CLASH_HELP: &str = "a SQL name becomes a Rust name by keeping ASCII letters, digits \
     and `_` and replacing other characters (see `retort::migrations!`); rename one of them in \
     a new migration";

/// The help line of a clash between columns.
const COLUMN_CLASH_HELP: &str = "a SQL name becomes a Rust name by keeping ASCII letters, \
     digits and `_` and replacing other characters, upper-cased for a constant (see \
     `retort::migrations!`); rename one of the columns in a new migration";

/// How the call wants the row structs: whether it names derives, and the crates whose types
/// the fields may have (`types = […]`).
pub struct RowOptions<'a> {
    /// The call names derives: each row struct is written inside
    /// [`DERIVE_MACRO`]`! { … }`, a `macro_rules!` the schema module defines with the
    /// call's own `#[derive(…)]` tokens, so that an error about one of them points at it in
    /// the call.
    pub derive: bool,
    /// The families the call lists in `types`.
    pub types: &'a [TypeFamily],
}

/// The schema module's contents for `schema`, the schema after revision `rev`.
pub fn schema_items(schema: &SchemaShape, rev: &str, options: &RowOptions) -> Generated {
    let mut by_schema: BTreeMap<&str, Vec<(&QName, &TableShape)>> = BTreeMap::new();
    let mut left_out = 0;
    for table in &schema.tables {
        if !table.known {
            left_out += 1;
            continue;
        }
        by_schema
            .entry(table.name.schema.as_str())
            .or_default()
            .push((&table.name, table));
    }
    let mut problems = Vec::new();
    // The modules directly in the schema module: `public`'s tables and the other schemas.
    let top: Vec<(String, &str)> = by_schema
        .iter()
        .flat_map(|(schema, tables)| {
            let tables = tables
                .iter()
                .filter(|_| *schema == "public")
                .map(|(q, _)| (format!("table `{q}`"), q.name.as_str()));
            let module = (*schema != "public").then(|| (format!("schema `{schema}`"), *schema));
            tables.chain(module)
        })
        .collect();
    let top_clash = clashing(&top, "the schema module", &mut problems);
    let mut items = String::new();
    for (schema, tables) in &by_schema {
        if *schema != "public" && top_clash.contains(schema) {
            continue;
        }
        let names: Vec<(String, &str)> = tables
            .iter()
            .map(|(q, _)| (format!("table `{q}`"), q.name.as_str()))
            .collect();
        let clash = if *schema == "public" {
            top_clash.clone()
        } else {
            clashing(
                &names,
                &format!("the module of schema `{schema}`"),
                &mut problems,
            )
        };
        let public = *schema == "public";
        if !public {
            let doc = format!(" The tables of schema `{schema}` after revision `{rev}`.");
            let _ = write!(items, "#[doc = {}] pub mod {} {{", lit(&doc), snake(schema));
        }
        for (q, t) in tables
            .iter()
            .filter(|(q, _)| !clash.contains(&q.name.as_str()))
        {
            table_module(&mut items, q, t, rev, options, &mut problems);
        }
        if !public {
            items.push('}');
        }
    }
    Generated {
        items,
        left_out,
        problems,
    }
}

/// The SQL names of `names` (each with what it names) that share a Rust module name in
/// `place`, with a problem for each pair.
fn clashing<'a>(
    names: &[(String, &'a str)],
    place: &str,
    problems: &mut Vec<Problem>,
) -> Vec<&'a str> {
    let what = |n: &str| {
        names
            .iter()
            .find(|(_, m)| *m == n)
            .map_or_else(|| format!("`{n}`"), |(w, _)| w.clone())
    };
    let mut out = Vec::new();
    for (a, b, rust) in collisions(names.iter().map(|(_, n)| *n), snake) {
        problems.push(Problem {
            message: format!(
                "{} and {} are both the module `{rust}` in {place} of the typed schema",
                what(a),
                what(b)
            ),
            help: CLASH_HELP.to_owned(),
        });
        out.extend([a, b]);
    }
    out
}

/// `pub mod <table> { … }`, appended to `out`.
fn table_module(
    out: &mut String,
    qname: &QName,
    table: &TableShape,
    rev: &str,
    options: &RowOptions,
    problems: &mut Vec<Problem>,
) {
    let m = snake(&qname.name);
    // Every table module names retort's types through one short path (`__t`, which no
    // table, column constant or `Row` can be called): fewer tokens for rustc to read at
    // every build than the full paths, at thousands of columns.
    let table_const = format!(
        "use ::retort::__private::typed as __t; \
         #[doc = \" The table's name.\"] \
         pub const TABLE: __t::Table = __t::Table::new({}, {}, {});",
        lit(&qname.schema),
        lit(&qname.name),
        lit(&sql_name(qname))
    );
    let name_only = |out: &mut String, doc: String| {
        let _ = write!(
            out,
            "#[doc = {}] pub mod {m} {{ {table_const} }}",
            lit(&doc)
        );
    };
    let Some(table_columns) = &table.columns else {
        return name_only(
            out,
            format!(
                " Table `{qname}` after revision `{rev}`. Its columns are not all known to \
                 retort's schema model (a statement it does not follow changed them), so this \
                 module has the table's name alone."
            ),
        );
    };
    let names: Vec<&str> = table_columns.iter().map(|c| c.name.as_str()).collect();
    let fields = collisions(names.iter().copied(), snake);
    // Pairs that clash as fields clash as constants too: each pair is told once.
    let consts: Vec<_> = collisions(names.iter().copied(), upper)
        .into_iter()
        .filter(|(a, b, _)| !fields.iter().any(|(c, d, _)| (a, b) == (c, d)))
        .collect();
    for ((a, b, rust), what) in fields
        .iter()
        .map(|f| (f, "field"))
        .chain(consts.iter().map(|c| (c, "constant")))
    {
        problems.push(Problem {
            message: format!(
                "columns `{a}` and `{b}` of table `{qname}` are both the {what} `{rust}` in the \
                 typed schema"
            ),
            help: COLUMN_CLASH_HELP.to_owned(),
        });
    }
    if !fields.is_empty() || !consts.is_empty() {
        return name_only(
            out,
            format!(
                " Table `{qname}` after revision `{rev}`: two of its columns have the same \
                 Rust name, so this module has the table's name alone."
            ),
        );
    }
    let columns: Vec<ColumnItems> = table_columns
        .iter()
        .map(|c| ColumnItems::new(c, options.types))
        .collect();
    let doc = format!(" Table `{qname}` after revision `{rev}`.");
    let row_doc = format!(
        " A row of `{qname}`: every column, by name, `Option` where it may be NULL. Read one \
         with `Row::try_from(&row)` from a query that returns all of them (`SELECT *`)."
    );
    let _ = write!(out, "#[doc = {}] pub mod {m} {{ {table_const}", lit(&doc));
    for c in &columns {
        out.push_str(&c.constant);
    }
    out.push_str(
        " #[doc = \" Every column, in the table's order.\"] pub const COLUMNS: &[__t::Column] = &[",
    );
    for (k, c) in columns.iter().enumerate() {
        let comma = if k == 0 { "" } else { ", " };
        let _ = write!(out, "{comma}{}", c.const_ident);
    }
    out.push_str("]; ");
    if options.derive {
        let _ = write!(out, "{DERIVE_MACRO}! {{");
    }
    let _ = write!(out, "#[doc = {}] pub struct Row {{", lit(&row_doc));
    for c in &columns {
        out.push_str(&c.field);
    }
    out.push('}');
    if options.derive {
        out.push('}');
    }
    // One trait impl a table: `FromRow` comes from its blanket impl over `TryFrom` (each
    // impl is coherence-checked and kept by rustc at every build; a second one a table cost
    // about 8 % of a touch rebuild and 57 MB at 1,669 tables).
    out.push_str(
        " impl __t::TryFrom<&__t::PgRow> for Row { \
         type Error = __t::PgError; \
         fn try_from(row: &__t::PgRow) -> __t::Result<Self, __t::PgError> {",
    );
    if columns.len() <= READ_AT_ONCE {
        // Every column in one generic call, the tuple's types inferred from the fields
        // (`c0`, `c1`, … cannot name anything else: the module's own items are upper case,
        // `Row` and `__t`).
        out.push_str(" match __t::read_columns(row, [");
        for c in &columns {
            let _ = write!(out, "{}, ", c.name);
        }
        out.push_str("]) { __t::Ok((");
        for k in 0..columns.len() {
            let _ = write!(out, "c{k}, ");
        }
        out.push_str(")) => __t::Ok(Row {");
        for (k, c) in columns.iter().enumerate() {
            let _ = write!(out, " {}: c{k},", c.field_ident);
        }
        out.push_str(" }), __t::Err(e) => __t::Err(e), } } } }");
    } else {
        out.push_str(" __t::Result::Ok(Row {");
        for c in &columns {
            out.push_str(&c.read);
        }
        out.push_str("}) } } }");
    }
}

/// The most columns a `Row` reads in one call (`retort::__private::typed::read_columns`,
/// implemented for tuples up to this length); a table with more reads them one by one.
const READ_AT_ONCE: usize = 32;

/// A column's constant, field and read, as Rust source.
struct ColumnItems {
    const_ident: String,
    field_ident: String,
    /// The column's name as a string literal.
    name: String,
    constant: String,
    field: String,
    read: String,
}

impl ColumnItems {
    fn new(c: &ColumnShape, types: &[TypeFamily]) -> Self {
        let nullable = c.nullable;
        let const_ident = upper(&c.name);
        let field_ident = snake(&c.name);
        let (name, ty) = (lit(&c.name), lit(&c.ty));
        let sql = lit(&quote_ident(&c.name));
        let null = if nullable { "nullable" } else { "NOT NULL" };
        let doc = lit(&format!(
            " `{}`: `{}`, {null}.",
            c.name.replace('`', "'"),
            c.ty.replace('`', "'")
        ));
        let rust = rust_type(&c.ty, types);
        let rust = if nullable {
            format!("__t::Option<{rust}>")
        } else {
            rust.to_owned()
        };
        ColumnItems {
            constant: format!(
                " #[doc = {doc}] pub const {const_ident}: __t::Column = \
                 __t::Column::new({name}, {sql}, {ty}, {nullable});"
            ),
            field: format!(" #[doc = {doc}] pub {field_ident}: {rust},"),
            // A `match`, not `?`: rustc tells each `?` of an expansion apart by a counter
            // over the whole crate, so with `?` a table added before the others would change
            // every later table's code for incremental compilation, and all of them would be
            // type-checked again; a `match` keeps the other tables' items unchanged.
            // (`v` and `e` cannot name anything else: the module has its own items only.)
            read: format!(
                " {field_ident}: match row.try_get({name}) {{ \
                 __t::Ok(v) => v, __t::Err(e) => return __t::Err(e), }},"
            ),
            const_ident,
            field_ident,
            name,
        }
    }
}

/// `text` as a Rust string literal (`Debug` escapes what a literal must).
pub fn lit(text: &str) -> String {
    format!("{text:?}")
}

/// The Rust type a column of type `ty` (as the model normalised it) reads as, NULL aside,
/// when the call's `types` lists `types`, as Rust source.
pub fn rust_type(ty: &str, types: &[TypeFamily]) -> String {
    match ty.strip_suffix("[]") {
        Some(element) => {
            let element = scalar(element, types).unwrap_or("__t::Raw");
            format!("__t::Vec<__t::Option<{element}>>")
        }
        None => scalar(ty, types).unwrap_or("__t::Raw").to_owned(),
    }
}

/// The Rust type of a built-in type the `postgres` crate reads natively (or through a crate
/// `types` lists), if `ty` is one.
fn scalar(ty: &str, types: &[TypeFamily]) -> Option<&'static str> {
    let builtin = match ty.strip_prefix("pg_catalog.") {
        Some(rest) => normalize_type(rest),
        None => ty.to_owned(),
    };
    let t = builtin.as_str();
    Some(match t {
        "boolean" => "bool",
        "smallint" => "i16",
        "integer" => "i32",
        "bigint" => "i64",
        "real" => "f32",
        "double precision" => "f64",
        "\"char\"" | "char" => "i8",
        "oid" => "u32",
        "bytea" => "__t::Vec<u8>",
        "inet" => "__t::IpAddr",
        "hstore" => "__t::HashMap<__t::String, __t::Option<__t::String>>",
        "text" | "citext" | "name" | "bpchar" | "character varying" => "__t::String",
        _ if t.starts_with("character varying(") || t.starts_with("character(") => "__t::String",
        // The crates' types when the call lists them, through the facade's aliases (which
        // stand in with `Raw` when the crate's feature is off: the build then fails once, on
        // the family's check, rather than on every column); `Raw` otherwise.
        _ => return family_type(t, types),
    })
}

/// The type of `ty` (a built-in type's name) from a crate that `types` lists, if any.
fn family_type(ty: &str, types: &[TypeFamily]) -> Option<&'static str> {
    let uses = |family| types.contains(&family);
    Some(match ty {
        "date" if uses(TypeFamily::Chrono) => "__t::chrono::Date",
        _ if is_time(ty, "timestamp", true) && uses(TypeFamily::Chrono) => {
            "__t::chrono::Timestamptz"
        }
        _ if is_time(ty, "timestamp", false) && uses(TypeFamily::Chrono) => {
            "__t::chrono::Timestamp"
        }
        _ if is_time(ty, "time", false) && uses(TypeFamily::Chrono) => "__t::chrono::Time",
        "uuid" if uses(TypeFamily::Uuid) => "__t::uuid::Uuid",
        "json" | "jsonb" if uses(TypeFamily::SerdeJson) => "__t::serde_json::Json",
        _ => return None,
    })
}

/// Whether `ty` is `<base>[(p)] with[out] time zone`.
fn is_time(ty: &str, base: &str, zone: bool) -> bool {
    let suffix = if zone {
        " with time zone"
    } else {
        " without time zone"
    };
    ty.strip_suffix(suffix)
        .and_then(|rest| rest.strip_prefix(base))
        .is_some_and(|p| p.is_empty() || (p.starts_with('(') && p.ends_with(')')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(sql: &str) -> String {
        ty_with(sql, &[])
    }

    fn ty_with(sql: &str, types: &[TypeFamily]) -> String {
        rust_type(&normalize_type(sql), types).replace(' ', "")
    }

    /// A table module's code depends on the table alone, never on where it stands among
    /// the others: rustc's incremental compilation then reuses the type checking of every
    /// table that a new migration leaves unchanged. A `?` would not do: rustc numbers the
    /// `?`s of one expansion across the whole crate.
    #[test]
    fn a_table_module_has_no_question_mark_and_does_not_depend_on_its_neighbours() {
        use retort_core::schema::catalog::QName;
        use retort_core::schema::shape::{ColumnShape, TableShape};
        let table = |name: &str| TableShape {
            name: QName::new("public", name),
            known: true,
            columns: Some(vec![ColumnShape {
                name: "id".to_owned(),
                ty: "bigint".to_owned(),
                nullable: false,
            }]),
        };
        let shape = |names: &[&str]| SchemaShape {
            all_unknown: false,
            tables: names.iter().map(|n| table(n)).collect(),
        };
        let options = RowOptions {
            derive: false,
            types: &[],
        };
        let alone = schema_items(&shape(&["users"]), "1", &options).items;
        assert!(
            alone.contains("read_columns") && !alone.contains('?'),
            "{alone}"
        );
        let with_others =
            schema_items(&shape(&["accounts", "users", "zones"]), "1", &options).items;
        assert!(with_others.contains(&alone), "{with_others}");
        // A table of more columns than one call reads: a `match` a column, no `?` either.
        let mut wide = table("wide");
        let column = |k: usize| ColumnShape {
            name: format!("c{k}"),
            ty: "integer".to_owned(),
            nullable: true,
        };
        wide.columns = Some((0..=READ_AT_ONCE).map(column).collect());
        let wide = SchemaShape {
            all_unknown: false,
            tables: vec![wide],
        };
        let wide = schema_items(&wide, "1", &options).items;
        assert!(
            wide.contains("try_get") && !wide.contains("read_columns") && !wide.contains('?'),
            "{wide}"
        );
    }

    #[test]
    fn types_map_as_the_postgres_crate_reads_them() {
        for (sql, rust) in [
            ("bool", "bool"),
            ("int2", "i16"),
            ("serial", "i32"),
            ("int", "i32"),
            ("bigserial", "i64"),
            ("float4", "f32"),
            ("float8", "f64"),
            ("text", "__t::String"),
            ("varchar(10)", "__t::String"),
            ("varchar", "__t::String"),
            ("char(3)", "__t::String"),
            ("char", "__t::String"),
            ("\"char\"", "i8"),
            ("citext", "__t::String"),
            ("name", "__t::String"),
            ("pg_catalog.int4", "i32"),
            ("bytea", "__t::Vec<u8>"),
            ("oid", "u32"),
            ("inet", "__t::IpAddr"),
            ("int[]", "__t::Vec<__t::Option<i32>>"),
            ("text[][]", "__t::Vec<__t::Option<__t::String>>"),
        ] {
            assert_eq!(ty(sql), rust, "{sql}");
        }
    }

    /// The dates, times, `uuid` and `json` of the fixtures, with the family that reads each
    /// and its alias in the facade.
    const FAMILY_TYPES: [(&str, TypeFamily, &str); 10] = [
        ("timestamptz", TypeFamily::Chrono, "chrono::Timestamptz"),
        (
            "timestamp(3) with time zone",
            TypeFamily::Chrono,
            "chrono::Timestamptz",
        ),
        ("timestamp", TypeFamily::Chrono, "chrono::Timestamp"),
        ("timestamp(0)", TypeFamily::Chrono, "chrono::Timestamp"),
        ("date", TypeFamily::Chrono, "chrono::Date"),
        ("time", TypeFamily::Chrono, "chrono::Time"),
        (
            "time(6) without time zone",
            TypeFamily::Chrono,
            "chrono::Time",
        ),
        ("uuid", TypeFamily::Uuid, "uuid::Uuid"),
        ("json", TypeFamily::SerdeJson, "serde_json::Json"),
        ("jsonb", TypeFamily::SerdeJson, "serde_json::Json"),
    ];

    #[test]
    fn times_uuid_and_json_are_the_listed_crates_types() {
        for (sql, family, alias) in FAMILY_TYPES {
            assert_eq!(ty_with(sql, &[family]), format!("__t::{alias}"), "{sql}");
            assert_eq!(ty_with(sql, &TypeFamily::ALL), ty_with(sql, &[family]));
        }
        assert_eq!(
            ty_with("uuid[]", &[TypeFamily::Uuid]),
            "__t::Vec<__t::Option<__t::uuid::Uuid>>"
        );
    }

    #[test]
    fn times_uuid_and_json_are_raw_unless_their_crate_is_listed() {
        for (sql, family, _) in FAMILY_TYPES {
            assert_eq!(ty(sql), "__t::Raw", "{sql}");
            let others: Vec<TypeFamily> = TypeFamily::ALL
                .into_iter()
                .filter(|&f| f != family)
                .collect();
            assert_eq!(ty_with(sql, &others), "__t::Raw", "{sql}");
        }
    }

    #[test]
    fn other_types_are_raw() {
        for sql in [
            "timetz",
            "interval",
            "numeric(10,2)",
            "mood",
            "app.mood",
            "interval",
            "cidr",
        ] {
            assert_eq!(ty(sql), "__t::Raw", "{sql}");
            assert_eq!(ty_with(sql, &TypeFamily::ALL), "__t::Raw", "{sql}");
        }
        assert_eq!(ty("mood[]"), "__t::Vec<__t::Option<__t::Raw>>");
    }
}
