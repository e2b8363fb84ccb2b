//! What the style rules share: the columns a statement declares, on any table, with their
//! type as written.

use std::ops::Range;

use squawk_syntax::ast;

use crate::lint::{Context, sql};

/// A column declared by `CREATE TABLE` or `ADD COLUMN`: where, its name, its type in lower
/// case as written.
pub(super) struct Declared {
    /// The column definition's range in the file.
    pub range: Range<usize>,
    /// Its name as written.
    pub name: String,
    /// Its type, lower case, spaces squeezed.
    pub ty: String,
}

/// The columns `cx`'s statement declares.
pub(super) fn declared(cx: &Context) -> Vec<Declared> {
    let mut out = Vec::new();
    let mut push = |range, name: Option<ast::ColumnName>, ty: Option<ast::Type>| {
        if let (Some(name), Some(ty)) = (name, ty) {
            let ty = sql::text(&ty)
                .to_lowercase()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            out.push(Declared {
                range,
                name: sql::text(&name),
                ty,
            });
        }
    };
    match cx.stmt {
        ast::Stmt::CreateTable(s) => {
            for arg in s.table_arg_list().into_iter().flat_map(|l| l.args()) {
                if let ast::TableArg::Column(c) = arg {
                    push(cx.span(&c), c.name(), c.ty());
                }
            }
        }
        ast::Stmt::AlterTable(s) => {
            for a in s.actions() {
                if let ast::AlterTableAction::AddColumn(ac) = a {
                    push(cx.span(&ac), ac.column_name(), ac.ty());
                }
            }
        }
        _ => {}
    }
    out
}
