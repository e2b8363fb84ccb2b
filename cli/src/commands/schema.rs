//! `retort schema [REV]`: the schema the migrations define at one revision, from the files
//! alone, as PostgreSQL DDL or JSON.

use retort_core::Revision;
use retort_core::codes::Code;
use retort_core::plan::History;
use retort_core::schema::catalog::sql_name;
use retort_core::schema::catalog::{Catalog, ConstraintKind, QName, RelKind, TypeDef};
use retort_core::schema::ddl::{render, unknown_parts};
use retort_core::source::Sources;
use retort_core::target::Target;
use serde_json::{Value, json};

use super::revision::{history_of, resolve};
use super::{Ctx, Fail, Outcome, Status, fail, list, parse_target};
use crate::cli::{Format, SchemaArgs};
use crate::outln;

/// The head, or an error when there is not exactly one.
fn single_head(history: &History, asked: &str) -> Result<Revision, Fail> {
    let heads = history.heads();
    if heads.len() < 2 {
        return resolve(history, "head");
    }
    Err(fail(
        Status::Failure,
        Code::TargetAmbiguous,
        format!(
            "`{asked}` names {} heads, {}: `retort schema` shows one revision's schema",
            heads.len(),
            list(&heads)
        ),
        Some(format!(
            "name one, as `retort schema {}`, or join them with `retort merge -m MSG`",
            heads[0]
        )),
    ))
}

/// The revision that `text` names, from the files alone.
pub fn revision_of(history: &History, text: &str) -> Result<Revision, Fail> {
    match parse_target(text)? {
        Target::Head | Target::Heads => single_head(history, text),
        Target::Base => Err(fail(
            Status::Failure,
            Code::TargetNotFound,
            "`base` is before the first revision: it has no schema to show",
            Some("name a revision, or `head`".to_owned()),
        )),
        Target::Relative(_) => Err(fail(
            Status::Usage,
            Code::TargetInvalid,
            format!(
                "`{text}` counts from the database's current revision, and `retort schema` \
                 reads only the files"
            ),
            Some("name a revision, or count from one: `<rev>+1`, `<rev>-2`".to_owned()),
        )),
        Target::Revision(prefix) => resolve(history, &prefix),
        Target::RevisionRelative(prefix, n) => {
            let mut rev = resolve(history, &prefix)?;
            for _ in 0..n.unsigned_abs() {
                let next = if n > 0 {
                    history.children(rev.as_str())
                } else {
                    history.parents(rev.as_str())
                }
                .unwrap_or_default();
                rev = match next.as_slice() {
                    [one] => one.clone(),
                    [] => {
                        return Err(fail(
                            Status::Failure,
                            Code::TargetNotFound,
                            format!(
                                "`{text}` goes past {}: `{rev}` has no {}",
                                if n > 0 { "a head" } else { "the base" },
                                if n > 0 { "children" } else { "parent" }
                            ),
                            Some("count fewer steps".to_owned()),
                        ));
                    }
                    many => {
                        return Err(fail(
                            Status::Failure,
                            Code::TargetAmbiguous,
                            format!(
                                "`{text}` is ambiguous: `{rev}` has {} {}, {}",
                                many.len(),
                                if n > 0 { "children" } else { "parents" },
                                list(many)
                            ),
                            Some("name the revision you mean".to_owned()),
                        ));
                    }
                };
            }
            Ok(rev)
        }
    }
}

/// `retort schema [REV] [--format json]`.
pub fn run(ctx: &Ctx, args: &SchemaArgs) -> Outcome {
    let (report, set) = ctx.load()?;
    let history = history_of(&set)?;
    let rev = revision_of(&history, args.rev.as_deref().unwrap_or("head"))?;
    let schema = &report.schema;
    let found = report.files.iter().enumerate().find(|(_, f)| {
        f.revision
            .as_ref()
            .is_some_and(|r| r.value.as_str() == rev.as_str())
    });
    let Some((i, file)) = found else {
        return Err(fail(
            Status::Failure,
            Code::TargetNotFound,
            format!("no revision `{rev}`"),
            None,
        ));
    };
    let Some(cat) = schema.catalogs.get(i).and_then(Option::as_ref) else {
        return Err(fail(
            Status::Failure,
            Code::CheckFailed,
            format!("revision `{rev}` is outside the revision graph"),
            Some("`retort check` says why".to_owned()),
        ));
    };
    let path = report.sources.get(file.file).path().to_owned();
    match args.format {
        Format::Json => {
            let mut doc = json_of(cat, &report.sources);
            doc["revision"] = json!(rev.as_str());
            doc["path"] = json!(path);
            outln!("{doc:#}");
        }
        Format::Text => {
            outln!(
                "-- The schema at revision {rev} ({path}): {}",
                file.message.trim()
            );
            outln!(
                "-- Written by `retort schema` from the migrations alone; what the model does \
                 not keep is a comment.\n"
            );
            outln!("{}", render(cat, &report.sources).trim_end());
        }
    }
    Ok(Status::Success)
}

/// `schema.name` as JSON text.
fn name(n: &QName) -> Value {
    json!(sql_name(n))
}

/// The catalog as JSON: the shape `retort schema --format json` prints (documented in the
/// README).
pub fn json_of(cat: &Catalog, sources: &Sources) -> Value {
    let unknown: Vec<Value> = unknown_parts(cat, sources)
        .into_iter()
        .map(|p| json!({ "what": p.what, "after": p.at }))
        .collect();
    let mut tables = Vec::new();
    let mut views = Vec::new();
    let mut indexes = Vec::new();
    let mut sequences = Vec::new();
    for (n, r) in cat.relations.iter() {
        match &r.value {
            RelKind::Table(t) => tables.push(json!({
                "name": name(n),
                "columns_known": t.columns_known,
                "constraints_known": t.constraints_known,
                "columns": t.columns.iter().map(|c| json!({
                    "name": c.name,
                    "type": c.ty,
                    "not_null": c.not_null,
                    "default": c.default,
                    "identity": c.identity.then_some(if c.identity_always { "always" } else { "by default" }),
                    "generated": c.generated,
                    "default_sql": c.default_sql.get(),
                    "generated_sql": c.generated_sql.get(),
                    "collation": c.collation,
                })).collect::<Vec<_>>(),
                "constraints": t.constraints.iter().map(|k| {
                    let (kind, references) = match &k.kind {
                        ConstraintKind::PrimaryKey => ("primary_key", Value::Null),
                        ConstraintKind::Unique => ("unique", Value::Null),
                        ConstraintKind::Check => ("check", Value::Null),
                        ConstraintKind::ForeignKey { table, columns } => (
                            "foreign_key",
                            json!({ "table": name(table), "columns": columns }),
                        ),
                        ConstraintKind::NotNull => ("not_null", Value::Null),
                        ConstraintKind::Other => ("other", Value::Null),
                    };
                    json!({
                        "name": k.name,
                        "name_exact": k.name_exact,
                        "kind": kind,
                        "columns": k.columns,
                        "references": references,
                        "sql": k.sql.get(),
                    })
                }).collect::<Vec<_>>(),
            })),
            RelKind::View {
                materialized, sql, ..
            } => views.push(json!({
                "name": name(n),
                "materialized": materialized,
                "sql": sql.get(),
            })),
            RelKind::Index {
                table,
                unique,
                columns,
                uses,
                constraint,
                name_exact,
                sql,
            } => indexes.push(json!({
                "name": name(n),
                "table": name(table),
                "unique": unique,
                "columns": columns,
                "uses": uses,
                "constraint": constraint,
                "name_exact": name_exact,
                "sql": sql.get(),
            })),
            RelKind::Sequence { owned_by, options } => sequences.push(json!({
                "name": name(n),
                "owned_by": owned_by.as_ref().map(|(t, c)| json!({ "table": name(t), "column": c })),
                "options": options.map(|o| json!({
                    "type": o.data_type.word(),
                    "increment": o.increment,
                    "min": o.min,
                    "max": o.max,
                    "start": o.start,
                    "cache": o.cache,
                    "cycle": o.cycle,
                })),
            })),
        }
    }
    json!({
        "complete": unknown.is_empty(),
        "unknown": unknown,
        "schemas": cat.schemas.keys().collect::<Vec<_>>(),
        "extensions": cat.extensions.keys().collect::<Vec<_>>(),
        "types": cat.types.iter().map(|(n, t)| match &t.value {
            TypeDef::Enum(values) => json!({ "name": name(n), "kind": "enum", "values": values }),
            TypeDef::Other => json!({ "name": name(n), "kind": "other", "values": Value::Null }),
        }).collect::<Vec<_>>(),
        "sequences": sequences,
        "tables": tables,
        "indexes": indexes,
        "views": views,
        "functions": cat.functions.iter().map(|(n, f)| json!({
            "name": name(n),
            "signatures": f.value.sigs.iter().collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "triggers": cat.triggers.iter().map(|((t, trig), f)| json!({
            "table": name(t),
            "name": trig,
            "function": f.value.function.as_ref().map(name),
        })).collect::<Vec<_>>(),
    })
}
