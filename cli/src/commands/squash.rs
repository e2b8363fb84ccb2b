//! `retort squash --to REV -m MSG`: one checkpoint revision that builds the schema at REV from
//! nothing, standing for REV and every revision before it (`replaces: <first>..<REV>`).
//!
//! Its up is, in order: `check_function_bodies` off for the transaction (as pg_dump does), the
//! functions (their defining statements as written), the model's DDL at REV (`retort
//! schema REV`), the views and triggers (their defining statements, in history order), then
//! the range's data statements whose tables still exist at REV. What cannot be carried is an
//! error naming it, and nothing is written. The file is checked with the rest before it is
//! kept: the build replays it and compares its schema with the schema at REV.

use std::collections::{HashMap, HashSet};

use retort_core::Revision;
use retort_core::check::{Options, check_dir};
use retort_core::codes::Code;
use retort_core::schema::catalog::{
    Catalog, Origin, QName, RelKind, TypeDef, qname, quote_ident, sql_name,
};
use retort_core::schema::ddl::{render, unknown_parts};
use retort_core::source::{FileId, Sources};
use retort_core::sql::lex;

use super::revision::{history_of, new_id, write_new};
use super::{Ctx, Outcome, Status, fail, list};
use crate::cli::SquashArgs;
use crate::outln;

/// What a checkpoint's header says about reverting it.
const IRREVERSIBLE: &str = "a squash checkpoint builds the schema from nothing; restore a \
                            backup to go below it";

/// One up statement of the range, with where it is.
struct Stmt<'a> {
    file: FileId,
    /// Byte range in its file.
    range: std::ops::Range<usize>,
    text: std::borrow::Cow<'a, str>,
}

/// `retort squash --to REV -m MSG [--rev-id ID]`.
pub fn run(ctx: &Ctx, args: &SquashArgs) -> Outcome {
    let (report, set) = ctx.load()?;
    let history = history_of(&set)?;
    let rev = super::schema::revision_of(&history, &args.to)?;
    let mut range = history.ancestors_of(rev.as_str()).unwrap_or_default();
    range.push(rev.clone());
    let in_range: HashSet<&Revision> = range.iter().collect();
    let roots: Vec<&Revision> = range
        .iter()
        .filter(|r| history.parents(r.as_str()).is_some_and(|p| p.is_empty()))
        .collect();
    let cannot = |message: String, help: &str| {
        fail(
            Status::Failure,
            Code::CliSquashCannotCarry,
            message,
            Some(help.to_owned()),
        )
    };
    let [first] = roots.as_slice() else {
        return Err(cannot(
            format!(
                "`{rev}` descends from {} roots, {}: a checkpoint replaces one history",
                roots.len(),
                list(&roots)
            ),
            "squash a revision with a single root",
        ));
    };
    let first = (*first).clone();
    for r in history.revisions() {
        if in_range.contains(r) {
            continue;
        }
        let parents = history.parents(r.as_str()).unwrap_or_default();
        if let Some(p) = parents.iter().find(|p| in_range.contains(p) && **p != rev) {
            return Err(cannot(
                format!("`{r}` follows `{p}`, inside the range `{first}..{rev}`"),
                "only children of the last revision can follow a checkpoint; squash to a \
                 revision after the branch is merged",
            ));
        }
    }
    if set.iter().any(|m| {
        m.replaces()
            .is_some_and(|c| in_range.contains(&c.last) || c.last == rev)
    }) {
        return Err(cannot(
            format!("a checkpoint already replaces part of `{first}..{rev}`"),
            "delete the old checkpoint's range first, or squash to a later revision",
        ));
    }
    let file_of: HashMap<&str, usize> = report
        .files
        .iter()
        .enumerate()
        .filter_map(|(i, f)| Some((f.revision.as_ref()?.value.as_str(), i)))
        .collect();
    let Some(cat) = file_of
        .get(rev.as_str())
        .and_then(|&i| report.schema.catalogs[i].as_ref())
    else {
        return Err(cannot(
            format!("the model has no schema at `{rev}`"),
            "`retort check` says why",
        ));
    };
    let sources = &report.sources;
    let unknown = unknown_parts(cat, sources);
    if !unknown.is_empty() {
        let lines: Vec<String> = unknown
            .iter()
            .take(10)
            .map(|p| match &p.at {
                Some(at) => format!("{} (after {at})", p.what),
                None => p.what.clone(),
            })
            .collect();
        return Err(cannot(
            format!(
                "the model does not know {} part{} of the schema at `{rev}`: {}{}",
                unknown.len(),
                if unknown.len() == 1 { "" } else { "s" },
                lines.join("; "),
                if unknown.len() > 10 { "; …" } else { "" }
            ),
            "`retort schema` lists them as `-- unknown:`; squash to a revision where the \
             model knows the whole schema",
        ));
    }

    // Every up statement of the range, in history order.
    let order: Vec<&Revision> = history
        .revisions()
        .iter()
        .filter(|r| in_range.contains(r))
        .collect();
    let mut stmts: Vec<Stmt<'_>> = Vec::new();
    for r in &order {
        let Some(&i) = file_of.get(r.as_str()) else {
            continue;
        };
        let f = &report.files[i];
        let Some(up) = &f.up else { continue };
        let text = sources.get(f.file).text();
        let body = &text[up.body.clone()];
        for s in lex::split(body) {
            let range = up.body.start + s.range.start..up.body.start + s.range.end;
            stmts.push(Stmt {
                file: f.file,
                range: range.clone(),
                text: std::borrow::Cow::Borrowed(&text[range]),
            });
        }
    }
    let defining = |o: &Origin| {
        stmts.iter().position(|s| {
            s.file == o.file && s.range.start <= o.range.start && o.range.start < s.range.end
        })
    };
    // The functions are created first, from their statements: the DDL may then call them
    // (defaults, indexes, views), so it is printed as if the script created them.
    let mut printed = cat.clone();
    printed.functions = Default::default();
    let ddl = render(&printed, sources);
    let Carried {
        functions,
        later,
        mut problems,
        renamed,
    } = carried_objects(cat, &ddl, &stmts, &defining);
    // A trigger follows its table through renames: its statement names the table now.
    for (k, text) in renamed {
        stmts[k].text = std::borrow::Cow::Owned(text);
    }
    // Relations some revision of the range had and the target has not (dropped or renamed):
    // a data statement naming one is not carried.
    let current: HashSet<String> = cat
        .relations
        .keys()
        .map(|q| q.name.to_lowercase())
        .collect();
    let mut gone: HashSet<String> = HashSet::new();
    for r in &order {
        if let Some(c) = file_of
            .get(r.as_str())
            .and_then(|&i| report.schema.catalogs[i].as_ref())
        {
            gone.extend(
                c.relations
                    .keys()
                    .map(|q| q.name.to_lowercase())
                    .filter(|n| !current.contains(n)),
            );
        }
    }
    let (data, data_problems, skipped) = data_statements(cat, &gone, &stmts, sources);
    problems.extend(data_problems);
    if !problems.is_empty() {
        let shown: Vec<&String> = problems.iter().take(10).collect();
        return Err(cannot(
            format!(
                "{} statement{} of `{first}..{rev}` cannot be carried: {}{}",
                problems.len(),
                if problems.len() == 1 { "" } else { "s" },
                shown
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
                if problems.len() > 10 { "; …" } else { "" }
            ),
            "squash to another revision, or move the statement out of the range",
        ));
    }

    let mut up = String::new();
    up.push_str("SET LOCAL check_function_bodies = off;\n\n");
    // Schemas, extensions and enum types first: the types and functions may use them.
    let pieces = lex::split(&ddl);
    let lead = pieces
        .iter()
        .take_while(|p| {
            let toks = lex::tokenize(&ddl[p.range.clone()]);
            let w: Vec<String> = lex::words(&ddl[p.range.clone()], &toks)
                .map(|(w, _)| w)
                .take(2)
                .collect();
            w.first().is_some_and(|f| f == "create")
                && w.get(1)
                    .is_some_and(|k| matches!(k.as_str(), "schema" | "extension" | "type"))
        })
        .count();
    let split_at = pieces.get(lead).map_or(ddl.len(), |p| {
        // Keep the comment lines before the first statement of the rest with it.
        ddl[..p.range.start]
            .rfind("\n\n")
            .map_or(p.range.start, |i| i + 1)
    });
    let split_at = if lead == 0 { 0 } else { split_at };
    up.push_str(&format!(
        "-- The schema at {rev}, as `retort schema {rev}` prints it\n"
    ));
    up.push_str(ddl[..split_at].trim_end());
    up.push_str("\n\n");
    section(
        &mut up,
        "Types and functions, as written",
        &functions,
        &stmts,
        sources,
    );
    up.push_str(ddl[split_at..].trim_end());
    up.push_str("\n\n");
    section(
        &mut up,
        "Views and triggers, as written",
        &later,
        &stmts,
        sources,
    );
    section(
        &mut up,
        "Data statements of the range",
        &data,
        &stmts,
        sources,
    );
    if !skipped.is_empty() {
        up.push_str("-- Not carried: data of tables gone at the target\n");
        for s in &skipped {
            up.push_str(&format!("--   {s}\n"));
        }
    }

    let id = new_id(&ctx.dir, &set, args.rev_id.as_deref())?;
    let text = format!(
        "-- revision: {id}\n-- down_revision: none\n-- message: {}\n-- replaces: {first}..{rev}\n\
         -- irreversible: {IRREVERSIBLE}\n\n-- migrate:up\n{}",
        args.message.trim(),
        up.trim_end()
    ) + "\n";
    let shown = write_new(&ctx.dir, &ctx.display, &id, &args.message, &text)?;
    // The build's proof: the directory with the checkpoint must pass, its schema equal to
    // the schema at `rev`.
    let options = Options {
        allow_multiple_heads: true,
        allow_multiple_roots: false,
        lints: retort_core::lint::LintSettings::off(),
    };
    let again = check_dir(&ctx.dir, &ctx.display, &options);
    if again.has_errors() {
        super::diff::print_diagnostics(
            ctx,
            &again.errors().cloned().collect::<Vec<_>>(),
            &again.sources,
        );
        let _ = std::fs::remove_file(ctx.dir.join(shown.file_name().unwrap_or_default()));
        return Err(fail(
            Status::Failure,
            Code::SchemaCheckpointDiffers,
            format!(
                "the checkpoint for `{first}..{rev}` does not pass the checks; it was not kept"
            ),
            Some("the errors above say what it cannot build".to_owned()),
        ));
    }
    outln!("{}", shown.display());
    Ok(Status::Success)
}

/// Appends `items` of `stmts` under a title, each with where it comes from.
fn section(up: &mut String, title: &str, items: &[usize], stmts: &[Stmt<'_>], sources: &Sources) {
    if items.is_empty() {
        return;
    }
    up.push_str(&format!("-- {title}\n"));
    for &k in items {
        let s = &stmts[k];
        let src = sources.get(s.file);
        up.push_str(&format!(
            "-- from {}:{}\n{}\n",
            src.path(),
            src.line_col(s.range.start).0,
            terminated(&s.text)
        ));
    }
    up.push('\n');
}

/// What [`carried_objects`] found: statements to carry, and what cannot be.
struct Carried {
    /// Types and functions, to run before the DDL.
    functions: Vec<usize>,
    /// Views and triggers, to run after it.
    later: Vec<usize>,
    /// What cannot be carried.
    problems: Vec<String>,
    /// Trigger statements rewritten for a renamed table.
    renamed: Vec<(usize, String)>,
}

/// A statement with its `;`.
fn terminated(text: &str) -> String {
    let t = text.trim_end();
    if t.ends_with(';') {
        t.to_owned()
    } else {
        format!("{t};")
    }
}

/// The defining statements of the functions (first), and of the views and triggers (in
/// history order), that the DDL printer leaves as comments; and what cannot be carried.
fn carried_objects(
    cat: &Catalog,
    ddl: &str,
    stmts: &[Stmt<'_>],
    defining: &dyn Fn(&Origin) -> Option<usize>,
) -> Carried {
    let mut functions = Vec::new();
    let mut later = Vec::new();
    let mut problems = Vec::new();
    // The statement must create that kind of object (`CREATE [OR REPLACE] FUNCTION …`).
    let take = |what: String,
                kinds: &[&str],
                o: &Origin,
                out: &mut Vec<usize>,
                problems: &mut Vec<String>| {
        let creates = |k: usize| {
            let toks = lex::tokenize(&stmts[k].text);
            let w: Vec<String> = lex::words(&stmts[k].text, &toks)
                .map(|(w, _)| w)
                .take(5)
                .collect();
            w.first().is_some_and(|f| f == "create")
                && w.iter().skip(1).any(|x| kinds.contains(&x.as_str()))
        };
        match defining(o) {
            Some(k) if creates(k) => out.push(k),
            _ => problems.push(format!(
                "{what} was last defined by a statement that does not create it"
            )),
        }
    };
    for (n, t) in cat.types.iter() {
        if matches!(t.value, TypeDef::Other) {
            take(
                format!("type `{n}`"),
                &["type", "domain"],
                &t.origin,
                &mut functions,
                &mut problems,
            );
        }
    }
    let types = functions.len();
    for (n, f) in cat.functions.iter() {
        // Printed by the DDL with its definition: nothing to carry.
        let printed = ["FUNCTION", "PROCEDURE"].iter().any(|k| {
            ddl.lines()
                .any(|l| l.starts_with(&format!("CREATE {k} {}(", sql_name(n))))
        });
        if printed {
            continue;
        }
        if f.value.sigs.len() > 1 {
            problems.push(format!(
                "function `{n}` has {} overloads",
                f.value.sigs.len()
            ));
            continue;
        }
        take(
            format!("function `{n}`"),
            &["function", "procedure"],
            &f.origin,
            &mut functions,
            &mut problems,
        );
    }
    for (n, r) in cat.relations.iter() {
        if let RelKind::View { materialized, .. } = &r.value {
            let m = if *materialized { "MATERIALIZED " } else { "" };
            let created = format!("CREATE {m}VIEW {} ", sql_name(n));
            if ddl.lines().any(|l| l.starts_with(&created)) {
                continue;
            }
            take(
                format!("view `{n}`"),
                &["view"],
                &r.origin,
                &mut later,
                &mut problems,
            );
        }
    }
    let mut renamed = Vec::new();
    for ((table, name), t) in cat.triggers.iter() {
        let created = format!("CREATE TRIGGER {} ", quote_ident(name));
        let on = format!(" ON {} ", sql_name(table));
        if ddl.lines().any(|l| {
            (l.starts_with(&created)
                || l.starts_with(&format!("CREATE CONSTRAINT TRIGGER {} ", quote_ident(name))))
                && l.contains(&on)
        }) {
            continue;
        }
        let before = later.len();
        take(
            format!("trigger `{name}` on `{table}`"),
            &["trigger"],
            &t.origin,
            &mut later,
            &mut problems,
        );
        if let Some(&k) = later.get(before)
            && let Some(text) = on_table(&stmts[k].text, &sql_name(table))
        {
            renamed.push((k, text));
        }
    }
    // Types before functions, each kind in history order.
    functions[..types].sort_unstable();
    functions[types..].sort_unstable();
    functions.dedup();
    later.sort_unstable();
    later.dedup();
    Carried {
        functions,
        later,
        problems,
        renamed,
    }
}

/// A `CREATE TRIGGER` statement with the table after its `ON` replaced by `table`, when it
/// names another (the table was renamed since).
fn on_table(text: &str, table: &str) -> Option<String> {
    let toks = lex::tokenize(text);
    let sig: Vec<&lex::Tok> = toks.iter().filter(|t| !t.is_trivia()).collect();
    let on = sig
        .iter()
        .position(|t| text[t.range.clone()].eq_ignore_ascii_case("on"))?;
    let first = sig.get(on + 1)?;
    let mut end = first.range.end;
    if sig
        .get(on + 2)
        .is_some_and(|t| &text[t.range.clone()] == ".")
        && let Some(t) = sig.get(on + 3)
    {
        end = t.range.end;
    }
    let written = &text[first.range.start..end];
    let same = qname(written)
        .zip(qname(table))
        .is_some_and(|(a, b)| a == b);
    (!same).then(|| format!("{}{table}{}", &text[..first.range.start], &text[end..]))
}

/// The range's data statements whose tables still exist at the target, in order; and what
/// cannot be carried.
fn data_statements(
    cat: &Catalog,
    gone: &HashSet<String>,
    stmts: &[Stmt<'_>],
    sources: &Sources,
) -> (Vec<usize>, Vec<String>, Vec<String>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let mut skipped = Vec::new();
    // The tables that hold rows on a fresh database: those a carried `INSERT … VALUES` (or
    // an `INSERT … SELECT` from such a table) wrote to. An `UPDATE`, `DELETE` or
    // `TRUNCATE` of any other table, or an `INSERT … SELECT` that reads none of them, has
    // nothing to act on there and is not needed.
    let mut seeded: HashSet<QName> = HashSet::new();
    for (k, s) in stmts.iter().enumerate() {
        let toks = lex::tokenize(&s.text);
        let words: Vec<String> = lex::words(&s.text, &toks)
            .map(|(w, _)| w)
            .take(64)
            .collect();
        // `schema . table` as one name.
        let name_at = |i: usize| -> Option<String> {
            let w = words.get(i)?;
            match (words.get(i + 1).map(String::as_str), words.get(i + 2)) {
                (Some("."), Some(n)) => Some(format!("{w}.{n}")),
                _ => Some(w.clone()),
            }
        };
        let at = || {
            let src = sources.get(s.file);
            format!("{}:{}", src.path(), src.line_col(s.range.start).0)
        };
        let Some(first) = words.first() else { continue };
        let data = matches!(
            first.as_str(),
            "select" | "with" | "insert" | "update" | "delete" | "truncate"
        );
        if data
            && let Some(g) = lex::words(&s.text, &toks)
                .map(|(w, _)| w)
                .find(|w| gone.contains(w.trim_matches('"')))
        {
            skipped.push(format!(
                "`{}` at {} uses `{g}`, which is gone at the target",
                first.to_uppercase(),
                at()
            ));
            continue;
        }
        let target = match first.as_str() {
            // The schema: the model's DDL and the carried definitions stand for it; settings
            // last only for the transaction.
            "create" | "alter" | "drop" | "comment" | "grant" | "revoke" | "set" | "reset" => {
                continue;
            }
            // Run for their effects (a function that sets up a trigger, a sequence's value).
            "select" | "with" => {
                out.push(k);
                continue;
            }
            "insert" if words.get(1).is_some_and(|w| w == "into") => name_at(2),
            "update" => match words.get(1).map(String::as_str) {
                Some("only") => name_at(2),
                _ => name_at(1),
            },
            "delete" if words.get(1).is_some_and(|w| w == "from") => {
                match words.get(2).map(String::as_str) {
                    Some("only") => name_at(3),
                    _ => name_at(2),
                }
            }
            "truncate" => match words.get(1).map(String::as_str) {
                Some("table") => name_at(2),
                _ => name_at(1),
            },
            other => {
                problems.push(format!(
                    "`{}` at {} is neither schema nor plain data",
                    other.to_uppercase(),
                    at()
                ));
                continue;
            }
        };
        let table = target
            .as_deref()
            .and_then(qname)
            .and_then(|q| cat.table(&q));
        // The columns it names (an `INSERT`'s list, an `UPDATE`'s first `SET`) must still
        // be there.
        let named: Vec<&String> = match first.as_str() {
            "insert" => {
                let all: Vec<&String> = words.iter().collect();
                match all.iter().position(|w| *w == "(") {
                    Some(open)
                        if all
                            .get(open.wrapping_sub(1))
                            .is_some_and(|w| **w != "values") =>
                    {
                        all[open + 1..]
                            .iter()
                            .take_while(|w| **w != ")")
                            .filter(|w| **w != ",")
                            .copied()
                            .collect()
                    }
                    _ => Vec::new(),
                }
            }
            "update" => words
                .iter()
                .position(|w| w == "set")
                .and_then(|i| words.get(i + 1))
                .into_iter()
                .collect(),
            _ => Vec::new(),
        };
        let gone_column = table.and_then(|t| {
            named
                .iter()
                .find(|c| t.columns_known && t.column(c.trim_matches('"')).is_none())
        });
        if let Some(c) = gone_column {
            skipped.push(format!(
                "`{}` at {} names column `{c}` of `{}`, which is gone at the target",
                first.to_uppercase(),
                at(),
                target.as_deref().unwrap_or("?")
            ));
            continue;
        }
        let exists = table.is_some();
        let target_q = target.as_deref().and_then(qname);
        let reads_seeded = || {
            words
                .iter()
                .any(|w| qname(w).is_some_and(|q| seeded.contains(&q)))
        };
        let values = words.iter().any(|w| w == "values");
        let needed = match first.as_str() {
            "insert" => values || reads_seeded(),
            _ => target_q.as_ref().is_some_and(|q| seeded.contains(q)),
        };
        if exists && !needed {
            skipped.push(format!(
                "`{}` at {} is not needed on a fresh database: no carried statement put rows \
                 where it reads or writes",
                first.to_uppercase(),
                at()
            ));
        } else if exists {
            if first == "insert"
                && let Some(q) = target_q
            {
                seeded.insert(q);
            }
            out.push(k);
        } else {
            // Its rows went with the table (dropped, or renamed: then they are not carried,
            // and the checkpoint says so).
            skipped.push(format!(
                "`{}` at {} writes to `{}`, which is gone at the target",
                first.to_uppercase(),
                at(),
                target.as_deref().unwrap_or("?")
            ));
        }
    }
    (out, problems, skipped)
}
