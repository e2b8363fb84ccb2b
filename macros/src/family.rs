//! The crates a call can choose for the PostgreSQL types that have no type in the standard
//! library: `types = [chrono, uuid, serde_json]`.

use proc_macro2::TokenStream;
use quote::quote;

/// A crate whose types the typed schema can use, when the call lists it in `types`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TypeFamily {
    /// Timestamps, dates and times as chrono's types.
    Chrono,
    /// `uuid` as `uuid::Uuid`.
    Uuid,
    /// `json` and `jsonb` as `serde_json::Value`.
    SerdeJson,
}

impl TypeFamily {
    /// Every family, in the order the messages list them.
    pub const ALL: [TypeFamily; 3] = [TypeFamily::Chrono, TypeFamily::Uuid, TypeFamily::SerdeJson];

    /// The name in `types = […]`: the crate's, which is also the feature of `retort` that
    /// makes it available.
    pub fn name(self) -> &'static str {
        match self {
            TypeFamily::Chrono => "chrono",
            TypeFamily::Uuid => "uuid",
            TypeFamily::SerdeJson => "serde_json",
        }
    }

    /// The family of a name in `types = […]`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The generated item that fails the build, naming the feature to turn on, when the
    /// family's feature of `retort` is off (`::retort::__types_chrono! {}`).
    pub fn feature_check(self) -> TokenStream {
        match self {
            TypeFamily::Chrono => quote!(::retort::__types_chrono! {}),
            TypeFamily::Uuid => quote!(::retort::__types_uuid! {}),
            TypeFamily::SerdeJson => quote!(::retort::__types_serde_json! {}),
        }
    }
}

/// The families a call lists, as "`chrono`, `uuid` and `serde_json`".
pub fn name_list() -> String {
    let quoted: Vec<String> = TypeFamily::ALL
        .iter()
        .map(|f| format!("`{}`", f.name()))
        .collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => quoted.concat(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for family in TypeFamily::ALL {
            assert_eq!(TypeFamily::from_name(family.name()), Some(family));
        }
        assert_eq!(TypeFamily::from_name("serde"), None);
        assert_eq!(name_list(), "`chrono`, `uuid` and `serde_json`");
    }
}
