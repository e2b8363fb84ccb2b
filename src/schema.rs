//! What the typed schema that [`migrations!`](crate::migrations) generates (`db::schema`) is
//! made of: [`Table`] and [`Column`] constants, the [`FromRow`] conversion of its row
//! structs, [`Raw`], the value of a column whose type has no Rust type of its own, and
//! [`types`], the crates whose types a call can choose for dates, times, `uuid` and `json`.
//!
//! ```
//! # mod db { retort::migrations!("examples/hello/migrations", untracked); }
//! use retort::schema::{Column, FromRow, Table};
//!
//! let table: Table = db::schema::users::TABLE;
//! let email: Column = db::schema::users::EMAIL;
//! assert_eq!(format!("SELECT {email} FROM {table}"), "SELECT email FROM users");
//!
//! fn first<R: FromRow>(rows: &[retort::postgres::Row]) -> Option<R> {
//!     rows.first().and_then(|row| R::from_row(row).ok())
//! }
//! let _: fn(&[retort::postgres::Row]) -> Option<db::schema::users::Row> = first;
//! ```

use std::fmt;

mod raw;
pub mod types;

pub use raw::Raw;

/// A table of the typed schema: `schema::users::TABLE`.
///
/// Its [`Display`](fmt::Display) is the name as SQL needs it, quoted where PostgreSQL
/// requires and qualified unless the table is in `public`: `users`, `"User"`,
/// `audit.events`; so `format!("SELECT * FROM {}", schema::users::TABLE)` is valid SQL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Table {
    schema: &'static str,
    name: &'static str,
    sql: &'static str,
}

impl Table {
    /// A table: its schema and name as PostgreSQL holds them, and the SQL text naming it.
    /// Called by the generated code.
    #[doc(hidden)]
    pub const fn new(schema: &'static str, name: &'static str, sql: &'static str) -> Self {
        Table { schema, name, sql }
    }

    /// The table's name as PostgreSQL holds it (`users`; `User` for `"User"`).
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The table's schema (`public` when the migrations name none).
    pub const fn schema(&self) -> &'static str {
        self.schema
    }

    /// The name as SQL text: quoted where needed, qualified unless in `public`.
    pub const fn sql(&self) -> &'static str {
        self.sql
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.sql)
    }
}

/// A column of the typed schema: `schema::users::EMAIL`.
///
/// Its [`Display`](fmt::Display) is the name as SQL needs it (quoted where PostgreSQL
/// requires: `email`, `"E-mail"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Column {
    name: &'static str,
    sql: &'static str,
    sql_type: &'static str,
    nullable: bool,
}

impl Column {
    /// A column: its name as PostgreSQL holds it, that name as SQL text, its type as
    /// `format_type` prints it, and whether it may be NULL. Called by the generated code.
    #[doc(hidden)]
    pub const fn new(
        name: &'static str,
        sql: &'static str,
        sql_type: &'static str,
        nullable: bool,
    ) -> Self {
        Column {
            name,
            sql,
            sql_type,
            nullable,
        }
    }

    /// The column's name as PostgreSQL holds it.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The name as SQL text, quoted where needed.
    pub const fn sql(&self) -> &'static str {
        self.sql
    }

    /// The type as PostgreSQL's `format_type` prints it: `integer`, `character varying(255)`,
    /// `timestamp with time zone`, `text[]`, `mood`.
    pub const fn sql_type(&self) -> &'static str {
        self.sql_type
    }

    /// Whether the column may be NULL (no `NOT NULL`, not in the primary key); its field in
    /// the row struct is then an `Option`.
    pub const fn is_nullable(&self) -> bool {
        self.nullable
    }
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.sql)
    }
}

/// A struct built from a row a query returned, column by column, by name.
///
/// Every `Row` struct of the typed schema has it, through its `TryFrom<&postgres::Row>`: the
/// trait is implemented for every type that converts from a row with the `postgres` crate's
/// error (one impl a table is cheaper for rustc than two, at every build). Implement it for
/// a type of your own, or implement that `TryFrom`. The row must have a column of each name;
/// the columns it has beyond those are ignored. A missing column, or a value whose
/// PostgreSQL type does not convert to the field's type (a NULL in a field that is not an
/// `Option`), is the `postgres` crate's error.
pub trait FromRow: Sized {
    /// Reads every field from `row`.
    fn from_row(row: &postgres::Row) -> Result<Self, postgres::Error>;
}

impl<T> FromRow for T
where
    T: for<'a> TryFrom<&'a postgres::Row, Error = postgres::Error>,
{
    fn from_row(row: &postgres::Row) -> Result<Self, postgres::Error> {
        T::try_from(row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_display_as_sql() {
        let t = Table::new("audit", "Events", "audit.\"Events\"");
        assert_eq!(t.to_string(), "audit.\"Events\"");
        assert_eq!((t.schema(), t.name()), ("audit", "Events"));
        let c = Column::new("E-mail", "\"E-mail\"", "text", true);
        assert_eq!(
            format!("SELECT {c} FROM {t}"),
            "SELECT \"E-mail\" FROM audit.\"Events\""
        );
        assert!(c.is_nullable());
        assert_eq!((c.name(), c.sql_type()), ("E-mail", "text"));
    }
}
