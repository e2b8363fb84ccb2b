//! [`SchemaShape`]: what the typed schema needs of a catalog — each table's name, whether the
//! model knows it, and its columns with their types and nullability — as a small value that
//! the build script can write down for the macro ([`crate::handoff`]), so that the macro does
//! not replay every migration again to learn it.

use super::catalog::{Catalog, Ns, QName, RelKind};

/// A catalog as the typed schema reads it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SchemaShape {
    /// Whether the model knows nothing at all (a statement it does not follow made every
    /// object unknown).
    pub all_unknown: bool,
    /// The tables, in name order.
    pub tables: Vec<TableShape>,
}

/// One table of a catalog, as the typed schema reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableShape {
    /// Its name.
    pub name: QName,
    /// Whether the model knows that it exists (a statement it does not follow may have
    /// dropped or renamed it): the typed schema leaves an unknown table out.
    pub known: bool,
    /// Its columns in order, or `None` when they are not all known.
    pub columns: Option<Vec<ColumnShape>>,
}

/// One column of a [`TableShape`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnShape {
    /// Its name.
    pub name: String,
    /// Its type, normalised as the catalog holds it (`integer`, `character varying(20)`).
    pub ty: String,
    /// Whether it may hold NULL: neither `NOT NULL` nor in the primary key.
    pub nullable: bool,
}

/// What the typed schema needs of `catalog`.
///
/// ```
/// use retort_core::check::{Input, Options, check_texts};
/// use retort_core::schema::shape::SchemaShape;
///
/// let text = "-- revision: 001\n-- down_revision: none\n\n-- migrate:up\n\
///             CREATE TABLE t (id int PRIMARY KEY, note text);\n\n-- migrate:down\nDROP TABLE t;\n";
/// let input = Input { name: "001_t.sql".into(), text: text.into() };
/// let report = check_texts(&[input], "migrations", &Options::default());
/// let catalog = report.schema.catalogs[0].as_ref().expect("replayed");
/// let shape = SchemaShape::of(catalog);
/// let columns = shape.tables[0].columns.as_ref().expect("known");
/// assert_eq!((columns[0].nullable, columns[1].nullable), (false, true));
/// ```
impl SchemaShape {
    /// What the typed schema needs of `catalog`.
    pub fn of(catalog: &Catalog) -> Self {
        SchemaShape {
            all_unknown: catalog.all_unknown(),
            tables: tables_of(catalog),
        }
    }
}

fn tables_of(catalog: &Catalog) -> Vec<TableShape> {
    catalog
        .relations
        .iter()
        .filter_map(|(name, obj)| {
            let RelKind::Table(table) = &obj.value else {
                return None;
            };
            let pk: &[String] = table.primary_key().unwrap_or_default();
            let columns = table.columns_known.then(|| {
                table
                    .columns
                    .iter()
                    .map(|c| ColumnShape {
                        name: c.name.clone(),
                        ty: c.ty.clone(),
                        nullable: !c.not_null && !pk.contains(&c.name),
                    })
                    .collect()
            });
            Some(TableShape {
                name: name.clone(),
                known: catalog.knows(Ns::Relation, name),
                columns,
            })
        })
        .collect()
}

/// `shape` as text for [`decode`]: every string length-prefixed, so that any name (a quoted
/// identifier may hold a newline) comes back unchanged.
pub fn encode(shape: &SchemaShape) -> String {
    let tables = &shape.tables;
    let mut out = String::new();
    let mut put = |s: &str| {
        out.push_str(&s.len().to_string());
        out.push(':');
        out.push_str(s);
    };
    put(if shape.all_unknown { "u" } else { "k" });
    put(&tables.len().to_string());
    for t in tables {
        put(&t.name.schema);
        put(&t.name.name);
        put(if t.known { "k" } else { "u" });
        match &t.columns {
            None => put("-"),
            Some(columns) => {
                put(&columns.len().to_string());
                for c in columns {
                    put(&c.name);
                    put(&c.ty);
                    put(if c.nullable { "n" } else { "v" });
                }
            }
        }
    }
    out
}

/// The shape [`encode`] wrote, or `None` if `text` is not such a text.
pub fn decode(text: &str) -> Option<SchemaShape> {
    let mut rest = text;
    let mut next = || -> Option<&str> {
        let (len, after) = rest.split_once(':')?;
        let len: usize = len.parse().ok()?;
        let value = after.get(..len)?;
        rest = &after[len..];
        Some(value)
    };
    let all_unknown = match next()? {
        "u" => true,
        "k" => false,
        _ => return None,
    };
    let count: usize = next()?.parse().ok()?;
    let mut tables = Vec::with_capacity(count.min(1 << 16));
    for _ in 0..count {
        let name = QName {
            schema: next()?.to_owned(),
            name: next()?.to_owned(),
        };
        let known = match next()? {
            "k" => true,
            "u" => false,
            _ => return None,
        };
        let columns = match next()? {
            "-" => None,
            n => {
                let n: usize = n.parse().ok()?;
                let mut columns = Vec::with_capacity(n.min(1 << 12));
                for _ in 0..n {
                    let name = next()?.to_owned();
                    let ty = next()?.to_owned();
                    let nullable = match next()? {
                        "n" => true,
                        "v" => false,
                        _ => return None,
                    };
                    columns.push(ColumnShape { name, ty, nullable });
                }
                Some(columns)
            }
        };
        tables.push(TableShape {
            name,
            known,
            columns,
        });
    }
    rest.is_empty().then_some(SchemaShape {
        all_unknown,
        tables,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> SchemaShape {
        let tables = vec![
            TableShape {
                name: QName {
                    schema: "public".into(),
                    name: "odd:\nname 7:".into(),
                },
                known: true,
                columns: Some(vec![
                    ColumnShape {
                        name: "id".into(),
                        ty: "integer".into(),
                        nullable: false,
                    },
                    ColumnShape {
                        name: "é:".into(),
                        ty: "character varying(20)".into(),
                        nullable: true,
                    },
                ]),
            },
            TableShape {
                name: QName {
                    schema: "app".into(),
                    name: "".into(),
                },
                known: false,
                columns: None,
            },
        ];
        SchemaShape {
            all_unknown: false,
            tables,
        }
    }

    #[test]
    fn encoded_tables_come_back_unchanged() {
        let shape = sample();
        assert_eq!(decode(&encode(&shape)), Some(shape));
        let empty = SchemaShape {
            all_unknown: true,
            tables: vec![],
        };
        assert_eq!(decode(&encode(&empty)), Some(empty));
    }

    #[test]
    fn a_damaged_text_is_refused() {
        let text = encode(&sample());
        for cut in 0..text.len() {
            if text.is_char_boundary(cut) {
                assert_eq!(decode(&text[..cut]), None, "cut at {cut}");
            }
        }
        assert_eq!(decode(&format!("{text}x")), None);
        assert_eq!(decode(&text.replacen("1:k", "1:x", 1)), None);
    }
}
