//! Tables: created, dropped, renamed by annotation; the tables both sides have go on to the
//! columns and constraints.

use super::{Change, Differ, ObjectKind, Phase, Place, Problem, TableDef, fully_known};
use crate::schema::catalog::{Catalog, ConstraintKind, QName, Table};

/// A table as a `CREATE TABLE` writes it, or why it cannot be written.
pub(super) fn table_def(cat: &Catalog, name: &QName, t: &Table) -> Result<TableDef, String> {
    if !fully_known(t) {
        return Err(format!(
            "table `{name}`: its columns or constraints are not all known"
        ));
    }
    let mut columns = Vec::new();
    for c in &t.columns {
        columns.push(super::columns::column_def(cat, name, c)?);
    }
    let mut constraints = Vec::new();
    for k in &t.constraints {
        match k.kind {
            ConstraintKind::PrimaryKey | ConstraintKind::Unique | ConstraintKind::Check => {
                super::constraints::check_writable(name, k)?;
                constraints.push(k.clone());
            }
            ConstraintKind::ForeignKey { .. } | ConstraintKind::NotNull => {}
            ConstraintKind::Other => {
                return Err(format!(
                    "constraint `{}` of table `{name}`: an exclusion or other constraint, whose \
                     definition is not kept",
                    k.name
                ));
            }
        }
    }
    Ok(TableDef {
        columns,
        constraints,
    })
}

/// The columns of a table as (name, type, identity): what a rename suspect compares.
fn shape(t: &Table) -> Vec<(&str, &str, bool)> {
    // An identity column does not become a plain one: not the same definition.
    t.columns
        .iter()
        .map(|c| (c.name.as_str(), c.ty.as_str(), c.identity))
        .collect()
}

impl Differ<'_> {
    /// Where the desired schema creates relation `name`.
    pub(super) fn place_of(&self, name: &QName) -> Option<Place> {
        self.to.relations.get(name).map(|r| Place {
            file: r.origin.file,
            range: r.origin.range.clone(),
        })
    }

    /// Tables renamed by annotation: (old, new).
    pub fn renamed_tables(&self) -> Vec<(QName, QName)> {
        self.table_renames
            .iter()
            .map(|(o, n)| (o.clone(), n.clone()))
            .collect()
    }

    /// Tables of the desired schema that the head has under no name.
    pub fn created_tables(&self) -> Vec<QName> {
        self.to
            .tables_where(|_| true)
            .into_iter()
            .filter(|n| self.from.table(&self.old_table_name(n)).is_none())
            .collect()
    }

    /// Tables of the head that the desired schema has under no name.
    pub fn dropped_tables(&self) -> Vec<QName> {
        self.from
            .tables_where(|_| true)
            .into_iter()
            .filter(|n| !self.table_renames.contains_key(n) && self.to.table(n).is_none())
            .collect()
    }

    /// Tables both sides have: (head name, desired name).
    pub fn kept_tables(&self) -> Vec<(QName, QName)> {
        self.to
            .tables_where(|_| true)
            .into_iter()
            .filter_map(|n| {
                let old = self.old_table_name(&n);
                self.from.table(&old).is_some().then_some((old, n))
            })
            .collect()
    }

    pub(super) fn tables(&mut self, changes: &mut Vec<(Phase, Change)>) {
        for (from, to) in self.renamed_tables() {
            self.push(changes, Phase::Renames, Change::RenameTable { from, to });
        }
        let created = self.created_tables();
        let dropped = self.dropped_tables();
        // A dropped and a created table with the same columns: a rename, or not?
        for c in &created {
            let Some(ct) = self.to.table(c) else { continue };
            if let Some(d) = dropped
                .iter()
                .find(|d| self.from.table(d).is_some_and(|dt| shape(dt) == shape(ct)))
            {
                self.out.problems.push(Problem::RenameSuspect {
                    kind: ObjectKind::Table,
                    old: d.to_string(),
                    new: c.to_string(),
                    rename: super::RenameKind::Table {
                        from: d.clone(),
                        to: c.clone(),
                    },
                    at: self.place_of(c),
                });
            }
        }
        for name in created {
            let Some(t) = self.to.table(&name) else {
                continue;
            };
            match table_def(self.to, &name, t) {
                Ok(table) => {
                    self.push(
                        changes,
                        Phase::CreateTables,
                        Change::CreateTable {
                            name: name.clone(),
                            table,
                        },
                    );
                    for k in &t.constraints {
                        if matches!(k.kind, ConstraintKind::ForeignKey { .. }) {
                            if let Err(what) = super::constraints::check_writable(&name, k) {
                                let at = self.place_of(&name);
                                self.out.problems.push(Problem::Unsupported { what, at });
                                continue;
                            }
                            self.push(
                                changes,
                                Phase::CreateForeignKeys,
                                Change::AddConstraint {
                                    table: name.clone(),
                                    constraint: k.clone(),
                                },
                            );
                        }
                    }
                }
                Err(why) => self.not_compared(format!("{why}: it is not created")),
            }
        }
        for name in dropped {
            let Some(t) = self.from.table(&name) else {
                continue;
            };
            self.drop(ObjectKind::Table, name.to_string(), true);
            match table_def(self.from, &name, t) {
                Ok(table) => {
                    for k in &t.constraints {
                        if matches!(k.kind, ConstraintKind::ForeignKey { .. }) {
                            // Dropped after the renames: it then names what it references
                            // by their new names.
                            let constraint = self.renamed_constraint(&name, k);
                            self.push(
                                changes,
                                Phase::DropForeignKeys,
                                Change::DropConstraint {
                                    table: name.clone(),
                                    constraint,
                                },
                            );
                        }
                    }
                    self.push(
                        changes,
                        Phase::DropTables,
                        Change::DropTable {
                            name: name.clone(),
                            table,
                        },
                    );
                }
                Err(why) => self.out.problems.push(Problem::Unsupported {
                    what: format!("dropping {why}, so the down section cannot create it again"),
                    at: None,
                }),
            }
        }
        for (old, new) in self.kept_tables() {
            self.columns(&old, &new, changes);
            self.constraints(&old, &new, changes);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::schema::diff::tests::{changes_between, diff_of, down_sql, up_sql};
    use crate::schema::diff::{ObjectKind, Problem};

    #[test]
    fn created_tables_come_before_their_foreign_keys() {
        let c = changes_between(
            "",
            "CREATE TABLE z (id int PRIMARY KEY);\n\
             CREATE TABLE b (id int PRIMARY KEY, z_id int REFERENCES z (id));",
        );
        let up = up_sql(&c);
        let fk = up.find("FOREIGN KEY").unwrap();
        assert!(up.find("CREATE TABLE z").unwrap() < fk, "{up}");
        assert!(up.find("CREATE TABLE b").unwrap() < fk, "{up}");
        let down = down_sql(&c);
        assert!(down.find("DROP CONSTRAINT").unwrap() < down.find("DROP TABLE").unwrap());
    }

    #[test]
    fn a_dropped_table_needs_allow_drop() {
        let d = diff_of("CREATE TABLE gone (x int);", "", false);
        assert!(
            matches!(&d.problems[0], Problem::DropsNotAllowed(v) if v[0].kind == ObjectKind::Table)
        );
        assert_eq!(
            d.lossy_reason().as_deref(),
            Some("the data of dropped table gone")
        );
    }

    #[test]
    fn a_table_that_looks_renamed_is_a_suspect() {
        let d = diff_of("CREATE TABLE a (x int);", "CREATE TABLE b (x int);", true);
        assert!(
            d.problems.iter().any(|p| matches!(
                p,
                Problem::RenameSuspect {
                    kind: ObjectKind::Table,
                    ..
                }
            )),
            "{:?}",
            d.problems
        );
        let c = changes_between(
            "CREATE TABLE a (x int);",
            "-- retort:renamed_from a\nCREATE TABLE b (x int);",
        );
        assert_eq!(up_sql(&c), "ALTER TABLE a RENAME TO b;\n");
        assert_eq!(down_sql(&c), "ALTER TABLE b RENAME TO a;\n");
    }
}
