//! Triggers, named `table.trigger` in their namespace: `CREATE TRIGGER`, `DROP TRIGGER`,
//! `ALTER TRIGGER … RENAME TO`.

use std::sync::Arc;

use squawk_syntax::ast::{self, AstNode};

use super::Replayer;
use super::readers::{if_exists, text};
use crate::diagnostic::Diagnostic;
use crate::schema::catalog::{Ns, QName, qname, simple_name};

impl Replayer<'_> {
    /// `CREATE [OR REPLACE] TRIGGER name … ON table`.
    pub(super) fn create_trigger(&mut self, s: ast::CreateTrigger) {
        let (Some(t), Some(on)) = (s.trigger(), s.on_relation()) else {
            return self.unknown_all();
        };
        let (Some(tn), Some(table)) = (
            simple_name(&text(&t)),
            on.relation_name_ref().and_then(|r| qname(&text(&r))),
        ) else {
            return self.unknown_all();
        };
        let range = self.span(&on);
        if !self.cat.relations.contains_key(&table) {
            self.missing(Ns::Relation, "table", &table, range);
            self.cat
                .mark_name_unknown(Ns::Trigger, &trigger_key(&table, &tn));
            return;
        }
        let key = (table.clone(), tn.clone());
        let tr = self.span(&t);
        if let Some(old) = self.cat.triggers.get(&key).cloned() {
            if s.or_replace().is_none() && self.cat.knows(Ns::Trigger, &trigger_key(&table, &tn)) {
                self.exists_already(
                    "trigger",
                    &format!("{tn}` on `{table}"),
                    tr,
                    Some(old.origin),
                );
            }
            return;
        }
        let func = s.call_expr().and_then(|c| {
            let t = text(&c);
            qname(&t[..t.find('(')?])
        });
        let o = self.obj(func, false);
        Arc::make_mut(&mut self.cat.triggers).insert(key, o);
        self.cat
            .mark_name_known(Ns::Trigger, &trigger_key(&table, &tn));
    }

    /// `DROP TRIGGER name ON table`.
    pub(super) fn drop_trigger(&mut self, s: ast::DropTrigger) {
        let (Some(t), Some(on)) = (s.trigger_ref(), s.on_relation()) else {
            return self.unknown_all();
        };
        let (Some(tn), Some(table)) = (
            simple_name(&text(&t)),
            on.relation_name_ref().and_then(|r| qname(&text(&r))),
        ) else {
            return self.unknown_all();
        };
        let ie = if_exists(s.if_exists());
        if !self.cat.relations.contains_key(&table) {
            if !ie {
                let range = self.span(&on);
                self.missing(Ns::Relation, "table", &table, range);
            }
            return;
        }
        let key = (table.clone(), tn.clone());
        let tk = trigger_key(&table, &tn);
        if Arc::make_mut(&mut self.cat.triggers).remove(&key).is_some() {
            self.cat.record_drop(Ns::Trigger, &tk, &self.origin.clone());
        } else if !ie {
            let range = self.span(&t);
            if self.cat.knows(Ns::Trigger, &tk) {
                self.err(
                    Diagnostic::error(format!("trigger `{tn}` on table `{table}` does not exist"))
                        .at(self.file, range, "no such trigger at this point"),
                );
            }
        }
        self.cat.mark_name_known(Ns::Trigger, &tk);
    }

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
                                Diagnostic::error(format!(
                                    "trigger `{old}` on table `{table}` does not exist"
                                ))
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

/// The trigger namespace's key: `table.trigger` in the table's schema.
pub(super) fn trigger_key(table: &QName, trigger: &str) -> QName {
    table.sibling(format!("{}.{trigger}", table.name))
}
