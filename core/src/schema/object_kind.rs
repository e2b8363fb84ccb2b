//! [`ObjectKind`]: the kinds of object a message names ("table `x` does not exist"), with
//! the words PostgreSQL uses for them and the namespace each lives in.

use std::fmt;

use crate::schema::catalog::{Ns, RelKind};

/// A kind of object, as a message names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ObjectKind {
    /// Any relation, when the statement does not say which kind.
    Relation,
    /// A table.
    Table,
    /// A view.
    View,
    /// A materialized view.
    MaterializedView,
    /// An index.
    Index,
    /// A sequence.
    Sequence,
    /// A type (or domain).
    Type,
    /// A function or procedure.
    Function,
    /// A trigger.
    Trigger,
    /// An extension.
    Extension,
    /// A schema.
    Schema,
}

impl ObjectKind {
    /// The kind of the relation `r`.
    pub(super) fn of(r: &RelKind) -> Self {
        match r {
            RelKind::Table(_) => ObjectKind::Table,
            RelKind::View {
                materialized: false,
                ..
            } => ObjectKind::View,
            RelKind::View {
                materialized: true, ..
            } => ObjectKind::MaterializedView,
            RelKind::Index { .. } => ObjectKind::Index,
            RelKind::Sequence { .. } => ObjectKind::Sequence,
        }
    }

    /// The namespace objects of this kind live in.
    pub(super) fn ns(self) -> Ns {
        match self {
            ObjectKind::Relation
            | ObjectKind::Table
            | ObjectKind::View
            | ObjectKind::MaterializedView
            | ObjectKind::Index
            | ObjectKind::Sequence => Ns::Relation,
            ObjectKind::Type => Ns::Type,
            ObjectKind::Function => Ns::Function,
            ObjectKind::Trigger => Ns::Trigger,
            ObjectKind::Extension => Ns::Extension,
            ObjectKind::Schema => Ns::Schema,
        }
    }
}

impl fmt::Display for ObjectKind {
    /// The kind as a message says it: `table`, `materialized view`, …
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ObjectKind::Relation => "relation",
            ObjectKind::Table => "table",
            ObjectKind::View => "view",
            ObjectKind::MaterializedView => "materialized view",
            ObjectKind::Index => "index",
            ObjectKind::Sequence => "sequence",
            ObjectKind::Type => "type",
            ObjectKind::Function => "function",
            ObjectKind::Trigger => "trigger",
            ObjectKind::Extension => "extension",
            ObjectKind::Schema => "schema",
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::ObjectKind;
    use crate::schema::catalog::{QName, RelKind, Table, Written};

    /// A relation's kind says the same word as the catalog's [`RelKind::word`], which the
    /// merge and reversibility messages use.
    #[test]
    fn relation_kinds_say_the_catalogs_words() {
        let kinds = [
            RelKind::Table(Arc::new(Table {
                columns: Vec::new(),
                constraints: Vec::new(),
                columns_known: true,
                constraints_known: true,
            })),
            RelKind::View {
                materialized: false,
                mentions: Arc::default(),
                sql: Written::unknown(),
            },
            RelKind::View {
                materialized: true,
                mentions: Arc::default(),
                sql: Written::unknown(),
            },
            RelKind::Index {
                table: QName::new("public", "t"),
                unique: false,
                columns: None,
                uses: None,
                constraint: false,
                name_exact: true,
                sql: Written::unknown(),
            },
            RelKind::Sequence {
                owned_by: None,
                options: None,
            },
        ];
        for k in &kinds {
            assert_eq!(ObjectKind::of(k).to_string(), k.word());
        }
    }
}
