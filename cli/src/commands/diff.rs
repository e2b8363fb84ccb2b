//! `retort diff [--from STATE] [--to STATE]`: the SQL between two schemas, no file written;
//! and what `revision --autogenerate` shares with it: reading the schema file and a state.

use std::io::Write as _;
use std::path::Path;

use retort_core::check::Report;
use retort_core::codes::Code;
use retort_core::diagnostic::Diagnostic;
use retort_core::schema::Catalog;
use retort_core::schema::desired::{DesiredSchema, desired_schema};
use retort_core::schema::diff::{
    Diff, DiffOptions, Form, Problem, Renames, Step, Txn, diff, steps,
};
use retort_core::source::Sources;

use super::drift::{read_fail, read_live};
use super::revision::history_of;
use super::schema::revision_of;
use super::{Ctx, Fail, Outcome, Status, connect_url, count, fail};
use crate::cli::DiffArgs;
use crate::introspect::canonical;
use crate::outln;

/// A schema read from a `.sql` file: its text and what it creates.
pub struct SchemaFile {
    /// The file's text (the diagnostics point into it).
    pub sources: Sources,
    /// What it creates, and its annotations.
    pub desired: DesiredSchema,
}

/// Prints diagnostics on standard error, as `retort check` does.
pub fn print_diagnostics(ctx: &Ctx, diags: &[Diagnostic], sources: &Sources) {
    let mut err = std::io::stderr().lock();
    for d in diags {
        let text = if ctx.styled_err {
            d.render_styled(sources)
        } else {
            d.render(sources)
        };
        let _ = writeln!(err, "{text}\n");
    }
}

/// Reads and checks a schema file; its errors are printed and fail the command.
pub fn read_schema_file(ctx: &Ctx, path: &Path) -> Result<SchemaFile, Fail> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        let help = if e.kind() == std::io::ErrorKind::NotFound {
            "write the desired schema there as PostgreSQL DDL (`retort schema > schema.sql` \
             starts it from the head), or name it with `--schema-file` or `schema_file` in \
             retort.toml"
                .to_owned()
        } else {
            "make it readable".to_owned()
        };
        fail(
            Status::Failure,
            Code::AutogenSchemaFileUnreadable,
            format!("cannot read the schema file {}: {e}", path.display()),
            Some(help),
        )
    })?;
    let mut sources = Sources::new();
    let file = sources.add(path.to_string_lossy(), &text);
    let desired = desired_schema(&sources, file);
    if desired.has_errors() {
        let errors: Vec<Diagnostic> = desired
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .cloned()
            .collect();
        print_diagnostics(ctx, &errors, &sources);
        return Err(fail(
            Status::Failure,
            Code::AutogenSchemaFileInvalid,
            format!(
                "the schema file {} has {}; nothing was done",
                path.display(),
                count(errors.len(), "error")
            ),
            Some("fix the schema file".to_owned()),
        ));
    }
    Ok(SchemaFile { sources, desired })
}

/// The catalog after revision `rev` in a checked directory.
pub fn catalog_at(report: &Report, rev: &str) -> Result<Catalog, Fail> {
    report
        .files
        .iter()
        .enumerate()
        .find(|(_, f)| f.revision.as_ref().is_some_and(|r| r.value.as_str() == rev))
        .and_then(|(i, _)| report.schema.catalogs.get(i).cloned().flatten())
        .ok_or_else(|| {
            fail(
                Status::Failure,
                Code::AutogenNoSchema,
                format!("revision `{rev}` has no schema: it is outside the revision graph"),
                Some("`retort check` says why".to_owned()),
            )
        })
}

/// One side of a diff: a catalog, with the renames of its file when it is a schema file, or
/// the connection it was read through when it is a database.
struct State {
    catalog: Catalog,
    renames: Renames,
    sources: Option<Sources>,
    live: Option<postgres::Client>,
}

impl State {
    fn model(catalog: Catalog, renames: Renames, sources: Option<Sources>) -> Self {
        State {
            catalog,
            renames,
            sources,
            live: None,
        }
    }
}

/// Whether a state names a database.
fn is_url(text: &str) -> bool {
    text.starts_with("postgres://") || text.starts_with("postgresql://")
}

/// The state that `text` names (see `retort diff --help`).
fn state(ctx: &Ctx, text: &str) -> Result<State, Fail> {
    if is_url(text) {
        let mut client = connect_url(text)?;
        let catalog = read_live(&mut client, text, &ctx.config)?;
        return Ok(State {
            catalog,
            renames: Renames::none(),
            sources: None,
            live: Some(client),
        });
    }
    if text.ends_with(".sql") {
        let f = read_schema_file(ctx, Path::new(text))?;
        return Ok(State::model(
            f.desired.catalog,
            f.desired.renames,
            Some(f.sources),
        ));
    }
    if text == "base" {
        return Ok(State::model(Catalog::new(), Renames::none(), None));
    }
    let (report, set) = ctx.load()?;
    let history = history_of(&set)?;
    if text == "head" && history.heads().is_empty() {
        return Ok(State::model(Catalog::new(), Renames::none(), None));
    }
    let rev = revision_of(&history, text)?;
    Ok(State::model(
        catalog_at(&report, rev.as_str())?,
        Renames::none(),
        None,
    ))
}

/// When one side is a database and the other is not, the other's texts in the database's
/// form (see [`canonical`]), and the version table's schema left out of the database's side.
fn align_with_database(
    ctx: &Ctx,
    from: &mut State,
    to: &mut State,
    urls: (&str, &str),
) -> Result<(), Fail> {
    let schema = ctx.config.get_schema().map(|s| s.as_str());
    let (live, other, url) = match (from.live.is_some(), to.live.is_some()) {
        (true, false) => (from, to, urls.0),
        (false, true) => (to, from, urls.1),
        _ => return Ok(()),
    };
    canonical::forget_version_schema(&mut live.catalog, &other.catalog, schema);
    let Some(client) = live.live.as_mut() else {
        return Ok(());
    };
    canonical::align(client, &mut other.catalog, &mut live.catalog).map_err(|e| read_fail(&e, url))
}

/// A problem without its place in a file, for a side that has no file to show.
fn placeless(p: Problem) -> Problem {
    match p {
        Problem::RenameSuspect {
            kind,
            old,
            new,
            rename,
            ..
        } => Problem::RenameSuspect {
            kind,
            old,
            new,
            rename,
            at: None,
        },
        Problem::Unsupported { what, .. } => Problem::Unsupported { what, at: None },
        Problem::UnknownRename(mut r) => {
            r.at = None;
            Problem::UnknownRename(r)
        }
        p => p,
    }
}

/// The "not compared" list as SQL comments (empty when there is none).
pub fn not_compared_comment(d: &Diff) -> String {
    if d.not_compared.is_empty() {
        return String::new();
    }
    let mut s = String::from("-- Not compared (the model does not keep enough to tell):\n");
    for n in &d.not_compared {
        s.push_str(&format!("--   {n}\n"));
    }
    s
}

/// The problems of a diff, printed; a failure when there is any.
pub fn check_problems(ctx: &Ctx, d: &Diff, sources: Option<&Sources>) -> Result<(), Fail> {
    if d.problems.is_empty() {
        return Ok(());
    }
    let diags: Vec<Diagnostic> = d.problems.iter().map(|p| p.to_diagnostic()).collect();
    let empty = Sources::new();
    print_diagnostics(ctx, &diags, sources.unwrap_or(&empty));
    Err(fail(
        Status::Failure,
        Code::AutogenFailed,
        format!(
            "the difference has {}; nothing was written",
            count(diags.len(), "problem")
        ),
        Some("answer each one above in the schema file or with a flag".to_owned()),
    ))
}

/// `retort diff [--from STATE] [--to STATE]`.
pub fn run(ctx: &Ctx, args: &DiffArgs) -> Outcome {
    let from_text = args.from.as_deref().unwrap_or("head");
    let to_text = args
        .to
        .clone()
        .unwrap_or_else(|| ctx.schema_file.to_string_lossy().into_owned());
    let mut from = state(ctx, from_text)?;
    let mut to = state(ctx, &to_text)?;
    align_with_database(ctx, &mut from, &mut to, (from_text, &to_text))?;
    let to_schema_file = to_text.ends_with(".sql");
    let renames = if to_schema_file {
        to.renames.clone()
    } else {
        Renames::none()
    };
    let mut d = diff(
        &from.catalog,
        &to.catalog,
        &renames,
        DiffOptions { allow_drop: true },
    );
    let sources = to.sources.as_ref().or(from.sources.as_ref());
    if to.sources.is_none() {
        d.problems = d.problems.into_iter().map(placeless).collect();
    }
    check_problems(ctx, &d, sources)?;
    let comment = not_compared_comment(&d);
    if !comment.is_empty() {
        outln!("{}", comment.trim_end());
    }
    if d.is_empty() {
        outln!("-- no changes");
        return Ok(Status::Success);
    }
    let form = if args.simple {
        Form::Simple
    } else {
        Form::Safe
    };
    let chain = steps(&d, &from.catalog, form);
    let several = chain.len() > 1;
    for (k, step) in chain.iter().enumerate() {
        if several {
            outln!("{}", revision_header(k, chain.len(), step));
        }
        outln!("{}", step.up.trim_end());
        if several && k + 1 < chain.len() {
            outln!();
        }
    }
    Ok(Status::Success)
}

/// The comment that starts the `k`th of `n` revisions in `retort diff`'s output, as
/// `revision --autogenerate` would write them: `-- revision 2 of 3 (transaction: false)`.
fn revision_header(k: usize, n: usize, step: &Step) -> String {
    let txn = match step.txn {
        Txn::Transactional => "",
        Txn::NonTransactional => " (transaction: false)",
    };
    format!("-- revision {} of {n}{txn}", k + 1)
}
