//! Functions and procedures, overload by overload: created, dropped, and changed — by
//! `CREATE OR REPLACE` when PostgreSQL accepts it both ways (same kind, result and argument
//! names; defaults kept), else dropped and created again (with the triggers that call it and
//! the views that may use it). A function is created before the tables, unless it uses a
//! relation the diff creates (a SQL body is checked when it is created, a row type must
//! exist): then after them, before the views.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::{Change, Differ, ObjectKind, Phase, Place, Problem};
use crate::schema::catalog::{Ns, QName, TypeDef, sql_name};
use crate::schema::routine::{Returns, Routine};

/// An overload as messages name it: `f(integer,text)`.
fn overload(name: &QName, sig: &str) -> String {
    format!("{name}({sig})")
}

impl Differ<'_> {
    /// Where the desired function `name` is created.
    fn function_place(&self, name: &QName) -> Option<Place> {
        self.to.functions.get(name).map(|f| Place {
            file: f.origin.file,
            range: f.origin.range.clone(),
        })
    }

    /// The phase a desired routine is created (or replaced) in: before the tables, or after
    /// them when it uses a relation the head does not have.
    fn create_phase(&self, r: &Routine) -> Phase {
        let words = r.words();
        let new_relation = self
            .to
            .relations
            .keys()
            .filter(|n| {
                !self.from.relations.contains_key(n)
                    && !self.from.relations.contains_key(&self.old_table_name(n))
            })
            .any(|n| words.contains(&n.name.to_lowercase()));
        if new_relation {
            Phase::CreateFunctionsLate
        } else {
            Phase::CreateFunctions
        }
    }

    /// The phase a head routine is dropped in: after the tables (a default may call it),
    /// unless its arguments or result use the row type of a relation the diff drops (then
    /// PostgreSQL refuses to drop the relation first).
    fn drop_phase(&self, r: &Routine) -> Phase {
        let mut types: Vec<&str> = r.args.iter().map(|a| a.ty.as_str()).collect();
        match &r.returns {
            Returns::Type(t) | Returns::SetOf(t) => types.push(t),
            Returns::Table(cols) => types.extend(cols.iter().map(|(_, t)| t.as_str())),
            Returns::Nothing => {}
        }
        let uses_dropped = self.from.relations.keys().any(|n| {
            !self.to.relations.contains_key(&self.new_table_name(n))
                && types
                    .iter()
                    .any(|t| t.trim_end_matches("[]") == sql_name(n))
        });
        if uses_dropped {
            Phase::DropChangedFunctions
        } else {
            Phase::DropFunctions
        }
    }

    /// A type its arguments or result use that the desired schema has and the head has not,
    /// and that the differ does not create (a composite, range or base type, a domain).
    fn type_not_created(&self, r: &Routine) -> Option<QName> {
        let mut types: Vec<&str> = r.args.iter().map(|a| a.ty.as_str()).collect();
        match &r.returns {
            Returns::Type(t) | Returns::SetOf(t) => types.push(t),
            Returns::Table(cols) => types.extend(cols.iter().map(|(_, t)| t.as_str())),
            Returns::Nothing => {}
        }
        self.to
            .types
            .iter()
            .find(|(n, t)| {
                matches!(t.value, TypeDef::Other)
                    && !self.from.types.contains_key(*n)
                    && types
                        .iter()
                        .any(|ty| ty.trim_end_matches("[]") == sql_name(n))
            })
            .map(|(n, _)| n.clone())
    }

    /// Compares the functions; returns those dropped and created again (what calls them must
    /// be too).
    pub(super) fn functions(&mut self, changes: &mut Vec<(Phase, Change)>) -> BTreeSet<QName> {
        let mut recreated = BTreeSet::new();
        let mut names: BTreeSet<QName> = self.from.functions.keys().cloned().collect();
        names.extend(self.to.functions.keys().cloned());
        for name in names {
            if !self.from.knows(Ns::Function, &name) || !self.to.knows(Ns::Function, &name) {
                // Listed among the unknown parts.
                continue;
            }
            let from = self.from.functions.get(&name).map(|f| &f.value);
            let to = self.to.functions.get(&name).map(|f| &f.value);
            let mut sigs: BTreeSet<&String> =
                from.map(|f| f.sigs.iter().collect()).unwrap_or_default();
            sigs.extend(to.iter().flat_map(|f| f.sigs.iter()));
            for sig in sigs {
                let new_def = to
                    .filter(|f| f.sigs.contains(sig))
                    .and_then(|f| f.defs.get(sig));
                if let Some(ty) = new_def.and_then(|d| self.type_not_created(d)) {
                    let at = self.function_place(&name);
                    self.out.problems.push(Problem::Unsupported {
                        what: format!(
                            "function `{}` uses type `{ty}`, which autogenerate does not create \
                             (composite, range and base types and domains are not compared)",
                            overload(&name, sig)
                        ),
                        at,
                    });
                    continue;
                }
                let here = from.filter(|f| f.sigs.contains(sig));
                let there = to.filter(|f| f.sigs.contains(sig));
                let old = here.and_then(|f| f.defs.get(sig)).map(Arc::as_ref);
                let new = there.and_then(|f| f.defs.get(sig)).map(Arc::as_ref);
                match (here.is_some(), there.is_some()) {
                    (true, true) => match (old, new) {
                        (Some(a), Some(b)) if a == b => {}
                        (Some(a), Some(b)) if a.replaceable_by(b) => {
                            let phase = self.create_phase(b);
                            self.push(
                                changes,
                                phase,
                                Change::ReplaceFunction {
                                    name: name.clone(),
                                    from: a.clone(),
                                    to: b.clone(),
                                },
                            );
                        }
                        (Some(a), Some(b)) => {
                            self.push(
                                changes,
                                Phase::DropChangedFunctions,
                                Change::DropFunction {
                                    name: name.clone(),
                                    def: a.clone(),
                                },
                            );
                            let phase = self.create_phase(b);
                            self.push(
                                changes,
                                phase,
                                Change::CreateFunction {
                                    name: name.clone(),
                                    def: b.clone(),
                                },
                            );
                            recreated.insert(name.clone());
                        }
                        _ => self.not_compared(format!(
                            "function `{}`: its definition is not kept",
                            overload(&name, sig)
                        )),
                    },
                    (false, true) => match new {
                        Some(b) => {
                            let phase = self.create_phase(b);
                            self.push(
                                changes,
                                phase,
                                Change::CreateFunction {
                                    name: name.clone(),
                                    def: b.clone(),
                                },
                            );
                        }
                        None => {
                            let at = self.function_place(&name);
                            self.out.problems.push(Problem::Unsupported {
                                what: format!(
                                    "function `{}`: its definition is in a form the model does \
                                     not read",
                                    overload(&name, sig)
                                ),
                                at,
                            });
                        }
                    },
                    (true, false) => match old {
                        Some(a) => {
                            let phase = self.drop_phase(a);
                            self.push(
                                changes,
                                phase,
                                Change::DropFunction {
                                    name: name.clone(),
                                    def: a.clone(),
                                },
                            );
                            self.drop(ObjectKind::Function, overload(&name, sig), false);
                        }
                        None => self.not_compared(format!(
                            "function `{}`: only at the head, and its definition is not kept; \
                             not dropped",
                            overload(&name, sig)
                        )),
                    },
                    (false, false) => {}
                }
            }
        }
        recreated
    }
}

#[cfg(test)]
mod tests {
    use crate::schema::diff::tests::{changes_between, diff_of, down_sql, up_sql};

    const F1: &str = "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS $$ select a $$;";
    const F2: &str =
        "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ select a + 1 $$;";

    #[test]
    fn equal_functions_have_no_changes_and_a_changed_body_is_replaced() {
        assert!(changes_between(F1, F1).is_empty());
        let spelled = "create function public.f(a INTEGER) returns int4 language SQL volatile \
                       as $x$ select a $x$;";
        assert!(changes_between(F1, spelled).is_empty());
        let c = changes_between(F1, F2);
        assert_eq!(
            up_sql(&c),
            "CREATE OR REPLACE FUNCTION f(a integer) RETURNS integer LANGUAGE sql IMMUTABLE\n\
             AS $$ select a + 1 $$;\n"
        );
        assert_eq!(
            down_sql(&c),
            "CREATE OR REPLACE FUNCTION f(a integer) RETURNS integer LANGUAGE sql\n\
             AS $$ select a $$;\n"
        );
    }

    #[test]
    fn a_trigger_functions_new_body_replaces_it_and_keeps_the_trigger() {
        let from = "CREATE TABLE t (a int);\n\
                    CREATE FUNCTION g() RETURNS trigger LANGUAGE plpgsql AS $$ begin return new; end $$;\n\
                    CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION g();";
        let to = from
            .replace("RETURNS trigger", "RETURNS TRIGGER")
            .replace("begin return new; end", "begin return null; end");
        // Same interface: replaced, the trigger untouched.
        let c = changes_between(from, &to);
        assert_eq!(c.len(), 1, "{c:?}");
    }

    #[test]
    fn a_renamed_argument_drops_and_creates() {
        let from = "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS $$ select 1 $$;\n\
                    CREATE VIEW v AS SELECT f(1) AS x;";
        let to = "CREATE FUNCTION f(b int) RETURNS int LANGUAGE sql AS $$ select 1 $$;\n\
                  CREATE VIEW v AS SELECT f(1) AS x;";
        let c = changes_between(from, to);
        assert_eq!(
            up_sql(&c),
            "DROP VIEW v;\nDROP FUNCTION f(integer);\n\
             CREATE FUNCTION f(b integer) RETURNS integer LANGUAGE sql\nAS $$ select 1 $$;\n\
             CREATE VIEW v AS SELECT f(1) AS x;\n"
        );
    }

    #[test]
    fn functions_go_before_what_uses_them_and_after_what_they_use() {
        let c = changes_between(
            "",
            "CREATE FUNCTION one() RETURNS int LANGUAGE sql AS $$ select 1 $$;\n\
             CREATE TABLE t (a int DEFAULT one());\n\
             CREATE FUNCTION total() RETURNS bigint LANGUAGE sql AS $$ select sum(a) from t $$;",
        );
        let up = up_sql(&c);
        let one = up.find("FUNCTION one").expect("one");
        let table = up.find("CREATE TABLE t").expect("t");
        let total = up.find("FUNCTION total").expect("total");
        assert!(one < table && table < total, "{up}");
    }

    #[test]
    fn a_function_on_a_dropped_tables_row_type_goes_first() {
        let c = changes_between(
            "CREATE TABLE t (a int);\n\
             CREATE FUNCTION all_t() RETURNS SETOF t LANGUAGE sql AS $$ select * from t $$;",
            "",
        );
        assert_eq!(up_sql(&c), "DROP FUNCTION all_t();\nDROP TABLE t;\n");
        assert!(
            down_sql(&c).starts_with("CREATE TABLE t"),
            "{}",
            down_sql(&c)
        );
    }

    #[test]
    fn a_function_on_a_type_the_differ_does_not_create_is_a_problem() {
        let d = diff_of(
            "",
            "CREATE TYPE pair AS (a int, b int);\n\
             CREATE FUNCTION p() RETURNS pair LANGUAGE sql AS $$ select (1, 2)::pair $$;",
            true,
        );
        assert!(d.changes.is_empty(), "{:?}", d.changes);
        assert!(
            matches!(&d.problems[..], [super::Problem::Unsupported { what, .. }] if what.contains("type `pair`")),
            "{:?}",
            d.problems
        );
    }

    #[test]
    fn a_dropped_function_needs_allow_drop() {
        let d = diff_of(F1, "", false);
        assert_eq!(d.problems.len(), 1, "{:?}", d.problems);
        let c = changes_between(F1, "");
        assert_eq!(up_sql(&c), "DROP FUNCTION f(integer);\n");
        assert_eq!(
            down_sql(&c),
            "CREATE FUNCTION f(a integer) RETURNS integer LANGUAGE sql\nAS $$ select a $$;\n"
        );
    }

    #[test]
    fn a_definition_not_read_is_not_compared() {
        let sql = "CREATE TABLE t (a int);\n\
                   CREATE FUNCTION f(x t.a%TYPE) RETURNS int LANGUAGE sql AS $$ select 1 $$;";
        let d = diff_of(sql, sql, true);
        assert!(d.changes.is_empty());
        assert!(
            d.not_compared.iter().any(|n| n.contains("function `f(")),
            "{:?}",
            d.not_compared
        );
    }
}
