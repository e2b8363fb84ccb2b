//! `ALTER TABLE`: the relation it names (a table, or a view, index or sequence for a rename),
//! and each action sent to its family (columns, constraints) or done here (a rename, a new
//! schema, partitions and inheritance).

use std::ops::Range;

use squawk_syntax::ast::{self, AstNode};

use super::Replayer;
use super::flags::AlterFlags;
use super::readers::text;
use crate::schema::catalog::{Ns, QName, RelKind, simple_name};
use crate::schema::object_kind::ObjectKind;

impl Replayer<'_> {
    /// `ALTER TABLE [IF EXISTS] name action, …`.
    pub(super) fn alter_table(&mut self, s: ast::AlterTable) {
        let table = s.table_relation_name().and_then(|r| r.table_name_ref());
        let Some((name, range)) = self.qname_or_unknown(table) else {
            return;
        };
        let flags = AlterFlags::read(s.if_exists());
        let Some(rel) = self.cat.relations.get(&name).cloned() else {
            if !flags.if_exists {
                self.missing(ObjectKind::Table, &name, range);
            }
            // Whatever it does, it does to something not modelled.
            for a in s.actions() {
                if let ast::AlterTableAction::TableRenameTo(to) = a
                    && let Some(n) = to.syntax().children().find_map(ast::TableName::cast)
                    && let Some(n) = simple_name(&text(&n))
                {
                    self.cat.mark_name_unknown(Ns::Relation, &name.sibling(n));
                }
            }
            return;
        };
        if !matches!(rel.value, RelKind::Table(_)) {
            // `ALTER TABLE` works on views, indexes and sequences for renames and owners.
            for a in s.actions() {
                match a {
                    ast::AlterTableAction::TableRenameTo(to) => {
                        let new = to.syntax().children().find_map(ast::TableName::cast);
                        if let Some((n, _)) = self.simple_name_or_unknown(new) {
                            let kind = ObjectKind::Relation;
                            self.rename_relation(&name, kind, n, flags, range.clone());
                        }
                    }
                    ast::AlterTableAction::OwnerTo(_) => {}
                    _ => self.cat.mark_name_unknown(Ns::Relation, &name),
                }
            }
            return;
        }
        let mut name = name;
        for a in s.actions() {
            self.alter_action(&mut name, a, range.clone());
        }
    }

    /// One action of `ALTER TABLE` on `table` (renamed in place by `RENAME TO`); `range` is
    /// the table's name in the statement.
    fn alter_action(&mut self, table: &mut QName, a: ast::AlterTableAction, range: Range<usize>) {
        use ast::AlterTableAction as A;
        let Some(t) = self.cat.table(table).cloned() else {
            return;
        };
        match a {
            A::AddColumn(ac) => self.add_column(table, &t, ac),
            A::DropColumn(dc) => self.drop_column(table, &t, dc),
            A::RenameColumn(rc) => self.rename_column(table, &t, rc),
            A::AlterColumn(ac) => self.alter_column(table, &t, ac),
            A::AddConstraint(ac) => self.add_table_constraint(table, ac),
            A::DropConstraint(dc) => self.drop_constraint(table, &t, dc),
            A::RenameConstraint(rc) => self.rename_constraint(table, &t, rc),
            A::TableRenameTo(to) => self.rename_table(table, to, range),
            A::SetSchema(_) => self.table_moved(table),
            A::AttachPartition(_)
            | A::DetachPartition(_)
            | A::InheritTable(_)
            | A::NoInheritTable(_)
            | A::OfType(_)
            | A::NotOf(_)
            | A::MergePartitions(_)
            | A::SplitPartition(_) => self.table_lineage_changed(table),
            A::ValidateConstraint(v) => self.validate_constraint(table, v),
            A::AlterConstraint(a) => self.alter_constraint(table, a),
            // Options, owners, triggers enabled, row security, clustering, storage: nothing
            // the model holds.
            _ => {}
        }
    }

    /// `RENAME TO new`: `table` becomes the new name, for the actions after it.
    pub(super) fn rename_table(
        &mut self,
        table: &mut QName,
        to: ast::TableRenameTo,
        range: Range<usize>,
    ) {
        let new = to.syntax().children().find_map(ast::TableName::cast);
        let Some((n, _)) = self.simple_name_or_unknown(new) else {
            return;
        };
        let old = table.clone();
        let flags = AlterFlags::default();
        self.rename_relation(&old, ObjectKind::Table, n.clone(), flags, range);
        *table = old.sibling(n);
    }

    /// `SET SCHEMA`: where the table went is not modelled.
    pub(super) fn table_moved(&mut self, table: &QName) {
        self.cat.mark_name_unknown(Ns::Relation, table);
        self.unknown_ns(Ns::Relation);
    }

    /// Partitions attached or detached, inheritance or a type added or removed: the table's
    /// columns and constraints, and the relation names, are no longer known.
    pub(super) fn table_lineage_changed(&mut self, table: &QName) {
        if let Some(t) = self.cat.table_mut(table) {
            t.columns_known = false;
            t.constraints_known = false;
        }
        self.unknown_ns(Ns::Relation);
    }
}
