//! A function's or procedure's definition, normalised so that two spellings PostgreSQL stores
//! alike compare equal: argument types as `format_type` prints them (without modifiers, which
//! PostgreSQL drops), every attribute with its default resolved (`VOLATILE`, `CALLED ON NULL
//! INPUT`, `SECURITY INVOKER`, `PARALLEL UNSAFE`, `COST 100` or 1, `ROWS 1000` or 0), the body
//! as the string PostgreSQL keeps in `pg_proc.prosrc` (compared exactly), a SQL-standard body
//! (`RETURN …`, `BEGIN ATOMIC … END`) and argument defaults by tokens.
//!
//! [`parse_routine`] reads a `CREATE [OR REPLACE] FUNCTION|PROCEDURE` statement — as a
//! migration writes it or as `pg_get_functiondef` prints it, so that both sides of a
//! comparison with a live database go through the same reader; [`Routine::create_sql`]
//! writes one back.

use std::collections::BTreeSet;

use squawk_syntax::ast::{self, AstNode};

use super::catalog::{QName, literal, normalize_type, qname, quote_ident, simple_name, sql_name};
use crate::sql::lex::{Tok, TokKind, tokenize};

/// SQL text compared by its tokens (no whitespace or comments, unquoted words lower case):
/// an argument's default, a SQL-standard body, a trigger's `WHEN` condition.
#[derive(Clone, Debug)]
pub struct SqlText(pub String);

impl PartialEq for SqlText {
    fn eq(&self, other: &Self) -> bool {
        super::diff::sql_tokens(&self.0) == super::diff::sql_tokens(&other.0)
    }
}

impl Eq for SqlText {}

/// A function or a procedure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoutineKind {
    /// `CREATE FUNCTION`.
    Function,
    /// `CREATE PROCEDURE`.
    Procedure,
}

impl RoutineKind {
    /// `FUNCTION` or `PROCEDURE`.
    pub fn keyword(self) -> &'static str {
        match self {
            RoutineKind::Function => "FUNCTION",
            RoutineKind::Procedure => "PROCEDURE",
        }
    }
}

/// An argument's mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgMode {
    /// `IN` (the default).
    In,
    /// `OUT`.
    Out,
    /// `INOUT`.
    InOut,
    /// `VARIADIC`.
    Variadic,
}

/// One argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arg {
    /// Its mode.
    pub mode: ArgMode,
    /// Its name, if written.
    pub name: Option<String>,
    /// Its type, as `format_type` prints it without a modifier.
    pub ty: String,
    /// Its default expression, if written.
    pub default: Option<SqlText>,
}

/// What a function returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Returns {
    /// Nothing: a procedure.
    Nothing,
    /// One value of a type (`record` for several `OUT` arguments).
    Type(String),
    /// `SETOF type`.
    SetOf(String),
    /// `TABLE (name type, …)`.
    Table(Vec<(String, String)>),
}

impl Returns {
    /// Whether it returns a set (`SETOF`, `TABLE`): its default `ROWS` is 1000.
    fn is_set(&self) -> bool {
        matches!(self, Returns::SetOf(_) | Returns::Table(_))
    }
}

/// The body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// `AS '…'` (or `AS 'file', 'symbol'`): the strings as PostgreSQL keeps them, compared
    /// exactly.
    Strings(Vec<String>),
    /// A SQL-standard body: `RETURN …` or `BEGIN ATOMIC … END`, as written.
    Sql(SqlText),
}

/// `VOLATILE`, `STABLE`, `IMMUTABLE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Volatility {
    /// `VOLATILE` (the default).
    Volatile,
    /// `STABLE`.
    Stable,
    /// `IMMUTABLE`.
    Immutable,
}

/// `PARALLEL …`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parallel {
    /// `UNSAFE` (the default).
    Unsafe,
    /// `RESTRICTED`.
    Restricted,
    /// `SAFE`.
    Safe,
}

/// A function's or procedure's definition, normalised (see the module documentation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Routine {
    /// Function or procedure.
    pub kind: RoutineKind,
    /// Its arguments (`OUT` ones included; a `RETURNS TABLE`'s columns are in `returns`).
    pub args: Vec<Arg>,
    /// What it returns.
    pub returns: Returns,
    /// Its language, lower case.
    pub language: String,
    /// Its body.
    pub body: Body,
    /// `WINDOW`.
    pub window: bool,
    /// Its volatility.
    pub volatility: Volatility,
    /// `STRICT` (`RETURNS NULL ON NULL INPUT`).
    pub strict: bool,
    /// `SECURITY DEFINER`.
    pub security_definer: bool,
    /// `LEAKPROOF`.
    pub leakproof: bool,
    /// Its parallel safety.
    pub parallel: Parallel,
    /// `COST`, as a number's shortest text.
    pub cost: String,
    /// `ROWS`, as a number's shortest text.
    pub rows: String,
    /// `SET name = value, …` settings, by name (lower case); each value's items as
    /// PostgreSQL keeps them.
    pub config: Vec<(String, Vec<String>)>,
}

/// A parsed `CREATE FUNCTION`/`CREATE PROCEDURE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoutineStmt {
    /// Its name.
    pub name: QName,
    /// `OR REPLACE`.
    pub or_replace: bool,
    /// Its definition.
    pub routine: Routine,
}

/// A type as a function's argument or result holds it: normalised, its modifier dropped
/// (PostgreSQL keeps none for a function's types).
pub fn routine_type(text: &str) -> String {
    let n = normalize_type(text);
    let mut out = String::new();
    let mut depth = 0;
    for c in n.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The value of a string token (`'…'`, `E'…'`, `$tag$…$tag$`); `None` for another form.
pub fn string_value(tok: &str) -> Option<String> {
    if let Some(rest) = tok.strip_prefix('$') {
        let end = rest.find('$')?;
        let tag = &tok[..end + 2];
        let inner = tok.strip_prefix(tag)?.strip_suffix(tag)?;
        return Some(inner.to_owned());
    }
    if let Some(inner) = tok.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')) {
        return Some(inner.replace("''", "'"));
    }
    let inner = tok
        .strip_prefix(['e', 'E'])?
        .strip_prefix('\'')?
        .strip_suffix('\'')?;
    let mut out = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                c if c.is_ascii_digit() || c == 'x' || c == 'u' || c == 'U' => return None,
                c => out.push(c),
            },
            '\'' if chars.peek() == Some(&'\'') => {
                chars.next();
                out.push('\'');
            }
            c => out.push(c),
        }
    }
    Some(out)
}

/// A dollar-quoted literal of `s` with a tag it does not contain.
pub fn dollar_quote(s: &str) -> String {
    let mut tag = String::new();
    let mut k = 0;
    while s.contains(&format!("${tag}$")) || s.ends_with('$') && tag.is_empty() {
        k += 1;
        tag = if k == 1 {
            "body".to_owned()
        } else {
            format!("body{k}")
        };
    }
    format!("${tag}${s}${tag}$")
}

/// The words that end a type in the clauses after the argument list.
const CLAUSE_WORDS: &[&str] = &[
    "language",
    "as",
    "immutable",
    "stable",
    "volatile",
    "strict",
    "called",
    "returns",
    "security",
    "external",
    "parallel",
    "cost",
    "rows",
    "set",
    "window",
    "leakproof",
    "not",
    "support",
    "transform",
    "return",
    "begin",
];

/// The clauses after the argument list, as tokens over their text.
struct Clauses<'a> {
    text: &'a str,
    toks: Vec<Tok>,
    at: usize,
}

impl<'a> Clauses<'a> {
    fn new(text: &'a str) -> Self {
        let toks = tokenize(text)
            .into_iter()
            .filter(|t| !t.is_trivia())
            .collect();
        Clauses { text, toks, at: 0 }
    }

    fn tok(&self, k: usize) -> Option<&Tok> {
        self.toks.get(self.at + k)
    }

    /// The `k`-th token ahead, lower case, if it is a word.
    fn word(&self, k: usize) -> Option<String> {
        let t = self.tok(k)?;
        (t.kind == TokKind::Word).then(|| self.text[t.range.clone()].to_ascii_lowercase())
    }

    fn is(&self, k: usize, w: &str) -> bool {
        self.word(k).as_deref() == Some(w)
    }

    fn raw(&self, t: &Tok) -> &'a str {
        &self.text[t.range.clone()]
    }

    /// A type's text up to the next clause word (or `,`/`)` at depth 0 when `in_list`).
    fn type_text(&mut self, in_list: bool) -> Option<String> {
        let start = self.tok(0)?.range.start;
        let mut end = start;
        let mut depth = 0usize;
        while let Some(t) = self.tok(0) {
            match t.kind {
                TokKind::OpenParen => depth += 1,
                TokKind::CloseParen if depth == 0 => break,
                TokKind::CloseParen => depth -= 1,
                TokKind::Semi => break,
                TokKind::Punct if depth == 0 && in_list && self.raw(t) == "," => break,
                TokKind::Punct if self.raw(t) == "%" => return None,
                TokKind::Word if depth == 0 => {
                    let w = self.word(0).unwrap_or_default();
                    let with_clause =
                        w == "with" && self.tok(1).map(|t| t.kind) == Some(TokKind::OpenParen);
                    if CLAUSE_WORDS.contains(&w.as_str()) && end > start || with_clause {
                        break;
                    }
                }
                _ => {}
            }
            end = t.range.end;
            self.at += 1;
        }
        (end > start).then(|| routine_type(&self.text[start..end]))
    }

    /// A number's shortest text.
    fn number(&mut self) -> Option<String> {
        let t = self.tok(0)?.clone();
        if t.kind != TokKind::Number {
            return None;
        }
        self.at += 1;
        number_text(self.raw(&t))
    }
}

/// A number's shortest text: `100`, `0.5`.
fn number_text(s: &str) -> Option<String> {
    let v: f64 = s.parse().ok()?;
    Some(format!("{v}"))
}

/// One item of a `SET` value as PostgreSQL keeps it: a string's value, a word folded, a
/// quoted name's text, a number as written.
fn config_item(kind: TokKind, raw: &str) -> Option<String> {
    match kind {
        TokKind::String => string_value(raw),
        TokKind::Word => Some(raw.to_lowercase()),
        TokKind::QuotedIdent => simple_name(raw),
        TokKind::Number => Some(raw.to_owned()),
        _ => None,
    }
}

/// Reads a `CREATE [OR REPLACE] FUNCTION|PROCEDURE` statement; `None` when it is not one, or
/// when a part of it is in a form this does not read (then its definition is not known).
pub fn parse_routine(sql: &str) -> Option<RoutineStmt> {
    let parse = squawk_syntax::SourceFile::parse(sql);
    if !parse.errors().is_empty() {
        return None;
    }
    let stmt = parse.tree().stmts().next()?;
    let (kind, name, params, or_replace, node) = match stmt {
        ast::Stmt::CreateFunction(f) => (
            RoutineKind::Function,
            f.name().map(|n| n.syntax().text().to_string()),
            f.param_list(),
            f.or_replace().is_some(),
            f.syntax().clone(),
        ),
        ast::Stmt::CreateProcedure(p) => (
            RoutineKind::Procedure,
            p.syntax()
                .descendants()
                .find_map(ast::Path::cast)
                .map(|n| n.syntax().text().to_string()),
            p.syntax().children().find_map(ast::ParamList::cast),
            p.syntax()
                .children()
                .any(|c| ast::OrReplace::can_cast(c.kind())),
            p.syntax().clone(),
        ),
        _ => return None,
    };
    let name = qname(&name?)?;
    let params = params?;
    let mut args = Vec::new();
    for p in params.params() {
        let mode = match p.mode() {
            None | Some(ast::ParamMode::ParamIn(_)) => ArgMode::In,
            Some(ast::ParamMode::ParamOut(_)) => ArgMode::Out,
            Some(ast::ParamMode::ParamInOut(_)) => ArgMode::InOut,
            Some(ast::ParamMode::ParamVariadic(_)) => ArgMode::Variadic,
        };
        let (name, ty) = match (p.func_type(), p.name()) {
            (Some(t), n) => (
                n.map(|n| n.syntax().text().to_string()),
                t.syntax().text().to_string(),
            ),
            (None, Some(n)) => (None, n.syntax().text().to_string()),
            (None, None) => return None,
        };
        if ty.contains('%') {
            return None;
        }
        let name = match name {
            Some(n) => Some(simple_name(&n)?),
            None => None,
        };
        let default = match p.param_default() {
            Some(d) => Some(SqlText(
                d.expr()?.syntax().text().to_string().trim().to_owned(),
            )),
            None => None,
        };
        args.push(Arg {
            mode,
            name,
            ty: routine_type(&ty),
            default,
        });
    }
    let stmt_start = usize::from(node.text_range().start());
    let from = usize::from(params.syntax().text_range().end()) - stmt_start;
    let node_text = node.text().to_string();
    let rest = node_text.get(from..)?;
    let routine = clauses(kind, args, rest)?;
    Some(RoutineStmt {
        name,
        or_replace,
        routine,
    })
}

/// The clauses after the argument list, with the defaults resolved.
fn clauses(kind: RoutineKind, args: Vec<Arg>, text: &str) -> Option<Routine> {
    let mut c = Clauses::new(text);
    let mut returns = None;
    let mut language = None;
    let mut body = None;
    let mut window = false;
    let mut a = Attrs {
        volatility: Volatility::Volatile,
        strict: false,
        security_definer: false,
        leakproof: false,
        parallel: Parallel::Unsafe,
        cost: None,
        rows: None,
        config: Vec::new(),
    };
    while let Some(t) = c.tok(0).cloned() {
        if t.kind == TokKind::Semi {
            break;
        }
        let w = c.word(0)?;
        if attribute(&mut c, &mut a)? {
            continue;
        }
        match w.as_str() {
            "returns" if c.is(1, "setof") => {
                c.at += 2;
                returns = Some(Returns::SetOf(c.type_text(false)?));
            }
            "returns" if c.is(1, "table") && c.tok(2)?.kind == TokKind::OpenParen => {
                c.at += 3;
                let mut cols = Vec::new();
                loop {
                    let n = c.tok(0)?.clone();
                    let name = simple_name(c.raw(&n))?;
                    c.at += 1;
                    cols.push((name, c.type_text(true)?));
                    let sep = c.tok(0)?.clone();
                    c.at += 1;
                    if sep.kind == TokKind::CloseParen {
                        break;
                    }
                }
                returns = Some(Returns::Table(cols));
            }
            "returns" => {
                c.at += 1;
                returns = Some(Returns::Type(c.type_text(false)?));
            }
            "language" => {
                let l = c.tok(1)?.clone();
                language = Some(match l.kind {
                    TokKind::Word => c.raw(&l).to_ascii_lowercase(),
                    TokKind::String => string_value(c.raw(&l))?.to_ascii_lowercase(),
                    TokKind::QuotedIdent => simple_name(c.raw(&l))?,
                    _ => return None,
                });
                c.at += 2;
            }
            "window" => {
                window = true;
                c.at += 1;
            }
            "as" => {
                c.at += 1;
                let mut strings = Vec::new();
                loop {
                    let s = c.tok(0)?.clone();
                    if s.kind != TokKind::String {
                        return None;
                    }
                    strings.push(string_value(c.raw(&s))?);
                    c.at += 1;
                    match c.tok(0) {
                        Some(t) if t.kind == TokKind::Punct && c.raw(t) == "," => c.at += 1,
                        _ => break,
                    }
                }
                body = Some(Body::Strings(strings));
            }
            "return" | "begin" => {
                let body_text = text[t.range.start..].trim_end();
                let body_text = body_text.strip_suffix(';').unwrap_or(body_text).trim_end();
                body = Some(Body::Sql(SqlText(body_text.to_owned())));
                break;
            }
            _ => return None,
        }
    }
    let language = match (&language, &body) {
        (Some(l), _) => l.clone(),
        // A SQL-standard body is SQL.
        (None, Some(Body::Sql(_))) => "sql".to_owned(),
        (None, _) => return None,
    };
    let returns = match (kind, returns) {
        (RoutineKind::Procedure, None) => Returns::Nothing,
        (RoutineKind::Procedure, Some(_)) => return None,
        (RoutineKind::Function, Some(r)) => r,
        (RoutineKind::Function, None) => {
            let outs: Vec<&Arg> = args
                .iter()
                .filter(|a| matches!(a.mode, ArgMode::Out | ArgMode::InOut))
                .collect();
            match outs.as_slice() {
                [] => return None,
                [one] => Returns::Type(one.ty.clone()),
                _ => Returns::Type("record".to_owned()),
            }
        }
    };
    let Attrs {
        volatility,
        strict,
        security_definer,
        leakproof,
        parallel,
        cost,
        rows,
        mut config,
    } = a;
    let cost = match cost {
        Some(c) => c,
        None if matches!(language.as_str(), "c" | "internal") => "1".to_owned(),
        None => "100".to_owned(),
    };
    let rows = match rows {
        Some(r) => r,
        None if returns.is_set() => "1000".to_owned(),
        None => "0".to_owned(),
    };
    config.sort();
    Some(Routine {
        kind,
        args,
        returns,
        language,
        body: body?,
        window,
        volatility,
        strict,
        security_definer,
        leakproof,
        parallel,
        cost,
        rows,
        config,
    })
}

/// The attributes both `CREATE` and `ALTER FUNCTION` write.
struct Attrs {
    volatility: Volatility,
    strict: bool,
    security_definer: bool,
    leakproof: bool,
    parallel: Parallel,
    cost: Option<String>,
    rows: Option<String>,
    config: Vec<(String, Vec<String>)>,
}

/// One attribute at `c`, read into `a`: `Some(true)` when read, `Some(false)` when `c` is at
/// something else, `None` when it is one in a form this does not read.
fn attribute(c: &mut Clauses<'_>, a: &mut Attrs) -> Option<bool> {
    let Some(w) = c.word(0) else {
        return Some(false);
    };
    match w.as_str() {
        "returns" if c.is(1, "null") => {
            if !(c.is(2, "on") && c.is(3, "null") && c.is(4, "input")) {
                return None;
            }
            a.strict = true;
            c.at += 5;
        }
        "immutable" | "stable" | "volatile" => {
            a.volatility = match w.as_str() {
                "immutable" => Volatility::Immutable,
                "stable" => Volatility::Stable,
                _ => Volatility::Volatile,
            };
            c.at += 1;
        }
        "strict" => {
            a.strict = true;
            c.at += 1;
        }
        "called" if c.is(1, "on") && c.is(2, "null") && c.is(3, "input") => {
            a.strict = false;
            c.at += 4;
        }
        "external" | "security" => {
            if w == "external" {
                c.at += 1;
            }
            if !c.is(0, "security") {
                return None;
            }
            a.security_definer = match c.word(1)?.as_str() {
                "definer" => true,
                "invoker" => false,
                _ => return None,
            };
            c.at += 2;
        }
        "leakproof" => {
            a.leakproof = true;
            c.at += 1;
        }
        "not" if c.is(1, "leakproof") => {
            a.leakproof = false;
            c.at += 2;
        }
        "parallel" => {
            a.parallel = match c.word(1)?.as_str() {
                "unsafe" => Parallel::Unsafe,
                "restricted" => Parallel::Restricted,
                "safe" => Parallel::Safe,
                _ => return None,
            };
            c.at += 2;
        }
        "cost" => {
            c.at += 1;
            a.cost = Some(c.number()?);
        }
        "rows" => {
            c.at += 1;
            a.rows = Some(c.number()?);
        }
        "set" => {
            let (key, value) = set_clause(c)?;
            a.config.retain(|(k, _)| *k != key);
            if let Some(v) = value {
                a.config.push((key, v));
            }
        }
        _ => return Some(false),
    }
    Some(true)
}

/// `SET name { TO | = } value, … | SET name TO DEFAULT`: the name and its items (`None`: the
/// default, no setting). `SET search_path FROM CURRENT` is read as PostgreSQL's default path
/// (`"$user", public`: a migration's session has it unless it sets another, which the model
/// then no longer knows); `FROM CURRENT` of another setting is not read.
fn set_clause(c: &mut Clauses<'_>) -> Option<(String, Option<Vec<String>>)> {
    c.at += 1;
    // A name may be dotted (`plpgsql.variable_conflict`).
    let mut key = String::new();
    loop {
        let t = c.tok(0)?.clone();
        key.push_str(&config_item(t.kind, c.raw(&t))?);
        c.at += 1;
        match c.tok(0) {
            Some(d) if d.kind == TokKind::Punct && c.raw(d) == "." => {
                key.push('.');
                c.at += 1;
            }
            _ => break,
        }
    }
    if c.is(0, "from") && c.is(1, "current") {
        c.at += 2;
        return (key == "search_path")
            .then(|| (key, Some(vec!["$user".to_owned(), "public".to_owned()])));
    }
    match c.tok(0) {
        Some(t) if t.kind == TokKind::Punct && c.raw(t) == "=" => c.at += 1,
        Some(_) if c.is(0, "to") => c.at += 1,
        _ => return None,
    }
    if c.is(0, "default") {
        c.at += 1;
        return Some((key, None));
    }
    let mut items = Vec::new();
    loop {
        let t = c.tok(0)?.clone();
        items.push(config_item(t.kind, c.raw(&t))?);
        c.at += 1;
        match c.tok(0) {
            Some(d) if d.kind == TokKind::Punct && c.raw(d) == "," => c.at += 1,
            _ => break,
        }
    }
    Some((key, Some(items)))
}

impl Routine {
    /// Applies the actions of `ALTER FUNCTION … <actions>` (the text after the function's
    /// signature): attributes, `OWNER TO`, `RESET`; `false` (nothing changed) when an action
    /// is one this does not read (a rename or a new schema is the caller's).
    pub fn apply_alter(&mut self, text: &str) -> bool {
        let mut c = Clauses::new(text);
        let mut a = Attrs {
            volatility: self.volatility,
            strict: self.strict,
            security_definer: self.security_definer,
            leakproof: self.leakproof,
            parallel: self.parallel,
            cost: Some(self.cost.clone()),
            rows: Some(self.rows.clone()),
            config: self.config.clone(),
        };
        while let Some(t) = c.tok(0).cloned() {
            if t.kind == TokKind::Semi {
                break;
            }
            match attribute(&mut c, &mut a) {
                Some(true) => continue,
                None => return false,
                Some(false) => {}
            }
            if c.is(0, "owner") && c.is(1, "to") {
                c.at += 3;
            } else if c.is(0, "reset") && c.is(1, "all") {
                a.config.clear();
                c.at += 2;
            } else if c.is(0, "reset") {
                let Some(key) = c.word(1) else {
                    return false;
                };
                a.config.retain(|(k, _)| *k != key);
                c.at += 2;
            } else if c.is(0, "restrict") {
                c.at += 1;
            } else {
                return false;
            }
        }
        a.config.sort();
        self.volatility = a.volatility;
        self.strict = a.strict;
        self.security_definer = a.security_definer;
        self.leakproof = a.leakproof;
        self.parallel = a.parallel;
        self.cost = a.cost.unwrap_or_default();
        self.rows = a.rows.unwrap_or_default();
        self.config = a.config;
        true
    }

    /// What differs from `other`, in words: `body`, `arguments`, `result`, `language`,
    /// `attributes`.
    pub fn differences(&self, other: &Routine) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.body != other.body {
            out.push("body");
        }
        if self.args != other.args {
            out.push("arguments");
        }
        if self.returns != other.returns || self.kind != other.kind {
            out.push("result");
        }
        if self.language != other.language {
            out.push("language");
        }
        let attrs = |r: &Routine| {
            (
                r.window,
                r.volatility,
                r.strict,
                r.security_definer,
                r.leakproof,
                r.parallel,
                r.cost.clone(),
                r.rows.clone(),
                r.config.clone(),
            )
        };
        if attrs(self) != attrs(other) {
            out.push("attributes");
        }
        out
    }

    /// The argument types that identify it (`IN`, `INOUT` and `VARIADIC` ones), joined by
    /// `,` as `oidvectortypes` prints them (without its spaces).
    pub fn signature(&self) -> String {
        self.args
            .iter()
            .filter(|a| a.mode != ArgMode::Out)
            .map(|a| a.ty.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Whether `CREATE OR REPLACE` can turn `self` into `other` and back: PostgreSQL refuses
    /// a change of kind, of result (`OUT` arguments included), of an argument's name, or
    /// the removal of a default.
    pub fn replaceable_by(&self, other: &Routine) -> bool {
        self.kind == other.kind
            && self.returns == other.returns
            && self.args.len() == other.args.len()
            && self.args.iter().zip(&other.args).all(|(a, b)| {
                a.mode == b.mode
                    && a.name == b.name
                    && a.ty == b.ty
                    && a.default.is_some() == b.default.is_some()
            })
    }

    /// The words of its text (types, defaults, body): what it may use.
    pub fn words(&self) -> BTreeSet<String> {
        let mut text = String::new();
        for a in &self.args {
            text.push_str(&a.ty);
            text.push(' ');
            if let Some(d) = &a.default {
                text.push_str(&d.0);
                text.push(' ');
            }
        }
        match &self.returns {
            Returns::Type(t) | Returns::SetOf(t) => text.push_str(t),
            Returns::Table(cols) => {
                for (_, t) in cols {
                    text.push_str(t);
                    text.push(' ');
                }
            }
            Returns::Nothing => {}
        }
        text.push(' ');
        match &self.body {
            Body::Strings(s) => text.push_str(&s.join(" ")),
            Body::Sql(s) => text.push_str(&s.0),
        }
        text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    }

    /// The argument list as `CREATE` writes it: `(a integer, OUT b text DEFAULT …)`.
    pub fn args_sql(&self) -> String {
        let args: Vec<String> = self
            .args
            .iter()
            .map(|a| {
                let mut s = String::new();
                s.push_str(match a.mode {
                    ArgMode::In => "",
                    ArgMode::Out => "OUT ",
                    ArgMode::InOut => "INOUT ",
                    ArgMode::Variadic => "VARIADIC ",
                });
                if let Some(n) = &a.name {
                    s.push_str(&quote_ident(n));
                    s.push(' ');
                }
                s.push_str(&a.ty);
                if let Some(d) = &a.default {
                    s.push_str(" DEFAULT ");
                    s.push_str(&d.0);
                }
                s
            })
            .collect();
        format!("({})", args.join(", "))
    }

    /// `CREATE [OR REPLACE] FUNCTION name(…) RETURNS … LANGUAGE … … AS $body$…$body$;`, its
    /// attributes written when they are not the defaults.
    pub fn create_sql(&self, name: &QName, or_replace: bool) -> String {
        let mut s = format!(
            "CREATE {}{} {}{}",
            if or_replace { "OR REPLACE " } else { "" },
            self.kind.keyword(),
            sql_name(name),
            self.args_sql()
        );
        match &self.returns {
            Returns::Nothing => {}
            Returns::Type(t) => s.push_str(&format!(" RETURNS {t}")),
            Returns::SetOf(t) => s.push_str(&format!(" RETURNS SETOF {t}")),
            Returns::Table(cols) => {
                let c: Vec<String> = cols
                    .iter()
                    .map(|(n, t)| format!("{} {t}", quote_ident(n)))
                    .collect();
                s.push_str(&format!(" RETURNS TABLE({})", c.join(", ")));
            }
        }
        s.push_str(&format!(" LANGUAGE {}", quote_ident(&self.language)));
        if self.window {
            s.push_str(" WINDOW");
        }
        match self.volatility {
            Volatility::Volatile => {}
            Volatility::Stable => s.push_str(" STABLE"),
            Volatility::Immutable => s.push_str(" IMMUTABLE"),
        }
        if self.strict {
            s.push_str(" STRICT");
        }
        if self.security_definer {
            s.push_str(" SECURITY DEFINER");
        }
        if self.leakproof {
            s.push_str(" LEAKPROOF");
        }
        match self.parallel {
            Parallel::Unsafe => {}
            Parallel::Restricted => s.push_str(" PARALLEL RESTRICTED"),
            Parallel::Safe => s.push_str(" PARALLEL SAFE"),
        }
        let default_cost = if matches!(self.language.as_str(), "c" | "internal") {
            "1"
        } else {
            "100"
        };
        if self.cost != default_cost {
            s.push_str(&format!(" COST {}", self.cost));
        }
        let default_rows = if self.returns.is_set() { "1000" } else { "0" };
        if self.rows != default_rows {
            s.push_str(&format!(" ROWS {}", self.rows));
        }
        for (k, v) in &self.config {
            let items: Vec<String> = v.iter().map(|i| literal(i)).collect();
            s.push_str(&format!(" SET {k} = {}", items.join(", ")));
        }
        match &self.body {
            Body::Strings(b) => {
                let parts: Vec<String> = b.iter().map(|p| dollar_quote(p)).collect();
                s.push_str(&format!("\nAS {}", parts.join(", ")));
            }
            Body::Sql(b) => {
                s.push('\n');
                s.push_str(&b.0);
            }
        }
        s.push_str(";\n");
        s
    }

    /// `DROP FUNCTION name(types);`.
    pub fn drop_sql(&self, name: &QName) -> String {
        let types: Vec<&str> = self
            .args
            .iter()
            .filter(|a| a.mode != ArgMode::Out)
            .map(|a| a.ty.as_str())
            .collect();
        format!(
            "DROP {} {}({});\n",
            self.kind.keyword(),
            sql_name(name),
            types.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(sql: &str) -> Routine {
        parse_routine(sql)
            .unwrap_or_else(|| panic!("not read: {sql}"))
            .routine
    }

    #[test]
    fn defaults_written_or_omitted_compare_equal() {
        let a = r("CREATE FUNCTION f(a int) RETURNS int AS $$ select a $$ LANGUAGE sql");
        let b = r(
            "create or replace function public.f(a INTEGER) returns int4 language SQL \
                   VOLATILE CALLED ON NULL INPUT SECURITY INVOKER PARALLEL UNSAFE COST 100 \
                   NOT LEAKPROOF as ' select a '",
        );
        assert_eq!(a, b);
        let c = r("CREATE FUNCTION f(a int) RETURNS int AS $$ select a $$ LANGUAGE sql STABLE");
        assert_ne!(a, c);
    }

    #[test]
    fn bodies_compare_exactly() {
        let a = r("CREATE FUNCTION f() RETURNS int AS $$select 1$$ LANGUAGE sql");
        let b = r("CREATE FUNCTION f() RETURNS int AS $$select  1$$ LANGUAGE sql");
        assert_ne!(a, b);
        assert_eq!(string_value("E'it''s\\n'").as_deref(), Some("it's\n"));
        assert_eq!(string_value("$b$ a $$ $b$").as_deref(), Some(" a $$ "));
        assert_eq!(string_value("'it''s'").as_deref(), Some("it's"));
    }

    #[test]
    fn as_pg_get_functiondef_prints_it() {
        let written = r(
            "CREATE FUNCTION app_touch(n varchar(10) DEFAULT 'x', OUT m int) \
                         RETURNS SETOF int LANGUAGE plpgsql STRICT SECURITY DEFINER \
                         SET search_path = public, pg_temp AS $f$ begin end $f$;",
        );
        let printed = r(
            "CREATE OR REPLACE FUNCTION public.app_touch(n character varying \
                         DEFAULT 'x', OUT m integer)\n RETURNS SETOF integer\n LANGUAGE \
                         plpgsql\n STRICT SECURITY DEFINER\n SET search_path TO 'public', \
                         'pg_temp'\nAS $function$ begin end $function$\n",
        );
        assert_eq!(written, printed);
        assert_eq!(written.rows, "1000");
        assert_eq!(written.signature(), "character varying");
    }

    #[test]
    fn search_path_from_current_is_the_default_path() {
        let a = r(
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET search_path FROM CURRENT \
                   AS 'SELECT 1'",
        );
        let b = r("CREATE FUNCTION f() RETURNS int LANGUAGE sql \
                   SET search_path TO '$user', 'public' AS 'SELECT 1'");
        assert_eq!(a, b);
        assert!(
            parse_routine("CREATE FUNCTION f() RETURNS int LANGUAGE sql SET work_mem FROM CURRENT AS 'SELECT 1'")
                .is_none()
        );
    }

    #[test]
    fn sql_standard_bodies_and_tables() {
        let a = r("CREATE FUNCTION add(a integer, b integer) RETURNS integer RETURN a + b;");
        assert_eq!(a.language, "sql");
        assert_eq!(a.body, Body::Sql(SqlText("RETURN a + b".into())));
        let t = r(
            "CREATE FUNCTION t() RETURNS TABLE (x int, \"Y\" timestamp with time zone) \
                   LANGUAGE sql BEGIN ATOMIC SELECT 1, now(); END",
        );
        assert_eq!(
            t.returns,
            Returns::Table(vec![
                ("x".into(), "integer".into()),
                ("Y".into(), "timestamp with time zone".into())
            ])
        );
        let p =
            parse_routine("CREATE PROCEDURE p(INOUT n int) LANGUAGE plpgsql AS $$ begin end $$")
                .expect("read");
        assert_eq!(p.routine.kind, RoutineKind::Procedure);
        assert_eq!(p.routine.returns, Returns::Nothing);
    }

    #[test]
    fn printed_text_reads_back_the_same() {
        for sql in [
            "CREATE FUNCTION f(a int DEFAULT 1, VARIADIC r text[] DEFAULT '{}') RETURNS TABLE (x int) \
             LANGUAGE sql STABLE STRICT LEAKPROOF PARALLEL SAFE COST 5 ROWS 10 \
             SET work_mem = '64MB' AS $$ select 1 $$",
            "CREATE FUNCTION g() RETURNS trigger LANGUAGE plpgsql AS $b$ begin return new; end $b$",
            "CREATE FUNCTION h(x int) RETURNS int IMMUTABLE RETURN x * 2",
        ] {
            let a = parse_routine(sql).expect("read");
            let printed = a.routine.create_sql(&a.name, true);
            assert_eq!(
                parse_routine(&printed).expect("printed").routine,
                a.routine,
                "{printed}"
            );
        }
    }

    #[test]
    fn what_is_not_read_is_none() {
        assert!(
            parse_routine("CREATE FUNCTION f(a t.c%TYPE) RETURNS int AS 'x' LANGUAGE sql")
                .is_none()
        );
        assert!(parse_routine("CREATE FUNCTION f() RETURNS int AS 'x'").is_none());
    }

    #[test]
    fn replace_needs_the_same_interface() {
        let a = r("CREATE FUNCTION f(a int) RETURNS int AS 'select 1' LANGUAGE sql");
        let b = r("CREATE FUNCTION f(a int) RETURNS int AS 'select 2' LANGUAGE sql IMMUTABLE");
        let c = r("CREATE FUNCTION f(b int) RETURNS int AS 'select 1' LANGUAGE sql");
        let d = r("CREATE FUNCTION f(a int) RETURNS bigint AS 'select 1' LANGUAGE sql");
        assert!(a.replaceable_by(&b));
        assert!(!a.replaceable_by(&c));
        assert!(!a.replaceable_by(&d));
    }
}
