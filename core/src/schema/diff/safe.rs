//! A [`Diff`] as one or more revisions, in the forms that keep an existing table usable while
//! they run ([`Form::Safe`]) or in the plain form ([`Form::Simple`]).
//!
//! The safe forms, each explained by a comment in the revision that uses it:
//!
//! - an index on a table that exists at the head is built by `CREATE INDEX CONCURRENTLY` in a
//!   `transaction: false` revision of its own (its down drops it `CONCURRENTLY`);
//! - a foreign key or a check added to an existing table is added `NOT VALID` and validated
//!   (`VALIDATE CONSTRAINT`) in a following revision;
//! - `SET NOT NULL` on an existing column goes through `CHECK (col IS NOT NULL) NOT VALID`,
//!   validated in a following revision, where `SET NOT NULL` then needs no table scan and the
//!   check is dropped.
//!
//! The revisions run in this order, those with nothing to do left out: the transactional
//! changes, the concurrent indexes, the foreign keys that need one of those indexes, the
//! validations. Each one's down section undoes exactly its up section.

use std::collections::BTreeSet;

use super::render::render_change;
use super::{Change, Diff, IndexDef};
use crate::schema::catalog::{
    Catalog, Constraint, ConstraintKind, QName, Written, quote_ident, sql_name,
};

/// How the changes are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Form {
    /// The forms that take only brief locks on existing tables, in several revisions where
    /// PostgreSQL needs them (the default).
    #[default]
    Safe,
    /// Every change in its plain form, in one transactional revision (`--simple`).
    Simple,
}

/// Whether a revision runs in a transaction (its `transaction:` header).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Txn {
    /// In one transaction (the default header).
    Transactional,
    /// Statement by statement (`transaction: false`), for `CONCURRENTLY`.
    NonTransactional,
}

/// What a revision of the chain is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    /// The changes in their transactional forms.
    Changes,
    /// `CREATE INDEX CONCURRENTLY` on existing tables.
    ConcurrentIndexes,
    /// Foreign keys that need an index of the previous revision.
    ForeignKeys,
    /// `VALIDATE CONSTRAINT` of what was added `NOT VALID`, and `SET NOT NULL`.
    Validations,
}

impl StepKind {
    /// What a revision's message adds to the user's message (nothing for the first).
    pub fn message_suffix(self) -> &'static str {
        match self {
            StepKind::Changes => "",
            StepKind::ConcurrentIndexes => " (indexes, concurrently)",
            StepKind::ForeignKeys => " (foreign keys)",
            StepKind::Validations => " (validate)",
        }
    }
}

/// One revision of the chain: its up and down sections.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// What it is for.
    pub kind: StepKind,
    /// Its `transaction:` header.
    pub txn: Txn,
    /// Whether it holds the drops (the revision that gets the `lossy_down:` header).
    pub drops: bool,
    /// The up section, with the comments that explain its forms.
    pub up: String,
    /// The down section.
    pub down: String,
}

/// An up statement with its down statement (empty when none is needed).
#[derive(Default)]
struct Section {
    up: String,
    /// The downs in up order; written reversed.
    downs: Vec<String>,
    /// The comments already written (each once per revision).
    said: BTreeSet<&'static str>,
}

impl Section {
    fn say(&mut self, why: &'static str) {
        if self.said.insert(why) {
            self.up.push_str(why);
        }
    }

    fn push(&mut self, up: String, down: String) {
        self.up.push_str(&up);
        self.downs.push(down);
    }

    fn is_empty(&self) -> bool {
        self.up.trim().is_empty()
    }

    fn into_step(self, kind: StepKind, txn: Txn, drops: bool) -> Step {
        let down: String = self.downs.into_iter().rev().collect();
        Step {
            kind,
            txn,
            drops,
            up: self.up,
            down,
        }
    }
}

const WHY_NOT_VALID: &str = "-- Added NOT VALID: only a brief lock now; the existing rows are \
checked by VALIDATE CONSTRAINT in the next revision.\n";
const WHY_NOT_NULL_CHECK: &str = "-- SET NOT NULL on an existing column goes through a CHECK \
(… IS NOT NULL) added NOT VALID here and validated in the next revision, so that no statement \
holds an exclusive lock while it scans the table.\n";
const WHY_CONCURRENTLY: &str = "-- transaction: false, so that CREATE INDEX CONCURRENTLY builds \
each index on an existing table without blocking its writes. If a build fails, PostgreSQL \
leaves an INVALID index: drop it and run this revision again.\n";
const WHY_FK_AFTER_INDEX: &str = "-- These foreign keys reference columns whose unique index \
the previous revision builds concurrently.\n";
const WHY_VALIDATE: &str = "-- VALIDATE CONSTRAINT scans the rows under a SHARE UPDATE \
EXCLUSIVE lock: reads and writes go on meanwhile.\n";
const WHY_SET_NOT_NULL: &str = "-- With the CHECK (… IS NOT NULL) validated, SET NOT NULL needs \
no scan of the table; the check is dropped after.\n";
const WHY_NO_DOWN: &str = "-- Validating changes no definition: nothing to undo.\n";

/// The revisions that write `diff` in `form`, in order; `head` is the schema the first one
/// starts from (its tables are the existing ones). Empty when the diff is.
pub fn steps(diff: &Diff, head: &Catalog, form: Form) -> Vec<Step> {
    if diff.changes.is_empty() {
        return Vec::new();
    }
    if form == Form::Simple {
        let s = super::render(diff);
        return vec![Step {
            kind: StepKind::Changes,
            txn: Txn::Transactional,
            drops: !diff.drops.is_empty(),
            up: s.up,
            down: s.down,
        }];
    }
    let created: BTreeSet<&QName> = diff
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::CreateTable { name, .. } => Some(name),
            _ => None,
        })
        .collect();
    let added_columns: BTreeSet<(&QName, &str)> = diff
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::AddColumn { table, column } => Some((table, column.column.name.as_str())),
            _ => None,
        })
        .collect();
    // Columns of a primary key this diff adds: it sets NOT NULL itself.
    let in_new_key: BTreeSet<(&QName, &str)> = diff
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::AddConstraint { table, constraint }
                if constraint.kind == ConstraintKind::PrimaryKey =>
            {
                Some(
                    constraint
                        .columns
                        .iter()
                        .map(move |col| (table, col.as_str())),
                )
            }
            _ => None,
        })
        .flatten()
        .collect();
    let existing = |t: &QName| !created.contains(t);
    // Tables on which a unique index is built concurrently.
    let unique_later: BTreeSet<&QName> = diff
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::CreateIndex { index, .. } if index.unique && existing(&index.table) => {
                Some(&index.table)
            }
            _ => None,
        })
        .collect();
    let (mut first, mut indexes, mut fks, mut validations) = (
        Section::default(),
        Section::default(),
        Section::default(),
        Section::default(),
    );
    for c in &diff.changes {
        match c {
            Change::CreateIndex { name, index } if existing(&index.table) => {
                indexes.say(WHY_CONCURRENTLY);
                indexes.push(create_concurrently(name, index), drop_concurrently(name));
            }
            Change::AddConstraint { table, constraint }
                if existing(table) && validatable(constraint) =>
            {
                let needs_index = match &constraint.kind {
                    ConstraintKind::ForeignKey { table: to, .. } => unique_later.contains(to),
                    _ => false,
                };
                let at = if needs_index { &mut fks } else { &mut first };
                if needs_index {
                    at.say(WHY_FK_AFTER_INDEX);
                }
                at.say(WHY_NOT_VALID);
                let not_valid = Change::AddConstraint {
                    table: table.clone(),
                    constraint: Constraint {
                        sql: Written::new(&format!(
                            "{} NOT VALID",
                            constraint.sql.get().unwrap_or_default()
                        )),
                        ..constraint.clone()
                    },
                };
                at.push(
                    render_change(&not_valid),
                    render_change(&not_valid.inverse()),
                );
                validations.say(WHY_VALIDATE);
                validations.push(validate(table, &constraint.name), String::new());
            }
            Change::SetNotNull {
                table,
                column,
                not_null: true,
            } if existing(table)
                && !added_columns.contains(&(table, column.as_str()))
                && !in_new_key.contains(&(table, column.as_str())) =>
            {
                let check = not_null_check(head, table, column);
                let add = add_not_null_check(table, &check, column);
                let drop = drop_constraint(table, &check);
                first.say(WHY_NOT_NULL_CHECK);
                first.push(add.clone(), drop.clone());
                validations.say(WHY_SET_NOT_NULL);
                let set = render_change(c);
                let unset = render_change(&c.inverse());
                validations.push(
                    format!("{}{set}{drop}", validate(table, &check)),
                    format!("{unset}{add}"),
                );
            }
            c => first.push(render_change(c), render_change(&c.inverse())),
        }
    }
    let mut out = Vec::new();
    let drops = !diff.drops.is_empty();
    if !first.is_empty() {
        out.push(first.into_step(StepKind::Changes, Txn::Transactional, drops));
    }
    if !indexes.is_empty() {
        out.push(indexes.into_step(StepKind::ConcurrentIndexes, Txn::NonTransactional, false));
    }
    if !fks.is_empty() {
        out.push(fks.into_step(StepKind::ForeignKeys, Txn::Transactional, false));
    }
    if !validations.is_empty() {
        let mut step = validations.into_step(StepKind::Validations, Txn::Transactional, false);
        if step.down.trim().is_empty() {
            step.down = WHY_NO_DOWN.to_owned();
        }
        out.push(step);
    }
    out
}

/// A foreign key or a check that is not already written `NOT VALID`.
fn validatable(k: &Constraint) -> bool {
    let kind = matches!(
        k.kind,
        ConstraintKind::ForeignKey { .. } | ConstraintKind::Check
    );
    let written = k.sql.get().map(str::to_ascii_lowercase);
    let already = written
        .as_deref()
        .is_some_and(|s| s.trim_end().ends_with("not valid"));
    kind && written.is_some() && !already
}

fn create_concurrently(name: &QName, index: &IndexDef) -> String {
    format!(
        "CREATE {}INDEX CONCURRENTLY {} ON {} {};\n",
        if index.unique { "UNIQUE " } else { "" },
        quote_ident(&name.name),
        sql_name(&index.table),
        index.sql
    )
}

fn drop_concurrently(name: &QName) -> String {
    format!("DROP INDEX CONCURRENTLY {};\n", sql_name(name))
}

fn validate(table: &QName, constraint: &str) -> String {
    format!(
        "ALTER TABLE {} VALIDATE CONSTRAINT {};\n",
        sql_name(table),
        quote_ident(constraint)
    )
}

fn add_not_null_check(table: &QName, check: &str, column: &str) -> String {
    format!(
        "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({} IS NOT NULL) NOT VALID;\n",
        sql_name(table),
        quote_ident(check),
        quote_ident(column)
    )
}

fn drop_constraint(table: &QName, check: &str) -> String {
    format!(
        "ALTER TABLE {} DROP CONSTRAINT {};\n",
        sql_name(table),
        quote_ident(check)
    )
}

/// A name for the helper check of `SET NOT NULL` on `table.column` that no constraint of the
/// table has (PostgreSQL 18 names its own not-null constraints `<table>_<column>_not_null`).
fn not_null_check(head: &Catalog, table: &QName, column: &str) -> String {
    let base = format!("{}_{column}_not_null_check", table.name);
    let taken = |n: &str| head.table(table).is_some_and(|t| t.constraint(n).is_some());
    let mut k = 0u32;
    loop {
        let suffix = if k == 0 { String::new() } else { k.to_string() };
        let mut name = base.clone();
        let room = 63 - suffix.len();
        if name.len() > room {
            let mut end = room;
            while !name.is_char_boundary(end) {
                end -= 1;
            }
            name.truncate(end);
        }
        name.push_str(&suffix);
        if !taken(&name) {
            return name;
        }
        k += 1;
    }
}

#[cfg(test)]
mod tests;
