//! A trigger's definition, normalised: timing, events (an `UPDATE OF`'s columns as a set, the
//! events in one order), level, `WHEN` condition (by tokens), the function and its arguments
//! (as the strings PostgreSQL keeps), and a constraint trigger's `FROM` table and deferral.
//!
//! [`parse_trigger`] reads a `CREATE [OR REPLACE] [CONSTRAINT] TRIGGER` statement — as a
//! migration writes it or as `pg_get_triggerdef` prints it; [`TriggerDef::create_sql`] writes
//! one back.

use super::catalog::{QName, literal, qname, quote_ident, simple_name, sql_name};
use super::routine::{SqlText, string_value};
use crate::sql::lex::{Tok, TokKind, tokenize};

/// When it fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timing {
    /// `BEFORE`.
    Before,
    /// `AFTER`.
    After,
    /// `INSTEAD OF`.
    InsteadOf,
}

/// The events it fires on.
#[derive(Clone, Debug, Default)]
pub struct Events {
    /// `INSERT`.
    pub insert: bool,
    /// `DELETE`.
    pub delete: bool,
    /// `UPDATE`, with its `OF` columns in the order written (PostgreSQL keeps and prints
    /// that order; compared as a set) — empty: any column.
    pub update: Option<Vec<String>>,
    /// `TRUNCATE`.
    pub truncate: bool,
}

impl PartialEq for Events {
    /// The same events, `UPDATE OF` columns in any order.
    fn eq(&self, other: &Self) -> bool {
        let sorted = |u: &Option<Vec<String>>| {
            u.clone().map(|mut v| {
                v.sort();
                v
            })
        };
        self.insert == other.insert
            && self.delete == other.delete
            && self.truncate == other.truncate
            && sorted(&self.update) == sorted(&other.update)
    }
}

impl Eq for Events {}

/// A trigger's definition (its name and table are the catalog's key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TriggerDef {
    /// `CONSTRAINT TRIGGER`.
    pub constraint: bool,
    /// When it fires.
    pub timing: Timing,
    /// On what.
    pub events: Events,
    /// A constraint trigger's `FROM` table.
    pub from_table: Option<QName>,
    /// `DEFERRABLE`.
    pub deferrable: bool,
    /// `INITIALLY DEFERRED`.
    pub initially_deferred: bool,
    /// `REFERENCING OLD|NEW TABLE AS name`: (`true` for `NEW`, the name), old first.
    pub referencing: Vec<(bool, String)>,
    /// `FOR EACH ROW` (else `STATEMENT`).
    pub for_each_row: bool,
    /// The `WHEN` condition, without its parentheses.
    pub when: Option<SqlText>,
    /// The function it executes.
    pub function: QName,
    /// Its arguments, as the strings PostgreSQL passes.
    pub args: Vec<String>,
}

/// A parsed `CREATE TRIGGER`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TriggerStmt {
    /// The trigger's name.
    pub name: String,
    /// Its table.
    pub table: QName,
    /// `OR REPLACE`.
    pub or_replace: bool,
    /// Its definition.
    pub def: TriggerDef,
}

/// Tokens of a statement, no trivia.
struct Toks<'a> {
    text: &'a str,
    toks: Vec<Tok>,
    at: usize,
}

impl<'a> Toks<'a> {
    fn word(&self, k: usize) -> Option<String> {
        let t = self.toks.get(self.at + k)?;
        (t.kind == TokKind::Word).then(|| self.text[t.range.clone()].to_ascii_lowercase())
    }

    fn is(&self, k: usize, w: &str) -> bool {
        self.word(k).as_deref() == Some(w)
    }

    fn eat(&mut self, w: &str) -> bool {
        let yes = self.is(0, w);
        if yes {
            self.at += 1;
        }
        yes
    }

    fn tok(&self, k: usize) -> Option<&Tok> {
        self.toks.get(self.at + k)
    }

    fn raw(&self, t: &Tok) -> &'a str {
        &self.text[t.range.clone()]
    }

    fn punct(&self, k: usize, p: &str) -> bool {
        self.tok(k)
            .is_some_and(|t| t.kind == TokKind::Punct && self.raw(t) == p)
    }

    /// A possibly qualified name: its text up to the next token that is not part of it.
    fn name(&mut self) -> Option<String> {
        let start = self.tok(0)?.range.start;
        let mut end;
        loop {
            let t = self.tok(0)?;
            if !matches!(t.kind, TokKind::Word | TokKind::QuotedIdent) {
                return None;
            }
            end = t.range.end;
            self.at += 1;
            if self.punct(0, ".") {
                self.at += 1;
            } else {
                break;
            }
        }
        Some(self.text[start..end].to_owned())
    }

    /// The text inside the parentheses that start here, moving past them.
    fn parenthesized(&mut self) -> Option<String> {
        if self.tok(0)?.kind != TokKind::OpenParen {
            return None;
        }
        let open = self.tok(0)?.range.end;
        let mut depth = 0usize;
        while let Some(t) = self.tok(0) {
            match t.kind {
                TokKind::OpenParen => depth += 1,
                TokKind::CloseParen => {
                    depth -= 1;
                    if depth == 0 {
                        let inner = self.text[open..t.range.start].trim().to_owned();
                        self.at += 1;
                        return Some(inner);
                    }
                }
                _ => {}
            }
            self.at += 1;
        }
        None
    }
}

/// A trigger function's argument as PostgreSQL keeps it: a string's value, a word folded,
/// an integer in its shortest form, another number as written.
fn trigger_arg(kind: TokKind, raw: &str) -> Option<String> {
    match kind {
        TokKind::String => string_value(raw),
        TokKind::Word => Some(raw.to_lowercase()),
        TokKind::QuotedIdent => simple_name(raw),
        TokKind::Number => Some(
            raw.parse::<i64>()
                .map_or_else(|_| raw.to_owned(), |n| n.to_string()),
        ),
        _ => None,
    }
}

/// Reads a `CREATE [OR REPLACE] [CONSTRAINT] TRIGGER` statement; `None` when it is not one or
/// a part of it is in a form this does not read.
pub fn parse_trigger(sql: &str) -> Option<TriggerStmt> {
    let toks: Vec<Tok> = tokenize(sql)
        .into_iter()
        .filter(|t| !t.is_trivia())
        .collect();
    let mut t = Toks {
        text: sql,
        toks,
        at: 0,
    };
    if !t.eat("create") {
        return None;
    }
    let or_replace = t.is(0, "or") && t.is(1, "replace");
    if or_replace {
        t.at += 2;
    }
    let constraint = t.eat("constraint");
    if !t.eat("trigger") {
        return None;
    }
    let name = simple_name(&t.name()?)?;
    let timing = if t.eat("before") {
        Timing::Before
    } else if t.eat("after") {
        Timing::After
    } else if t.is(0, "instead") && t.is(1, "of") {
        t.at += 2;
        Timing::InsteadOf
    } else {
        return None;
    };
    let mut events = Events::default();
    loop {
        match t.word(0)?.as_str() {
            "insert" => events.insert = true,
            "delete" => events.delete = true,
            "truncate" => events.truncate = true,
            "update" => {
                let mut cols = Vec::new();
                if t.is(1, "of") {
                    t.at += 2;
                    loop {
                        cols.push(simple_name(&t.name()?)?);
                        if t.punct(0, ",") {
                            t.at += 1;
                        } else {
                            break;
                        }
                    }
                    t.at -= 1;
                }
                events.update = Some(cols);
            }
            _ => return None,
        }
        t.at += 1;
        if !t.eat("or") {
            break;
        }
    }
    if !t.eat("on") {
        return None;
    }
    let table = qname(&t.name()?)?;
    let mut def = TriggerDef {
        constraint,
        timing,
        events,
        from_table: None,
        deferrable: false,
        initially_deferred: false,
        referencing: Vec::new(),
        for_each_row: false,
        when: None,
        function: QName::new("", ""),
        args: Vec::new(),
    };
    loop {
        let w = t.word(0)?;
        match w.as_str() {
            "from" => {
                t.at += 1;
                def.from_table = Some(qname(&t.name()?)?);
            }
            "not" if t.is(1, "deferrable") => {
                def.deferrable = false;
                t.at += 2;
            }
            "deferrable" => {
                def.deferrable = true;
                t.at += 1;
            }
            "initially" => {
                def.initially_deferred = match t.word(1)?.as_str() {
                    "deferred" => true,
                    "immediate" => false,
                    _ => return None,
                };
                t.at += 2;
            }
            "referencing" => {
                t.at += 1;
                while t.is(0, "old") || t.is(0, "new") {
                    let new = t.is(0, "new");
                    if !t.is(1, "table") {
                        return None;
                    }
                    t.at += 2;
                    t.eat("as");
                    def.referencing.push((new, simple_name(&t.name()?)?));
                }
                def.referencing.sort();
            }
            "for" => {
                t.at += 1;
                t.eat("each");
                def.for_each_row = match t.word(0)?.as_str() {
                    "row" => true,
                    "statement" => false,
                    _ => return None,
                };
                t.at += 1;
            }
            "when" => {
                t.at += 1;
                def.when = Some(SqlText(t.parenthesized()?));
            }
            "execute" => {
                t.at += 1;
                if !(t.eat("function") || t.eat("procedure")) {
                    return None;
                }
                def.function = qname(&t.name()?)?;
                if t.tok(0)?.kind != TokKind::OpenParen {
                    return None;
                }
                t.at += 1;
                while let Some(a) = t.tok(0).cloned() {
                    match a.kind {
                        TokKind::CloseParen => {
                            t.at += 1;
                            break;
                        }
                        TokKind::Punct if t.raw(&a) == "," => t.at += 1,
                        k => {
                            def.args.push(trigger_arg(k, t.raw(&a))?);
                            t.at += 1;
                        }
                    }
                }
                return match t.tok(0) {
                    None => Some(TriggerStmt {
                        name,
                        table,
                        or_replace,
                        def,
                    }),
                    Some(s) if s.kind == TokKind::Semi => Some(TriggerStmt {
                        name,
                        table,
                        or_replace,
                        def,
                    }),
                    Some(_) => None,
                };
            }
            _ => return None,
        }
    }
}

impl TriggerDef {
    /// `CREATE [OR REPLACE] [CONSTRAINT] TRIGGER name … ON table … EXECUTE FUNCTION f(…);`.
    pub fn create_sql(&self, name: &str, table: &QName, or_replace: bool) -> String {
        let mut s = format!(
            "CREATE {}{}TRIGGER {} {}",
            if or_replace { "OR REPLACE " } else { "" },
            if self.constraint { "CONSTRAINT " } else { "" },
            quote_ident(name),
            match self.timing {
                Timing::Before => "BEFORE",
                Timing::After => "AFTER",
                Timing::InsteadOf => "INSTEAD OF",
            }
        );
        let mut ev = Vec::new();
        if self.events.insert {
            ev.push("INSERT".to_owned());
        }
        if self.events.delete {
            ev.push("DELETE".to_owned());
        }
        if let Some(cols) = &self.events.update {
            if cols.is_empty() {
                ev.push("UPDATE".to_owned());
            } else {
                let c: Vec<String> = cols.iter().map(|c| quote_ident(c)).collect();
                ev.push(format!("UPDATE OF {}", c.join(", ")));
            }
        }
        if self.events.truncate {
            ev.push("TRUNCATE".to_owned());
        }
        s.push(' ');
        s.push_str(&ev.join(" OR "));
        s.push_str(&format!(" ON {}", sql_name(table)));
        if let Some(f) = &self.from_table {
            s.push_str(&format!(" FROM {}", sql_name(f)));
        }
        if self.deferrable {
            s.push_str(" DEFERRABLE");
        }
        if self.initially_deferred {
            s.push_str(" INITIALLY DEFERRED");
        }
        if !self.referencing.is_empty() {
            s.push_str(" REFERENCING");
            for (new, n) in &self.referencing {
                s.push_str(&format!(
                    " {} TABLE AS {}",
                    if *new { "NEW" } else { "OLD" },
                    quote_ident(n)
                ));
            }
        }
        s.push_str(if self.for_each_row {
            " FOR EACH ROW"
        } else {
            " FOR EACH STATEMENT"
        });
        if let Some(w) = &self.when {
            s.push_str(&format!(" WHEN ({})", w.0));
        }
        let args: Vec<String> = self.args.iter().map(|a| literal(a)).collect();
        s.push_str(&format!(
            " EXECUTE FUNCTION {}({});\n",
            sql_name(&self.function),
            args.join(", ")
        ));
        s
    }

    /// Whether it names the column `col` (in `UPDATE OF` or its `WHEN` condition).
    pub fn mentions_column(&self, col: &str) -> bool {
        self.events
            .update
            .as_ref()
            .is_some_and(|c| c.iter().any(|x| x == col))
            || self.when.as_ref().is_some_and(|w| {
                w.0.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .any(|x| x.eq_ignore_ascii_case(col))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_written_and_as_printed_compare_equal() {
        let w = parse_trigger(
            "create trigger T_upd before update of b, a or insert on Items for each row \
             when (NEW.a > 0) execute procedure touch('x', 01, Word)",
        )
        .expect("read");
        let p = parse_trigger(
            "CREATE TRIGGER t_upd BEFORE INSERT OR UPDATE OF a, b ON public.items FOR EACH ROW \
             WHEN (new.a > 0) EXECUTE FUNCTION touch('x', '1', 'word')",
        )
        .expect("read");
        assert_eq!(w, p);
        assert_eq!(w.name, "t_upd");
        assert_eq!(w.table, QName::new("public", "items"));
    }

    #[test]
    fn constraint_triggers_and_transition_tables() {
        let c = parse_trigger(
            "CREATE CONSTRAINT TRIGGER c AFTER INSERT ON t FROM r DEFERRABLE INITIALLY DEFERRED \
             FOR EACH ROW EXECUTE FUNCTION f();",
        )
        .expect("read");
        assert!(c.def.constraint && c.def.deferrable && c.def.initially_deferred);
        assert_eq!(c.def.from_table, Some(QName::new("public", "r")));
        let printed = c.def.create_sql(&c.name, &c.table, false);
        assert_eq!(parse_trigger(&printed).expect("printed").def, c.def);
        let r = parse_trigger(
            "CREATE TRIGGER s AFTER UPDATE ON t REFERENCING NEW TABLE AS n OLD TABLE o \
             FOR EACH STATEMENT EXECUTE FUNCTION f()",
        )
        .expect("read");
        assert_eq!(
            r.def.referencing,
            vec![(false, "o".to_owned()), (true, "n".to_owned())]
        );
        assert!(!r.def.for_each_row);
    }

    #[test]
    fn a_different_definition_differs() {
        let a = parse_trigger("CREATE TRIGGER a BEFORE INSERT ON t EXECUTE FUNCTION f()");
        let b = parse_trigger("CREATE TRIGGER a AFTER INSERT ON t EXECUTE FUNCTION f()");
        assert_ne!(a.expect("a").def, b.expect("b").def);
        assert!(
            parse_trigger("CREATE TRIGGER a BEFORE INSERT ON t EXECUTE FUNCTION f() x").is_none()
        );
    }
}
