//! `CREATE TABLE` (its columns and their clauses, `serial` and identity sequences, the
//! constraints written inline), `CREATE TABLE … AS`, `SELECT … INTO` and `DROP TABLE`.

use std::sync::Arc;

use squawk_syntax::ast;

use super::Replayer;
use super::constraints::Spec;
use super::flags::{CreateFlags, DropFlags};
use super::readers::{
    cname, collation, end_of, expr_words, generated_always, is_null, start_of, table_constraint,
    text, text_from, words,
};
use super::sequences::read_options;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::schema::catalog::{
    Column, ConstraintKind, Ns, QName, RelKind, SeqOpt, SeqType, SequenceOptions, Table, Written,
    generated_name, literal, normalize_type, qname, simple_name, sql_name,
};

/// The sequence a `serial` or identity column makes for itself.
#[derive(Clone, Debug)]
pub(super) struct ColumnSequence {
    /// `SEQUENCE NAME` of an identity column (else PostgreSQL's `table_col_seq`); `Err` when
    /// written in a form not read.
    pub name: Option<Result<QName, ()>>,
    /// Its options (`None`: not known).
    pub options: Option<SequenceOptions>,
}

impl ColumnSequence {
    /// The sequence of a column of type `ty` (normalised): `opts` written after the type
    /// that PostgreSQL gives it; `None` when the options are not known.
    pub(super) fn new(ty: &str, opts: Option<&[SeqOpt]>, name: Option<Result<QName, ()>>) -> Self {
        let options = match (SeqType::of(ty), opts) {
            (Some(t), Some(o)) => {
                let mut all = vec![SeqOpt::As(t)];
                all.extend_from_slice(o);
                Some(SequenceOptions::create(&all))
            }
            _ => None,
        };
        ColumnSequence { name, options }
    }
}
use crate::schema::object_kind::ObjectKind;

impl Replayer<'_> {
    /// `CREATE [TEMP] TABLE [IF NOT EXISTS]`: its columns, its constraints (checked once the
    /// table is there), the sequences of its `serial` and identity columns.
    pub(super) fn create_table(&mut self, s: ast::CreateTable) {
        let Some((name, range)) = self.qname_or_unknown(s.table_name()) else {
            return;
        };
        if matches!(s.persistence(), Some(ast::Persistence::Temp(_))) {
            return self.cat.mark_name_unknown(Ns::Relation, &name);
        }
        let flags = CreateFlags::read(s.if_not_exists());
        self.create = flags;
        let known = self.cat.knows(Ns::Relation, &name);
        let exists = self.cat.relations.contains_key(&name);
        // Known to be there (an error or a no-op), or perhaps there with `IF NOT EXISTS`.
        let taken = if flags.if_not_exists {
            exists || !known
        } else {
            exists && known
        };
        if taken {
            return self.create_relation(
                name,
                RelKind::Table(Arc::new(unknown_table())),
                flags,
                range,
            );
        }
        let mut table = Table {
            columns: Vec::new(),
            constraints: Vec::new(),
            columns_known: s.inherits().is_none()
                && s.of_type().is_none()
                && s.partition_of().is_none(),
            constraints_known: s.inherits().is_none() && s.partition_of().is_none(),
        };
        let mut specs = Vec::new();
        let mut serials = Vec::new();
        let mut likes_copy = s.partition_of().is_some();
        for arg in s.table_arg_list().into_iter().flat_map(|l| l.args()) {
            match arg {
                ast::TableArg::Column(c) => {
                    let Some(col) = self.column(&c, &name, &mut specs, &mut serials) else {
                        table.columns_known = false;
                        table.constraints_known = false;
                        continue;
                    };
                    if table.column(&col.name).is_some() {
                        let r = c.name().map_or(range.clone(), |n| self.span(&n));
                        self.err(
                            Diagnostic::error(
                                Code::SchemaAlreadyExists,
                                format!("column `{}` is specified more than once", col.name),
                            )
                            .at(self.file, r, "again here"),
                        );
                        continue;
                    }
                    table.columns.push(col);
                }
                ast::TableArg::LikeClause(l) => {
                    table.columns_known = false;
                    table.constraints_known = false;
                    // `INCLUDING INDEXES`/`ALL`/`IDENTITY` copies indexes and sequences under
                    // names PostgreSQL makes from the new table's.
                    if words(&text(&l)).iter().any(|w| w == "including") {
                        likes_copy = true;
                    }
                }
                ast::TableArg::TableConstraint(tc) => match table_constraint(&tc, self.base) {
                    Some(spec) => specs.push(spec),
                    None => table.constraints_known = false,
                },
            }
        }
        self.create_relation(name.clone(), RelKind::Table(Arc::new(table)), flags, range);
        if likes_copy {
            self.cat.mark_prefix_unknown(Ns::Relation, &name);
        }
        for (col, seq) in serials {
            self.serial_sequence(&name, &col, seq);
        }
        for spec in specs {
            self.add_constraint(&name, spec);
        }
    }

    /// `CREATE TABLE … AS`: a table whose columns are not known (a temporary one hides a name).
    pub(super) fn create_table_as(&mut self, s: ast::CreateTableAs) {
        let temp = matches!(s.persistence(), Some(ast::Persistence::Temp(_)));
        let Some((name, range)) = self.qname_or_unknown(s.table_name()) else {
            return;
        };
        if temp {
            return self.cat.mark_name_unknown(Ns::Relation, &name);
        }
        self.create_relation(
            name,
            RelKind::Table(Arc::new(unknown_table())),
            CreateFlags::read(s.if_not_exists()),
            range,
        );
    }

    /// `SELECT … INTO table`: a table not modelled; its name is no longer known.
    pub(super) fn select_into(&mut self, s: ast::SelectInto) {
        let into = s.into_clause().and_then(|i| i.table_name());
        if let Some((name, _)) = self.qname_or_unknown(into) {
            self.cat.mark_name_unknown(Ns::Relation, &name);
        }
    }

    /// `DROP TABLE a, b, …`.
    pub(super) fn drop_table(&mut self, s: ast::DropTable) {
        let flags = DropFlags::read(s.if_exists(), s.drop_behavior());
        self.drop_relations(s.table_name_refs(), ObjectKind::Table, flags);
    }

    /// A `serial` or identity column's sequence, `table_col_seq` unless named.
    pub(super) fn serial_sequence(&mut self, table: &QName, col: &str, seq: ColumnSequence) {
        let q = match seq.name {
            Some(Ok(q)) => q,
            Some(Err(())) => return self.unknown_ns(Ns::Relation),
            None => {
                let (seq, exact) = generated_name(&table.name, &[col.to_owned()], "seq");
                if !exact {
                    return self.unknown_ns(Ns::Relation);
                }
                table.sibling(seq)
            }
        };
        if self.cat.relations.contains_key(&q) {
            return self.unknown_ns(Ns::Relation);
        }
        let o = self.obj(
            RelKind::Sequence {
                owned_by: Some((table.clone(), col.to_owned())),
                options: seq.options,
            },
            CreateFlags::default(),
        );
        self.cat.put_relation(q.clone(), o);
        self.cat.mark_name_known(Ns::Relation, &q);
    }

    /// A column definition; its constraints go to `specs`, `serial` columns to `serials`.
    pub(super) fn column(
        &mut self,
        c: &ast::Column,
        table: &QName,
        specs: &mut Vec<Spec>,
        serials: &mut Vec<(String, ColumnSequence)>,
    ) -> Option<Column> {
        let name = simple_name(&text(&c.name()?))?;
        let ty = c.ty();
        let collate = c.clauses().find_map(|cl| match cl {
            ast::ColumnClause::Collate(k) => Some(k),
            _ => None,
        });
        let col = self.column_from(
            name,
            ty,
            collate,
            c.clauses().filter_map(|cl| match cl {
                ast::ColumnClause::ColumnConstraint(cc) => Some(cc),
                _ => None,
            }),
            table,
            specs,
            serials,
        )?;
        Some(col)
    }

    /// A column named `name` of type `ty`, `COLLATE`d or not, with its `constraints`; its
    /// constraints go to `specs`, a `serial` or identity column (with its sequence) to
    /// `serials`. `None` when not understood.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn column_from(
        &mut self,
        name: String,
        ty: Option<ast::Type>,
        collate: Option<ast::Collate>,
        constraints: impl Iterator<Item = ast::ColumnConstraint>,
        table: &QName,
        specs: &mut Vec<Spec>,
        serials: &mut Vec<(String, ColumnSequence)>,
    ) -> Option<Column> {
        let collation = match collate {
            Some(k) => collation(&k)?,
            None => None,
        };
        let ty_text = ty.as_ref().map(text).unwrap_or_default();
        let tyn = normalize_type(&ty_text);
        let raw = ty_text.trim().to_lowercase();
        let serial = matches!(
            raw.as_str(),
            "serial" | "serial4" | "bigserial" | "serial8" | "smallserial" | "serial2"
        );
        if let Some(ty) = &ty {
            self.type_ref(ty);
        }
        let mut col = Column {
            name: name.clone(),
            ty: tyn,
            not_null: serial,
            default: serial,
            identity: false,
            identity_always: false,
            generated: false,
            // A serial's default is PostgreSQL's, on the sequence named after the column.
            default_sql: if serial {
                let (seq, _) = generated_name(&table.name, std::slice::from_ref(&name), "seq");
                Written::new(&format!(
                    "nextval({}::regclass)",
                    literal(&sql_name(&table.sibling(seq)))
                ))
            } else {
                Written::unknown()
            },
            generated_sql: Written::unknown(),
            collation,
        };
        if serial {
            let seq = ColumnSequence::new(&col.ty, Some(&[]), None);
            serials.push((name.clone(), seq));
        }
        let mut identity = None;
        for cc in constraints {
            use ast::ColumnConstraint as C;
            match cc {
                C::NotNullConstraint(_) => col.not_null = true,
                C::NullConstraint(_) => col.not_null = false,
                C::DefaultConstraint(d) => {
                    col.default = !is_null(d.expr());
                    col.default_sql = match d.expr() {
                        Some(e) if col.default => Written::new(&text(&e)),
                        _ => Written::unknown(),
                    };
                }
                C::GeneratedConstraint(g) => match g.generated_as() {
                    Some(ast::GeneratedAs::GeneratedIdentity(gi)) => {
                        col.identity = true;
                        col.identity_always = generated_always(&text(&g)).unwrap_or(false);
                        col.not_null = true;
                        let written = read_options(
                            gi.sequence_option_list()
                                .into_iter()
                                .flat_map(|l| l.sequence_options()),
                        );
                        identity = Some(ColumnSequence::new(
                            &col.ty,
                            written.opts.as_deref(),
                            written.name,
                        ));
                    }
                    Some(ast::GeneratedAs::GeneratedStored(gs)) => {
                        col.generated = true;
                        col.generated_sql = gs
                            .expr()
                            .map_or_else(Written::unknown, |e| Written::new(&text(&e)));
                    }
                    None => return None,
                },
                C::PrimaryKeyConstraint(p) => {
                    col.not_null = true;
                    specs.push(Spec::new(
                        cname(p.constraint_name_clause(), self.base),
                        ConstraintKind::PrimaryKey,
                        vec![name.clone()],
                    ));
                }
                C::UniqueConstraint(u) => specs.push(Spec::new(
                    cname(u.constraint_name_clause(), self.base),
                    ConstraintKind::Unique,
                    vec![name.clone()],
                )),
                C::CheckConstraint(k) => specs.push(Spec {
                    expr_words: k.expr().map(|e| expr_words(&e)).unwrap_or_default(),
                    sql: text_from(&k, k.check_token().as_ref().map(start_of)),
                    ..Spec::new(
                        cname(k.constraint_name_clause(), self.base),
                        ConstraintKind::Check,
                        vec![name.clone()],
                    )
                }),
                C::ReferencesConstraint(r) => {
                    let t = r.table()?;
                    let rt = qname(&text(&t))?;
                    let cols = match r.column() {
                        Some(c) => vec![simple_name(&text(&c))?],
                        None => Vec::new(),
                    };
                    specs.push(Spec {
                        name: cname(r.constraint_name_clause(), self.base),
                        kind: ConstraintKind::ForeignKey {
                            table: rt,
                            columns: cols,
                        },
                        columns: vec![name.clone()],
                        ref_range: self.span(&t),
                        using_index: None,
                        expr_words: Vec::new(),
                        sql: text_from(
                            &r,
                            Some(r.r_paren_token().map_or(end_of(&t), |p| start_of(&p) + 1)),
                        ),
                    });
                }
                C::ExcludeConstraint(_) => return None,
            }
        }
        if let Some(seq) = identity
            && !serial
        {
            // An identity column has a sequence too, named like a serial's unless named.
            serials.push((name.clone(), seq));
        }
        Some(col)
    }

    /// A column's type: an error only if it names a type that an earlier migration dropped.
    pub(super) fn type_ref(&mut self, ty: &ast::Type) {
        let mut ty = ty.clone();
        while let ast::Type::ArrayType(a) = &ty {
            match a.ty() {
                Some(t) => ty = t,
                None => return,
            }
        }
        let ast::Type::PathType(p) = &ty else {
            return;
        };
        let Some(name) = p.path_ref().and_then(|r| qname(&text(&r))) else {
            return;
        };
        if !self.cat.types.contains_key(&name)
            && self.cat.dropped_at(Ns::Type, &name).is_some()
            && self.cat.knows(Ns::Type, &name)
            && self.cat.extensions.is_empty()
        {
            let range = self.span(p);
            self.missing(ObjectKind::Type, &name, range);
        }
    }
}

/// A table of which neither columns nor constraints are known.
pub(super) fn unknown_table() -> Table {
    Table {
        columns: Vec::new(),
        constraints: Vec::new(),
        columns_known: false,
        constraints_known: false,
    }
}
