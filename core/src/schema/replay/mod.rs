//! Replaying one statement into a [`Catalog`], reporting what PostgreSQL would refuse
//! because of the schema (a missing table, a name taken).
//!
//! The rule everywhere: a statement or clause this module does not understand never causes
//! an error. It marks what it touches as unknown (the table's columns, a name, a namespace)
//! or, when even that cannot be told, the whole catalog; and every check first asks whether
//! what it is about is known.
//!
//! This module holds the [`Replayer`], its guard against a panic in the replay, and the
//! dispatch of a statement to the file of its family (tables, `ALTER TABLE`, constraints,
//! relations, indexes, views, sequences, types, functions, triggers, schemas); the readers of
//! squawk's syntax tree are in [`readers`].

mod alter_column;
mod alter_table;
mod constraints;
mod enum_values;
mod flags;
mod functions;
mod indexes;
mod readers;
mod relations;
mod schemas;
mod sequences;
mod tables;
mod triggers;
mod types;
mod views;

use std::collections::HashSet;
use std::ops::Range;

use squawk_syntax::ast::{self, AstNode};

use super::catalog::{Catalog, Ns, Obj, Origin, QName, qname, simple_name};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::schema::object_kind::ObjectKind;
use crate::source::FileId;
use flags::CreateFlags;
use readers::text;

/// What sees each statement, with the catalog as it is before the statement, ahead of its
/// replay: the lints ([`crate::lint::Linter`]).
pub(crate) trait Observer {
    /// `stmt`, which starts at byte `base` of the file, is about to change `before`.
    fn before(&mut self, stmt: &ast::Stmt, base: usize, before: &Catalog);
}

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
    /// The statement's `IF NOT EXISTS`, for everything it creates (a table's sequences and
    /// indexes too).
    create: CreateFlags,
    /// Whether the statements run in one transaction (a transactional migration's section).
    transactional: bool,
    /// Types created by the statements so far.
    types_created: HashSet<QName>,
    /// Values added to existing enum types by the statements so far, in a transaction.
    new_enum_values: Vec<enum_values::NewEnumValue>,
    /// Sees each statement before it is replayed.
    observer: Option<&'a mut dyn Observer>,
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
            create: CreateFlags::default(),
            transactional: false,
            types_created: HashSet::new(),
            new_enum_values: Vec::new(),
            observer: None,
        }
    }

    /// Says that the statements run in one transaction, as a transactional migration's do:
    /// what PostgreSQL refuses until a commit is then reported.
    pub fn in_transaction(mut self, yes: bool) -> Self {
        self.transactional = yes;
        self
    }

    /// The same, with `observer` shown each statement before it is replayed.
    pub fn observed(mut self, observer: Option<&'a mut dyn Observer>) -> Self {
        self.observer = observer;
        self
    }

    /// Replays the statement `sql`, found at `range` of the file (`origin` its first line).
    /// `parsed` is its parse without errors, when the SQL check kept one; otherwise the
    /// statement is parsed here.
    pub fn statement(
        &mut self,
        sql: &str,
        start: usize,
        origin: Origin,
        parsed: Option<&crate::sql::syntax::StatementParse>,
    ) {
        self.base = start;
        self.origin = origin;
        self.create = CreateFlags::default();
        if self.cat.all_unknown() && self.observer.is_none() {
            return;
        }
        let parsed = std::panic::catch_unwind(|| {
            if let Some(p) = parsed {
                return Some(p.tree());
            }
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
            if let Some(o) = self.observer.as_deref_mut() {
                let (cat, base) = (&*self.cat, self.base);
                // A bug in an observer loses what it would have said, nothing else.
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    o.before(&stmt, base, cat)
                }));
            }
            if self.cat.all_unknown() {
                continue;
            }
            // A bug here must not break a build: what it would have done is unknown.
            let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.stmt(stmt, sql);
            }));
            if done.is_err() {
                self.unknown_all();
            }
        }
    }

    /// Where `node` is in the file.
    fn span(&self, node: &impl AstNode) -> Range<usize> {
        let r = node.syntax().text_range();
        self.base + usize::from(r.start())..self.base + usize::from(r.end())
    }

    /// The qualified name `node` holds, and where it is written; `None` — and the whole
    /// catalog unknown — when the statement has no such node or its name cannot be read.
    fn qname_or_unknown(&mut self, node: Option<impl AstNode>) -> Option<(QName, Range<usize>)> {
        let read = node.and_then(|n| Some((qname(&text(&n))?, self.span(&n))));
        self.or_unknown(read)
    }

    /// The unqualified name `node` holds (a column's, a constraint's, a schema's), and where
    /// it is written; `None` — and the whole catalog unknown — as for
    /// [`Self::qname_or_unknown`].
    fn simple_name_or_unknown(
        &mut self,
        node: Option<impl AstNode>,
    ) -> Option<(String, Range<usize>)> {
        let read = node.and_then(|n| Some((simple_name(&text(&n))?, self.span(&n))));
        self.or_unknown(read)
    }

    /// `value`; when it is `None`, what the statement does cannot be told: the whole catalog
    /// becomes unknown.
    fn or_unknown<T>(&mut self, value: Option<T>) -> Option<T> {
        if value.is_none() {
            self.unknown_all();
        }
        value
    }

    /// Marks the whole catalog unknown from the current statement on.
    fn unknown_all(&mut self) {
        let o = self.origin.clone();
        self.cat.mark_all_unknown(&o);
    }

    /// Marks the namespace `ns` unknown from the current statement on.
    fn unknown_ns(&mut self, ns: Ns) {
        let o = self.origin.clone();
        self.cat.mark_ns_unknown(ns, &o);
    }

    /// Reports `d`.
    fn err(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// "`what` `name` does not exist", with where it was dropped if it was.
    fn missing(&mut self, what: ObjectKind, name: &QName, range: Range<usize>) {
        let ns = what.ns();
        if !self.cat.knows(ns, name) {
            return;
        }
        let mut d = Diagnostic::error(
            Code::SchemaMissingObject,
            format!("{what} `{name}` does not exist"),
        )
        .at(self.file, range, format!("no such {what} at this point"));
        if let Some(o) = self.cat.dropped_at(ns, name).cloned() {
            d.message = format!(
                "{what} `{name}` does not exist: it was dropped in {}",
                (self.paths)(&o)
            );
            d = d
                .with_secondary(o.file, o.range, "dropped here")
                .with_help(format!(
                    "create {what} `{name}` again before this statement, or stop using it here"
                ));
        } else {
            d = d.with_help(format!(
                "no earlier migration on this branch creates {what} `{name}`; check the name, \
                 or the order of the migrations"
            ));
        }
        self.err(d);
    }

    /// "`what` `name` already exists", with where it was created if that is known.
    fn exists_already(
        &mut self,
        what: ObjectKind,
        name: &str,
        range: Range<usize>,
        at: Option<Origin>,
    ) {
        let mut d = Diagnostic::error(
            Code::SchemaAlreadyExists,
            format!("{what} `{name}` already exists"),
        )
        .at(self.file, range, "created again here");
        if let Some(o) = at {
            d.message = format!(
                "{what} `{name}` already exists: it was created in {}",
                (self.paths)(&o)
            );
            d = d.with_secondary(o.file, o.range, "created here");
        }
        self.err(d.with_help("drop it first, rename one of them, or add `IF NOT EXISTS`"));
    }

    /// `value` as created by the current statement (`flags`: its `IF NOT EXISTS`, or the
    /// statement's).
    fn obj<T>(&self, value: T, flags: CreateFlags) -> Obj<T> {
        Obj {
            value,
            origin: self.origin.clone(),
            if_not_exists: flags.if_not_exists || self.create.if_not_exists,
        }
    }

    /// One statement, sent to the method of its family.
    fn stmt(&mut self, stmt: ast::Stmt, sql: &str) {
        use ast::Stmt as S;
        self.unsafe_enum_uses(&stmt);
        match stmt {
            S::CreateTable(s) => self.create_table(s),
            S::CreateTableAs(s) => self.create_table_as(s),
            S::SelectInto(s) => self.select_into(s),
            S::AlterTable(s) => self.alter_table(s),
            S::DropTable(s) => self.drop_table(s),
            S::CreateIndex(s) => self.create_index(s),
            S::DropIndex(s) => self.drop_index(s),
            S::AlterIndex(s) => self.alter_index(s),
            S::CreateType(s) => self.create_type(s),
            S::CreateDomain(s) => self.create_domain(s),
            S::DropType(s) => self.drop_type(s),
            S::DropDomain(s) => self.drop_domain(s),
            S::AlterType(s) => self.alter_type(s),
            S::CreateSequence(s) => self.create_sequence(s),
            S::DropSequence(s) => self.drop_sequence(s),
            S::AlterSequence(s) => self.alter_sequence(s),
            S::CreateView(s) => self.create_view(s),
            S::CreateMaterializedView(s) => self.create_materialized_view(s),
            S::DropView(s) => self.drop_view(s),
            S::DropMaterializedView(s) => self.drop_materialized_view(s),
            S::AlterView(s) => self.alter_view(s),
            S::AlterMaterializedView(s) => self.alter_materialized_view(s),
            S::CreateFunction(s) => self.create_function(s, sql),
            S::CreateProcedure(s) => self.create_procedure(s, sql),
            S::DropFunction(s) => self.drop_function(s),
            S::AlterFunction(s) => self.alter_function(s),
            S::DropProcedure(_) | S::DropRoutine(_) => self.drop_routine(),
            // Rare, and overloads make names ambiguous: nothing about functions is known.
            S::AlterProcedure(_) | S::AlterRoutine(_) | S::DropAggregate(_) => {
                self.unknown_ns(Ns::Function)
            }
            S::CreateTrigger(s) => self.create_trigger(s),
            S::DropTrigger(s) => self.drop_trigger(s),
            S::AlterTrigger(s) => self.alter_trigger(s),
            S::CreateExtension(s) => self.create_extension(s),
            S::DropExtension(s) => self.drop_extension(s),
            S::CreateSchema(s) => self.create_schema(s),
            S::DropSchema(s) => self.drop_schema(s),
            S::AlterSchema(_) => self.unknown_all(),
            S::Do(_) => self.do_block(sql),
            S::Set(s) => self.set(s),
            S::CreateForeignTable(_) | S::ImportForeignSchema(_) => self.unknown_ns(Ns::Relation),
            S::DropOwned(_) | S::Reassign(_) => self.unknown_all(),
            // Statements on data change nothing this model holds — but a call of a function
            // whose body changes the schema does.
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
            s if changes_nothing(&s) => {}
            _ => self.unknown_all(),
        }
    }
}

/// Statements that change nothing this model holds: privileges, comments, statistics,
/// policies, roles, session state, objects not modelled.
fn changes_nothing(stmt: &ast::Stmt) -> bool {
    use ast::Stmt as S;
    matches!(
        stmt,
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
            | S::Load(_)
    )
}
