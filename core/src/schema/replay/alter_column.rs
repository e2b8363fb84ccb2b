//! The column actions of `ALTER TABLE`: `ADD COLUMN`, `DROP COLUMN` (with the indexes,
//! sequences and foreign keys that go with it), `RENAME COLUMN` (and what refers to it), and
//! `ALTER COLUMN` (type, nullability, default, identity, generation).

use std::ops::Range;
use std::sync::Arc;

use squawk_syntax::ast::{self, AstNode};

use super::Replayer;
use super::flags::DropFlags;
use super::readers::{collation, generated_always, is_null, text};
use super::sequences::read_options;
use super::tables::ColumnSequence;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::schema::catalog::{
    ConstraintKind, Ns, QName, RelKind, SeqOpt, SeqType, Table, Written, generated_name,
    normalize_type,
};

impl Replayer<'_> {
    /// `ADD COLUMN [IF NOT EXISTS]` (`t`: the table before it).
    pub(super) fn add_column(&mut self, table: &QName, t: &Table, ac: ast::AddColumn) {
        let Some((name, cr)) = self.simple_name_or_unknown(ac.column_name()) else {
            return;
        };
        if t.column(&name).is_some() {
            if ac.if_not_exists().is_none() && t.columns_known {
                self.err(
                    Diagnostic::error(
                        Code::SchemaAlreadyExists,
                        format!("column `{name}` of table `{table}` already exists"),
                    )
                    .at(self.file, cr, "added again here")
                    .with_help("add `IF NOT EXISTS`, or choose another name"),
                );
            }
            return;
        }
        if ac.if_not_exists().is_some() && !t.columns_known {
            return;
        }
        let mut specs = Vec::new();
        let mut serials = Vec::new();
        let constraints: Vec<ast::ColumnConstraint> = ac
            .constraints()
            .filter_map(|c| ast::ColumnConstraint::cast(c.syntax().clone()))
            .collect();
        if constraints.len() != ac.constraints().count() {
            if let Some(t) = self.cat.table_mut(table) {
                t.columns_known = false;
                t.constraints_known = false;
            }
            return;
        }
        let Some(col) = self.column_from(
            name.clone(),
            ac.ty(),
            ac.collate(),
            constraints.into_iter(),
            table,
            &mut specs,
            &mut serials,
        ) else {
            if let Some(t) = self.cat.table_mut(table) {
                t.columns_known = false;
                t.constraints_known = false;
            }
            return;
        };
        if let Some(t) = self.cat.table_mut(table) {
            t.columns.push(col);
        }
        for (c, seq) in serials {
            self.serial_sequence(table, &c, seq);
        }
        for spec in specs {
            self.add_constraint(table, spec);
        }
    }

    /// `DROP COLUMN [IF EXISTS]` (`t`: the table before it).
    pub(super) fn drop_column(&mut self, table: &QName, t: &Table, dc: ast::DropColumn) {
        let Some((name, cr)) = self.simple_name_or_unknown(dc.column_name_ref()) else {
            return;
        };
        let flags = DropFlags::read(dc.if_exists(), dc.drop_behavior());
        // With columns not all known, it may be there, with indexes on it.
        if t.column(&name).is_none() && t.columns_known {
            if !flags.if_exists {
                self.missing_column(table, &name, cr);
            }
            return;
        }
        self.remove_column(table, &name, flags);
    }

    /// `RENAME COLUMN old TO new` (`t`: the table before it).
    pub(super) fn rename_column(&mut self, table: &QName, t: &Table, rc: ast::RenameColumn) {
        let Some((from, to)) = self.or_unknown(rc.column_name_ref().zip(rc.column_name())) else {
            return;
        };
        let Some((old, from_range)) = self.simple_name_or_unknown(Some(from)) else {
            return;
        };
        let Some((new, to_range)) = self.simple_name_or_unknown(Some(to)) else {
            return;
        };
        // With columns not all known, rename what refers to it.
        if t.column(&old).is_none() && t.columns_known {
            self.missing_column(table, &old, from_range);
            return;
        }
        if t.column(&new).is_some() {
            if t.columns_known {
                self.err(
                    Diagnostic::error(
                        Code::SchemaAlreadyExists,
                        format!("column `{new}` of table `{table}` already exists"),
                    )
                    .at(self.file, to_range, "renamed to a name taken"),
                );
            }
            return;
        }
        self.rename_column_and_refs(table, &old, &new);
    }

    /// `ALTER COLUMN`: its type, nullability, default, identity or generation (`t`: the
    /// table before it).
    pub(super) fn alter_column(&mut self, table: &QName, t: &Table, ac: ast::AlterColumn) {
        let Some((name, r)) = self.simple_name_or_unknown(ac.column_name_ref()) else {
            return;
        };
        if t.column(&name).is_none() {
            if t.columns_known {
                self.missing_column(table, &name, r);
            }
            return;
        }
        use ast::AlterColumnOption as O;
        let opt = ac.option();
        if let Some(O::SetType(st)) = &opt
            && let Some(ty) = st.ty()
        {
            self.type_ref(&ty);
        }
        let seq = self.sequence_of_column(table, &name);
        // What the column's sequence undergoes: options set, or a new type.
        let mut seq_opts: Option<Vec<SeqOpt>> = Some(Vec::new());
        let mut add_identity = None;
        let Some(t) = self.cat.table_mut(table) else {
            return;
        };
        let Some(c) = t.columns.iter_mut().find(|c| c.name == name) else {
            return;
        };
        match opt {
            Some(O::SetType(st)) => match (st.ty(), st.collate().map(|k| collation(&k))) {
                (Some(ty), coll) if coll != Some(None) => {
                    let new = normalize_type(&text(&ty));
                    // PostgreSQL converts the default as it was parsed: a string
                    // literal is a constant of the old type (other expressions lose
                    // their implicit casts and are converted again).
                    if new != c.ty
                        && let Some(d) = c.default_sql.get()
                        && d.starts_with('\'')
                        && d.ends_with('\'')
                        && !d[1..d.len() - 1].replace("''", "").contains('\'')
                    {
                        c.default_sql = Written::new(&format!("{d}::{}", c.ty));
                    }
                    // An identity's sequence takes the new type (as `AS` would).
                    if c.identity {
                        seq_opts = SeqType::of(&new).map(|t| vec![SeqOpt::As(t)]);
                    }
                    c.ty = new;
                    // The collation is the one written, else the new type's default.
                    c.collation = coll.flatten().flatten();
                }
                _ => t.columns_known = false,
            },
            Some(O::SetNotNull(_)) => c.not_null = true,
            Some(O::DropNotNull(_)) => c.not_null = false,
            // `SET DEFAULT NULL` is no default (PostgreSQL stores none).
            Some(O::SetDefault(d)) => {
                c.default = !is_null(d.expr());
                c.default_sql = match d.expr() {
                    Some(e) if c.default => Written::new(&text(&e)),
                    _ => Written::unknown(),
                };
            }
            Some(O::DropDefault(_)) => {
                c.default = false;
                c.default_sql = Written::unknown();
            }
            Some(O::AddGenerated(a)) => {
                c.identity = true;
                c.identity_always = generated_always(&text(&a)).unwrap_or(false);
                c.not_null = true;
                let written = read_options(
                    a.sequence_option_list()
                        .into_iter()
                        .flat_map(|l| l.sequence_options()),
                );
                add_identity = Some(ColumnSequence::new(
                    &c.ty,
                    written.opts.as_deref(),
                    written.name,
                ));
            }
            // `DROP IDENTITY IF EXISTS` of another column changes nothing (a serial keeps
            // its sequence).
            Some(O::DropIdentity(_)) if c.identity => {
                c.identity = false;
                match &seq {
                    Some(q) => {
                        Arc::make_mut(&mut self.cat.relations).remove(q);
                    }
                    None => self.column_sequence_unknown(table, &name),
                }
            }
            Some(O::DropIdentity(_)) => {}
            Some(O::DropExpression(_)) => {
                c.generated = false;
                c.generated_sql = Written::unknown();
            }
            Some(O::SetStatistics(_))
            | Some(O::SetStorage(_))
            | Some(O::SetCompression(_))
            | Some(O::SetOptions(_))
            | Some(O::ResetOptions(_))
            | Some(O::SetOptionsList(_))
            | Some(O::Restart(_)) => {}
            Some(O::SetSequenceOption(o)) => {
                seq_opts = read_options(o.sequence_option().into_iter()).opts;
            }
            Some(O::SetGeneratedOptions(o)) => {
                if let Some(always) = generated_always(&text(&o)) {
                    c.identity_always = always;
                }
                let written = read_options(o.set_generated_options().filter_map(|g| match g {
                    ast::SetGeneratedOption::SetSequenceOption(s) => s.sequence_option(),
                    _ => None,
                }));
                seq_opts = written.opts;
            }
            _ => t.columns_known = false,
        }
        if let Some(s) = add_identity {
            // Its sequence: named like a serial's unless named, or that name is taken.
            self.serial_sequence(table, &name, s);
        } else if seq_opts.as_ref().is_none_or(|o| !o.is_empty()) {
            match &seq {
                Some(q) => self.alter_sequence_options(q, seq_opts.as_deref()),
                None => self.column_sequence_unknown(table, &name),
            }
        }
    }

    /// The sequence of column `col` of `table` was not found where it should be: the name
    /// PostgreSQL would have given it is no longer known.
    fn column_sequence_unknown(&mut self, table: &QName, col: &str) {
        let (seq, _) = generated_name(&table.name, &[col.to_owned()], "seq");
        self.cat
            .mark_name_unknown(Ns::Relation, &table.sibling(seq));
    }

    /// "column `col` of table `table` does not exist", with the columns it has (and the
    /// closest name) when they are known.
    pub(super) fn missing_column(&mut self, table: &QName, col: &str, range: Range<usize>) {
        let d = Diagnostic::error(
            Code::SchemaMissingColumn,
            format!("column `{col}` of table `{table}` does not exist"),
        )
        .at(self.file, range, "no such column at this point");
        let help = self.cat.table(table).filter(|t| t.columns_known).map(|t| {
            let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
            let close = names
                .iter()
                .filter(|n| strsim::damerau_levenshtein(n, col) <= 2)
                .min_by_key(|n| strsim::damerau_levenshtein(n, col));
            let list = names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ");
            match (close, names.is_empty()) {
                (Some(c), _) => format!("did you mean `{c}`? the columns of `{table}` are {list}"),
                (None, true) => format!("table `{table}` has no columns at this point"),
                (None, false) => format!("the columns of `{table}` at this point are {list}"),
            }
        });
        self.err(match help {
            Some(h) => d.with_help(h),
            None => d,
        });
    }

    /// Removes column `col` of `table` and what goes with it: its constraints, the indexes
    /// and owned sequence on it; with `CASCADE`, the foreign keys to it go and the views on
    /// the table become unknown.
    pub(super) fn remove_column(&mut self, table: &QName, col: &str, flags: DropFlags) {
        let origin = self.origin.clone();
        let pk = self
            .cat
            .table(table)
            .and_then(|t| t.primary_key())
            .map(<[String]>::to_vec);
        if let Some(t) = self.cat.table_mut(table) {
            t.columns.retain(|c| c.name != col);
            // Constraints on it go (PostgreSQL drops multi-column ones too).
            t.constraints
                .retain(|c| !c.columns.iter().any(|x| x == col));
        }
        // Indexes on it and its owned sequence go; indexes on expressions may.
        let mut gone = Vec::new();
        let mut unsure = Vec::new();
        for n in self.cat.dependents(table) {
            let Some(r) = self.cat.relations.get(&n) else {
                continue;
            };
            match &r.value {
                RelKind::Index {
                    table: t,
                    uses: Some(c),
                    ..
                } if t == table && c.iter().any(|x| x == col) => gone.push(n),
                RelKind::Index {
                    table: t,
                    uses: None,
                    ..
                } if t == table => unsure.push(n),
                RelKind::Sequence {
                    owned_by: Some((t, c)),
                    ..
                } if t == table && c == col => gone.push(n),
                _ => {}
            }
        }
        if !gone.is_empty() {
            let rels = Arc::make_mut(&mut self.cat.relations);
            for g in &gone {
                rels.remove(g);
            }
            for g in &gone {
                self.cat.record_drop(Ns::Relation, g, &origin);
            }
        }
        for u in unsure {
            self.cat.mark_name_unknown(Ns::Relation, &u);
        }
        // Foreign keys from elsewhere to it go with CASCADE (without, PostgreSQL refuses
        // while there are any); views on it may go.
        if flags.cascade {
            let c2 = col.to_owned();
            self.drop_fks_to_columns(table, &pk, move |cols| cols.contains(&c2));
            self.views_unknown(&table.name);
        }
    }

    /// Renames column `old` of `table` to `new` everywhere it is named: constraints,
    /// indexes, owned sequences, foreign keys to it, texts kept as written.
    pub(super) fn rename_column_and_refs(&mut self, table: &QName, old: &str, new: &str) {
        self.forget_views_mentioning(old);
        self.triggers_follow_column_rename(table, old, new);
        if let Some(t) = self.cat.table_mut(table) {
            for c in &mut t.columns {
                if c.name == old {
                    c.name = new.to_owned();
                }
                c.default_sql.rename_column(old, new);
                c.generated_sql.rename_column(old, new);
            }
            for c in &mut t.constraints {
                c.sql.rename_column(old, new);
                for x in &mut c.columns {
                    if x == old {
                        *x = new.to_owned();
                    }
                }
                if let ConstraintKind::ForeignKey { table: rt, columns } = &mut c.kind
                    && rt == table
                {
                    for x in columns {
                        if x == old {
                            *x = new.to_owned();
                        }
                    }
                }
            }
        }
        let rels = Arc::make_mut(&mut self.cat.relations);
        for r in rels.values_mut() {
            match &mut r.value {
                RelKind::Index {
                    table: t,
                    columns,
                    uses,
                    sql,
                    ..
                } if t == table => {
                    sql.rename_column(old, new);
                    for x in columns.iter_mut().chain(uses.iter_mut()).flatten() {
                        if x == old {
                            *x = new.to_owned();
                        }
                    }
                }
                RelKind::Sequence {
                    owned_by: Some((t, c)), ..
                } if t == table && c == old => *c = new.to_owned(),
                RelKind::Table(t)
                    if t.constraints.iter().any(|c| {
                        matches!(&c.kind, ConstraintKind::ForeignKey { table: x, columns } if x == table && columns.iter().any(|y| y == old))
                    }) =>
                {
                    for c in &mut Arc::make_mut(t).constraints {
                        if let ConstraintKind::ForeignKey { table: x, columns } = &mut c.kind
                            && x == table
                        {
                            for y in columns {
                                if y == old {
                                    *y = new.to_owned();
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
}
