//! Sequences: `CREATE SEQUENCE`, `DROP SEQUENCE`, `ALTER SEQUENCE` (renamed, moved, owned
//! by a column, its options changed), the `OWNED BY` option, and the options of a sequence
//! as written ([`SeqOpt`]), which [`SequenceOptions`] resolves.

use std::sync::Arc;

use squawk_syntax::ast::{self, AstNode};

use super::Replayer;
use super::flags::{AlterFlags, CreateFlags, DropFlags};
use super::readers::text;
use crate::schema::catalog::{
    Ns, QName, RelKind, SeqOpt, SeqType, SequenceOptions, normalize_type, qname,
};
use crate::schema::object_kind::ObjectKind;

impl Replayer<'_> {
    /// `CREATE SEQUENCE`, with the column that owns it if one does.
    pub(super) fn create_sequence(&mut self, s: ast::CreateSequence) {
        let temp = matches!(s.persistence(), Some(ast::Persistence::Temp(_)));
        let seq = s.syntax().children().find_map(ast::Sequence::cast);
        let Some((name, range)) = self.qname_or_unknown(seq) else {
            return;
        };
        if temp {
            return self.cat.mark_name_unknown(Ns::Relation, &name);
        }
        let written = read_options(s.syntax().children().filter_map(ast::SequenceOption::cast));
        let flags = CreateFlags::read(s.if_not_exists());
        self.create_relation(
            name.clone(),
            RelKind::Sequence {
                owned_by: None,
                options: written.opts.as_deref().map(SequenceOptions::create),
            },
            flags,
            range,
        );
        if let Some(owned) = written.owned_by {
            self.set_owned_by(&name, owned);
        }
    }

    /// `DROP SEQUENCE a, b, …`.
    pub(super) fn drop_sequence(&mut self, s: ast::DropSequence) {
        let flags = DropFlags::read(s.if_exists(), s.drop_behavior());
        self.drop_relations(s.sequence_refs(), ObjectKind::Sequence, flags);
    }

    /// `ALTER SEQUENCE`: a rename, a new owner column, a new schema.
    pub(super) fn alter_sequence(&mut self, s: ast::AlterSequence) {
        let Some((name, range)) = self.qname_or_unknown(s.sequence_ref()) else {
            return;
        };
        let flags = AlterFlags::read(s.if_exists());
        let mut renamed = false;
        let mut opts = Vec::new();
        for a in s.actions() {
            match a {
                ast::AlterSequenceAction::SequenceRenameTo(to) => {
                    renamed = true;
                    if let Some((new, _)) = self.simple_name_or_unknown(to.sequence()) {
                        let kind = ObjectKind::Sequence;
                        self.rename_relation(&name, kind, new, flags, range.clone());
                    }
                }
                ast::AlterSequenceAction::SequenceOption(o) => opts.push(o),
                ast::AlterSequenceAction::SetSchema(_) => {
                    self.cat.mark_name_unknown(Ns::Relation, &name);
                    self.unknown_ns(Ns::Relation);
                }
                _ => {}
            }
        }
        if !renamed && !flags.if_exists && !self.cat.relations.contains_key(&name) {
            self.missing(ObjectKind::Sequence, &name, range);
        }
        if opts.is_empty() {
            return;
        }
        let written = read_options(opts.into_iter());
        self.alter_sequence_options(&name, written.opts.as_deref());
        if let Some(owned) = written.owned_by {
            self.set_owned_by(&name, owned);
        }
    }

    /// Applies `ALTER SEQUENCE` options to `seq` (`None`: options not understood, so its
    /// options are no longer known).
    pub(super) fn alter_sequence_options(&mut self, seq: &QName, opts: Option<&[SeqOpt]>) {
        if let Some(r) = Arc::make_mut(&mut self.cat.relations).get_mut(seq)
            && let RelKind::Sequence { options, .. } = &mut r.value
        {
            *options = match (opts, *options) {
                (Some(o), Some(before)) => Some(before.alter(o)),
                _ => None,
            };
        }
    }

    /// The sequence that column `col` of `table` owns (a `serial`'s or an identity's).
    pub(super) fn sequence_of_column(&self, table: &QName, col: &str) -> Option<QName> {
        self.cat.dependents(table).into_iter().find(|n| {
            matches!(
                self.cat.relations.get(n).map(|r| &r.value),
                Some(RelKind::Sequence { owned_by: Some((t, c)), .. }) if t == table && c == col
            )
        })
    }

    /// `OWNED BY table.column` (`Some(None)`: `OWNED BY NONE`; `Err`: not understood).
    pub(super) fn set_owned_by(&mut self, seq: &QName, owned: Result<Option<(QName, String)>, ()>) {
        match owned {
            Ok(o) => {
                if let Some(r) = Arc::make_mut(&mut self.cat.relations).get_mut(seq)
                    && let RelKind::Sequence { owned_by, .. } = &mut r.value
                {
                    *owned_by = o;
                }
                self.cat.note_refs(seq);
            }
            Err(()) => self.cat.mark_name_unknown(Ns::Relation, seq),
        }
    }
}

/// The options of a sequence as written.
#[derive(Debug, Default)]
pub(super) struct Written {
    /// The options that set its parameters; `None` when one of them is not understood.
    pub opts: Option<Vec<SeqOpt>>,
    /// `OWNED BY`, if written.
    pub owned_by: Option<Result<Option<(QName, String)>, ()>>,
    /// `SEQUENCE NAME` (an identity column's), if written: `Err` when not understood.
    pub name: Option<Result<QName, ()>>,
}

/// Reads sequence options (`LOGGED`/`UNLOGGED` are not modelled and change nothing here).
pub(super) fn read_options(options: impl Iterator<Item = ast::SequenceOption>) -> Written {
    use ast::SequenceOption as O;
    let mut w = Written {
        opts: Some(Vec::new()),
        ..Written::default()
    };
    let num = |e: Option<ast::Expr>| e.and_then(|e| integer(&text(&e)));
    for o in options {
        let opt = match &o {
            O::OptionAsType(a) => a
                .ty()
                .and_then(|t| SeqType::of(&normalize_type(&text(&t))))
                .map(SeqOpt::As),
            O::OptionIncrement(i) => num(i.expr()).map(SeqOpt::Increment),
            O::OptionMinValue(m) => num(m.expr()).map(|n| SeqOpt::Min(Some(n))),
            O::OptionMaxValue(m) => num(m.expr()).map(|n| SeqOpt::Max(Some(n))),
            O::OptionNoMinValue(_) => Some(SeqOpt::Min(None)),
            O::OptionNoMaxValue(_) => Some(SeqOpt::Max(None)),
            O::OptionStart(s) => num(s.expr()).map(SeqOpt::Start),
            O::OptionRestart(_) => Some(SeqOpt::Restart),
            O::OptionCache(c) => num(c.expr()).map(SeqOpt::Cache),
            O::OptionCycle(_) => Some(SeqOpt::Cycle(true)),
            O::OptionNoCycle(_) => Some(SeqOpt::Cycle(false)),
            O::OptionLogged(_) | O::OptionUnlogged(_) => continue,
            O::OptionOwnedBy(_) => {
                w.owned_by = Some(owned_by(&text(&o)).unwrap_or(Err(())));
                continue;
            }
            O::OptionSequenceName(n) => {
                w.name = Some(n.sequence().and_then(|s| qname(&text(&s))).ok_or(()));
                continue;
            }
        };
        match (opt, &mut w.opts) {
            (Some(opt), Some(v)) => v.push(opt),
            _ => w.opts = None,
        }
    }
    w
}

/// An integer as a sequence option writes it: `5`, `-3`, `+10` (PostgreSQL takes no
/// expression there).
fn integer(text: &str) -> Option<i64> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    t.strip_prefix('+').unwrap_or(&t).parse().ok()
}

/// A sequence option `OWNED BY …`: `None` if the option is another one.
pub(super) fn owned_by(option: &str) -> Option<Result<Option<(QName, String)>, ()>> {
    let t = option.trim();
    let lower = t.to_lowercase();
    let rest = lower
        .strip_prefix("owned")?
        .trim_start()
        .strip_prefix("by")?;
    let rest_len = rest.len();
    let rest = t[t.len() - rest_len..].trim();
    if rest.eq_ignore_ascii_case("none") {
        return Some(Ok(None));
    }
    let mut parts = crate::schema::catalog::name_parts(rest)?;
    Some(match parts.len() {
        2 => {
            let col = parts.pop().unwrap_or_default();
            Ok(Some((
                QName::new("public", parts.pop().unwrap_or_default()),
                col,
            )))
        }
        3 => {
            let col = parts.pop().unwrap_or_default();
            let t = parts.pop().unwrap_or_default();
            Ok(Some((QName::new(parts.pop().unwrap_or_default(), t), col)))
        }
        _ => Err(()),
    })
}
