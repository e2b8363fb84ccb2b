//! Columns of the tables both sides have: added, dropped, renamed by annotation, and changed
//! (type, collation, `NOT NULL`, default). Identity and generated columns are compared and,
//! when they differ, refused rather than guessed (an identity's sequence options are the
//! sequences' business, [`super::sequences`]).

use super::{Change, ColumnDef, Differ, ObjectKind, Phase, Problem, same_sql};
use crate::schema::catalog::{Catalog, Column, QName, RelKind, SequenceOptions, generated_name};

/// A column's type is an integer type with a `serial` spelling, and it has a default and is
/// `NOT NULL` (what `serial` makes), and is neither identity nor generated.
pub(super) fn serial_like(c: &Column) -> bool {
    matches!(c.ty.as_str(), "integer" | "bigint" | "smallint")
        && c.default
        && c.not_null
        && !c.identity
        && !c.generated
}

/// Whether column `c` of `table` is written `serial`: serial-like, and the sequence named as
/// PostgreSQL names a serial's is owned by it.
pub(super) fn is_serial(cat: &Catalog, table: &QName, c: &Column) -> bool {
    if !serial_like(c) {
        return false;
    }
    let (seq, exact) = generated_name(&table.name, std::slice::from_ref(&c.name), "seq");
    exact
        && matches!(
            cat.relations.get(&table.sibling(seq)).map(|r| &r.value),
            Some(RelKind::Sequence { owned_by: Some((t, col)), .. }) if t == table && *col == c.name
        )
}

/// A column as `CREATE TABLE` or `ADD COLUMN` writes it, or why it cannot be written.
pub(super) fn column_def(cat: &Catalog, table: &QName, c: &Column) -> Result<ColumnDef, String> {
    let serial = is_serial(cat, table, c);
    if c.generated && c.generated_sql.get().is_none() {
        return Err(format!(
            "column `{table}.{}`: a generated column whose expression the model did not keep",
            c.name
        ));
    }
    if !serial && !c.identity && c.default && c.default_sql.get().is_none() {
        return Err(format!(
            "column `{table}.{}`: its default's expression is not kept",
            c.name
        ));
    }
    let (identity_sequence, identity_options) = match column_sequence(cat, table, &c.name)
        .filter(|_| c.identity)
    {
        Some((name, options)) => {
            let (default, _) = generated_name(&table.name, std::slice::from_ref(&c.name), "seq");
            ((name != table.sibling(default)).then_some(name), options)
        }
        None => (None, None),
    };
    Ok(ColumnDef {
        column: c.clone(),
        serial,
        identity_options,
        identity_sequence,
    })
}

/// The sequence that column `col` of `table` owns, with its options if known.
pub(super) fn column_sequence(
    cat: &Catalog,
    table: &QName,
    col: &str,
) -> Option<(QName, Option<SequenceOptions>)> {
    cat.dependents(table)
        .into_iter()
        .find_map(|n| match cat.relations.get(&n).map(|r| &r.value) {
            Some(RelKind::Sequence {
                owned_by: Some((t, c)),
                options,
            }) if t == table && c == col => Some((n, *options)),
            _ => None,
        })
}

impl Differ<'_> {
    /// Columns renamed by annotation on the desired table `table`: (old, new).
    pub fn renamed_columns(&self, table: &QName) -> Vec<(String, String)> {
        self.column_renames.get(table).cloned().unwrap_or_default()
    }

    /// Columns of the desired table `new` that its head table `old` does not have.
    pub fn added_columns(&self, old: &QName, new: &QName) -> Vec<Column> {
        let (Some(o), Some(n)) = (self.from.table(old), self.to.table(new)) else {
            return Vec::new();
        };
        n.columns
            .iter()
            .filter(|c| o.column(&self.old_column_name(new, &c.name)).is_none())
            .cloned()
            .collect()
    }

    /// Columns of the head table `old` that the desired table `new` does not have.
    pub fn dropped_columns(&self, old: &QName, new: &QName) -> Vec<Column> {
        let (Some(o), Some(n)) = (self.from.table(old), self.to.table(new)) else {
            return Vec::new();
        };
        o.columns
            .iter()
            .filter(|c| n.column(&self.new_column_name(new, &c.name)).is_none())
            .cloned()
            .collect()
    }

    /// Columns both sides have: (head column, desired column).
    fn kept_columns(&self, old: &QName, new: &QName) -> Vec<(Column, Column)> {
        let (Some(o), Some(n)) = (self.from.table(old), self.to.table(new)) else {
            return Vec::new();
        };
        n.columns
            .iter()
            .filter_map(|c| {
                o.column(&self.old_column_name(new, &c.name))
                    .map(|oc| (oc.clone(), c.clone()))
            })
            .collect()
    }

    /// Columns whose type changes: (column's desired name, type before, type after), the
    /// type before written with the annotated type renames applied.
    pub fn changed_column_types(&self, old: &QName, new: &QName) -> Vec<(String, String, String)> {
        self.kept_columns(old, new)
            .into_iter()
            .filter_map(|(o, n)| {
                let was = self.new_type_text(&o.ty);
                (was != n.ty).then_some((n.name, was, n.ty))
            })
            .collect()
    }

    pub(super) fn columns(&mut self, old: &QName, new: &QName, changes: &mut Vec<(Phase, Change)>) {
        let (Some(o), Some(n)) = (self.from.table(old), self.to.table(new)) else {
            return;
        };
        if !o.columns_known || !n.columns_known {
            self.not_compared(format!(
                "the columns of table `{new}`: they are not all known"
            ));
            return;
        }
        for (from, to) in self.renamed_columns(new) {
            self.push(
                changes,
                Phase::Renames,
                Change::RenameColumn {
                    table: new.clone(),
                    from,
                    to,
                },
            );
        }
        let added = self.added_columns(old, new);
        let dropped = self.dropped_columns(old, new);
        let mut suspected: Vec<&str> = Vec::new();
        for a in &added {
            if let Some(d) = dropped.iter().find(|d| {
                self.new_type_text(&d.ty) == a.ty && !suspected.contains(&d.name.as_str())
            }) {
                suspected.push(&d.name);
                self.out.problems.push(Problem::RenameSuspect {
                    kind: ObjectKind::Column,
                    old: format!("{new}.{}", d.name),
                    new: format!("{new}.{}", a.name),
                    rename: super::RenameKind::Column {
                        table: new.clone(),
                        from: d.name.clone(),
                        to: a.name.clone(),
                    },
                    at: self.place_of(new),
                });
            }
        }
        for c in &added {
            match column_def(self.to, new, c) {
                Ok(column) => self.push(
                    changes,
                    Phase::Columns,
                    Change::AddColumn {
                        table: new.clone(),
                        column,
                    },
                ),
                Err(what) => {
                    let at = self.place_of(new);
                    self.out.problems.push(Problem::Unsupported { what, at });
                }
            }
        }
        for (oc, nc) in self.kept_columns(old, new) {
            self.changed_column(new, &oc, &nc, changes);
        }
        for c in &dropped {
            self.drop(ObjectKind::Column, format!("{new}.{}", c.name), true);
            // The head's table: the column is dropped after the table is renamed.
            match column_def(self.from, old, c) {
                Ok(column) => self.push(
                    changes,
                    Phase::Columns,
                    Change::DropColumn {
                        table: new.clone(),
                        column,
                    },
                ),
                Err(why) => self.out.problems.push(Problem::Unsupported {
                    what: format!("dropping {why}, so the down section cannot add it again"),
                    at: None,
                }),
            }
        }
    }

    /// The changes to one column both sides have.
    fn changed_column(
        &mut self,
        table: &QName,
        o: &Column,
        n: &Column,
        changes: &mut Vec<(Phase, Change)>,
    ) {
        let at = self.place_of(table);
        let who = format!("column `{table}.{}`", n.name);
        if o.identity != n.identity
            || (o.identity && o.identity_always != n.identity_always)
            || o.generated != n.generated
        {
            self.out.problems.push(Problem::Unsupported {
                what: format!("{who} changes between identity, generated and plain"),
                at,
            });
            return;
        }
        if o.generated {
            match same_sql(
                &self.renamed_text(table, &o.generated_sql),
                &n.generated_sql,
            ) {
                Some(true) => {}
                Some(false) => self.out.problems.push(Problem::Unsupported {
                    what: format!("{who}: its generation expression changes"),
                    at: at.clone(),
                }),
                None => self.not_compared(format!("{who}: its generation expression")),
            }
        }
        let was_ty = self.new_type_text(&o.ty);
        let type_changes = was_ty != n.ty;
        // A new type without `COLLATE` takes the type's default collation.
        let collation_changes =
            o.collation != n.collation || (type_changes && n.collation.is_some());
        // The default as the head has it, and whether it must be written again.
        let old_default = if o.default {
            self.renamed_text(table, &o.default_sql)
                .get()
                .map(str::to_owned)
        } else {
            None
        };
        let default_differs = match (o.default, n.default) {
            (false, false) => false,
            (true, true) if o.identity => false,
            (true, true) => {
                match same_sql(&self.renamed_text(table, &o.default_sql), &n.default_sql) {
                    Some(same) => !same,
                    None => {
                        self.not_compared(format!("{who}: its default's expression"));
                        false
                    }
                }
            }
            _ => true,
        };
        let new_default = n.default_sql.get().map(str::to_owned).filter(|_| n.default);
        if n.default && new_default.is_none() && (default_differs || type_changes) {
            self.out.problems.push(Problem::Unsupported {
                what: format!("{who}: its desired default's expression is not known"),
                at,
            });
            return;
        }
        let column = n.name.clone();
        if o.default && (type_changes || default_differs) && old_default.is_none() {
            self.out.problems.push(Problem::Unsupported {
                what: format!("{who}: its default's expression at the head is not known"),
                at,
            });
            return;
        }
        // A type change converts the default too: drop it first, set it after.
        let rewrite_default = type_changes && o.default;
        if rewrite_default {
            self.push(
                changes,
                Phase::Columns,
                Change::SetDefault {
                    table: table.clone(),
                    column: column.clone(),
                    from: old_default.clone(),
                    to: None,
                },
            );
        }
        if type_changes || collation_changes {
            self.push(
                changes,
                Phase::Columns,
                Change::AlterColumnType {
                    table: table.clone(),
                    column: column.clone(),
                    from: was_ty,
                    to: n.ty.clone(),
                    from_collation: o.collation.clone(),
                    to_collation: n.collation.clone(),
                },
            );
        }
        if o.not_null != n.not_null && !n.identity {
            self.push(
                changes,
                Phase::Columns,
                Change::SetNotNull {
                    table: table.clone(),
                    column: column.clone(),
                    not_null: n.not_null,
                },
            );
        }
        if rewrite_default {
            if new_default.is_some() {
                self.push(
                    changes,
                    Phase::Columns,
                    Change::SetDefault {
                        table: table.clone(),
                        column,
                        from: None,
                        to: new_default,
                    },
                );
            }
        } else if default_differs {
            self.push(
                changes,
                Phase::Columns,
                Change::SetDefault {
                    table: table.clone(),
                    column,
                    from: old_default,
                    to: new_default,
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::schema::diff::tests::{changes_between, diff_of, down_sql, up_sql};
    use crate::schema::diff::{ObjectKind, Problem};

    #[test]
    fn columns_are_added_changed_and_dropped() {
        let c = changes_between(
            "CREATE TABLE t (a int, b text NOT NULL, c int DEFAULT 1, gone int);",
            "CREATE TABLE t (a bigint NOT NULL, b text, c int DEFAULT 2, d text DEFAULT 'x');",
        );
        assert_eq!(
            up_sql(&c),
            "ALTER TABLE t ADD COLUMN d text DEFAULT 'x';\n\
             ALTER TABLE t ALTER COLUMN a TYPE bigint USING a::bigint;\n\
             ALTER TABLE t ALTER COLUMN a SET NOT NULL;\n\
             ALTER TABLE t ALTER COLUMN b DROP NOT NULL;\n\
             ALTER TABLE t ALTER COLUMN c SET DEFAULT 2;\n\
             ALTER TABLE t DROP COLUMN gone;\n"
        );
        assert_eq!(
            down_sql(&c),
            "ALTER TABLE t ADD COLUMN gone integer;\n\
             ALTER TABLE t ALTER COLUMN c SET DEFAULT 1;\n\
             ALTER TABLE t ALTER COLUMN b SET NOT NULL;\n\
             ALTER TABLE t ALTER COLUMN a DROP NOT NULL;\n\
             ALTER TABLE t ALTER COLUMN a TYPE integer USING a::integer;\n\
             ALTER TABLE t DROP COLUMN d;\n"
        );
    }

    #[test]
    fn defaults_compare_by_tokens() {
        let c = changes_between(
            "CREATE TABLE t (a text DEFAULT LOWER( 'X' ))",
            "CREATE TABLE t (a text DEFAULT lower('X'))",
        );
        assert!(c.is_empty(), "{c:?}");
    }

    #[test]
    fn a_column_that_looks_renamed_is_a_suspect_and_an_annotation_renames_it() {
        let d = diff_of("CREATE TABLE t (a int);", "CREATE TABLE t (b int);", true);
        assert!(
            d.problems.iter().any(|p| matches!(p, Problem::RenameSuspect { kind: ObjectKind::Column, old, new, .. } if old == "t.a" && new == "t.b")),
            "{:?}",
            d.problems
        );
        let c = changes_between(
            "CREATE TABLE t (a int);",
            "CREATE TABLE t (\n    -- retort:renamed_from a\n    b int\n);",
        );
        assert_eq!(up_sql(&c), "ALTER TABLE t RENAME COLUMN a TO b;\n");
    }

    #[test]
    fn a_dropped_column_is_lossy() {
        let d = diff_of(
            "CREATE TABLE t (a int, b int);",
            "CREATE TABLE t (a int);",
            false,
        );
        assert!(matches!(&d.problems[0], Problem::DropsNotAllowed(v) if v[0].name == "t.b"));
        assert_eq!(
            d.lossy_reason().as_deref(),
            Some("the data of dropped column t.b")
        );
    }
}

#[cfg(test)]
mod collation_tests {
    use crate::schema::diff::tests::{changes_between, down_sql, up_sql};

    #[test]
    fn a_collation_is_set_with_the_type_and_kept_through_a_type_change() {
        let c = changes_between(
            "CREATE TABLE t (a text, b varchar(5) COLLATE \"C\");",
            "CREATE TABLE t (a text COLLATE \"C\", b text COLLATE \"C\");",
        );
        assert_eq!(
            up_sql(&c),
            "ALTER TABLE t ALTER COLUMN a TYPE text COLLATE \"C\";\n\
             ALTER TABLE t ALTER COLUMN b TYPE text COLLATE \"C\" USING b::text;\n"
        );
        assert_eq!(
            down_sql(&c),
            "ALTER TABLE t ALTER COLUMN b TYPE character varying(5) COLLATE \"C\" USING b::character varying(5);\n\
             ALTER TABLE t ALTER COLUMN a TYPE text;\n"
        );
        let added = changes_between(
            "CREATE TABLE t (a text);",
            "CREATE TABLE t (a text, b text COLLATE \"POSIX\" NOT NULL);",
        );
        assert_eq!(
            up_sql(&added),
            "ALTER TABLE t ADD COLUMN b text COLLATE \"POSIX\" NOT NULL;\n"
        );
    }
}
