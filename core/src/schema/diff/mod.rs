//! The difference between two catalogs as ordered schema changes: what `retort revision
//! --autogenerate` writes and `retort diff` prints.
//!
//! [`diff`] compares the catalog at the head (`from`) with the desired one (`to`) object kind
//! by object kind (one module each, with methods named for the question they answer:
//! [`Differ::created_tables`], [`Differ::dropped_columns`], [`Differ::changed_column_types`],
//! …) and orders the [`Change`]s so that PostgreSQL accepts them: schemas and types before
//! the tables that use them, tables before foreign keys, views dropped before what they read
//! changes and created after, functions before what may call them (after the tables when
//! they use a relation the diff creates) and dropped after, triggers dropped first and
//! created last. Every change has an exact inverse ([`Change::inverse`]): the
//! down section is the inverses in reverse order ([`render`]).
//!
//! What the model cannot compare (a function or trigger whose definition it did not read, a
//! table whose columns are not all known, an expression it did not keep) is listed in [`Diff::not_compared`], never taken as equal
//! or different. What the differ refuses to decide — a drop not allowed, a drop and an add
//! that look like a rename, an annotation that names nothing — is a [`Problem`].

mod columns;
mod constraints;
mod functions;
mod indexes;
mod namespaces;
mod render;
mod safe;
mod sequences;
mod tables;
mod triggers;
mod types;
mod views;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

pub use render::{Sections, render, render_change};
pub use safe::{Form, Step, StepKind, Txn, steps};

use super::catalog::{
    Catalog, Column, Constraint, Ns, QName, SequenceOptions, Table, Written, sql_name,
};
use super::routine::Routine;
use super::trigger_def::TriggerDef;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::source::FileId;
use crate::sql::lex::{TokKind, tokenize};

/// A place in the desired schema's file (an annotation, a statement).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    /// The file.
    pub file: FileId,
    /// The byte range.
    pub range: Range<usize>,
}

/// What a `-- retort:renamed_from <old name>` annotation renames.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RenameKind {
    /// A table (`to` is the name in the desired schema).
    Table {
        /// The name at the head.
        from: QName,
        /// The desired name.
        to: QName,
    },
    /// A column of the table named `table` in the desired schema.
    Column {
        /// The table, by its desired name.
        table: QName,
        /// The column's name at the head.
        from: String,
        /// The desired name.
        to: String,
    },
    /// An index.
    Index {
        /// The name at the head.
        from: QName,
        /// The desired name.
        to: QName,
    },
    /// A type.
    Type {
        /// The name at the head.
        from: QName,
        /// The desired name.
        to: QName,
    },
    /// A value of the enum type named `ty` in the desired schema.
    EnumValue {
        /// The type, by its desired name.
        ty: QName,
        /// The value at the head.
        from: String,
        /// The desired value.
        to: String,
    },
}

/// One rename annotation and where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rename {
    /// What it renames.
    pub kind: RenameKind,
    /// The annotation's place (the comment), when it comes from a file.
    pub at: Option<Place>,
}

/// The renames the desired schema declares.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Renames {
    /// In the order written.
    pub items: Vec<Rename>,
}

impl Renames {
    /// No renames.
    pub fn none() -> Self {
        Renames::default()
    }
}

/// One schema change, with everything needed to write it and its inverse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// `CREATE SCHEMA`.
    CreateSchema(String),
    /// `DROP SCHEMA`.
    DropSchema(String),
    /// `CREATE EXTENSION`.
    CreateExtension(String),
    /// `DROP EXTENSION`.
    DropExtension(String),
    /// `CREATE TYPE … AS ENUM`.
    CreateEnum {
        /// The type.
        name: QName,
        /// Its values in order.
        values: Vec<String>,
    },
    /// `DROP TYPE` of an enum.
    DropEnum {
        /// The type.
        name: QName,
        /// Its values (for the inverse).
        values: Vec<String>,
    },
    /// `ALTER TYPE … RENAME TO`.
    RenameType {
        /// The old name.
        from: QName,
        /// The new name.
        to: QName,
    },
    /// `ALTER TYPE … ADD VALUE … [BEFORE|AFTER …]`.
    AddEnumValue {
        /// The type.
        ty: QName,
        /// The new value.
        value: String,
        /// Where it goes.
        position: EnumPosition,
        /// The values before the change (the inverse rebuilds the type with them).
        before: Vec<String>,
        /// The columns of that type (for the inverse).
        users: Vec<EnumUser>,
    },
    /// `ALTER TYPE … RENAME VALUE`.
    RenameEnumValue {
        /// The type.
        ty: QName,
        /// The old value.
        from: String,
        /// The new value.
        to: String,
    },
    /// An enum type rebuilt with other values (PostgreSQL cannot remove a value): the old type
    /// renamed aside, the new one created, every column converted, the old one dropped.
    RebuildEnum {
        /// The type.
        ty: QName,
        /// The values before.
        from: Vec<String>,
        /// The values after.
        to: Vec<String>,
        /// The columns of that type.
        users: Vec<EnumUser>,
    },
    /// `CREATE SEQUENCE`.
    CreateSequence(QName),
    /// `DROP SEQUENCE`.
    DropSequence(QName),
    /// `ALTER SEQUENCE … OWNED BY table.column` (inverse: `OWNED BY NONE`).
    OwnSequence {
        /// The sequence.
        seq: QName,
        /// The owning table and column.
        owner: (QName, String),
    },
    /// `ALTER SEQUENCE … OWNED BY NONE`.
    DisownSequence {
        /// The sequence.
        seq: QName,
        /// The owner it had.
        owner: (QName, String),
    },
    /// `ALTER TABLE … RENAME TO`.
    RenameTable {
        /// The old name.
        from: QName,
        /// The new name.
        to: QName,
    },
    /// `ALTER TABLE … RENAME COLUMN`.
    RenameColumn {
        /// The table.
        table: QName,
        /// The old name.
        from: String,
        /// The new name.
        to: String,
    },
    /// `ALTER TABLE … RENAME CONSTRAINT` (a constraint kept under another name, such as a
    /// primary key named after a table since renamed).
    RenameConstraint {
        /// The table.
        table: QName,
        /// The old name.
        from: String,
        /// The new name.
        to: String,
    },
    /// `ALTER INDEX … RENAME TO`.
    RenameIndex {
        /// The old name.
        from: QName,
        /// The new name.
        to: QName,
    },
    /// `CREATE TABLE` with its columns and its primary key, unique and check constraints
    /// (foreign keys and indexes are changes of their own).
    CreateTable {
        /// The table.
        name: QName,
        /// Its definition.
        table: TableDef,
    },
    /// `DROP TABLE`.
    DropTable {
        /// The table.
        name: QName,
        /// Its definition (for the inverse).
        table: TableDef,
    },
    /// `ALTER TABLE … ADD COLUMN`.
    AddColumn {
        /// The table.
        table: QName,
        /// The column.
        column: ColumnDef,
    },
    /// `ALTER TABLE … DROP COLUMN`.
    DropColumn {
        /// The table.
        table: QName,
        /// The column (for the inverse).
        column: ColumnDef,
    },
    /// `ALTER TABLE … ALTER COLUMN … TYPE … [COLLATE …] [USING col::type]`: a new type, a new
    /// collation, or both (a new type without `COLLATE` takes the type's default collation).
    AlterColumnType {
        /// The table.
        table: QName,
        /// The column.
        column: String,
        /// The type before.
        from: String,
        /// The type after.
        to: String,
        /// The collation before (`None`: the type's default).
        from_collation: Option<String>,
        /// The collation after.
        to_collation: Option<String>,
    },
    /// `ALTER TABLE … ALTER COLUMN … SET|DROP NOT NULL`.
    SetNotNull {
        /// The table.
        table: QName,
        /// The column.
        column: String,
        /// `true` for `SET NOT NULL`.
        not_null: bool,
    },
    /// `ALTER TABLE … ALTER COLUMN … SET DEFAULT …|DROP DEFAULT`.
    SetDefault {
        /// The table.
        table: QName,
        /// The column.
        column: String,
        /// The default before (`None`: none).
        from: Option<String>,
        /// The default after.
        to: Option<String>,
    },
    /// `ALTER TABLE … ADD CONSTRAINT`.
    AddConstraint {
        /// The table.
        table: QName,
        /// The constraint.
        constraint: Constraint,
    },
    /// `ALTER TABLE … DROP CONSTRAINT`.
    DropConstraint {
        /// The table.
        table: QName,
        /// The constraint (for the inverse).
        constraint: Constraint,
    },
    /// `CREATE [UNIQUE] INDEX`.
    CreateIndex {
        /// The index.
        name: QName,
        /// Its definition.
        index: IndexDef,
    },
    /// `DROP INDEX`.
    DropIndex {
        /// The index.
        name: QName,
        /// Its definition (for the inverse).
        index: IndexDef,
    },
    /// `CREATE [MATERIALIZED] VIEW`.
    CreateView {
        /// The view.
        name: QName,
        /// Its definition.
        view: ViewDef,
    },
    /// `DROP [MATERIALIZED] VIEW`.
    DropView {
        /// The view.
        name: QName,
        /// Its definition (for the inverse).
        view: ViewDef,
    },
    /// `ALTER SEQUENCE … INCREMENT BY … MINVALUE … [RESTART]`: the options that differ (a
    /// `serial`'s or an identity's sequence too).
    AlterSequence {
        /// The sequence.
        seq: QName,
        /// Its options before.
        from: SequenceOptions,
        /// Its options after.
        to: SequenceOptions,
        /// The sequence is made (or dropped) by the same revision: `RESTART` it, so that it
        /// starts at its new start.
        restart: bool,
    },
    /// `CREATE FUNCTION|PROCEDURE`.
    CreateFunction {
        /// The function.
        name: QName,
        /// Its definition.
        def: Routine,
    },
    /// `DROP FUNCTION|PROCEDURE name(types)`.
    DropFunction {
        /// The function.
        name: QName,
        /// Its definition (for the inverse).
        def: Routine,
    },
    /// `CREATE OR REPLACE FUNCTION|PROCEDURE` of one overload whose interface stays.
    ReplaceFunction {
        /// The function.
        name: QName,
        /// The definition before.
        from: Routine,
        /// The definition after.
        to: Routine,
    },
    /// `CREATE [CONSTRAINT] TRIGGER`.
    CreateTrigger {
        /// The table (or view).
        table: QName,
        /// The trigger.
        name: String,
        /// Its definition.
        def: TriggerDef,
    },
    /// `DROP TRIGGER … ON …`.
    DropTrigger {
        /// The table (or view).
        table: QName,
        /// The trigger.
        name: String,
        /// Its definition (for the inverse).
        def: TriggerDef,
    },
}

/// Where an added enum value goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnumPosition {
    /// At the end.
    Last,
    /// `BEFORE 'value'`.
    Before(String),
    /// `AFTER 'value'`.
    After(String),
}

/// A column whose type is an enum (or an array of it), as an enum's rebuild converts it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnumUser {
    /// The table.
    pub table: QName,
    /// The column.
    pub column: String,
    /// Whether the column is an array of the type.
    pub array: bool,
    /// Its default, which the conversion drops and sets again.
    pub default: Option<String>,
}

/// A column as a `CREATE TABLE` or `ADD COLUMN` writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnDef {
    /// The column.
    pub column: Column,
    /// Written as `serial`/`bigserial`/`smallserial`: its default is its own sequence's.
    pub serial: bool,
    /// An identity column's sequence options, when known (those that differ from a new
    /// sequence's are written in the identity clause).
    pub identity_options: Option<SequenceOptions>,
    /// An identity column's sequence name when it is not the one PostgreSQL gives it
    /// (`SEQUENCE NAME`).
    pub identity_sequence: Option<QName>,
}

/// A table as a `CREATE TABLE` writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableDef {
    /// Its columns in order.
    pub columns: Vec<ColumnDef>,
    /// Its primary key, unique and check constraints.
    pub constraints: Vec<Constraint>,
}

/// An index as a `CREATE INDEX` writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexDef {
    /// The table.
    pub table: QName,
    /// `UNIQUE`.
    pub unique: bool,
    /// What follows `ON table`.
    pub sql: String,
}

/// A view as a `CREATE VIEW` writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewDef {
    /// `MATERIALIZED`.
    pub materialized: bool,
    /// What follows its name (`AS SELECT …`).
    pub sql: String,
}

impl Change {
    /// The change that undoes this one.
    pub fn inverse(&self) -> Change {
        use Change as C;
        match self.clone() {
            C::CreateSchema(s) => C::DropSchema(s),
            C::DropSchema(s) => C::CreateSchema(s),
            C::CreateExtension(e) => C::DropExtension(e),
            C::DropExtension(e) => C::CreateExtension(e),
            C::CreateEnum { name, values } => C::DropEnum { name, values },
            C::DropEnum { name, values } => C::CreateEnum { name, values },
            C::RenameType { from, to } => C::RenameType { from: to, to: from },
            C::AddEnumValue {
                ty,
                value,
                position,
                before,
                users,
            } => {
                let mut after = before.clone();
                insert_value(&mut after, value, &position);
                C::RebuildEnum {
                    ty,
                    from: after,
                    to: before,
                    users,
                }
            }
            C::RenameEnumValue { ty, from, to } => C::RenameEnumValue {
                ty,
                from: to,
                to: from,
            },
            C::RebuildEnum {
                ty,
                from,
                to,
                users,
            } => C::RebuildEnum {
                ty,
                from: to,
                to: from,
                users,
            },
            C::CreateSequence(s) => C::DropSequence(s),
            C::DropSequence(s) => C::CreateSequence(s),
            C::OwnSequence { seq, owner } => C::DisownSequence { seq, owner },
            C::DisownSequence { seq, owner } => C::OwnSequence { seq, owner },
            C::RenameTable { from, to } => C::RenameTable { from: to, to: from },
            C::RenameColumn { table, from, to } => C::RenameColumn {
                table,
                from: to,
                to: from,
            },
            C::RenameIndex { from, to } => C::RenameIndex { from: to, to: from },
            C::RenameConstraint { table, from, to } => C::RenameConstraint {
                table,
                from: to,
                to: from,
            },
            C::CreateTable { name, table } => C::DropTable { name, table },
            C::DropTable { name, table } => C::CreateTable { name, table },
            C::AddColumn { table, column } => C::DropColumn { table, column },
            C::DropColumn { table, column } => C::AddColumn { table, column },
            C::AlterColumnType {
                table,
                column,
                from,
                to,
                from_collation,
                to_collation,
            } => C::AlterColumnType {
                table,
                column,
                from: to,
                to: from,
                from_collation: to_collation,
                to_collation: from_collation,
            },
            C::SetNotNull {
                table,
                column,
                not_null,
            } => C::SetNotNull {
                table,
                column,
                not_null: !not_null,
            },
            C::SetDefault {
                table,
                column,
                from,
                to,
            } => C::SetDefault {
                table,
                column,
                from: to,
                to: from,
            },
            C::AddConstraint { table, constraint } => C::DropConstraint { table, constraint },
            C::DropConstraint { table, constraint } => C::AddConstraint { table, constraint },
            C::CreateIndex { name, index } => C::DropIndex { name, index },
            C::DropIndex { name, index } => C::CreateIndex { name, index },
            C::CreateView { name, view } => C::DropView { name, view },
            C::DropView { name, view } => C::CreateView { name, view },
            C::AlterSequence {
                seq,
                from,
                to,
                restart,
            } => C::AlterSequence {
                seq,
                from: to,
                to: from,
                restart,
            },
            C::CreateFunction { name, def } => C::DropFunction { name, def },
            C::DropFunction { name, def } => C::CreateFunction { name, def },
            C::ReplaceFunction { name, from, to } => C::ReplaceFunction {
                name,
                from: to,
                to: from,
            },
            C::CreateTrigger { table, name, def } => C::DropTrigger { table, name, def },
            C::DropTrigger { table, name, def } => C::CreateTrigger { table, name, def },
        }
    }
}

/// Puts `value` into `values` at `position`.
fn insert_value(values: &mut Vec<String>, value: String, position: &EnumPosition) {
    let at = match position {
        EnumPosition::Last => None,
        EnumPosition::Before(v) => values.iter().position(|x| x == v),
        EnumPosition::After(v) => values.iter().position(|x| x == v).map(|i| i + 1),
    };
    match at {
        Some(i) => values.insert(i, value),
        None => values.push(value),
    }
}

/// PostgreSQL refuses a value added by `ADD VALUE` in the transaction that added it ("unsafe
/// use of new value"): where another change of the revision names an added value, the
/// type's additions become one rebuild of the type, which a transaction may use.
fn rebuild_where_used(changes: Vec<Change>) -> Vec<Change> {
    let mut used: BTreeSet<QName> = BTreeSet::new();
    for c in &changes {
        if let Change::AddEnumValue { ty, value, .. } = c {
            let lit = super::catalog::literal(value);
            let named = changes.iter().any(|o| {
                !matches!(o, Change::AddEnumValue { .. }) && render_change(o).contains(&lit)
            });
            if named {
                used.insert(ty.clone());
            }
        }
    }
    if used.is_empty() {
        return changes;
    }
    let mut out: Vec<Change> = Vec::with_capacity(changes.len());
    for c in changes {
        match c {
            Change::AddEnumValue {
                ty,
                value,
                position,
                before,
                users,
            } if used.contains(&ty) => {
                // Merged into the rebuild the first addition of the type started.
                let merged = out.iter_mut().find_map(|o| match o {
                    Change::RebuildEnum { ty: t, to, .. } if *t == ty => Some(to),
                    _ => None,
                });
                match merged {
                    Some(to) => insert_value(to, value, &position),
                    None => {
                        let mut to = before.clone();
                        insert_value(&mut to, value, &position);
                        out.push(Change::RebuildEnum {
                            ty,
                            from: before,
                            to,
                            users,
                        });
                    }
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// What kind of object a drop or a rename suspect is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ObjectKind {
    /// A table.
    Table,
    /// A column.
    Column,
    /// An index.
    Index,
    /// A type.
    Type,
    /// A constraint.
    Constraint,
    /// An enum value.
    EnumValue,
    /// A function's overload.
    Function,
    /// A trigger.
    Trigger,
}

impl ObjectKind {
    /// The word in messages.
    pub fn word(self) -> &'static str {
        match self {
            ObjectKind::Table => "table",
            ObjectKind::Column => "column",
            ObjectKind::Index => "index",
            ObjectKind::Type => "type",
            ObjectKind::Constraint => "constraint",
            ObjectKind::EnumValue => "enum value",
            ObjectKind::Function => "function",
            ObjectKind::Trigger => "trigger",
        }
    }
}

/// An object the head has and the desired schema does not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dropped {
    /// What kind.
    pub kind: ObjectKind,
    /// How a message names it: `users`, `users.email`, `mood 'sad'`.
    pub name: String,
    /// Whether dropping it loses data the down section cannot bring back (a table, a column,
    /// an enum value).
    pub loses_data: bool,
}

/// What the differ refuses to decide alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Drops that were not allowed (`--allow-drop`).
    DropsNotAllowed(Vec<Dropped>),
    /// A drop and an add that look like a rename, without an annotation.
    RenameSuspect {
        /// What kind.
        kind: ObjectKind,
        /// The name at the head.
        old: String,
        /// The name in the desired schema.
        new: String,
        /// The rename the annotation would declare.
        rename: RenameKind,
        /// Where the desired object is created.
        at: Option<Place>,
    },
    /// A rename annotation whose old name is not at the head (and whose new name is not
    /// either: an annotation already applied is fine).
    UnknownRename(Rename),
    /// A difference the differ cannot write yet.
    Unsupported {
        /// What, in words.
        what: String,
        /// Where the desired object is created, if known.
        at: Option<Place>,
    },
}

impl Problem {
    /// The problem as an error diagnostic.
    pub fn to_diagnostic(&self) -> Diagnostic {
        match self {
            Problem::DropsNotAllowed(drops) => {
                let names: Vec<String> = drops
                    .iter()
                    .map(|d| format!("{} `{}`", d.kind.word(), d.name))
                    .collect();
                let mut d = Diagnostic::error(
                    Code::AutogenDropNotAllowed,
                    format!(
                        "the schema file no longer has {}: dropping needs `--allow-drop`",
                        if drops.len() == 1 {
                            names[0].clone()
                        } else {
                            format!("{} objects", drops.len())
                        }
                    ),
                );
                if drops.len() > 1 {
                    for n in &names {
                        d = d.with_note(format!("would drop {n}"));
                    }
                }
                d.with_help(
                    "pass `--allow-drop` to write the drops (the revision gets a `lossy_down:` \
                     header), or put the objects back in the schema file; a rename is written \
                     with `-- retort:renamed_from <old name>` on the line before the new name",
                )
            }
            Problem::RenameSuspect {
                kind, old, new, at, ..
            } => {
                let d = Diagnostic::error(
                    Code::AutogenRenameSuspect,
                    format!(
                        "{} `{old}` is gone and `{new}` is new, with the same definition: a rename \
                     or a drop and an add?",
                        kind.word()
                    ),
                );
                let old_short = old.rsplit('.').next().unwrap_or(old);
                let d = match at {
                    Some(p) => d.at(p.file, p.range.clone(), format!("`{new}` is created here")),
                    None => d,
                };
                d.with_help(format!(
                    "if it is a rename, write `-- retort:renamed_from {old_short}` on the line \
                     before `{}`; if not, make the change in two revisions (the drop, then the \
                     add)",
                    new.rsplit('.').next().unwrap_or(new)
                ))
            }
            Problem::UnknownRename(r) => {
                let (kind, old) = match &r.kind {
                    RenameKind::Table { from, .. } => ("table", from.to_string()),
                    RenameKind::Column { table, from, .. } => ("column", format!("{table}.{from}")),
                    RenameKind::Index { from, .. } => ("index", from.to_string()),
                    RenameKind::Type { from, .. } => ("type", from.to_string()),
                    RenameKind::EnumValue { ty, from, .. } => {
                        ("enum value", format!("{ty} '{from}'"))
                    }
                };
                let d = Diagnostic::error(
                    Code::AutogenUnknownRename,
                    format!(
                        "`retort:renamed_from` names {kind} `{old}`, which the head does not have"
                    ),
                );
                let d = match &r.at {
                    Some(p) => d.at(p.file, p.range.clone(), "no such object at the head"),
                    None => d,
                };
                d.with_help(
                    "name the object as it is at the head (`retort schema` prints it), or \
                     remove the annotation",
                )
            }
            Problem::Unsupported { what, at } => {
                let d = Diagnostic::error(
                    Code::AutogenUnsupported,
                    format!("autogenerate cannot write this yet: {what}"),
                );
                let d = match at {
                    Some(p) => d.at(p.file, p.range.clone(), "desired here"),
                    None => d,
                };
                d.with_help("write this change by hand in a revision of its own")
            }
        }
    }
}

/// The difference between two catalogs.
#[derive(Clone, Debug, Default)]
pub struct Diff {
    /// The changes, in the order the up section runs them.
    pub changes: Vec<Change>,
    /// What could not be compared, as sentences ("the body of function `f`").
    pub not_compared: Vec<String>,
    /// What the differ refuses to decide alone; a diff with problems must not be written.
    pub problems: Vec<Problem>,
    /// What the changes drop (with `allow_drop`; without it they are a problem).
    pub drops: Vec<Dropped>,
}

impl Diff {
    /// Nothing differs (what could not be compared aside).
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// What the drops lose that a down section cannot bring back, as a `lossy_down:` reason;
    /// `None` when they lose nothing.
    pub fn lossy_reason(&self) -> Option<String> {
        let lost: Vec<String> = self
            .drops
            .iter()
            .filter(|d| d.loses_data)
            .map(|d| format!("{} {}", d.kind.word(), d.name))
            .collect();
        (!lost.is_empty()).then(|| format!("the data of dropped {}", lost.join(", ")))
    }
}

/// Options of [`diff`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DiffOptions {
    /// Write drops of tables, columns, indexes, types, constraints and enum values; without
    /// it they are a [`Problem::DropsNotAllowed`].
    pub allow_drop: bool,
}

/// The changes that turn `from` (the head) into `to` (the desired schema), with what could not
/// be compared and the problems (see the module documentation).
pub fn diff(from: &Catalog, to: &Catalog, renames: &Renames, options: DiffOptions) -> Diff {
    let mut d = Differ::new(from, to, renames);
    d.run();
    let mut out = d.out;
    if !out.drops.is_empty() && !options.allow_drop {
        out.problems
            .insert(0, Problem::DropsNotAllowed(out.drops.clone()));
    }
    out
}

/// The two catalogs being compared, the renames resolved, and the result so far.
pub struct Differ<'a> {
    /// The head.
    pub from: &'a Catalog,
    /// The desired schema.
    pub to: &'a Catalog,
    /// Table renames, old name → new name (only those to apply).
    table_renames: BTreeMap<QName, QName>,
    /// Column renames by the table's desired name: (old, new).
    column_renames: BTreeMap<QName, Vec<(String, String)>>,
    /// Index renames, old → new.
    index_renames: BTreeMap<QName, QName>,
    /// Type renames, old → new.
    type_renames: BTreeMap<QName, QName>,
    /// Enum value renames by the type's desired name: (old, new).
    value_renames: BTreeMap<QName, Vec<(String, String)>>,
    /// The result.
    out: Diff,
}

/// The phases of the up section, in order; each change goes into one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    Namespaces,
    Types,
    Sequences,
    DropTriggers,
    DropViews,
    DropChangedFunctions,
    CreateFunctions,
    Renames,
    DropForeignKeys,
    DropIndexesAndConstraints,
    DropTables,
    CreateTables,
    Columns,
    OwnSequences,
    CreateIndexesAndConstraints,
    CreateForeignKeys,
    CreateFunctionsLate,
    DropSequences,
    DropFunctions,
    DropTypes,
    DropNamespaces,
    CreateViews,
    ViewIndexes,
    CreateTriggers,
}

impl<'a> Differ<'a> {
    fn new(from: &'a Catalog, to: &'a Catalog, renames: &Renames) -> Self {
        let mut d = Differ {
            from,
            to,
            table_renames: BTreeMap::new(),
            column_renames: BTreeMap::new(),
            index_renames: BTreeMap::new(),
            type_renames: BTreeMap::new(),
            value_renames: BTreeMap::new(),
            out: Diff::default(),
        };
        d.resolve_renames(renames);
        d
    }

    /// Sorts the annotations into those to apply, those already applied (silent) and those
    /// that name nothing (a problem).
    fn resolve_renames(&mut self, renames: &Renames) {
        for r in &renames.items {
            let applies = match &r.kind {
                RenameKind::Table { from, to } => {
                    let (old, new) = (self.from.table(from).is_some(), self.from.table(to));
                    if old && new.is_none() {
                        self.table_renames.insert(from.clone(), to.clone());
                        Some(true)
                    } else {
                        (!old && new.is_some() && self.was_there(Ns::Relation, from))
                            .then_some(false)
                    }
                }
                RenameKind::Column { table, from, to } => {
                    let old_table = self.old_table_name(table);
                    match self.from.table(&old_table) {
                        Some(t) if t.column(from).is_some() && t.column(to).is_none() => {
                            self.column_renames
                                .entry(table.clone())
                                .or_default()
                                .push((from.clone(), to.clone()));
                            Some(true)
                        }
                        Some(t) => {
                            (t.column(from).is_none() && t.column(to).is_some()).then_some(false)
                        }
                        None => None,
                    }
                }
                RenameKind::Index { from, to } => {
                    let is_index = |n: &QName| {
                        matches!(
                            self.from.relations.get(n).map(|r| &r.value),
                            Some(super::catalog::RelKind::Index { .. })
                        )
                    };
                    if is_index(from) && !self.from.relations.contains_key(to) {
                        self.index_renames.insert(from.clone(), to.clone());
                        Some(true)
                    } else {
                        (!self.from.relations.contains_key(from)
                            && is_index(to)
                            && self.was_there(Ns::Relation, from))
                        .then_some(false)
                    }
                }
                RenameKind::Type { from, to } => {
                    let (old, new) = (
                        self.from.types.contains_key(from),
                        self.from.types.contains_key(to),
                    );
                    if old && !new {
                        self.type_renames.insert(from.clone(), to.clone());
                        Some(true)
                    } else {
                        (!old && new && self.was_there(Ns::Type, from)).then_some(false)
                    }
                }
                RenameKind::EnumValue { ty, from, to } => {
                    let old_ty = self.old_type_name(ty);
                    match self.from.types.get(&old_ty).map(|t| &t.value) {
                        Some(super::catalog::TypeDef::Enum(values)) => {
                            if values.contains(from) && !values.contains(to) {
                                self.value_renames
                                    .entry(ty.clone())
                                    .or_default()
                                    .push((from.clone(), to.clone()));
                                Some(true)
                            } else {
                                (!values.contains(from) && values.contains(to)).then_some(false)
                            }
                        }
                        _ => None,
                    }
                }
            };
            if applies.is_none() {
                self.out.problems.push(Problem::UnknownRename(r.clone()));
            }
        }
    }

    /// Whether the head's history had `name` (dropped or renamed since): an annotation that
    /// names it was applied by an earlier revision. Columns and enum values keep no such
    /// history: for them, the new name being there is enough.
    fn was_there(&self, ns: Ns, name: &QName) -> bool {
        self.from.dropped_at(ns, name).is_some()
    }

    /// The head's name of the table named `to` in the desired schema.
    pub fn old_table_name(&self, to: &QName) -> QName {
        self.table_renames
            .iter()
            .find(|(_, n)| *n == to)
            .map_or_else(|| to.clone(), |(o, _)| o.clone())
    }

    /// The desired name of the head's table `from`.
    pub fn new_table_name(&self, from: &QName) -> QName {
        self.table_renames
            .get(from)
            .cloned()
            .unwrap_or_else(|| from.clone())
    }

    /// The head's name of the type named `to` in the desired schema.
    pub fn old_type_name(&self, to: &QName) -> QName {
        self.type_renames
            .iter()
            .find(|(_, n)| *n == to)
            .map_or_else(|| to.clone(), |(o, _)| o.clone())
    }

    /// The head's name of column `col` of the desired table `table`.
    pub fn old_column_name(&self, table: &QName, col: &str) -> String {
        self.column_renames
            .get(table)
            .and_then(|v| v.iter().find(|(_, n)| n == col))
            .map_or_else(|| col.to_owned(), |(o, _)| o.clone())
    }

    /// The desired name of column `col` of the head's table, by the table's desired name.
    pub fn new_column_name(&self, table: &QName, col: &str) -> String {
        self.column_renames
            .get(table)
            .and_then(|v| v.iter().find(|(o, _)| o == col))
            .map_or_else(|| col.to_owned(), |(_, n)| n.clone())
    }

    /// A head column type as the desired schema would write it (types renamed).
    pub fn new_type_text(&self, ty: &str) -> String {
        for (old, new) in &self.type_renames {
            let o = sql_name(old);
            if let Some(rest) = ty.strip_prefix(&o)
                && (rest.is_empty() || rest.starts_with('['))
            {
                return format!("{}{rest}", sql_name(new));
            }
        }
        ty.to_owned()
    }

    /// A head text on the desired table `table` with its columns renamed as annotated.
    pub fn renamed_text(&self, table: &QName, w: &Written) -> Written {
        let mut w = w.clone();
        if let Some(v) = self.column_renames.get(table) {
            // Through placeholders, so that swapped names do not collide.
            for (k, (old, _)) in v.iter().enumerate() {
                w.rename_column(old, &format!("retort_rename_{k}"));
            }
            for (k, (_, new)) in v.iter().enumerate() {
                w.rename_column(&format!("retort_rename_{k}"), new);
            }
        }
        w
    }

    fn push(&self, changes: &mut Vec<(Phase, Change)>, phase: Phase, c: Change) {
        let _ = self;
        changes.push((phase, c));
    }

    fn not_compared(&mut self, what: String) {
        if !self.out.not_compared.contains(&what) {
            self.out.not_compared.push(what);
        }
    }

    fn drop(&mut self, kind: ObjectKind, name: String, loses_data: bool) {
        self.out.drops.push(Dropped {
            kind,
            name,
            loses_data,
        });
    }

    /// Every comparison, in phase order.
    fn run(&mut self) {
        if self.from.all_unknown() || self.to.all_unknown() {
            let which = if self.from.all_unknown() {
                "the head's schema"
            } else {
                "the desired schema"
            };
            self.out.problems.push(Problem::Unsupported {
                what: format!(
                    "{which} is not known (a statement the model does not understand); \
                     nothing can be compared"
                ),
                at: None,
            });
            return;
        }
        self.unknown_parts();
        let mut changes: Vec<(Phase, Change)> = Vec::new();
        self.namespaces(&mut changes);
        self.types(&mut changes);
        self.sequences(&mut changes);
        self.tables(&mut changes);
        self.indexes(&mut changes);
        let recreated = self.functions(&mut changes);
        self.views(&mut changes);
        self.triggers(&mut changes, &recreated);
        self.keep_moved_sequences(&mut changes);
        // A stable sort keeps each phase's changes in the order they were found.
        changes.sort_by_key(|(p, _)| *p);
        let changes: Vec<Change> = changes.into_iter().map(|(_, c)| c).collect();
        self.out.changes = rebuild_where_used(changes);
    }

    /// What either catalog does not know, listed.
    fn unknown_parts(&mut self) {
        for (side, cat) in [("the head", self.from), ("the desired schema", self.to)] {
            for ns in cat.unknown.ns.keys() {
                self.not_compared(format!(
                    "which {} objects exist in {side} (a statement the model does not \
                     understand)",
                    ns_word(*ns)
                ));
            }
            for (ns, n) in &cat.unknown.names {
                let outside = super::catalog::OUTSIDE_TABLES.contains(&n.name.as_str())
                    || n.name.split_once('.').is_some_and(|(t, _)| {
                        super::catalog::OUTSIDE_TABLES.contains(&t) && *ns == Ns::Trigger
                    });
                if !outside {
                    self.not_compared(format!(
                        "{} `{n}` in {side}: whether it exists is not known",
                        ns_word(*ns)
                    ));
                }
            }
            for (ns, p) in &cat.unknown.prefixes {
                self.not_compared(format!(
                    "{} objects named `{p}…` in {side}: which exist is not known",
                    ns_word(*ns)
                ));
            }
        }
    }
}

fn ns_word(ns: Ns) -> &'static str {
    match ns {
        Ns::Relation => "relation",
        Ns::Type => "type",
        Ns::Function => "function",
        Ns::Trigger => "trigger",
        Ns::Extension => "extension",
        Ns::Schema => "schema",
    }
}

/// The meaningful tokens of SQL text: no whitespace or comments, unquoted words lower-cased
/// (as the checksum reads a statement).
pub fn sql_tokens(text: &str) -> Vec<String> {
    tokenize(text)
        .into_iter()
        .filter(|t| !t.is_trivia())
        .map(|t| {
            let s = &text[t.range.clone()];
            if t.kind == TokKind::Word {
                s.to_ascii_lowercase()
            } else {
                s.to_owned()
            }
        })
        .collect()
}

/// Whether two texts as written are the same SQL (by tokens); `None` when either is not known.
pub fn same_sql(a: &Written, b: &Written) -> Option<bool> {
    Some(sql_tokens(a.get()?) == sql_tokens(b.get()?))
}

/// Whether a table's columns and constraints are all known.
fn fully_known(t: &Table) -> bool {
    t.columns_known && t.constraints_known
}

#[cfg(test)]
mod tests;
