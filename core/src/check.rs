//! Checking a migration directory: every rule of "What fails the build", in one pass that
//! reports every problem — format, SQL, graph, and the schema model's semantic and
//! reversibility errors ([`crate::schema`]). The macro, `retort-build` and `retort check` all
//! call this.

use std::ops::Range;
use std::path::Path;

use crate::codes::Code;
use crate::diagnostic::{Diagnostic, render_all};
use crate::file::{Language, MigrationFile, Section, parse_file};
use crate::file_graph::FileGraph;
use crate::graph::GraphProblem;
use crate::lint::LintSettings;
use crate::load::{Entry, display_path, read_dir};
use crate::schema::{self, SchemaReport};
use crate::source::{FileId, Sources};
use crate::sql::lex::{self, Statement, UNCHECKED_MARKER};
use crate::sql::syntax::{StatementParse, check_statement_keeping};
use crate::sql::txn::{TxnNeed, classify};
use crate::verified::Verified;
use crate::{Checksum, Migration, MigrationParts, MigrationSet, Replaces, Revision};

/// What a directory may do that is otherwise an error, and the lints' settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Allow more than one head (unmerged branches).
    pub allow_multiple_heads: bool,
    /// Allow more than one root (independent histories).
    pub allow_multiple_roots: bool,
    /// Which lints run at which level, and what the runner does ([`crate::lint`]).
    pub lints: LintSettings,
}

/// The outcome of checking a directory: every file, every problem, and the order.
#[derive(Debug, Clone)]
pub struct Report {
    /// The text of every file read.
    pub sources: Sources,
    /// Every migration file, sorted by name.
    pub files: Vec<MigrationFile>,
    /// Every problem, errors and warnings: those of each file in file order (format, SQL and
    /// schema problems by their place in the file), then those of the graph.
    pub diagnostics: Vec<Diagnostic>,
    /// Indices into `files`, each after its parents; complete only when there are no errors.
    pub order: Vec<usize>,
    /// The revision graph over the files with complete headers, built once for the graph
    /// checks and the schema model.
    pub graph: FileGraph,
    /// What this check found clean, for [`check_dir_verified`] next time: the files whose
    /// SQL passed and the revisions whose down section passed (see [`crate::verified`]).
    pub verified: Verified,
    /// The schema model: the catalog after every revision and what it found (its
    /// diagnostics are in `diagnostics` too). Computed even when there are other errors.
    pub schema: SchemaReport,
}

/// One file's name and text, for [`check_texts`].
#[derive(Clone, Debug)]
pub struct Input {
    /// The file's name, such as `002_add_email.sql`.
    pub name: String,
    /// Its text.
    pub text: String,
}

/// Reads and checks the directory `dir`. `display_dir` is how messages name it (relative to
/// the crate root or the working directory, such as `migrations`).
///
/// Never fails: a missing directory or an unreadable file is a diagnostic like any other.
///
/// ```no_run
/// use retort_core::check::{check_dir, Options};
///
/// let report = check_dir("migrations".as_ref(), "migrations", &Options::default());
/// if report.has_errors() {
///     eprintln!("{}", report.render());
/// }
/// ```
pub fn check_dir(dir: &Path, display_dir: &str, options: &Options) -> Report {
    check_dir_verified(dir, display_dir, options, &Verified::new())
}

/// [`check_dir`], skipping the SQL checks of the files in `verified` and the down sections'
/// checks of the revisions in it (see [`crate::verified`]): for the build script, after its
/// previous run, and for the macro, after the build script has checked the same files.
pub fn check_dir_verified(
    dir: &Path,
    display_dir: &str,
    options: &Options,
    verified: &Verified,
) -> Report {
    check_dir_resumed(dir, display_dir, options, verified, None)
}

/// [`check_dir_verified`], starting the schema model's replay from a catalog the check
/// recorded in `resume` left (see [`crate::resume`]): at its head when the directory only
/// grew past it, or at the head's parent when only the head was edited; otherwise the same
/// as [`check_dir_verified`]. What it reports is
/// what [`check_dir`] reports. For the build script, after its previous run.
pub fn check_dir_resumed(
    dir: &Path,
    display_dir: &str,
    options: &Options,
    verified: &Verified,
    resume: Option<&crate::resume::Resume>,
) -> Report {
    let mut sources = Sources::new();
    let mut diagnostics = Vec::new();
    let entries = read_dir(dir, display_dir, &mut sources, &mut diagnostics);
    check_entries(
        sources,
        entries,
        diagnostics,
        options,
        Depth::Full(verified, resume),
    )
}

/// The checks of [`check_dir`] that do not read the SQL: every file's header and sections,
/// and the revision graph with `options`' flags; no SQL check, no schema model (the report's
/// [`Report::schema`] is empty), no lint. For the macro, when the build script's
/// [`crate::handoff::Handoff`] vouches for the rest of the same files.
pub fn check_dir_structure(dir: &Path, display_dir: &str, options: &Options) -> Report {
    let mut sources = Sources::new();
    let mut diagnostics = Vec::new();
    let entries = read_dir(dir, display_dir, &mut sources, &mut diagnostics);
    check_entries(sources, entries, diagnostics, options, Depth::Structure)
}

/// How much of the checks runs.
#[derive(Clone, Copy)]
enum Depth<'a> {
    /// Everything, skipping the SQL checks of the files in the set, and replaying the
    /// schema from the recorded head when the directory only grew past it.
    Full(&'a Verified, Option<&'a crate::resume::Resume>),
    /// The format and graph checks only ([`check_dir_structure`]).
    Structure,
}

/// Checks files given as text, as if they were the directory `display_dir` (for tests,
/// fuzzing and tools that hold the files in memory).
pub fn check_texts(inputs: &[Input], display_dir: &str, options: &Options) -> Report {
    let mut sources = Sources::new();
    let mut sorted: Vec<&Input> = inputs.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let entries = sorted
        .into_iter()
        .map(|i| Entry {
            name: i.name.clone(),
            file: sources.add(display_path(display_dir, &i.name), &i.text),
        })
        .collect();
    check_entries(
        sources,
        entries,
        Vec::new(),
        options,
        Depth::Full(&Verified::new(), None),
    )
}

fn check_entries(
    sources: Sources,
    entries: Vec<Entry>,
    mut diagnostics: Vec<Diagnostic>,
    options: &Options,
    depth: Depth,
) -> Report {
    // Each file on its own, on as many threads as there are cores: the format and SQL
    // checks, and the parse trees the schema model replays (those of a file whose SQL passed
    // before are made below, while the model replays).
    let checked = parallel_map(&entries, |entry| {
        let src = sources.get(entry.file);
        let mut diags = Vec::new();
        let mut parses = Vec::new();
        let parsed = parse_file(entry.file, src, &entry.name, &mut diags);
        let sections = [&parsed.up, &parsed.down];
        let verified = match depth {
            Depth::Full(verified, _) => verified,
            Depth::Structure => return (parsed, diags, false, parses, None, false),
        };
        let digest = Verified::digest(src.text());
        let hit = verified.contains_digest(&digest);
        let clean = if !hit {
            let before = diags.iter().filter(|d| d.is_error()).count();
            for section in sections.into_iter().flatten() {
                check_section(
                    entry.file,
                    src.text(),
                    section,
                    // An invalid `transaction` value is reported; judge no statement by a guess.
                    parsed.transactional.unwrap_or(false),
                    &mut parses,
                    &mut diags,
                );
            }
            // The SQL verdict depends on the text alone (the header's `transaction`
            // included), so a file whose sections added no error can be skipped next time.
            diags.iter().filter(|d| d.is_error()).count() == before
        } else {
            true
        };
        let up_to_parse = hit && parsed.up.is_some();
        (parsed, diags, clean, parses, Some(digest), up_to_parse)
    });
    let mut files = Vec::with_capacity(entries.len());
    let mut clean_now = Verified::new();
    // Each file's digest, by index into `files` (none in `Depth::Structure`).
    let mut digests: Vec<Option<crate::verified::Digest>> = Vec::with_capacity(entries.len());
    // The statements parsed without error, for the schema model to replay.
    let mut parses = schema::Parses::new();
    // Each file's diagnostics, by index into `entries`.
    let mut per_file: Vec<Vec<Diagnostic>> = Vec::with_capacity(entries.len());
    // The files whose up section is parsed while the model replays, by index into `files`.
    let mut up_to_parse = Vec::with_capacity(entries.len());
    for (parsed, diags, clean, file_parses, digest, to_parse) in checked {
        up_to_parse.push(to_parse);
        if let (true, Some(d)) = (clean, digest) {
            clean_now.insert_digest(d);
        }
        digests.push(digest);
        parses.extend(file_parses);
        per_file.push(diags);
        files.push(parsed);
    }
    let graph = FileGraph::of(&files);
    let mut graph_diags = Vec::new();
    check_graph(&sources, &files, &graph, options, &mut graph_diags);
    let Depth::Full(previous, resume) = depth else {
        for diags in per_file {
            diagnostics.extend(diags);
        }
        diagnostics.append(&mut graph_diags);
        return Report {
            order: graph.file_order(),
            sources,
            files,
            diagnostics,
            verified: clean_now,
            schema: SchemaReport::default(),
            graph,
        };
    };
    // The schema model runs whatever else is wrong: what it cannot know it leaves unknown.
    let lineage = schema::lineages(&graph, &digests, files.len());
    let lineages = schema::Lineages {
        of: &lineage,
        passed_before: Some(previous),
    };
    let start = resume.and_then(|r| r.start(&sources, &files, &graph, &lineage, options));
    if let Some(start) = &start {
        // Not replayed: not parsed either.
        for (parse, done) in up_to_parse.iter_mut().zip(&start.done) {
            *parse &= !done;
        }
    }
    let schema = if up_to_parse.contains(&true) {
        // The up sections of the files whose SQL passed before are parsed on another thread,
        // in the order of the replay, while the replay runs: it waits for a file's trees only
        // if it gets ahead. Their down sections are parsed by the replay if it needs them (a
        // down section is replayed only when its revision's lineage did not pass before, see
        // `crate::verified`): the same trees, as the statements passed.
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::scope(|scope| {
            let (sources, files, graph) = (&sources, &files, &graph);
            let waiting = up_to_parse.clone();
            scope.spawn(move || {
                for &node in graph.graph.order() {
                    let i = graph.members[node];
                    let (true, Some(up)) = (up_to_parse[i], &files[i].up) else {
                        continue;
                    };
                    let mut trees = Vec::new();
                    let file = files[i].file;
                    parse_verified(file, sources.get(file).text(), up, &mut trees);
                    if send.send((i, trees)).is_err() {
                        return;
                    }
                }
            });
            let mut feed = schema::Feed::new(&receive, waiting);
            schema::analyze_with(
                sources,
                files,
                graph,
                &options.lints,
                schema::Known {
                    parses: &mut parses,
                    lineages,
                    feed: Some(&mut feed),
                    resume: start,
                },
            )
        })
    } else {
        schema::analyze_with(
            &sources,
            &files,
            &graph,
            &options.lints,
            schema::Known {
                parses: &mut parses,
                lineages,
                feed: None,
                resume: start,
            },
        )
    };
    for lineage in &schema.downs_passed {
        clean_now.insert_down(*lineage);
    }
    let slot: std::collections::HashMap<FileId, usize> = entries
        .iter()
        .enumerate()
        .map(|(k, e)| (e.file, k))
        .collect();
    let mut checkpoint_diags = Vec::new();
    crate::squash::check(&files, &graph, &schema, &mut checkpoint_diags);
    check_environments(&files, &graph, &schema, &mut checkpoint_diags);
    for d in schema.diagnostics.iter().chain(&checkpoint_diags) {
        match d.span.as_ref().and_then(|s| slot.get(&s.file)) {
            Some(&k) => per_file[k].push(d.clone()),
            None => graph_diags.push(d.clone()),
        }
    }
    for mut diags in per_file {
        // In the order of the file, whichever check found them.
        diags.sort_by_key(|d| d.span.as_ref().map_or(0, |s| s.range.start));
        diagnostics.append(&mut diags);
    }
    diagnostics.append(&mut graph_diags);
    Report {
        order: graph.file_order(),
        sources,
        files,
        diagnostics,
        verified: clean_now,
        schema,
        graph,
    }
}

/// `f` over `items`, in order, on up to one thread per core (one thread for a few items).
/// A panic in `f` goes on in the caller's thread.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    /// Fewer items than this per thread are not worth a thread.
    const MIN_PER_THREAD: usize = 32;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len() / MIN_PER_THREAD)
        .max(1);
    if threads == 1 {
        return items.iter().map(f).collect();
    }
    let per_thread = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(per_thread)
            .map(|chunk| scope.spawn(move || chunk.iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// The parse trees of a section of a file whose SQL is known to pass (see
/// [`check_dir_verified`]), for the schema model: statements exempted by
/// `retort:unchecked` are left for it to parse and judge.
fn parse_verified(
    file: FileId,
    text: &str,
    section: &Section,
    parses: &mut Vec<((FileId, usize), StatementParse)>,
) {
    let base = section.body.start;
    let body = &text[section.body.clone()];
    let toks = lex::tokenize(body);
    if toks.iter().any(|t| t.unterminated) {
        return;
    }
    for stmt in lex::split_tokens(body, &toks) {
        if stmt.unchecked.is_some() {
            continue;
        }
        let abs = base + stmt.range.start..base + stmt.range.end;
        // The check passed, so the parser finds no error: no need to ask it for them.
        let sql = &text[abs.clone()];
        if let Ok(parse) = std::panic::catch_unwind(|| squawk_syntax::SourceFile::parse(sql)) {
            parses.push(((file, abs.start), parse));
        }
    }
}

/// Checks every statement of a section: syntax and transaction rules. The statements that
/// parse go into `parses`, for the schema model.
pub(crate) fn check_section(
    file: FileId,
    text: &str,
    section: &Section,
    transactional: bool,
    parses: &mut Vec<((FileId, usize), StatementParse)>,
    diags: &mut Vec<Diagnostic>,
) {
    let base = section.body.start;
    let body = &text[section.body.clone()];
    let toks = lex::tokenize(body);
    for tok in toks.iter().filter(|t| t.unterminated) {
        let what = match tok.kind {
            lex::TokKind::BlockComment => "block comment `/* …`",
            lex::TokKind::QuotedIdent => "quoted identifier `\"…`",
            _ if body[tok.range.clone()].starts_with('$') => "dollar-quoted string",
            _ => "string literal",
        };
        let start = base + tok.range.start;
        let open_len = opening_len(&body[tok.range.clone()]);
        diags.push(
            Diagnostic::error(Code::SqlUnterminated, format!("unterminated {what}"))
                .at(file, start..start + open_len, "starts here and runs to the end of the section")
                .with_help("close it; the section ends at the next `-- migrate:` marker or the end of the file"),
        );
    }
    if toks.iter().any(|t| t.unterminated) {
        return;
    }
    for stmt in lex::split_tokens(body, &toks) {
        let abs = base + stmt.range.start..base + stmt.range.end;
        let stmt_toks = &toks[toks.partition_point(|t| t.range.start < stmt.range.start)
            ..toks.partition_point(|t| t.range.start < stmt.range.end)];
        check_statement_rules(
            file,
            text,
            base,
            &stmt,
            abs,
            stmt_toks,
            body,
            transactional,
            parses,
            diags,
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn check_statement_rules(
    file: FileId,
    text: &str,
    base: usize,
    stmt: &Statement,
    abs: Range<usize>,
    toks: &[lex::Tok],
    body: &str,
    transactional: bool,
    parses: &mut Vec<((FileId, usize), StatementParse)>,
    diags: &mut Vec<Diagnostic>,
) {
    let first_line_end = text[abs.clone()]
        .find('\n')
        .map_or(abs.end, |i| abs.start + i);
    match &stmt.unchecked {
        Some((reason, marker)) if reason.is_empty() => diags.push(
            Diagnostic::error(
                Code::SqlUncheckedNoReason,
                format!("`{UNCHECKED_MARKER}` needs a reason"),
            )
            .at(
                file,
                base + marker.start..base + marker.end,
                "no reason given",
            )
            .with_help(format!(
                "say why the statement is exempt: `-- {UNCHECKED_MARKER} <why>`"
            )),
        ),
        Some((reason, _)) => diags.push(
            Diagnostic::warning(
                Code::SqlUnchecked,
                format!("statement not syntax-checked: {reason}"),
            )
            .at(
                file,
                abs.start..first_line_end,
                "exempted by `retort:unchecked`",
            ),
        ),
        None => {
            let (error, parse) = check_statement_keeping(&text[abs.clone()]);
            if let Some(parse) = parse {
                parses.push(((file, abs.start), parse));
            }
            if let Some(err) = error {
                let at = abs.start + err.range.start;
                let end = (abs.start + err.range.end).max(at);
                diags.push(syntax_diagnostic(file, text, at..end, &err.message));
                // One syntax error per statement; the transaction rules need a good parse.
                return;
            }
        }
    }
    if transactional && let Some(need) = classify(body, toks) {
        let span = abs.start..first_line_end;
        diags.push(match need {
            TxnNeed::OutsideOnly(what) => Diagnostic::error(
                Code::TxnNotAllowed,
                format!("`{what}` cannot run inside a transaction block"),
            )
            .at(file, span, "PostgreSQL refuses this in a transaction")
            .with_help(
                "add `-- transaction: false` to the header (the statements then run one by one, \
                 outside a transaction), or move this statement into a migration of its own that \
                 has it",
            ),
            TxnNeed::Control(what) => Diagnostic::error(
                Code::TxnControl,
                format!("`{what}` inside a transactional migration"),
            )
            .at(
                file,
                span,
                "retort already runs this migration in a transaction",
            )
            .with_help(
                "remove it: each migration is applied in a transaction of its own; to manage \
                 transactions yourself, add `-- transaction: false` to the header",
            ),
        });
    }
}

/// The length of the opening delimiter of an unterminated token: `'`, `E'`, `"`, `/*`, `$tag$`.
fn opening_len(tok: &str) -> usize {
    if let Some(rest) = tok.strip_prefix('$') {
        return rest.find('$').map_or(1, |i| i + 2);
    }
    if tok.starts_with("/*") {
        return 2;
    }
    tok.find(['\'', '"']).map_or(1, |i| i + 1)
}

/// A syntax error with a hint where one is likely: a `;` missing at the end of a line.
fn syntax_diagnostic(file: FileId, text: &str, span: Range<usize>, message: &str) -> Diagnostic {
    let at = span.start;
    let mut chars = message.chars();
    let message: String = match (chars.next(), chars.next()) {
        // A proper name stays as it is: `PostgreSQL has no statement …`.
        (Some(first), Some(second))
            if second.is_lowercase() && !message.starts_with("PostgreSQL") =>
        {
            first
                .to_lowercase()
                .chain(message[first.len_utf8()..].chars())
                .collect()
        }
        _ => message.to_owned(),
    };
    let d = Diagnostic::error(Code::SqlSyntax, format!("SQL syntax error: {message}"));
    // Point at something visible: the rest of the line is empty when the error is at its end.
    let line_rest = &text[at..text[at..].find('\n').map_or(text.len(), |i| at + i)];
    let next_line = line_rest
        .is_empty()
        .then(|| text[at..].trim_start())
        .filter(|rest| {
            let word: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphabetic())
                .collect::<String>()
                .to_ascii_lowercase();
            STATEMENT_STARTS.contains(&word.as_str())
        });
    if next_line.is_some() {
        // The parser's own words ("missing comma") would mislead here: the statement simply
        // runs on into the next line's statement.
        return Diagnostic::error(
            Code::SqlSyntax,
            "SQL syntax error: missing `;` at the end of the statement",
        )
        .at(file, span, "expected `;` here")
        .with_help("end the statement with `;`: the next line starts a new statement");
    }
    let label = if span.is_empty() {
        "here"
    } else {
        "unexpected"
    };
    d.at(file, span, label).with_help(format!(
        "fix the statement. If PostgreSQL accepts it and retort does not, put \
         `-- {UNCHECKED_MARKER} <why>` on the line before it and report the gap"
    ))
}

/// Words that start a statement, for the missing-`;` hint.
const STATEMENT_STARTS: &[&str] = &[
    "alter", "analyze", "call", "comment", "create", "delete", "do", "drop", "grant", "insert",
    "refresh", "reindex", "revoke", "select", "set", "truncate", "update", "vacuum", "with",
];

/// Builds the graph of the files whose header is complete and reports its problems.
/// Returns the order (indices into `files`).
fn check_graph(
    sources: &Sources,
    files: &[MigrationFile],
    fg: &FileGraph,
    options: &Options,
    diags: &mut Vec<Diagnostic>,
) {
    let FileGraph {
        graph,
        members,
        nodes,
        problems,
        incomplete,
        ..
    } = fg;
    // Revisions of files left out for a broken header still count as existing.
    let known_elsewhere = |rev: &Revision| {
        files.iter().any(|f| {
            f.down_revisions.is_none() && f.revision.as_ref().is_some_and(|r| r.value == *rev)
        })
    };
    // Ids that differ only in case: on a case-insensitive file system (macOS, Windows) their
    // files can overwrite each other, and people read them as one.
    let mut by_folded: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (k, (rev, _)) in nodes.iter().enumerate() {
        let folded = rev.as_str().to_ascii_lowercase();
        match by_folded.get(&folded) {
            Some(&first) if nodes[first].0 != *rev => {
                let f1 = &files[members[first]];
                let f2 = &files[members[k]];
                let span =
                    |f: &MigrationFile| f.revision.as_ref().map_or(0..0, |r| r.range.clone());
                diags.push(
                    Diagnostic::error(
                        Code::GraphCaseCollision,
                        format!(
                            "revisions `{}` and `{rev}` differ only in case",
                            nodes[first].0
                        ),
                    )
                    .at(f2.file, span(f2), "this one")
                    .with_secondary(f1.file, span(f1), "and this one")
                    .with_help(
                        "give one of them another id: on a case-insensitive file system their \
                         files collide, and people read them as the same revision",
                    ),
                );
            }
            Some(_) => {}
            None => {
                by_folded.insert(folded, k);
            }
        }
    }
    // A dangling parent makes a false root, a cycle false heads: judge the counts only on a
    // graph without either.
    let incomplete = *incomplete
        || problems.iter().any(|p| {
            matches!(
                p,
                GraphProblem::Dangling { .. }
                    | GraphProblem::Cycle(_)
                    | GraphProblem::Duplicate { .. }
            )
        });
    let file_of = |node: usize| &files[members[node]];
    let rev_span = |node: usize| {
        let f = file_of(node);
        let r = f.revision.as_ref().map_or(0..0, |r| r.range.clone());
        (f.file, r)
    };
    let parent_span = |node: usize, k: usize| {
        let f = file_of(node);
        (
            f.file,
            f.down_revisions
                .as_ref()
                .map_or(0..0, |p| p[k].range.clone()),
        )
    };
    let path = |node: usize| sources.get(file_of(node).file).path().to_owned();
    let rev = |node: usize| graph.nodes()[node].revision.to_string();

    // Separate histories have separate heads: once several roots are an error, several heads
    // are its echo.
    let mut roots_reported = false;
    for problem in problems.iter().cloned() {
        match problem {
            GraphProblem::Duplicate { first, second } => {
                let (f2, r2) = rev_span(second);
                let (f1, r1) = rev_span(first);
                diags.push(
                    Diagnostic::error(
                        Code::GraphDuplicateRevision,
                        format!("revision `{}` is declared by two files", rev(first)),
                    )
                    .at(f2, r2, "declared again here")
                    .with_secondary(f1, r1, "first declared here")
                    .with_help(
                        "give one of them a new id (and rename its file), then point its \
                             children's `down_revision` at the new id",
                    ),
                );
            }
            GraphProblem::Dangling { node, parent } => {
                let missing = &nodes[node].1[parent];
                if known_elsewhere(missing) {
                    continue;
                }
                let (file, span) = parent_span(node, parent);
                let heads: Vec<String> = graph
                    .heads()
                    .into_iter()
                    .filter(|&h| h != node)
                    .map(|h| format!("`{}`", rev(h)))
                    .collect();
                let help = match heads.as_slice() {
                    [] => "name an existing revision, or `none` if this is the first migration"
                        .to_owned(),
                    [one] => format!(
                        "name an existing revision (a new migration usually follows the head, \
                         {one}), or `none` if this is the first migration"
                    ),
                    many => format!(
                        "name an existing revision (the heads are {}), or `none` if this is the \
                         first migration",
                        many.join(", ")
                    ),
                };
                diags.push(
                    Diagnostic::error(
                        Code::GraphMissingParent,
                        format!("`down_revision` names `{missing}`, which no migration declares"),
                    )
                    .at(file, span, "no such revision")
                    .with_help(help),
                );
            }
            GraphProblem::RepeatedParent { node, parent } => {
                let (file, span) = parent_span(node, parent);
                diags.push(
                    Diagnostic::error(
                        Code::GraphRepeatedParent,
                        format!("`down_revision` lists `{}` twice", nodes[node].1[parent]),
                    )
                    .at(file, span, "listed again here")
                    .with_help("list each parent once"),
                );
            }
            GraphProblem::Cycle(cycle) => {
                let first = cycle[0];
                if cycle.len() == 1 {
                    let f = file_of(first);
                    let k = nodes[first]
                        .1
                        .iter()
                        .position(|p| *p == nodes[first].0)
                        .unwrap_or(0);
                    let (file, span) = parent_span(first, k);
                    diags.push(
                        Diagnostic::error(
                            Code::GraphCycle,
                            format!(
                                "revision `{}` names itself as its `down_revision`",
                                rev(first)
                            ),
                        )
                        .at(file, span, "a revision cannot follow itself")
                        .with_help(format!(
                            "name the revision that `{}` follows, or `none` if it is the first",
                            f.revision
                                .as_ref()
                                .map_or(String::new(), |r| r.value.to_string())
                        )),
                    );
                    continue;
                }
                let names: Vec<String> = cycle.iter().map(|&n| format!("`{}`", rev(n))).collect();
                // Edge from cycle[i] (parent) to cycle[i+1] (child): point at the child's
                // down_revision entry naming the parent.
                let edge = |i: usize| {
                    let child = cycle[(i + 1) % cycle.len()];
                    let parent_rev = &nodes[cycle[i]].0;
                    let k = nodes[child]
                        .1
                        .iter()
                        .position(|p| p == parent_rev)
                        .unwrap_or(0);
                    (child, parent_span(child, k))
                };
                let (c0, (file, span)) = edge(cycle.len() - 1);
                let mut d = Diagnostic::error(
                    Code::GraphCycle,
                    format!(
                        "revisions form a cycle: {} → {}",
                        names.join(" → "),
                        names[0]
                    ),
                )
                .at(
                    file,
                    span,
                    format!("`{}` follows `{}`", rev(c0), rev(cycle[cycle.len() - 1])),
                );
                for (i, &parent) in cycle.iter().enumerate().take(cycle.len() - 1) {
                    let (c, (file, span)) = edge(i);
                    d = d.with_secondary(
                        file,
                        span,
                        format!("`{}` follows `{}`", rev(c), rev(parent)),
                    );
                }
                diags.push(d.with_help(
                    "each `down_revision` must name an older revision; one of these points the \
                     wrong way",
                ));
            }
            GraphProblem::MultipleRoots(roots) if !options.allow_multiple_roots && !incomplete => {
                roots_reported = true;
                let list: Vec<String> = roots
                    .iter()
                    .map(|&n| format!("`{}` ({})", rev(n), path(n)))
                    .collect();
                let (f0, s0) = parent_span_none(files, members[roots[1]]);
                let mut d = Diagnostic::error(
                    Code::GraphMultipleRoots,
                    format!(
                        "{} revisions have `down_revision: none`: {}",
                        roots.len(),
                        list.join(", ")
                    ),
                )
                .at(f0, s0, "another first migration");
                for &r in roots.iter().filter(|&&r| r != roots[1]) {
                    let (f, s) = parent_span_none(files, members[r]);
                    d = d.with_secondary(f, s, format!("`{}` is a first migration too", rev(r)));
                }
                diags.push(d.with_help(
                    "a history has one first migration: set each other one's `down_revision` to \
                     the revision it follows. Independent histories are allowed by \
                     `allow_multiple_roots` in `retort::migrations!(\"…\", allow_multiple_roots)` \
                     (`--allow-multiple-roots` for `retort check`)",
                ));
            }
            GraphProblem::MultipleHeads(heads)
                if !options.allow_multiple_heads && !incomplete && !roots_reported =>
            {
                // Where they branch from: heads × revisions of work, so only for a number of
                // heads a person reads.
                let bases = if heads.len() <= 32 {
                    graph.merge_bases(&heads)
                } else {
                    Vec::new()
                };
                let list: Vec<String> = heads.iter().map(|&n| format!("`{}`", rev(n))).collect();
                let from = match bases.as_slice() {
                    [] => "with no common ancestor".to_owned(),
                    [b] => format!("branching from `{}`", rev(*b)),
                    bs => format!(
                        "branching from {}",
                        bs.iter()
                            .map(|&b| format!("`{}`", rev(b)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                let (f0, s0) = rev_span(heads[0]);
                let mut d = Diagnostic::error(
                    Code::GraphMultipleHeads,
                    format!("{} heads: {} ({from})", heads.len(), list.join(", ")),
                )
                .at(f0, s0, "a head");
                for &h in &heads[1..] {
                    let (f, s) = rev_span(h);
                    d = d.with_secondary(f, s, "another head");
                }
                for &b in &bases {
                    let (f, s) = rev_span(b);
                    d = d.with_secondary(f, s, "they branch from here");
                }
                for &h in &heads {
                    d = d.with_note(format!("head `{}` is {}", rev(h), path(h)));
                }
                diags.push(d.with_help(format!(
                    "merge them: `retort merge -m \"merge heads\"` writes a revision with \
                     `down_revision: {}`; or allow unmerged heads with `allow_multiple_heads` in \
                     `retort::migrations!(\"…\", allow_multiple_heads)` (`--allow-multiple-heads` \
                     for `retort check`)",
                    heads.iter().map(|&h| rev(h)).collect::<Vec<_>>().join(", ")
                )));
            }
            GraphProblem::MultipleRoots(_) | GraphProblem::MultipleHeads(_) => {}
        }
    }
}

/// A migration limited to some environments (`environments:`) must not change the schema:
/// the environments would otherwise diverge. The schema model compares its catalog with its
/// parent's; a root, a merge or an unknown catalog is not judged.
fn check_environments(
    files: &[MigrationFile],
    graph: &FileGraph,
    schema: &SchemaReport,
    diags: &mut Vec<Diagnostic>,
) {
    for (node, &i) in graph.members.iter().enumerate() {
        let f = &files[i];
        let Some(envs) = &f.environments else {
            continue;
        };
        let [parent] = graph.nodes[node].1.as_slice() else {
            continue;
        };
        let Some(p) = graph.nodes.iter().position(|(r, _)| r == parent) else {
            continue;
        };
        let (Some(Some(after)), Some(Some(before))) = (
            schema.catalogs.get(i),
            schema.catalogs.get(graph.members[p]),
        ) else {
            continue;
        };
        if before.all_unknown() || after.all_unknown() || before.same_as(after) {
            continue;
        }
        diags.push(
            Diagnostic::error(
                Code::SchemaEnvironmentChangesSchema,
                format!(
                    "a migration limited to {} changes the schema",
                    envs.value
                        .iter()
                        .map(|e| format!("`{e}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .at(f.file, envs.range.clone(), "limited to these environments")
            .with_note(
                "where it is skipped the schema would differ, and every later migration and \
                 the typed schema assume one schema",
            )
            .with_help(
                "keep environment-limited migrations to data (seed rows, fixtures); move the \
                 schema change to a migration that runs everywhere",
            ),
        );
    }
}

/// The span of a root file's `down_revision: none`, where the messages about roots point.
fn parent_span_none(files: &[MigrationFile], i: usize) -> (FileId, Range<usize>) {
    let f = &files[i];
    (f.file, f.down_revision_value.clone().unwrap_or(0..0))
}

impl Report {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The errors.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }

    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| !d.is_error())
    }

    /// Every diagnostic rendered, as rustc would print them.
    pub fn render(&self) -> String {
        render_all(&self.diagnostics, &self.sources)
    }

    /// The migrations, each after its parents; `None` when there are errors.
    pub fn to_set(&self) -> Option<MigrationSet> {
        if self.has_errors() {
            return None;
        }
        // Each checksum is a SHA-256 of the up section's tokens: on every core.
        let migrations = parallel_map(&self.order, |&i| self.migration(i))
            .into_iter()
            .collect::<Option<Vec<_>>>()?;
        MigrationSet::from_ordered(migrations).ok()
    }

    /// The migration of `files[i]`, if its header is complete.
    fn migration(&self, i: usize) -> Option<Migration> {
        let f = &self.files[i];
        let src = self.sources.get(f.file);
        let text = src.text();
        let section =
            |s: &Option<Section>| s.as_ref().map(|s| text[s.body.clone()].trim().to_owned());
        let line = |s: &Option<Section>| {
            s.as_ref().map_or(0, |s| {
                let trimmed = text[s.body.clone()].len() - text[s.body.clone()].trim_start().len();
                src.line_col(s.body.start + trimmed).0 as u32
            })
        };
        // The parents as the graph resolved them: a child of a deleted range follows its
        // checkpoint.
        let node = self.graph.node_of(i)?;
        let m = Migration::new(MigrationParts {
            revision: f.revision.as_ref()?.value.clone(),
            down_revisions: self.graph.nodes[node].1.clone(),
            message: f.message.clone(),
            up_sql: section(&f.up).unwrap_or_default(),
            down_sql: if f.irreversible.is_some() {
                None
            } else {
                Some(section(&f.down).unwrap_or_default())
            },
            irreversible: f.irreversible.clone(),
            transactional: f.transactional?,
            path: src.path().to_owned(),
            up_line: line(&f.up),
            down_line: line(&f.down),
            environments: f
                .environments
                .as_ref()
                .map(|e| e.value.clone())
                .unwrap_or_default(),
        });
        let m = match &f.language {
            // No SQL: `down_sql` is empty where a `pub fn down` reverts it, `None` where
            // the header says it is irreversible.
            Language::Rust(_) => m.into_rust(Checksum::of_rust(text)),
            Language::Sql => m,
        };
        Some(match &f.replaces {
            Some(r) => m.with_replaces(Replaces {
                first: r.value.0.clone(),
                last: r.value.1.clone(),
            }),
            None => m,
        })
    }
}

/// Migration files for the crate's unit tests.
#[cfg(test)]
pub(crate) mod test_inputs {
    use super::Input;

    /// `<rev>_m.sql`: revision `rev` after `parent`, with an up and a down section.
    pub(crate) fn reversible(rev: &str, parent: &str, up: &str, down: &str) -> Input {
        Input {
            name: format!("{rev}_m.sql"),
            text: format!(
                "-- revision: {rev}\n-- down_revision: {parent}\n\n-- migrate:up\n{up}\n\n-- migrate:down\n{down}\n"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_inputs::reversible;
    use super::*;

    fn file(rev: &str, parent: &str, up: &str) -> Input {
        reversible(rev, parent, up, "")
    }

    fn messages(inputs: &[Input]) -> Vec<String> {
        located(&check_texts(inputs, "migrations", &Options::default()))
    }

    /// Every diagnostic of `report` as `message @ file:line:col`.
    fn located(report: &Report) -> Vec<String> {
        report
            .diagnostics
            .iter()
            .map(|d| {
                format!(
                    "{} @ {}",
                    d.message,
                    d.location(&report.sources).unwrap_or_default()
                )
            })
            .collect()
    }

    #[test]
    fn a_dangling_parent_is_not_also_a_second_root() {
        let m = messages(&[file("1", "none", "SELECT 1;"), file("2", "9", "SELECT 1;")]);
        assert_eq!(
            m,
            vec![
                "`down_revision` names `9`, which no migration declares @ migrations/2_m.sql:2:19"
            ]
        );
    }

    #[test]
    fn two_heads_name_the_fork_and_suggest_merge() {
        let report = check_texts(
            &[
                file("1", "none", ""),
                file("2", "1", ""),
                file("3", "2", ""),
                file("4", "2", ""),
            ],
            "migrations",
            &Options::default(),
        );
        let text = report.render();
        assert!(
            text.contains("error[graph-multiple-heads]: 2 heads: `3`, `4` (branching from `2`)"),
            "{text}"
        );
        assert!(text.contains("retort merge"), "{text}");
        let allowed = check_texts(
            &[
                file("1", "none", ""),
                file("2", "1", ""),
                file("3", "1", ""),
            ],
            "migrations",
            &Options {
                allow_multiple_heads: true,
                ..Options::default()
            },
        );
        assert!(!allowed.has_errors(), "{}", allowed.render());
    }

    #[test]
    fn a_clean_directory_yields_the_set_in_parent_first_order() {
        let report = check_texts(
            &[
                file("3", "1, 2", ""),
                reversible("1", "none", "CREATE TABLE a ();", "DROP TABLE a;"),
                reversible("2", "1", "CREATE TABLE b ();", "DROP TABLE b;"),
            ],
            "migrations",
            &Options::default(),
        );
        let set = report.to_set().expect("clean");
        let order: Vec<&str> = set.iter().map(|m| m.revision().as_str()).collect();
        assert_eq!(order, vec!["1", "2", "3"]);
        assert_eq!(set.get("2").unwrap().up_sql(), "CREATE TABLE b ();");
        assert_eq!(set.get("2").unwrap().up_line(), 5);
    }

    /// Checks `inputs` as a directory, with what a previous check left.
    fn check_again(inputs: &[Input], previous: &Verified, tag: &str) -> Report {
        let dir = std::env::temp_dir().join(format!("retort-downs-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for i in inputs {
            std::fs::write(dir.join(&i.name), &i.text).unwrap();
        }
        let report = check_dir_verified(&dir, "migrations", &Options::default(), previous);
        let _ = std::fs::remove_dir_all(&dir);
        report
    }

    /// Down sections checked now, and not replayed as they passed before.
    fn down_counts(report: &Report) -> (usize, usize) {
        let stats = &report.schema.stats;
        (stats.downs_checked, stats.downs_passed_before)
    }

    #[test]
    fn down_sections_that_passed_after_the_same_ancestors_are_not_replayed() {
        let mut chain = vec![
            reversible("1", "none", "CREATE TABLE a (id int);", "DROP TABLE a;"),
            reversible(
                "2",
                "1",
                "ALTER TABLE a ADD b int;",
                "ALTER TABLE a DROP b;",
            ),
            reversible("3", "2", "CREATE INDEX i ON a (b);", "DROP INDEX i;"),
        ];
        let first = check_texts(&chain, "migrations", &Options::default());
        assert!(!first.has_errors(), "{}", first.render());
        assert_eq!(first.schema.stats.downs_checked, 3);
        assert_eq!(first.verified.downs_len(), 3);

        // The same files: no down section replayed, all still recorded.
        let again = check_again(&chain, &first.verified, "same");
        assert_eq!(down_counts(&again), (0, 3));
        assert_eq!(again.verified, first.verified);

        // A new revision at the head: only its own down section is checked, and a wrong one
        // is an error as ever, and is not recorded.
        chain.push(reversible(
            "4",
            "3",
            "ALTER TABLE a ADD c int;",
            "SELECT 1;",
        ));
        let added = check_again(&chain, &first.verified, "added");
        assert_eq!(down_counts(&added), (1, 3));
        assert!(added.has_errors(), "the down of 4 leaves `c`");
        assert_eq!(added.verified.downs_len(), 3);
        let still = check_again(&chain, &added.verified, "still");
        assert_eq!(located(&still), located(&added));

        // An edited ancestor changes every lineage below it: all are checked again.
        chain.pop();
        chain[0] = reversible(
            "1",
            "none",
            "CREATE TABLE a (id int, note text);",
            "DROP TABLE a;",
        );
        let edited = check_again(&chain, &first.verified, "edited");
        assert_eq!(down_counts(&edited), (3, 0));
        assert!(!edited.has_errors(), "{}", edited.render());

        // What an edited ancestor breaks in a down section that passed before is found,
        // though that file's SQL is verified (its down section parsed by the replay).
        chain[0] = reversible("1", "none", "CREATE TABLE a (id int);", "DROP TABLE a;");
        chain[1] = reversible(
            "2",
            "1",
            "ALTER TABLE a ADD b int;",
            "ALTER TABLE a DROP b, DROP IF EXISTS note;",
        );
        let base = check_texts(&chain, "migrations", &Options::default());
        assert!(!base.has_errors(), "{}", base.render());
        chain[0] = reversible(
            "1",
            "none",
            "CREATE TABLE a (id int, note text);",
            "DROP TABLE a;",
        );
        let broken = check_again(&chain, &base.verified, "broken");
        assert!(broken.verified.contains(&chain[1].text));
        assert!(
            located(&broken)
                .iter()
                .any(|m| m.contains("@ migrations/2_m.sql")),
            "{:?}",
            located(&broken)
        );
    }

    #[test]
    fn verified_files_skip_only_the_sql_checks() {
        let good = reversible("1", "none", "CREATE TABLE a ();", "DROP TABLE a;");
        let bad_sql = file("2", "1", "CREATE TABEL b ();");
        let inputs = [good.clone(), bad_sql.clone()];
        let first = check_texts(&inputs, "migrations", &Options::default());
        // Only the file whose SQL passed is recorded.
        assert_eq!(first.verified.len(), 1);
        assert!(first.verified.contains(&good.text));
        assert!(!first.verified.contains(&bad_sql.text));

        // A digest of the bad file (as if a build script had been fooled) skips its SQL
        // check: the proof that the skip happens. Format and graph checks still run.
        let mut verified = Verified::new();
        verified.insert(&bad_sql.text);
        let dir = std::env::temp_dir().join(format!("retort-verified-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for i in &inputs {
            std::fs::write(dir.join(&i.name), &i.text).unwrap();
        }
        std::fs::write(
            dir.join("3_m.sql"),
            "-- revision: 3\n-- down_revision: 7\n-- migrate:up\n-- migrate:down\n",
        )
        .unwrap();
        let skipped = check_dir_verified(&dir, "migrations", &Options::default(), &verified);
        let _ = std::fs::remove_dir_all(&dir);
        let messages: Vec<&str> = skipped
            .diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(
            messages,
            vec!["`down_revision` names `7`, which no migration declares"]
        );
    }

    #[test]
    fn schema_errors_join_the_report_in_file_order() {
        let inputs = [
            reversible("1", "none", "CREATE TABLE t (a int);", "DROP TABLE t;"),
            // A syntax error, then a semantic error and a reversibility error below it.
            reversible(
                "2",
                "1",
                "CREATE TABEL x ();\nALTER TABLE t ADD COLUMN a int;\nCREATE INDEX t_a ON t (a);",
                "",
            ),
            reversible("3", "2", "ALTER TABLE nope ADD COLUMN b int;", ""),
        ];
        let no_lints = Options {
            lints: LintSettings::off(),
            ..Options::default()
        };
        let report = check_texts(&inputs, "migrations", &no_lints);
        let m = located(&report);
        // From the statement that does not parse on, the schema is unknown: no schema error
        // about 2 or 3, only the syntax error.
        assert_eq!(m.len(), 1, "{m:#?}");
        assert_eq!(
            m[0],
            "SQL syntax error: PostgreSQL has no statement that starts `CREATE TABEL` @ migrations/2_m.sql:5:1"
        );
        assert_eq!(report.schema.diagnostics.len(), 0, "{m:#?}");
        let clean_but_wrong = [
            reversible("1", "none", "CREATE TABLE t (a int);", "DROP TABLE t;"),
            reversible("2", "1", "CREATE INDEX t_a ON t (a);", ""),
            reversible("3", "2", "ALTER TABLE nope ADD COLUMN b int;", ""),
        ];
        let report = check_texts(&clean_but_wrong, "migrations", &no_lints);
        let m = located(&report);
        assert_eq!(m.len(), 2, "{m:#?}");
        assert!(
            m[0].starts_with("the down section of `2` leaves index `t_a`"),
            "{m:#?}"
        );
        assert!(
            m[1].contains("`nope`") && m[1].contains("3_m.sql:5:"),
            "{m:#?}"
        );
        assert_eq!(report.schema.diagnostics, report.diagnostics);
        assert!(report.to_set().is_none(), "schema errors fail the build");
    }

    #[test]
    fn ids_differing_only_in_case_are_refused() {
        let m = messages(&[file("a", "none", ""), file("A", "a", "")]);
        assert_eq!(
            m,
            vec!["revisions `A` and `a` differ only in case @ migrations/a_m.sql:1:14"]
        );
    }

    #[test]
    fn a_thousand_unknown_keys_are_six_errors() {
        let mut text = String::new();
        for i in 0..1000 {
            text.push_str(&format!("-- key{i}: v\n"));
        }
        text.push_str("-- revision: 1\n-- down_revision: none\n-- migrate:up\n-- migrate:down\n");
        let m = messages(&[Input {
            name: "1_m.sql".into(),
            text,
        }]);
        assert_eq!(m.len(), 6, "{m:#?}");
        assert!(m[5].starts_with("995 more unknown header keys"), "{m:#?}");
    }

    #[test]
    fn every_problem_in_every_file_is_reported_at_once() {
        let m = messages(&[
            file("1", "none", "CREATE TABEL t ();"),
            file("2", "1", "CREATE INDEX CONCURRENTLY i ON t (x);"),
            file("3", "2", "SELECT 'open;"),
        ]);
        assert_eq!(m.len(), 3, "{m:#?}");
        assert!(
            m[0].contains("no statement that starts `CREATE TABEL`"),
            "{m:#?}"
        );
        assert!(
            m[1].contains("cannot run inside a transaction block"),
            "{m:#?}"
        );
        assert!(m[2].starts_with("unterminated string literal"), "{m:#?}");
    }

    #[test]
    fn an_environment_limited_migration_may_change_data_but_not_the_schema() {
        let limited = |rev: &str, up: &str, down: &str| {
            let mut i = reversible(rev, "001", up, down);
            i.text = i.text.replacen(
                "\n\n-- migrate:up",
                "\n-- environments: dev, test\n\n-- migrate:up",
                1,
            );
            i
        };
        let root = reversible("001", "none", "CREATE TABLE t (id int);", "DROP TABLE t;");
        let data = limited("002", "INSERT INTO t VALUES (1);", "DELETE FROM t;");
        let report = check_texts(&[root.clone(), data], "migrations", &Options::default());
        assert!(!report.has_errors(), "{}", report.render());
        assert_eq!(
            report.to_set().unwrap().get("002").unwrap().environments(),
            ["dev", "test"]
        );
        let ddl = limited("002", "CREATE TABLE seen (id int);", "DROP TABLE seen;");
        let report = check_texts(&[root, ddl], "migrations", &Options::default());
        let text = report.render();
        assert!(
            text.contains("error[schema-environment-changes-schema]: a migration limited to `dev`, `test` changes the schema"),
            "{text}"
        );
        assert!(text.contains("--> migrations/002_m.sql:3:4"), "{text}");
    }
}
