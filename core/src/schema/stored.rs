//! [`Stored`] for the [`Catalog`] and every type it holds, so that the head catalog can be
//! kept between two build-script runs and the next check replays only the new migrations
//! (see [`crate::codec`] for the encoding, private to one version of `retort-core`).
//!
//! Structs are written field by field through [`stored_struct!`], which names every field (a
//! field added to a type and not here is a compile error); enums by hand, a tag byte per
//! variant, then the variant's fields. [`Written`](super::catalog::Written)'s impl is in
//! `catalog.rs`, by its private field.

use super::catalog::{
    Catalog, Column, Constraint, ConstraintKind, Ddl, FnDef, Ns, Obj, Origin, PMap, QName, RelKind,
    Table, Trigger, TypeDef, Unknown,
};
use super::routine::{
    Arg, ArgMode, Body, Parallel, Returns, Routine, RoutineKind, SqlText, Volatility,
};
use super::sequence::{SeqType, SequenceOptions};
use super::trigger_def::{Events, Timing, TriggerDef};
use crate::codec::{Reader, Stored, Writer, stored_struct};

stored_struct!(Origin { file, range });
stored_struct!(QName { schema, name });
stored_struct!(Column {
    name,
    ty,
    not_null,
    default,
    identity,
    identity_always,
    generated,
    default_sql,
    generated_sql,
    collation,
});
stored_struct!(Constraint {
    name,
    name_exact,
    kind,
    columns,
    sql,
});
stored_struct!(Table {
    columns,
    constraints,
    columns_known,
    constraints_known,
});
stored_struct!(Unknown {
    all,
    ns,
    names,
    prefixes,
});
stored_struct!(FnDef {
    ddl,
    sigs,
    mentions,
    defs,
});
stored_struct!(Trigger { function, def });
stored_struct!(Catalog {
    relations,
    types,
    functions,
    triggers,
    extensions,
    schemas,
    dropped,
    unknown,
    refs,
});
stored_struct!(Routine {
    kind,
    args,
    returns,
    language,
    body,
    window,
    volatility,
    strict,
    security_definer,
    leakproof,
    parallel,
    cost,
    rows,
    config,
});
stored_struct!(Arg {
    mode,
    name,
    ty,
    default,
});
stored_struct!(TriggerDef {
    constraint,
    timing,
    events,
    from_table,
    deferrable,
    initially_deferred,
    referencing,
    for_each_row,
    when,
    function,
    args,
});
stored_struct!(Events {
    insert,
    delete,
    update,
    truncate,
});
stored_struct!(SequenceOptions {
    data_type,
    increment,
    min,
    max,
    start,
    cache,
    cycle,
});

/// Implements [`Stored`] for an enum without fields: a tag byte per variant, in the order
/// listed (a variant added to the enum and not here is a compile error in `put`).
macro_rules! stored_unit_enum {
    ($ty:ident { $($variant:ident = $tag:literal),* $(,)? }) => {
        impl Stored for $ty {
            fn put(&self, w: &mut Writer) {
                w.byte(match self {
                    $( $ty::$variant => $tag, )*
                });
            }

            fn take(r: &mut Reader<'_>) -> Option<Self> {
                match r.byte()? {
                    $( $tag => Some($ty::$variant), )*
                    _ => None,
                }
            }
        }
    };
}

stored_unit_enum!(Ns {
    Relation = 0,
    Type = 1,
    Function = 2,
    Trigger = 3,
    Extension = 4,
    Schema = 5,
});
stored_unit_enum!(Ddl {
    None = 0,
    Triggers = 1,
    Any = 2,
});
stored_unit_enum!(RoutineKind {
    Function = 0,
    Procedure = 1,
});
stored_unit_enum!(ArgMode {
    In = 0,
    Out = 1,
    InOut = 2,
    Variadic = 3,
});
stored_unit_enum!(Volatility {
    Volatile = 0,
    Stable = 1,
    Immutable = 2,
});
stored_unit_enum!(Parallel {
    Unsafe = 0,
    Restricted = 1,
    Safe = 2,
});
stored_unit_enum!(Timing {
    Before = 0,
    After = 1,
    InsteadOf = 2,
});
stored_unit_enum!(SeqType {
    SmallInt = 0,
    Integer = 1,
    BigInt = 2,
});

impl Stored for SqlText {
    fn put(&self, w: &mut Writer) {
        let SqlText(text) = self;
        text.put(w);
    }

    fn take(r: &mut Reader<'_>) -> Option<Self> {
        String::take(r).map(SqlText)
    }
}

impl<T: Stored> Stored for Obj<T> {
    fn put(&self, w: &mut Writer) {
        let Obj {
            value,
            origin,
            if_not_exists,
        } = self;
        value.put(w);
        origin.put(w);
        if_not_exists.put(w);
    }

    fn take(r: &mut Reader<'_>) -> Option<Self> {
        Some(Obj {
            value: T::take(r)?,
            origin: Origin::take(r)?,
            if_not_exists: bool::take(r)?,
        })
    }
}

/// Its length, then its entries in key order.
impl<K: Stored + Ord + Clone, V: Stored + Clone> Stored for PMap<K, V> {
    fn put(&self, w: &mut Writer) {
        w.usize(self.len());
        for (k, v) in self.iter() {
            k.put(w);
            v.put(w);
        }
    }

    fn take(r: &mut Reader<'_>) -> Option<Self> {
        let n = r.count()?;
        let mut m = PMap::new();
        for _ in 0..n {
            let k = K::take(r)?;
            m.insert(k, V::take(r)?);
        }
        Some(m)
    }
}

impl Stored for ConstraintKind {
    fn put(&self, w: &mut Writer) {
        match self {
            ConstraintKind::PrimaryKey => w.byte(0),
            ConstraintKind::Unique => w.byte(1),
            ConstraintKind::Check => w.byte(2),
            ConstraintKind::ForeignKey { table, columns } => {
                w.byte(3);
                table.put(w);
                columns.put(w);
            }
            ConstraintKind::NotNull => w.byte(4),
            ConstraintKind::Other => w.byte(5),
        }
    }

    fn take(r: &mut Reader<'_>) -> Option<Self> {
        Some(match r.byte()? {
            0 => ConstraintKind::PrimaryKey,
            1 => ConstraintKind::Unique,
            2 => ConstraintKind::Check,
            3 => ConstraintKind::ForeignKey {
                table: Stored::take(r)?,
                columns: Stored::take(r)?,
            },
            4 => ConstraintKind::NotNull,
            5 => ConstraintKind::Other,
            _ => return None,
        })
    }
}

impl Stored for RelKind {
    fn put(&self, w: &mut Writer) {
        match self {
            RelKind::Table(table) => {
                w.byte(0);
                table.put(w);
            }
            RelKind::View {
                materialized,
                mentions,
                sql,
            } => {
                w.byte(1);
                materialized.put(w);
                mentions.put(w);
                sql.put(w);
            }
            RelKind::Index {
                table,
                unique,
                columns,
                uses,
                constraint,
                name_exact,
                sql,
            } => {
                w.byte(2);
                table.put(w);
                unique.put(w);
                columns.put(w);
                uses.put(w);
                constraint.put(w);
                name_exact.put(w);
                sql.put(w);
            }
            RelKind::Sequence { owned_by, options } => {
                w.byte(3);
                owned_by.put(w);
                options.put(w);
            }
        }
    }

    fn take(r: &mut Reader<'_>) -> Option<Self> {
        Some(match r.byte()? {
            0 => RelKind::Table(Stored::take(r)?),
            1 => RelKind::View {
                materialized: Stored::take(r)?,
                mentions: Stored::take(r)?,
                sql: Stored::take(r)?,
            },
            2 => RelKind::Index {
                table: Stored::take(r)?,
                unique: Stored::take(r)?,
                columns: Stored::take(r)?,
                uses: Stored::take(r)?,
                constraint: Stored::take(r)?,
                name_exact: Stored::take(r)?,
                sql: Stored::take(r)?,
            },
            3 => RelKind::Sequence {
                owned_by: Stored::take(r)?,
                options: Stored::take(r)?,
            },
            _ => return None,
        })
    }
}

impl Stored for TypeDef {
    fn put(&self, w: &mut Writer) {
        match self {
            TypeDef::Enum(labels) => {
                w.byte(0);
                labels.put(w);
            }
            TypeDef::Other => w.byte(1),
        }
    }

    fn take(r: &mut Reader<'_>) -> Option<Self> {
        match r.byte()? {
            0 => Stored::take(r).map(TypeDef::Enum),
            1 => Some(TypeDef::Other),
            _ => None,
        }
    }
}

impl Stored for Returns {
    fn put(&self, w: &mut Writer) {
        match self {
            Returns::Nothing => w.byte(0),
            Returns::Type(ty) => {
                w.byte(1);
                ty.put(w);
            }
            Returns::SetOf(ty) => {
                w.byte(2);
                ty.put(w);
            }
            Returns::Table(columns) => {
                w.byte(3);
                columns.put(w);
            }
        }
    }

    fn take(r: &mut Reader<'_>) -> Option<Self> {
        match r.byte()? {
            0 => Some(Returns::Nothing),
            1 => Stored::take(r).map(Returns::Type),
            2 => Stored::take(r).map(Returns::SetOf),
            3 => Stored::take(r).map(Returns::Table),
            _ => None,
        }
    }
}

impl Stored for Body {
    fn put(&self, w: &mut Writer) {
        match self {
            Body::Strings(strings) => {
                w.byte(0);
                strings.put(w);
            }
            Body::Sql(text) => {
                w.byte(1);
                text.put(w);
            }
        }
    }

    fn take(r: &mut Reader<'_>) -> Option<Self> {
        match r.byte()? {
            0 => Stored::take(r).map(Body::Strings),
            1 => Stored::take(r).map(Body::Sql),
            _ => None,
        }
    }
}
