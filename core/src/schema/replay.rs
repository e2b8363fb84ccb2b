//! Replaying one statement into a [`Catalog`], reporting what PostgreSQL would refuse
//! because of the schema (a missing table, a name taken).
//!
//! The rule everywhere: a statement or clause this module does not understand never causes
//! an error. It marks what it touches as unknown (the table's columns, a name, a namespace)
//! or, when even that cannot be told, the whole catalog; and every check first asks whether
//! what it is about is known.

use std::ops::Range;
use std::sync::Arc;

use squawk_syntax::ast::{self, AstNode};

use super::catalog::{
    Catalog, Column, Constraint, ConstraintKind, Ddl, FnDef, Ns, Obj, Origin, QName, RelKind,
    Table, TypeDef, generated_name, normalize_type, qname, quote_ident, simple_name, sql_name,
};
use crate::diagnostic::Diagnostic;
use crate::source::FileId;

/// Replays statements of one file into a catalog, collecting diagnostics.
pub(crate) struct Replayer<'a> {
    /// The catalog being changed.
    pub cat: &'a mut Catalog,
    /// Where semantic errors go.
    pub diags: &'a mut Vec<Diagnostic>,
    /// Paths by file, for messages that say where something happened.
    pub paths: &'a dyn Fn(&Origin) -> String,
    file: FileId,
    /// Offset of the current statement in the file.
    base: usize,
    origin: Origin,
    /// The statement says `IF NOT EXISTS`: what it creates may have been there before.
    stmt_ine: bool,
}

/// A constraint as written, before it is named and checked.
struct Spec {
    name: Option<(String, Range<usize>)>,
    kind: ConstraintKind,
    columns: Vec<String>,
    /// The referenced table's name range (foreign keys), for messages.
    ref_range: Range<usize>,
    /// `USING INDEX idx`.
    using_index: Option<QName>,
    /// The words of a check's expression (the columns it mentions are among them).
    expr_words: Vec<String>,
}

fn text(node: &impl AstNode) -> String {
    node.syntax().text().to_string()
}

fn if_exists(node: Option<ast::IfExists>) -> bool {
    node.is_some()
}

fn cascade(b: Option<ast::DropBehavior>) -> bool {
    matches!(b, Some(ast::DropBehavior::Cascade(_)))
}

fn string_literal(lit: &ast::Literal) -> Option<String> {
    let t = text(lit);
    let t = t.trim();
    let inner = t.strip_prefix('\'')?.strip_suffix('\'')?;
    Some(inner.replace("''", "'"))
}

/// Words of `sql` (lower case), strings and comments included: enough to see what a
/// function or `DO` body may do.
fn words(sql: &str) -> Vec<String> {
    sql.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// What a body may change: the kinds named after `CREATE`/`ALTER`/`DROP` (skipping the
/// statement's own first words), or `EXECUTE` of a string built at run time.
pub(crate) fn body_ddl(sql: &str, skip: usize) -> Ddl {
    let w = words(sql);
    let mut kinds = Vec::new();
    for i in skip..w.len() {
        if matches!(w[i].as_str(), "create" | "alter" | "drop") {
            let mut j = i + 1;
            while j < w.len()
                && matches!(
                    w[j].as_str(),
                    "or" | "replace" | "unique" | "temp" | "temporary" | "unlogged" | "constraint"
                )
            {
                j += 1;
            }
            if let Some(k) = w.get(j) {
                kinds.push(k.clone());
            }
        }
    }
    let executes = w.iter().skip(skip).any(|x| x == "execute");
    if kinds.iter().any(|k| k != "trigger") {
        Ddl::Any
    } else if !kinds.is_empty() {
        Ddl::Triggers
    } else if executes {
        Ddl::Any
    } else {
        Ddl::None
    }
}

impl<'a> Replayer<'a> {
    /// A replayer for statements of `file`.
    pub fn new(
        cat: &'a mut Catalog,
        diags: &'a mut Vec<Diagnostic>,
        paths: &'a dyn Fn(&Origin) -> String,
        file: FileId,
    ) -> Self {
        Replayer {
            cat,
            diags,
            paths,
            file,
            base: 0,
            origin: Origin { file, range: 0..0 },
            stmt_ine: false,
        }
    }

    /// Replays the statement `sql`, found at `range` of the file (`origin` its first line).
    pub fn statement(&mut self, sql: &str, start: usize, origin: Origin) {
        self.base = start;
        self.origin = origin;
        self.stmt_ine = false;
        if self.cat.all_unknown() {
            return;
        }
        let parsed = std::panic::catch_unwind(|| {
            let parse = squawk_syntax::SourceFile::parse(sql);
            if parse.errors().is_empty() {
                Some(parse.tree())
            } else {
                None
            }
        });
        let Ok(Some(tree)) = parsed else {
            // Not parsed (a syntax error reported elsewhere, or a statement exempted from the
            // syntax check): what it does is unknown.
            let o = self.origin.clone();
            self.cat.mark_all_unknown(&o);
            return;
        };
        for stmt in tree.stmts() {
            // A bug here must not break a build: what it would have done is unknown.
            let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.stmt(stmt, sql);
            }));
            if done.is_err() {
                self.unknown_all();
            }
        }
    }

    /// `DROP <kind> a, b, …`: each name dropped as a relation of that kind; a name that
    /// cannot be read makes the whole catalog unknown.
    fn drop_relations<N: AstNode>(
        &mut self,
        refs: impl IntoIterator<Item = N>,
        kind: &str,
        ie: bool,
        cas: bool,
    ) {
        for r in refs {
            match qname(&text(&r)) {
                Some(name) => {
                    let range = self.span(&r);
                    self.drop_relation(&name, kind, ie, cas, range);
                }
                None => self.unknown_all(),
            }
        }
    }

    fn span(&self, node: &impl AstNode) -> Range<usize> {
        let r = node.syntax().text_range();
        self.base + usize::from(r.start())..self.base + usize::from(r.end())
    }

    fn unknown_all(&mut self) {
        let o = self.origin.clone();
        self.cat.mark_all_unknown(&o);
    }

    fn unknown_ns(&mut self, ns: Ns) {
        let o = self.origin.clone();
        self.cat.mark_ns_unknown(ns, &o);
    }

    fn err(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// "`what` `name` does not exist", with where it was dropped if it was.
    fn missing(&mut self, ns: Ns, what: &str, name: &QName, range: Range<usize>) {
        if !self.cat.knows(ns, name) {
            return;
        }
        let mut d = Diagnostic::error(format!("{what} `{name}` does not exist")).at(
            self.file,
            range,
            format!("no such {what} at this point"),
        );
        if let Some(o) = self.cat.dropped_at(ns, name).cloned() {
            d.message = format!(
                "{what} `{name}` does not exist: it was dropped in {}",
                (self.paths)(&o)
            );
            d = d.with_secondary(o.file, o.range, "dropped here");
        } else {
            d = d.with_help(format!(
                "no earlier migration on this branch creates {what} `{name}`; check the name, \
                 or the order of the migrations"
            ));
        }
        self.err(d);
    }

    fn exists_already(&mut self, what: &str, name: &str, range: Range<usize>, at: Option<Origin>) {
        let mut d = Diagnostic::error(format!("{what} `{name}` already exists")).at(
            self.file,
            range,
            "created again here",
        );
        if let Some(o) = at {
            d.message = format!(
                "{what} `{name}` already exists: it was created in {}",
                (self.paths)(&o)
            );
            d = d.with_secondary(o.file, o.range, "created here");
        }
        self.err(d.with_help("drop it first, rename one of them, or add `IF NOT EXISTS`"));
    }

    fn obj<T>(&self, value: T, if_not_exists: bool) -> Obj<T> {
        Obj {
            value,
            origin: self.origin.clone(),
            if_not_exists: if_not_exists || self.stmt_ine,
        }
    }

    fn stmt(&mut self, stmt: ast::Stmt, sql: &str) {
        use ast::Stmt as S;
        match stmt {
            S::CreateTable(s) => self.create_table(s),
            S::CreateTableAs(s) => {
                let temp = matches!(s.persistence(), Some(ast::Persistence::Temp(_)));
                match s.table_name().and_then(|n| qname(&text(&n))) {
                    Some(name) if temp => self.cat.mark_name_unknown(Ns::Relation, &name),
                    Some(name) => {
                        let r = self.span(&s.table_name().expect("checked"));
                        self.create_relation(
                            name,
                            RelKind::Table(Arc::new(unknown_table())),
                            s.if_not_exists().is_some(),
                            r,
                        )
                    }
                    None => self.unknown_all(),
                }
            }
            S::SelectInto(s) => match s.into_clause().and_then(|i| i.table_name()) {
                Some(n) => match qname(&text(&n)) {
                    Some(name) => self.cat.mark_name_unknown(Ns::Relation, &name),
                    None => self.unknown_all(),
                },
                None => self.unknown_all(),
            },
            S::AlterTable(s) => self.alter_table(s),
            S::DropTable(s) => {
                let ie = if_exists(s.if_exists());
                let cas = cascade(s.drop_behavior());
                self.drop_relations(s.table_name_refs(), "table", ie, cas);
            }
            S::CreateIndex(s) => self.create_index(s),
            S::DropIndex(s) => {
                let ie = if_exists(s.if_exists());
                let cas = cascade(s.drop_behavior());
                self.drop_relations(s.index_refs(), "index", ie, cas);
            }
            S::AlterIndex(s) => {
                let Some(r) = s.index_ref() else {
                    return self.unknown_all();
                };
                let Some(name) = qname(&text(&r)) else {
                    return self.unknown_all();
                };
                if let Some(ast::AlterIndexAction::IndexRenameTo(to)) = s.action() {
                    let range = self.span(&r);
                    match to.index().and_then(|i| simple_name(&text(&i))) {
                        Some(new) => self.rename_relation(
                            &name,
                            "index",
                            new,
                            if_exists(s.if_exists()),
                            range,
                        ),
                        None => self.unknown_all(),
                    }
                } else if !self.cat.relations.contains_key(&name) && s.if_exists().is_none() {
                    let range = self.span(&r);
                    self.missing(Ns::Relation, "index", &name, range);
                }
            }
            S::CreateType(s) => {
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
                self.create_type(name, def, false, range);
            }
            S::CreateDomain(s) => {
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
                        self.create_type(name, TypeDef::Other, false, range)
                    }
                    _ => self.unknown_all(),
                }
            }
            S::DropType(s) => {
                let ie = if_exists(s.if_exists());
                let cas = cascade(s.drop_behavior());
                for r in s.type_name_refs() {
                    match qname(&text(&r)) {
                        Some(name) => {
                            let range = self.span(&r);
                            self.drop_type(&name, ie, cas, range);
                        }
                        None => self.unknown_all(),
                    }
                }
            }
            S::DropDomain(s) => {
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
                for r in names {
                    match qname(&text(&r)) {
                        Some(name) => {
                            let range = self.span(&r);
                            self.drop_type(&name, ie, cas, range);
                        }
                        None => self.unknown_all(),
                    }
                }
            }
            S::AlterType(s) => self.alter_type(s),
            S::CreateSequence(s) => {
                let temp = matches!(s.persistence(), Some(ast::Persistence::Temp(_)));
                let Some(seq) = s.syntax().children().find_map(ast::Sequence::cast) else {
                    return self.unknown_all();
                };
                let Some(name) = qname(&text(&seq)) else {
                    return self.unknown_all();
                };
                if temp {
                    return self.cat.mark_name_unknown(Ns::Relation, &name);
                }
                let range = self.span(&seq);
                self.create_relation(
                    name.clone(),
                    RelKind::Sequence { owned_by: None },
                    s.if_not_exists().is_some(),
                    range,
                );
                for o in s.syntax().children().filter_map(ast::SequenceOption::cast) {
                    if let Some(owned) = owned_by(&text(&o)) {
                        self.set_owned_by(&name, owned);
                    }
                }
            }
            S::DropSequence(s) => {
                let ie = if_exists(s.if_exists());
                let cas = cascade(s.drop_behavior());
                self.drop_relations(s.sequence_refs(), "sequence", ie, cas);
            }
            S::AlterSequence(s) => {
                let Some(r) = s.sequence_ref() else {
                    return self.unknown_all();
                };
                let Some(name) = qname(&text(&r)) else {
                    return self.unknown_all();
                };
                let range = self.span(&r);
                let ie = if_exists(s.if_exists());
                let mut renamed = false;
                for a in s.actions() {
                    match a {
                        ast::AlterSequenceAction::SequenceRenameTo(to) => {
                            renamed = true;
                            match to.sequence().and_then(|i| simple_name(&text(&i))) {
                                Some(new) => {
                                    self.rename_relation(&name, "sequence", new, ie, range.clone())
                                }
                                None => self.unknown_all(),
                            }
                        }
                        ast::AlterSequenceAction::SequenceOption(o) => {
                            if let Some(owned) = owned_by(&text(&o)) {
                                self.set_owned_by(&name, owned);
                            }
                        }
                        ast::AlterSequenceAction::SetSchema(_) => {
                            self.cat.mark_name_unknown(Ns::Relation, &name);
                            self.unknown_ns(Ns::Relation);
                        }
                        _ => {}
                    }
                }
                if !renamed && !ie && !self.cat.relations.contains_key(&name) {
                    self.missing(Ns::Relation, "sequence", &name, range);
                }
            }
            S::CreateView(s) => {
                let temp = matches!(s.persistence(), Some(ast::Persistence::Temp(_)));
                let Some(v) = s.view() else {
                    return self.unknown_all();
                };
                let Some(name) = qname(&text(&v)) else {
                    return self.unknown_all();
                };
                if temp {
                    return self.cat.mark_name_unknown(Ns::Relation, &name);
                }
                let range = self.span(&v);
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
                self.create_relation(
                    name,
                    RelKind::View {
                        materialized: false,
                        mentions,
                    },
                    false,
                    range,
                );
            }
            S::CreateMaterializedView(s) => {
                let Some(v) = s.view() else {
                    return self.unknown_all();
                };
                let Some(name) = qname(&text(&v)) else {
                    return self.unknown_all();
                };
                let range = self.span(&v);
                let mentions = Arc::new(
                    words(&s.query().map(|q| text(&q)).unwrap_or_default())
                        .into_iter()
                        .collect(),
                );
                self.create_relation(
                    name,
                    RelKind::View {
                        materialized: true,
                        mentions,
                    },
                    s.if_not_exists().is_some(),
                    range,
                );
            }
            S::DropView(s) => {
                let ie = if_exists(s.if_exists());
                let cas = cascade(s.drop_behavior());
                self.drop_relations(s.view_refs(), "view", ie, cas);
            }
            S::DropMaterializedView(s) => {
                let ie = if_exists(s.if_exists());
                let cas = cascade(s.drop_behavior());
                self.drop_relations(s.view_refs(), "materialized view", ie, cas);
            }
            S::AlterView(s) => {
                let Some(r) = s.syntax().children().find_map(ast::ViewRef::cast) else {
                    return self.unknown_all();
                };
                let Some(name) = qname(&text(&r)) else {
                    return self.unknown_all();
                };
                let range = self.span(&r);
                let ie = if_exists(s.if_exists());
                match s.action() {
                    Some(ast::AlterViewAction::ViewRenameTo(to)) => {
                        match to.view().and_then(|v| simple_name(&text(&v))) {
                            Some(new) => self.rename_relation(&name, "view", new, ie, range),
                            None => self.unknown_all(),
                        }
                    }
                    Some(ast::AlterViewAction::SetSchema(_)) => {
                        self.cat.mark_name_unknown(Ns::Relation, &name);
                        self.unknown_ns(Ns::Relation);
                    }
                    _ => {
                        if !ie && !self.cat.relations.contains_key(&name) {
                            self.missing(Ns::Relation, "view", &name, range);
                        }
                    }
                }
            }
            S::AlterMaterializedView(s) => {
                if words(&text(&s))
                    .iter()
                    .any(|w| w == "rename" || w == "schema")
                {
                    self.unknown_ns(Ns::Relation);
                }
            }
            S::CreateFunction(s) => {
                let Some(n) = s.name() else {
                    return self.unknown_all();
                };
                let Some(name) = qname(&text(&n)) else {
                    return self.unknown_all();
                };
                let ddl = body_ddl(sql, 3);
                let sig = signature(s.param_list());
                self.create_function(name, sig, ddl, sql);
            }
            S::CreateProcedure(s) => {
                let name = s
                    .syntax()
                    .children()
                    .find_map(ast::Path::cast)
                    .or_else(|| s.syntax().descendants().find_map(ast::Path::cast))
                    .and_then(|p| qname(&text(&p)));
                let Some(name) = name else {
                    return self.unknown_all();
                };
                let ddl = body_ddl(sql, 3);
                let sig = signature(s.syntax().children().find_map(ast::ParamList::cast));
                self.create_function(name, sig, ddl, sql);
            }
            S::DropFunction(s) => {
                let ie = if_exists(s.if_exists());
                let cas = cascade(s.drop_behavior());
                let sigs: Vec<_> = s
                    .syntax()
                    .descendants()
                    .filter_map(ast::FunctionSig::cast)
                    .collect();
                if sigs.is_empty() {
                    return self.unknown_all();
                }
                for sig in sigs {
                    let Some(r) = sig.function_name_ref() else {
                        return self.unknown_all();
                    };
                    let Some(name) = qname(&text(&r)) else {
                        return self.unknown_all();
                    };
                    let range = self.span(&r);
                    // No argument list: PostgreSQL accepts it when there is one overload.
                    let arg = sig.param_list().map(|l| signature(Some(l)));
                    self.drop_function(&name, arg, ie, cas, range);
                }
            }
            S::AlterFunction(s) => self.alter_function(s),
            S::DropProcedure(_)
            | S::DropRoutine(_)
            | S::AlterProcedure(_)
            | S::AlterRoutine(_)
            | S::DropAggregate(_) => {
                // Rare, and overloads make names ambiguous: nothing about functions is known.
                self.unknown_ns(Ns::Function);
                if let S::DropProcedure(_) | S::DropRoutine(_) = stmt {
                    self.unknown_ns(Ns::Trigger);
                }
            }
            S::CreateTrigger(s) => {
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
                    if s.or_replace().is_none()
                        && self.cat.knows(Ns::Trigger, &trigger_key(&table, &tn))
                    {
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
            S::DropTrigger(s) => {
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
                            Diagnostic::error(format!(
                                "trigger `{tn}` on table `{table}` does not exist"
                            ))
                            .at(
                                self.file,
                                range,
                                "no such trigger at this point",
                            ),
                        );
                    }
                }
                self.cat.mark_name_known(Ns::Trigger, &tk);
            }
            S::AlterTrigger(s) => self.alter_trigger(s),
            S::CreateExtension(s) => {
                let Some(e) = s.syntax().children().find_map(ast::Extension::cast) else {
                    return self.unknown_all();
                };
                let Some(name) = simple_name(&text(&e)) else {
                    return self.unknown_all();
                };
                let q = QName::new("", name.clone());
                let ine = s.if_not_exists().is_some();
                if let Some(old) = self.cat.extensions.get(&name).cloned() {
                    if !ine && self.cat.knows(Ns::Extension, &q) {
                        let range = self.span(&e);
                        self.exists_already("extension", &name, range, Some(old.origin));
                    }
                    return;
                }
                if ine && !self.cat.knows(Ns::Extension, &q) {
                    return;
                }
                let o = self.obj((), ine);
                Arc::make_mut(&mut self.cat.extensions).insert(name, o);
                self.cat.mark_name_known(Ns::Extension, &q);
            }
            S::DropExtension(s) => {
                let ie = if_exists(s.if_exists());
                if cascade(s.drop_behavior()) {
                    return self.unknown_all();
                }
                for r in s.extension_refs() {
                    let Some(name) = simple_name(&text(&r)) else {
                        return self.unknown_all();
                    };
                    let q = QName::new("", name.clone());
                    if Arc::make_mut(&mut self.cat.extensions)
                        .remove(&name)
                        .is_some()
                    {
                        self.cat
                            .record_drop(Ns::Extension, &q, &self.origin.clone());
                    } else if !ie && name != "plpgsql" {
                        let range = self.span(&r);
                        self.missing(Ns::Extension, "extension", &q, range);
                    }
                    self.cat.mark_name_known(Ns::Extension, &q);
                }
            }
            S::CreateSchema(s) => {
                if s.schema_elements().next().is_some() {
                    return self.unknown_all();
                }
                let Some(t) = s.create_schema_target() else {
                    return self.unknown_all();
                };
                // `CREATE SCHEMA name [AUTHORIZATION role]` or `AUTHORIZATION role`.
                let tt = text(&t);
                let first = tt.split_whitespace().next().unwrap_or("");
                if first.eq_ignore_ascii_case("authorization") {
                    return self.unknown_ns(Ns::Schema);
                }
                let Some(name) = simple_name(first) else {
                    return self.unknown_all();
                };
                let q = QName::new("", name.clone());
                let ine = s.if_not_exists().is_some();
                if self.cat.exists(Ns::Schema, &q) {
                    if !ine && self.cat.knows(Ns::Schema, &q) {
                        let at = self.cat.schemas.get(&name).map(|o| o.origin.clone());
                        let range = self.span(&t);
                        self.exists_already("schema", &name, range, at);
                    }
                    return;
                }
                let o = self.obj((), ine);
                Arc::make_mut(&mut self.cat.schemas).insert(name, o);
                self.cat.mark_name_known(Ns::Schema, &q);
            }
            S::DropSchema(s) => {
                let ie = if_exists(s.if_exists());
                for r in s.schema_refs() {
                    let Some(name) = simple_name(&text(&r)) else {
                        return self.unknown_all();
                    };
                    let q = QName::new("", name.clone());
                    if name == "public" {
                        return self.unknown_all();
                    }
                    if self.cat.schemas.contains_key(&name) {
                        self.drop_schema_contents(&name);
                        Arc::make_mut(&mut self.cat.schemas).remove(&name);
                        self.cat.record_drop(Ns::Schema, &q, &self.origin.clone());
                    } else if !ie {
                        let range = self.span(&r);
                        self.missing(Ns::Schema, "schema", &q, range);
                    }
                }
            }
            S::AlterSchema(_) => self.unknown_all(),
            S::Do(_) => {
                if body_ddl(sql, 1) != Ddl::None || sql.to_lowercase().contains("search_path") {
                    self.unknown_all();
                } else {
                    self.calls(sql);
                }
            }
            S::Set(s) => {
                let t = text(&s).to_lowercase();
                if t.contains("search_path") || t.contains("schema") {
                    self.unknown_all();
                }
            }
            S::CreateForeignTable(_) => self.unknown_ns(Ns::Relation),
            S::ImportForeignSchema(_) => self.unknown_ns(Ns::Relation),
            S::DropOwned(_) | S::Reassign(_) => self.unknown_all(),
            // Statements that change nothing this model holds (data, privileges, comments,
            // statistics, policies, session state, objects not modelled) — but a call of a
            // function whose body changes the schema does.
            S::Select(_)
            | S::CompoundSelect(_)
            | S::ParenSelect(_)
            | S::Insert(_)
            | S::Update(_)
            | S::Delete(_)
            | S::Merge(_)
            | S::Call(_)
            | S::Values(_)
            | S::Table(_)
            | S::Copy(_)
            | S::Truncate(_)
            | S::Explain(_) => self.calls(sql),
            S::CommentOn(_)
            | S::Grant(_)
            | S::Revoke(_)
            | S::AlterDefaultPrivileges(_)
            | S::Analyze(_)
            | S::Vacuum(_)
            | S::Cluster(_)
            | S::Reindex(_)
            | S::Refresh(_)
            | S::Lock(_)
            | S::Show(_)
            | S::Reset(_)
            | S::Notify(_)
            | S::Listen(_)
            | S::Unlisten(_)
            | S::Begin(_)
            | S::Commit(_)
            | S::Rollback(_)
            | S::SavepointCreate(_)
            | S::ReleaseSavepoint(_)
            | S::SetConstraints(_)
            | S::SetRole(_)
            | S::ResetRole(_)
            | S::SetSessionAuth(_)
            | S::ResetSessionAuth(_)
            | S::SetTransaction(_)
            | S::Checkpoint(_)
            | S::Discard(_)
            | S::EmptyStmt(_)
            | S::CreatePolicy(_)
            | S::AlterPolicy(_)
            | S::DropPolicy(_)
            | S::CreateRole(_)
            | S::AlterRole(_)
            | S::DropRole(_)
            | S::CreateUser(_)
            | S::AlterUser(_)
            | S::DropUser(_)
            | S::CreateGroup(_)
            | S::AlterGroup(_)
            | S::DropGroup(_)
            | S::CreateStatistics(_)
            | S::AlterStatistics(_)
            | S::DropStatistics(_)
            | S::CreatePublication(_)
            | S::AlterPublication(_)
            | S::DropPublication(_)
            | S::CreateRule(_)
            | S::DropRule(_)
            | S::AlterRule(_)
            | S::SecurityLabel(_)
            | S::CreateCollation(_)
            | S::DropCollation(_)
            | S::CreateTextSearchConfiguration(_)
            | S::AlterTextSearchConfiguration(_)
            | S::CreateTextSearchDictionary(_)
            | S::AlterTextSearchDictionary(_)
            | S::DropTextSearchConfig(_)
            | S::DropTextSearchDict(_)
            | S::AlterExtension(_)
            | S::AlterDatabase(_)
            | S::AlterSystem(_)
            | S::AlterLargeObject(_)
            | S::Load(_) => {}
            _ => self.unknown_all(),
        }
    }

    /// Calls of functions whose bodies change the schema (or `set_config('search_path', …)`:
    /// names may resolve elsewhere from here on).
    fn calls(&mut self, sql: &str) {
        let lower = sql.to_lowercase();
        if lower.contains("search_path") && lower.contains("set_config") {
            return self.unknown_all();
        }
        if self
            .cat
            .functions
            .values()
            .all(|f| f.value.ddl == Ddl::None)
        {
            return;
        }
        let w = words(sql);
        let mut effect = Ddl::None;
        for word in &w {
            for (name, f) in self.cat.functions.iter() {
                if name.name == *word {
                    effect = match (effect, f.value.ddl) {
                        (Ddl::Any, _) | (_, Ddl::Any) => Ddl::Any,
                        (Ddl::Triggers, _) | (_, Ddl::Triggers) => Ddl::Triggers,
                        _ => Ddl::None,
                    };
                }
            }
        }
        match effect {
            Ddl::Any => self.unknown_all(),
            Ddl::Triggers => self.unknown_ns(Ns::Trigger),
            Ddl::None => {}
        }
    }

    /// `OWNED BY table.column` (`Some(None)`: `OWNED BY NONE`; `Err`: not understood).
    fn set_owned_by(&mut self, seq: &QName, owned: Result<Option<(QName, String)>, ()>) {
        match owned {
            Ok(o) => {
                if let Some(r) = Arc::make_mut(&mut self.cat.relations).get_mut(seq)
                    && let RelKind::Sequence { owned_by } = &mut r.value
                {
                    *owned_by = o;
                }
            }
            Err(()) => self.cat.mark_name_unknown(Ns::Relation, seq),
        }
    }

    fn create_function(&mut self, name: QName, sig: Option<String>, ddl: Ddl, sql: &str) {
        // The header: everything before the body's quote.
        let header = sql.split(['$', '\'']).next().unwrap_or("");
        let mut f = self.obj(
            FnDef {
                ddl,
                sigs: Default::default(),
                mentions: words(header).into_iter().collect(),
            },
            false,
        );
        let fns = Arc::make_mut(&mut self.cat.functions);
        if let Some(old) = fns.get(&name) {
            f.value.sigs = old.value.sigs.clone();
        }
        let Some(sig) = sig else {
            fns.insert(name.clone(), f);
            return self.cat.mark_name_unknown(Ns::Function, &name);
        };
        f.value.sigs.insert(sig);
        if let Some(old) = fns.get(&name).map(|o| o.value.ddl) {
            // Another overload, or a replacement: keep the broader effect.
            if old == Ddl::Any || ddl == Ddl::Any {
                f.value.ddl = Ddl::Any;
            } else if old == Ddl::Triggers {
                f.value.ddl = Ddl::Triggers;
            }
        }
        fns.insert(name.clone(), f);
        self.cat.mark_name_known(Ns::Function, &name);
    }

    /// `args`: `None` without an argument list, `Some(None)` for one not understood.
    fn drop_function(
        &mut self,
        name: &QName,
        args: Option<Option<String>>,
        ie: bool,
        cas: bool,
        range: Range<usize>,
    ) {
        let Some(f) = self.cat.functions.get(name).cloned() else {
            if !ie {
                self.missing(Ns::Function, "function", name, range);
            }
            return;
        };
        let sigs = &f.value.sigs;
        // Which overload goes, and whether others stay.
        let rest: Option<std::collections::BTreeSet<String>> = match &args {
            None if sigs.len() == 1 => Some(Default::default()),
            Some(Some(sig)) if sigs.contains(sig) => {
                let mut rest = sigs.clone();
                rest.remove(sig);
                Some(rest)
            }
            _ => None,
        };
        match rest {
            Some(rest) if rest.is_empty() => {
                Arc::make_mut(&mut self.cat.functions).remove(name);
                let o = self.origin.clone();
                self.cat.record_drop(Ns::Function, name, &o);
                self.cat.mark_name_known(Ns::Function, name);
            }
            Some(rest) => {
                if let Some(f) = Arc::make_mut(&mut self.cat.functions).get_mut(name) {
                    f.value.sigs = rest;
                }
            }
            None => {
                // An overload we cannot match: whether the name stays is not known.
                Arc::make_mut(&mut self.cat.functions).remove(name);
                self.cat.mark_name_unknown(Ns::Function, name);
            }
        }
        if cas {
            self.function_dependents_go(name);
        }
    }

    fn function_dependents_go(&mut self, name: &QName) {
        if self.cat.triggers.values().any(|t| t.value.is_none()) {
            self.unknown_ns(Ns::Trigger);
        }
        let gone: Vec<(QName, String)> = self
            .cat
            .triggers
            .iter()
            .filter(|(_, t)| t.value.as_ref() == Some(name))
            .map(|(k, _)| k.clone())
            .collect();
        let o = self.origin.clone();
        for k in gone {
            Arc::make_mut(&mut self.cat.triggers).remove(&k);
            self.cat
                .record_drop(Ns::Trigger, &trigger_key(&k.0, &k.1), &o);
        }
        self.views_unknown(&name.name);
    }

    fn alter_function(&mut self, s: ast::AlterFunction) {
        let old = s
            .syntax()
            .children()
            .find_map(ast::FunctionSig::cast)
            .and_then(|f| f.function_name_ref())
            .and_then(|r| qname(&text(&r)));
        let rename = s
            .syntax()
            .descendants()
            .find_map(ast::FunctionRenameTo::cast);
        let moved = s
            .syntax()
            .descendants()
            .any(|n| ast::SetSchema::can_cast(n.kind()));
        match (old, rename) {
            (Some(old), Some(to)) => {
                let Some(new) = to
                    .syntax()
                    .children()
                    .find_map(ast::FunctionName::cast)
                    .and_then(|n| simple_name(&text(&n)))
                else {
                    return self.unknown_ns(Ns::Function);
                };
                let newq = old.sibling(new);
                let sig = s
                    .syntax()
                    .children()
                    .find_map(ast::FunctionSig::cast)
                    .and_then(|f| f.param_list())
                    .and_then(|l| signature(Some(l)));
                let fns = Arc::make_mut(&mut self.cat.functions);
                match fns.remove(&old) {
                    // Its only overload: the name moves.
                    Some(f)
                        if f.value.sigs.len() == 1
                            && sig.as_ref().is_none_or(|s| f.value.sigs.contains(s))
                            && !fns.contains_key(&newq) =>
                    {
                        fns.insert(newq.clone(), f);
                        self.cat.mark_name_known(Ns::Function, &old);
                        self.cat.mark_name_known(Ns::Function, &newq);
                    }
                    Some(f) => {
                        // Other overloads may keep the old name.
                        fns.insert(newq.clone(), f);
                        self.cat.mark_name_unknown(Ns::Function, &old);
                        self.cat.mark_name_unknown(Ns::Function, &newq);
                    }
                    None => self.cat.mark_name_unknown(Ns::Function, &newq),
                }
                // Triggers call it by its new name.
                let trs = Arc::make_mut(&mut self.cat.triggers);
                for t in trs.values_mut() {
                    if t.value.as_ref() == Some(&old) {
                        t.value = Some(newq.clone());
                    }
                }
            }
            (Some(old), None) if moved => self.cat.mark_name_unknown(Ns::Function, &old),
            (Some(_), None) => {}
            (None, _) => self.unknown_ns(Ns::Function),
        }
    }

    fn alter_trigger(&mut self, s: ast::AlterTrigger) {
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

    fn create_type(&mut self, name: QName, def: TypeDef, ine: bool, range: Range<usize>) {
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

    fn drop_type(&mut self, name: &QName, ie: bool, cas: bool, range: Range<usize>) {
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

    fn alter_type(&mut self, s: ast::AlterType) {
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
                // Columns follow the type.
                let (old_s, new_s) = (sql_name(&name), sql_name(&newq));
                let affected: Vec<QName> = self
                    .cat
                    .relations
                    .iter()
                    .filter(|(_, r)| match &r.value {
                        RelKind::Table(t) => t.columns.iter().any(|c| type_is(&c.ty, &name)),
                        _ => false,
                    })
                    .map(|(n, _)| n.clone())
                    .collect();
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

    /// Adds a relation, or reports that its name is taken.
    fn create_relation(&mut self, name: QName, kind: RelKind, ine: bool, range: Range<usize>) {
        if let Some(old) = self.cat.relations.get(&name).cloned() {
            if !ine && !self.cat.knows(Ns::Relation, &name) {
                // Whether it was still there is not known; PostgreSQL created this one, so it
                // was not: this one replaces it.
                Arc::make_mut(&mut self.cat.relations).remove(&name);
                let o = self.obj(kind, ine);
                Arc::make_mut(&mut self.cat.relations).insert(name.clone(), o);
                self.cat.mark_name_known(Ns::Relation, &name);
                return;
            }
            if !ine {
                let what = old.value.word();
                self.exists_already(
                    if what == kind.word() {
                        what
                    } else {
                        "relation"
                    },
                    &name.to_string(),
                    range,
                    Some(old.origin),
                );
            }
            return;
        }
        if ine && !self.cat.knows(Ns::Relation, &name) {
            // It may have been there; if so, it was left as it was.
            return;
        }
        if !self
            .cat
            .exists(Ns::Schema, &QName::new("", name.schema.clone()))
            && self
                .cat
                .knows(Ns::Schema, &QName::new("", name.schema.clone()))
        {
            let sq = QName::new("", name.schema.clone());
            self.missing(Ns::Schema, "schema", &sq, range);
            return self.cat.mark_name_unknown(Ns::Relation, &name);
        }
        let o = self.obj(kind, ine);
        Arc::make_mut(&mut self.cat.relations).insert(name.clone(), o);
        self.cat.mark_name_known(Ns::Relation, &name);
    }

    fn drop_relation(
        &mut self,
        name: &QName,
        what: &str,
        ie: bool,
        cas: bool,
        range: Range<usize>,
    ) {
        let Some(old) = self.cat.relations.get(name).cloned() else {
            if !ie {
                self.missing(Ns::Relation, what, name, range);
            }
            self.cat.mark_name_known(Ns::Relation, name);
            return;
        };
        let kind_word = old.value.word();
        let matches = kind_word == what
            || (what == "view" && kind_word == "view")
            || (what == "materialized view" && kind_word == "materialized view");
        if !matches {
            // `DROP TABLE` of a view, `DROP INDEX` of a table: PostgreSQL refuses with its own
            // words. Stay silent and change nothing.
            return;
        }
        if let RelKind::Index {
            constraint: true, ..
        } = old.value
        {
            // PostgreSQL refuses to drop a constraint's index; stay silent.
            return;
        }
        self.remove_relation(name, cas);
    }

    /// Removes a relation and what goes with it.
    fn remove_relation(&mut self, name: &QName, cas: bool) {
        let origin = self.origin.clone();
        let Some(old) = Arc::make_mut(&mut self.cat.relations).remove(name) else {
            return;
        };
        self.cat.record_drop(Ns::Relation, name, &origin);
        self.cat.mark_name_known(Ns::Relation, name);
        match old.value {
            RelKind::Table(_)
            | RelKind::View {
                materialized: true, ..
            } => {
                // Its indexes, owned sequences and triggers go with it.
                let gone: Vec<QName> = self
                    .cat
                    .relations
                    .iter()
                    .filter(|(_, r)| match &r.value {
                        RelKind::Index { table, .. } => table == name,
                        RelKind::Sequence {
                            owned_by: Some((t, _)),
                        } => t == name,
                        _ => false,
                    })
                    .map(|(n, _)| n.clone())
                    .collect();
                let rels = Arc::make_mut(&mut self.cat.relations);
                for g in &gone {
                    rels.remove(g);
                }
                for g in gone {
                    self.cat.record_drop(Ns::Relation, &g, &origin);
                }
                let triggers: Vec<_> = self
                    .cat
                    .triggers
                    .keys()
                    .filter(|(t, _)| t == name)
                    .cloned()
                    .collect();
                if !triggers.is_empty() {
                    let trs = Arc::make_mut(&mut self.cat.triggers);
                    for t in &triggers {
                        trs.remove(t);
                    }
                }
                if cas {
                    // Foreign keys to it go; views on it go (which ones is not known).
                    self.drop_fks_to(name);
                    self.views_unknown(&name.name);
                }
            }
            RelKind::View { .. } if cas => self.views_unknown(&name.name),
            RelKind::Sequence { .. } if cas => {
                // Defaults using it go.
                self.tables_unknown_where(|_| true, false);
            }
            _ => {}
        }
    }

    /// The views that use `name` (a relation or function), and the views that use those, may
    /// have been dropped by a `CASCADE`: their existence becomes unknown.
    fn views_unknown(&mut self, name: &str) {
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

    fn tables_unknown_where(&mut self, pred: impl Fn(&Table) -> bool, columns: bool) {
        let names: Vec<QName> = self
            .cat
            .relations
            .iter()
            .filter(|(_, r)| matches!(&r.value, RelKind::Table(t) if pred(t)))
            .map(|(n, _)| n.clone())
            .collect();
        for n in names {
            if let Some(t) = self.cat.table_mut(&n) {
                t.constraints_known = false;
                if columns {
                    t.columns_known = false;
                }
            }
        }
    }

    /// Removes every foreign key that references `table`.
    fn drop_fks_to(&mut self, table: &QName) {
        let names: Vec<QName> = self
            .cat
            .relations
            .iter()
            .filter(|(_, r)| match &r.value {
                RelKind::Table(t) => t.constraints.iter().any(|c| fk_to(c, table)),
                _ => false,
            })
            .map(|(n, _)| n.clone())
            .collect();
        for n in names {
            if let Some(t) = self.cat.table_mut(&n) {
                t.constraints.retain(|c| !fk_to(c, table));
            }
        }
    }

    fn drop_schema_contents(&mut self, schema: &str) {
        let rels: Vec<QName> = self
            .cat
            .relations
            .keys()
            .filter(|n| n.schema == schema)
            .cloned()
            .collect();
        for r in rels {
            self.remove_relation(&r, true);
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

    fn rename_relation(
        &mut self,
        name: &QName,
        what: &str,
        new: String,
        ie: bool,
        range: Range<usize>,
    ) {
        let newq = name.sibling(new);
        let Some(old) = self.cat.relations.get(name).cloned() else {
            if !ie {
                self.missing(Ns::Relation, what, name, range);
            }
            self.cat.mark_name_unknown(Ns::Relation, &newq);
            return;
        };
        if let Some(taken) = self.cat.relations.get(&newq).cloned() {
            if self.cat.knows(Ns::Relation, &newq) {
                self.exists_already(
                    "relation",
                    &newq.to_string(),
                    range,
                    Some(taken.origin.clone()),
                );
            }
            return;
        }
        let origin = self.origin.clone();
        let rels = Arc::make_mut(&mut self.cat.relations);
        rels.remove(name);
        rels.insert(newq.clone(), old.clone());
        self.cat.record_drop(Ns::Relation, name, &origin);
        self.cat.mark_name_known(Ns::Relation, &newq);
        if let RelKind::Index {
            constraint: true,
            table,
            ..
        } = &old.value
        {
            // A constraint's index renamed renames the constraint.
            let (old_n, new_n) = (name.name.clone(), newq.name.clone());
            if let Some(t) = self.cat.table_mut(table)
                && let Some(c) = t.constraints.iter_mut().find(|c| c.name == old_n)
            {
                c.name = new_n;
            }
        }
        if let RelKind::Table(_) = old.value {
            // References by name follow the table.
            let rels = Arc::make_mut(&mut self.cat.relations);
            for r in rels.values_mut() {
                match &mut r.value {
                    RelKind::Index { table, .. } if table == name => *table = newq.clone(),
                    RelKind::Sequence {
                        owned_by: Some((t, _)),
                    } if t == name => *t = newq.clone(),
                    RelKind::Table(t) if t.constraints.iter().any(|c| fk_to(c, name)) => {
                        for c in &mut Arc::make_mut(t).constraints {
                            if let ConstraintKind::ForeignKey { table, .. } = &mut c.kind
                                && table == name
                            {
                                *table = newq.clone();
                            }
                        }
                    }
                    _ => {}
                }
            }
            let moved: Vec<_> = self
                .cat
                .triggers
                .keys()
                .filter(|(t, _)| t == name)
                .cloned()
                .collect();
            if !moved.is_empty() {
                let trs = Arc::make_mut(&mut self.cat.triggers);
                for k in moved {
                    if let Some(v) = trs.remove(&k) {
                        trs.insert((newq.clone(), k.1), v);
                    }
                }
            }
        }
    }

    fn create_table(&mut self, s: ast::CreateTable) {
        let Some(tn) = s.table_name() else {
            return self.unknown_all();
        };
        let Some(name) = qname(&text(&tn)) else {
            return self.unknown_all();
        };
        let range = self.span(&tn);
        if matches!(s.persistence(), Some(ast::Persistence::Temp(_))) {
            return self.cat.mark_name_unknown(Ns::Relation, &name);
        }
        let ine = s.if_not_exists().is_some();
        self.stmt_ine = ine;
        let known = self.cat.knows(Ns::Relation, &name);
        let exists = self.cat.relations.contains_key(&name);
        // Known to be there (an error or a no-op), or perhaps there with `IF NOT EXISTS`.
        let taken = if ine {
            exists || !known
        } else {
            exists && known
        };
        if taken {
            return self.create_relation(
                name,
                RelKind::Table(Arc::new(unknown_table())),
                ine,
                range,
            );
        }
        let mut table = Table {
            columns: Vec::new(),
            constraints: Vec::new(),
            columns_known: s.inherits().is_none()
                && s.of_type().is_none()
                && s.partition_of().is_none(),
            constraints_known: s.inherits().is_none() && s.partition_of().is_none(),
        };
        let mut specs = Vec::new();
        let mut serials = Vec::new();
        let mut likes_copy = s.partition_of().is_some();
        for arg in s.table_arg_list().into_iter().flat_map(|l| l.args()) {
            match arg {
                ast::TableArg::Column(c) => {
                    let Some(col) = self.column(&c, &name, &mut specs, &mut serials) else {
                        table.columns_known = false;
                        table.constraints_known = false;
                        continue;
                    };
                    if table.column(&col.name).is_some() {
                        let r = c.name().map_or(range.clone(), |n| self.span(&n));
                        self.err(
                            Diagnostic::error(format!(
                                "column `{}` is specified more than once",
                                col.name
                            ))
                            .at(self.file, r, "again here"),
                        );
                        continue;
                    }
                    table.columns.push(col);
                }
                ast::TableArg::LikeClause(l) => {
                    table.columns_known = false;
                    table.constraints_known = false;
                    // `INCLUDING INDEXES`/`ALL`/`IDENTITY` copies indexes and sequences under
                    // names PostgreSQL makes from the new table's.
                    if words(&text(&l)).iter().any(|w| w == "including") {
                        likes_copy = true;
                    }
                }
                ast::TableArg::TableConstraint(tc) => match table_constraint(&tc, self.base) {
                    Some(spec) => specs.push(spec),
                    None => table.constraints_known = false,
                },
            }
        }
        self.create_relation(name.clone(), RelKind::Table(Arc::new(table)), ine, range);
        if likes_copy {
            self.cat.mark_prefix_unknown(Ns::Relation, &name);
        }
        for (col, _) in &serials {
            self.serial_sequence(&name, col);
        }
        for spec in specs {
            self.add_constraint(&name, spec);
        }
    }

    /// A `serial` column's sequence, `table_col_seq`.
    fn serial_sequence(&mut self, table: &QName, col: &str) {
        let (seq, exact) = generated_name(&table.name, &[col.to_owned()], "seq");
        let q = table.sibling(seq);
        if !exact || self.cat.relations.contains_key(&q) {
            return self.unknown_ns(Ns::Relation);
        }
        let o = self.obj(
            RelKind::Sequence {
                owned_by: Some((table.clone(), col.to_owned())),
            },
            false,
        );
        Arc::make_mut(&mut self.cat.relations).insert(q.clone(), o);
        self.cat.mark_name_known(Ns::Relation, &q);
    }

    /// A column definition; its constraints go to `specs`, `serial` columns to `serials`.
    fn column(
        &mut self,
        c: &ast::Column,
        table: &QName,
        specs: &mut Vec<Spec>,
        serials: &mut Vec<(String, ())>,
    ) -> Option<Column> {
        let name = simple_name(&text(&c.name()?))?;
        let ty = c.ty();
        let col = self.column_from(
            name,
            ty,
            c.clauses().filter_map(|cl| match cl {
                ast::ColumnClause::ColumnConstraint(cc) => Some(cc),
                _ => None,
            }),
            table,
            specs,
            serials,
        )?;
        Some(col)
    }

    fn column_from(
        &mut self,
        name: String,
        ty: Option<ast::Type>,
        constraints: impl Iterator<Item = ast::ColumnConstraint>,
        table: &QName,
        specs: &mut Vec<Spec>,
        serials: &mut Vec<(String, ())>,
    ) -> Option<Column> {
        let ty_text = ty.as_ref().map(text).unwrap_or_default();
        let tyn = normalize_type(&ty_text);
        let raw = ty_text.trim().to_lowercase();
        let serial = matches!(
            raw.as_str(),
            "serial" | "serial4" | "bigserial" | "serial8" | "smallserial" | "serial2"
        );
        if let Some(ty) = &ty {
            self.type_ref(ty);
        }
        let mut col = Column {
            name: name.clone(),
            ty: tyn,
            not_null: serial,
            default: serial,
            identity: false,
            generated: false,
        };
        if serial {
            serials.push((name.clone(), ()));
        }
        let mut identity = false;
        for cc in constraints {
            use ast::ColumnConstraint as C;
            match cc {
                C::NotNullConstraint(_) => col.not_null = true,
                C::NullConstraint(_) => col.not_null = false,
                C::DefaultConstraint(d) => col.default = !is_null(d.expr()),
                C::GeneratedConstraint(g) => match g.generated_as() {
                    Some(ast::GeneratedAs::GeneratedIdentity(_)) => {
                        col.identity = true;
                        col.not_null = true;
                        identity = true;
                    }
                    Some(ast::GeneratedAs::GeneratedStored(_)) => col.generated = true,
                    None => return None,
                },
                C::PrimaryKeyConstraint(p) => {
                    col.not_null = true;
                    specs.push(Spec {
                        name: cname(p.constraint_name_clause(), self.base),
                        kind: ConstraintKind::PrimaryKey,
                        columns: vec![name.clone()],
                        ref_range: 0..0,
                        using_index: None,
                        expr_words: Vec::new(),
                    });
                }
                C::UniqueConstraint(u) => specs.push(Spec {
                    name: cname(u.constraint_name_clause(), self.base),
                    kind: ConstraintKind::Unique,
                    columns: vec![name.clone()],
                    ref_range: 0..0,
                    using_index: None,
                    expr_words: Vec::new(),
                }),
                C::CheckConstraint(k) => specs.push(Spec {
                    name: cname(k.constraint_name_clause(), self.base),
                    kind: ConstraintKind::Check,
                    columns: vec![name.clone()],
                    ref_range: 0..0,
                    using_index: None,
                    expr_words: k.expr().map(|e| expr_words(&e)).unwrap_or_default(),
                }),
                C::ReferencesConstraint(r) => {
                    let t = r.table()?;
                    let rt = qname(&text(&t))?;
                    let cols = match r.column() {
                        Some(c) => vec![simple_name(&text(&c))?],
                        None => Vec::new(),
                    };
                    specs.push(Spec {
                        name: cname(r.constraint_name_clause(), self.base),
                        kind: ConstraintKind::ForeignKey {
                            table: rt,
                            columns: cols,
                        },
                        columns: vec![name.clone()],
                        ref_range: self.span(&t),
                        using_index: None,
                        expr_words: Vec::new(),
                    });
                }
                C::ExcludeConstraint(_) => return None,
            }
        }
        if identity && !serial {
            // An identity column has a sequence too, named like a serial's.
            serials.push((name.clone(), ()));
        }
        let _ = table;
        Some(col)
    }

    /// A column's type: an error only if it names a type that an earlier migration dropped.
    fn type_ref(&mut self, ty: &ast::Type) {
        let mut ty = ty.clone();
        while let ast::Type::ArrayType(a) = &ty {
            match a.ty() {
                Some(t) => ty = t,
                None => return,
            }
        }
        let ast::Type::PathType(p) = &ty else {
            return;
        };
        let Some(name) = p.path_ref().and_then(|r| qname(&text(&r))) else {
            return;
        };
        if !self.cat.types.contains_key(&name)
            && self.cat.dropped_at(Ns::Type, &name).is_some()
            && self.cat.knows(Ns::Type, &name)
            && self.cat.extensions.is_empty()
        {
            let range = self.span(p);
            self.missing(Ns::Type, "type", &name, range);
        }
    }

    /// Names, checks and adds a constraint to `table`.
    fn add_constraint(&mut self, table: &QName, mut spec: Spec) {
        let Some(t) = self.cat.table(table).cloned() else {
            return;
        };
        if spec.kind == ConstraintKind::NotNull {
            if let Some(tm) = self.cat.table_mut(table) {
                for c in &mut tm.columns {
                    if spec.columns.contains(&c.name) {
                        c.not_null = true;
                    }
                }
            }
            if t.columns_known
                && let Some(c) = spec.columns.first()
                && t.column(c).is_none()
            {
                let range = spec
                    .name
                    .as_ref()
                    .map_or(self.origin.range.clone(), |n| n.1.clone());
                self.missing_column(table, c, range);
            }
            return;
        }
        let mut check_name_cols = Vec::new();
        if spec.kind == ConstraintKind::Check {
            // The columns a check mentions (dropping one drops the check).
            let mut mentioned: Vec<String> = Vec::new();
            for w in spec.columns.iter().chain(&spec.expr_words) {
                if t.column(w).is_some() && !mentioned.contains(w) {
                    mentioned.push(w.clone());
                }
            }
            check_name_cols = spec.columns.clone();
            spec.columns = mentioned;
        }
        // Columns must exist.
        if t.columns_known {
            for c in &spec.columns {
                if t.column(c).is_none() {
                    let range = spec
                        .name
                        .as_ref()
                        .map_or(self.origin.range.clone(), |n| n.1.clone());
                    self.err(
                        Diagnostic::error(format!(
                            "column `{c}` of table `{table}` does not exist"
                        ))
                        .at(self.file, range, "named in this constraint"),
                    );
                    return;
                }
            }
        }
        let (name, exact) = match (&spec.name, &spec.using_index) {
            (Some((n, _)), _) => (n.clone(), true),
            // `USING INDEX idx` without a name: the constraint is named like the index.
            (None, Some(idx)) => (idx.name.clone(), true),
            (None, None) => {
                let (suffix, cols) = match &spec.kind {
                    ConstraintKind::PrimaryKey => ("pkey", Vec::new()),
                    ConstraintKind::Unique => ("key", spec.columns.clone()),
                    ConstraintKind::ForeignKey { .. } => ("fkey", spec.columns.clone()),
                    ConstraintKind::Check => ("check", check_name_cols.clone()),
                    ConstraintKind::NotNull => ("not_null", spec.columns.clone()),
                    ConstraintKind::Other => ("excl", spec.columns.clone()),
                };
                let (n, exact) = generated_name(&table.name, &cols, suffix);
                // A table check's generated name depends on its expression; a name already
                // taken gets a number: either way ours is a guess.
                let taken = t.constraint(&n).is_some()
                    || self.cat.relations.contains_key(&table.sibling(n.clone()));
                let guess = matches!(spec.kind, ConstraintKind::Check if check_name_cols.is_empty())
                    || taken;
                (n, exact && !guess)
            }
        };
        if let Some((_, r)) = &spec.name
            && t.constraint(&name).is_some()
            && t.constraints_known
        {
            self.err(
                Diagnostic::error(format!(
                    "constraint `{name}` for table `{table}` already exists"
                ))
                .at(self.file, r.clone(), "named again here")
                .with_help("choose another name, or drop the old constraint first"),
            );
            return;
        }
        // Foreign keys: the referenced table, its columns, and a unique constraint on them.
        if let ConstraintKind::ForeignKey {
            table: rt,
            columns: rc,
        } = &spec.kind
        {
            self.check_fk(rt, rc, &spec);
        }
        let with_index = matches!(
            spec.kind,
            ConstraintKind::PrimaryKey | ConstraintKind::Unique
        );
        if with_index {
            if let Some(idx) = &spec.using_index {
                // `USING INDEX idx`: the index takes the constraint's name, and its columns.
                let o = Arc::make_mut(&mut self.cat.relations).remove(idx);
                match o.map(|o| o.value) {
                    Some(RelKind::Index {
                        columns: Some(c), ..
                    }) => spec.columns = c,
                    _ => {
                        self.cat.mark_name_unknown(Ns::Relation, idx);
                        if let Some(t) = self.cat.table_mut(table) {
                            t.constraints_known = false;
                        }
                    }
                }
            }
            let q = table.sibling(name.clone());
            if self.cat.relations.contains_key(&q) {
                if exact && self.cat.knows(Ns::Relation, &q) && spec.name.is_some() {
                    let range = spec.name.as_ref().map_or(0..0, |n| n.1.clone());
                    let at = self.cat.relations.get(&q).map(|o| o.origin.clone());
                    self.exists_already("relation", &q.to_string(), range, at);
                }
                self.cat.mark_name_unknown(Ns::Relation, &q);
            } else {
                let o = self.obj(
                    RelKind::Index {
                        table: table.clone(),
                        unique: true,
                        columns: Some(spec.columns.clone()),
                        uses: Some(spec.columns.clone()),
                        constraint: true,
                        name_exact: exact,
                    },
                    false,
                );
                Arc::make_mut(&mut self.cat.relations).insert(q.clone(), o);
                if exact {
                    self.cat.mark_name_known(Ns::Relation, &q);
                } else {
                    self.cat.mark_name_unknown(Ns::Relation, &q);
                }
            }
        }
        let is_pk = spec.kind == ConstraintKind::PrimaryKey;
        if let Some(t) = self.cat.table_mut(table) {
            if is_pk {
                for c in &mut t.columns {
                    if spec.columns.contains(&c.name) {
                        c.not_null = true;
                    }
                }
            }
            t.constraints.push(Constraint {
                name,
                name_exact: exact,
                kind: spec.kind,
                columns: spec.columns,
            });
        }
    }

    fn check_fk(&mut self, rt: &QName, rc: &[String], spec: &Spec) {
        let Some(target) = self.cat.table(rt).cloned() else {
            if !self.cat.relations.contains_key(rt) {
                let r = spec.ref_range.clone();
                self.missing(Ns::Relation, "table", rt, r);
            }
            return;
        };
        if target.columns_known {
            for c in rc {
                if target.column(c).is_none() {
                    self.err(
                        Diagnostic::error(format!(
                            "foreign key references column `{c}` of table `{rt}`, which does \
                             not exist"
                        ))
                        .at(
                            self.file,
                            spec.ref_range.clone(),
                            "referenced here",
                        ),
                    );
                    return;
                }
            }
        }
        if !target.constraints_known || !self.cat.knows(Ns::Relation, rt) {
            return;
        }
        let cols: Vec<String> = if rc.is_empty() {
            match target.primary_key() {
                Some(pk) => pk.to_vec(),
                None => {
                    self.err(
                        Diagnostic::error(format!(
                            "foreign key references table `{rt}`, which has no primary key"
                        ))
                        .at(self.file, spec.ref_range.clone(), "referenced here")
                        .with_help(
                            "name the referenced columns, which must have a unique constraint",
                        ),
                    );
                    return;
                }
            }
        } else {
            rc.to_vec()
        };
        let same = |a: &[String]| {
            let mut a = a.to_vec();
            let mut b = cols.clone();
            a.sort();
            b.sort();
            a == b
        };
        let unique = target.constraints.iter().any(|c| {
            matches!(c.kind, ConstraintKind::PrimaryKey | ConstraintKind::Unique)
                && same(&c.columns)
        }) || self.cat.relations.values().any(|r| match &r.value {
            RelKind::Index {
                table,
                unique: true,
                columns: Some(c),
                ..
            } => table == rt && same(c),
            RelKind::Index {
                table,
                unique: true,
                columns: None,
                ..
            } => table == rt,
            _ => false,
        });
        if !unique {
            self.err(
                Diagnostic::error(format!(
                    "foreign key references `{rt}` ({}), which has no unique constraint on \
                     those columns",
                    cols.join(", ")
                ))
                .at(self.file, spec.ref_range.clone(), "referenced here")
                .with_help(
                    "PostgreSQL requires a primary key or unique constraint on the referenced \
                     columns; add one first",
                ),
            );
        }
    }

    fn alter_table(&mut self, s: ast::AlterTable) {
        let Some(rn) = s.table_relation_name().and_then(|r| r.table_name_ref()) else {
            return self.unknown_all();
        };
        let Some(name) = qname(&text(&rn)) else {
            return self.unknown_all();
        };
        let range = self.span(&rn);
        let ie = if_exists(s.if_exists());
        let Some(rel) = self.cat.relations.get(&name).cloned() else {
            if !ie {
                self.missing(Ns::Relation, "table", &name, range);
            }
            // Whatever it does, it does to something not modelled.
            for a in s.actions() {
                if let ast::AlterTableAction::TableRenameTo(to) = a
                    && let Some(n) = to.syntax().children().find_map(ast::TableName::cast)
                    && let Some(n) = simple_name(&text(&n))
                {
                    self.cat.mark_name_unknown(Ns::Relation, &name.sibling(n));
                }
            }
            return;
        };
        if !matches!(rel.value, RelKind::Table(_)) {
            // `ALTER TABLE` works on views, indexes and sequences for renames and owners.
            for a in s.actions() {
                match a {
                    ast::AlterTableAction::TableRenameTo(to) => {
                        match to
                            .syntax()
                            .children()
                            .find_map(ast::TableName::cast)
                            .and_then(|n| simple_name(&text(&n)))
                        {
                            Some(n) => {
                                self.rename_relation(&name, "relation", n, ie, range.clone())
                            }
                            None => self.unknown_all(),
                        }
                    }
                    ast::AlterTableAction::OwnerTo(_) => {}
                    _ => self.cat.mark_name_unknown(Ns::Relation, &name),
                }
            }
            return;
        }
        let mut name = name;
        for a in s.actions() {
            self.alter_action(&mut name, a, range.clone());
        }
    }

    fn alter_action(&mut self, table: &mut QName, a: ast::AlterTableAction, range: Range<usize>) {
        use ast::AlterTableAction as A;
        let Some(t) = self.cat.table(table).cloned() else {
            return;
        };
        match a {
            A::AddColumn(ac) => {
                let Some(cn) = ac.column_name() else {
                    return self.unknown_all();
                };
                let Some(name) = simple_name(&text(&cn)) else {
                    return self.unknown_all();
                };
                let cr = self.span(&cn);
                if t.column(&name).is_some() {
                    if ac.if_not_exists().is_none() && t.columns_known {
                        self.err(
                            Diagnostic::error(format!(
                                "column `{name}` of table `{table}` already exists"
                            ))
                            .at(self.file, cr, "added again here")
                            .with_help("add `IF NOT EXISTS`, or choose another name"),
                        );
                    }
                    return;
                }
                if ac.if_not_exists().is_some() && !t.columns_known {
                    return;
                }
                let mut specs = Vec::new();
                let mut serials = Vec::new();
                let constraints: Vec<ast::ColumnConstraint> = ac
                    .constraints()
                    .filter_map(|c| ast::ColumnConstraint::cast(c.syntax().clone()))
                    .collect();
                if constraints.len() != ac.constraints().count() {
                    if let Some(t) = self.cat.table_mut(table) {
                        t.columns_known = false;
                        t.constraints_known = false;
                    }
                    return;
                }
                let Some(col) = self.column_from(
                    name.clone(),
                    ac.ty(),
                    constraints.into_iter(),
                    table,
                    &mut specs,
                    &mut serials,
                ) else {
                    if let Some(t) = self.cat.table_mut(table) {
                        t.columns_known = false;
                        t.constraints_known = false;
                    }
                    return;
                };
                if let Some(t) = self.cat.table_mut(table) {
                    t.columns.push(col);
                }
                for (c, _) in &serials {
                    self.serial_sequence(table, c);
                }
                for spec in specs {
                    self.add_constraint(table, spec);
                }
            }
            A::DropColumn(dc) => {
                let Some(cn) = dc.column_name_ref() else {
                    return self.unknown_all();
                };
                let Some(name) = simple_name(&text(&cn)) else {
                    return self.unknown_all();
                };
                let cr = self.span(&cn);
                // With columns not all known, it may be there, with indexes on it.
                if t.column(&name).is_none() && t.columns_known {
                    if dc.if_exists().is_none() {
                        self.missing_column(table, &name, cr);
                    }
                    return;
                }
                self.drop_column(table, &name, cascade(dc.drop_behavior()));
            }
            A::RenameColumn(rc) => {
                let (Some(from), Some(to)) = (rc.column_name_ref(), rc.column_name()) else {
                    return self.unknown_all();
                };
                let (Some(old), Some(new)) = (simple_name(&text(&from)), simple_name(&text(&to)))
                else {
                    return self.unknown_all();
                };
                // With columns not all known, rename what refers to it.
                if t.column(&old).is_none() && t.columns_known {
                    let r = self.span(&from);
                    self.missing_column(table, &old, r);
                    return;
                }
                if t.column(&new).is_some() {
                    if t.columns_known {
                        let r = self.span(&to);
                        self.err(
                            Diagnostic::error(format!(
                                "column `{new}` of table `{table}` already exists"
                            ))
                            .at(
                                self.file,
                                r,
                                "renamed to a name taken",
                            ),
                        );
                    }
                    return;
                }
                self.rename_column(table, &old, &new);
            }
            A::AlterColumn(ac) => {
                let Some(cn) = ac.column_name_ref() else {
                    return self.unknown_all();
                };
                let Some(name) = simple_name(&text(&cn)) else {
                    return self.unknown_all();
                };
                if t.column(&name).is_none() {
                    if t.columns_known {
                        let r = self.span(&cn);
                        self.missing_column(table, &name, r);
                    }
                    return;
                }
                use ast::AlterColumnOption as O;
                let opt = ac.option();
                if let Some(O::SetType(st)) = &opt
                    && let Some(ty) = st.ty()
                {
                    self.type_ref(&ty);
                }
                let Some(t) = self.cat.table_mut(table) else {
                    return;
                };
                let Some(c) = t.columns.iter_mut().find(|c| c.name == name) else {
                    return;
                };
                match opt {
                    Some(O::SetType(st)) => match st.ty() {
                        Some(ty) => c.ty = normalize_type(&text(&ty)),
                        None => t.columns_known = false,
                    },
                    Some(O::SetNotNull(_)) => c.not_null = true,
                    Some(O::DropNotNull(_)) => c.not_null = false,
                    // `SET DEFAULT NULL` is no default (PostgreSQL stores none).
                    Some(O::SetDefault(d)) => c.default = !is_null(d.expr()),
                    Some(O::DropDefault(_)) => c.default = false,
                    Some(O::AddGenerated(_)) => {
                        c.identity = true;
                        c.not_null = true;
                        // Its sequence: named like a serial's unless that name is taken.
                        self.serial_sequence(table, &name);
                    }
                    Some(O::DropIdentity(_)) => {
                        c.identity = false;
                        let (seq, _) =
                            generated_name(&table.name, std::slice::from_ref(&name), "seq");
                        let q = table.sibling(seq);
                        let owned = matches!(
                            self.cat.relations.get(&q).map(|r| &r.value),
                            Some(RelKind::Sequence { owned_by: Some((t, col)) }) if t == table && *col == name
                        );
                        if owned {
                            Arc::make_mut(&mut self.cat.relations).remove(&q);
                        } else {
                            self.cat.mark_name_unknown(Ns::Relation, &q);
                        }
                    }
                    Some(O::DropExpression(_)) => c.generated = false,
                    Some(O::SetStatistics(_))
                    | Some(O::SetStorage(_))
                    | Some(O::SetCompression(_))
                    | Some(O::SetOptions(_))
                    | Some(O::ResetOptions(_))
                    | Some(O::SetOptionsList(_))
                    | Some(O::Restart(_))
                    | Some(O::SetSequenceOption(_))
                    | Some(O::SetGeneratedOptions(_)) => {}
                    _ => t.columns_known = false,
                }
            }
            A::AddConstraint(ac) => {
                let Some(c) = ac.constraint() else {
                    return self.unknown_all();
                };
                match constraint(&c, self.base) {
                    Some(spec) => {
                        // A column constraint form (`NOT NULL`) changes no constraint list.
                        self.add_constraint(table, spec)
                    }
                    None => {
                        if let Some(t) = self.cat.table_mut(table) {
                            t.constraints_known = false;
                        }
                    }
                }
            }
            A::DropConstraint(dc) => {
                let Some(r) = dc.constraint_name_ref() else {
                    return self.unknown_all();
                };
                let Some(name) = simple_name(&text(&r)) else {
                    return self.unknown_all();
                };
                let cas = cascade(dc.drop_behavior());
                match t.constraint(&name) {
                    Some(c) => {
                        let c = c.clone();
                        let with_index =
                            matches!(c.kind, ConstraintKind::PrimaryKey | ConstraintKind::Unique);
                        if let Some(t) = self.cat.table_mut(table) {
                            t.constraints.retain(|x| x.name != name);
                        }
                        if with_index {
                            let q = table.sibling(name.clone());
                            if matches!(
                                self.cat.relations.get(&q).map(|r| &r.value),
                                Some(RelKind::Index {
                                    constraint: true,
                                    ..
                                })
                            ) {
                                Arc::make_mut(&mut self.cat.relations).remove(&q);
                            }
                            if cas {
                                // The foreign keys that needed it go.
                                let mut mine = c.columns.clone();
                                mine.sort();
                                let pk = t.primary_key().map(<[String]>::to_vec);
                                self.drop_fks_to_columns(table, &pk, move |cols| {
                                    let mut cols = cols.to_vec();
                                    cols.sort();
                                    cols == mine
                                });
                            }
                        }
                    }
                    None if not_null_name(&name) => {
                        // PostgreSQL 18 names every NOT NULL `table_column_not_null`; those
                        // names are not held (the column's flag is), so stay silent.
                        let col = name
                            .strip_prefix(&format!("{}_", table.name))
                            .and_then(|r| r.strip_suffix("_not_null"))
                            .map(str::to_owned);
                        if let Some(t) = self.cat.table_mut(table) {
                            match t.columns.iter_mut().find(|c| Some(&c.name) == col.as_ref()) {
                                Some(c) => c.not_null = false,
                                None => t.columns_known = false,
                            }
                        }
                    }
                    None => {
                        let all_exact = t.constraints.iter().all(|c| c.name_exact);
                        if dc.if_exists().is_none() && t.constraints_known && all_exact {
                            let range = self.span(&r);
                            self.err(
                                Diagnostic::error(format!(
                                    "constraint `{name}` of table `{table}` does not exist"
                                ))
                                .at(
                                    self.file,
                                    range,
                                    "no such constraint at this point",
                                ),
                            );
                        }
                        if !all_exact && let Some(t) = self.cat.table_mut(table) {
                            // One of the guessed names may be this one.
                            t.constraints_known = false;
                        }
                    }
                }
            }
            A::RenameConstraint(rc) => {
                let (Some(from), Some(to)) = (rc.constraint_name_ref(), rc.constraint_name())
                else {
                    return self.unknown_all();
                };
                let (Some(old), Some(new)) = (simple_name(&text(&from)), simple_name(&text(&to)))
                else {
                    return self.unknown_all();
                };
                if t.constraint(&old).is_none() {
                    if not_null_name(&old) {
                        // A PostgreSQL 18 NOT NULL constraint's name: not held.
                        return;
                    }
                    if t.constraints_known && t.constraints.iter().all(|c| c.name_exact) {
                        let r = self.span(&from);
                        self.err(
                            Diagnostic::error(format!(
                                "constraint `{old}` of table `{table}` does not exist"
                            ))
                            .at(
                                self.file,
                                r,
                                "no such constraint at this point",
                            ),
                        );
                    }
                    if let Some(t) = self.cat.table_mut(table) {
                        t.constraints_known = false;
                    }
                    return;
                }
                let q = table.sibling(old.clone());
                if let Some(t) = self.cat.table_mut(table)
                    && let Some(c) = t.constraints.iter_mut().find(|c| c.name == old)
                {
                    c.name = new.clone();
                    c.name_exact = true;
                }
                if let Some(o) = Arc::make_mut(&mut self.cat.relations).remove(&q) {
                    Arc::make_mut(&mut self.cat.relations).insert(table.sibling(new), o);
                }
            }
            A::TableRenameTo(to) => {
                let Some(n) = to
                    .syntax()
                    .children()
                    .find_map(ast::TableName::cast)
                    .and_then(|n| simple_name(&text(&n)))
                else {
                    return self.unknown_all();
                };
                let old = table.clone();
                self.rename_relation(&old, "table", n.clone(), false, range);
                *table = old.sibling(n);
            }
            A::SetSchema(_) => {
                self.cat.mark_name_unknown(Ns::Relation, table);
                self.unknown_ns(Ns::Relation);
            }
            A::AttachPartition(_)
            | A::DetachPartition(_)
            | A::InheritTable(_)
            | A::NoInheritTable(_)
            | A::OfType(_)
            | A::NotOf(_)
            | A::MergePartitions(_)
            | A::SplitPartition(_) => {
                if let Some(t) = self.cat.table_mut(table) {
                    t.columns_known = false;
                    t.constraints_known = false;
                }
                self.unknown_ns(Ns::Relation);
            }
            // Options, owners, triggers enabled, row security, validation, clustering,
            // storage: nothing the model holds.
            _ => {}
        }
    }

    fn missing_column(&mut self, table: &QName, col: &str, range: Range<usize>) {
        self.err(
            Diagnostic::error(format!("column `{col}` of table `{table}` does not exist")).at(
                self.file,
                range,
                "no such column at this point",
            ),
        );
    }

    fn drop_column(&mut self, table: &QName, col: &str, cas: bool) {
        let origin = self.origin.clone();
        let pk = self
            .cat
            .table(table)
            .and_then(|t| t.primary_key())
            .map(<[String]>::to_vec);
        if let Some(t) = self.cat.table_mut(table) {
            t.columns.retain(|c| c.name != col);
            // Constraints on it go (PostgreSQL drops multi-column ones too).
            t.constraints
                .retain(|c| !c.columns.iter().any(|x| x == col));
        }
        // Indexes on it and its owned sequence go; indexes on expressions may.
        let mut gone = Vec::new();
        let mut unsure = Vec::new();
        for (n, r) in self.cat.relations.iter() {
            match &r.value {
                RelKind::Index {
                    table: t,
                    uses: Some(c),
                    ..
                } if t == table && c.iter().any(|x| x == col) => gone.push(n.clone()),
                RelKind::Index {
                    table: t,
                    uses: None,
                    ..
                } if t == table => unsure.push(n.clone()),
                RelKind::Sequence {
                    owned_by: Some((t, c)),
                } if t == table && c == col => gone.push(n.clone()),
                _ => {}
            }
        }
        if !gone.is_empty() {
            let rels = Arc::make_mut(&mut self.cat.relations);
            for g in &gone {
                rels.remove(g);
            }
            for g in &gone {
                self.cat.record_drop(Ns::Relation, g, &origin);
            }
        }
        for u in unsure {
            self.cat.mark_name_unknown(Ns::Relation, &u);
        }
        // Foreign keys from elsewhere to it go with CASCADE (without, PostgreSQL refuses
        // while there are any); views on it may go.
        if cas {
            let c2 = col.to_owned();
            self.drop_fks_to_columns(table, &pk, move |cols| cols.contains(&c2));
            self.views_unknown(&table.name);
        }
    }

    /// Removes the foreign keys to `table` whose referenced columns (its primary key `pk`
    /// when none are written) satisfy `pred`.
    fn drop_fks_to_columns(
        &mut self,
        table: &QName,
        pk: &Option<Vec<String>>,
        pred: impl Fn(&[String]) -> bool,
    ) {
        let refs = |c: &Constraint| match &c.kind {
            ConstraintKind::ForeignKey { table: t, columns } if t == table => {
                if columns.is_empty() {
                    pk.as_deref().is_none_or(&pred)
                } else {
                    pred(columns)
                }
            }
            _ => false,
        };
        let names: Vec<QName> = self
            .cat
            .relations
            .iter()
            .filter(
                |(_, r)| matches!(&r.value, RelKind::Table(t) if t.constraints.iter().any(refs)),
            )
            .map(|(n, _)| n.clone())
            .collect();
        for n in names {
            if let Some(t) = self.cat.table_mut(&n) {
                t.constraints.retain(|c| !refs(c));
            }
        }
    }

    fn rename_column(&mut self, table: &QName, old: &str, new: &str) {
        if let Some(t) = self.cat.table_mut(table) {
            for c in &mut t.columns {
                if c.name == old {
                    c.name = new.to_owned();
                }
            }
            for c in &mut t.constraints {
                for x in &mut c.columns {
                    if x == old {
                        *x = new.to_owned();
                    }
                }
                if let ConstraintKind::ForeignKey { table: rt, columns } = &mut c.kind
                    && rt == table
                {
                    for x in columns {
                        if x == old {
                            *x = new.to_owned();
                        }
                    }
                }
            }
        }
        let rels = Arc::make_mut(&mut self.cat.relations);
        for r in rels.values_mut() {
            match &mut r.value {
                RelKind::Index {
                    table: t,
                    columns,
                    uses,
                    ..
                } if t == table => {
                    for x in columns.iter_mut().chain(uses.iter_mut()).flatten() {
                        if x == old {
                            *x = new.to_owned();
                        }
                    }
                }
                RelKind::Sequence {
                    owned_by: Some((t, c)),
                } if t == table && c == old => *c = new.to_owned(),
                RelKind::Table(t)
                    if t.constraints.iter().any(|c| {
                        matches!(&c.kind, ConstraintKind::ForeignKey { table: x, columns } if x == table && columns.iter().any(|y| y == old))
                    }) =>
                {
                    for c in &mut Arc::make_mut(t).constraints {
                        if let ConstraintKind::ForeignKey { table: x, columns } = &mut c.kind
                            && x == table
                        {
                            for y in columns {
                                if y == old {
                                    *y = new.to_owned();
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn create_index(&mut self, s: ast::CreateIndex) {
        let Some(tn) = s.table_relation_name().and_then(|r| r.table_name_ref()) else {
            return self.unknown_all();
        };
        let Some(table) = qname(&text(&tn)) else {
            return self.unknown_all();
        };
        let trange = self.span(&tn);
        let ine = s.if_not_exists().is_some();
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
                    .and_then(|f| super::catalog::name_parts(&text(&f)))
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
                self.missing(Ns::Relation, "table", &table, trange);
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
            Some(i) => match simple_name(&text(&i)) {
                Some(n) => (n, true, self.span(&i)),
                None => return self.unknown_all(),
            },
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
        self.create_relation(
            q,
            RelKind::Index {
                table,
                unique: s.unique_token().is_some(),
                columns: if partial { None } else { columns },
                uses,
                constraint: false,
                name_exact: exact,
            },
            ine,
            nrange,
        );
    }
}

/// A sequence option `OWNED BY …`: `None` if the option is another one.
fn owned_by(option: &str) -> Option<Result<Option<(QName, String)>, ()>> {
    let t = option.trim();
    let lower = t.to_lowercase();
    let rest = lower
        .strip_prefix("owned")?
        .trim_start()
        .strip_prefix("by")?;
    let rest_len = rest.len();
    let rest = t[t.len() - rest_len..].trim();
    if rest.eq_ignore_ascii_case("none") {
        return Some(Ok(None));
    }
    let mut parts = super::catalog::name_parts(rest)?;
    Some(match parts.len() {
        2 => {
            let col = parts.pop().unwrap_or_default();
            Ok(Some((
                QName::new("public", parts.pop().unwrap_or_default()),
                col,
            )))
        }
        3 => {
            let col = parts.pop().unwrap_or_default();
            let t = parts.pop().unwrap_or_default();
            Ok(Some((QName::new(parts.pop().unwrap_or_default(), t), col)))
        }
        _ => Err(()),
    })
}

/// Whether an expression is the constant `NULL` (perhaps cast).
fn is_null(e: Option<ast::Expr>) -> bool {
    e.is_some_and(|e| {
        let t = text(&e).to_lowercase();
        let t = t.trim().trim_start_matches('(').trim_end_matches(')');
        t == "null" || t.starts_with("null::")
    })
}

/// PostgreSQL 18's names of NOT NULL constraints: `…_not_null`, perhaps with a number.
fn not_null_name(name: &str) -> bool {
    name.trim_end_matches(|c: char| c.is_ascii_digit())
        .ends_with("_not_null")
}

/// The trigger namespace's key: `table.trigger` in the table's schema.
fn trigger_key(table: &QName, trigger: &str) -> QName {
    table.sibling(format!("{}.{trigger}", table.name))
}

fn unknown_table() -> Table {
    Table {
        columns: Vec::new(),
        constraints: Vec::new(),
        columns_known: false,
        constraints_known: false,
    }
}

fn fk_to(c: &Constraint, table: &QName) -> bool {
    matches!(&c.kind, ConstraintKind::ForeignKey { table: t, .. } if t == table)
}

/// Whether the normalised column type `ty` is the type `name` (or an array of it).
fn type_is(ty: &str, name: &QName) -> bool {
    let n = sql_name(name);
    ty == n || ty.strip_prefix(&n).is_some_and(|r| r.starts_with('['))
}

fn types_used_in_other_schemas(cat: &Catalog, schema: &str) -> bool {
    let prefix = format!("{}.", quote_ident(schema));
    cat.relations.values().any(|r| match &r.value {
        RelKind::Table(t) => t.columns.iter().any(|c| c.ty.starts_with(&prefix)),
        _ => false,
    })
}

fn cname(c: Option<ast::ConstraintNameClause>, base: usize) -> Option<(String, Range<usize>)> {
    let n = c?.constraint_name()?;
    let r = n.syntax().text_range();
    Some((
        simple_name(&text(&n))?,
        base + usize::from(r.start())..base + usize::from(r.end()),
    ))
}

fn column_refs(list: Option<ast::ConstraintColumnRefList>) -> Option<Vec<String>> {
    list?
        .column_name_refs()
        .map(|c| simple_name(&text(&c)))
        .collect()
}

fn pk_or_unique(
    name: Option<ast::ConstraintNameClause>,
    params: Option<ast::IndexParameters>,
    using: Option<ast::UsingIndexName>,
    kind: ConstraintKind,
    base: usize,
) -> Option<Spec> {
    let name = cname(name, base);
    if let Some(u) = using {
        return Some(Spec {
            name,
            kind,
            columns: Vec::new(),
            ref_range: 0..0,
            using_index: Some(qname(&text(&u.index_ref()?))?),
            expr_words: Vec::new(),
        });
    }
    let p = params?;
    if p.constraint_include_clause().is_some() {
        return None;
    }
    Some(Spec {
        name,
        kind,
        columns: column_refs(p.column_list())?,
        ref_range: 0..0,
        using_index: None,
        expr_words: Vec::new(),
    })
}

fn fk(f: &ast::ForeignKeyConstraint, base: usize) -> Option<Spec> {
    let t = f.table_name_ref()?;
    let from: Vec<String> = f
        .from_columns()?
        .column_name_refs()
        .map(|c| simple_name(&text(&c)))
        .collect::<Option<_>>()?;
    let to: Vec<String> = match f.to_columns() {
        Some(l) => l
            .column_name_refs()
            .map(|c| simple_name(&text(&c)))
            .collect::<Option<_>>()?,
        None => Vec::new(),
    };
    let r = t.syntax().text_range();
    Some(Spec {
        name: cname(f.constraint_name_clause(), base),
        kind: ConstraintKind::ForeignKey {
            table: qname(&text(&t))?,
            columns: to,
        },
        columns: from,
        ref_range: base + usize::from(r.start())..base + usize::from(r.end()),
        using_index: None,
        expr_words: Vec::new(),
    })
}

fn check(c: &ast::CheckConstraint, base: usize) -> Spec {
    Spec {
        name: cname(c.constraint_name_clause(), base),
        kind: ConstraintKind::Check,
        columns: Vec::new(),
        ref_range: 0..0,
        using_index: None,
        expr_words: c.expr().map(|e| expr_words(&e)).unwrap_or_default(),
    }
}

/// A function's identity: its argument types, normalised, `OUT` arguments left out.
fn signature(list: Option<ast::ParamList>) -> Option<String> {
    let mut out = Vec::new();
    for p in list?.params() {
        if matches!(p.mode(), Some(ast::ParamMode::ParamOut(_))) {
            continue;
        }
        let ty = match (p.func_type(), p.name()) {
            (Some(t), _) => text(&t),
            (None, Some(n)) => text(&n),
            (None, None) => return None,
        };
        out.push(normalize_type(&ty));
    }
    Some(out.join(","))
}

/// The names in an expression that may be columns: every name but a called function's.
fn column_refs_in(e: &ast::Expr) -> Vec<String> {
    e.syntax()
        .descendants()
        .filter_map(ast::NameRef::cast)
        .filter(|n| {
            !n.syntax()
                .parent()
                .and_then(ast::CallExpr::cast)
                .and_then(|c| c.expr())
                .is_some_and(|callee| callee.syntax() == n.syntax())
        })
        .filter_map(|n| simple_name(&text(&n)))
        .collect()
}

/// The identifiers of an expression, normalised (the columns it mentions are among them).
fn expr_words(e: &ast::Expr) -> Vec<String> {
    e.syntax()
        .descendants()
        .filter_map(ast::NameRef::cast)
        .filter_map(|n| simple_name(&text(&n)))
        .collect()
}

fn not_null(n: &ast::NotNullConstraint, base: usize) -> Option<Spec> {
    Some(Spec {
        name: cname(n.constraint_name_clause(), base),
        kind: ConstraintKind::NotNull,
        columns: vec![simple_name(&text(&n.column_name_ref()?))?],
        ref_range: 0..0,
        using_index: None,
        expr_words: Vec::new(),
    })
}

fn table_constraint(c: &ast::TableConstraint, base: usize) -> Option<Spec> {
    use ast::TableConstraint as T;
    match c {
        T::PrimaryKeyConstraint(p) => pk_or_unique(
            p.constraint_name_clause(),
            p.index_parameters(),
            p.using_index(),
            ConstraintKind::PrimaryKey,
            base,
        ),
        T::UniqueConstraint(u) => pk_or_unique(
            u.constraint_name_clause(),
            u.index_parameters(),
            u.using_index(),
            ConstraintKind::Unique,
            base,
        ),
        T::ForeignKeyConstraint(f) => fk(f, base),
        T::CheckConstraint(k) => Some(check(k, base)),
        T::NotNullConstraint(n) => not_null(n, base),
        _ => None,
    }
}

fn constraint(c: &ast::Constraint, base: usize) -> Option<Spec> {
    use ast::Constraint as C;
    match c {
        C::PrimaryKeyConstraint(p) => pk_or_unique(
            p.constraint_name_clause(),
            p.index_parameters(),
            p.using_index(),
            ConstraintKind::PrimaryKey,
            base,
        ),
        C::UniqueConstraint(u) => pk_or_unique(
            u.constraint_name_clause(),
            u.index_parameters(),
            u.using_index(),
            ConstraintKind::Unique,
            base,
        ),
        C::ForeignKeyConstraint(f) => fk(f, base),
        C::CheckConstraint(k) => Some(check(k, base)),
        C::NotNullConstraint(n) => not_null(n, base),
        _ => None,
    }
}
