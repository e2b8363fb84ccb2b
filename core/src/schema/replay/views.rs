//! Views and materialized views: `CREATE [MATERIALIZED] VIEW`, `DROP [MATERIALIZED] VIEW`,
//! `ALTER [MATERIALIZED] VIEW`, and how views follow (or are lost with) what they use: a
//! `CASCADE` that may take them, a rename that makes their text stale.

use std::sync::Arc;

use squawk_syntax::ast::{self, AstNode};

use super::Replayer;
use super::flags::{AlterFlags, CreateFlags, DropFlags};
use super::readers::{end_of, text, text_from, words};
use crate::schema::catalog::{Ns, QName, RelKind, Written};
use crate::schema::object_kind::ObjectKind;

impl Replayer<'_> {
    /// `CREATE [OR REPLACE] VIEW`.
    pub(super) fn create_view(&mut self, s: ast::CreateView) {
        let temp = matches!(s.persistence(), Some(ast::Persistence::Temp(_)));
        let Some(v) = self.or_unknown(s.view()) else {
            return;
        };
        let Some((name, range)) = self.qname_or_unknown(Some(v.clone())) else {
            return;
        };
        if temp {
            return self.cat.mark_name_unknown(Ns::Relation, &name);
        }
        if s.or_replace().is_some() {
            if let Some(old) = self.cat.relations.get(&name)
                && !matches!(old.value, RelKind::View { .. })
            {
                // PostgreSQL refuses to replace a table by a view; stay silent.
                return;
            }
            Arc::make_mut(&mut self.cat.relations).remove(&name);
        }
        let mentions = Arc::new(
            words(&s.query().map(|q| text(&q)).unwrap_or_default())
                .into_iter()
                .collect(),
        );
        let sql = view_sql(&s, &v);
        self.create_relation(
            name,
            RelKind::View {
                materialized: false,
                mentions,
                sql,
            },
            CreateFlags::default(),
            range,
        );
    }

    /// `CREATE MATERIALIZED VIEW`.
    pub(super) fn create_materialized_view(&mut self, s: ast::CreateMaterializedView) {
        let Some(v) = self.or_unknown(s.view()) else {
            return;
        };
        let Some((name, range)) = self.qname_or_unknown(Some(v.clone())) else {
            return;
        };
        let mentions = Arc::new(
            words(&s.query().map(|q| text(&q)).unwrap_or_default())
                .into_iter()
                .collect(),
        );
        let sql = view_sql(&s, &v);
        self.create_relation(
            name,
            RelKind::View {
                materialized: true,
                mentions,
                sql,
            },
            CreateFlags::read(s.if_not_exists()),
            range,
        );
    }

    /// `DROP VIEW a, b, …`.
    pub(super) fn drop_view(&mut self, s: ast::DropView) {
        let flags = DropFlags::read(s.if_exists(), s.drop_behavior());
        self.drop_relations(s.view_refs(), ObjectKind::View, flags);
    }

    /// `DROP MATERIALIZED VIEW a, b, …`.
    pub(super) fn drop_materialized_view(&mut self, s: ast::DropMaterializedView) {
        let flags = DropFlags::read(s.if_exists(), s.drop_behavior());
        self.drop_relations(s.view_refs(), ObjectKind::MaterializedView, flags);
    }

    /// `ALTER VIEW`: a rename, a new schema, or anything else of a view that must exist.
    pub(super) fn alter_view(&mut self, s: ast::AlterView) {
        let view = s.syntax().children().find_map(ast::ViewRef::cast);
        let Some((name, range)) = self.qname_or_unknown(view) else {
            return;
        };
        let flags = AlterFlags::read(s.if_exists());
        match s.action() {
            Some(ast::AlterViewAction::ViewRenameTo(to)) => {
                if let Some((new, _)) = self.simple_name_or_unknown(to.view()) {
                    self.rename_relation(&name, ObjectKind::View, new, flags, range);
                }
            }
            Some(ast::AlterViewAction::SetSchema(_)) => {
                self.cat.mark_name_unknown(Ns::Relation, &name);
                self.unknown_ns(Ns::Relation);
            }
            _ => {
                if !flags.if_exists && !self.cat.relations.contains_key(&name) {
                    self.missing(ObjectKind::View, &name, range);
                }
            }
        }
    }

    /// `ALTER MATERIALIZED VIEW`: a rename or a new schema makes relation names unknown.
    pub(super) fn alter_materialized_view(&mut self, s: ast::AlterMaterializedView) {
        if words(&text(&s))
            .iter()
            .any(|w| w == "rename" || w == "schema")
        {
            self.unknown_ns(Ns::Relation);
        }
    }

    /// The views that use `name` (a relation or function), and the views that use those, may
    /// have been dropped by a `CASCADE`: their existence becomes unknown.
    pub(super) fn views_unknown(&mut self, name: &str) {
        let mut gone = vec![name.to_owned()];
        let mut marked = std::collections::BTreeSet::new();
        while let Some(n) = gone.pop() {
            let hit: Vec<QName> = self
                .cat
                .relations
                .iter()
                .filter(|(q, r)| {
                    !marked.contains(*q)
                        && matches!(&r.value, RelKind::View { mentions, .. } if mentions.contains(&n))
                })
                .map(|(q, _)| q.clone())
                .collect();
            for v in hit {
                gone.push(v.name.clone());
                self.cat.mark_name_unknown(Ns::Relation, &v);
                // A materialized view's indexes go with it.
                let indexes: Vec<QName> = self
                    .cat
                    .relations
                    .iter()
                    .filter(
                        |(_, r)| matches!(&r.value, RelKind::Index { table, .. } if *table == v),
                    )
                    .map(|(n, _)| n.clone())
                    .collect();
                for i in indexes {
                    self.cat.mark_name_unknown(Ns::Relation, &i);
                }
                marked.insert(v);
            }
        }
    }

    /// Adds `new` to the words of every view that mentions `old`: PostgreSQL's view follows
    /// a renamed relation, so a later `DROP … CASCADE` of the new name takes it too. (A
    /// superset of words only makes more things unknown, never an error.)
    pub(super) fn views_follow_rename(&mut self, old: &str, new: &str) {
        let old = old.to_lowercase();
        let new = new.to_lowercase();
        let hit: Vec<QName> = self
            .cat
            .relations
            .iter()
            .filter(|(_, r)| matches!(&r.value, RelKind::View { mentions, .. } if mentions.contains(&old)))
            .map(|(n, _)| n.clone())
            .collect();
        for n in hit {
            if let Some(RelKind::View { mentions, .. }) = Arc::make_mut(&mut self.cat.relations)
                .get_mut(&n)
                .map(|o| &mut o.value)
            {
                Arc::make_mut(mentions).insert(new.clone());
            }
        }
    }

    /// Forgets the queries of the views that mention `word` (a renamed relation, column or
    /// type: PostgreSQL's view follows it, the text as written does not).
    pub(super) fn forget_views_mentioning(&mut self, word: &str) {
        let word = word.to_lowercase();
        let stale: Vec<QName> = self
            .cat
            .relations
            .iter()
            .filter(|(_, r)| {
                matches!(&r.value, RelKind::View { mentions, sql, .. }
                    if sql.get().is_some() && mentions.contains(&word))
            })
            .map(|(n, _)| n.clone())
            .collect();
        for n in stale {
            if let Some(RelKind::View { sql, .. }) = Arc::make_mut(&mut self.cat.relations)
                .get_mut(&n)
                .map(|o| &mut o.value)
            {
                *sql = Written::unknown();
            }
        }
    }
}

/// A view's text after its name `v`, without the statement's `;`.
pub(super) fn view_sql(s: &impl AstNode, v: &impl AstNode) -> Written {
    let def = text_from(s, Some(end_of(v)));
    match def.get() {
        Some(t) => Written::new(t.trim_end_matches(|c: char| c == ';' || c.is_whitespace())),
        None => def,
    }
}
