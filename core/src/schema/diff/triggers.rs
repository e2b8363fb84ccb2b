//! Triggers, by table (its desired name) and name: created after everything they may fire on,
//! dropped before it; a changed trigger — or one whose function is dropped and created again,
//! or whose view or table is — is dropped and created again.

use std::collections::BTreeSet;

use super::{Change, Differ, ObjectKind, Phase, Problem};
use crate::schema::catalog::{Ns, QName};

impl Differ<'_> {
    /// Compares the triggers; `recreated`: the functions dropped and created again.
    pub(super) fn triggers(
        &mut self,
        changes: &mut Vec<(Phase, Change)>,
        recreated: &BTreeSet<QName>,
    ) {
        // Relations dropped by the diff (a view replaced, a table dropped): their triggers go.
        let dropped: BTreeSet<QName> = changes
            .iter()
            .filter_map(|(_, c)| match c {
                Change::DropView { name, .. } | Change::DropTable { name, .. } => {
                    Some(name.clone())
                }
                _ => None,
            })
            .collect();
        // Columns whose type changes or that go: PostgreSQL refuses that under a trigger
        // that names them (by the table's desired name).
        let retyped: BTreeSet<(QName, String)> = changes
            .iter()
            .filter_map(|(_, c)| match c {
                Change::AlterColumnType { table, column, .. } => {
                    Some((table.clone(), column.clone()))
                }
                Change::DropColumn { table, column } => {
                    Some((table.clone(), column.column.name.clone()))
                }
                _ => None,
            })
            .collect();
        let trigger_key =
            |table: &QName, name: &str| table.sibling(format!("{}.{name}", table.name));
        let mut keys: BTreeSet<(QName, String)> = BTreeSet::new();
        for (t, n) in self.from.triggers.keys() {
            keys.insert((self.new_table_name(t), n.clone()));
        }
        keys.extend(self.to.triggers.keys().cloned());
        for (table, name) in keys {
            let old_table = self.old_table_name(&table);
            if !self
                .from
                .knows(Ns::Trigger, &trigger_key(&old_table, &name))
                || !self.to.knows(Ns::Trigger, &trigger_key(&table, &name))
            {
                continue;
            }
            let here = self.from.triggers.get(&(old_table.clone(), name.clone()));
            let there = self.to.triggers.get(&(table.clone(), name.clone()));
            let old = here.and_then(|t| t.value.def.as_deref());
            let new = there.and_then(|t| t.value.def.as_deref());
            let what = format!("trigger `{name}` on `{table}`");
            let (drop_old, create_new) = match (here.is_some(), there.is_some()) {
                (true, true) => match (old, new) {
                    (Some(a), Some(b)) => {
                        let stale = a == b
                            && (recreated.contains(&a.function)
                                || dropped.contains(&old_table)
                                || retyped.iter().any(|(t, c)| {
                                    *t == table && a.mentions_column(&self.old_column_name(t, c))
                                }));
                        (a != b || stale, a != b || stale)
                    }
                    _ => {
                        self.not_compared(format!("{what}: its definition is not kept"));
                        (false, false)
                    }
                },
                (true, false) => {
                    if old.is_none() {
                        self.not_compared(format!(
                            "{what}: only at the head, and its definition is not kept; not dropped"
                        ));
                        continue;
                    }
                    // With its table, the table's drop is the one to allow.
                    if self.to.relations.contains_key(&table) {
                        self.drop(ObjectKind::Trigger, format!("{table}.{name}"), false);
                    }
                    (true, false)
                }
                (false, true) => {
                    if new.is_none() {
                        self.out.problems.push(Problem::Unsupported {
                            what: format!(
                                "{what}: its definition is in a form the model does not read"
                            ),
                            at: None,
                        });
                        continue;
                    }
                    (false, true)
                }
                (false, false) => continue,
            };
            if drop_old && let Some(a) = old {
                self.push(
                    changes,
                    Phase::DropTriggers,
                    Change::DropTrigger {
                        table: old_table.clone(),
                        name: name.clone(),
                        def: a.clone(),
                    },
                );
            }
            if create_new && let Some(b) = new {
                self.push(
                    changes,
                    Phase::CreateTriggers,
                    Change::CreateTrigger {
                        table: table.clone(),
                        name: name.clone(),
                        def: b.clone(),
                    },
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::schema::diff::tests::{changes_between, diff_of, down_sql, up_sql};

    const BASE: &str = "CREATE TABLE t (a int, b int);\n\
        CREATE FUNCTION g() RETURNS trigger LANGUAGE plpgsql AS $$ begin return new; end $$;\n";

    #[test]
    fn a_changed_trigger_is_dropped_and_created() {
        let from = format!(
            "{BASE}CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION g();"
        );
        let to = format!(
            "{BASE}CREATE TRIGGER tr BEFORE INSERT OR UPDATE OF b ON t FOR EACH ROW \
             WHEN (NEW.a > 0) EXECUTE FUNCTION g('x');"
        );
        assert!(changes_between(&from, &from).is_empty());
        let c = changes_between(&from, &to);
        assert_eq!(
            up_sql(&c),
            "DROP TRIGGER tr ON t;\nCREATE TRIGGER tr BEFORE INSERT OR UPDATE OF b ON t FOR EACH ROW \
             WHEN (NEW.a > 0) EXECUTE FUNCTION g('x');\n"
        );
        assert_eq!(
            down_sql(&c),
            "DROP TRIGGER tr ON t;\nCREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION g();\n"
        );
    }

    #[test]
    fn a_trigger_on_a_retyped_column_is_dropped_around_the_change() {
        let trigger =
            "CREATE TRIGGER tr BEFORE UPDATE OF b ON t FOR EACH ROW EXECUTE FUNCTION g();";
        let from = format!("{BASE}{trigger}");
        let to = format!("{}{trigger}", BASE.replace("b int", "b bigint"));
        let c = changes_between(&from, &to);
        assert_eq!(
            up_sql(&c),
            "DROP TRIGGER tr ON t;\nALTER TABLE t ALTER COLUMN b TYPE bigint USING b::bigint;\n\
             CREATE TRIGGER tr BEFORE UPDATE OF b ON t FOR EACH ROW EXECUTE FUNCTION g();\n"
        );
    }

    #[test]
    fn a_new_trigger_and_function_come_after_the_table_and_a_dropped_one_needs_allow_drop() {
        let to = format!("{BASE}CREATE TRIGGER tr AFTER DELETE ON t EXECUTE PROCEDURE g();");
        let c = changes_between("", &to);
        let up = up_sql(&c);
        let (f, t, tr) = (
            up.find("CREATE FUNCTION g").expect("g"),
            up.find("CREATE TABLE t").expect("t"),
            up.find("CREATE TRIGGER tr").expect("tr"),
        );
        assert!(f < tr && t < tr, "{up}");
        let d = diff_of(&to, BASE, false);
        assert_eq!(d.problems.len(), 1, "{:?}", d.problems);
        let c = changes_between(&to, "");
        let up = up_sql(&c);
        assert!(up.starts_with("DROP TRIGGER tr ON t;\n"), "{up}");
        assert!(
            up.find("DROP TABLE t").expect("t") < up.find("DROP FUNCTION g").expect("g"),
            "{up}"
        );
    }
}
