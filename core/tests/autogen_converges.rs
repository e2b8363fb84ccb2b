//! Convergence of the generated migration, as a property: for generated pairs of schemas A
//! and B, A written as a migration and B as `schema.sql`, the migration the differ writes
//! passes every check of the build (the reversibility check included) and, replayed on A,
//! gives a schema whose diff against B is empty: in its safe forms (a chain of revisions,
//! `CONCURRENTLY` in a `transaction: false` one, `NOT VALID` then `VALIDATE`) and in the plain
//! form (`--simple`). The schemas vary column collations, identity columns and their
//! sequence options, a `serial`'s sequence options and a sequence of their own.
//!
//! The schemas have enum types, tables (columns, keys, checks, foreign keys), indexes, views,
//! functions in several versions (a new body, new attributes, a renamed argument, a new
//! result: replaced or dropped and created again, with a view that calls one), trigger
//! functions and triggers on the tables.
//!
//! 256 cases by default; `RETORT_PROPTEST_CASES=5000` runs more.

use proptest::prelude::*;
use retort_core::check::{Input, Options, check_texts};
use retort_core::schema::Catalog;
use retort_core::schema::catalog::RelKind;
use retort_core::schema::desired::desired_schema;
use retort_core::schema::diff::{DiffOptions, Form, Problem, Rename, Renames, Txn, diff, steps};
use retort_core::source::Sources;

#[derive(Clone, Copy, Debug)]
enum Ty {
    Int,
    BigInt,
    Text,
    Bool,
    Varchar,
    Enum,
}

#[derive(Clone, Debug)]
struct Col {
    name: usize,
    ty: Ty,
    not_null: bool,
    default: Option<u8>,
    /// A collation for a text column: none, `"C"` or `"POSIX"`.
    collate: u8,
}

/// Options of a sequence: increment, start, cache, cycle.
#[derive(Clone, Copy, Debug)]
struct SeqOpts {
    increment: i8,
    start: Option<u8>,
    cache: Option<u8>,
    cycle: bool,
}

impl SeqOpts {
    fn sql(&self) -> String {
        let mut s = format!("INCREMENT BY {}", self.increment);
        if let Some(st) = self.start {
            // Within the bounds whichever the direction.
            let v = if self.increment < 0 {
                -i32::from(st) - 1
            } else {
                i32::from(st) + 1
            };
            s.push_str(&format!(" START WITH {v}"));
        }
        if let Some(c) = self.cache {
            s.push_str(&format!(" CACHE {}", c + 1));
        }
        if self.cycle {
            s.push_str(" CYCLE");
        }
        s
    }
}

#[derive(Clone, Debug)]
struct Tab {
    name: usize,
    serial: bool,
    cols: Vec<Col>,
    unique: Option<usize>,
    check: Option<u8>,
    fk: Option<usize>,
    index: Option<(usize, bool)>,
    view: Option<usize>,
    /// The options of its id's sequence (a serial's, or an identity's for `t3`, whose id is
    /// always an identity: a column does not change between identity and plain).
    seq: Option<SeqOpts>,
    /// A trigger: (timing and events, the trigger function it executes).
    trigger: Option<(u8, usize)>,
}

#[derive(Clone, Debug)]
struct Schema {
    enum_values: Option<Vec<bool>>,
    tables: Vec<Tab>,
    /// A sequence of its own, `counter`, `integer`-typed or not.
    counter: Option<(SeqOpts, bool)>,
    /// Functions `f0`, `f1`: which version of each, if any.
    functions: Vec<Option<u8>>,
    /// Trigger functions `tg0`, `tg1`: which body, if any.
    trigger_functions: Vec<Option<u8>>,
    /// A view that calls `f0`, when there is one.
    calls: bool,
}

/// The versions of a function `f{i}`: same interface (new body, new attributes), a renamed
/// argument, a default and a new result.
fn function_sql(i: usize, version: u8) -> String {
    match version % 4 {
        0 => format!(
            "CREATE FUNCTION f{i}(x integer) RETURNS integer LANGUAGE sql IMMUTABLE \
             AS $$ SELECT x + 1 $$;\n"
        ),
        1 => format!("CREATE FUNCTION f{i}(x integer) RETURNS integer STABLE RETURN x + 2;\n"),
        2 => format!(
            "CREATE FUNCTION f{i}(y integer) RETURNS integer LANGUAGE sql \
             AS 'SELECT y';\n"
        ),
        _ => format!(
            "CREATE FUNCTION f{i}(x integer DEFAULT 0) RETURNS bigint LANGUAGE sql \
             STRICT SET search_path = public AS $$ SELECT x::bigint $$;\n"
        ),
    }
}

const VALUES: [&str; 4] = ["a", "b", "c", "d"];

fn ty() -> impl Strategy<Value = Ty> {
    prop_oneof![
        Just(Ty::Int),
        Just(Ty::BigInt),
        Just(Ty::Text),
        Just(Ty::Bool),
        Just(Ty::Varchar),
        Just(Ty::Enum),
    ]
}

fn col() -> impl Strategy<Value = Col> {
    (
        0..5usize,
        ty(),
        any::<bool>(),
        proptest::option::of(0..2u8),
        0..3u8,
    )
        .prop_map(|(name, ty, not_null, default, collate)| Col {
            name,
            ty,
            not_null,
            default,
            collate,
        })
}

fn seq_opts() -> impl Strategy<Value = SeqOpts> {
    (
        prop_oneof![Just(1i8), Just(2), Just(-1), Just(5)],
        proptest::option::of(0..3u8),
        proptest::option::of(0..3u8),
        any::<bool>(),
    )
        .prop_map(|(increment, start, cache, cycle)| SeqOpts {
            increment,
            start,
            cache,
            cycle,
        })
}

fn tab() -> impl Strategy<Value = Tab> {
    (
        0..4usize,
        any::<bool>(),
        proptest::collection::vec(col(), 0..4),
        proptest::option::of(0..5usize),
        proptest::option::of(0..2u8),
        proptest::option::of(0..4usize),
        proptest::option::of((0..5usize, any::<bool>())),
        proptest::option::of(0..5usize),
        proptest::option::of(seq_opts()),
        proptest::option::of((0..4u8, 0..2usize)),
    )
        .prop_map(
            |(name, serial, cols, unique, check, fk, index, view, seq, trigger)| Tab {
                name,
                serial,
                cols,
                unique,
                check,
                fk,
                index,
                view,
                seq,
                trigger,
            },
        )
}

fn schema() -> impl Strategy<Value = Schema> {
    (
        proptest::option::of(proptest::collection::vec(any::<bool>(), 4)),
        proptest::collection::vec(tab(), 0..4),
        proptest::option::of((seq_opts(), any::<bool>())),
        proptest::collection::vec(proptest::option::of(0..4u8), 2),
        proptest::collection::vec(proptest::option::of(0..2u8), 2),
        any::<bool>(),
    )
        .prop_map(
            |(enum_values, tables, counter, functions, trigger_functions, calls)| Schema {
                enum_values,
                tables,
                counter,
                functions,
                trigger_functions,
                calls,
            },
        )
}

impl Schema {
    /// The enum's values, if there is an enum with at least one.
    fn values(&self) -> Option<Vec<&'static str>> {
        let v: Vec<&str> = VALUES
            .iter()
            .zip(self.enum_values.as_ref()?)
            .filter(|(_, on)| **on)
            .map(|(v, _)| *v)
            .collect();
        (!v.is_empty()).then_some(v)
    }

    /// The schema as SQL, made valid: names unique, foreign keys to earlier tables only.
    fn sql(&self) -> String {
        let mut out = String::new();
        let values = self.values();
        if let Some(v) = &values {
            let l: Vec<String> = v.iter().map(|x| format!("'{x}'")).collect();
            out.push_str(&format!("CREATE TYPE mood AS ENUM ({});\n", l.join(", ")));
        }
        if let Some((o, int)) = &self.counter {
            out.push_str(&format!(
                "CREATE SEQUENCE counter{} {};\n",
                if *int { " AS integer" } else { "" },
                o.sql()
            ));
        }
        for (i, f) in self.functions.iter().enumerate() {
            if let Some(v) = f {
                out.push_str(&function_sql(i, *v));
            }
        }
        for (i, f) in self.trigger_functions.iter().enumerate() {
            if let Some(v) = f {
                out.push_str(&format!(
                    "CREATE FUNCTION tg{i}() RETURNS trigger LANGUAGE plpgsql \
                     AS $$ BEGIN RETURN {}; END $$;\n",
                    if *v == 0 { "NEW" } else { "NULL" }
                ));
            }
        }
        let mut made: Vec<usize> = Vec::new();
        let mut sequences = String::new();
        let mut indexes = String::new();
        let mut views = String::new();
        let mut triggers = String::new();
        if self.calls && self.functions[0].is_some() {
            views.push_str("CREATE VIEW vf AS SELECT f0(1) AS x;\n");
        }
        for t in &self.tables {
            if made.contains(&t.name) {
                continue;
            }
            let tn = format!("t{}", t.name);
            let mut lines = vec![if t.name == 3 {
                match &t.seq {
                    Some(o) => format!(
                        "id integer GENERATED ALWAYS AS IDENTITY ({}) PRIMARY KEY",
                        o.sql()
                    ),
                    None => "id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY".to_owned(),
                }
            } else if t.serial {
                if let Some(o) = &t.seq {
                    sequences.push_str(&format!("ALTER SEQUENCE {tn}_id_seq {};\n", o.sql()));
                }
                "id serial PRIMARY KEY".to_owned()
            } else {
                "id integer PRIMARY KEY".to_owned()
            }];
            let mut cols: Vec<(String, Ty)> = Vec::new();
            for c in &t.cols {
                let name = format!("c{}", c.name);
                if cols.iter().any(|(n, _)| *n == name) {
                    continue;
                }
                let ty = match c.ty {
                    Ty::Enum if values.is_none() => Ty::Text,
                    t => t,
                };
                let mut line = format!(
                    "{name} {}",
                    match ty {
                        Ty::Int => "integer",
                        Ty::BigInt => "bigint",
                        Ty::Text => "text",
                        Ty::Bool => "boolean",
                        Ty::Varchar => "varchar(10)",
                        Ty::Enum => "mood",
                    }
                );
                if matches!(ty, Ty::Text | Ty::Varchar) {
                    line.push_str(match c.collate {
                        1 => " COLLATE \"C\"",
                        2 => " COLLATE \"POSIX\"",
                        _ => "",
                    });
                }
                if c.not_null {
                    line.push_str(" NOT NULL");
                }
                if let Some(d) = c.default {
                    let d = match ty {
                        Ty::Int | Ty::BigInt => format!("{}", d + 1),
                        Ty::Text | Ty::Varchar => format!("'v{d}'"),
                        Ty::Bool => (d == 0).to_string(),
                        Ty::Enum => {
                            let v = values.as_ref().map_or(&[][..], |v| &v[..]);
                            format!("'{}'", v[(d as usize) % v.len()])
                        }
                    };
                    line.push_str(&format!(" DEFAULT {d}"));
                }
                lines.push(line);
                cols.push((name, ty));
            }
            if let Some(target) = t.fk
                && made.contains(&target)
            {
                lines.push(format!("r{target} integer REFERENCES t{target} (id)"));
            }
            if let Some(u) = t.unique
                && let Some((c, _)) = cols.get(u)
            {
                lines.push(format!("UNIQUE ({c})"));
            }
            if let Some(k) = t.check {
                let op = if k == 0 { ">" } else { ">=" };
                lines.push(format!("CONSTRAINT {tn}_chk CHECK (id {op} 0)"));
            }
            out.push_str(&format!(
                "CREATE TABLE {tn} (\n    {}\n);\n",
                lines.join(",\n    ")
            ));
            if let Some((i, unique)) = t.index
                && let Some((c, _)) = cols.get(i)
            {
                indexes.push_str(&format!(
                    "CREATE {}INDEX {tn}_{c}_ix ON {tn} ({c});\n",
                    if unique { "UNIQUE " } else { "" }
                ));
            }
            if let Some(v) = t.view {
                let what = cols.get(v).map_or(String::new(), |(c, _)| format!(", {c}"));
                views.push_str(&format!(
                    "CREATE VIEW v{} AS SELECT id{what} FROM {tn};\n",
                    t.name
                ));
            }
            if let Some((kind, f)) = t.trigger
                && self.trigger_functions[f].is_some()
            {
                let (timing, events) = match kind {
                    0 => ("BEFORE", "INSERT"),
                    1 => ("AFTER", "UPDATE OF id"),
                    2 => ("BEFORE", "INSERT OR DELETE"),
                    _ => ("AFTER", "DELETE"),
                };
                triggers.push_str(&format!(
                    "CREATE TRIGGER {tn}_tr {timing} {events} ON {tn} FOR EACH ROW \
                     EXECUTE FUNCTION tg{f}();\n"
                ));
            }
            made.push(t.name);
        }
        out.push_str(&sequences);
        out.push_str(&indexes);
        out.push_str(&views);
        out.push_str(&triggers);
        out
    }
}

fn migration(rev: &str, parent: &str, lossy: Option<&str>, up: &str, down: &str) -> String {
    let mut s = format!("-- revision: {rev}\n-- down_revision: {parent}\n-- message: m\n");
    if let Some(r) = lossy {
        s.push_str(&format!("-- lossy_down: {r}\n"));
    }
    s.push_str(&format!("\n-- migrate:up\n{up}\n-- migrate:down\n{down}"));
    s
}

/// The catalog after the last of `inputs`, and the report's errors.
fn head(inputs: &[Input]) -> (Catalog, Vec<String>) {
    let report = check_texts(inputs, "migrations", &Options::default());
    let errors: Vec<String> = report.errors().map(|d| d.render(&report.sources)).collect();
    let last = report.files.len() - 1;
    let cat = report.schema.catalogs[last].clone().unwrap_or_default();
    (cat, errors)
}

fn converges(a: &Schema, b: &Schema, form: Form) -> Result<(), TestCaseError> {
    let a_sql = a.sql();
    let b_sql = b.sql();
    let first = Input {
        name: "001_a.sql".into(),
        text: migration("001", "none", None, &a_sql, ""),
    };
    // The first revision's down is empty: it is lossy on purpose.
    let first = Input {
        text: first
            .text
            .replace("-- message: m\n", "-- message: m\n-- lossy_down: test\n"),
        ..first
    };
    let (cat_a, errors) = head(std::slice::from_ref(&first));
    prop_assert!(errors.is_empty(), "schema A fails: {errors:?}\n{a_sql}");
    let mut sources = Sources::new();
    let file = sources.add("schema.sql", &b_sql);
    let desired = desired_schema(&sources, file);
    prop_assert!(
        !desired.has_errors(),
        "schema B fails: {:?}\n{b_sql}",
        desired.diagnostics
    );
    // Every sequence's options are known: compared, not skipped as "not compared".
    for (n, r) in desired.catalog.relations.iter() {
        if let RelKind::Sequence { options, .. } = &r.value {
            prop_assert!(
                options.is_some(),
                "the options of {n} are not known\n{b_sql}"
            );
        }
    }
    // Rename suspects are answered with the annotation they ask for.
    let mut renames = Renames::none();
    let mut d = diff(
        &cat_a,
        &desired.catalog,
        &renames,
        DiffOptions { allow_drop: true },
    );
    for _ in 0..4 {
        let asked: Vec<Rename> = d
            .problems
            .iter()
            .filter_map(|p| match p {
                Problem::RenameSuspect { rename, .. } => Some(Rename {
                    kind: rename.clone(),
                    at: None,
                }),
                _ => None,
            })
            .collect();
        if asked.is_empty() {
            break;
        }
        renames.items.extend(asked);
        d = diff(
            &cat_a,
            &desired.catalog,
            &renames,
            DiffOptions { allow_drop: true },
        );
    }
    prop_assert!(
        d.problems.is_empty(),
        "problems: {:?}\nA:\n{a_sql}\nB:\n{b_sql}",
        d.problems
    );
    // The safe forms (several revisions, one perhaps `transaction: false`) or the plain one.
    let chain = steps(&d, &cat_a, form);
    let mut inputs = vec![first];
    for (k, step) in chain.iter().enumerate() {
        let rev = format!("00{}", k + 2);
        let parent = format!("00{}", k + 1);
        let lossy = if step.drops { d.lossy_reason() } else { None };
        let mut text = migration(&rev, &parent, lossy.as_deref(), &step.up, &step.down);
        if step.txn == Txn::NonTransactional {
            text = text.replace("-- message: m\n", "-- message: m\n-- transaction: false\n");
        }
        inputs.push(Input {
            name: format!("{rev}_s.sql"),
            text,
        });
    }
    let written: String = inputs[1..].iter().map(|i| i.text.as_str()).collect();
    let (cat_b, errors) = head(&inputs);
    prop_assert!(
        errors.is_empty(),
        "the generated migration fails the checks: {errors:?}\nA:\n{a_sql}\nB:\n{b_sql}\n{written}"
    );
    let again = diff(
        &cat_b,
        &desired.catalog,
        &Renames::none(),
        DiffOptions { allow_drop: true },
    );
    prop_assert!(
        again.changes.is_empty() && again.problems.is_empty(),
        "not converged: {:?} {:?}\nA:\n{a_sql}\nB:\n{b_sql}\n{}",
        again.changes,
        again.problems,
        written
    );
    Ok(())
}

fn cases() -> u32 {
    std::env::var("RETORT_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn a_generated_migration_converges(a in schema(), b in schema(), simple in any::<bool>()) {
        converges(&a, &b, if simple { Form::Simple } else { Form::Safe })?;
    }
}
