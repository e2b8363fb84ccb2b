//! What a rule sees: the statement, the catalog before it, what this revision did so far,
//! and the settings.

use std::collections::BTreeSet;
use std::ops::Range;

use squawk_syntax::ast::{self, AstNode};

use super::Finding;
use super::config::LintSettings;
use super::sql;
use crate::schema::catalog::{Catalog, Ns, QName, RelKind, Table, qname, simple_name};
use crate::source::FileId;

/// One statement as a rule sees it.
pub struct Context<'a> {
    /// The statement's syntax tree.
    pub stmt: &'a ast::Stmt,
    /// Where the statement starts in the file.
    pub base: usize,
    /// The whole file's text.
    pub text: &'a str,
    /// The schema before the statement.
    pub catalog: &'a Catalog,
    /// What the revision did before this statement.
    pub revision: &'a RevisionState,
    /// The levels and the runner's settings.
    pub settings: &'a LintSettings,
}

impl Context<'_> {
    /// `node`'s range in the file.
    pub fn span(&self, node: &impl AstNode) -> Range<usize> {
        let r = sql::range(node);
        self.base + r.start..self.base + r.end
    }

    /// The statement's first line, where a finding about the whole statement points.
    pub fn head(&self) -> Range<usize> {
        let r = sql::range(self.stmt);
        let stmt = self
            .text
            .get(self.base + r.start..self.base + r.end)
            .unwrap_or_default();
        let len = stmt
            .find('\n')
            .map_or(stmt.len(), |k| stmt[..k].trim_end().len());
        self.base + r.start..self.base + r.start + len
    }

    /// Whether `table` existed before this revision: not created by it (as far as the
    /// revision's statements and the catalog tell), and not known to be missing.
    pub fn existed_before(&self, table: &QName) -> bool {
        if self.revision.created.contains(table) {
            return false;
        }
        match self.catalog.relations.get(table) {
            Some(obj) => obj.origin.file != self.revision.file,
            // Unknown to the model: it came from somewhere the model could not follow,
            // before this revision. Known to be missing: a schema error, not a lint.
            None => !self.catalog.knows(Ns::Relation, table),
        }
    }

    /// The table `name` in the catalog, when the model knows it as a table.
    pub fn table(&self, name: &QName) -> Option<&Table> {
        self.catalog.table(name)
    }

    /// Whether `name` is, as far as the catalog knows, a table (not a view, index or
    /// sequence; an unknown relation counts).
    pub fn maybe_table(&self, name: &QName) -> bool {
        !matches!(
            self.catalog.relations.get(name).map(|o| &o.value),
            Some(RelKind::View { .. } | RelKind::Index { .. } | RelKind::Sequence { .. })
        )
    }

    /// The `ALTER TABLE` statement and its table, when the statement is one on a table
    /// that existed before this revision.
    pub fn alter_existing(&self) -> Option<(&ast::AlterTable, QName)> {
        let ast::Stmt::AlterTable(s) = self.stmt else {
            return None;
        };
        let table = sql::altered_table(s)?;
        (self.existed_before(&table) && self.maybe_table(&table)).then_some((s, table))
    }

    /// The findings of `each` over every action of an `ALTER TABLE` on a table that existed
    /// before this revision (none for any other statement): the shape of most rules.
    pub fn on_existing_table_actions(
        &self,
        mut each: impl FnMut(ast::AlterTableAction, &QName) -> Option<Finding>,
    ) -> Vec<Finding> {
        let Some((s, table)) = self.alter_existing() else {
            return Vec::new();
        };
        s.actions().filter_map(|a| each(a, &table)).collect()
    }
}

/// What a revision's `up` section did so far that the rules of later statements need.
#[derive(Clone, Debug)]
pub struct RevisionState {
    /// The revision's file.
    pub file: FileId,
    /// Whether the revision runs in one transaction.
    pub transactional: bool,
    /// Tables created by this revision (under their current names).
    pub created: BTreeSet<QName>,
    /// Constraints added `NOT VALID` by this revision: table and constraint name.
    pub not_valid: BTreeSet<(QName, String)>,
    /// A lock timeout set earlier in the section that holds for the statements after it:
    /// `SET lock_timeout`, or `SET LOCAL lock_timeout` in a transactional revision.
    pub lock_timeout: bool,
    /// The session's time zone was set to UTC earlier in the section (`SET timezone =
    /// 'UTC'`): PostgreSQL 12+ then changes `timestamp` to `timestamptz` without a rewrite.
    pub utc: bool,
}

impl RevisionState {
    /// The state at the start of an `up` section of `file`.
    pub fn new(file: FileId, transactional: bool) -> Self {
        RevisionState {
            file,
            transactional,
            created: BTreeSet::new(),
            not_valid: BTreeSet::new(),
            lock_timeout: false,
            utc: false,
        }
    }

    /// Notes what `stmt` does that later rules need (before the catalog has it).
    pub fn observe(&mut self, stmt: &ast::Stmt, catalog: &Catalog) {
        use ast::Stmt as S;
        let created = match stmt {
            S::CreateTable(s) => s.table_name().and_then(|p| qname(&sql::text(&p))),
            S::CreateTableAs(s) => s.table_name().and_then(|p| qname(&sql::text(&p))),
            S::SelectInto(s) => s
                .into_clause()
                .and_then(|i| i.table_name())
                .and_then(|p| qname(&sql::text(&p))),
            _ => None,
        };
        if let Some(t) = created
            && !catalog.relations.contains_key(&t)
        {
            self.created.insert(t);
        }
        match stmt {
            S::AlterTable(s) => self.observe_alter(s),
            S::Set(_) => self.observe_set(&sql::words(stmt)),
            _ => {}
        }
    }

    fn observe_alter(&mut self, s: &ast::AlterTable) {
        let Some(mut table) = sql::altered_table(s) else {
            return;
        };
        for a in s.actions() {
            match a {
                ast::AlterTableAction::AddConstraint(ac) => {
                    let w = sql::words(&ac);
                    let name = ac.constraint().and_then(|c| sql::constraint_name(&c));
                    if sql::has_seq(&w, &["not", "valid"])
                        && let Some(name) = name
                    {
                        self.not_valid.insert((table.clone(), name));
                    }
                }
                ast::AlterTableAction::TableRenameTo(to) => {
                    let Some(new) = to
                        .syntax()
                        .children()
                        .find_map(ast::TableName::cast)
                        .and_then(|n| simple_name(&sql::text(&n)))
                    else {
                        continue;
                    };
                    let renamed = table.sibling(new);
                    if self.created.remove(&table) {
                        self.created.insert(renamed.clone());
                    }
                    table = renamed;
                }
                _ => {}
            }
        }
    }

    /// `SET [SESSION | LOCAL] lock_timeout {= | TO} value`, and the same of `timezone` (or
    /// `SET TIME ZONE value`).
    fn observe_set(&mut self, w: &[String]) {
        let local = w.get(1).is_some_and(|x| x == "local");
        let at = match w.get(1).map(String::as_str) {
            Some("local" | "session") => 2,
            _ => 1,
        };
        // `SET LOCAL` ends with the statement's transaction: outside one (a
        // `transaction: false` revision) it does nothing.
        if local && !self.transactional {
            return;
        }
        let zone = match (
            w.get(at).map(String::as_str),
            w.get(at + 1).map(String::as_str),
        ) {
            (Some("timezone"), _) => w.get(at + 2),
            (Some("time"), Some("zone")) => w.get(at + 2),
            _ => None,
        };
        if let Some(zone) = zone {
            let zone = zone.trim_matches('\'').to_ascii_lowercase();
            self.utc = matches!(zone.as_str(), "utc" | "etc/utc" | "gmt" | "z" | "zulu");
            return;
        }
        if w.get(at).map(String::as_str) != Some("lock_timeout") {
            return;
        }
        let value = w
            .get(at + 2)
            .map(|v| v.trim_matches('\''))
            .unwrap_or_default();
        let zero = value
            .trim_end_matches(|c: char| c.is_ascii_alphabetic())
            .trim()
            .parse::<f64>()
            .is_ok_and(|n| n == 0.0);
        self.lock_timeout = !(zero || value == "default");
    }
}
