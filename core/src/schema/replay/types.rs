//! Types and domains: `CREATE TYPE` (enums and others), `CREATE DOMAIN`, `DROP TYPE`,
//! `DROP DOMAIN`, `ALTER TYPE` (enum values added and renamed, the type renamed), and what
//! follows a type's name or values in the tables and views that use it.

use std::ops::Range;
use std::sync::Arc;

use squawk_syntax::ast::{self, AstNode};

use super::Replayer;
use super::readers::{cascade, if_exists, string_literal, text, words};
use crate::diagnostic::Diagnostic;
use crate::schema::catalog::{
    Ns, Obj, QName, RelKind, TypeDef, Written, literal, qname, simple_name, sql_name,
};

impl Replayer<'_> {
    /// `CREATE TYPE`: an enum with its values, or another kind of type.
    pub(super) fn create_type(&mut self, s: ast::CreateType) {
        let Some(n) = s.type_name() else {
            return self.unknown_all();
        };
        let Some(name) = qname(&text(&n)) else {
            return self.unknown_all();
        };
        let def = match s.kind() {
            Some(ast::CreateTypeKind::EnumType(e)) => {
                let mut labels = Vec::new();
                for v in e.variant_list().into_iter().flat_map(|l| l.variants()) {
                    match v.literal().as_ref().and_then(string_literal) {
                        Some(l) => labels.push(l),
                        None => return self.unknown_all(),
                    }
                }
                TypeDef::Enum(labels)
            }
            _ => TypeDef::Other,
        };
        let range = self.span(&n);
        self.add_type(name, def, false, range);
    }

    /// `CREATE DOMAIN name AS …`.
    pub(super) fn create_domain(&mut self, s: ast::CreateDomain) {
        let t = text(&s);
        let w = words(&t);
        // `CREATE DOMAIN name AS …`: the name is the third word.
        let name = s
            .syntax()
            .children()
            .find_map(ast::Path::cast)
            .and_then(|p| qname(&text(&p)));
        match name {
            Some(name) if w.len() > 2 => {
                let range = self.origin.range.clone();
                self.add_type(name, TypeDef::Other, false, range)
            }
            _ => self.unknown_all(),
        }
    }

    /// `DROP TYPE a, b, …`.
    pub(super) fn drop_type(&mut self, s: ast::DropType) {
        let ie = if_exists(s.if_exists());
        let cas = cascade(s.drop_behavior());
        self.drop_types(s.type_name_refs(), ie, cas);
    }

    /// `DROP DOMAIN a, b, …`.
    pub(super) fn drop_domain(&mut self, s: ast::DropDomain) {
        let cas = cascade(s.drop_behavior());
        let ie = if_exists(s.if_exists());
        let names: Vec<_> = s
            .syntax()
            .descendants()
            .filter_map(ast::TypeNameRef::cast)
            .collect();
        if names.is_empty() {
            return self.unknown_all();
        }
        self.drop_types(names, ie, cas);
    }

    /// `DROP TYPE`/`DROP DOMAIN` of every name in `refs`, as [`Self::drop_relations`] does
    /// for relations.
    pub(super) fn drop_types<N: AstNode>(
        &mut self,
        refs: impl IntoIterator<Item = N>,
        ie: bool,
        cas: bool,
    ) {
        for r in refs {
            match qname(&text(&r)) {
                Some(name) => {
                    let range = self.span(&r);
                    self.drop_one_type(&name, ie, cas, range);
                }
                None => self.unknown_all(),
            }
        }
    }

    pub(super) fn add_type(&mut self, name: QName, def: TypeDef, ine: bool, range: Range<usize>) {
        if let Some(old) = self.cat.types.get(&name).cloned() {
            if !ine && self.cat.knows(Ns::Type, &name) {
                self.exists_already("type", &name.to_string(), range, Some(old.origin));
            }
            return;
        }
        let o = self.obj(def, ine);
        Arc::make_mut(&mut self.cat.types).insert(name.clone(), o);
        self.cat.mark_name_known(Ns::Type, &name);
    }

    pub(super) fn drop_one_type(&mut self, name: &QName, ie: bool, cas: bool, range: Range<usize>) {
        if Arc::make_mut(&mut self.cat.types).remove(name).is_some() {
            self.cat.record_drop(Ns::Type, name, &self.origin.clone());
            if cas {
                // Columns of the type are dropped with it.
                let affected: Vec<QName> = self
                    .cat
                    .relations
                    .iter()
                    .filter(|(_, r)| match &r.value {
                        RelKind::Table(t) => t.columns.iter().any(|c| type_is(&c.ty, name)),
                        _ => false,
                    })
                    .map(|(n, _)| n.clone())
                    .collect();
                for t in affected {
                    if let Some(t) = self.cat.table_mut(&t) {
                        t.columns_known = false;
                        t.constraints_known = false;
                    }
                }
                // Functions that take or return it go with it.
                let fns: Vec<QName> = self
                    .cat
                    .functions
                    .iter()
                    .filter(|(_, f)| f.value.mentions.contains(&name.name))
                    .map(|(n, _)| n.clone())
                    .collect();
                for f in fns {
                    self.cat.mark_name_unknown(Ns::Function, &f);
                }
                self.views_unknown(&name.name);
            }
        } else if !ie {
            self.missing(Ns::Type, "type", name, range);
        }
        self.cat.mark_name_known(Ns::Type, name);
    }

    pub(super) fn alter_type(&mut self, s: ast::AlterType) {
        let Some(r) = s.type_name_ref() else {
            return self.unknown_all();
        };
        let Some(name) = qname(&text(&r)) else {
            return self.unknown_all();
        };
        let range = self.span(&r);
        let Some(def) = self.cat.types.get(&name).cloned() else {
            self.missing(Ns::Type, "type", &name, range);
            return self.cat.mark_name_unknown(Ns::Type, &name);
        };
        match s.action() {
            Some(ast::AlterTypeAction::AddValue(a)) => {
                let Some(label) = a.literal().as_ref().and_then(string_literal) else {
                    return self.unknown_all();
                };
                let TypeDef::Enum(labels) = &def.value else {
                    return;
                };
                if labels.contains(&label) {
                    if a.if_not_exists().is_none() {
                        let lr = a.literal().map_or(range, |l| self.span(&l));
                        self.err(
                            Diagnostic::error(format!(
                                "enum type `{name}` already has the value '{label}'"
                            ))
                            .at(self.file, lr, "added again here")
                            .with_secondary(
                                def.origin.file,
                                def.origin.range.clone(),
                                "the type is created here",
                            )
                            .with_help("add `IF NOT EXISTS`, or remove the statement"),
                        );
                    }
                    return;
                }
                let pos = a.value_position().map(|p| {
                    let before = matches!(p, ast::ValuePosition::BeforeValue(_));
                    let lit = p.syntax().descendants().find_map(ast::Literal::cast);
                    (before, lit.as_ref().and_then(string_literal))
                });
                let types = Arc::make_mut(&mut self.cat.types);
                let Some(Obj {
                    value: TypeDef::Enum(labels),
                    ..
                }) = types.get_mut(&name)
                else {
                    return;
                };
                match pos {
                    None => labels.push(label),
                    Some((before, Some(other))) => {
                        let at = labels.iter().position(|l| *l == other);
                        match at {
                            Some(i) => labels.insert(if before { i } else { i + 1 }, label),
                            None => labels.push(label),
                        }
                    }
                    Some((_, None)) => labels.push(label),
                }
            }
            Some(ast::AlterTypeAction::RenameValue(rv)) => {
                let lits: Vec<String> = rv
                    .syntax()
                    .descendants()
                    .filter_map(ast::Literal::cast)
                    .filter_map(|l| string_literal(&l))
                    .collect();
                let types = Arc::make_mut(&mut self.cat.types);
                if let (
                    [old, new],
                    Some(Obj {
                        value: TypeDef::Enum(labels),
                        ..
                    }),
                ) = (lits.as_slice(), types.get_mut(&name))
                    && let Some(l) = labels.iter_mut().find(|l| *l == old)
                {
                    *l = new.clone();
                    self.enum_value_renamed(&name, old, new);
                }
            }
            Some(ast::AlterTypeAction::TypeRenameTo(to)) => {
                let Some(new) = to.syntax().children().find_map(ast::TypeName::cast) else {
                    return self.unknown_all();
                };
                let Some(new) = simple_name(&text(&new)) else {
                    return self.unknown_all();
                };
                let newq = name.sibling(new);
                let types = Arc::make_mut(&mut self.cat.types);
                if let Some(o) = types.remove(&name) {
                    types.insert(newq.clone(), o);
                }
                self.cat.record_drop(Ns::Type, &name, &self.origin.clone());
                self.forget_texts_mentioning(&name.name);
                // Columns follow the type.
                let (old_s, new_s) = (sql_name(&name), sql_name(&newq));
                let affected = self
                    .cat
                    .tables_where(|t| t.columns.iter().any(|c| type_is(&c.ty, &name)));
                for t in affected {
                    if let Some(t) = self.cat.table_mut(&t) {
                        for c in &mut t.columns {
                            if let Some(rest) = c.ty.strip_prefix(&old_s)
                                && (rest.is_empty() || rest.starts_with('['))
                            {
                                c.ty = format!("{new_s}{rest}");
                            }
                        }
                    }
                }
            }
            Some(ast::AlterTypeAction::OwnerTo(_)) | Some(ast::AlterTypeAction::SetOptions(_)) => {}
            _ => {
                // Attributes of a composite type, a new schema: not modelled.
                self.cat.mark_name_unknown(Ns::Type, &name);
            }
        }
    }

    /// PostgreSQL keeps an enum value by its identity: a default that is the old label is
    /// now the new one; other texts of those tables that quote the old label are forgotten.
    pub(super) fn enum_value_renamed(&mut self, ty: &QName, old: &str, new: &str) {
        let (old_lit, new_lit) = (literal(old), literal(new));
        let affected = self
            .cat
            .tables_where(|t| t.columns.iter().any(|c| type_is(&c.ty, ty)));
        for n in affected {
            let Some(t) = self.cat.table_mut(&n) else {
                continue;
            };
            for c in &mut t.columns {
                let Some(d) = c.default_sql.get().filter(|_| type_is(&c.ty, ty)) else {
                    continue;
                };
                if let Some(rest) = d.strip_prefix(&old_lit)
                    && (rest.is_empty() || rest.starts_with("::"))
                {
                    c.default_sql = Written::new(&format!("{new_lit}{rest}"));
                } else if d.contains(&old_lit) {
                    c.default_sql = Written::unknown();
                }
            }
            for k in &mut t.constraints {
                if k.sql.get().is_some_and(|s| s.contains(&old_lit)) {
                    k.sql = Written::unknown();
                }
            }
        }
        // A view's query may compare with the old label.
        for r in Arc::make_mut(&mut self.cat.relations).values_mut() {
            if let RelKind::View { sql, .. } = &mut r.value
                && sql.get().is_some_and(|s| s.contains(&old_lit))
            {
                *sql = Written::unknown();
            }
        }
    }
}

/// Whether the normalised column type `ty` is the type `name` (or an array of it).
pub(super) fn type_is(ty: &str, name: &QName) -> bool {
    let n = sql_name(name);
    ty == n || ty.strip_prefix(&n).is_some_and(|r| r.starts_with('['))
}
