//! Constraints of the tables both sides have, by name: primary keys, unique, checks and
//! foreign keys added, dropped, or replaced when their definition changes (checks and
//! foreign-key clauses compared by tokens).

use super::{Change, Differ, ObjectKind, Phase, Problem, same_sql};
use crate::schema::catalog::{Constraint, ConstraintKind, QName};

/// Whether the constraint can be written as SQL; else why not.
pub(super) fn check_writable(table: &QName, k: &Constraint) -> Result<(), String> {
    match k.kind {
        ConstraintKind::Check | ConstraintKind::ForeignKey { .. } if k.sql.get().is_none() => {
            Err(format!(
                "constraint `{}` of table `{table}`: its definition is not kept",
                k.name
            ))
        }
        ConstraintKind::PrimaryKey | ConstraintKind::Unique if k.columns.is_empty() => {
            Err(format!(
                "constraint `{}` of table `{table}`: its columns are not known",
                k.name
            ))
        }
        ConstraintKind::Other => Err(format!(
            "constraint `{}` of table `{table}`: an exclusion or other constraint, whose \
             definition is not kept",
            k.name
        )),
        _ => Ok(()),
    }
}

/// Whether a constraint is a foreign key.
fn is_fk(k: &Constraint) -> bool {
    matches!(k.kind, ConstraintKind::ForeignKey { .. })
}

impl Differ<'_> {
    /// A head constraint of the desired table `table` with its names as the desired schema
    /// would write them (columns, referenced table and columns renamed as annotated).
    pub(super) fn renamed_constraint(&self, table: &QName, k: &Constraint) -> Constraint {
        let mut k = k.clone();
        k.columns = k
            .columns
            .iter()
            .map(|c| self.new_column_name(table, c))
            .collect();
        if let ConstraintKind::ForeignKey { table: t, columns } = &k.kind {
            let nt = self.new_table_name(t);
            let cols = columns
                .iter()
                .map(|c| self.new_column_name(&nt, c))
                .collect();
            k.kind = ConstraintKind::ForeignKey {
                table: nt,
                columns: cols,
            };
        }
        k.sql = self.renamed_text(table, &k.sql);
        k
    }

    /// Whether two constraints have the same definition (`None`: not known).
    fn same_constraint(&self, a: &Constraint, b: &Constraint) -> Option<bool> {
        if a.kind != b.kind || a.columns != b.columns {
            return Some(false);
        }
        match a.kind {
            ConstraintKind::Check | ConstraintKind::ForeignKey { .. } => same_sql(&a.sql, &b.sql),
            ConstraintKind::Other => None,
            _ => Some(true),
        }
    }

    /// Constraints of the desired table `new` that its head table `old` does not have, or has
    /// with another definition.
    pub fn created_constraints(&self, old: &QName, new: &QName) -> Vec<Constraint> {
        let (Some(o), Some(n)) = (self.from.table(old), self.to.table(new)) else {
            return Vec::new();
        };
        n.constraints
            .iter()
            .filter(|k| match o.constraint(&k.name) {
                None => true,
                Some(ok) => {
                    self.same_constraint(&self.renamed_constraint(new, ok), k) == Some(false)
                }
            })
            .cloned()
            .collect()
    }

    /// Constraints of the head table `old` that the desired table `new` does not have, or has
    /// with another definition (as the head has them).
    pub fn dropped_constraints(&self, old: &QName, new: &QName) -> Vec<Constraint> {
        let (Some(o), Some(n)) = (self.from.table(old), self.to.table(new)) else {
            return Vec::new();
        };
        o.constraints
            .iter()
            .filter(|k| match n.constraint(&k.name) {
                None => true,
                Some(nk) => {
                    self.same_constraint(&self.renamed_constraint(new, k), nk) == Some(false)
                }
            })
            .cloned()
            .collect()
    }

    /// The foreign keys among [`Self::created_constraints`].
    pub fn created_foreign_keys(&self, old: &QName, new: &QName) -> Vec<Constraint> {
        self.created_constraints(old, new)
            .into_iter()
            .filter(is_fk)
            .collect()
    }

    /// The foreign keys among [`Self::dropped_constraints`].
    pub fn dropped_foreign_keys(&self, old: &QName, new: &QName) -> Vec<Constraint> {
        self.dropped_constraints(old, new)
            .into_iter()
            .filter(is_fk)
            .collect()
    }

    pub(super) fn constraints(
        &mut self,
        old: &QName,
        new: &QName,
        changes: &mut Vec<(Phase, Change)>,
    ) {
        let (Some(o), Some(n)) = (self.from.table(old), self.to.table(new)) else {
            return;
        };
        if !o.constraints_known || !n.constraints_known {
            self.not_compared(format!(
                "the constraints of table `{new}`: they are not all known"
            ));
            return;
        }
        for k in &n.constraints {
            if let Some(ok) = o.constraint(&k.name)
                && self
                    .same_constraint(&self.renamed_constraint(new, ok), k)
                    .is_none()
            {
                self.not_compared(format!(
                    "constraint `{}` of table `{new}`: its definition is not kept",
                    k.name
                ));
            }
        }
        let mut created = self.created_constraints(old, new);
        let mut dropped = self.dropped_constraints(old, new);
        // A constraint gone under one name and added with the same definition under another
        // is renamed.
        let mut k = 0;
        while k < dropped.len() {
            let renamed = self.renamed_constraint(new, &dropped[k]);
            let twin = created.iter().position(|c| {
                n.constraint(&dropped[k].name).is_none()
                    && o.constraint(&c.name).is_none()
                    && self.same_constraint(&renamed, c) == Some(true)
            });
            match twin {
                Some(c) => {
                    let c = created.remove(c);
                    let d = dropped.remove(k);
                    self.push(
                        changes,
                        Phase::Renames,
                        Change::RenameConstraint {
                            table: new.clone(),
                            from: d.name,
                            to: c.name,
                        },
                    );
                }
                None => k += 1,
            }
        }
        for k in &dropped {
            // Gone for good when no constraint with its definition is added under another
            // name (and it is not replaced under its own).
            let renamed = self.renamed_constraint(new, k);
            let replaced = created
                .iter()
                .any(|c| c.name == k.name || self.same_constraint(&renamed, c) == Some(true));
            if !replaced {
                self.drop(ObjectKind::Constraint, format!("{new}.{}", k.name), false);
            }
            if let Err(why) = check_writable(old, k) {
                self.out.problems.push(Problem::Unsupported {
                    what: format!("dropping {why}, so the down section cannot add it again"),
                    at: None,
                });
                continue;
            }
            let phase = if is_fk(k) {
                Phase::DropForeignKeys
            } else {
                Phase::DropIndexesAndConstraints
            };
            // Dropped after the renames: the head's constraint with the names it then has.
            self.push(
                changes,
                phase,
                Change::DropConstraint {
                    table: new.clone(),
                    constraint: renamed,
                },
            );
        }
        for k in created {
            if let Err(what) = check_writable(new, &k) {
                let at = self.place_of(new);
                self.out.problems.push(Problem::Unsupported { what, at });
                continue;
            }
            let phase = if is_fk(&k) {
                Phase::CreateForeignKeys
            } else {
                Phase::CreateIndexesAndConstraints
            };
            self.push(
                changes,
                phase,
                Change::AddConstraint {
                    table: new.clone(),
                    constraint: k,
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::schema::diff::tests::{changes_between, diff_of, up_sql};
    use crate::schema::diff::{ObjectKind, Problem};

    #[test]
    fn changed_checks_are_replaced_and_equal_ones_kept() {
        let c = changes_between(
            "CREATE TABLE t (a int CONSTRAINT pos CHECK (a > 0), b int CHECK (b   >  1));",
            "CREATE TABLE t (a int CONSTRAINT pos CHECK (a >= 0), b int CHECK (B > 1));",
        );
        assert_eq!(
            up_sql(&c),
            "ALTER TABLE t DROP CONSTRAINT pos;\nALTER TABLE t ADD CONSTRAINT pos CHECK (a >= 0);\n"
        );
    }

    #[test]
    fn foreign_keys_go_after_the_tables_and_are_dropped_first() {
        let c = changes_between(
            "CREATE TABLE a (id int PRIMARY KEY); CREATE TABLE b (a_id int REFERENCES a);",
            "CREATE TABLE a (id int PRIMARY KEY); CREATE TABLE b (a_id int REFERENCES a ON DELETE CASCADE);",
        );
        let up = up_sql(&c);
        assert!(
            up.starts_with("ALTER TABLE b DROP CONSTRAINT b_a_id_fkey;\n"),
            "{up}"
        );
        assert!(
            up.contains("FOREIGN KEY (a_id) REFERENCES a ON DELETE CASCADE;"),
            "{up}"
        );
    }

    #[test]
    fn a_dropped_constraint_needs_allow_drop() {
        let d = diff_of(
            "CREATE TABLE t (a int UNIQUE);",
            "CREATE TABLE t (a int);",
            false,
        );
        assert!(
            matches!(&d.problems[0], Problem::DropsNotAllowed(v) if v[0].kind == ObjectKind::Constraint),
            "{:?}",
            d.problems
        );
        assert_eq!(d.lossy_reason(), None);
    }
}
