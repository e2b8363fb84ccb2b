//! Schemas and extensions: `CREATE`/`DROP SCHEMA` (with what a dropped schema held),
//! `CREATE`/`DROP EXTENSION`, and `SET` of the search path (names may resolve elsewhere from
//! there on).

use std::sync::Arc;

use squawk_syntax::ast::{self, AstNode};

use super::Replayer;
use super::flags::{CreateFlags, DropFlags};
use super::readers::text;
use crate::schema::catalog::{Catalog, Ns, QName, RelKind, quote_ident, simple_name};
use crate::schema::object_kind::ObjectKind;

impl Replayer<'_> {
    /// `CREATE EXTENSION [IF NOT EXISTS]`.
    pub(super) fn create_extension(&mut self, s: ast::CreateExtension) {
        let e = s.syntax().children().find_map(ast::Extension::cast);
        let Some((name, range)) = self.simple_name_or_unknown(e) else {
            return;
        };
        let q = QName::new("", name.clone());
        let flags = CreateFlags::read(s.if_not_exists());
        if let Some(old) = self.cat.extensions.get(&name).cloned() {
            if !flags.if_not_exists && self.cat.knows(Ns::Extension, &q) {
                let what = ObjectKind::Extension;
                self.exists_already(what, &name, range, Some(old.origin));
            }
            return;
        }
        if flags.if_not_exists && !self.cat.knows(Ns::Extension, &q) {
            return;
        }
        let o = self.obj((), flags);
        Arc::make_mut(&mut self.cat.extensions).insert(name, o);
        self.cat.mark_name_known(Ns::Extension, &q);
    }

    /// `DROP EXTENSION a, b, …` (with `CASCADE`, what goes with it is not known).
    pub(super) fn drop_extension(&mut self, s: ast::DropExtension) {
        let flags = DropFlags::read(s.if_exists(), s.drop_behavior());
        if flags.cascade {
            return self.unknown_all();
        }
        for r in s.extension_refs() {
            let Some((name, range)) = self.simple_name_or_unknown(Some(r)) else {
                return;
            };
            let q = QName::new("", name.clone());
            if Arc::make_mut(&mut self.cat.extensions)
                .remove(&name)
                .is_some()
            {
                self.cat
                    .record_drop(Ns::Extension, &q, &self.origin.clone());
            } else if !flags.if_exists && name != "plpgsql" {
                self.missing(ObjectKind::Extension, &q, range);
            }
            self.cat.mark_name_known(Ns::Extension, &q);
        }
    }

    /// `CREATE SCHEMA [IF NOT EXISTS] name` (with elements, or named by its owner: not modelled).
    pub(super) fn create_schema(&mut self, s: ast::CreateSchema) {
        if s.schema_elements().next().is_some() {
            return self.unknown_all();
        }
        let Some(t) = self.or_unknown(s.create_schema_target()) else {
            return;
        };
        // `CREATE SCHEMA name [AUTHORIZATION role]` or `AUTHORIZATION role`.
        let tt = text(&t);
        let first = tt.split_whitespace().next().unwrap_or("");
        if first.eq_ignore_ascii_case("authorization") {
            return self.unknown_ns(Ns::Schema);
        }
        let Some(name) = self.or_unknown(simple_name(first)) else {
            return;
        };
        let q = QName::new("", name.clone());
        let flags = CreateFlags::read(s.if_not_exists());
        if self.cat.exists(Ns::Schema, &q) {
            if !flags.if_not_exists && self.cat.knows(Ns::Schema, &q) {
                let at = self.cat.schemas.get(&name).map(|o| o.origin.clone());
                let range = self.span(&t);
                self.exists_already(ObjectKind::Schema, &name, range, at);
            }
            return;
        }
        let o = self.obj((), flags);
        Arc::make_mut(&mut self.cat.schemas).insert(name, o);
        self.cat.mark_name_known(Ns::Schema, &q);
    }

    /// `DROP SCHEMA a, b, …`, with everything in them.
    pub(super) fn drop_schema(&mut self, s: ast::DropSchema) {
        // With or without `CASCADE`, what the schema holds goes (PostgreSQL refuses to drop
        // a schema that is not empty without it).
        let flags = DropFlags::read(s.if_exists(), s.drop_behavior());
        for r in s.schema_refs() {
            let Some((name, range)) = self.simple_name_or_unknown(Some(r)) else {
                return;
            };
            let q = QName::new("", name.clone());
            if name == "public" {
                return self.unknown_all();
            }
            if self.cat.schemas.contains_key(&name) {
                self.drop_schema_contents(&name);
                Arc::make_mut(&mut self.cat.schemas).remove(&name);
                self.cat.record_drop(Ns::Schema, &q, &self.origin.clone());
            } else if !flags.if_exists {
                self.missing(ObjectKind::Schema, &q, range);
            }
        }
    }

    /// `SET`: a new search path makes everything unknown.
    pub(super) fn set(&mut self, s: ast::Set) {
        let t = text(&s).to_lowercase();
        if t.contains("search_path") || t.contains("schema") {
            self.unknown_all();
        }
    }

    /// Drops everything in schema `schema`: relations (with `CASCADE`), types, functions.
    pub(super) fn drop_schema_contents(&mut self, schema: &str) {
        let rels: Vec<QName> = self
            .cat
            .relations
            .keys()
            .filter(|n| n.schema == schema)
            .cloned()
            .collect();
        for r in rels {
            self.remove_relation(&r, DropFlags::CASCADE);
        }
        let origin = self.origin.clone();
        let types: Vec<QName> = self
            .cat
            .types
            .keys()
            .filter(|n| n.schema == schema)
            .cloned()
            .collect();
        for t in types {
            Arc::make_mut(&mut self.cat.types).remove(&t);
            self.cat.record_drop(Ns::Type, &t, &origin);
        }
        if types_used_in_other_schemas(self.cat, schema) {
            self.tables_unknown_where(|_| true, true);
        }
        Arc::make_mut(&mut self.cat.functions).retain(|n, _| n.schema != schema);
    }
}

/// Whether a table's column is of a type in `schema` (`schema.type`).
pub(super) fn types_used_in_other_schemas(cat: &Catalog, schema: &str) -> bool {
    let prefix = format!("{}.", quote_ident(schema));
    cat.relations.values().any(|r| match &r.value {
        RelKind::Table(t) => t.columns.iter().any(|c| c.ty.starts_with(&prefix)),
        _ => false,
    })
}
