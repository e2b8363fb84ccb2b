//! Functions and procedures: `CREATE FUNCTION`/`PROCEDURE` (overloads by signature, what the
//! body may change), `DROP FUNCTION`, `ALTER FUNCTION`, the routines not modelled, and the
//! statements that may call a function whose body changes the schema (`DO`, queries).

use std::ops::Range;
use std::sync::Arc;

use squawk_syntax::ast::{self, AstNode};

use super::Replayer;
use super::flags::{CreateFlags, DropFlags};
use super::readers::{signature, text, words};
use super::triggers::trigger_key;
use crate::schema::catalog::{Ddl, FnDef, Ns, QName, qname, simple_name};
use crate::schema::object_kind::ObjectKind;
use crate::schema::routine::{Routine, parse_routine};

impl Replayer<'_> {
    /// `CREATE [OR REPLACE] FUNCTION`.
    pub(super) fn create_function(&mut self, s: ast::CreateFunction, sql: &str) {
        let Some((name, _)) = self.qname_or_unknown(s.name()) else {
            return;
        };
        let ddl = body_ddl(sql, 3);
        let sig = signature(s.param_list());
        let def = parse_routine(&text(&s)).map(|r| r.routine);
        self.add_function(name, sig, ddl, sql, def);
    }

    /// `CREATE [OR REPLACE] PROCEDURE`.
    pub(super) fn create_procedure(&mut self, s: ast::CreateProcedure, sql: &str) {
        let path = s
            .syntax()
            .children()
            .find_map(ast::Path::cast)
            .or_else(|| s.syntax().descendants().find_map(ast::Path::cast));
        let Some((name, _)) = self.qname_or_unknown(path) else {
            return;
        };
        let ddl = body_ddl(sql, 3);
        let sig = signature(s.syntax().children().find_map(ast::ParamList::cast));
        let def = parse_routine(&text(&s)).map(|r| r.routine);
        self.add_function(name, sig, ddl, sql, def);
    }

    /// `DROP FUNCTION f(…), g, …`.
    pub(super) fn drop_function(&mut self, s: ast::DropFunction) {
        let flags = DropFlags::read(s.if_exists(), s.drop_behavior());
        let sigs: Vec<_> = s
            .syntax()
            .descendants()
            .filter_map(ast::FunctionSig::cast)
            .collect();
        if sigs.is_empty() {
            return self.unknown_all();
        }
        for sig in sigs {
            let Some((name, range)) = self.qname_or_unknown(sig.function_name_ref()) else {
                return;
            };
            // No argument list: PostgreSQL accepts it when there is one overload.
            let arg = sig.param_list().map(|l| signature(Some(l)));
            self.drop_overload(&name, arg, flags, range);
        }
    }

    /// `DROP PROCEDURE`/`DROP ROUTINE`: rare, and overloads make names ambiguous: nothing
    /// about functions is known, nor about the triggers that may call them.
    pub(super) fn drop_routine(&mut self) {
        self.unknown_ns(Ns::Function);
        self.unknown_ns(Ns::Trigger);
    }

    /// `DO`: a body that may change the schema (or the search path) makes everything unknown;
    /// otherwise what it calls counts.
    pub(super) fn do_block(&mut self, sql: &str) {
        if body_ddl(sql, 1) != Ddl::None || sql.to_lowercase().contains("search_path") {
            self.unknown_all();
        } else {
            self.calls(sql);
        }
    }

    /// Calls of functions whose bodies change the schema (or `set_config('search_path', …)`:
    /// names may resolve elsewhere from here on).
    pub(super) fn calls(&mut self, sql: &str) {
        let lower = sql.to_lowercase();
        if lower.contains("search_path") && lower.contains("set_config") {
            return self.unknown_all();
        }
        if self
            .cat
            .functions
            .values()
            .all(|f| f.value.ddl == Ddl::None)
        {
            return;
        }
        let w = words(sql);
        let mut effect = Ddl::None;
        for word in &w {
            for (name, f) in self.cat.functions.iter() {
                if name.name == *word {
                    effect = match (effect, f.value.ddl) {
                        (Ddl::Any, _) | (_, Ddl::Any) => Ddl::Any,
                        (Ddl::Triggers, _) | (_, Ddl::Triggers) => Ddl::Triggers,
                        _ => Ddl::None,
                    };
                }
            }
        }
        match effect {
            Ddl::Any => self.unknown_all(),
            Ddl::Triggers => self.unknown_ns(Ns::Trigger),
            Ddl::None => {}
        }
    }

    /// Adds the function `name` (or one more overload, `sig`), with what its body may change
    /// and its definition, if read.
    pub(super) fn add_function(
        &mut self,
        name: QName,
        sig: Option<String>,
        ddl: Ddl,
        sql: &str,
        def: Option<Routine>,
    ) {
        // The header: everything before the body's quote.
        let header = sql.split(['$', '\'']).next().unwrap_or("");
        let mut f = self.obj(
            FnDef {
                ddl,
                sigs: Default::default(),
                mentions: words(header).into_iter().collect(),
                defs: Default::default(),
            },
            CreateFlags::default(),
        );
        let fns = Arc::make_mut(&mut self.cat.functions);
        if let Some(old) = fns.get(&name) {
            f.value.sigs = old.value.sigs.clone();
            f.value.defs = old.value.defs.clone();
        }
        let Some(sig) = sig else {
            fns.insert(name.clone(), f);
            return self.cat.mark_name_unknown(Ns::Function, &name);
        };
        match def {
            Some(d) if d.signature() == sig => {
                f.value.defs.insert(sig.clone(), Arc::new(d));
            }
            _ => {
                f.value.defs.remove(&sig);
            }
        }
        f.value.sigs.insert(sig);
        if let Some(old) = fns.get(&name).map(|o| o.value.ddl) {
            // Another overload, or a replacement: keep the broader effect.
            if old == Ddl::Any || ddl == Ddl::Any {
                f.value.ddl = Ddl::Any;
            } else if old == Ddl::Triggers {
                f.value.ddl = Ddl::Triggers;
            }
        }
        fns.insert(name.clone(), f);
        self.cat.mark_name_known(Ns::Function, &name);
    }

    /// `args`: `None` without an argument list, `Some(None)` for one not understood.
    pub(super) fn drop_overload(
        &mut self,
        name: &QName,
        args: Option<Option<String>>,
        flags: DropFlags,
        range: Range<usize>,
    ) {
        let Some(f) = self.cat.functions.get(name).cloned() else {
            if !flags.if_exists {
                self.missing(ObjectKind::Function, name, range);
            }
            return;
        };
        let sigs = &f.value.sigs;
        // Which overload goes, and whether others stay.
        let rest: Option<std::collections::BTreeSet<String>> = match &args {
            None if sigs.len() == 1 => Some(Default::default()),
            Some(Some(sig)) if sigs.contains(sig) => {
                let mut rest = sigs.clone();
                rest.remove(sig);
                Some(rest)
            }
            _ => None,
        };
        match rest {
            Some(rest) if rest.is_empty() => {
                Arc::make_mut(&mut self.cat.functions).remove(name);
                let o = self.origin.clone();
                self.cat.record_drop(Ns::Function, name, &o);
                self.cat.mark_name_known(Ns::Function, name);
            }
            Some(rest) => {
                if let Some(f) = Arc::make_mut(&mut self.cat.functions).get_mut(name) {
                    f.value.defs.retain(|s, _| rest.contains(s));
                    f.value.sigs = rest;
                }
            }
            None => {
                // An overload we cannot match: whether the name stays is not known.
                Arc::make_mut(&mut self.cat.functions).remove(name);
                self.cat.mark_name_unknown(Ns::Function, name);
            }
        }
        if flags.cascade {
            self.function_dependents_go(name);
        }
    }

    /// What goes with a function dropped with `CASCADE`: the triggers that call it, the
    /// views that may use it.
    pub(super) fn function_dependents_go(&mut self, name: &QName) {
        if self
            .cat
            .triggers
            .values()
            .any(|t| t.value.function.is_none())
        {
            self.unknown_ns(Ns::Trigger);
        }
        let gone: Vec<(QName, String)> = self
            .cat
            .triggers
            .iter()
            .filter(|(_, t)| t.value.function.as_ref() == Some(name))
            .map(|(k, _)| k.clone())
            .collect();
        let o = self.origin.clone();
        for k in gone {
            Arc::make_mut(&mut self.cat.triggers).remove(&k);
            self.cat
                .record_drop(Ns::Trigger, &trigger_key(&k.0, &k.1), &o);
        }
        self.views_unknown(&name.name);
    }

    /// `ALTER FUNCTION`: a rename (triggers follow it) or a new schema.
    pub(super) fn alter_function(&mut self, s: ast::AlterFunction) {
        let old = s
            .syntax()
            .children()
            .find_map(ast::FunctionSig::cast)
            .and_then(|f| f.function_name_ref())
            .and_then(|r| qname(&text(&r)));
        let rename = s
            .syntax()
            .descendants()
            .find_map(ast::FunctionRenameTo::cast);
        let moved = s
            .syntax()
            .descendants()
            .any(|n| ast::SetSchema::can_cast(n.kind()));
        match (old, rename) {
            (Some(old), Some(to)) => {
                let Some(new) = to
                    .syntax()
                    .children()
                    .find_map(ast::FunctionName::cast)
                    .and_then(|n| simple_name(&text(&n)))
                else {
                    return self.unknown_ns(Ns::Function);
                };
                let newq = old.sibling(new);
                let sig = s
                    .syntax()
                    .children()
                    .find_map(ast::FunctionSig::cast)
                    .and_then(|f| f.param_list())
                    .and_then(|l| signature(Some(l)));
                let fns = Arc::make_mut(&mut self.cat.functions);
                match fns.remove(&old) {
                    // Its only overload: the name moves.
                    Some(f)
                        if f.value.sigs.len() == 1
                            && sig.as_ref().is_none_or(|s| f.value.sigs.contains(s))
                            && !fns.contains_key(&newq) =>
                    {
                        fns.insert(newq.clone(), f);
                        self.cat.mark_name_known(Ns::Function, &old);
                        self.cat.mark_name_known(Ns::Function, &newq);
                    }
                    Some(f) => {
                        // Other overloads may keep the old name.
                        fns.insert(newq.clone(), f);
                        self.cat.mark_name_unknown(Ns::Function, &old);
                        self.cat.mark_name_unknown(Ns::Function, &newq);
                    }
                    None => self.cat.mark_name_unknown(Ns::Function, &newq),
                }
                // Triggers call it by its new name.
                let trs = Arc::make_mut(&mut self.cat.triggers);
                for t in trs.values_mut() {
                    if t.value.function.as_ref() == Some(&old) {
                        t.value.function = Some(newq.clone());
                        if let Some(d) = &mut t.value.def {
                            Arc::make_mut(d).function = newq.clone();
                        }
                    }
                }
            }
            (Some(old), None) if moved => self.cat.mark_name_unknown(Ns::Function, &old),
            (Some(old), None) => self.alter_function_attributes(&s, &old),
            (None, _) => self.unknown_ns(Ns::Function),
        }
    }
}

impl Replayer<'_> {
    /// `ALTER FUNCTION f(…) <attributes>`: the overload's definition follows them; one not
    /// read (or an overload not told) is no longer compared.
    fn alter_function_attributes(&mut self, s: &ast::AlterFunction, name: &QName) {
        let Some(fsig) = s.syntax().children().find_map(ast::FunctionSig::cast) else {
            return;
        };
        let stmt = text(s);
        let start = usize::from(s.syntax().text_range().start());
        let after = usize::from(fsig.syntax().text_range().end()) - start;
        let actions = stmt.get(after..).unwrap_or("").to_owned();
        let sig = fsig.param_list().and_then(|l| signature(Some(l)));
        let fns = Arc::make_mut(&mut self.cat.functions);
        let Some(f) = fns.get_mut(name) else {
            return;
        };
        let sig = match sig {
            Some(s) => Some(s),
            None if fsig.param_list().is_none() && f.value.sigs.len() == 1 => {
                f.value.sigs.iter().next().cloned()
            }
            None => None,
        };
        let Some(sig) = sig else {
            f.value.defs.clear();
            return;
        };
        if let Some(d) = f.value.defs.get_mut(&sig)
            && !Arc::make_mut(d).apply_alter(&actions)
        {
            f.value.defs.remove(&sig);
        }
    }
}

/// What a body may change: the kinds named after `CREATE`/`ALTER`/`DROP` (skipping the
/// statement's own first words), or `EXECUTE` of a string built at run time.
pub(super) fn body_ddl(sql: &str, skip: usize) -> Ddl {
    let w = words(sql);
    let mut kinds = Vec::new();
    for i in skip..w.len() {
        if matches!(w[i].as_str(), "create" | "alter" | "drop") {
            let mut j = i + 1;
            while j < w.len()
                && matches!(
                    w[j].as_str(),
                    "or" | "replace" | "unique" | "temp" | "temporary" | "unlogged" | "constraint"
                )
            {
                j += 1;
            }
            if let Some(k) = w.get(j) {
                kinds.push(k.clone());
            }
        }
    }
    let executes = w.iter().skip(skip).any(|x| x == "execute");
    if kinds.iter().any(|k| k != "trigger") {
        Ddl::Any
    } else if !kinds.is_empty() {
        Ddl::Triggers
    } else if executes {
        Ddl::Any
    } else {
        Ddl::None
    }
}
