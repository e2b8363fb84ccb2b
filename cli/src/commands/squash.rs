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
use retort_core::schema::catalog::{Catalog, Origin, RelKind, TypeDef, qname, sql_name};
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
    text: &'a str,
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
                text: &text[range],
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
    let (functions, later, mut problems) = carried_objects(cat, &ddl, &stmts, &defining);
    let (data, data_problems, skipped) = data_statements(cat, &stmts, sources);
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
    up.push_str(&format!(
        "-- The schema at {rev}, as `retort schema {rev}` prints it\n"
    ));
    up.push_str(ddl.trim_end());
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
            terminated(s.text)
        ));
    }
    up.push('\n');
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
) -> (Vec<usize>, Vec<usize>, Vec<String>) {
    let mut functions = Vec::new();
    let mut later = Vec::new();
    let mut problems = Vec::new();
    let take = |what: String, o: &Origin, out: &mut Vec<usize>, problems: &mut Vec<String>| {
        match defining(o) {
            Some(k) if first_word(stmts[k].text).as_deref() == Some("create") => out.push(k),
            _ => problems.push(format!(
                "{what} was last defined by a statement that is not `CREATE`"
            )),
        }
    };
    for (n, t) in cat.types.iter() {
        if matches!(t.value, TypeDef::Other) {
            take(
                format!("type `{n}`"),
                &t.origin,
                &mut functions,
                &mut problems,
            );
        }
    }
    let types = functions.len();
    for (n, f) in cat.functions.iter() {
        if f.value.sigs.len() > 1 {
            problems.push(format!(
                "function `{n}` has {} overloads",
                f.value.sigs.len()
            ));
            continue;
        }
        take(
            format!("function `{n}`"),
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
            take(format!("view `{n}`"), &r.origin, &mut later, &mut problems);
        }
    }
    for ((table, name), t) in cat.triggers.iter() {
        take(
            format!("trigger `{name}` on `{table}`"),
            &t.origin,
            &mut later,
            &mut problems,
        );
    }
    // Types before functions, each kind in history order.
    functions[..types].sort_unstable();
    functions[types..].sort_unstable();
    functions.dedup();
    later.sort_unstable();
    later.dedup();
    (functions, later, problems)
}

/// The first word of a statement, lower-cased.
fn first_word(text: &str) -> Option<String> {
    let toks = lex::tokenize(text);
    lex::words(text, &toks).next().map(|(w, _)| w)
}

/// The range's data statements whose tables still exist at the target, in order; and what
/// cannot be carried.
fn data_statements(
    cat: &Catalog,
    stmts: &[Stmt<'_>],
    sources: &Sources,
) -> (Vec<usize>, Vec<String>, Vec<String>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let mut skipped = Vec::new();
    for (k, s) in stmts.iter().enumerate() {
        let toks = lex::tokenize(s.text);
        let words: Vec<String> = lex::words(s.text, &toks).map(|(w, _)| w).take(8).collect();
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
        let exists = target.as_deref().and_then(qname).is_some_and(|q| {
            matches!(
                cat.relations.get(&q).map(|r| &r.value),
                Some(RelKind::Table(_))
            )
        });
        if exists {
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
