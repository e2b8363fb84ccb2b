//! The three-way merge of a merge revision's parents: the catalog it starts from is the
//! union of what each branch changed since their merge base, and an object two branches
//! changed in different ways is reported and marked unknown.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::catalog::{Catalog, Ns, Obj, Origin, PMap, QName, RelKind, Table};
use super::object_kind::ObjectKind;
use super::revision_name as rev;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::file::MigrationFile;
use crate::source::Sources;

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
pub(crate) fn merge_parents(
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
            .map_or(ObjectKind::Relation, |o| ObjectKind::of(&o.value)),
        merge_relation
    );
    out.rebuild_refs();
    field!(
        types,
        Ns::Type,
        |k: &QName| k.clone(),
        |_: &Option<_>, _: &Option<_>| ObjectKind::Type
    );
    field!(
        functions,
        Ns::Function,
        |k: &QName| k.clone(),
        |_: &Option<_>, _: &Option<_>| ObjectKind::Function
    );
    field!(
        triggers,
        Ns::Trigger,
        |k: &(QName, String)| k.0.sibling(format!("{}.{}", k.0.name, k.1)),
        |_: &Option<_>, _: &Option<_>| ObjectKind::Trigger
    );
    field!(
        extensions,
        Ns::Extension,
        |k: &String| QName::new("", k.clone()),
        |_: &Option<_>, _: &Option<_>| ObjectKind::Extension
    );
    field!(
        schemas,
        Ns::Schema,
        |k: &String| QName::new("", k.clone()),
        |_: &Option<_>, _: &Option<_>| ObjectKind::Schema
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
    what: ObjectKind,
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
