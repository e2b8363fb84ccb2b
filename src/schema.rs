//! What the typed schema of [`migrations!`](crate::migrations) is made of: [`Table`] and
//! [`Column`] constants, the [`FromRow`] conversion of its row structs, and [`Raw`], the value
//! of a column whose type has no Rust type of its own.

use std::error::Error as StdError;
use std::fmt;

use postgres::types::{FromSql, Type};

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
/// Every `Row` struct of the typed schema implements it (and `TryFrom<&postgres::Row>`, which
/// calls it). The row must have a column of each name; the columns it has beyond those are
/// ignored. A missing column, or a value whose PostgreSQL type does not convert to the
/// field's type (a NULL in a field that is not an `Option`), is the `postgres` crate's error.
pub trait FromRow: Sized {
    /// Reads every field from `row`.
    fn from_row(row: &postgres::Row) -> Result<Self, postgres::Error>;
}

/// The value of a column whose type has no Rust type in the typed schema (timestamps, `uuid`,
/// `json`, `numeric`, enums, domains, extension types …): its PostgreSQL type and the bytes
/// PostgreSQL sent, in the binary format the `postgres` crate asks for (a `uuid` is its 16
/// bytes, a `timestamptz` the big-endian microseconds since 2000-01-01, an enum its label).
///
/// NULL is not a `Raw`: a nullable column's field is `Option<Raw>`. [`Raw::decode`] turns it
/// into any type that implements [`FromSql`] for its type, such as `chrono::DateTime<Utc>`
/// when the `postgres` crate's `with-chrono-0_4` feature is on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Raw {
    ty: Type,
    bytes: Vec<u8>,
}

impl Raw {
    /// A value of type `ty` with the bytes `bytes`.
    pub fn new(ty: Type, bytes: Vec<u8>) -> Self {
        Raw { ty, bytes }
    }

    /// The value's PostgreSQL type, as the server described the column.
    pub fn ty(&self) -> &Type {
        &self.ty
    }

    /// The bytes, in PostgreSQL's binary format for [`Raw::ty`].
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The bytes, owned.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// The value as `T`, if `T` reads this type (an error otherwise, or if the bytes are not
    /// a valid `T`).
    pub fn decode<'a, T: FromSql<'a>>(&'a self) -> Result<T, Box<dyn StdError + Sync + Send>> {
        if !T::accepts(&self.ty) {
            return Err(format!(
                "cannot read a value of type {} as {}",
                self.ty,
                std::any::type_name::<T>()
            )
            .into());
        }
        T::from_sql(&self.ty, &self.bytes)
    }
}

impl<'a> FromSql<'a> for Raw {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        Ok(Raw::new(ty.clone(), raw.to_vec()))
    }

    /// Every type.
    fn accepts(_: &Type) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_reads_any_type_and_decodes_to_what_accepts_it() {
        assert!(<Raw as FromSql>::accepts(&Type::UUID));
        assert!(<Raw as FromSql>::accepts(&Type::INT4_ARRAY));
        let raw = Raw::from_sql(&Type::INT4, &7i32.to_be_bytes()).unwrap();
        assert_eq!(raw.ty(), &Type::INT4);
        assert_eq!(raw.bytes(), [0, 0, 0, 7]);
        assert_eq!(raw.decode::<i32>().unwrap(), 7);
        let err = raw.decode::<String>().unwrap_err().to_string();
        assert!(err.contains("cannot read a value of type int4"), "{err}");
        assert_eq!(raw.into_bytes(), vec![0, 0, 0, 7]);
    }

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
