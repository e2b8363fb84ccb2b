//! Sequences: created and dropped by name; the sequences that `serial` and identity columns
//! make come and go with their columns, and are not changes of their own.

use super::{Change, Differ, Phase};
use crate::schema::catalog::{Catalog, QName, RelKind, generated_name};

/// Whether `seq` is the sequence that a `serial` or identity column makes for itself: owned by
/// the column, named as PostgreSQL names it, and the column is serial-like or an identity.
pub(super) fn made_by_column(cat: &Catalog, seq: &QName) -> Option<(QName, String)> {
    let Some(RelKind::Sequence {
        owned_by: Some((t, c)),
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
            let RelKind::Sequence { owned_by } = &r.value else {
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

    pub(super) fn sequences(&mut self, changes: &mut Vec<(Phase, Change)>) {
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
    use crate::schema::diff::tests::{changes_between, up_sql};

    #[test]
    fn serial_sequences_come_with_their_columns() {
        let c = changes_between("", "CREATE TABLE t (id serial PRIMARY KEY);");
        let up = up_sql(&c);
        assert!(!up.contains("CREATE SEQUENCE"), "{up}");
        assert!(up.contains("id serial"), "{up}");
    }

    #[test]
    fn standalone_sequences_are_created_and_dropped() {
        let c = changes_between("CREATE SEQUENCE old;", "CREATE SEQUENCE counter;");
        assert_eq!(up_sql(&c), "CREATE SEQUENCE counter;\nDROP SEQUENCE old;\n");
    }
}
