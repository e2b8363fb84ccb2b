//! `ALTER TABLE`: the relation it names (a table, or a view, index or sequence for a rename),
//! and each action sent to its family (columns, constraints) or done here (a rename, a new
//! schema, partitions and inheritance).

use std::ops::Range;

use squawk_syntax::ast::{self, AstNode};

use super::Replayer;
use super::readers::{if_exists, text};
use crate::schema::catalog::{Ns, QName, RelKind, qname, simple_name};

impl Replayer<'_> {
    pub(super) fn alter_table(&mut self, s: ast::AlterTable) {
        let Some(rn) = s.table_relation_name().and_then(|r| r.table_name_ref()) else {
            return self.unknown_all();
        };
        let Some(name) = qname(&text(&rn)) else {
            return self.unknown_all();
        };
        let range = self.span(&rn);
        let ie = if_exists(s.if_exists());
        let Some(rel) = self.cat.relations.get(&name).cloned() else {
            if !ie {
                self.missing(Ns::Relation, "table", &name, range);
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
                        match to
                            .syntax()
                            .children()
                            .find_map(ast::TableName::cast)
                            .and_then(|n| simple_name(&text(&n)))
                        {
                            Some(n) => {
                                self.rename_relation(&name, "relation", n, ie, range.clone())
                            }
                            None => self.unknown_all(),
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
        let Some(n) = to
            .syntax()
            .children()
            .find_map(ast::TableName::cast)
            .and_then(|n| simple_name(&text(&n)))
        else {
            return self.unknown_all();
        };
        let old = table.clone();
        self.rename_relation(&old, "table", n.clone(), false, range);
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
