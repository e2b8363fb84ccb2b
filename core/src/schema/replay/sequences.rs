//! Sequences: `CREATE SEQUENCE`, `DROP SEQUENCE`, `ALTER SEQUENCE` (renamed, moved, owned
//! by a column) and the `OWNED BY` option.

use std::sync::Arc;

use squawk_syntax::ast::{self, AstNode};

use super::Replayer;
use super::flags::{AlterFlags, CreateFlags, DropFlags};
use super::readers::text;
use crate::schema::catalog::{Ns, QName, RelKind};
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
        self.create_relation(
            name.clone(),
            RelKind::Sequence { owned_by: None },
            CreateFlags::read(s.if_not_exists()),
            range,
        );
        for o in s.syntax().children().filter_map(ast::SequenceOption::cast) {
            if let Some(owned) = owned_by(&text(&o)) {
                self.set_owned_by(&name, owned);
            }
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
        for a in s.actions() {
            match a {
                ast::AlterSequenceAction::SequenceRenameTo(to) => {
                    renamed = true;
                    if let Some((new, _)) = self.simple_name_or_unknown(to.sequence()) {
                        let kind = ObjectKind::Sequence;
                        self.rename_relation(&name, kind, new, flags, range.clone());
                    }
                }
                ast::AlterSequenceAction::SequenceOption(o) => {
                    if let Some(owned) = owned_by(&text(&o)) {
                        self.set_owned_by(&name, owned);
                    }
                }
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
    }

    /// `OWNED BY table.column` (`Some(None)`: `OWNED BY NONE`; `Err`: not understood).
    pub(super) fn set_owned_by(&mut self, seq: &QName, owned: Result<Option<(QName, String)>, ()>) {
        match owned {
            Ok(o) => {
                if let Some(r) = Arc::make_mut(&mut self.cat.relations).get_mut(seq)
                    && let RelKind::Sequence { owned_by } = &mut r.value
                {
                    *owned_by = o;
                }
                self.cat.note_refs(seq);
            }
            Err(()) => self.cat.mark_name_unknown(Ns::Relation, seq),
        }
    }
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
