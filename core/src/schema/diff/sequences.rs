//! Sequences: created and dropped by name; the sequences that `serial` and identity columns
//! make come and go with their columns, and are not changes of their own. Their options are
//! compared on every sequence both sides have; a sequence made or dropped with options that
//! differ from a new one's gets an `ALTER SEQUENCE` after it is made (before it is dropped,
//! so that the down section gives them back). An identity column writes its options in its
//! identity clause instead.

use super::{Change, Differ, Phase};
use crate::schema::catalog::{
    Catalog, QName, RelKind, SeqOpt, SeqType, SequenceOptions, generated_name,
};

/// A sequence whose owner changes: its name, the head's owner, the desired owner.
pub type Owners = (QName, Option<(QName, String)>, Option<(QName, String)>);

/// Whether `seq` is the sequence that a `serial` or identity column makes for itself: owned by
/// the column, and the column an identity (whatever the sequence's name: `SEQUENCE NAME`
/// writes it), or serial-like with the sequence named as PostgreSQL names a serial's.
pub(super) fn made_by_column(cat: &Catalog, seq: &QName) -> Option<(QName, String)> {
    let Some(RelKind::Sequence {
        owned_by: Some((t, c)),
        ..
    }) = cat.relations.get(seq).map(|r| &r.value)
    else {
        return None;
    };
    let col = cat.table(t)?.column(c)?;
    if col.identity {
        return Some((t.clone(), c.clone()));
    }
    let (name, exact) = generated_name(&t.name, std::slice::from_ref(c), "seq");
    if !exact || seq.schema != t.schema || seq.name != name {
        return None;
    }
    super::columns::serial_like(col).then(|| (t.clone(), c.clone()))
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

    /// The options of sequence `seq` in `cat`: `None` if it is not a sequence, `Some(None)`
    /// when they are not known.
    fn options_in(cat: &Catalog, seq: &QName) -> Option<Option<SequenceOptions>> {
        match cat.relations.get(seq).map(|r| &r.value) {
            Some(RelKind::Sequence { options, .. }) => Some(*options),
            _ => None,
        }
    }

    /// What a sequence of `cat` is made with when it is made: by its `serial` column (of
    /// the column's type), by its identity column (its options written in the column's
    /// clause: nothing to change after), or by `CREATE SEQUENCE` (`bigint`). `None` for an
    /// identity's.
    fn made_with(cat: &Catalog, seq: &QName, by_column: bool) -> Option<SequenceOptions> {
        if !by_column {
            return Some(SequenceOptions::defaults(SeqType::BigInt));
        }
        let (t, c) = made_by_column(cat, seq)?;
        let col = cat.table(&t)?.column(&c)?;
        if col.identity {
            return None;
        }
        SeqType::of(&col.ty).map(SequenceOptions::defaults)
    }

    /// The options of the sequences both sides have, compared (an identity's sequence at
    /// the head taking its column's new type first, as PostgreSQL does).
    fn changed_sequence_options(&mut self, changes: &mut Vec<(Phase, Change)>) {
        for (n, r) in self.to.relations.iter() {
            let RelKind::Sequence { options: to, .. } = &r.value else {
                continue;
            };
            let Some(from) = Self::options_in(self.from, n) else {
                continue;
            };
            let (Some(mut from), Some(to)) = (from, *to) else {
                self.not_compared(format!("the options of sequence `{n}`: not known"));
                continue;
            };
            if let Some((t, c)) = made_by_column(self.from, n) {
                let new_t = self.new_table_name(&t);
                let new_c = self.new_column_name(&new_t, &c);
                let head = self.from.table(&t).and_then(|tb| tb.column(&c));
                let desired = self.to.table(&new_t).and_then(|tb| tb.column(&new_c));
                if let (Some(h), Some(d)) = (head, desired)
                    && h.identity
                    && d.identity
                    && self.new_type_text(&h.ty) != d.ty
                    && let Some(ty) = SeqType::of(&d.ty)
                {
                    from = from.alter(&[SeqOpt::As(ty)]);
                }
            }
            if from != to {
                self.push(
                    changes,
                    Phase::OwnSequences,
                    Change::AlterSequence {
                        seq: n.clone(),
                        from,
                        to,
                        restart: false,
                    },
                );
            }
        }
    }

    /// `ALTER SEQUENCE` for the sequences made or dropped whose options differ from what
    /// they are made with (see the module documentation).
    fn new_and_dropped_sequence_options(&mut self, changes: &mut Vec<(Phase, Change)>) {
        let created: Vec<QName> = self
            .created_sequences()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        for (n, r) in self.to.relations.iter() {
            let RelKind::Sequence { options, .. } = &r.value else {
                continue;
            };
            if self.from.relations.contains_key(n) {
                continue;
            }
            let Some(made) = Self::made_with(self.to, n, !created.contains(n)) else {
                continue;
            };
            match options {
                Some(o) if *o != made => self.push(
                    changes,
                    Phase::OwnSequences,
                    Change::AlterSequence {
                        seq: n.clone(),
                        from: made,
                        to: *o,
                        restart: made.start != o.start,
                    },
                ),
                Some(_) => {}
                None => self.not_compared(format!("the options of sequence `{n}`: not known")),
            }
        }
        let dropped = self.dropped_sequences();
        for (n, r) in self.from.relations.iter() {
            let RelKind::Sequence { options, .. } = &r.value else {
                continue;
            };
            if self.to.relations.contains_key(n) {
                continue;
            }
            let Some(made) = Self::made_with(self.from, n, !dropped.contains(n)) else {
                continue;
            };
            match options {
                Some(o) if *o != made => self.push(
                    changes,
                    Phase::Sequences,
                    Change::AlterSequence {
                        seq: n.clone(),
                        from: *o,
                        to: made,
                        restart: made.start != o.start,
                    },
                ),
                Some(_) => {}
                None => self.not_compared(format!("the options of sequence `{n}`: not known")),
            }
        }
    }

    pub(super) fn sequences(&mut self, changes: &mut Vec<(Phase, Change)>) {
        self.changed_sequence_options(changes);
        self.new_and_dropped_sequence_options(changes);
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

#[cfg(test)]
mod option_tests {
    use crate::schema::diff::tests::{changes_between, down_sql, up_sql};

    #[test]
    fn options_of_a_sequence_both_sides_have_are_altered_both_ways() {
        let c = changes_between(
            "CREATE SEQUENCE s;",
            "CREATE SEQUENCE s INCREMENT BY 5 NO MAXVALUE;",
        );
        assert_eq!(up_sql(&c), "ALTER SEQUENCE s INCREMENT BY 5;\n");
        assert_eq!(down_sql(&c), "ALTER SEQUENCE s INCREMENT BY 1;\n");
        // Written defaults are no change.
        let same = changes_between(
            "CREATE SEQUENCE s AS integer;",
            "CREATE SEQUENCE s AS integer MAXVALUE 2147483647 START 1 CACHE 1 NO CYCLE;",
        );
        assert!(same.is_empty(), "{same:?}");
    }

    #[test]
    fn an_identity_sequence_is_altered_and_follows_its_column_type() {
        let c = changes_between(
            "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY);",
            "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY (START WITH 10 CACHE 5));",
        );
        assert_eq!(
            up_sql(&c),
            "ALTER SEQUENCE t_id_seq START WITH 10 CACHE 5;\n"
        );
        // The column's new type changes the sequence's: nothing else to write.
        let c = changes_between(
            "CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY);",
            "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY);",
        );
        assert_eq!(
            up_sql(&c),
            "ALTER TABLE t ALTER COLUMN id TYPE bigint USING id::bigint;\n"
        );
    }

    #[test]
    fn a_new_sequence_gets_its_options_and_a_dropped_one_gives_them_back() {
        let c = changes_between(
            "",
            "CREATE TABLE t (id serial, n int GENERATED BY DEFAULT AS IDENTITY (INCREMENT BY -1));\n\
             ALTER SEQUENCE t_id_seq START WITH 100 MINVALUE 100;\n\
             CREATE SEQUENCE s AS smallint CYCLE;",
        );
        let up = up_sql(&c);
        assert!(up.contains("CREATE SEQUENCE s;\n"), "{up}");
        assert!(
            up.contains("n integer GENERATED BY DEFAULT AS IDENTITY (INCREMENT BY -1)"),
            "{up}"
        );
        assert!(
            up.contains("ALTER SEQUENCE t_id_seq MINVALUE 100 START WITH 100 RESTART;\n"),
            "{up}"
        );
        assert!(
            up.contains("ALTER SEQUENCE s AS smallint MINVALUE 1 MAXVALUE 32767 CYCLE;\n"),
            "{up}"
        );
        // Dropped: the down makes them again with their options.
        let back = changes_between(
            "CREATE TABLE t (id serial);\nALTER SEQUENCE t_id_seq INCREMENT BY 3;\n\
             CREATE SEQUENCE s CACHE 20;",
            "",
        );
        let down = down_sql(&back);
        let create = down.find("CREATE TABLE t").unwrap();
        let alter = down
            .find("ALTER SEQUENCE t_id_seq INCREMENT BY 3;")
            .unwrap();
        assert!(create < alter, "{down}");
        let seq = down.find("CREATE SEQUENCE s;").unwrap();
        let cache = down.find("ALTER SEQUENCE s CACHE 20;").unwrap();
        assert!(seq < cache, "{down}");
    }
}

#[cfg(test)]
mod identity_name_tests {
    use crate::schema::diff::tests::{changes_between, down_sql, up_sql};

    #[test]
    fn an_identity_sequence_named_otherwise_comes_with_its_column() {
        let c = changes_between(
            "CREATE TABLE t (a int);",
            "CREATE TABLE t (a int, b int GENERATED ALWAYS AS IDENTITY (SEQUENCE NAME b_numbers CACHE 3));",
        );
        assert_eq!(
            up_sql(&c),
            "ALTER TABLE t ADD COLUMN b integer GENERATED ALWAYS AS IDENTITY \
             (SEQUENCE NAME b_numbers CACHE 3);\n"
        );
        assert_eq!(down_sql(&c), "ALTER TABLE t DROP COLUMN b;\n");
    }
}
