//! Types: enums created, dropped, renamed, their values added (`ADD VALUE … BEFORE|AFTER`),
//! renamed, or removed (a rebuild of the type: PostgreSQL cannot drop a value). Other types
//! (composite, range, base, domains) are not compared.

use super::{Change, Differ, EnumPosition, EnumUser, ObjectKind, Phase, Problem, insert_value};
use crate::schema::catalog::{QName, RelKind, TypeDef, sql_name};

/// How an enum's values change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueChange {
    /// Values added, each at its place, in the order to add them.
    Added(Vec<(String, EnumPosition)>),
    /// Values removed or reordered: the type is rebuilt.
    Rebuilt,
}

impl Differ<'_> {
    /// Enum types of the desired schema that the head has under no name.
    pub fn created_enums(&self) -> Vec<(QName, Vec<String>)> {
        self.to
            .types
            .iter()
            .filter_map(|(n, t)| match &t.value {
                TypeDef::Enum(v) if !self.from.types.contains_key(&self.old_type_name(n)) => {
                    Some((n.clone(), v.clone()))
                }
                _ => None,
            })
            .collect()
    }

    /// Enum types of the head that the desired schema has under no name.
    pub fn dropped_enums(&self) -> Vec<(QName, Vec<String>)> {
        self.from
            .types
            .iter()
            .filter_map(|(n, t)| match &t.value {
                TypeDef::Enum(v)
                    if !self.type_renames.contains_key(n) && !self.to.types.contains_key(n) =>
                {
                    Some((n.clone(), v.clone()))
                }
                _ => None,
            })
            .collect()
    }

    /// Types renamed by annotation: (old, new).
    pub fn renamed_types(&self) -> Vec<(QName, QName)> {
        self.type_renames
            .iter()
            .map(|(o, n)| (o.clone(), n.clone()))
            .collect()
    }

    /// The head's values of the enum the desired schema names `ty`, with the annotated value
    /// renames applied.
    fn current_values(&self, ty: &QName) -> Option<Vec<String>> {
        let TypeDef::Enum(values) = &self.from.types.get(&self.old_type_name(ty))?.value else {
            return None;
        };
        let mut values = values.clone();
        for (old, new) in self.value_renames.get(ty).into_iter().flatten() {
            if let Some(v) = values.iter_mut().find(|v| *v == old) {
                *v = new.clone();
            }
        }
        Some(values)
    }

    /// How the values of the enum `ty` (by its desired name) change, if they do.
    pub fn changed_enum_values(&self, ty: &QName) -> Option<ValueChange> {
        let cur = self.current_values(ty)?;
        let TypeDef::Enum(want) = &self.to.types.get(ty)?.value else {
            return None;
        };
        if cur == *want {
            return None;
        }
        let kept: Vec<&String> = want.iter().filter(|v| cur.contains(v)).collect();
        if kept.len() != cur.len() || kept.iter().zip(&cur).any(|(a, b)| *a != b) {
            return Some(ValueChange::Rebuilt);
        }
        let mut now = cur.clone();
        let mut added = Vec::new();
        for (i, v) in want.iter().enumerate() {
            if now.contains(v) {
                continue;
            }
            let position = if i == 0 {
                now.first()
                    .map_or(EnumPosition::Last, |f| EnumPosition::Before(f.clone()))
            } else if now.last() == Some(&want[i - 1]) {
                EnumPosition::Last
            } else {
                EnumPosition::After(want[i - 1].clone())
            };
            insert_value(&mut now, v.clone(), &position);
            added.push((v.clone(), position));
        }
        Some(ValueChange::Added(added))
    }

    /// The head's columns of the enum `old` (or arrays of it), for a rebuild.
    fn enum_users(&mut self, old: &QName) -> Vec<EnumUser> {
        let name = sql_name(old);
        let mut users = Vec::new();
        let mut unknown = Vec::new();
        for (t, r) in self.from.relations.iter() {
            let RelKind::Table(table) = &r.value else {
                continue;
            };
            for c in &table.columns {
                let array = c.ty == format!("{name}[]");
                if c.ty != name && !array {
                    continue;
                }
                let default = if c.default {
                    match c.default_sql.get() {
                        Some(d) => Some(d.to_owned()),
                        None => {
                            unknown.push(format!("{t}.{}", c.name));
                            None
                        }
                    }
                } else {
                    None
                };
                users.push(EnumUser {
                    table: t.clone(),
                    column: c.name.clone(),
                    array,
                    default,
                });
            }
        }
        for u in unknown {
            self.out.problems.push(Problem::Unsupported {
                what: format!(
                    "the values of enum `{old}` change, and column `{u}` of that type has a \
                     default whose expression the model did not keep"
                ),
                at: None,
            });
        }
        users
    }

    pub(super) fn types(&mut self, changes: &mut Vec<(Phase, Change)>) {
        for (from, to) in self.renamed_types() {
            self.push(changes, Phase::Types, Change::RenameType { from, to });
        }
        for (name, values) in self.created_enums() {
            self.push(changes, Phase::Types, Change::CreateEnum { name, values });
        }
        let kept: Vec<QName> = self
            .to
            .types
            .iter()
            .filter(|(n, t)| {
                matches!(t.value, TypeDef::Enum(_))
                    && self.from.types.contains_key(&self.old_type_name(n))
            })
            .map(|(n, _)| n.clone())
            .collect();
        for ty in kept {
            for (from, to) in self.value_renames.get(&ty).cloned().unwrap_or_default() {
                self.push(
                    changes,
                    Phase::Types,
                    Change::RenameEnumValue {
                        ty: ty.clone(),
                        from,
                        to,
                    },
                );
            }
            let old = self.old_type_name(&ty);
            match self.changed_enum_values(&ty) {
                None => {}
                Some(ValueChange::Added(values)) => {
                    let mut before = self.current_values(&ty).unwrap_or_default();
                    let users = self.enum_users(&old);
                    for (value, position) in values {
                        let now = before.clone();
                        insert_value(&mut before, value.clone(), &position);
                        self.push(
                            changes,
                            Phase::Types,
                            Change::AddEnumValue {
                                ty: ty.clone(),
                                value,
                                position,
                                before: now,
                                users: users.clone(),
                            },
                        );
                    }
                }
                Some(ValueChange::Rebuilt) => {
                    let cur = self.current_values(&ty).unwrap_or_default();
                    let Some(TypeDef::Enum(want)) = self.to.types.get(&ty).map(|t| &t.value) else {
                        continue;
                    };
                    let want = want.clone();
                    for v in cur.iter().filter(|v| !want.contains(v)) {
                        self.drop(ObjectKind::EnumValue, format!("{ty} '{v}'"), true);
                    }
                    let users = self.enum_users(&old);
                    self.push(
                        changes,
                        Phase::Types,
                        Change::RebuildEnum {
                            ty: ty.clone(),
                            from: cur,
                            to: want,
                            users,
                        },
                    );
                }
            }
        }
        for (name, values) in self.dropped_enums() {
            self.drop(ObjectKind::Type, name.to_string(), false);
            self.push(changes, Phase::DropTypes, Change::DropEnum { name, values });
        }
        // Other types: not compared (their definitions are not kept).
        let mut others: Vec<String> = Vec::new();
        for (side, cat) in [("head", self.from), ("desired schema", self.to)] {
            for (n, t) in cat.types.iter() {
                if matches!(t.value, TypeDef::Other) {
                    others.push(format!(
                        "type `{n}` (in the {side}): composite, range, base types and domains \
                         are not compared"
                    ));
                }
            }
        }
        for o in others {
            self.not_compared(o);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::schema::diff::tests::{changes_between, down_sql, up_sql};

    #[test]
    fn values_are_added_in_place() {
        let c = changes_between(
            "CREATE TYPE mood AS ENUM ('sad', 'happy');",
            "CREATE TYPE mood AS ENUM ('meh', 'sad', 'ok', 'happy', 'great');",
        );
        assert_eq!(
            up_sql(&c),
            "ALTER TYPE mood ADD VALUE 'meh' BEFORE 'sad';\n\
             ALTER TYPE mood ADD VALUE 'ok' AFTER 'sad';\n\
             ALTER TYPE mood ADD VALUE 'great';\n"
        );
        // The down rebuilds the type without them.
        let down = down_sql(&c);
        assert!(
            down.contains("CREATE TYPE mood AS ENUM ('sad', 'happy');"),
            "{down}"
        );
    }

    #[test]
    fn a_value_used_in_the_same_revision_is_added_by_a_rebuild() {
        let c = changes_between(
            "CREATE TYPE mood AS ENUM ('sad');\nCREATE TABLE t (m mood);",
            "CREATE TYPE mood AS ENUM ('sad', 'meh', 'ok');\nCREATE TABLE t (m mood DEFAULT 'meh');",
        );
        let up = up_sql(&c);
        assert!(!up.contains("ADD VALUE"), "{up}");
        assert!(
            up.contains("CREATE TYPE mood AS ENUM ('sad', 'meh', 'ok');"),
            "{up}"
        );
        assert!(down_sql(&c).contains("CREATE TYPE mood AS ENUM ('sad');"));
    }

    #[test]
    fn removed_values_are_a_drop_and_a_rebuild() {
        let d = crate::schema::diff::tests::diff_of(
            "CREATE TYPE mood AS ENUM ('sad', 'happy');\nCREATE TABLE t (m mood DEFAULT 'sad');",
            "CREATE TYPE mood AS ENUM ('happy');\nCREATE TABLE t (m mood);",
            false,
        );
        assert_eq!(d.drops.len(), 1, "{:?}", d.drops);
        assert_eq!(d.drops[0].name, "mood 'sad'");
        assert!(!d.problems.is_empty());
    }

    #[test]
    fn enums_are_created_renamed_and_dropped() {
        let c = changes_between(
            "CREATE TYPE a AS ENUM ('x'); CREATE TYPE gone AS ENUM ('y');",
            "-- retort:renamed_from a\nCREATE TYPE b AS ENUM ('x'); CREATE TYPE c AS ENUM ('z');",
        );
        assert_eq!(
            up_sql(&c),
            "ALTER TYPE a RENAME TO b;\nCREATE TYPE c AS ENUM ('z');\nDROP TYPE gone;\n"
        );
    }
}
