//! Indexes that are not behind a constraint: created, dropped, renamed by annotation, and
//! replaced when their definition (what follows `ON table`, compared by tokens) changes.

use super::{Change, Differ, IndexDef, ObjectKind, Phase, Problem, same_sql};
use crate::schema::catalog::{Catalog, QName, RelKind, Written, quote_ident};

/// An index's parts, when it is a plain index on a table.
struct Ix<'c> {
    table: &'c QName,
    unique: bool,
    columns: &'c Option<Vec<String>>,
    sql: &'c Written,
}

/// The plain indexes (not behind a constraint) of a catalog on tables.
fn plain_indexes(cat: &Catalog) -> Vec<(QName, Ix<'_>)> {
    cat.relations
        .iter()
        .filter_map(|(n, r)| match &r.value {
            RelKind::Index {
                table,
                unique,
                columns,
                constraint: false,
                sql,
                ..
            } => Some((
                n.clone(),
                Ix {
                    table,
                    unique: *unique,
                    columns,
                    sql,
                },
            )),
            _ => None,
        })
        .collect()
}

/// The text after `ON table`: as written, else its plain columns; `None` if neither is known.
fn index_sql(ix: &Ix<'_>) -> Option<String> {
    match (ix.sql.get(), ix.columns) {
        (Some(s), _) if !s.is_empty() => Some(s.to_owned()),
        (_, Some(cols)) if !cols.is_empty() => {
            let c: Vec<String> = cols.iter().map(|c| quote_ident(c)).collect();
            Some(format!("({})", c.join(", ")))
        }
        _ => None,
    }
}

/// Whether the index's expression or predicate (not a plain column list) names a column of
/// its table whose type `changes` change.
fn reads_retyped(ix: &Ix<'_>, changes: &[(Phase, Change)]) -> bool {
    let Some(text) = ix.sql.get() else {
        return false;
    };
    let plain = ix.columns.is_some()
        && text.matches('(').count() == 1
        && !text.to_ascii_lowercase().contains("where");
    if plain {
        return false;
    }
    let words: Vec<String> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .map(str::to_lowercase)
        .collect();
    changes.iter().any(|(_, c)| match c {
        Change::AlterColumnType { table, column, .. } => {
            table == ix.table && words.iter().any(|w| *w == column.to_lowercase())
        }
        _ => false,
    })
}

/// Whether `name` is a materialized view of `cat` (whose indexes [`Differ::view_indexes`]
/// writes, around the view's own changes).
fn is_matview(cat: &Catalog, name: &QName) -> bool {
    cat.relations.get(name).is_some_and(|r| {
        matches!(
            r.value,
            RelKind::View {
                materialized: true,
                ..
            }
        )
    })
}

impl Differ<'_> {
    /// The indexes of materialized views: those of a view dropped or replaced (`gone`) are
    /// dropped before it, so that the down section creates them again, and those of a view
    /// created or replaced are created after it; on a view kept, as on a table.
    pub(super) fn view_indexes(
        &mut self,
        gone: &std::collections::BTreeSet<QName>,
        changes: &mut Vec<(Phase, Change)>,
    ) {
        let created = self.created_indexes();
        let dropped = self.dropped_indexes();
        for (name, ix) in plain_indexes(self.from) {
            if !is_matview(self.from, ix.table) {
                continue;
            }
            let phase = if gone.contains(ix.table) {
                Phase::DropViews
            } else if dropped.contains(&name) {
                Phase::DropIndexesAndConstraints
            } else {
                continue;
            };
            let view_stays = self.to.relations.contains_key(ix.table);
            let index_stays =
                created.contains(&name) || plain_indexes(self.to).iter().any(|(n, _)| *n == name);
            if view_stays && !index_stays {
                self.drop(ObjectKind::Index, name.to_string(), false);
            }
            let Some(sql) = index_sql(&ix) else {
                self.out.problems.push(Problem::Unsupported {
                    what: format!(
                        "dropping index `{name}`, whose definition is not kept, so the down \
                         section cannot create it again"
                    ),
                    at: None,
                });
                continue;
            };
            let index = IndexDef {
                table: ix.table.clone(),
                unique: ix.unique,
                sql,
            };
            self.push(changes, phase, Change::DropIndex { name, index });
        }
        for (name, ix) in plain_indexes(self.to) {
            let recreated = gone.contains(ix.table) || !self.from.relations.contains_key(ix.table);
            if !is_matview(self.to, ix.table) || !(recreated || created.contains(&name)) {
                continue;
            }
            let Some(sql) = index_sql(&ix) else {
                let at = self.place_of(&name);
                self.out.problems.push(Problem::Unsupported {
                    what: format!("index `{name}`: its definition is not known"),
                    at,
                });
                continue;
            };
            let index = IndexDef {
                table: ix.table.clone(),
                unique: ix.unique,
                sql,
            };
            self.push(
                changes,
                Phase::ViewIndexes,
                Change::CreateIndex { name, index },
            );
        }
    }

    /// Indexes renamed by annotation: (old, new).
    pub fn renamed_indexes(&self) -> Vec<(QName, QName)> {
        self.index_renames
            .iter()
            .map(|(o, n)| (o.clone(), n.clone()))
            .collect()
    }

    fn old_index_name(&self, new: &QName) -> QName {
        self.index_renames
            .iter()
            .find(|(_, n)| *n == new)
            .map_or_else(|| new.clone(), |(o, _)| o.clone())
    }

    /// Whether two indexes (the head's with its names renamed) have the same definition.
    fn same_index(&self, o: &Ix<'_>, n: &Ix<'_>) -> Option<bool> {
        let table = self.new_table_name(o.table);
        if table != *n.table || o.unique != n.unique {
            return Some(false);
        }
        match same_sql(&self.renamed_text(&table, o.sql), n.sql) {
            Some(same) => Some(same),
            None => match (o.columns, n.columns) {
                (Some(a), Some(b)) => Some(
                    a.iter()
                        .map(|c| self.new_column_name(&table, c))
                        .collect::<Vec<_>>()
                        == *b,
                ),
                _ => None,
            },
        }
    }

    /// Plain indexes of the desired schema that the head does not have, or has with another
    /// definition.
    pub fn created_indexes(&self) -> Vec<QName> {
        let from = plain_indexes(self.from);
        plain_indexes(self.to)
            .into_iter()
            .filter(|(n, ix)| {
                let old = self.old_index_name(n);
                match from.iter().find(|(f, _)| *f == old) {
                    None => true,
                    Some((_, o)) => self.same_index(o, ix) == Some(false),
                }
            })
            .map(|(n, _)| n)
            .collect()
    }

    /// Plain indexes of the head that the desired schema does not have, or has with another
    /// definition.
    pub fn dropped_indexes(&self) -> Vec<QName> {
        let to = plain_indexes(self.to);
        plain_indexes(self.from)
            .into_iter()
            .filter(|(n, ix)| {
                let new = self.index_renames.get(n).unwrap_or(n);
                match to.iter().find(|(t, _)| t == new) {
                    None => true,
                    Some((_, t)) => self.same_index(ix, t) == Some(false),
                }
            })
            .map(|(n, _)| n)
            .collect()
    }

    pub(super) fn indexes(&mut self, changes: &mut Vec<(Phase, Change)>) {
        for (from, to) in self.renamed_indexes() {
            self.push(changes, Phase::Renames, Change::RenameIndex { from, to });
        }
        let from = plain_indexes(self.from);
        let to = plain_indexes(self.to);
        let mut created = self.created_indexes();
        let mut dropped = self.dropped_indexes();
        // An expression or a predicate that reads a column whose type changes is rewritten by
        // PostgreSQL with casts (`(c)::double precision <> 0`), which changing the type back
        // does not undo: such an index is dropped before and created again after.
        for (n, ix) in &to {
            let old = self.old_index_name(n);
            if created.contains(n) || dropped.contains(&old) || !reads_retyped(ix, changes) {
                continue;
            }
            if from.iter().any(|(f, _)| *f == old) {
                created.push(n.clone());
                dropped.push(old);
            }
        }
        for (n, ix) in &to {
            let old = self.old_index_name(n);
            if let Some((_, o)) = from.iter().find(|(f, _)| *f == old)
                && self.same_index(o, ix).is_none()
            {
                self.not_compared(format!("index `{n}`: its definition is not kept"));
            }
        }
        let dropped_tables = self.dropped_tables();
        for name in &dropped {
            let Some((_, ix)) = from.iter().find(|(f, _)| f == name) else {
                continue;
            };
            if self.from.table(ix.table).is_none() {
                if !is_matview(self.from, ix.table) {
                    self.not_compared(format!("index `{name}`: it is not on a table"));
                }
                continue;
            }
            let new_name = self.index_renames.get(name).unwrap_or(name).clone();
            let replaced = created.contains(&new_name);
            if !replaced && !dropped_tables.contains(ix.table) {
                self.drop(ObjectKind::Index, name.to_string(), false);
            }
            let table = self.new_table_name(ix.table);
            let Some(sql) = index_sql(ix) else {
                self.out.problems.push(Problem::Unsupported {
                    what: format!(
                        "dropping index `{name}`, whose definition is not kept, so the down \
                         section cannot create it again"
                    ),
                    at: None,
                });
                continue;
            };
            let sql = match self.renamed_text(&table, &Written::new(&sql)).get() {
                Some(s) => s.to_owned(),
                None => sql,
            };
            self.push(
                changes,
                Phase::DropIndexesAndConstraints,
                Change::DropIndex {
                    name: new_name,
                    index: IndexDef {
                        table,
                        unique: ix.unique,
                        sql,
                    },
                },
            );
        }
        for name in &created {
            let Some((_, ix)) = to.iter().find(|(t, _)| t == name) else {
                continue;
            };
            if self.to.table(ix.table).is_none() {
                if !is_matview(self.to, ix.table) {
                    self.not_compared(format!("index `{name}`: it is not on a table"));
                }
                continue;
            }
            let Some(sql) = index_sql(ix) else {
                let at = self.place_of(name);
                self.out.problems.push(Problem::Unsupported {
                    what: format!("index `{name}`: its definition is not known"),
                    at,
                });
                continue;
            };
            self.push(
                changes,
                Phase::CreateIndexesAndConstraints,
                Change::CreateIndex {
                    name: name.clone(),
                    index: IndexDef {
                        table: ix.table.clone(),
                        unique: ix.unique,
                        sql,
                    },
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::schema::diff::Problem;
    use crate::schema::diff::tests::{changes_between, diff_of, down_sql, up_sql};

    #[test]
    fn indexes_are_created_replaced_and_renamed() {
        let c = changes_between(
            "CREATE TABLE t (a int, b text); CREATE INDEX ia ON t (a); CREATE INDEX ib ON t (b);",
            "CREATE TABLE t (a int, b text); CREATE UNIQUE INDEX ia ON t (a);\n\
             -- retort:renamed_from ib\nCREATE INDEX t_b ON t (b);\nCREATE INDEX lb ON t (lower(b));",
        );
        assert_eq!(
            up_sql(&c),
            "ALTER INDEX ib RENAME TO t_b;\nDROP INDEX ia;\n\
             CREATE UNIQUE INDEX ia ON t (a);\nCREATE INDEX lb ON t (lower(b));\n"
        );
        assert!(down_sql(&c).contains("CREATE INDEX ia ON t (a);"));
    }

    #[test]
    fn an_index_reading_a_retyped_column_is_created_again() {
        // PostgreSQL rewrites `WHERE a <> 0` as `WHERE ((a)::bigint <> 0)` when `a` becomes
        // bigint; changing the type back keeps the casts, so the down would not restore it.
        let c = changes_between(
            "CREATE TABLE t (a int, b int); CREATE INDEX ia ON t (b) WHERE a <> 0;\n\
             CREATE INDEX ib ON t (b);",
            "CREATE TABLE t (a bigint, b int); CREATE INDEX ia ON t (b) WHERE a <> 0;\n\
             CREATE INDEX ib ON t (b);",
        );
        assert_eq!(
            up_sql(&c),
            "DROP INDEX ia;\nALTER TABLE t ALTER COLUMN a TYPE bigint USING a::bigint;\n\
             CREATE INDEX ia ON t (b) WHERE a <> 0;\n"
        );
    }

    #[test]
    fn an_index_drop_needs_allow_drop() {
        let d = diff_of(
            "CREATE TABLE t (a int); CREATE INDEX ia ON t (a);",
            "CREATE TABLE t (a int);",
            false,
        );
        assert!(matches!(&d.problems[0], Problem::DropsNotAllowed(v) if v[0].name == "ia"));
    }
}
