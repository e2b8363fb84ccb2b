//! Schemas and extensions: created and dropped by name.

use super::{Change, Differ, Phase};

impl Differ<'_> {
    /// Schemas the desired schema has and the head does not.
    pub fn created_schemas(&self) -> Vec<String> {
        self.to
            .schemas
            .keys()
            .filter(|s| !self.from.schemas.contains_key(*s))
            .cloned()
            .collect()
    }

    /// Schemas the head has and the desired schema does not.
    pub fn dropped_schemas(&self) -> Vec<String> {
        self.from
            .schemas
            .keys()
            .filter(|s| !self.to.schemas.contains_key(*s))
            .cloned()
            .collect()
    }

    /// Extensions the desired schema has and the head does not.
    pub fn created_extensions(&self) -> Vec<String> {
        self.to
            .extensions
            .keys()
            .filter(|s| !self.from.extensions.contains_key(*s))
            .cloned()
            .collect()
    }

    /// Extensions the head has and the desired schema does not.
    pub fn dropped_extensions(&self) -> Vec<String> {
        self.from
            .extensions
            .keys()
            .filter(|s| !self.to.extensions.contains_key(*s))
            .cloned()
            .collect()
    }

    pub(super) fn namespaces(&mut self, changes: &mut Vec<(Phase, Change)>) {
        for s in self.created_schemas() {
            self.push(changes, Phase::Namespaces, Change::CreateSchema(s));
        }
        for e in self.created_extensions() {
            self.push(changes, Phase::Namespaces, Change::CreateExtension(e));
        }
        // Extensions before the schemas they may live in.
        for e in self.dropped_extensions() {
            self.push(changes, Phase::DropNamespaces, Change::DropExtension(e));
        }
        for s in self.dropped_schemas() {
            self.push(changes, Phase::DropNamespaces, Change::DropSchema(s));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::schema::diff::tests::{changes_between, up_sql};

    #[test]
    fn schemas_and_extensions_are_created_and_dropped() {
        let up = up_sql(&changes_between(
            "CREATE SCHEMA old; CREATE EXTENSION hstore;",
            "CREATE SCHEMA app; CREATE EXTENSION citext;",
        ));
        assert_eq!(
            up,
            "CREATE SCHEMA app;\nCREATE EXTENSION citext;\nDROP EXTENSION hstore;\nDROP SCHEMA old;\n"
        );
    }
}
