//! Types and domains: `CREATE TYPE` (enums and others), `CREATE DOMAIN`, `DROP TYPE`,
//! `DROP DOMAIN`, `ALTER TYPE` (enum values added and renamed, the type renamed), and what
//! follows a type's name or values in the tables and views that use it.

use std::ops::Range;
use std::sync::Arc;

use squawk_syntax::ast::{self, AstNode};

use super::Replayer;
use super::flags::{CreateFlags, DropFlags};
use super::readers::{string_literal, text, words};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::schema::catalog::{Ns, Obj, QName, RelKind, TypeDef, Written, literal, qname, sql_name};
use crate::schema::object_kind::ObjectKind;

impl Replayer<'_> {
    /// `CREATE TYPE`: an enum with its values, or another kind of type.
    pub(super) fn create_type(&mut self, s: ast::CreateType) {
        let Some((name, range)) = self.qname_or_unknown(s.type_name()) else {
            return;
        };
        let def = match s.kind() {
            Some(ast::CreateTypeKind::EnumType(e)) => {
                let mut labels = Vec::new();
                for v in e.variant_list().into_iter().flat_map(|l| l.variants()) {
                    let Some(l) = self.or_unknown(v.literal().as_ref().and_then(string_literal))
                    else {
                        return;
                    };
                    labels.push(l);
                }
                TypeDef::Enum(labels)
            }
            _ => TypeDef::Other,
        };
        self.add_type(name, def, CreateFlags::default(), range);
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
            .and_then(|p| qname(&text(&p)))
            // squawk gives some domains' names no path node: the third word, if plain.
            .or_else(|| t.split_whitespace().nth(2).and_then(qname));
        let Some(name) = self.or_unknown(name.filter(|_| w.len() > 2)) else {
            return;
        };
        let range = self.origin.range.clone();
        self.add_type(name, TypeDef::Other, CreateFlags::default(), range);
    }

    /// `DROP TYPE a, b, …`.
    pub(super) fn drop_type(&mut self, s: ast::DropType) {
        let flags = DropFlags::read(s.if_exists(), s.drop_behavior());
        self.drop_types(s.type_name_refs(), flags);
    }

    /// `DROP DOMAIN a, b, …`.
    pub(super) fn drop_domain(&mut self, s: ast::DropDomain) {
        let flags = DropFlags::read(s.if_exists(), s.drop_behavior());
        let names: Vec<_> = s
            .syntax()
            .descendants()
            .filter_map(ast::TypeNameRef::cast)
            .collect();
        if names.is_empty() {
            return self.unknown_all();
        }
        self.drop_types(names, flags);
    }

    /// `DROP TYPE`/`DROP DOMAIN` of every name in `refs`, as [`Self::drop_relations`] does
    /// for relations.
    pub(super) fn drop_types<N: AstNode>(
        &mut self,
        refs: impl IntoIterator<Item = N>,
        flags: DropFlags,
    ) {
        for r in refs {
            if let Some((name, range)) = self.qname_or_unknown(Some(r)) {
                self.drop_one_type(&name, flags, range);
            }
        }
    }

    /// Adds the type `name`, or reports that its name is taken.
    pub(super) fn add_type(
        &mut self,
        name: QName,
        def: TypeDef,
        flags: CreateFlags,
        range: Range<usize>,
    ) {
        if let Some(old) = self.cat.types.get(&name).cloned() {
            if !flags.if_not_exists && self.cat.knows(Ns::Type, &name) {
                let what = ObjectKind::Type;
                self.exists_already(what, &name.to_string(), range, Some(old.origin));
            }
            return;
        }
        let o = self.obj(def, flags);
        Arc::make_mut(&mut self.cat.types).insert(name.clone(), o);
        self.cat.mark_name_known(Ns::Type, &name);
        self.forget_new_enum_values(&name);
        self.types_created.insert(name);
    }

    /// Drops the type `name`; with `CASCADE`, what uses it becomes unknown.
    pub(super) fn drop_one_type(&mut self, name: &QName, flags: DropFlags, range: Range<usize>) {
        self.forget_new_enum_values(name);
        self.types_created.remove(name);
        if Arc::make_mut(&mut self.cat.types).remove(name).is_some() {
            self.cat.record_drop(Ns::Type, name, &self.origin.clone());
            if flags.cascade {
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
        } else if !flags.if_exists {
            self.missing(ObjectKind::Type, name, range);
        }
        self.cat.mark_name_known(Ns::Type, name);
    }

    /// `ALTER TYPE`: an enum value added or renamed, the type renamed (its columns follow).
    pub(super) fn alter_type(&mut self, s: ast::AlterType) {
        let Some((name, range)) = self.qname_or_unknown(s.type_name_ref()) else {
            return;
        };
        let Some(def) = self.cat.types.get(&name).cloned() else {
            self.missing(ObjectKind::Type, &name, range);
            return self.cat.mark_name_unknown(Ns::Type, &name);
        };
        match s.action() {
            Some(ast::AlterTypeAction::AddValue(a)) => {
                let Some(label) = self.or_unknown(a.literal().as_ref().and_then(string_literal))
                else {
                    return;
                };
                let TypeDef::Enum(labels) = &def.value else {
                    return;
                };
                if labels.contains(&label) {
                    if a.if_not_exists().is_none() {
                        let lr = a.literal().map_or(range, |l| self.span(&l));
                        self.err(
                            Diagnostic::error(
                                Code::SchemaAlreadyExists,
                                format!("enum type `{name}` already has the value '{label}'"),
                            )
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
                let added = a.literal().map_or(range.clone(), |l| self.span(&l));
                let types = Arc::make_mut(&mut self.cat.types);
                let Some(Obj {
                    value: TypeDef::Enum(labels),
                    ..
                }) = types.get_mut(&name)
                else {
                    return;
                };
                match pos {
                    None => labels.push(label.clone()),
                    Some((before, Some(other))) => {
                        let at = labels.iter().position(|l| *l == other);
                        match at {
                            Some(i) => labels.insert(if before { i } else { i + 1 }, label.clone()),
                            None => labels.push(label.clone()),
                        }
                    }
                    Some((_, None)) => labels.push(label.clone()),
                }
                self.enum_value_added(&name, &label, added);
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
                    // A new value renamed: not followed (its uses are not reported).
                    self.new_enum_values
                        .retain(|v| !(v.ty == name && v.label == *old));
                }
            }
            Some(ast::AlterTypeAction::TypeRenameTo(to)) => {
                let new = to.syntax().children().find_map(ast::TypeName::cast);
                let Some((new, _)) = self.simple_name_or_unknown(new) else {
                    return;
                };
                let newq = name.sibling(new);
                self.forget_new_enum_values(&name);
                if self.types_created.remove(&name) {
                    self.types_created.insert(newq.clone());
                }
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
