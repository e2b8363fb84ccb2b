//! Sequences: created and dropped by name; the sequences that `serial` and identity columns
//! make come and go with their columns, and are not changes of their own.

use super::{Change, Differ, Phase};
use crate::schema::catalog::{Catalog, QName, RelKind, generated_name};

/// A sequence whose owner changes: its name, the head's owner, the desired owner.
pub type Owners = (QName, Option<(QName, String)>, Option<(QName, String)>);

/// Whether `seq` is the sequence that a `serial` or identity column makes for itself: owned by
/// the column, named as PostgreSQL names it, and the column is serial-like or an identity.
pub(super) fn made_by_column(cat: &Catalog, seq: &QName) -> Option<(QName, String)> {
    let Some(RelKind::Sequence {
        owned_by: Some((t, c)),
        ..
    }) = cat.relations.get(seq).map(|r| &r.value)
    else {
        return None;
    };
    let (name, exact) = generated_name(&t.name, std::slice::from_ref(c), "seq");
    if !exact || seq.schema != t.schema || seq.name != name {
        return None;
    }
    let col = cat.table(t)?.column(c)?;
    (col.identity || super::columns::serial_like(col)).then(|| (t.clone(), c.clone()))
}

impl Differ<'_> {
    /// Whether the head has the column that the desired table `t` calls `c`.
    fn head_has_column(&self, t: &QName, c: &str) -> bool {
        self.from
            .table(&self.old_table_name(t))
            .is_some_and(|tb| tb.column(&self.old_column_name(t, c)).is_some())
    }

    /// Sequences of the desired schema that the head does not have (those a new column makes
    /// for itself aside), with the column that owns each, if any.
    pub fn created_sequences(&self) -> Vec<(QName, Option<(QName, String)>)> {
        let mut out = Vec::new();
        for (n, r) in self.to.relations.iter() {
            let RelKind::Sequence { owned_by, .. } = &r.value else {
                continue;
            };
            if self.from.relations.contains_key(n) {
                continue;
            }
            if let Some((t, c)) = made_by_column(self.to, n)
                && !self.head_has_column(&t, &c)
            {
                continue;
            }
            out.push((n.clone(), owned_by.clone()));
        }
        out
    }

    /// Sequences of the head that the desired schema does not have (those that go with a
    /// dropped column or table aside).
    pub fn dropped_sequences(&self) -> Vec<QName> {
        let mut out = Vec::new();
        for (n, r) in self.from.relations.iter() {
            if !matches!(r.value, RelKind::Sequence { .. }) || self.to.relations.contains_key(n) {
                continue;
            }
            if let Some((t, c)) = made_by_column(self.from, n) {
                let new_t = self.new_table_name(&t);
                let kept = self
                    .to
                    .table(&new_t)
                    .is_some_and(|tb| tb.column(&self.new_column_name(&new_t, &c)).is_some());
                if !kept {
                    continue;
                }
            }
            out.push(n.clone());
        }
        out
    }

    /// Sequences both sides have whose owning column changes (a table dropped and another
    /// made to own its sequence): (sequence, the head's owner, the desired owner), owners
    /// compared through the renames.
    pub fn changed_sequence_owners(&self) -> Vec<Owners> {
        let mut out = Vec::new();
        for (n, r) in self.to.relations.iter() {
            let RelKind::Sequence { owned_by: to, .. } = &r.value else {
                continue;
            };
            let Some(RelKind::Sequence { owned_by: from, .. }) =
                self.from.relations.get(n).map(|r| &r.value)
            else {
                continue;
            };
            let renamed = from.as_ref().map(|(t, c)| {
                let t = self.new_table_name(t);
                let c = self.new_column_name(&t, c);
                (t, c)
            });
            if renamed != *to {
                out.push((n.clone(), from.clone(), to.clone()));
            }
        }
        out
    }

    /// A dropped table or column whose sequence another column now owns is written back by
    /// the down section with its `nextval` default, not as `serial` (which would make a
    /// second sequence of that name).
    pub(super) fn keep_moved_sequences(&self, changes: &mut [(Phase, Change)]) {
        for (_, from, _) in self.changed_sequence_owners() {
            let Some((table, column)) = from else {
                continue;
            };
            for (_, c) in changes.iter_mut() {
                let defs: Vec<&mut super::ColumnDef> = match c {
                    Change::DropTable { name, table: def } if *name == table => {
                        def.columns.iter_mut().collect()
                    }
                    Change::DropColumn { table: t, column } if *t == table => vec![column],
                    _ => continue,
                };
                for d in defs {
                    if d.column.name == column {
                        d.serial = false;
                    }
                }
            }
        }
    }

    pub(super) fn sequences(&mut self, changes: &mut Vec<(Phase, Change)>) {
        // Disowned before anything is dropped (a dropped owner would take the sequence
        // along), owned again once the new owner exists.
        for (seq, from, to) in self.changed_sequence_owners() {
            if let Some(owner) = from {
                let c = Change::DisownSequence {
                    seq: seq.clone(),
                    owner,
                };
                self.push(changes, Phase::Sequences, c);
            }
            if let Some(owner) = to {
                self.push(
                    changes,
                    Phase::OwnSequences,
                    Change::OwnSequence { seq, owner },
                );
            }
        }
        for (seq, owner) in self.created_sequences() {
            self.push(
                changes,
                Phase::Sequences,
                Change::CreateSequence(seq.clone()),
            );
            if let Some(owner) = owner {
                self.push(
                    changes,
                    Phase::OwnSequences,
                    Change::OwnSequence { seq, owner },
                );
            }
        }
        for seq in self.dropped_sequences() {
            self.push(changes, Phase::DropSequences, Change::DropSequence(seq));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::schema::diff::tests::{changes_between, down_sql, up_sql};

    #[test]
    fn serial_sequences_come_with_their_columns() {
        let c = changes_between("", "CREATE TABLE t (id serial PRIMARY KEY);");
        let up = up_sql(&c);
        assert!(!up.contains("CREATE SEQUENCE"), "{up}");
        assert!(up.contains("id serial"), "{up}");
    }

    #[test]
    fn a_sequence_kept_by_a_new_table_is_disowned_before_the_old_one_is_dropped() {
        // A table replaced by another (not a rename: its columns changed) whose `id` keeps
        // the old table's sequence: dropping the old table must not take the sequence along.
        let c = changes_between(
            "CREATE TABLE a (id serial PRIMARY KEY);",
            "CREATE SEQUENCE a_id_seq;\n\
             CREATE TABLE b (id integer NOT NULL DEFAULT nextval('a_id_seq'), x int);\n\
             ALTER SEQUENCE a_id_seq OWNED BY b.id;",
        );
        let up = up_sql(&c);
        let disown = up.find("ALTER SEQUENCE a_id_seq OWNED BY NONE;");
        let drop = up.find("DROP TABLE a;");
        let own = up.find("ALTER SEQUENCE a_id_seq OWNED BY b.id;");
        let create = up.find("CREATE TABLE b");
        assert!(disown < drop && disown.is_some(), "{up}");
        assert!(create < own && create.is_some(), "{up}");
        let down = down_sql(&c);
        let disown = down.find("ALTER SEQUENCE a_id_seq OWNED BY NONE;");
        let drop = down.find("DROP TABLE b;");
        let own = down.find("ALTER SEQUENCE a_id_seq OWNED BY a.id;");
        let create = down.find("CREATE TABLE a");
        assert!(!down.contains("serial"), "a second a_id_seq: {down}");
        assert!(disown < drop && disown.is_some(), "{down}");
        assert!(create < own && create.is_some(), "{down}");
    }

    #[test]
    fn standalone_sequences_are_created_and_dropped() {
        let c = changes_between("CREATE SEQUENCE old;", "CREATE SEQUENCE counter;");
        assert_eq!(up_sql(&c), "CREATE SEQUENCE counter;\nDROP SEQUENCE old;\n");
    }
}
