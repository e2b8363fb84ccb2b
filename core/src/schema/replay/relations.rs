//! What every relation (table, view, index, sequence) shares: creating one under a name
//! that may be taken, dropping one (and what depends on it: indexes, owned sequences,
//! triggers, foreign keys, views), renaming one (and what refers to it by name).

use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::Arc;

use squawk_syntax::ast::AstNode;

use super::Replayer;
use super::constraints::fk_to;
use super::flags::{AlterFlags, CreateFlags, DropFlags};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::schema::catalog::{
    ConstraintKind, Ns, QName, RelKind, Table, Written, quote_ident, sql_name,
};
use crate::schema::object_kind::ObjectKind;

impl Replayer<'_> {
    /// `DROP <kind> a, b, …`: each name dropped as a relation of that kind; a name that
    /// cannot be read makes the whole catalog unknown.
    pub(super) fn drop_relations<N: AstNode>(
        &mut self,
        refs: impl IntoIterator<Item = N>,
        kind: ObjectKind,
        flags: DropFlags,
    ) {
        let names: Vec<(QName, Range<usize>)> = refs
            .into_iter()
            .filter_map(|r| self.qname_or_unknown(Some(r)))
            .collect();
        if kind == ObjectKind::Table && !flags.cascade {
            let dropped: Vec<&QName> = names.iter().map(|(n, _)| n).collect();
            let refused = names
                .iter()
                .filter(|(name, range)| self.still_referenced(name, &dropped, range.clone()))
                .count();
            if refused > 0 {
                // PostgreSQL drops none of them.
                return;
            }
        }
        for (name, range) in names {
            self.drop_relation(&name, kind, flags, range);
        }
    }

    /// PostgreSQL refuses `DROP TABLE name` without `CASCADE` while a foreign key of a table
    /// that the statement does not drop (`dropped`) references it; reported when the
    /// referencing table's constraints are known. Whether it was reported.
    fn still_referenced(&mut self, name: &QName, dropped: &[&QName], range: Range<usize>) -> bool {
        if self.cat.table(name).is_none() {
            return false;
        }
        let by: Vec<(QName, String)> = self
            .cat
            .fk_referrers(name)
            .into_iter()
            .filter(|(n, _)| !dropped.contains(&n))
            .filter(|(n, _)| {
                matches!(self.cat.relations.get(n).map(|o| &o.value),
                    Some(RelKind::Table(t)) if t.constraints_known)
            })
            .collect();
        let Some((table, fk)) = by.first().cloned() else {
            return false;
        };
        let mut d = Diagnostic::error(
            Code::SchemaDependentObjects,
            format!(
                "cannot drop table `{name}`: foreign key `{fk}` of table `{table}` references it"
            ),
        )
        .at(self.file, range, "still referenced here");
        for (t, k) in by.iter().skip(1) {
            d = d.with_note(format!(
                "foreign key `{k}` of table `{t}` references it too"
            ));
        }
        self.err(d.with_help(format!(
            "drop the foreign key first (`ALTER TABLE {} DROP CONSTRAINT {}`), drop `{table}` in \
             the same statement, or write `CASCADE` to drop the foreign keys with it",
            sql_name(&table),
            quote_ident(&fk)
        )));
        true
    }

    /// Adds a relation, or reports that its name is taken.
    pub(super) fn create_relation(
        &mut self,
        name: QName,
        kind: RelKind,
        flags: CreateFlags,
        range: Range<usize>,
    ) {
        if let Some(old) = self.cat.relations.get(&name).cloned() {
            if !flags.if_not_exists && !self.cat.knows(Ns::Relation, &name) {
                // Whether it was still there is not known; PostgreSQL created this one, so it
                // was not: this one replaces it.
                Arc::make_mut(&mut self.cat.relations).remove(&name);
                let o = self.obj(kind, flags);
                self.cat.put_relation(name.clone(), o);
                self.cat.mark_name_known(Ns::Relation, &name);
                return;
            }
            if !flags.if_not_exists {
                let what = ObjectKind::of(&old.value);
                self.exists_already(
                    if what == ObjectKind::of(&kind) {
                        what
                    } else {
                        ObjectKind::Relation
                    },
                    &name.to_string(),
                    range,
                    Some(old.origin),
                );
            }
            return;
        }
        if flags.if_not_exists && !self.cat.knows(Ns::Relation, &name) {
            // It may have been there; if so, it was left as it was.
            return;
        }
        if !self
            .cat
            .exists(Ns::Schema, &QName::new("", name.schema.clone()))
            && self
                .cat
                .knows(Ns::Schema, &QName::new("", name.schema.clone()))
        {
            let sq = QName::new("", name.schema.clone());
            self.missing(ObjectKind::Schema, &sq, range);
            return self.cat.mark_name_unknown(Ns::Relation, &name);
        }
        let o = self.obj(kind, flags);
        self.cat.put_relation(name.clone(), o);
        self.cat.mark_name_known(Ns::Relation, &name);
    }

    /// `DROP <kind> name`: the relation and what goes with it, if it is of that kind.
    pub(super) fn drop_relation(
        &mut self,
        name: &QName,
        kind: ObjectKind,
        flags: DropFlags,
        range: Range<usize>,
    ) {
        let Some(old) = self.cat.relations.get(name).cloned() else {
            if !flags.if_exists {
                self.missing(kind, name, range);
            }
            self.cat.mark_name_known(Ns::Relation, name);
            return;
        };
        if ObjectKind::of(&old.value) != kind {
            // `DROP TABLE` of a view, `DROP INDEX` of a table: PostgreSQL refuses with its own
            // words. Stay silent and change nothing.
            return;
        }
        if let RelKind::Index {
            constraint: true, ..
        } = old.value
        {
            // PostgreSQL refuses to drop a constraint's index; stay silent.
            return;
        }
        self.remove_relation(name, flags);
    }

    /// Removes a relation and what goes with it.
    pub(super) fn remove_relation(&mut self, name: &QName, flags: DropFlags) {
        let origin = self.origin.clone();
        let Some(old) = Arc::make_mut(&mut self.cat.relations).remove(name) else {
            return;
        };
        self.cat.record_drop(Ns::Relation, name, &origin);
        self.cat.mark_name_known(Ns::Relation, name);
        match old.value {
            RelKind::Table(_)
            | RelKind::View {
                materialized: true, ..
            } => {
                // Its indexes, owned sequences and triggers go with it.
                let gone = self.cat.dependents(name);
                // The tables whose foreign keys still name it stay noted (a foreign key left
                // by a drop that failed, or one made unknown, still refers to the name).
                if let Some(set) = self.cat.refs.get(name) {
                    let keep: BTreeSet<QName> = set
                        .iter()
                        .filter(|n| !gone.contains(n) && self.cat.relations.contains_key(*n))
                        .cloned()
                        .collect();
                    let refs = Arc::make_mut(&mut self.cat.refs);
                    if keep.is_empty() {
                        refs.remove(name);
                    } else {
                        refs.insert(name.clone(), keep);
                    }
                }
                let rels = Arc::make_mut(&mut self.cat.relations);
                for g in &gone {
                    rels.remove(g);
                }
                for g in gone {
                    self.cat.record_drop(Ns::Relation, &g, &origin);
                }
                let triggers: Vec<_> = self
                    .cat
                    .triggers
                    .keys()
                    .filter(|(t, _)| t == name)
                    .cloned()
                    .collect();
                if !triggers.is_empty() {
                    let trs = Arc::make_mut(&mut self.cat.triggers);
                    for t in &triggers {
                        trs.remove(t);
                    }
                }
                if flags.cascade {
                    // Foreign keys to it go; views on it go (which ones is not known).
                    self.drop_fks_to(name);
                    self.views_unknown(&name.name);
                }
            }
            RelKind::View { .. } if flags.cascade => self.views_unknown(&name.name),
            RelKind::Sequence { .. } if flags.cascade => {
                // Defaults using it go.
                self.tables_unknown_where(|_| true, false);
            }
            _ => {}
        }
    }

    /// The tables for which `pred` holds lose their known constraints (and, with `columns`,
    /// their known columns).
    pub(super) fn tables_unknown_where(&mut self, pred: impl Fn(&Table) -> bool, columns: bool) {
        let names: Vec<QName> = self
            .cat
            .relations
            .iter()
            .filter(|(_, r)| matches!(&r.value, RelKind::Table(t) if pred(t)))
            .map(|(n, _)| n.clone())
            .collect();
        for n in names {
            if let Some(t) = self.cat.table_mut(&n) {
                t.constraints_known = false;
                if columns {
                    t.columns_known = false;
                }
            }
        }
    }

    /// Forgets the texts kept as written (defaults, generated expressions, checks, foreign
    /// key clauses) that mention `word`: a rename made them stale.
    pub(super) fn forget_texts_mentioning(&mut self, word: &str) {
        let mentions = |w: &Written| {
            let mut x = w.clone();
            x.forget_if_mentions(word);
            x.get().is_none() && w.get().is_some()
        };
        let stale = self.cat.tables_where(|t| {
            t.columns
                .iter()
                .any(|c| mentions(&c.default_sql) || mentions(&c.generated_sql))
                || t.constraints.iter().any(|c| mentions(&c.sql))
        });
        for n in stale {
            if let Some(t) = self.cat.table_mut(&n) {
                for c in &mut t.columns {
                    c.default_sql.forget_if_mentions(word);
                    c.generated_sql.forget_if_mentions(word);
                }
                for c in &mut t.constraints {
                    c.sql.forget_if_mentions(word);
                }
            }
        }
        self.forget_views_mentioning(word);
    }

    /// `ALTER <kind> name RENAME TO new`: the relation and what refers to it by name.
    pub(super) fn rename_relation(
        &mut self,
        name: &QName,
        kind: ObjectKind,
        new: String,
        flags: AlterFlags,
        range: Range<usize>,
    ) {
        let newq = name.sibling(new);
        let Some(old) = self.cat.relations.get(name).cloned() else {
            if !flags.if_exists {
                self.missing(kind, name, range);
                self.cat.mark_name_unknown(Ns::Relation, &newq);
            } else if !self.cat.knows(Ns::Relation, name) {
                self.cat.mark_name_unknown(Ns::Relation, &newq);
            }
            // `IF EXISTS` of a relation known to be absent: nothing happens.
            return;
        };
        if let Some(taken) = self.cat.relations.get(&newq).cloned() {
            if self.cat.knows(Ns::Relation, &newq) {
                self.exists_already(
                    ObjectKind::Relation,
                    &newq.to_string(),
                    range,
                    Some(taken.origin.clone()),
                );
            }
            return;
        }
        let origin = self.origin.clone();
        self.forget_texts_mentioning(&name.name);
        self.views_follow_rename(&name.name, &newq.name);
        Arc::make_mut(&mut self.cat.relations).remove(name);
        self.cat.put_relation(newq.clone(), old.clone());
        self.cat.record_drop(Ns::Relation, name, &origin);
        self.cat.mark_name_known(Ns::Relation, &newq);
        if let RelKind::Index {
            constraint: true,
            table,
            ..
        } = &old.value
        {
            // A constraint's index renamed renames the constraint.
            let (old_n, new_n) = (name.name.clone(), newq.name.clone());
            if let Some(t) = self.cat.table_mut(table)
                && let Some(c) = t.constraints.iter_mut().find(|c| c.name == old_n)
            {
                c.name = new_n;
            }
        }
        if let RelKind::Table(_) = old.value {
            // References by name follow the table.
            let mut deps = self.cat.dependents(name);
            deps.extend(self.cat.fk_referrers(name).into_iter().map(|(t, _)| t));
            // Its own foreign keys to itself now name the new name.
            deps.push(newq.clone());
            let rels = Arc::make_mut(&mut self.cat.relations);
            for r in rels.values_mut() {
                match &mut r.value {
                    RelKind::Index { table, .. } if table == name => *table = newq.clone(),
                    RelKind::Sequence {
                        owned_by: Some((t, _)),
                        ..
                    } if t == name => *t = newq.clone(),
                    RelKind::Table(t) if t.constraints.iter().any(|c| fk_to(c, name)) => {
                        for c in &mut Arc::make_mut(t).constraints {
                            if let ConstraintKind::ForeignKey { table, .. } = &mut c.kind
                                && table == name
                            {
                                *table = newq.clone();
                            }
                        }
                    }
                    _ => {}
                }
            }
            for d in deps {
                self.cat.note_refs(&d);
            }
            let moved: Vec<_> = self
                .cat
                .triggers
                .keys()
                .filter(|(t, _)| t == name)
                .cloned()
                .collect();
            if !moved.is_empty() {
                let trs = Arc::make_mut(&mut self.cat.triggers);
                for k in moved {
                    if let Some(v) = trs.remove(&k) {
                        trs.insert((newq.clone(), k.1), v);
                    }
                }
            }
        }
    }
}
