//! A live database's schema as a set of facts, one per line of PostgreSQL's own catalog
//! (relations, columns, constraints, indexes, views, sequences, types, functions, triggers,
//! extensions, schemas, comments), so that two databases compare fact by fact and a
//! difference names the facts that differ. Objects of the system schemas, of extensions and
//! of the schema given as `skip_schema` (where the runner keeps its version table) are left
//! out.

use std::collections::BTreeSet;
use std::fmt;

/// What a fact is about: the unit a difference is classified by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FactKind {
    /// A schema other than `public`.
    Schema,
    /// An extension.
    Extension,
    /// A relation and its kind (table, view, index, sequence, …).
    Relation,
    /// A column: its type, nullability, identity, generation and collation.
    Column,
    /// The order of a table's columns.
    ColumnOrder,
    /// A column's default expression.
    Default,
    /// A constraint as `pg_get_constraintdef` prints it.
    Constraint,
    /// An index as `pg_get_indexdef` prints it.
    Index,
    /// A view's query as `pg_get_viewdef` prints it.
    View,
    /// A sequence's options.
    SequenceOptions,
    /// The column that owns a sequence.
    SequenceOwner,
    /// An enum type and its labels in order.
    Enum,
    /// A type other than an enum (composite, domain, range, base).
    OtherType,
    /// A function's signature.
    Function,
    /// A function's definition (`pg_get_functiondef`).
    FunctionBody,
    /// A trigger as `pg_get_triggerdef` prints it.
    Trigger,
    /// A comment on a relation or a column.
    Comment,
}

impl FactKind {
    /// The word used in reports.
    pub fn word(self) -> &'static str {
        match self {
            FactKind::Schema => "schema",
            FactKind::Extension => "extension",
            FactKind::Relation => "relation",
            FactKind::Column => "column",
            FactKind::ColumnOrder => "column order",
            FactKind::Default => "default",
            FactKind::Constraint => "constraint",
            FactKind::Index => "index",
            FactKind::View => "view",
            FactKind::SequenceOptions => "sequence options",
            FactKind::SequenceOwner => "sequence owner",
            FactKind::Enum => "enum",
            FactKind::OtherType => "other type",
            FactKind::Function => "function",
            FactKind::FunctionBody => "function body",
            FactKind::Trigger => "trigger",
            FactKind::Comment => "comment",
        }
    }

    /// Whether the differ writes changes of this kind at all; a difference in a kind it
    /// does not write is a gap of the model, not a bug of the differ.
    pub fn diffed(self) -> bool {
        !matches!(
            self,
            FactKind::ColumnOrder | FactKind::OtherType | FactKind::Comment
        )
    }
}

/// One fact: its kind and its text.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fact {
    /// What it is about.
    pub kind: FactKind,
    /// The fact, as PostgreSQL prints it.
    pub text: String,
}

impl fmt::Display for Fact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.word(), self.text)
    }
}

/// A database's schema as facts.
pub type Facts = BTreeSet<Fact>;

/// The queries, each with the kind of the facts it returns (one text column per row).
fn queries(skip: &str) -> Vec<(FactKind, String)> {
    let user_ns = |alias: &str| {
        format!(
            "{alias}.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', '{skip}') \
             AND {alias}.nspname NOT LIKE 'pg_temp%' AND {alias}.nspname NOT LIKE 'pg_toast%'"
        )
    };
    let no_ext = |class: &str, oid: &str| {
        format!(
            "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '{class}'::regclass \
             AND d.objid = {oid} AND d.deptype = 'e')"
        )
    };
    let rel = "quote_ident(n.nspname) || '.' || quote_ident(c.relname)";
    let rels = format!(
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {} AND {}",
        user_ns("n"),
        no_ext("pg_class", "c.oid")
    );
    vec![
        (
            FactKind::Schema,
            format!(
                "SELECT n.nspname::text FROM pg_namespace n WHERE {} AND n.nspname <> 'public' \
                 AND {}",
                user_ns("n"),
                no_ext("pg_namespace", "n.oid")
            ),
        ),
        (
            FactKind::Extension,
            "SELECT extname::text FROM pg_extension WHERE extname <> 'plpgsql'".to_owned(),
        ),
        (
            FactKind::Relation,
            format!("SELECT {rel} || ' ' || c.relkind::text {rels}"),
        ),
        (
            FactKind::Column,
            format!(
                "SELECT {rel} || '.' || quote_ident(a.attname) || ' ' || \
                 format_type(a.atttypid, a.atttypmod) || \
                 CASE WHEN a.attnotnull THEN ' not null' ELSE '' END || \
                 CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END || \
                 CASE WHEN a.attgenerated <> '' THEN ' generated' ELSE '' END || \
                 CASE WHEN a.attcollation <> 0 AND a.attcollation <> \
                      (SELECT typcollation FROM pg_type WHERE oid = a.atttypid) \
                      THEN ' collate ' || a.attcollation::regcollation::text ELSE '' END \
                 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f') \
                 AND {} AND {}",
                user_ns("n"),
                no_ext("pg_class", "c.oid")
            ),
        ),
        (
            FactKind::ColumnOrder,
            format!(
                "SELECT {rel} || ' (' || (SELECT string_agg(quote_ident(a.attname), ', ' \
                 ORDER BY a.attnum) FROM pg_attribute a WHERE a.attrelid = c.oid \
                 AND a.attnum > 0 AND NOT a.attisdropped) || ')' {rels} AND c.relkind IN ('r', 'p')"
            ),
        ),
        (
            FactKind::Default,
            format!(
                "SELECT {rel} || '.' || quote_ident(a.attname) || ' ' || \
                 pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d \
                 JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum \
                 JOIN pg_class c ON c.oid = d.adrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE {}",
                user_ns("n")
            ),
        ),
        (
            FactKind::Constraint,
            format!(
                "SELECT {rel} || ' ' || quote_ident(con.conname) || ' ' || \
                 pg_get_constraintdef(con.oid) FROM pg_constraint con \
                 JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE {}",
                user_ns("n")
            ),
        ),
        (
            FactKind::Index,
            format!("SELECT pg_get_indexdef(c.oid) {rels} AND c.relkind IN ('i', 'I')"),
        ),
        (
            FactKind::View,
            format!(
                "SELECT {rel} || ' ' || c.relkind::text || ' ' || pg_get_viewdef(c.oid) {rels} \
                 AND c.relkind IN ('v', 'm')"
            ),
        ),
        (
            FactKind::SequenceOptions,
            format!(
                "SELECT {rel} || ' ' || format_type(s.seqtypid, NULL) || ' start ' || s.seqstart \
                 || ' increment ' || s.seqincrement || ' min ' || s.seqmin || ' max ' || s.seqmax \
                 || ' cache ' || s.seqcache || CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END \
                 FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {}",
                user_ns("n")
            ),
        ),
        (
            FactKind::SequenceOwner,
            format!(
                "SELECT {rel} || ' owned by ' || d.refobjid::regclass::text || '.' || \
                 quote_ident(a.attname) || ' ' || d.deptype::text FROM pg_depend d \
                 JOIN pg_class c ON c.oid = d.objid AND c.relkind = 'S' \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid \
                 WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass \
                 AND d.deptype IN ('a', 'i') AND {}",
                user_ns("n")
            ),
        ),
        (
            FactKind::Enum,
            format!(
                "SELECT t.oid::regtype::text || ' (' || (SELECT string_agg(quote_literal(e.enumlabel), \
                 ', ' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) || ')' \
                 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
                 WHERE t.typtype = 'e' AND {} AND {}",
                user_ns("n"),
                no_ext("pg_type", "t.oid")
            ),
        ),
        (
            FactKind::OtherType,
            format!(
                "SELECT t.oid::regtype::text || ' ' || t.typtype::text FROM pg_type t \
                 JOIN pg_namespace n ON n.oid = t.typnamespace \
                 WHERE t.typtype IN ('c', 'd', 'r', 'b', 'm') AND {} AND {} \
                 AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c') \
                 AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid) \
                 AND NOT (t.typtype = 'm')",
                user_ns("n"),
                no_ext("pg_type", "t.oid")
            ),
        ),
        (
            FactKind::Function,
            format!(
                "SELECT p.oid::regprocedure::text || ' ' || p.prokind::text FROM pg_proc p \
                 JOIN pg_namespace n ON n.oid = p.pronamespace WHERE {} AND {}",
                user_ns("n"),
                no_ext("pg_proc", "p.oid")
            ),
        ),
        (
            FactKind::FunctionBody,
            format!(
                "SELECT p.oid::regprocedure::text || ' md5 ' || \
                 md5(CASE WHEN p.prokind = 'a' THEN '' ELSE pg_get_functiondef(p.oid) END) \
                 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE {} AND {}",
                user_ns("n"),
                no_ext("pg_proc", "p.oid")
            ),
        ),
        (
            FactKind::Trigger,
            format!(
                "SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t \
                 JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE NOT t.tgisinternal AND {}",
                user_ns("n")
            ),
        ),
        (
            FactKind::Comment,
            format!(
                "SELECT {rel} || CASE WHEN d.objsubid = 0 THEN '' ELSE '.' || \
                 quote_ident((SELECT attname FROM pg_attribute WHERE attrelid = c.oid \
                 AND attnum = d.objsubid)) END || ' ' || quote_literal(d.description) \
                 FROM pg_description d JOIN pg_class c ON c.oid = d.objoid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE d.classoid = 'pg_class'::regclass AND {}",
                user_ns("n")
            ),
        ),
    ]
}

/// Every fact of the database `client` is connected to, leaving out the schema `skip`.
pub fn read(client: &mut postgres::Client, skip: &str) -> Result<Facts, postgres::Error> {
    let mut out = Facts::new();
    for (kind, sql) in queries(skip) {
        for row in client.query(sql.as_str(), &[])? {
            let text: Option<String> = row.get(0);
            if let Some(text) = text {
                let text = mask_timestamps(&text);
                out.insert(Fact { kind, text });
            }
        }
    }
    Ok(out)
}

/// `'2026-01-02 03:04:05.678'` literals as `'<timestamp>'`: a view that reads `now()` as a
/// constant (`'now'::timestamp`) keeps the moment it was created, which differs between two
/// databases built at different moments.
fn mask_timestamps(text: &str) -> String {
    const SHAPE: &[u8] = b"dddd-dd-dd dd:dd:dd";
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    while i < b.len() {
        let fits = b[i] == b'\''
            && b.len() > i + SHAPE.len()
            && SHAPE.iter().zip(&b[i + 1..]).all(|(s, c)| match s {
                b'd' => c.is_ascii_digit(),
                s => s == c,
            });
        if !fits {
            i += 1;
            continue;
        }
        let mut end = i + 1 + SHAPE.len();
        if b.get(end) == Some(&b'.') {
            end += 1;
            while b.get(end).is_some_and(u8::is_ascii_digit) {
                end += 1;
            }
        }
        if b.get(end) != Some(&b'\'') {
            i += 1;
            continue;
        }
        out.push_str(&text[copied..i]);
        out.push_str("'<timestamp>'");
        i = end + 1;
        copied = i;
    }
    out.push_str(&text[copied..]);
    out
}

/// What `a` has that `b` has not, and what `b` has that `a` has not.
pub fn difference(a: &Facts, b: &Facts) -> (Vec<Fact>, Vec<Fact>) {
    (
        a.difference(b).cloned().collect(),
        b.difference(a).cloned().collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::mask_timestamps;

    #[test]
    fn creation_moments_are_masked_and_the_rest_kept() {
        assert_eq!(
            mask_timestamps("WHEN (p < ('2026-12-05 14:27:45.31'::timestamp - '1 mon'))"),
            "WHEN (p < ('<timestamp>'::timestamp - '1 mon'))"
        );
        assert_eq!(
            mask_timestamps("'2026-12-05' é '2026-12-05 14:27:45"),
            "'2026-12-05' é '2026-12-05 14:27:45"
        );
    }
}
