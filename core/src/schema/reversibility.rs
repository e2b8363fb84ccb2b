//! The reversibility check: a down section must bring the schema back to what it was
//! before its up section (up then down equals before), or say in the header why it cannot.

use std::collections::BTreeSet;

use super::catalog::{Catalog, ConstraintKind, Ns, Obj, Origin, PMap, QName, RelKind, Table};
use super::object_kind::ObjectKind;
use super::revision_name as rev;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::file::{MigrationFile, Section};
use crate::source::Sources;

/// One difference between the schema before up and after up-then-down.
struct Diff {
    message: String,
    at: Option<(Origin, &'static str)>,
}

/// Compares the catalog after up-then-down (`reverted`) with the one before up (`before`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn check_down(
    before: &Catalog,
    after_up: &Catalog,
    reverted: &Catalog,
    f: &MigrationFile,
    down: &Section,
    sources: &Sources,
    paths: &dyn Fn(&Origin) -> String,
    diags: &mut Vec<Diagnostic>,
) {
    let _ = sources;
    if before.same_as(reverted) {
        return;
    }
    let mut diffs = Vec::new();
    let known = |ns: Ns, q: &QName| before.knows(ns, q) && reverted.knows(ns, q);
    // Relations.
    let keys: BTreeSet<&QName> = before
        .relations
        .keys()
        .chain(reverted.relations.keys())
        .collect();
    // A table left behind (or not restored) takes its indexes and sequences with it: one
    // error about the table says it all.
    let table_of = |r: &RelKind| match r {
        RelKind::Index { table, .. } => Some(table.clone()),
        RelKind::Sequence {
            owned_by: Some((table, _)),
            ..
        } => Some(table.clone()),
        _ => None,
    };
    let is_table =
        |r: Option<&Obj<RelKind>>| r.is_some_and(|r| matches!(r.value, RelKind::Table(_)));
    let left =
        |t: &QName| !is_table(before.relations.get(t)) && is_table(reverted.relations.get(t));
    let gone =
        |t: &QName| is_table(before.relations.get(t)) && !is_table(reverted.relations.get(t));
    for k in keys {
        if !known(Ns::Relation, k) {
            continue;
        }
        match (before.relations.get(k), reverted.relations.get(k)) {
            (None, Some(r)) => {
                if r.if_not_exists
                    || is_guess(&r.value)
                    || table_of(&r.value).is_some_and(|t| left(&t))
                {
                    continue;
                }
                diffs.push(Diff {
                    message: format!("leaves {} `{k}`", ObjectKind::of(&r.value)),
                    at: Some((r.origin.clone(), "created here")),
                });
            }
            (Some(b), None) => {
                if is_guess(&b.value) || table_of(&b.value).is_some_and(|t| gone(&t)) {
                    continue;
                }
                let at = reverted
                    .dropped_at(Ns::Relation, k)
                    .cloned()
                    .map(|o| (o, "dropped here"));
                diffs.push(Diff {
                    message: format!("does not restore {} `{k}`", ObjectKind::of(&b.value)),
                    at,
                });
            }
            (Some(b), Some(r)) if b != r => match (&b.value, &r.value) {
                (RelKind::Table(tb), RelKind::Table(tr)) => {
                    table_diffs(k, tb, tr, after_up, &mut diffs);
                }
                (RelKind::Index { .. }, RelKind::Index { .. }) => {
                    // Generated names or columns renamed back and forth: compare what a
                    // person would see.
                    // Only plain column lists are compared: PostgreSQL rewrites expressions
                    // (a column's new type can simplify `date(date)` to `date`).
                    let (sb, sr) = (index_shape(&b.value), index_shape(&r.value));
                    let plain = |s: &Option<(QName, bool, Option<Vec<String>>)>| {
                        s.as_ref().is_some_and(|s| s.2.is_some())
                    };
                    if plain(&sb) && plain(&sr) && sb != sr {
                        diffs.push(Diff {
                            message: format!("changes index `{k}`"),
                            at: Some((r.origin.clone(), "created here")),
                        });
                    }
                }
                (
                    RelKind::Sequence {
                        options: Some(ob), ..
                    },
                    RelKind::Sequence {
                        options: Some(or), ..
                    },
                ) if ob != or => diffs.push(Diff {
                    message: format!(
                        "leaves sequence `{k}` with other options (the down section would need \
                         `ALTER SEQUENCE {} {}`)",
                        super::catalog::sql_name(k),
                        or.changes_to(ob)
                    ),
                    at: Some((r.origin.clone(), "created here")),
                }),
                (RelKind::Sequence { .. }, RelKind::Sequence { .. }) => {}
                // A view's definition is not compared, only that it is there.
                (
                    RelKind::View {
                        materialized: a, ..
                    },
                    RelKind::View {
                        materialized: b, ..
                    },
                ) if a == b => {}
                _ => diffs.push(Diff {
                    message: format!(
                        "turns {} `{k}` into a {}",
                        ObjectKind::of(&b.value),
                        ObjectKind::of(&r.value)
                    ),
                    at: Some((r.origin.clone(), "created here")),
                }),
            },
            _ => {}
        }
    }
    // Types.
    let keys: BTreeSet<&QName> = before.types.keys().chain(reverted.types.keys()).collect();
    for k in keys {
        if !known(Ns::Type, k) {
            continue;
        }
        match (before.types.get(k), reverted.types.get(k)) {
            (None, Some(r)) => diffs.push(Diff {
                message: format!("does not drop type `{k}` created by up"),
                at: Some((r.origin.clone(), "created here")),
            }),
            (Some(_), None) => diffs.push(Diff {
                message: format!("does not restore type `{k}`"),
                at: reverted
                    .dropped_at(Ns::Type, k)
                    .cloned()
                    .map(|o| (o, "dropped here")),
            }),
            (Some(b), Some(r)) if b != r => {
                if let (super::catalog::TypeDef::Enum(lb), super::catalog::TypeDef::Enum(lr)) =
                    (&b.value, &r.value)
                {
                    let extra: Vec<&String> = lr.iter().filter(|l| !lb.contains(l)).collect();
                    let missing: Vec<&String> = lb.iter().filter(|l| !lr.contains(l)).collect();
                    let mut parts = Vec::new();
                    if !extra.is_empty() {
                        parts.push(format!("leaves {}", quote_list(&extra)));
                    }
                    if !missing.is_empty() {
                        parts.push(format!("does not restore {}", quote_list(&missing)));
                    }
                    if parts.is_empty() {
                        parts.push("changes the order of its values".to_owned());
                    }
                    diffs.push(Diff {
                        message: format!("{} in enum type `{k}`", parts.join(" and ")),
                        at: Some((r.origin.clone(), "the type is created here")),
                    });
                }
            }
            _ => {}
        }
    }
    // Functions, triggers, extensions, schemas: by name.
    by_name(
        &before.functions,
        &reverted.functions,
        |k| k.clone(),
        Ns::Function,
        ObjectKind::Function,
        before,
        reverted,
        &mut diffs,
    );
    by_name(
        &before.triggers,
        &reverted.triggers,
        |k| k.0.sibling(format!("{}.{}", k.0.name, k.1)),
        Ns::Trigger,
        ObjectKind::Trigger,
        before,
        reverted,
        &mut diffs,
    );
    by_name(
        &before.extensions,
        &reverted.extensions,
        |k| QName::new("", k.clone()),
        Ns::Extension,
        ObjectKind::Extension,
        before,
        reverted,
        &mut diffs,
    );
    by_name(
        &before.schemas,
        &reverted.schemas,
        |k| QName::new("", k.clone()),
        Ns::Schema,
        ObjectKind::Schema,
        before,
        reverted,
        &mut diffs,
    );
    let r = rev(f);
    for d in diffs {
        let mut diag = Diagnostic::error(
            Code::SchemaDownNotRestored,
            format!("the down section of `{r}` {}", d.message),
        )
        .at(
            f.file,
            down.marker.clone(),
            "after up then down, the schema is not what it was before up",
        );
        if let Some((o, label)) = d.at {
            let verb = label.trim_end_matches(" here");
            diag.message
                .push_str(&format!(" ({verb} in {})", paths(&o)));
            diag = diag.with_secondary(o.file, o.range, label);
        }
        diags.push(diag.with_help(format!(
            "make the down section undo exactly what the up section does; if it is lossy on \
             purpose, say why in the header: `-- {}: <reason>`",
            super::LOSSY_DOWN_KEY
        )));
    }
}

fn quote_list(v: &[&String]) -> String {
    let s: Vec<String> = v.iter().map(|l| format!("'{l}'")).collect();
    let noun = if v.len() == 1 { "value" } else { "values" };
    format!("{noun} {}", s.join(", "))
}

/// An index whose name is a guess is not compared.
fn is_guess(r: &RelKind) -> bool {
    matches!(
        r,
        RelKind::Index {
            name_exact: false,
            ..
        }
    )
}

fn index_shape(r: &RelKind) -> Option<(QName, bool, Option<Vec<String>>)> {
    match r {
        RelKind::Index {
            table,
            unique,
            columns,
            ..
        } => Some((table.clone(), *unique, columns.clone())),
        _ => None,
    }
}

fn table_diffs(k: &QName, b: &Table, r: &Table, after_up: &Catalog, diffs: &mut Vec<Diff>) {
    let _ = after_up;
    if b.columns_known && r.columns_known {
        for c in &r.columns {
            match b.column(&c.name) {
                None => diffs.push(Diff {
                    message: format!("leaves column `{}` of table `{k}`", c.name),
                    at: None,
                }),
                Some(bc) if bc != c => {
                    let mut what = Vec::new();
                    if bc.ty != c.ty {
                        what.push(format!("of type `{}` (it was `{}`)", c.ty, bc.ty));
                    }
                    if bc.not_null != c.not_null {
                        what.push(
                            if c.not_null {
                                "NOT NULL (it was nullable)"
                            } else {
                                "nullable (it was NOT NULL)"
                            }
                            .to_owned(),
                        );
                    }
                    if bc.default != c.default {
                        what.push(
                            if c.default {
                                "with a default it did not have"
                            } else {
                                "without its default"
                            }
                            .to_owned(),
                        );
                    }
                    if bc.collation != c.collation {
                        what.push(format!(
                            "with collation {} (it was {})",
                            c.collation.as_deref().unwrap_or("default"),
                            bc.collation.as_deref().unwrap_or("default")
                        ));
                    }
                    if bc.identity != c.identity || bc.generated != c.generated {
                        what.push("with a different identity or generation".to_owned());
                    }
                    diffs.push(Diff {
                        message: format!(
                            "leaves column `{}` of table `{k}` {}",
                            c.name,
                            what.join(", ")
                        ),
                        at: None,
                    });
                }
                _ => {}
            }
        }
        for c in &b.columns {
            if r.column(&c.name).is_none() {
                diffs.push(Diff {
                    message: format!("does not restore column `{}` of table `{k}`", c.name),
                    at: None,
                });
            }
        }
    }
    if b.constraints_known && r.constraints_known {
        for c in &r.constraints {
            if !c.name_exact {
                continue;
            }
            match b.constraint(&c.name) {
                None => diffs.push(Diff {
                    message: format!("leaves constraint `{}` on table `{k}`", c.name),
                    at: None,
                }),
                Some(bc) if !same_constraint(&bc.kind, &c.kind) || bc.columns != c.columns => diffs
                    .push(Diff {
                        message: format!("changes constraint `{}` on table `{k}`", c.name),
                        at: None,
                    }),
                _ => {}
            }
        }
        for c in &b.constraints {
            if c.name_exact && r.constraint(&c.name).is_none() {
                diffs.push(Diff {
                    message: format!("does not restore constraint `{}` on table `{k}`", c.name),
                    at: None,
                });
            }
        }
    }
}

fn same_constraint(a: &ConstraintKind, b: &ConstraintKind) -> bool {
    match (a, b) {
        (
            ConstraintKind::ForeignKey { table: ta, .. },
            ConstraintKind::ForeignKey { table: tb, .. },
        ) => ta == tb,
        _ => a == b,
    }
}

#[allow(clippy::too_many_arguments)]
fn by_name<K: Ord, V>(
    b: &PMap<K, Obj<V>>,
    r: &PMap<K, Obj<V>>,
    q: impl Fn(&K) -> QName,
    ns: Ns,
    what: ObjectKind,
    before: &Catalog,
    reverted: &Catalog,
    diffs: &mut Vec<Diff>,
) {
    for (k, o) in r {
        let name = q(k);
        if !b.contains_key(k)
            && !o.if_not_exists
            && before.knows(ns, &name)
            && reverted.knows(ns, &name)
        {
            diffs.push(Diff {
                message: format!("leaves {what} `{}`", display(ns, &name)),
                at: Some((o.origin.clone(), "created here")),
            });
        }
    }
    for k in b.keys() {
        let name = q(k);
        if !r.contains_key(k) && before.knows(ns, &name) && reverted.knows(ns, &name) {
            diffs.push(Diff {
                message: format!("does not restore {what} `{}`", display(ns, &name)),
                at: reverted
                    .dropped_at(ns, &name)
                    .cloned()
                    .map(|o| (o, "dropped here")),
            });
        }
    }
}

fn display(ns: Ns, q: &QName) -> String {
    match ns {
        Ns::Extension | Ns::Schema => q.name.clone(),
        Ns::Trigger => match q.name.split_once('.') {
            Some((t, n)) => format!("{n}` on `{}", q.sibling(t)),
            None => q.to_string(),
        },
        _ => q.to_string(),
    }
}
