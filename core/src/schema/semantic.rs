//! The checks between catalogs: the branches of a merge, and a down section against the
//! schema before its up.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::catalog::{Catalog, ConstraintKind, Ns, Obj, Origin, PMap, QName, RelKind, Table};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::file::{MigrationFile, Section};
use crate::source::Sources;

/// The revision's name for messages.
fn rev(f: &MigrationFile) -> String {
    f.revision
        .as_ref()
        .map_or_else(String::new, |r| r.value.to_string())
}

/// A merged map and its conflicts: the other side's index in `parts`, key, first side's
/// value, other side's value.
type Merged<K, V> = (Arc<PMap<K, V>>, Vec<(usize, K, Option<V>, Option<V>)>);

/// One map's three-way merge: `base` is the merge base's, `parts` the parents'. Conflicts
/// (both sides changed a key differently) keep the first side's value and are returned.
fn merge_map<K: Ord + Clone, V: PartialEq + Clone>(
    base: &Arc<PMap<K, V>>,
    parts: &[&Arc<PMap<K, V>>],
) -> Merged<K, V> {
    let mut out = parts[0].clone();
    let mut conflicts = Vec::new();
    for (j, p) in parts.iter().enumerate().skip(1) {
        if Arc::ptr_eq(&out, p) {
            continue;
        }
        let keys: BTreeSet<K> = out.keys().chain(p.keys()).cloned().collect();
        for k in keys {
            let (x, y, b) = (out.get(&k), p.get(&k), base.get(&k));
            if x == y || y == b {
                continue;
            }
            if x == b {
                let y = y.cloned();
                let m = Arc::make_mut(&mut out);
                match y {
                    Some(v) => m.insert(k, v),
                    None => m.remove(&k),
                };
            } else {
                conflicts.push((j, k, x.cloned(), y.cloned()));
            }
        }
    }
    (out, conflicts)
}

/// The catalog a merge revision starts from: the union of its parents' changes since their
/// merge base. Objects both branches changed differently are reported (when known) and
/// marked unknown. `changed_in(j, ns, name)` says where the branch of parent `j` last
/// changed the object, if it can tell.
#[allow(clippy::too_many_arguments)]
pub(crate) fn merge(
    base: &Catalog,
    parents: &[Catalog],
    base_known: bool,
    f: &MigrationFile,
    sources: &Sources,
    changed_in: &dyn Fn(usize, Ns, &QName) -> Option<Origin>,
    diags: &mut Vec<Diagnostic>,
) -> Catalog {
    let _ = sources;
    let mut out = parents[0].clone();
    // `$resolve(base, one side, other side)` merges an object both sides changed, when
    // their changes do not touch the same part of it; `Err` says which part, if it can.
    macro_rules! field {
        ($f:ident, $ns:expr, $key:expr, $word:expr) => {
            field!($f, $ns, $key, $word, |_: Option<&_>, _: &_, _: &_| Err(
                None
            ))
        };
        ($f:ident, $ns:expr, $key:expr, $word:expr, $resolve:expr) => {{
            let parts: Vec<_> = parents.iter().map(|p| &p.$f).collect();
            let (m, conflicts) = merge_map(&base.$f, &parts);
            out.$f = m;
            for (j, k, x, y) in conflicts {
                let detail: Option<String> = match $resolve(base.$f.get(&k), &x, &y) {
                    Ok(merged) => {
                        Arc::make_mut(&mut out.$f).insert(k, merged);
                        continue;
                    }
                    Err(detail) => detail,
                };
                let q: QName = $key(&k);
                let known = base_known && parents.iter().all(|p| p.knows($ns, &q));
                out.mark_name_unknown($ns, &q);
                if known {
                    conflict(
                        f,
                        $word(&x, &y),
                        &q,
                        detail,
                        changed_in(0, $ns, &q).or_else(|| x.as_ref().map(origin)),
                        changed_in(j, $ns, &q).or_else(|| y.as_ref().map(origin)),
                        diags,
                    );
                }
            }
        }};
    }
    fn origin<T>(o: &Obj<T>) -> Origin {
        o.origin.clone()
    }
    field!(
        relations,
        Ns::Relation,
        |k: &QName| k.clone(),
        |x: &Option<Obj<RelKind>>, y: &Option<Obj<RelKind>>| x
            .as_ref()
            .or(y.as_ref())
            .map_or("relation", |o| o.value.word()),
        merge_relation
    );
    out.rebuild_refs();
    field!(
        types,
        Ns::Type,
        |k: &QName| k.clone(),
        |_: &Option<_>, _: &Option<_>| "type"
    );
    field!(
        functions,
        Ns::Function,
        |k: &QName| k.clone(),
        |_: &Option<_>, _: &Option<_>| "function"
    );
    field!(
        triggers,
        Ns::Trigger,
        |k: &(QName, String)| k.0.sibling(format!("{}.{}", k.0.name, k.1)),
        |_: &Option<_>, _: &Option<_>| "trigger"
    );
    field!(
        extensions,
        Ns::Extension,
        |k: &String| QName::new("", k.clone()),
        |_: &Option<_>, _: &Option<_>| "extension"
    );
    field!(
        schemas,
        Ns::Schema,
        |k: &String| QName::new("", k.clone()),
        |_: &Option<_>, _: &Option<_>| "schema"
    );
    // What is unknown on any side is unknown; where things were dropped, from any side.
    for p in &parents[1..] {
        if let Some(o) = &p.unknown.all {
            out.mark_all_unknown(o);
        }
        for (ns, o) in &p.unknown.ns {
            out.mark_ns_unknown(*ns, o);
        }
        for (ns, n) in &p.unknown.names {
            out.mark_name_unknown(*ns, n);
        }
        for (ns, n) in &p.unknown.prefixes {
            out.mark_prefix_unknown(*ns, n);
        }
        for ((ns, n), o) in p.dropped.iter() {
            if !out.dropped.contains_key(&(*ns, n.clone())) {
                out.record_drop(*ns, n, o);
            }
        }
    }
    out
}

/// A relation both branches changed: two tables merge when the branches changed different
/// columns and constraints (adding one each, say), as PostgreSQL would apply them.
fn merge_relation(
    base: Option<&Obj<RelKind>>,
    x: &Option<Obj<RelKind>>,
    y: &Option<Obj<RelKind>>,
) -> Result<Obj<RelKind>, Option<String>> {
    let (Some(x), Some(y)) = (x, y) else {
        return Err(None);
    };
    let (RelKind::Table(tx), RelKind::Table(ty)) = (&x.value, &y.value) else {
        return Err(None);
    };
    let tb = match base.map(|b| &b.value) {
        None => None,
        Some(RelKind::Table(t)) => Some(t),
        Some(_) => return Err(None),
    };
    let columns = merge_named(
        tb.map_or(&[][..], |t| &t.columns),
        &tx.columns,
        &ty.columns,
        |c| &c.name,
    )
    .map_err(|c| Some(format!("both branches change column `{c}`")))?;
    let constraints = merge_named(
        tb.map_or(&[][..], |t| &t.constraints),
        &tx.constraints,
        &ty.constraints,
        |c| &c.name,
    )
    .map_err(|c| Some(format!("both branches change constraint `{c}`")))?;
    Ok(Obj {
        value: RelKind::Table(Arc::new(Table {
            columns,
            constraints,
            columns_known: tx.columns_known && ty.columns_known,
            constraints_known: tx.constraints_known && ty.constraints_known,
        })),
        origin: x.origin.clone(),
        if_not_exists: x.if_not_exists,
    })
}

/// A three-way merge of named items (columns, constraints): `x`'s order, then what `y`
/// adds. `Err` names an item both sides changed differently.
fn merge_named<T: Clone + PartialEq>(
    base: &[T],
    x: &[T],
    y: &[T],
    name: impl Fn(&T) -> &String,
) -> Result<Vec<T>, String> {
    let find = |v: &'_ [T], n: &String| v.iter().position(|c| name(c) == n);
    let mut names: Vec<&String> = x.iter().map(&name).collect();
    names.extend(y.iter().map(&name).filter(|n| find(x, n).is_none()));
    let mut out = Vec::with_capacity(names.len());
    for n in names {
        let (b, cx, cy) = (
            find(base, n).map(|i| &base[i]),
            find(x, n).map(|i| &x[i]),
            find(y, n).map(|i| &y[i]),
        );
        let pick = if cx == cy || cy == b {
            cx
        } else if cx == b {
            cy
        } else {
            return Err(n.clone());
        };
        out.extend(pick.cloned());
    }
    Ok(out)
}

fn conflict(
    f: &MigrationFile,
    what: &str,
    name: &QName,
    detail: Option<String>,
    a: Option<Origin>,
    b: Option<Origin>,
    diags: &mut Vec<Diagnostic>,
) {
    let span = f.revision.as_ref().map_or(0..0, |r| r.range.clone());
    let mut d = Diagnostic::error(
        Code::SchemaMergeConflict,
        format!(
            "the branches merged by `{}` change {what} `{name}` in different ways",
            rev(f)
        ),
    )
    .at(f.file, span, "merged here");
    if let Some(detail) = detail {
        d = d.with_note(detail);
    }
    for (o, label) in [(a, "one branch's change"), (b, "the other branch's change")] {
        match o {
            Some(o) => d = d.with_secondary(o.file, o.range, label),
            None => d = d.with_note(format!("one branch drops {what} `{name}`")),
        }
    }
    diags.push(d.with_help(
        "make the branches agree (change the object in one of them only), or reconcile it in \
         a revision after the merge",
    ));
}

/// One difference between the schema before up and after up-then-down.
struct Diff {
    message: String,
    at: Option<(Origin, &'static str)>,
}

/// Compares the catalog after up-then-down (`reverted`) with the one before up (`before`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn reversibility(
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
                    message: format!("leaves {} `{k}`", r.value.word()),
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
                    message: format!("does not restore {} `{k}`", b.value.word()),
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
                    message: format!("turns {} `{k}` into a {}", b.value.word(), r.value.word()),
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
        "function",
        before,
        reverted,
        &mut diffs,
    );
    by_name(
        &before.triggers,
        &reverted.triggers,
        |k| k.0.sibling(format!("{}.{}", k.0.name, k.1)),
        Ns::Trigger,
        "trigger",
        before,
        reverted,
        &mut diffs,
    );
    by_name(
        &before.extensions,
        &reverted.extensions,
        |k| QName::new("", k.clone()),
        Ns::Extension,
        "extension",
        before,
        reverted,
        &mut diffs,
    );
    by_name(
        &before.schemas,
        &reverted.schemas,
        |k| QName::new("", k.clone()),
        Ns::Schema,
        "schema",
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
    what: &str,
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
