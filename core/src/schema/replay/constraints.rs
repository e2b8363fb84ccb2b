//! Constraints: a [`Spec`] as written, named (or its name guessed as PostgreSQL makes it),
//! checked (its columns, a foreign key's target and the unique constraint it needs) and
//! added; `ALTER TABLE … ADD`/`DROP`/`RENAME`/`VALIDATE CONSTRAINT`; the foreign keys that go
//! with a dropped table, column or key.

use std::ops::Range;
use std::sync::Arc;

use squawk_syntax::ast;

use super::Replayer;
use super::flags::{CreateFlags, DropFlags};
use super::readers::{constraint, text};
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::schema::catalog::{
    Constraint, ConstraintKind, Ns, QName, RelKind, Table, Written, generated_name, simple_name,
};
use crate::schema::object_kind::ObjectKind;

/// A constraint as written, before it is named and checked.
pub(super) struct Spec {
    pub(super) name: Option<(String, Range<usize>)>,
    pub(super) kind: ConstraintKind,
    pub(super) columns: Vec<String>,
    /// The referenced table's name range (foreign keys), for messages.
    pub(super) ref_range: Range<usize>,
    /// `USING INDEX idx`.
    pub(super) using_index: Option<QName>,
    /// The words of a check's expression (the columns it mentions are among them).
    pub(super) expr_words: Vec<String>,
    /// A check's `CHECK (…)`, a foreign key's clauses after its referenced columns.
    pub(super) sql: Written,
}

impl Spec {
    /// A constraint of `kind` on `columns`, with nothing else known.
    pub(super) fn new(
        name: Option<(String, Range<usize>)>,
        kind: ConstraintKind,
        columns: Vec<String>,
    ) -> Self {
        Spec {
            name,
            kind,
            columns,
            ref_range: 0..0,
            using_index: None,
            expr_words: Vec::new(),
            sql: Written::unknown(),
        }
    }
}

impl Replayer<'_> {
    /// Names, checks and adds a constraint to `table`.
    pub(super) fn add_constraint(&mut self, table: &QName, mut spec: Spec) {
        let Some(t) = self.cat.table(table).cloned() else {
            return;
        };
        if spec.kind == ConstraintKind::NotNull {
            if let Some(tm) = self.cat.table_mut(table) {
                for c in &mut tm.columns {
                    if spec.columns.contains(&c.name) {
                        c.not_null = true;
                    }
                }
            }
            if t.columns_known
                && let Some(c) = spec.columns.first()
                && t.column(c).is_none()
            {
                let range = spec
                    .name
                    .as_ref()
                    .map_or(self.origin.range.clone(), |n| n.1.clone());
                self.missing_column(table, c, range);
            }
            return;
        }
        let mut check_name_cols = Vec::new();
        if spec.kind == ConstraintKind::Check {
            // The columns a check mentions (dropping one drops the check).
            let mut mentioned: Vec<String> = Vec::new();
            for w in spec.columns.iter().chain(&spec.expr_words) {
                if t.column(w).is_some() && !mentioned.contains(w) {
                    mentioned.push(w.clone());
                }
            }
            check_name_cols = spec.columns.clone();
            spec.columns = mentioned;
        }
        // Columns must exist.
        if t.columns_known {
            for c in &spec.columns {
                if t.column(c).is_none() {
                    let range = spec
                        .name
                        .as_ref()
                        .map_or(self.origin.range.clone(), |n| n.1.clone());
                    self.err(
                        Diagnostic::error(
                            Code::SchemaMissingColumn,
                            format!("column `{c}` of table `{table}` does not exist"),
                        )
                        .at(self.file, range, "named in this constraint"),
                    );
                    return;
                }
            }
        }
        let (name, exact) = match (&spec.name, &spec.using_index) {
            (Some((n, _)), _) => (n.clone(), true),
            // `USING INDEX idx` without a name: the constraint is named like the index.
            (None, Some(idx)) => (idx.name.clone(), true),
            (None, None) => {
                let (suffix, cols) = match &spec.kind {
                    ConstraintKind::PrimaryKey => ("pkey", Vec::new()),
                    ConstraintKind::Unique => ("key", spec.columns.clone()),
                    ConstraintKind::ForeignKey { .. } => ("fkey", spec.columns.clone()),
                    ConstraintKind::Check => ("check", check_name_cols.clone()),
                    ConstraintKind::NotNull => ("not_null", spec.columns.clone()),
                    ConstraintKind::Other => ("excl", spec.columns.clone()),
                };
                let (first, exact) = generated_name(&table.name, &cols, suffix);
                // A name already taken on the table (or by a relation, for a constraint's
                // index) gets a number after its label, as PostgreSQL numbers it: `t_c_fkey1`
                // after a column renamed away kept `t_c_fkey`. A number that would need the
                // name cut, and a table check's name (it depends on the expression), are
                // guesses.
                let taken = |n: &str| {
                    t.constraint(n).is_some()
                        || self
                            .cat
                            .relations
                            .contains_key(&table.sibling(n.to_owned()))
                };
                let mut n = first.clone();
                let mut pass = 0u32;
                while taken(&n) && pass < 1000 {
                    pass += 1;
                    n = format!("{first}{pass}");
                }
                let guess = matches!(spec.kind, ConstraintKind::Check if check_name_cols.is_empty())
                    || n.len() > 63
                    || taken(&n);
                (n, exact && !guess)
            }
        };
        if let Some((_, r)) = &spec.name
            && t.constraint(&name).is_some()
            && t.constraints_known
        {
            self.err(
                Diagnostic::error(
                    Code::SchemaAlreadyExists,
                    format!("constraint `{name}` for table `{table}` already exists"),
                )
                .at(self.file, r.clone(), "named again here")
                .with_help("choose another name, or drop the old constraint first"),
            );
            return;
        }
        // Foreign keys: the referenced table, its columns, and a unique constraint on them.
        if let ConstraintKind::ForeignKey {
            table: rt,
            columns: rc,
        } = &spec.kind
        {
            self.check_fk(rt, rc, &spec);
        }
        let with_index = matches!(
            spec.kind,
            ConstraintKind::PrimaryKey | ConstraintKind::Unique
        );
        if with_index {
            if let Some(idx) = &spec.using_index {
                // `USING INDEX idx`: the index takes the constraint's name, and its columns.
                let o = Arc::make_mut(&mut self.cat.relations).remove(idx);
                match o.map(|o| o.value) {
                    Some(RelKind::Index {
                        columns: Some(c), ..
                    }) => spec.columns = c,
                    _ => {
                        self.cat.mark_name_unknown(Ns::Relation, idx);
                        if let Some(t) = self.cat.table_mut(table) {
                            t.constraints_known = false;
                        }
                    }
                }
            }
            let q = table.sibling(name.clone());
            if self.cat.relations.contains_key(&q) {
                if exact && self.cat.knows(Ns::Relation, &q) && spec.name.is_some() {
                    let range = spec.name.as_ref().map_or(0..0, |n| n.1.clone());
                    let at = self.cat.relations.get(&q).map(|o| o.origin.clone());
                    self.exists_already(ObjectKind::Relation, &q.to_string(), range, at);
                }
                self.cat.mark_name_unknown(Ns::Relation, &q);
            } else {
                let o = self.obj(
                    RelKind::Index {
                        table: table.clone(),
                        unique: true,
                        columns: Some(spec.columns.clone()),
                        uses: Some(spec.columns.clone()),
                        constraint: true,
                        name_exact: exact,
                        sql: Written::unknown(),
                    },
                    CreateFlags::default(),
                );
                self.cat.put_relation(q.clone(), o);
                if exact {
                    self.cat.mark_name_known(Ns::Relation, &q);
                } else {
                    self.cat.mark_name_unknown(Ns::Relation, &q);
                }
            }
        }
        let is_pk = spec.kind == ConstraintKind::PrimaryKey;
        if let Some(t) = self.cat.table_mut(table) {
            if is_pk {
                for c in &mut t.columns {
                    if spec.columns.contains(&c.name) {
                        c.not_null = true;
                    }
                }
            }
            let fk = matches!(spec.kind, ConstraintKind::ForeignKey { .. });
            t.constraints.push(Constraint {
                name,
                name_exact: exact,
                kind: spec.kind,
                columns: spec.columns,
                sql: spec.sql,
            });
            if fk {
                self.cat.note_refs(table);
            }
        }
    }

    /// A foreign key to `rt` (`rc`): the table, its columns, and a unique constraint on them.
    pub(super) fn check_fk(&mut self, rt: &QName, rc: &[String], spec: &Spec) {
        let Some(target) = self.cat.table(rt).cloned() else {
            if !self.cat.relations.contains_key(rt) {
                let r = spec.ref_range.clone();
                self.missing(ObjectKind::Table, rt, r);
            }
            return;
        };
        if target.columns_known {
            for c in rc {
                if target.column(c).is_none() {
                    self.err(
                        Diagnostic::error(
                            Code::SchemaMissingColumn,
                            format!(
                                "foreign key references column `{c}` of table `{rt}`, which does \
                             not exist"
                            ),
                        )
                        .at(
                            self.file,
                            spec.ref_range.clone(),
                            "referenced here",
                        ),
                    );
                    return;
                }
            }
        }
        if !target.constraints_known || !self.cat.knows(Ns::Relation, rt) {
            return;
        }
        let cols: Vec<String> = if rc.is_empty() {
            match target.primary_key() {
                Some(pk) => pk.to_vec(),
                None => {
                    self.err(
                        Diagnostic::error(
                            Code::SchemaForeignKeyTarget,
                            format!(
                                "foreign key references table `{rt}`, which has no primary key"
                            ),
                        )
                        .at(self.file, spec.ref_range.clone(), "referenced here")
                        .with_help(
                            "name the referenced columns, which must have a unique constraint",
                        ),
                    );
                    return;
                }
            }
        } else {
            rc.to_vec()
        };
        let same = |a: &[String]| {
            let mut a = a.to_vec();
            let mut b = cols.clone();
            a.sort();
            b.sort();
            a == b
        };
        let unique = target.constraints.iter().any(|c| {
            matches!(c.kind, ConstraintKind::PrimaryKey | ConstraintKind::Unique)
                && same(&c.columns)
        }) || self.cat.relations.values().any(|r| match &r.value {
            RelKind::Index {
                table,
                unique: true,
                columns: Some(c),
                ..
            } => table == rt && same(c),
            RelKind::Index {
                table,
                unique: true,
                columns: None,
                ..
            } => table == rt,
            _ => false,
        });
        if !unique {
            self.err(
                Diagnostic::error(
                    Code::SchemaForeignKeyTarget,
                    format!(
                        "foreign key references `{rt}` ({}), which has no unique constraint on \
                     those columns",
                        cols.join(", ")
                    ),
                )
                .at(self.file, spec.ref_range.clone(), "referenced here")
                .with_help(
                    "PostgreSQL requires a primary key or unique constraint on the referenced \
                     columns; add one first",
                ),
            );
        }
    }

    /// `ALTER TABLE … ADD CONSTRAINT`.
    pub(super) fn add_table_constraint(&mut self, table: &QName, ac: ast::AddConstraint) {
        let Some(c) = self.or_unknown(ac.constraint()) else {
            return;
        };
        match constraint(&c, self.base) {
            Some(spec) => {
                // A column constraint form (`NOT NULL`) changes no constraint list.
                self.add_constraint(table, spec)
            }
            None => {
                if let Some(t) = self.cat.table_mut(table) {
                    t.constraints_known = false;
                }
            }
        }
    }

    /// `ALTER TABLE … DROP CONSTRAINT` (`t`: the table before it).
    pub(super) fn drop_constraint(&mut self, table: &QName, t: &Table, dc: ast::DropConstraint) {
        let Some((name, range)) = self.simple_name_or_unknown(dc.constraint_name_ref()) else {
            return;
        };
        let flags = DropFlags::read(dc.if_exists(), dc.drop_behavior());
        match t.constraint(&name) {
            Some(c) => {
                let c = c.clone();
                let with_index =
                    matches!(c.kind, ConstraintKind::PrimaryKey | ConstraintKind::Unique);
                if let Some(t) = self.cat.table_mut(table) {
                    t.constraints.retain(|x| x.name != name);
                }
                if with_index {
                    let q = table.sibling(name.clone());
                    if matches!(
                        self.cat.relations.get(&q).map(|r| &r.value),
                        Some(RelKind::Index {
                            constraint: true,
                            ..
                        })
                    ) {
                        Arc::make_mut(&mut self.cat.relations).remove(&q);
                    }
                    if flags.cascade {
                        // The foreign keys that needed it go.
                        let mut mine = c.columns.clone();
                        mine.sort();
                        let pk = t.primary_key().map(<[String]>::to_vec);
                        self.drop_fks_to_columns(table, &pk, move |cols| {
                            let mut cols = cols.to_vec();
                            cols.sort();
                            cols == mine
                        });
                    }
                }
            }
            None if not_null_name(&name) => {
                // PostgreSQL 18 names every NOT NULL `table_column_not_null`; those
                // names are not held (the column's flag is), so stay silent.
                let col = name
                    .strip_prefix(&format!("{}_", table.name))
                    .and_then(|r| r.strip_suffix("_not_null"))
                    .map(str::to_owned);
                if let Some(t) = self.cat.table_mut(table) {
                    match t.columns.iter_mut().find(|c| Some(&c.name) == col.as_ref()) {
                        Some(c) => c.not_null = false,
                        None => t.columns_known = false,
                    }
                }
            }
            None => {
                let all_exact = t.constraints.iter().all(|c| c.name_exact);
                if !flags.if_exists && t.constraints_known && all_exact {
                    self.err(
                        Diagnostic::error(
                            Code::SchemaMissingObject,
                            format!("constraint `{name}` of table `{table}` does not exist"),
                        )
                        .at(
                            self.file,
                            range,
                            "no such constraint at this point",
                        ),
                    );
                }
                if !all_exact && let Some(t) = self.cat.table_mut(table) {
                    // One of the guessed names may be this one.
                    t.constraints_known = false;
                }
            }
        }
    }

    /// `ALTER TABLE … RENAME CONSTRAINT` (`t`: the table before it).
    pub(super) fn rename_constraint(
        &mut self,
        table: &QName,
        t: &Table,
        rc: ast::RenameConstraint,
    ) {
        let names = rc.constraint_name_ref().zip(rc.constraint_name());
        let Some((from, to)) = self.or_unknown(names) else {
            return;
        };
        let Some((old, from_range)) = self.simple_name_or_unknown(Some(from)) else {
            return;
        };
        let Some((new, _)) = self.simple_name_or_unknown(Some(to)) else {
            return;
        };
        if t.constraint(&old).is_none() {
            if not_null_name(&old) {
                // A PostgreSQL 18 NOT NULL constraint's name: not held.
                return;
            }
            if t.constraints_known && t.constraints.iter().all(|c| c.name_exact) {
                self.err(
                    Diagnostic::error(
                        Code::SchemaMissingObject,
                        format!("constraint `{old}` of table `{table}` does not exist"),
                    )
                    .at(
                        self.file,
                        from_range,
                        "no such constraint at this point",
                    ),
                );
            }
            if let Some(t) = self.cat.table_mut(table) {
                t.constraints_known = false;
            }
            return;
        }
        let q = table.sibling(old.clone());
        if let Some(t) = self.cat.table_mut(table)
            && let Some(c) = t.constraints.iter_mut().find(|c| c.name == old)
        {
            c.name = new.clone();
            c.name_exact = true;
        }
        if let Some(o) = Arc::make_mut(&mut self.cat.relations).remove(&q) {
            self.cat.put_relation(table.sibling(new), o);
        }
    }

    /// `ALTER TABLE … VALIDATE CONSTRAINT`: its text loses `NOT VALID`.
    pub(super) fn validate_constraint(&mut self, table: &QName, v: ast::ValidateConstraint) {
        let name = v.constraint_name_ref().and_then(|r| simple_name(&text(&r)));
        if let Some(t) = self.cat.table_mut(table)
            && let Some(c) = t
                .constraints
                .iter_mut()
                .find(|c| Some(&c.name) == name.as_ref())
            && let Some(sql) = c.sql.get()
        {
            c.sql = Written::new(without_not_valid(sql));
        }
    }

    /// `ALTER CONSTRAINT name [NOT] DEFERRABLE [INITIALLY …]`: a foreign key's clauses get
    /// the new deferrability in place of the old; any other change makes them unknown.
    pub(super) fn alter_constraint(&mut self, table: &QName, a: ast::AlterConstraint) {
        let name = a.constraint_name_ref().and_then(|r| simple_name(&text(&r)));
        let after = text(&a).to_ascii_uppercase();
        let options: Vec<&str> = after
            .split_whitespace()
            .skip_while(|w| *w != "CONSTRAINT")
            .skip(2)
            .collect();
        let Some(t) = self.cat.table_mut(table) else {
            return;
        };
        let Some(c) = t
            .constraints
            .iter_mut()
            .find(|c| Some(&c.name) == name.as_ref())
        else {
            return;
        };
        let known = options.iter().all(|w| {
            matches!(
                *w,
                "DEFERRABLE" | "NOT" | "INITIALLY" | "DEFERRED" | "IMMEDIATE"
            )
        });
        let Some(sql) = c.sql.get().filter(|_| known) else {
            c.sql = Written::unknown();
            return;
        };
        // The clauses without their deferrability, then the new one.
        let words: Vec<&str> = sql.split_whitespace().collect();
        let mut kept: Vec<&str> = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let w = words[i].to_ascii_uppercase();
            let next = words.get(i + 1).map(|n| n.to_ascii_uppercase());
            match (w.as_str(), next.as_deref()) {
                ("NOT", Some("DEFERRABLE")) | ("INITIALLY", Some(_)) => i += 2,
                ("DEFERRABLE", _) => i += 1,
                _ => {
                    kept.push(words[i]);
                    i += 1;
                }
            }
        }
        // `NOT VALID` stays last.
        let not_valid = kept.ends_with(&["NOT", "VALID"]);
        if not_valid {
            kept.truncate(kept.len() - 2);
        }
        kept.extend(options);
        if not_valid {
            kept.extend(["NOT", "VALID"]);
        }
        c.sql = Written::new(&kept.join(" "));
    }

    /// Removes every foreign key that references `table`.
    pub(super) fn drop_fks_to(&mut self, table: &QName) {
        let names: Vec<QName> = self
            .cat
            .relations
            .iter()
            .filter(|(_, r)| match &r.value {
                RelKind::Table(t) => t.constraints.iter().any(|c| fk_to(c, table)),
                _ => false,
            })
            .map(|(n, _)| n.clone())
            .collect();
        for n in names {
            if let Some(t) = self.cat.table_mut(&n) {
                t.constraints.retain(|c| !fk_to(c, table));
            }
        }
    }

    /// Removes the foreign keys to `table` whose referenced columns (its primary key `pk`
    /// when none are written) satisfy `pred`.
    pub(super) fn drop_fks_to_columns(
        &mut self,
        table: &QName,
        pk: &Option<Vec<String>>,
        pred: impl Fn(&[String]) -> bool,
    ) {
        let refs = |c: &Constraint| match &c.kind {
            ConstraintKind::ForeignKey { table: t, columns } if t == table => {
                if columns.is_empty() {
                    pk.as_deref().is_none_or(&pred)
                } else {
                    pred(columns)
                }
            }
            _ => false,
        };
        let names: Vec<QName> = self
            .cat
            .relations
            .iter()
            .filter(
                |(_, r)| matches!(&r.value, RelKind::Table(t) if t.constraints.iter().any(refs)),
            )
            .map(|(n, _)| n.clone())
            .collect();
        for n in names {
            if let Some(t) = self.cat.table_mut(&n) {
                t.constraints.retain(|c| !refs(c));
            }
        }
    }
}

/// PostgreSQL 18's names of NOT NULL constraints: `…_not_null`, perhaps with a number.
pub(super) fn not_null_name(name: &str) -> bool {
    name.trim_end_matches(|c: char| c.is_ascii_digit())
        .ends_with("_not_null")
}

/// Whether `c` is a foreign key to `table`.
pub(super) fn fk_to(c: &Constraint, table: &QName) -> bool {
    matches!(&c.kind, ConstraintKind::ForeignKey { table: t, .. } if t == table)
}

/// A constraint's text without a trailing `NOT VALID` (any case, any spacing): what
/// `VALIDATE CONSTRAINT` leaves.
fn without_not_valid(sql: &str) -> &str {
    let t = sql.trim_end();
    let Some(rest) = strip_word(t, "valid") else {
        return t;
    };
    strip_word(rest.trim_end(), "not").map_or(t, str::trim_end)
}

/// `t` without the last word when it is `w` (any case).
fn strip_word<'a>(t: &'a str, w: &str) -> Option<&'a str> {
    let cut = t.len().checked_sub(w.len())?;
    let (head, tail) = (t.get(..cut)?, t.get(cut..)?);
    (tail.eq_ignore_ascii_case(w) && (head.is_empty() || head.ends_with(char::is_whitespace)))
        .then_some(head)
}
