//! Drift: what a live database has that the migrations did not make, or lacks that they did.
//! The database's catalog ([`crate::introspect`]) is compared with the schema model at the
//! revision the database is at, and each difference is told in words with the SQL that brings
//! the database back to what the migrations say (the differ's, from the database to the
//! model). What the model does not know is never drift.

use retort_core::codes::Code;
use retort_core::schema::catalog::{Catalog, Ns, QName};
use retort_core::schema::diff::{Change, DiffOptions, Problem, Renames, diff, render_change};

use super::{Fail, Status, fail};
use crate::introspect::{Exclude, canonical, read_catalog};
use crate::url;

/// One difference between the database and the migrations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drift {
    /// What differs, in words.
    pub what: String,
    /// The SQL that brings the database back, when it can be written.
    pub sql: Option<String>,
}

/// The catalog of the database behind `client`, the version table of `config` left out; a
/// failure names the database by its masked URL.
pub fn read_live(
    client: &mut postgres::Client,
    db_url: &str,
    config: &retort_runtime::Config,
) -> Result<Catalog, Fail> {
    read_catalog(client, Exclude::version_table(config)).map_err(|e| read_fail(&e, db_url))
}

/// A failed catalog query, as a database failure.
pub fn read_fail(e: &postgres::Error, db_url: &str) -> Fail {
    fail(
        Status::Database,
        Code::DbError,
        format!(
            "cannot read the schema of the database at {}: {}",
            url::mask(db_url),
            url::redact(&e.to_string(), Some(db_url))
        ),
        Some("the user needs to read the catalog (pg_catalog) of the database".to_owned()),
    )
}

/// The object a change removes from the database, when the change drops one: the model
/// must know that it does not exist for its presence to be drift.
fn dropped_object(c: &Change) -> Option<(Ns, QName)> {
    let rel = |n: &QName| Some((Ns::Relation, n.clone()));
    match c {
        Change::DropTable { name, .. }
        | Change::DropView { name, .. }
        | Change::DropIndex { name, .. } => rel(name),
        Change::DropSequence(name) => rel(name),
        Change::DropEnum { name, .. } => Some((Ns::Type, name.clone())),
        Change::DropSchema(s) => Some((Ns::Schema, QName::new("", s.clone()))),
        Change::DropExtension(e) => Some((Ns::Extension, QName::new("", e.clone()))),
        Change::DropFunction { name, .. } => Some((Ns::Function, name.clone())),
        Change::DropTrigger { table, name, .. } => {
            Some((Ns::Trigger, table.sibling(format!("{}.{name}", table.name))))
        }
        _ => None,
    }
}

/// What a group of changes is about, so that a drop and a create of one object (a changed
/// definition) are told as one difference.
fn subject(c: &Change) -> String {
    match c {
        Change::CreateSchema(s) | Change::DropSchema(s) => format!("schema {s}"),
        Change::CreateExtension(e) | Change::DropExtension(e) => format!("extension {e}"),
        Change::CreateEnum { name, .. } | Change::DropEnum { name, .. } => format!("type {name}"),
        Change::AddEnumValue { ty, .. }
        | Change::RenameEnumValue { ty, .. }
        | Change::RebuildEnum { ty, .. } => format!("type {ty}"),
        Change::RenameType { to, .. } => format!("type {to}"),
        Change::CreateSequence(s) | Change::DropSequence(s) => format!("sequence {s}"),
        Change::OwnSequence { seq, .. }
        | Change::DisownSequence { seq, .. }
        | Change::AlterSequence { seq, .. } => format!("sequence {seq}"),
        Change::RenameTable { to, .. } => format!("table {to}"),
        Change::CreateTable { name, .. } | Change::DropTable { name, .. } => {
            format!("table {name}")
        }
        Change::RenameColumn { table, to, .. } => format!("column {table}.{to}"),
        Change::AddColumn { table, column } | Change::DropColumn { table, column } => {
            format!("column {table}.{}", column.column.name)
        }
        Change::AlterColumnType { table, column, .. }
        | Change::SetNotNull { table, column, .. }
        | Change::SetDefault { table, column, .. } => format!("column {table}.{column}"),
        Change::RenameConstraint { table, to, .. } => format!("constraint {table}.{to}"),
        Change::AddConstraint { table, constraint }
        | Change::DropConstraint { table, constraint } => {
            format!("constraint {table}.{}", constraint.name)
        }
        Change::RenameIndex { to, .. } => format!("index {to}"),
        Change::CreateIndex { name, .. } | Change::DropIndex { name, .. } => {
            format!("index {name}")
        }
        Change::CreateView { name, .. } | Change::DropView { name, .. } => format!("view {name}"),
        Change::CreateFunction { name, def }
        | Change::DropFunction { name, def }
        | Change::ReplaceFunction { name, to: def, .. } => {
            format!("function {name}({})", def.signature())
        }
        Change::CreateTrigger { table, name, .. } | Change::DropTrigger { table, name, .. } => {
            format!("trigger {table}.{name}")
        }
    }
}

/// A change from the database to the model, told as what the database has wrong.
fn describe(c: &Change) -> String {
    let opt = |d: &Option<String>| d.clone().unwrap_or_else(|| "none".to_owned());
    match c {
        Change::CreateSchema(s) => format!("schema `{s}` is missing"),
        Change::DropSchema(s) => format!("schema `{s}` is not in the migrations"),
        Change::CreateExtension(e) => format!("extension `{e}` is missing"),
        Change::DropExtension(e) => format!("extension `{e}` is not in the migrations"),
        Change::CreateEnum { name, .. } => format!("type `{name}` is missing"),
        Change::DropEnum { name, .. } => format!("type `{name}` is not in the migrations"),
        Change::RenameType { from, to } => format!("type `{to}` is named `{from}`"),
        Change::AddEnumValue { ty, value, .. } => {
            format!("enum `{ty}` lacks the value '{value}'")
        }
        Change::RenameEnumValue { ty, from, to } => {
            format!("enum `{ty}` has '{from}' where the migrations have '{to}'")
        }
        Change::RebuildEnum { ty, from, to, .. } => format!(
            "enum `{ty}` has the values ({}), the migrations ({})",
            from.join(", "),
            to.join(", ")
        ),
        Change::CreateSequence(s) => format!("sequence `{s}` is missing"),
        Change::DropSequence(s) => format!("sequence `{s}` is not in the migrations"),
        Change::OwnSequence { seq, owner } => {
            format!("sequence `{seq}` is not owned by `{}.{}`", owner.0, owner.1)
        }
        Change::DisownSequence { seq, owner } => format!(
            "sequence `{seq}` is owned by `{}.{}`, which the migrations do not say",
            owner.0, owner.1
        ),
        Change::RenameTable { from, to } => format!("table `{to}` is named `{from}`"),
        Change::RenameColumn { table, from, to } => {
            format!("column `{table}.{to}` is named `{from}`")
        }
        Change::RenameConstraint { table, from, to } => {
            format!("constraint `{to}` of table `{table}` is named `{from}`")
        }
        Change::RenameIndex { from, to } => format!("index `{to}` is named `{from}`"),
        Change::CreateTable { name, .. } => format!("table `{name}` is missing"),
        Change::DropTable { name, .. } => format!("table `{name}` is not in the migrations"),
        Change::AddColumn { table, column } => {
            format!("column `{table}.{}` is missing", column.column.name)
        }
        Change::DropColumn { table, column } => format!(
            "column `{table}.{}` is not in the migrations",
            column.column.name
        ),
        Change::AlterColumnType {
            table,
            column,
            from,
            to,
            ..
        } if from != to => {
            format!("column `{table}.{column}` has type {from}, the migrations {to}")
        }
        Change::AlterColumnType {
            table,
            column,
            from_collation,
            to_collation,
            ..
        } => format!(
            "column `{table}.{column}` has collation {}, the migrations {}",
            from_collation.as_deref().unwrap_or("default"),
            to_collation.as_deref().unwrap_or("default")
        ),
        Change::SetNotNull {
            table,
            column,
            not_null: true,
        } => format!("column `{table}.{column}` allows NULL, the migrations say NOT NULL"),
        Change::SetNotNull { table, column, .. } => {
            format!("column `{table}.{column}` is NOT NULL, the migrations allow NULL")
        }
        Change::SetDefault {
            table,
            column,
            from,
            to,
        } => format!(
            "column `{table}.{column}` has the default {}, the migrations {}",
            opt(from),
            opt(to)
        ),
        Change::AddConstraint { table, constraint } => format!(
            "constraint `{}` of table `{table}` is missing",
            constraint.name
        ),
        Change::DropConstraint { table, constraint } => format!(
            "constraint `{}` of table `{table}` is not in the migrations",
            constraint.name
        ),
        Change::CreateIndex { name, .. } => format!("index `{name}` is missing"),
        Change::DropIndex { name, .. } => format!("index `{name}` is not in the migrations"),
        Change::CreateView { name, .. } => format!("view `{name}` is missing"),
        Change::DropView { name, .. } => format!("view `{name}` is not in the migrations"),
        Change::AlterSequence { seq, from, to, .. } => format!(
            "sequence `{seq}` has options the migrations do not give it (they say {})",
            from.changes_to(to)
        ),
        Change::CreateFunction { name, def } => {
            format!("function `{name}({})` is missing", def.signature())
        }
        Change::DropFunction { name, def } => format!(
            "function `{name}({})` is not in the migrations",
            def.signature()
        ),
        Change::ReplaceFunction { name, from, to } => format!(
            "function `{name}({})` differs from the migrations: {}",
            to.signature(),
            from.differences(to).join(", ")
        ),
        Change::CreateTrigger { table, name, .. } => {
            format!("trigger `{name}` on `{table}` is missing")
        }
        Change::DropTrigger { table, name, .. } => {
            format!("trigger `{name}` on `{table}` is not in the migrations")
        }
    }
}

/// Whether a change is a drop (of the object a create of the same subject makes again).
fn is_drop(c: &Change) -> bool {
    matches!(
        c,
        Change::DropView { .. }
            | Change::DropIndex { .. }
            | Change::DropConstraint { .. }
            | Change::DropTable { .. }
            | Change::DropEnum { .. }
            | Change::DropSequence(_)
            | Change::DropFunction { .. }
            | Change::DropTrigger { .. }
    )
}

/// The differences between `live` and `model` as drift, grouped by object.
pub fn drift_between(live: &Catalog, model: &Catalog) -> Vec<Drift> {
    if model.all_unknown() {
        return Vec::new();
    }
    let d = diff(
        live,
        model,
        &Renames::none(),
        DiffOptions { allow_drop: true },
    );
    let mut groups: Vec<(String, Vec<Change>)> = Vec::new();
    for c in d.changes {
        if let Some((ns, name)) = dropped_object(&c)
            && !model.knows(ns, &name)
        {
            continue;
        }
        let s = subject(&c);
        match groups.iter_mut().find(|(k, _)| *k == s) {
            Some((_, v)) => v.push(c),
            None => groups.push((s, vec![c])),
        }
    }
    let mut out: Vec<Drift> = groups
        .into_iter()
        .map(|(subject, changes)| {
            let sql: Vec<String> = changes
                .iter()
                .map(|c| render_change(c).trim_end().to_owned())
                .collect();
            let what = if changes.len() == 1 {
                describe(&changes[0])
            } else if changes.iter().any(is_drop) {
                let (kind, name) = subject.split_once(' ').unwrap_or(("object", &subject));
                format!("{kind} `{name}` differs from the migrations")
            } else {
                // A type change rewrites the default around it: the type is what differs.
                let main: Vec<String> = match changes
                    .iter()
                    .find(|c| matches!(c, Change::AlterColumnType { .. }))
                {
                    Some(t) => std::iter::once(t)
                        .chain(
                            changes
                                .iter()
                                .filter(|c| matches!(c, Change::SetNotNull { .. })),
                        )
                        .map(describe)
                        .collect(),
                    None => changes.iter().map(describe).collect(),
                };
                main.join("; ")
            };
            Drift {
                what,
                sql: Some(sql.join("\n")),
            }
        })
        .collect();
    for p in d.problems {
        if let Problem::Unsupported { what, .. } = p {
            out.push(Drift { what, sql: None });
        }
    }
    out
}

/// The drift of the database behind `client` from `model`: its catalog read, the model's
/// texts brought to PostgreSQL's form through the same connection, then compared.
pub fn drift(
    client: &mut postgres::Client,
    db_url: &str,
    config: &retort_runtime::Config,
    model: &Catalog,
) -> Result<Vec<Drift>, Fail> {
    let mut live = read_live(client, db_url, config)?;
    canonical::forget_version_schema(&mut live, model, config.get_schema().map(|s| s.as_str()));
    let mut model = model.clone();
    canonical::align(client, &mut model, &mut live).map_err(|e| read_fail(&e, db_url))?;
    Ok(drift_between(&live, &model))
}
