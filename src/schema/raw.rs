//! [`Raw`]: a column's value as PostgreSQL sent it.

use std::error::Error as StdError;

use postgres::types::{FromSql, Type};

/// The value of a column whose type has no Rust type in the typed schema (`numeric`,
/// `interval`, enums, domains, extension types …, and timestamps, dates, times, `uuid` and
/// `json` unless the call's `types = […]` names a crate for them: see
/// [`types`](super::types)): its PostgreSQL type and the bytes PostgreSQL sent, in the binary
/// format the `postgres` crate asks for (a `uuid` is its 16 bytes, a `timestamptz` the
/// big-endian microseconds since 2000-01-01, an enum its label).
///
/// NULL is not a `Raw`: a nullable column's field is `Option<Raw>`. [`Raw::decode`] turns it
/// into any type that implements [`FromSql`] for its type, such as `chrono::DateTime<Utc>`
/// when the `postgres` crate's `with-chrono-0_4` feature is on (retort's `chrono` feature
/// turns it on).
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
}
