//! Enum values used in the transaction that added them: PostgreSQL refuses them ("unsafe use
//! of new value") until that transaction commits.
//!
//! A value added to a type created in the same transaction is not reported: whether
//! PostgreSQL accepts it has changed between versions (15 refuses it).
//!
//! Only uses that are certain are reported: the value's literal cast to the type
//! (`'x'::mood`, `CAST('x' AS mood)`, `mood 'x'`), a column's `DEFAULT 'x'` where the column
//! is of the type, and `INSERT … VALUES` or `UPDATE … SET` writing `'x'` into a column of the
//! type.

use std::ops::Range;

use squawk_syntax::ast::{self, AstNode};

use super::Replayer;
use super::readers::{string_literal, text};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::schema::catalog::{QName, qname, simple_name, sql_name};

/// A value added to an existing enum type earlier in the current transaction.
#[derive(Clone, Debug)]
pub(super) struct NewEnumValue {
    /// The type.
    pub ty: QName,
    /// The value.
    pub label: String,
    /// Where `ADD VALUE` writes it.
    pub added: Range<usize>,
}

impl Replayer<'_> {
    /// Records a value added to `ty`, if it runs in a transaction and the type was not
    /// created in it.
    pub(super) fn enum_value_added(&mut self, ty: &QName, label: &str, added: Range<usize>) {
        if self.transactional && !self.types_created.contains(ty) {
            self.new_enum_values.push(NewEnumValue {
                ty: ty.clone(),
                label: label.to_owned(),
                added,
            });
        }
    }

    /// Forgets the new values of `ty` (dropped or renamed: a later use of the name is about
    /// another type, or about a name that no longer is this one).
    pub(super) fn forget_new_enum_values(&mut self, ty: &QName) {
        self.new_enum_values.retain(|v| v.ty != *ty);
    }

    /// Reports every certain use in `stmt` of a value added earlier in this transaction.
    pub(super) fn unsafe_enum_uses(&mut self, stmt: &ast::Stmt) {
        if self.new_enum_values.is_empty() {
            return;
        }
        let mut uses: Vec<(QName, String, Range<usize>)> = Vec::new();
        for node in stmt.syntax().descendants() {
            if let Some(c) = ast::CastExpr::cast(node.clone()) {
                uses.extend(self.cast_use(&c));
            } else if let Some(d) = ast::DefaultConstraint::cast(node.clone()) {
                uses.extend(self.column_default_use(&d));
            } else if let Some(d) = ast::SetDefault::cast(node.clone()) {
                uses.extend(self.set_default_use(&d));
            } else if let Some(i) = ast::Insert::cast(node.clone()) {
                uses.extend(self.insert_uses(&i));
            } else if let Some(set) = ast::SetSingleColumn::cast(node) {
                uses.extend(self.update_set_use(&set));
            }
        }
        for (ty, label, at) in uses {
            let Some(v) = self
                .new_enum_values
                .iter()
                .find(|v| v.ty == ty && v.label == label)
                .cloned()
            else {
                continue;
            };
            self.err(
                Diagnostic::error(
                    Code::SchemaUnsafeNewEnumValue,
                    format!(
                        "enum value '{label}' of type `{ty}` is used in the transaction that \
                         added it: PostgreSQL refuses it (\"unsafe use of new value\")"
                    ),
                )
                .at(self.file, at, "used here")
                .with_secondary(self.file, v.added, "added here, in the same transaction")
                .with_help(
                    "add the value in a revision of its own (or one with `-- transaction: \
                     false`), and use it in a later revision",
                ),
            );
        }
    }

    /// `'x'::ty`, `CAST('x' AS ty)`, `ty 'x'`.
    fn cast_use(&self, c: &ast::CastExpr) -> Option<(QName, String, Range<usize>)> {
        let lit = c.syntax().children().find_map(ast::Literal::cast)?;
        let label = string_literal(&lit)?;
        let ty = path_type(c.ty()?)?;
        Some((ty, label, self.span(&lit)))
    }

    /// `DEFAULT 'x'` of a column defined with its type (`CREATE TABLE`, `ADD COLUMN`).
    fn column_default_use(
        &self,
        d: &ast::DefaultConstraint,
    ) -> Option<(QName, String, Range<usize>)> {
        let ast::Expr::Literal(lit) = d.expr()? else {
            return None;
        };
        let label = string_literal(&lit)?;
        let ty = d.syntax().ancestors().find_map(|a| {
            if let Some(add) = ast::AddColumn::cast(a.clone()) {
                Some(add.ty())
            } else {
                ast::Column::cast(a).map(|c| c.ty())
            }
        })??;
        Some((path_type(ty)?, label, self.span(&lit)))
    }

    /// `ALTER TABLE t ALTER COLUMN c SET DEFAULT 'x'`, with `c`'s type from the catalog.
    fn set_default_use(&self, d: &ast::SetDefault) -> Option<(QName, String, Range<usize>)> {
        let ast::Expr::Literal(lit) = d.expr()? else {
            return None;
        };
        let label = string_literal(&lit)?;
        let column = d.syntax().ancestors().find_map(ast::AlterColumn::cast)?;
        let column = simple_name(&text(&column.column_name_ref()?))?;
        let table = d.syntax().ancestors().find_map(ast::AlterTable::cast)?;
        let table = qname(&text(&table.table_relation_name()?.table_name_ref()?))?;
        let ty = self.enum_column_type(&table, &column, &label)?;
        Some((ty, label, self.span(&lit)))
    }

    /// `UPDATE t SET c = 'x'`, with `c`'s type from the catalog.
    fn update_set_use(&self, set: &ast::SetSingleColumn) -> Option<(QName, String, Range<usize>)> {
        let ast::Expr::Literal(lit) = set.set_expr()?.expr()? else {
            return None;
        };
        let label = string_literal(&lit)?;
        let target = set.column_target()?;
        // `c.f` or `c[1]` write into a part of the column: not the column.
        if target.accessors().next().is_some() {
            return None;
        }
        let column = simple_name(&text(&target.name()?))?;
        let update = set.syntax().ancestors().find_map(ast::Update::cast)?;
        let table = qname(&text(&update.relation_name()?.relation_name_ref()?))?;
        let ty = self.enum_column_type(&table, &column, &label)?;
        Some((ty, label, self.span(&lit)))
    }

    /// `INSERT INTO t (a, b) VALUES ('x', …), …`: each string literal written into a column
    /// of an enum type with a new value (without a column list, in the table's order).
    fn insert_uses(&self, i: &ast::Insert) -> Vec<(QName, String, Range<usize>)> {
        let mut uses = Vec::new();
        let Some(table) = i
            .relation_name_ref()
            .and_then(|r| qname(&text(&r)))
            .filter(|t| self.cat.table(t).is_some())
        else {
            return uses;
        };
        let columns: Option<Vec<String>> = match i.column_target_list() {
            Some(list) => list
                .syntax()
                .children()
                .filter_map(ast::ColumnTarget::cast)
                .map(|c| {
                    // `c.f` or `c[1]` write into a part of the column: not the column.
                    if c.accessors().next().is_some() {
                        None
                    } else {
                        simple_name(&text(&c.name()?))
                    }
                })
                .collect(),
            None => self
                .cat
                .table(&table)
                .filter(|t| t.columns_known)
                .map(|t| t.columns.iter().map(|c| c.name.clone()).collect()),
        };
        let Some(columns) = columns else {
            return uses;
        };
        // `VALUES` right in the `INSERT`, not in a query that feeds it.
        let rows = i
            .syntax()
            .children()
            .find_map(ast::Values::cast)
            .and_then(|v| v.row_list())
            .into_iter()
            .flat_map(|l| l.rows());
        for row in rows {
            for (expr, column) in row.exprs().zip(&columns) {
                let ast::Expr::Literal(lit) = expr else {
                    continue;
                };
                let Some(label) = string_literal(&lit) else {
                    continue;
                };
                if let Some(ty) = self.enum_column_type(&table, column, &label) {
                    uses.push((ty, label, self.span(&lit)));
                }
            }
        }
        uses
    }

    /// The new-valued enum type that `table.column` is of, when `label` is one of its new
    /// values.
    fn enum_column_type(&self, table: &QName, column: &str, label: &str) -> Option<QName> {
        let col = self
            .cat
            .table(table)?
            .columns
            .iter()
            .find(|c| c.name == column)?;
        self.new_enum_values
            .iter()
            .find(|v| v.label == label && col.ty == sql_name(&v.ty))
            .map(|v| v.ty.clone())
    }
}

/// The name of a plain (not array) type.
fn path_type(ty: ast::Type) -> Option<QName> {
    let ast::Type::PathType(p) = ty else {
        return None;
    };
    qname(&text(&p.path_ref()?))
}
