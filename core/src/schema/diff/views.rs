//! Views and materialized views: created, dropped, and replaced when their query changes
//! (compared by tokens). A view that reads a table whose columns change type, are dropped or
//! renamed, or that is renamed, is dropped before and created again after — and so is every
//! view that reads a view dropped that way.

use std::collections::BTreeSet;

use super::{Change, Differ, Phase, Problem, ViewDef, same_sql};
use crate::schema::catalog::{Catalog, QName, RelKind};

/// The views of a catalog in the order they were created: (name, materialized, text, the
/// words of its query).
fn views(cat: &Catalog) -> Vec<(QName, ViewDef, Option<&BTreeSet<String>>, bool)> {
    let mut v: Vec<_> = cat
        .relations
        .iter()
        .filter_map(|(n, r)| match &r.value {
            RelKind::View {
                materialized,
                mentions,
                sql,
            } => Some((
                (r.origin.file, r.origin.range.start),
                n.clone(),
                ViewDef {
                    materialized: *materialized,
                    sql: sql.get().unwrap_or_default().to_owned(),
                },
                Some(&**mentions),
                sql.get().is_some(),
            )),
            _ => None,
        })
        .collect();
    v.sort_by_key(|a| a.0);
    v.into_iter().map(|(_, n, d, m, k)| (n, d, m, k)).collect()
}

impl Differ<'_> {
    /// Views of the desired schema that the head does not have.
    pub fn created_views(&self) -> Vec<QName> {
        views(self.to)
            .into_iter()
            .filter(|(n, ..)| !self.from.relations.contains_key(n))
            .map(|(n, ..)| n)
            .collect()
    }

    /// Views of the head that the desired schema does not have.
    pub fn dropped_views(&self) -> Vec<QName> {
        views(self.from)
            .into_iter()
            .filter(|(n, ..)| !self.to.relations.contains_key(n))
            .map(|(n, ..)| n)
            .collect()
    }

    /// Views both sides have whose definition differs.
    pub fn changed_views(&self) -> Vec<QName> {
        let to = views(self.to);
        views(self.from)
            .into_iter()
            .filter(|(n, d, _, known)| {
                to.iter().any(|(t, td, _, tknown)| {
                    t == n
                        && *known
                        && *tknown
                        && (d.materialized != td.materialized
                            || same_sql(
                                &crate::schema::catalog::Written::new(&d.sql),
                                &crate::schema::catalog::Written::new(&td.sql),
                            ) == Some(false))
                })
            })
            .map(|(n, ..)| n)
            .collect()
    }

    /// The words whose mention makes a head view stale: relations renamed or whose columns
    /// change type, are renamed or dropped; enum types rebuilt or renamed.
    fn stale_words(&self, changes: &[(Phase, Change)]) -> BTreeSet<String> {
        let mut words = BTreeSet::new();
        for (_, c) in changes {
            match c {
                Change::RenameTable { from, .. } | Change::RenameType { from, .. } => {
                    words.insert(from.name.to_lowercase());
                }
                Change::RenameColumn { table, .. }
                | Change::AlterColumnType { table, .. }
                | Change::DropColumn { table, .. } => {
                    words.insert(self.old_table_name(table).name.to_lowercase());
                }
                // A function dropped and created again: PostgreSQL refuses to drop what a
                // view uses.
                Change::DropFunction { name, .. } => {
                    words.insert(name.name.to_lowercase());
                }
                Change::RebuildEnum { ty, .. } | Change::AddEnumValue { ty, .. } => {
                    if matches!(c, Change::RebuildEnum { .. }) {
                        words.insert(self.old_type_name(ty).name.to_lowercase());
                    }
                }
                _ => {}
            }
        }
        words
    }

    pub(super) fn views(&mut self, changes: &mut Vec<(Phase, Change)>) {
        let from = views(self.from);
        let to = views(self.to);
        let mut gone: BTreeSet<QName> = self.dropped_views().into_iter().collect();
        gone.extend(self.changed_views());
        let stale = self.stale_words(changes);
        // Views that read what changes, and views that read those, to a fixed point.
        loop {
            let before = gone.len();
            for (n, _, mentions, _) in &from {
                let reads = |w: &String| {
                    stale.contains(w) || gone.iter().any(|g| g.name.to_lowercase() == *w)
                };
                if !gone.contains(n) && mentions.is_some_and(|m| m.iter().any(reads)) {
                    gone.insert(n.clone());
                }
            }
            if gone.len() == before {
                break;
            }
        }
        self.view_indexes(&gone, changes);
        for (n, d, _, known) in from.iter().rev() {
            if !gone.contains(n) {
                continue;
            }
            if !known {
                self.out.problems.push(Problem::Unsupported {
                    what: format!(
                        "view `{n}` must be dropped, and its query is not kept, so the down \
                         section cannot create it again"
                    ),
                    at: None,
                });
                continue;
            }
            self.push(
                changes,
                Phase::DropViews,
                Change::DropView {
                    name: n.clone(),
                    view: d.clone(),
                },
            );
        }
        for (n, d, _, known) in &to {
            let exists = self.from.relations.contains_key(n);
            if exists && !gone.contains(n) {
                if !known || !from.iter().any(|(f, _, _, k)| f == n && *k) {
                    self.not_compared(format!("view `{n}`: its query is not kept"));
                }
                continue;
            }
            if !known {
                let at = self.place_of(n);
                self.out.problems.push(Problem::Unsupported {
                    what: format!("view `{n}`: its query is not known"),
                    at,
                });
                continue;
            }
            self.push(
                changes,
                Phase::CreateViews,
                Change::CreateView {
                    name: n.clone(),
                    view: d.clone(),
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::schema::diff::tests::{changes_between, down_sql, up_sql};

    #[test]
    fn views_are_dropped_around_a_type_change_of_what_they_read() {
        let c = changes_between(
            "CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t; CREATE VIEW w AS SELECT * FROM v;",
            "CREATE TABLE t (a bigint); CREATE VIEW v AS SELECT a FROM t; CREATE VIEW w AS SELECT * FROM v;",
        );
        assert_eq!(
            up_sql(&c),
            "DROP VIEW w;\nDROP VIEW v;\nALTER TABLE t ALTER COLUMN a TYPE bigint USING a::bigint;\n\
             CREATE VIEW v AS SELECT a FROM t;\nCREATE VIEW w AS SELECT * FROM v;\n"
        );
    }

    #[test]
    fn a_materialized_views_indexes_follow_it() {
        // Created after the view; dropped before a replaced view, so that the down section
        // creates them again, and created after its new query.
        let from = "CREATE TABLE t (a int);";
        let to = "CREATE TABLE t (a int); CREATE MATERIALIZED VIEW m AS SELECT a FROM t;\n\
                  CREATE UNIQUE INDEX m_a ON m (a);";
        let c = changes_between(from, to);
        assert_eq!(
            up_sql(&c),
            "CREATE MATERIALIZED VIEW m AS SELECT a FROM t;\nCREATE UNIQUE INDEX m_a ON m (a);\n"
        );
        let replaced = "CREATE TABLE t (a int); CREATE MATERIALIZED VIEW m AS SELECT a FROM t \
                        WHERE a > 0;\nCREATE UNIQUE INDEX m_a ON m (a);";
        let c = changes_between(to, replaced);
        assert_eq!(
            up_sql(&c),
            "DROP INDEX m_a;\nDROP MATERIALIZED VIEW m;\n\
             CREATE MATERIALIZED VIEW m AS SELECT a FROM t WHERE a > 0;\n\
             CREATE UNIQUE INDEX m_a ON m (a);\n"
        );
        assert_eq!(
            down_sql(&c),
            "DROP INDEX m_a;\nDROP MATERIALIZED VIEW m;\n\
             CREATE MATERIALIZED VIEW m AS SELECT a FROM t;\n\
             CREATE UNIQUE INDEX m_a ON m (a);\n"
        );
        let reindexed = "CREATE TABLE t (a int); CREATE MATERIALIZED VIEW m AS SELECT a FROM t;\n\
                         CREATE INDEX m_a ON m (a);";
        let c = changes_between(to, reindexed);
        assert_eq!(up_sql(&c), "DROP INDEX m_a;\nCREATE INDEX m_a ON m (a);\n");
    }

    #[test]
    fn changed_views_are_replaced() {
        let c = changes_between(
            "CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t;",
            "CREATE TABLE t (a int); CREATE VIEW v AS SELECT a, 1 AS one FROM t;",
        );
        assert_eq!(
            up_sql(&c),
            "DROP VIEW v;\nCREATE VIEW v AS SELECT a, 1 AS one FROM t;\n"
        );
    }
}
