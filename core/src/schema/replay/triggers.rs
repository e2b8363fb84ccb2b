//! Triggers, named `table.trigger` in their namespace: `CREATE TRIGGER`, `DROP TRIGGER`,
//! `ALTER TRIGGER … RENAME TO`.

use std::sync::Arc;

use squawk_syntax::ast::{self, AstNode};

use super::Replayer;
use super::flags::{CreateFlags, DropFlags};
use super::readers::text;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::schema::catalog::{Ns, QName, Trigger, qname, simple_name};
use crate::schema::object_kind::ObjectKind;
use crate::schema::trigger_def::parse_trigger;

impl Replayer<'_> {
    /// `CREATE [OR REPLACE] TRIGGER name … ON table`.
    pub(super) fn create_trigger(&mut self, s: ast::CreateTrigger) {
        let Some((t, on)) = self.or_unknown(s.trigger().zip(s.on_relation())) else {
            return;
        };
        let Some((tn, tr)) = self.simple_name_or_unknown(Some(t)) else {
            return;
        };
        let Some((table, _)) = self.qname_or_unknown(on.relation_name_ref()) else {
            return;
        };
        let range = self.span(&on);
        if !self.cat.relations.contains_key(&table) {
            self.missing(ObjectKind::Table, &table, range);
            self.cat
                .mark_name_unknown(Ns::Trigger, &trigger_key(&table, &tn));
            return;
        }
        let key = (table.clone(), tn.clone());
        if let Some(old) = self.cat.triggers.get(&key).cloned()
            && s.or_replace().is_none()
        {
            if self.cat.knows(Ns::Trigger, &trigger_key(&table, &tn)) {
                self.exists_already(
                    ObjectKind::Trigger,
                    &format!("{tn}` on `{table}"),
                    tr,
                    Some(old.origin),
                );
            }
            return;
        }
        let function = s.call_expr().and_then(|c| {
            let t = text(&c);
            qname(&t[..t.find('(')?])
        });
        let def = parse_trigger(&text(&s))
            .filter(|p| {
                p.table == table && p.name == tn && Some(&p.def.function) == function.as_ref()
            })
            .map(|p| Arc::new(p.def));
        let o = self.obj(Trigger { function, def }, CreateFlags::default());
        Arc::make_mut(&mut self.cat.triggers).insert(key, o);
        self.cat
            .mark_name_known(Ns::Trigger, &trigger_key(&table, &tn));
    }

    /// `DROP TRIGGER name ON table`.
    pub(super) fn drop_trigger(&mut self, s: ast::DropTrigger) {
        let Some((t, on)) = self.or_unknown(s.trigger_ref().zip(s.on_relation())) else {
            return;
        };
        let Some((tn, trigger_range)) = self.simple_name_or_unknown(Some(t)) else {
            return;
        };
        let Some((table, _)) = self.qname_or_unknown(on.relation_name_ref()) else {
            return;
        };
        let flags = DropFlags::read(s.if_exists(), s.drop_behavior());
        if !self.cat.relations.contains_key(&table) {
            if !flags.if_exists {
                let range = self.span(&on);
                self.missing(ObjectKind::Table, &table, range);
            }
            return;
        }
        let key = (table.clone(), tn.clone());
        let tk = trigger_key(&table, &tn);
        if Arc::make_mut(&mut self.cat.triggers).remove(&key).is_some() {
            self.cat.record_drop(Ns::Trigger, &tk, &self.origin.clone());
        } else if !flags.if_exists && self.cat.knows(Ns::Trigger, &tk) {
            self.err(
                Diagnostic::error(
                    Code::SchemaMissingObject,
                    format!("trigger `{tn}` on table `{table}` does not exist"),
                )
                .at(self.file, trigger_range, "no such trigger at this point"),
            );
        }
        self.cat.mark_name_known(Ns::Trigger, &tk);
    }

    /// `ALTER TRIGGER name ON table RENAME TO new` (other changes: nothing held).
    pub(super) fn alter_trigger(&mut self, s: ast::AlterTrigger) {
        let old = s
            .syntax()
            .children()
            .find_map(ast::TriggerRef::cast)
            .and_then(|t| simple_name(&text(&t)));
        let table = s
            .syntax()
            .children()
            .find_map(ast::OnRelation::cast)
            .and_then(|o| o.relation_name_ref())
            .and_then(|r| qname(&text(&r)));
        let new = s
            .syntax()
            .descendants()
            .find_map(ast::TriggerRenameTo::cast)
            .and_then(|r| r.syntax().children().find_map(ast::Trigger::cast))
            .and_then(|t| simple_name(&text(&t)));
        let renamed = s
            .syntax()
            .descendants()
            .any(|n| ast::TriggerRenameTo::can_cast(n.kind()));
        match (old, table, new) {
            (Some(old), Some(table), Some(new)) => {
                let key = (table.clone(), old.clone());
                let trs = Arc::make_mut(&mut self.cat.triggers);
                match trs.remove(&key) {
                    Some(t) => {
                        trs.insert((table.clone(), new.clone()), t);
                        let o = self.origin.clone();
                        self.cat
                            .record_drop(Ns::Trigger, &trigger_key(&table, &old), &o);
                        self.cat
                            .mark_name_known(Ns::Trigger, &trigger_key(&table, &new));
                    }
                    None => {
                        if self.cat.knows(Ns::Trigger, &trigger_key(&table, &old))
                            && self.cat.relations.contains_key(&table)
                        {
                            let r = self.origin.range.clone();
                            self.err(
                                Diagnostic::error(
                                    Code::SchemaMissingObject,
                                    format!("trigger `{old}` on table `{table}` does not exist"),
                                )
                                .at(
                                    self.file,
                                    r,
                                    "no such trigger at this point",
                                ),
                            );
                        }
                        self.cat
                            .mark_name_unknown(Ns::Trigger, &trigger_key(&table, &new));
                    }
                }
            }
            (Some(_), Some(_), None) if !renamed => {}
            _ => self.unknown_ns(Ns::Trigger),
        }
    }
}

impl Replayer<'_> {
    /// The column `old` of `table` is renamed `new`: a trigger's `UPDATE OF` follows it; a
    /// `WHEN` condition that names it is no longer known (its text names the old column).
    pub(super) fn triggers_follow_column_rename(&mut self, table: &QName, old: &str, new: &str) {
        let hit: Vec<(QName, String)> = self
            .cat
            .triggers
            .iter()
            .filter(|((t, _), o)| {
                t == table && o.value.def.as_ref().is_some_and(|d| d.mentions_column(old))
            })
            .map(|(k, _)| k.clone())
            .collect();
        let trs = Arc::make_mut(&mut self.cat.triggers);
        for k in hit {
            let Some(o) = trs.get_mut(&k) else {
                continue;
            };
            let Some(d) = &mut o.value.def else {
                continue;
            };
            let d = Arc::make_mut(d);
            let when_names = d.when.as_ref().is_some_and(|w| {
                w.0.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .any(|x| x.eq_ignore_ascii_case(old))
            });
            if when_names {
                o.value.def = None;
                continue;
            }
            if let Some(cols) = &mut d.events.update {
                for c in cols.iter_mut() {
                    if c == old {
                        *c = new.to_owned();
                    }
                }
            }
        }
    }
}

/// The trigger namespace's key: `table.trigger` in the table's schema.
pub(super) fn trigger_key(table: &QName, trigger: &str) -> QName {
    table.sibling(format!("{}.{trigger}", table.name))
}
