//! `CREATE INDEX` (its columns, the columns it uses, its generated name), `DROP INDEX` and
//! `ALTER INDEX`.

use squawk_syntax::ast;

use super::Replayer;
use super::flags::{AlterFlags, CreateFlags, DropFlags};
use super::readers::{column_refs_in, end_of, text, text_from};
use super::tables::unknown_table;
use crate::schema::catalog::{Ns, RelKind, Written, generated_name, qname, simple_name};
use crate::schema::object_kind::ObjectKind;

impl Replayer<'_> {
    /// `CREATE [UNIQUE] INDEX [IF NOT EXISTS] [name] ON table (…)`.
    pub(super) fn create_index(&mut self, s: ast::CreateIndex) {
        let on = s.table_relation_name().and_then(|r| r.table_name_ref());
        let Some((table, trange)) = self.qname_or_unknown(on) else {
            return;
        };
        let flags = CreateFlags::read(s.if_not_exists());
        // Columns: plain names, or `None` when any item is an expression.
        let mut columns = Some(Vec::new());
        let mut col_nodes = Vec::new();
        // The names PostgreSQL gives the items in a generated index name: a column's name,
        // a function call's name; `None` when it is something else (we do not guess).
        let mut name_parts = Some(Vec::new());
        for item in s
            .partition_item_list()
            .into_iter()
            .flat_map(|l| l.partition_items())
        {
            let plain = match item.expr() {
                Some(ast::Expr::NameRef(n)) => simple_name(&text(&n)).map(|c| (c, self.span(&n))),
                _ => None,
            };
            let part = match item.expr() {
                Some(ast::Expr::NameRef(n)) => simple_name(&text(&n)),
                Some(ast::Expr::CallExpr(c)) => c
                    .expr()
                    .and_then(|f| crate::schema::catalog::name_parts(&text(&f)))
                    .and_then(|mut p| p.pop()),
                _ => None,
            };
            match (part, &mut name_parts) {
                (Some(p), Some(parts)) => parts.push(p),
                _ => name_parts = None,
            }
            match plain {
                Some((c, r)) => {
                    if let Some(cols) = &mut columns {
                        cols.push(c.clone());
                    }
                    col_nodes.push((c, r));
                }
                None => columns = None,
            }
        }
        let partial = s.where_clause().is_some();
        // The columns it uses: what its items and predicate name, among the table's columns
        // (unknown when the table's columns are).
        let uses = self.cat.table(&table).filter(|t| t.columns_known).map(|t| {
            let mut used: Vec<String> = Vec::new();
            let exprs = s
                .partition_item_list()
                .into_iter()
                .flat_map(|l| l.partition_items())
                .filter_map(|i| i.expr())
                .chain(s.where_clause().and_then(|w| w.expr()));
            for e in exprs {
                for w in column_refs_in(&e) {
                    if t.column(&w).is_some() && !used.contains(&w) {
                        used.push(w);
                    }
                }
            }
            used
        });
        let matview = matches!(
            self.cat.relations.get(&table).map(|r| &r.value),
            Some(RelKind::View {
                materialized: true,
                ..
            })
        );
        let t = match self.cat.table(&table) {
            Some(t) => Some(t.clone()),
            // A materialized view's columns are not modelled: an index on it, nothing checked.
            None if matview => Some(unknown_table()),
            None => None,
        };
        let Some(t) = t else {
            if !self.cat.relations.contains_key(&table) {
                self.missing(ObjectKind::Table, &table, trange);
            }
            if let Some(n) = s.index().and_then(|i| qname(&text(&i))) {
                self.cat
                    .mark_name_unknown(Ns::Relation, &table.sibling(n.name));
            }
            return;
        };
        if t.columns_known {
            for (c, r) in &col_nodes {
                if t.column(c).is_none() {
                    self.missing_column(&table, c, r.clone());
                    return;
                }
            }
        }
        let (name, exact, nrange) = match s.index() {
            Some(i) => {
                let Some((n, r)) = self.simple_name_or_unknown(Some(i)) else {
                    return;
                };
                (n, true, r)
            }
            None => {
                let Some(cols) = name_parts.clone() else {
                    // A name we cannot be sure of: the index exists, under a name not known.
                    return self.unknown_ns(Ns::Relation);
                };
                let (n, exact) = generated_name(&table.name, &cols, "idx");
                let taken = self.cat.relations.contains_key(&table.sibling(n.clone()))
                    || !self.cat.knows(Ns::Relation, &table.sibling(n.clone()));
                (n, exact && !taken, trange.clone())
            }
        };
        let q = table.sibling(name);
        if !exact {
            // A name we cannot be sure of: the index exists, under a name not known.
            return self.cat.mark_ns_unknown(Ns::Relation, &self.origin.clone());
        }
        // What follows `ON table`: method, items, INCLUDE, WITH, WHERE.
        let def = s
            .table_relation_name()
            .map_or_else(Written::unknown, |r| text_from(&s, Some(end_of(&r))));
        let sql = match def.get() {
            Some(t) => Written::new(t.trim_end_matches(|c: char| c == ';' || c.is_whitespace())),
            None => def,
        };
        self.create_relation(
            q,
            RelKind::Index {
                table,
                unique: s.unique_token().is_some(),
                columns: if partial { None } else { columns },
                uses,
                constraint: false,
                name_exact: exact,
                sql,
            },
            flags,
            nrange,
        );
    }

    /// `DROP INDEX a, b, …`.
    pub(super) fn drop_index(&mut self, s: ast::DropIndex) {
        let flags = DropFlags::read(s.if_exists(), s.drop_behavior());
        self.drop_relations(s.index_refs(), ObjectKind::Index, flags);
    }

    /// `ALTER INDEX`: a rename, or anything else of an index that must exist.
    pub(super) fn alter_index(&mut self, s: ast::AlterIndex) {
        let Some((name, range)) = self.qname_or_unknown(s.index_ref()) else {
            return;
        };
        let flags = AlterFlags::read(s.if_exists());
        if let Some(ast::AlterIndexAction::IndexRenameTo(to)) = s.action() {
            if let Some((new, _)) = self.simple_name_or_unknown(to.index()) {
                self.rename_relation(&name, ObjectKind::Index, new, flags, range);
            }
        } else if !self.cat.relations.contains_key(&name) && !flags.if_exists {
            self.missing(ObjectKind::Index, &name, range);
        }
    }
}
