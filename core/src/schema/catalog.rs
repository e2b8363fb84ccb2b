//! [`Catalog`]: what the database looks like at one point of the revision graph, as far as
//! the migrations say — with what is *not* known marked as such.
//!
//! Names are normalised as PostgreSQL does (unquoted folded to lower case, quoted kept) and
//! qualified (`public` when no schema is written). Every map is a [`PMap`] behind an
//! [`Arc`], copied on write ([`Arc::make_mut`]) a chunk at a time, and tables one by one, so
//! a catalog per revision costs a few pointers plus what that revision changed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

pub use super::pmap::PMap;
use super::routine::Routine;
pub use super::sequence::{SeqOpt, SeqType, SequenceOptions};
use super::trigger_def::TriggerDef;
use crate::source::FileId;

/// Where something happened: a statement's first line in a file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Origin {
    /// The file.
    pub file: FileId,
    /// The byte range (the statement's first line).
    pub range: Range<usize>,
}

/// A qualified, normalised name: `schema.name`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QName {
    /// The schema (`public` when none is written).
    pub schema: String,
    /// The object's name.
    pub name: String,
}

impl QName {
    /// `schema.name`.
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        QName {
            schema: schema.into(),
            name: name.into(),
        }
    }

    /// `name` in the same schema as `self`.
    pub fn sibling(&self, name: impl Into<String>) -> Self {
        QName::new(self.schema.clone(), name)
    }
}

impl fmt::Display for QName {
    /// The name as a message shows it: without `public.` (or an empty schema, for extensions
    /// and schemas).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.schema == "public" || self.schema.is_empty() {
            write!(f, "{}", self.name)
        } else {
            write!(f, "{}.{}", self.schema, self.name)
        }
    }
}

/// The namespaces objects live in (PostgreSQL's: tables, views, indexes and sequences share
/// one, the relations).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ns {
    /// Tables, views, materialized views, indexes, sequences.
    Relation,
    /// Types (enums and others).
    Type,
    /// Functions and procedures (by name; overloads are not told apart).
    Function,
    /// Triggers (named `table.trigger` in this namespace).
    Trigger,
    /// Extensions (schema `""`).
    Extension,
    /// Schemas (schema `""`).
    Schema,
}

/// SQL text as a migration wrote it (an expression, a clause), kept so that `retort schema`
/// can print it. Never compared ([`PartialEq`] is always true): two spellings of one
/// expression are the same to PostgreSQL, and the model's checks are about what exists, not
/// how it was written. Empty when not known: written in a form the model does not read, or
/// gone stale (a rename of something it mentions).
#[derive(Clone, Debug, Default)]
pub struct Written(Option<Arc<str>>);

impl Written {
    /// The text `sql`, trimmed.
    pub fn new(sql: &str) -> Self {
        Written(Some(Arc::from(sql.trim())))
    }

    /// Not known.
    pub fn unknown() -> Self {
        Written(None)
    }

    /// The text, if known.
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// Renames the column `old` to `new` where the text names it (outside string literals,
    /// not as a function's or a type's name); a text that mentions `old` in a way this cannot
    /// tell becomes unknown.
    pub fn rename_column(&mut self, old: &str, new: &str) {
        if let Some(t) = &self.0 {
            *self = match rename_identifier(t, old, new) {
                Some(r) => Written::new(&r),
                None => Written::unknown(),
            };
        }
    }

    /// Forgets the text if it mentions the word `name` anywhere (strings included): what a
    /// rename of a relation or a type makes stale.
    pub fn forget_if_mentions(&mut self, name: &str) {
        let mentions = self.0.as_deref().is_some_and(|t| {
            t.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                .any(|w| w.eq_ignore_ascii_case(name))
        });
        if mentions {
            self.0 = None;
        }
    }
}

impl PartialEq for Written {
    /// Always equal: see the type's documentation.
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Written {}

/// The text as is (here rather than with the other catalog types' impls in `stored.rs`, to
/// read its private field).
impl crate::codec::Stored for Written {
    fn put(&self, w: &mut crate::codec::Writer) {
        let Written(text) = self;
        crate::codec::Stored::put(text, w);
    }

    fn take(r: &mut crate::codec::Reader<'_>) -> Option<Self> {
        crate::codec::Stored::take(r).map(Written)
    }
}

/// `text` with every reference to the identifier `old` replaced by `new`; `None` when `old`
/// appears quoted in a way that cannot be told apart, or inside a dollar-quoted string.
fn rename_identifier(text: &str, old: &str, new: &str) -> Option<String> {
    let mut out = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '$' {
            return None;
        }
        if c == '\'' {
            // A string literal, copied as is ('' inside it is a quote).
            out.push(c);
            i += 1;
            while i < chars.len() {
                out.push(chars[i]);
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        out.push('\'');
                        i += 1;
                    } else {
                        break;
                    }
                }
                i += 1;
            }
            i += 1;
            continue;
        }
        let (word, end) = if c == '"' {
            let mut w = String::new();
            let mut j = i + 1;
            loop {
                match chars.get(j) {
                    None => return None,
                    Some('"') if chars.get(j + 1) == Some(&'"') => {
                        w.push('"');
                        j += 2;
                    }
                    Some('"') => break,
                    Some(&ch) => {
                        w.push(ch);
                        j += 1;
                    }
                }
            }
            (Some(w), j + 1)
        } else if c.is_alphabetic() || c == '_' {
            let mut j = i;
            let mut w = String::new();
            while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                w.extend(chars[j].to_lowercase());
                j += 1;
            }
            (Some(w), j)
        } else {
            (None, i + 1)
        };
        match word {
            Some(w) if w == old => {
                let before: String = out.trim_end().chars().rev().take(2).collect();
                let after = chars[end..].iter().find(|c| !c.is_whitespace());
                // `old(` is a call, `::old` a type: not the column.
                if after == Some(&'(') || before == "::" {
                    out.extend(&chars[i..end]);
                } else {
                    out.push_str(&quote_ident(new));
                }
            }
            _ => out.extend(&chars[i..end]),
        }
        i = end;
    }
    Some(out)
}

/// A column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// Normalised name.
    pub name: String,
    /// The type as written, normalised (lower case, aliases resolved, no spaces).
    pub ty: String,
    /// `NOT NULL` (a primary key implies it).
    pub not_null: bool,
    /// Has a default (`serial` included).
    pub default: bool,
    /// `GENERATED … AS IDENTITY`.
    pub identity: bool,
    /// `GENERATED ALWAYS AS IDENTITY` rather than `BY DEFAULT` (with `identity`).
    pub identity_always: bool,
    /// `GENERATED ALWAYS AS (…) STORED`.
    pub generated: bool,
    /// The default's expression as written (a `serial`'s is PostgreSQL's `nextval(…)`).
    pub default_sql: Written,
    /// The generated column's expression as written.
    pub generated_sql: Written,
    /// The collation when it is not the type's default, as SQL (`"C"`, `app."x"`):
    /// `pg_catalog.` and `public.` left out, `COLLATE "default"` is `None`.
    pub collation: Option<String>,
}

/// What kind of constraint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConstraintKind {
    /// `PRIMARY KEY`.
    PrimaryKey,
    /// `UNIQUE`.
    Unique,
    /// `CHECK`.
    Check,
    /// `FOREIGN KEY … REFERENCES table (columns)`; `columns` empty for "the primary key".
    ForeignKey {
        /// The referenced table.
        table: QName,
        /// The referenced columns.
        columns: Vec<String>,
    },
    /// `NOT NULL` written as a constraint (PostgreSQL 18's `CONSTRAINT n NOT NULL col`): held
    /// as the column's flag, never in a table's list.
    NotNull,
    /// `EXCLUDE` and anything else.
    Other,
}

/// A table constraint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Constraint {
    /// Its name (PostgreSQL's generated name when none was written).
    pub name: String,
    /// `false` when the name was generated and may differ from PostgreSQL's (truncation,
    /// a collision suffix): a drop of an unknown name then stays silent.
    pub name_exact: bool,
    /// The kind.
    pub kind: ConstraintKind,
    /// The constrained columns (empty when unknown or none).
    pub columns: Vec<String>,
    /// A check's `CHECK (…)`; a foreign key's clauses after the referenced columns (`ON
    /// DELETE CASCADE`, `MATCH FULL`, `DEFERRABLE`, …), as written.
    pub sql: Written,
}

/// A table's columns and constraints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    /// Columns in order.
    pub columns: Vec<Column>,
    /// Constraints.
    pub constraints: Vec<Constraint>,
    /// `false` when its columns are not all known (`CREATE TABLE … AS`, `LIKE`, `INHERITS`,
    /// an `ALTER TABLE` action not understood): column checks stay silent.
    pub columns_known: bool,
    /// `false` when its constraints are not all known: constraint checks stay silent.
    pub constraints_known: bool,
}

impl Table {
    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The constraint named `name`.
    pub fn constraint(&self, name: &str) -> Option<&Constraint> {
        self.constraints.iter().find(|c| c.name == name)
    }

    /// The primary key's columns.
    pub fn primary_key(&self) -> Option<&[String]> {
        self.constraints
            .iter()
            .find(|c| c.kind == ConstraintKind::PrimaryKey)
            .map(|c| c.columns.as_slice())
    }
}

/// What kind of relation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RelKind {
    /// A table.
    Table(Arc<Table>),
    /// A view or materialized view.
    View {
        /// `MATERIALIZED`.
        materialized: bool,
        /// The words of its query (the relations and functions it uses are among them):
        /// what a `DROP … CASCADE` may take with it.
        mentions: Arc<BTreeSet<String>>,
        /// What follows its name, as written: `AS SELECT …`, with a column list, options,
        /// `WITH CHECK OPTION` or `WITH NO DATA` if written; forgotten when a rename of
        /// something it mentions makes it stale.
        sql: Written,
    },
    /// An index on a table.
    Index {
        /// The table.
        table: QName,
        /// `UNIQUE`.
        unique: bool,
        /// Its columns when they are plain columns and the index is not partial (what a
        /// foreign key may reference).
        columns: Option<Vec<String>>,
        /// Every column it uses (items, expressions, predicate), when known: dropping one of
        /// them drops the index.
        uses: Option<Vec<String>>,
        /// The index behind a primary key or unique constraint (named like it).
        constraint: bool,
        /// `false` when the name was generated and may differ from PostgreSQL's.
        name_exact: bool,
        /// What follows `ON table` as written: `USING gin (a, lower(b)) WHERE …` (empty for
        /// a constraint's index).
        sql: Written,
    },
    /// A sequence.
    Sequence {
        /// `OWNED BY` (a `serial` column's sequence).
        owned_by: Option<(QName, String)>,
        /// Its options, defaults resolved; `None` when not known (an option written in a
        /// form the model does not read).
        options: Option<SequenceOptions>,
    },
}

impl RelKind {
    /// "table", "view", "index", "sequence".
    pub fn word(&self) -> &'static str {
        match self {
            RelKind::Table(_) => "table",
            RelKind::View {
                materialized: false,
                ..
            } => "view",
            RelKind::View {
                materialized: true, ..
            } => "materialized view",
            RelKind::Index { .. } => "index",
            RelKind::Sequence { .. } => "sequence",
        }
    }
}

/// An object and where it was created.
#[derive(Clone, Debug)]
pub struct Obj<T> {
    /// The object.
    pub value: T,
    /// The statement that created it (or last replaced it).
    pub origin: Origin,
    /// Created by `IF NOT EXISTS` (it may have been there before: a down need not drop it).
    pub if_not_exists: bool,
}

impl<T: PartialEq> PartialEq for Obj<T> {
    /// Equal objects, wherever they were created.
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

/// A trigger's key: its table and its name.
pub type TriggerKey = (QName, String);

/// A type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeDef {
    /// `AS ENUM (…)`, its labels in order.
    Enum(Vec<String>),
    /// A composite, range or base type, or a domain.
    Other,
}

/// What is not known.
#[derive(Clone, Debug, Default)]
pub struct Unknown {
    /// Nothing is known from this statement on.
    pub all: Option<Origin>,
    /// Namespaces in which no object's existence is known.
    pub ns: BTreeMap<Ns, Origin>,
    /// Objects whose existence is not known.
    pub names: BTreeSet<(Ns, QName)>,
    /// Name prefixes in a namespace under which objects may exist that are not known (the
    /// indexes PostgreSQL names after a table made by `LIKE … INCLUDING` or `PARTITION OF`).
    pub prefixes: BTreeSet<(Ns, QName)>,
}

/// The schema at one point of the graph.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    /// Tables, views, indexes, sequences.
    pub relations: Arc<PMap<QName, Obj<RelKind>>>,
    /// Types.
    pub types: Arc<PMap<QName, Obj<TypeDef>>>,
    /// Functions and procedures, by name.
    pub functions: Arc<PMap<QName, Obj<FnDef>>>,
    /// Triggers: `(table, trigger name)` → the function it executes and its definition.
    pub triggers: Arc<PMap<TriggerKey, Obj<Trigger>>>,
    /// Extensions.
    pub extensions: Arc<PMap<String, Obj<()>>>,
    /// Schemas other than `public`.
    pub schemas: Arc<PMap<String, Obj<()>>>,
    /// Where objects no longer there were dropped (for "was dropped in …").
    pub dropped: Arc<PMap<(Ns, QName), Origin>>,
    /// What is not known.
    pub unknown: Arc<Unknown>,
    /// Table → the relations that may point at it (its indexes, the sequences owned by its
    /// columns, the tables whose foreign keys reference it): a superset, checked against
    /// [`Catalog::relations`] when read, so that dropping a table costs what it touches
    /// rather than a scan of every relation. Kept by [`Catalog::put_relation`] and
    /// [`Catalog::note_refs`]; rebuilt by [`Catalog::rebuild_refs`] when the relations are
    /// replaced wholesale.
    pub refs: Arc<PMap<QName, BTreeSet<QName>>>,
}

/// Every table a relation points at: an index's table, the table of the column that owns a
/// sequence, the tables a table's foreign keys reference ([`Catalog::refs`] keeps the
/// reverse).
pub fn rel_targets(r: &RelKind) -> impl Iterator<Item = &QName> {
    let fks = match r {
        RelKind::Table(t) => t.constraints.as_slice(),
        _ => &[],
    };
    rel_target(r)
        .into_iter()
        .chain(fks.iter().filter_map(|c| match &c.kind {
            ConstraintKind::ForeignKey { table, .. } => Some(table),
            _ => None,
        }))
}

/// The table a relation goes with, if it is an index or a sequence owned by a column: dropped
/// with that table, renamed with it.
pub fn rel_target(r: &RelKind) -> Option<&QName> {
    match r {
        RelKind::Index { table, .. } => Some(table),
        RelKind::Sequence {
            owned_by: Some((t, _)),
            ..
        } => Some(t),
        _ => None,
    }
}

/// A function, as far as the model cares.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct FnDef {
    /// What calling it may change: the kinds of objects its body creates, alters or drops
    /// (`EXECUTE` of a string counts as everything unless only triggers are named).
    pub ddl: Ddl,
    /// The argument types of each overload created (normalised, `OUT` arguments left out);
    /// an overload whose signature could not be read makes the name unknown instead.
    pub sigs: BTreeSet<String>,
    /// The words of its header (name, arguments, result): the types it depends on are among
    /// them.
    pub mentions: BTreeSet<String>,
    /// The definition of each overload whose definition was read, by signature (an overload
    /// of `sigs` missing here is not compared).
    pub defs: BTreeMap<String, Arc<Routine>>,
}

/// A trigger: the function it executes and its definition, as far as they are known.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Trigger {
    /// The function it executes, if known.
    pub function: Option<QName>,
    /// Its definition, if read (and not made stale by a rename of a column it names).
    pub def: Option<Arc<TriggerDef>>,
}

/// The schema changes a function body may make when called.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Ddl {
    /// None.
    #[default]
    None,
    /// Triggers only.
    Triggers,
    /// Anything.
    Any,
}

impl Catalog {
    /// The empty database: no objects, schema `public` (and the version tables of
    /// [`OUTSIDE_TABLES`], whose existence is not known).
    pub fn new() -> Self {
        let mut c = Catalog::default();
        for t in OUTSIDE_TABLES {
            Arc::make_mut(&mut c.unknown)
                .names
                .insert((Ns::Relation, QName::new("public", *t)));
        }
        c
    }

    /// Whether anything but a table's columns or constraints is unknown.
    pub(crate) fn partly_unknown_but_tables(&self) -> bool {
        self.unknown.all.is_some()
            || !self.unknown.ns.is_empty()
            || self.unknown_names_beyond_outside()
            || !self.unknown.prefixes.is_empty()
    }

    /// Whether any part is unknown, not counting what is never known ([`OUTSIDE_TABLES`]).
    fn unknown_names_beyond_outside(&self) -> bool {
        let outside = |name: &str| OUTSIDE_TABLES.contains(&name);
        self.unknown.names.iter().any(|(ns, n)| match ns {
            Ns::Relation => !(n.schema == "public" && outside(&n.name)),
            // A trigger on a version table: `table.trigger`.
            Ns::Trigger => {
                !(n.schema == "public" && n.name.split_once('.').is_some_and(|(t, _)| outside(t)))
            }
            _ => true,
        })
    }

    /// Whether nothing at all can be known.
    pub fn all_unknown(&self) -> bool {
        self.unknown.all.is_some()
    }

    /// Whether any part is unknown (a namespace, an object, a table's contents).
    pub fn partly_unknown(&self) -> bool {
        self.partly_unknown_but_tables()
            || self.relations.values().any(|r| match &r.value {
                RelKind::Table(t) => !t.columns_known || !t.constraints_known,
                _ => false,
            })
    }

    /// Whether the existence of `name` in `ns` is known (either way).
    pub fn knows(&self, ns: Ns, name: &QName) -> bool {
        self.unknown.all.is_none()
            && !self.unknown.ns.contains_key(&ns)
            && !self.unknown.names.contains(&(ns, name.clone()))
            && !self
                .unknown
                .prefixes
                .iter()
                .any(|(n, p)| *n == ns && p.schema == name.schema && name.name.starts_with(&p.name))
    }

    /// Objects in `ns` whose names start with `prefix` may exist unknown to the model.
    pub fn mark_prefix_unknown(&mut self, ns: Ns, prefix: &QName) {
        if !self.unknown.prefixes.contains(&(ns, prefix.clone())) {
            Arc::make_mut(&mut self.unknown)
                .prefixes
                .insert((ns, prefix.clone()));
        }
    }

    /// Nothing is known from `origin` on.
    pub fn mark_all_unknown(&mut self, origin: &Origin) {
        if self.unknown.all.is_none() {
            Arc::make_mut(&mut self.unknown).all = Some(origin.clone());
        }
    }

    /// No object's existence in `ns` is known from `origin` on.
    pub fn mark_ns_unknown(&mut self, ns: Ns, origin: &Origin) {
        if !self.unknown.ns.contains_key(&ns) {
            Arc::make_mut(&mut self.unknown)
                .ns
                .insert(ns, origin.clone());
        }
    }

    /// The existence of `name` in `ns` is not known.
    pub fn mark_name_unknown(&mut self, ns: Ns, name: &QName) {
        if !self.unknown.names.contains(&(ns, name.clone())) {
            Arc::make_mut(&mut self.unknown)
                .names
                .insert((ns, name.clone()));
        }
    }

    /// The existence of `name` in `ns` is known again (it was just created or dropped).
    pub fn mark_name_known(&mut self, ns: Ns, name: &QName) {
        if self.unknown.names.contains(&(ns, name.clone())) {
            Arc::make_mut(&mut self.unknown)
                .names
                .remove(&(ns, name.clone()));
        }
    }

    /// The table `name`, if it is one.
    pub fn table(&self, name: &QName) -> Option<&Table> {
        match &self.relations.get(name)?.value {
            RelKind::Table(t) => Some(t),
            _ => None,
        }
    }

    /// The names of the tables for which `pred` holds.
    pub fn tables_where(&self, pred: impl Fn(&Table) -> bool) -> Vec<QName> {
        self.relations
            .iter()
            .filter(|(_, r)| matches!(&r.value, RelKind::Table(t) if pred(t)))
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// Adds (or replaces) the relation `name`, noting what it points at in [`Catalog::refs`].
    pub fn put_relation(&mut self, name: QName, obj: Obj<RelKind>) -> Option<Obj<RelKind>> {
        for t in rel_targets(&obj.value) {
            self.note_ref(t.clone(), name.clone());
        }
        Arc::make_mut(&mut self.relations).insert(name, obj)
    }

    /// Notes in [`Catalog::refs`] what the relation `name` points at now (after it was
    /// changed in place: a foreign key added, a table it pointed at renamed).
    pub fn note_refs(&mut self, name: &QName) {
        let targets: Vec<QName> = match self.relations.get(name) {
            Some(o) => rel_targets(&o.value).cloned().collect(),
            None => return,
        };
        for t in targets {
            self.note_ref(t, name.clone());
        }
    }

    fn note_ref(&mut self, table: QName, from: QName) {
        let refs = Arc::make_mut(&mut self.refs);
        if let Some(set) = refs.get_mut(&table) {
            set.insert(from);
        } else {
            refs.insert(table, BTreeSet::from([from]));
        }
    }

    /// The tables whose foreign keys reference `table` now, with the names of those keys,
    /// in order.
    pub fn fk_referrers(&self, table: &QName) -> Vec<(QName, String)> {
        let Some(set) = self.refs.get(table) else {
            return Vec::new();
        };
        let mut by: Vec<(QName, String)> = set
            .iter()
            .filter_map(|n| match &self.relations.get(n)?.value {
                RelKind::Table(t) => Some((n, t)),
                _ => None,
            })
            .flat_map(|(n, t)| {
                t.constraints.iter().filter_map(move |c| match &c.kind {
                    ConstraintKind::ForeignKey { table: to, .. } if to == table => {
                        Some((n.clone(), c.name.clone()))
                    }
                    _ => None,
                })
            })
            .collect();
        by.sort();
        by
    }

    /// The relations that go with `table` now (its indexes, the sequences its columns own).
    pub fn dependents(&self, table: &QName) -> Vec<QName> {
        let Some(set) = self.refs.get(table) else {
            return Vec::new();
        };
        set.iter()
            .filter(|n| self.relations.get(*n).and_then(|o| rel_target(&o.value)) == Some(table))
            .cloned()
            .collect()
    }

    /// Rebuilds [`Catalog::refs`] from the relations (after they were replaced wholesale).
    pub fn rebuild_refs(&mut self) {
        let mut refs: PMap<QName, BTreeSet<QName>> = PMap::new();
        for (n, o) in self.relations.iter() {
            for t in rel_targets(&o.value) {
                if let Some(set) = refs.get_mut(t) {
                    set.insert(n.clone());
                } else {
                    refs.insert(t.clone(), BTreeSet::from([n.clone()]));
                }
            }
        }
        self.refs = Arc::new(refs);
    }

    /// The table `name` to change (copied on write).
    pub fn table_mut(&mut self, name: &QName) -> Option<&mut Table> {
        match &mut Arc::make_mut(&mut self.relations).get_mut(name)?.value {
            RelKind::Table(t) => Some(Arc::make_mut(t)),
            _ => None,
        }
    }

    /// Records where `name` was dropped.
    pub fn record_drop(&mut self, ns: Ns, name: &QName, origin: &Origin) {
        Arc::make_mut(&mut self.dropped).insert((ns, name.clone()), origin.clone());
    }

    /// Where `name` was dropped, if it was and is not there now.
    pub fn dropped_at(&self, ns: Ns, name: &QName) -> Option<&Origin> {
        self.dropped.get(&(ns, name.clone()))
    }

    /// Whether a relation, type, … named `name` exists in `ns`.
    pub fn exists(&self, ns: Ns, name: &QName) -> bool {
        match ns {
            Ns::Relation => self.relations.contains_key(name),
            Ns::Type => self.types.contains_key(name),
            Ns::Function => self.functions.contains_key(name),
            Ns::Trigger => name
                .name
                .split_once('.')
                .is_some_and(|(t, n)| self.triggers.contains_key(&(name.sibling(t), n.to_owned()))),
            Ns::Extension => self.extensions.contains_key(&name.name),
            Ns::Schema => name.name == "public" || self.schemas.contains_key(&name.name),
        }
    }

    /// Whether this catalog and `other` hold the same objects (a cheap pointer test first).
    pub fn same_as(&self, other: &Catalog) -> bool {
        (Arc::ptr_eq(&self.relations, &other.relations) || self.relations == other.relations)
            && (Arc::ptr_eq(&self.types, &other.types) || self.types == other.types)
            && (Arc::ptr_eq(&self.functions, &other.functions) || self.functions == other.functions)
            && (Arc::ptr_eq(&self.triggers, &other.triggers) || self.triggers == other.triggers)
            && (Arc::ptr_eq(&self.extensions, &other.extensions)
                || self.extensions == other.extensions)
            && (Arc::ptr_eq(&self.schemas, &other.schemas) || self.schemas == other.schemas)
    }

    /// How many objects of each kind (tables, columns, indexes, types, …): for summaries.
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut tables = 0;
        let mut columns = 0;
        let mut indexes = 0;
        for r in self.relations.values() {
            match &r.value {
                RelKind::Table(t) => {
                    tables += 1;
                    columns += t.columns.len();
                }
                RelKind::Index { .. } => indexes += 1,
                _ => {}
            }
        }
        (tables, columns, indexes)
    }
}

/// Splits `text` (a possibly qualified name as written) into normalised parts: unquoted
/// words folded to lower case, quoted ones kept (`""` → `"`). `None` if it is not a plain
/// dotted name.
pub fn name_parts(text: &str) -> Option<Vec<String>> {
    let mut parts = Vec::new();
    let mut chars = text.trim().chars().peekable();
    let mut expect_name = true;
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if expect_name {
            if c == '"' {
                chars.next();
                let mut s = String::new();
                loop {
                    match chars.next()? {
                        '"' if chars.peek() == Some(&'"') => {
                            chars.next();
                            s.push('"');
                        }
                        '"' => break,
                        ch => s.push(ch),
                    }
                }
                parts.push(truncate_identifier(s));
            } else if c.is_alphabetic() || c == '_' {
                parts.push(truncate_identifier(folded_word(&mut chars)));
            } else {
                return None;
            }
            expect_name = false;
        } else if c == '.' {
            chars.next();
            expect_name = true;
        } else {
            return None;
        }
    }
    (!parts.is_empty() && !expect_name).then_some(parts)
}

/// The rest of an unquoted word (letters, digits, `_`, `$`), folded to lower case.
fn folded_word(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> String {
    let mut s = String::new();
    while let Some(&ch) = chars.peek() {
        if ch.is_alphanumeric() || ch == '_' || ch == '$' {
            s.extend(ch.to_lowercase());
            chars.next();
        } else {
            break;
        }
    }
    s
}

/// PostgreSQL keeps the first 63 bytes of an identifier (NAMEDATALEN - 1).
fn truncate_identifier(mut s: String) -> String {
    if s.len() > 63 {
        let mut end = 63;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

/// A qualified name from `text`: `name` → `public.name`, `schema.name`; `None` otherwise.
pub fn qname(text: &str) -> Option<QName> {
    let mut parts = name_parts(text)?;
    match parts.len() {
        1 => Some(QName::new("public", parts.pop()?)),
        2 => {
            let name = parts.pop()?;
            Some(QName::new(parts.pop()?, name))
        }
        _ => None,
    }
}

/// One unqualified name from `text`.
pub fn simple_name(text: &str) -> Option<String> {
    let mut parts = name_parts(text)?;
    (parts.len() == 1).then(|| parts.pop()).flatten()
}

/// A type as written, normalised to the text PostgreSQL's `format_type(atttypid, atttypmod)`
/// gives for it, so that aliases compare equal and the text is valid SQL again:
/// `int4`/`int`/`serial` → `integer`, `varchar(10)` → `character varying(10)`, `timestamptz`
/// → `timestamp with time zone`, `numeric(10, 2)` → `numeric(10,2)`, `char` →
/// `character(1)`, `int[][]` → `integer[]`, `public.mood` → `mood`, `"Mood"` → `"Mood"`.
pub fn normalize_type(text: &str) -> String {
    let toks = type_tokens(text);
    // The array suffix: `[]`, `[3]`, `ARRAY`, `ARRAY[3]` (PostgreSQL keeps no dimensions).
    let array_at = toks
        .iter()
        .position(|t| matches!(t, TypeTok::Punct('[')) || *t == TypeTok::Word("array".into()));
    let (base, array) = match array_at {
        Some(k) => (&toks[..k], true),
        None => (&toks[..], false),
    };
    let mut out = normalize_base(base);
    if array {
        out.push_str("[]");
    }
    out
}

/// A token of a type's text.
#[derive(Clone, Debug, PartialEq, Eq)]
enum TypeTok {
    /// A word, folded to lower case (digits included: `10`, `int4`).
    Word(String),
    /// A quoted identifier, its quotes removed.
    Quoted(String),
    /// Any other character but white space.
    Punct(char),
}

fn type_tokens(text: &str) -> Vec<TypeTok> {
    let mut toks = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' {
            let mut s = String::new();
            while let Some(ch) = chars.next() {
                match ch {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        s.push('"');
                    }
                    '"' => break,
                    ch => s.push(ch),
                }
            }
            toks.push(TypeTok::Quoted(s));
        } else if c.is_alphanumeric() || c == '_' || c == '$' {
            let mut s: String = c.to_lowercase().collect();
            s.push_str(&folded_word(&mut chars));
            toks.push(TypeTok::Word(s));
        } else if !c.is_whitespace() {
            toks.push(TypeTok::Punct(c));
        }
    }
    toks
}

/// An identifier as PostgreSQL prints it: quoted unless it is a plain lower-case name.
pub fn quote_ident(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$')
        && !crate::sql::gaps::RESERVED.contains(&name);
    if plain {
        name.to_owned()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// A string literal: `'it''s'`.
pub fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A qualified name as SQL (and as a column's type text holds a type's name): `mood`,
/// `app.mood`, `"Mood"`.
pub fn sql_name(name: &QName) -> String {
    if name.schema == "public" || name.schema.is_empty() {
        quote_ident(&name.name)
    } else {
        format!("{}.{}", quote_ident(&name.schema), quote_ident(&name.name))
    }
}

/// The base type (no array suffix) as `format_type` prints it.
fn normalize_base(toks: &[TypeTok]) -> String {
    // Words before the modifier, the modifier's numbers, words after it.
    let paren = toks.iter().position(|t| *t == TypeTok::Punct('('));
    let close = toks.iter().position(|t| *t == TypeTok::Punct(')'));
    let (before, modifier, after) = match (paren, close) {
        (Some(o), Some(c)) if o < c => (&toks[..o], Some(&toks[o + 1..c]), &toks[c + 1..]),
        (None, None) => (toks, None, &toks[toks.len()..]),
        _ => return fallback(toks),
    };
    // `(10, 2)` → `10,2`; only numbers and commas are a modifier PostgreSQL prints back.
    let numbers: Option<Vec<u32>> = match modifier {
        None => Some(Vec::new()),
        Some(m) => m
            .iter()
            .filter(|t| **t != TypeTok::Punct(','))
            .map(|t| match t {
                TypeTok::Word(w) => w.parse().ok(),
                _ => None,
            })
            .collect(),
    };
    let (Some(words), Some(after_words), Some(nums)) =
        (only_words(before), only_words(after), numbers)
    else {
        return named(before, modifier, after).unwrap_or_else(|| fallback(toks));
    };
    let m = |nums: &[u32]| -> String {
        if nums.is_empty() {
            String::new()
        } else {
            let n: Vec<String> = nums.iter().map(u32::to_string).collect();
            format!("({})", n.join(","))
        }
    };
    let zone = |after: &[&str], tz: bool| -> Option<&'static str> {
        match after {
            [] => Some(if tz { "with" } else { "without" }),
            ["with", "time", "zone"] if !tz => Some("with"),
            ["without", "time", "zone"] if !tz => Some("without"),
            _ => None,
        }
    };
    let simple = match (words.as_slice(), after_words.as_slice()) {
        (["int" | "int4" | "integer" | "serial" | "serial4"], []) if nums.is_empty() => {
            Some("integer".to_owned())
        }
        (["int8" | "bigint" | "bigserial" | "serial8"], []) if nums.is_empty() => {
            Some("bigint".to_owned())
        }
        (["int2" | "smallint" | "smallserial" | "serial2"], []) if nums.is_empty() => {
            Some("smallint".to_owned())
        }
        (["float8"] | ["double", "precision"], []) if nums.is_empty() => {
            Some("double precision".to_owned())
        }
        (["float4" | "real"], []) if nums.is_empty() => Some("real".to_owned()),
        (["float"], []) => match nums.as_slice() {
            [] => Some("double precision".to_owned()),
            [p] if (1..=24).contains(p) => Some("real".to_owned()),
            [p] if (25..=53).contains(p) => Some("double precision".to_owned()),
            _ => None,
        },
        (["bool" | "boolean"], []) if nums.is_empty() => Some("boolean".to_owned()),
        (["varchar"] | ["character" | "char", "varying"], []) => {
            Some(format!("character varying{}", m(&nums)))
        }
        (["char" | "character"], []) => Some(if nums.is_empty() {
            "character(1)".to_owned()
        } else {
            format!("character{}", m(&nums))
        }),
        (["bpchar"], []) => Some(if nums.is_empty() {
            "bpchar".to_owned()
        } else {
            format!("character{}", m(&nums))
        }),
        (["decimal" | "numeric"], []) => Some(match nums.as_slice() {
            [p] => format!("numeric({p},0)"),
            _ => format!("numeric{}", m(&nums)),
        }),
        (["bit"], []) => Some(if nums.is_empty() {
            "bit(1)".to_owned()
        } else {
            format!("bit{}", m(&nums))
        }),
        (["varbit"] | ["bit", "varying"], []) => Some(format!("bit varying{}", m(&nums))),
        (["timestamptz"], []) => Some(format!("timestamp{} with time zone", m(&nums))),
        (["timetz"], []) => Some(format!("time{} with time zone", m(&nums))),
        (["timestamp"], a) => {
            zone(a, false).map(|z| format!("timestamp{} {z} time zone", m(&nums)))
        }
        (["time"], a) => zone(a, false).map(|z| format!("time{} {z} time zone", m(&nums))),
        // `timestamp with time zone` written without a modifier: all words before.
        (["timestamp" | "time", rest @ ..], []) if !rest.is_empty() && nums.is_empty() => {
            zone(rest, false).map(|z| format!("{} {z} time zone", words[0]))
        }
        (["interval", fields @ ..], []) => {
            let mut s = "interval".to_owned();
            for f in fields {
                s.push(' ');
                s.push_str(f);
            }
            s.push_str(&m(&nums));
            Some(s)
        }
        _ => None,
    };
    simple
        .or_else(|| named(before, modifier, after))
        .unwrap_or_else(|| fallback(toks))
}

/// The tokens' words, if they are all words.
fn only_words(ts: &[TypeTok]) -> Option<Vec<&str>> {
    ts.iter()
        .map(|t| match t {
            TypeTok::Word(w) => Some(w.as_str()),
            _ => None,
        })
        .collect()
}

/// A named type: `name`, `schema.name` (`public.` left out), with a modifier if written.
fn named(before: &[TypeTok], modifier: Option<&[TypeTok]>, after: &[TypeTok]) -> Option<String> {
    if !after.is_empty() {
        return None;
    }
    let part = |t: &TypeTok| match t {
        TypeTok::Word(w) | TypeTok::Quoted(w) => Some(w.clone()),
        TypeTok::Punct(_) => None,
    };
    let name = match before {
        [n] => QName::new("public", part(n)?),
        [s, TypeTok::Punct('.'), n] => QName::new(part(s)?, part(n)?),
        _ => return None,
    };
    let mut out = match before {
        // A quoted name that unquoted would be a built-in type (`"char"`) keeps its quotes.
        [TypeTok::Quoted(w)] if normalize_base(&[TypeTok::Word(w.clone())]) != *w => {
            format!("\"{}\"", w.replace('"', "\"\""))
        }
        _ => sql_name(&name),
    };
    if let Some(m) = modifier {
        out.push('(');
        out.push_str(&fallback(m));
        out.push(')');
    }
    Some(out)
}

/// Anything else: the words with single spaces, other characters without.
fn fallback(toks: &[TypeTok]) -> String {
    let mut out = String::new();
    let mut last_word = false;
    for t in toks {
        match t {
            TypeTok::Word(w) => {
                if last_word {
                    out.push(' ');
                }
                out.push_str(w);
                last_word = true;
            }
            TypeTok::Quoted(w) => {
                if last_word {
                    out.push(' ');
                }
                out.push_str(&quote_ident(w));
                last_word = true;
            }
            TypeTok::Punct(c) => {
                out.push(*c);
                last_word = false;
            }
        }
    }
    out
}

/// Tables that exist outside the migrations: the version tables of retort (default name) and
/// of the tools a database may be adopted from (diesel, sqlx, refinery). Their existence is
/// never judged.
pub const OUTSIDE_TABLES: &[&str] = &[
    "retort_migrations",
    "__diesel_schema_migrations",
    "_sqlx_migrations",
    "refinery_schema_history",
];

/// PostgreSQL's generated name for an object on `table` over `columns` with `suffix`
/// (`pkey`, `key`, `fkey`, `check`, `idx`, `seq`): `table_col1_col2_suffix`. `exact` is
/// `false` when PostgreSQL would have truncated it (its rule is subtle, so we do not guess).
pub fn generated_name(table: &str, columns: &[String], suffix: &str) -> (String, bool) {
    let mut name = table.to_owned();
    for c in columns {
        name.push('_');
        name.push_str(c);
    }
    name.push('_');
    name.push_str(suffix);
    let exact = name.len() <= 63;
    (name, exact)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fold_unquoted_and_keep_quoted() {
        assert_eq!(qname("Users"), Some(QName::new("public", "users")));
        assert_eq!(qname("\"Users\""), Some(QName::new("public", "Users")));
        assert_eq!(qname("App . \"T\"\"x\""), Some(QName::new("app", "T\"x")));
        assert_eq!(qname("a.b.c"), None);
        assert_eq!(qname("f(x)"), None);
        assert_eq!(qname(""), None);
    }

    #[test]
    fn types_compare_through_aliases() {
        assert_eq!(normalize_type("INT4"), normalize_type("integer"));
        assert_eq!(
            normalize_type("varchar(10)"),
            normalize_type("CHARACTER VARYING (10)")
        );
        assert_eq!(
            normalize_type("timestamptz"),
            normalize_type("timestamp with time zone")
        );
        assert_eq!(
            normalize_type("TIMESTAMP"),
            normalize_type("timestamp without time zone")
        );
        assert_ne!(normalize_type("text"), normalize_type("varchar"));
        assert_eq!(normalize_type("text []"), "text[]");
    }

    #[test]
    fn types_read_as_format_type_prints_them() {
        for (written, pg) in [
            ("serial", "integer"),
            ("BIGSERIAL", "bigint"),
            ("int2", "smallint"),
            ("varchar(10)", "character varying(10)"),
            ("varchar", "character varying"),
            ("char", "character(1)"),
            ("char(3)", "character(3)"),
            ("numeric(10, 2)", "numeric(10,2)"),
            ("decimal(5)", "numeric(5,0)"),
            ("numeric", "numeric"),
            ("float", "double precision"),
            ("float(10)", "real"),
            ("float4", "real"),
            ("timestamptz", "timestamp with time zone"),
            ("timestamptz(3)", "timestamp(3) with time zone"),
            ("TIMESTAMP", "timestamp without time zone"),
            ("timestamp(0) with time zone", "timestamp(0) with time zone"),
            ("time", "time without time zone"),
            ("bit", "bit(1)"),
            ("varbit(4)", "bit varying(4)"),
            ("int[][]", "integer[]"),
            ("int ARRAY", "integer[]"),
            ("text[3]", "text[]"),
            ("public.mood", "mood"),
            ("App.Mood", "app.mood"),
            ("\"Mood\"[]", "\"Mood\"[]"),
            ("\"mood\"", "mood"),
            ("interval day to second", "interval day to second"),
            ("double precision[]", "double precision[]"),
            ("\"char\"", "\"char\""),
            ("\"int\"", "\"int\""),
        ] {
            assert_eq!(normalize_type(written), pg, "{written}");
        }
    }

    #[test]
    fn copies_share_until_written() {
        let mut a = Catalog::new();
        Arc::make_mut(&mut a.extensions).insert(
            "x".into(),
            Obj {
                value: (),
                origin: Origin {
                    file: crate::source::Sources::new().add("f", ""),
                    range: 0..0,
                },
                if_not_exists: false,
            },
        );
        let b = a.clone();
        assert!(Arc::ptr_eq(&a.extensions, &b.extensions));
        assert!(a.same_as(&b));
    }
}
