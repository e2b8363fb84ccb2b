//! The schema model: what the database looks like after every revision, known at build time.
//!
//! [`analyze`] replays every revision's statements in graph order (parents first; a merge
//! starts from the union of its parents) into a [`Catalog`], and reports as
//! [`Diagnostic`]s what PostgreSQL would refuse because of the schema (a table that does not
//! exist at that point, a name already taken, a foreign key to columns without a unique
//! constraint, two branches that change one object differently) and every down section that
//! does not bring the schema back to what it was before its up.
//!
//! **Invariant:** a statement the model does not understand never causes an error. It marks
//! what it touches — or, if that cannot be told, the whole catalog from there on — as
//! unknown, and every check about an unknown object stays silent.
//!
//! Part of the build's verdict: [`crate::check::check_dir`] (and so the macro, the build
//! script and `retort check`) runs it on every directory, errors or not, appends its
//! diagnostics to the report's and keeps the result in [`crate::check::Report::schema`].

pub mod catalog;
pub mod ddl;
pub mod desired;
pub mod diff;
mod merge;
mod object_kind;
pub mod pmap;
pub(crate) mod replay;
mod reversibility;
pub mod routine;
pub mod sequence;
pub mod shape;
mod stored;
pub mod trigger_def;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::diagnostic::Diagnostic;
use crate::file::{Language, MigrationFile, Section};
use crate::file_graph::FileGraph;
use crate::lint::{LintSettings, Linter};
use crate::source::{FileId, Sources};
use crate::sql::lex;
use crate::sql::syntax::StatementParse;

pub use catalog::Catalog;
use catalog::{Ns, Origin, QName};

/// The header key that says a down section is lossy on purpose, with a reason:
/// `-- lossy_down: the old column's data cannot come back`. It turns the reversibility
/// check off for that revision alone.
pub const LOSSY_DOWN_KEY: &str = "lossy_down";

/// What [`analyze`] found.
#[derive(Debug, Clone, Default)]
pub struct SchemaReport {
    /// The catalog after each file's up section, by index into `Report::files` (`None` for
    /// files outside the graph).
    pub catalogs: Vec<Option<Catalog>>,
    /// The catalog after each file's up then its down section (`None` without a down
    /// section): what a downgrade of that revision leaves, lossy downs included.
    pub reverted: Vec<Option<Catalog>>,
    /// Semantic and reversibility errors, in the order of the revisions (the checks also
    /// put them in `Report::diagnostics`, in file order).
    pub diagnostics: Vec<Diagnostic>,
    /// How many of `diagnostics` were found up to and including each file's revision, by
    /// index into `Report::files` (0 for files outside the graph), the revisions' own coming
    /// in the order they were replayed. Of the revisions a resume record stood for, exact for
    /// the one the replay started after and its parent, the ones a record names (see
    /// [`crate::resume`]); the others have the first one's.
    pub(crate) diagnostics_through: Vec<usize>,
    /// The lineages (see [`crate::verified`]) of the revisions whose down section passed
    /// with no diagnostic, checked now or before; empty when no file digests were given.
    pub downs_passed: Vec<crate::verified::Digest>,
    /// Each file's revision's lineage, by index into `Report::files` (`None` outside the
    /// graph, below a missing parent, or when no file digests were given).
    pub lineages: Vec<Option<crate::verified::Digest>>,
    /// Counts and time.
    pub stats: Stats,
}

/// Counts for a summary.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Revisions replayed.
    pub revisions: usize,
    /// Revisions after whose up section everything is known.
    pub fully_known: usize,
    /// Revisions after whose up section something is unknown.
    pub partly_unknown: usize,
    /// … of which nothing at all is known.
    pub all_unknown: usize,
    /// Statements replayed (up and down).
    pub statements: usize,
    /// Down sections compared with the schema before their up.
    pub downs_checked: usize,
    /// Down sections not compared: lossy on purpose, too little known, or after an up
    /// section with a schema error.
    pub downs_skipped: usize,
    /// Down sections not replayed: their revision's lineage passed before.
    pub downs_passed_before: usize,
    /// Revisions not replayed at all: a previous check left the catalog after them (see
    /// [`crate::resume`]).
    pub resumed: usize,
    /// Time spent replaying and checking.
    pub elapsed: Duration,
}

/// Replays every revision of a directory's `files` in the order of their `graph` and checks
/// the schema at each. Works on files with errors: statements that do not parse make what
/// they do unknown, and a revision whose parent is missing starts from a schema of which
/// nothing is known.
///
/// The checks call it; [`crate::check::Report::schema`] holds the result, so there is rarely a
/// reason to call it again.
pub fn analyze(sources: &Sources, files: &[MigrationFile], graph: &FileGraph) -> SchemaReport {
    analyze_with(
        sources,
        files,
        graph,
        &LintSettings::default(),
        Known {
            parses: &mut Parses::new(),
            lineages: Lineages::NONE,
            feed: None,
            resume: None,
        },
    )
}

/// One file's parse trees, by index into the files: what [`Feed`] receives.
pub(crate) type Trees = (usize, Vec<((FileId, usize), StatementParse)>);

/// Parse trees that arrive while [`analyze_with`] replays: another thread parses the files'
/// up sections in the order of the replay and sends them; the replay waits for a file's
/// before it replays the file. Should the sender stop, the replay parses what it lacks.
pub(crate) struct Feed<'a> {
    receive: &'a std::sync::mpsc::Receiver<Trees>,
    /// The files whose trees have not arrived, by index.
    waiting: Vec<bool>,
}

impl<'a> Feed<'a> {
    /// Trees from `receive`, for the files marked in `waiting`.
    pub(crate) fn new(receive: &'a std::sync::mpsc::Receiver<Trees>, waiting: Vec<bool>) -> Self {
        Feed { receive, waiting }
    }

    /// Puts file `i`'s trees into `parses`, waiting for them if they have not arrived.
    fn wait_for(&mut self, i: usize, parses: &mut Parses) {
        while self.waiting.get(i).copied().unwrap_or(false) {
            match self.receive.recv() {
                Ok((j, trees)) => {
                    parses.extend(trees);
                    if let Some(w) = self.waiting.get_mut(j) {
                        *w = false;
                    }
                }
                Err(_) => self.waiting.iter_mut().for_each(|w| *w = false),
            }
        }
    }
}

/// What [`analyze_with`] needs to skip the down sections that passed before: each file's
/// revision's lineage ([`lineages`]), by index into the files (none: nothing is skipped or
/// recorded), and what a previous check recorded.
#[derive(Clone, Copy)]
pub(crate) struct Lineages<'a> {
    pub(crate) of: &'a [Option<crate::verified::Digest>],
    pub(crate) passed_before: Option<&'a crate::verified::Verified>,
}

impl Lineages<'_> {
    /// No lineages: every down section is replayed, none recorded.
    const NONE: Lineages<'static> = Lineages {
        of: &[],
        passed_before: None,
    };
}

/// The statements the SQL check parsed without error, by file and the statement's first
/// byte: the replay takes each from here instead of parsing it again.
pub(crate) type Parses = HashMap<(FileId, usize), StatementParse>;

/// Each file's revision's lineage (see [`crate::verified`]), by index into `files`, from
/// each file's digest (`digests`, by index too): `None` for a file outside the graph, without
/// a digest, or below a missing parent.
pub(crate) fn lineages(
    fg: &FileGraph,
    digests: &[Option<crate::verified::Digest>],
    len: usize,
) -> Vec<Option<crate::verified::Digest>> {
    let mut lineage: Vec<Option<crate::verified::Digest>> = vec![None; len];
    let orphan = fg.orphans();
    for &node in fg.graph.order() {
        let i = fg.members[node];
        lineage[i] = match digests.get(i) {
            Some(Some(file)) if !orphan[node] => fg.graph.nodes()[node]
                .parents
                .iter()
                .map(|p| lineage[fg.members[*p]])
                .collect::<Option<Vec<_>>>()
                .map(|ps| crate::verified::Verified::lineage(file, &ps)),
            _ => None,
        };
    }
    lineage
}

/// What a replay may take from elsewhere instead of working it out again.
pub(crate) struct Known<'a, 'f> {
    /// Parse trees of up sections, by file and offset: replayed (and taken out) where there
    /// is one.
    pub(crate) parses: &'a mut Parses,
    /// Each revision's lineage, and which passed their down before (see [`crate::verified`]):
    /// those down sections are not replayed.
    pub(crate) lineages: Lineages<'a>,
    /// Trees parsed on another thread while the replay runs.
    pub(crate) feed: Option<&'a mut Feed<'f>>,
    /// The catalog after the revisions a resume record holds (see [`crate::resume`]): those
    /// are not replayed.
    pub(crate) resume: Option<crate::resume::Start>,
}

/// [`analyze`], linting each `up` section with `lints`, skipping what `known` holds.
pub(crate) fn analyze_with(
    sources: &Sources,
    files: &[MigrationFile],
    fg: &FileGraph,
    lints: &LintSettings,
    known: Known<'_, '_>,
) -> SchemaReport {
    let Known {
        parses,
        lineages,
        mut feed,
        resume,
    } = known;
    let start = Instant::now();
    let mut diagnostics = Vec::new();
    let mut stats = Stats::default();
    let mut catalogs: Vec<Option<Catalog>> = vec![None; files.len()];
    let mut diagnostics_through = vec![0; files.len()];
    let mut reverteds: Vec<Option<Catalog>> = vec![None; files.len()];
    // How many tables of each file's catalog have unknown columns or constraints.
    let mut vague: Vec<Option<usize>> = vec![None; files.len()];
    // Each revision's lineage, when its file's and all its parents' are known.
    let lineage: Vec<Option<crate::verified::Digest>> = (0..files.len())
        .map(|i| lineages.of.get(i).copied().flatten())
        .collect();
    let mut downs_passed = Vec::new();
    let (mut resumed, done, mut through) = match resume {
        Some(s) => {
            diagnostics = s.diagnostics;
            if let Some((p, catalog)) = s.parent {
                catalogs[p] = Some(catalog);
            }
            (Some((s.at, s.catalog)), s.done, s.through)
        }
        None => (None, Vec::new(), Vec::new()),
    };
    let graph = &fg.graph;
    let members = &fg.members;
    // A revision whose parent is missing (or left out for a broken header) starts from
    // an unknown schema, not an empty one.
    let orphan = fg.orphans();
    let paths = |o: &Origin| {
        let src = sources.get(o.file);
        format!("{}:{}", src.path(), src.line_col(o.range.start).0)
    };

    for &node in graph.order() {
        let i = members[node];
        let f = &files[i];
        if let Some(feed) = feed.as_mut() {
            feed.wait_for(i, parses);
        }
        let passed_before =
            lineage[i].filter(|l| lineages.passed_before.is_some_and(|v| v.down_passed(l)));
        if done.get(i).copied().unwrap_or(false) {
            // Replayed by the check that left `start`: its down section passed then if it
            // is recorded as passed, and its diagnostics are in `start`'s.
            if let (Some(l), None, Some(_)) = (passed_before, &f.irreversible, &f.down) {
                stats.downs_passed_before += 1;
                downs_passed.push(l);
            }
            stats.revisions += 1;
            stats.resumed += 1;
            diagnostics_through[i] = match through.iter().position(|&(f, _)| f == i) {
                Some(k) => through.swap_remove(k).1,
                None => diagnostics.len(),
            };
            if resumed.as_ref().is_some_and(|(at, _)| *at == i) {
                catalogs[i] = resumed.take().map(|(_, c)| c);
            }
            continue;
        }
        let parents: Vec<usize> = graph.nodes()[node].parents.clone();
        let mut before = match parents.as_slice() {
            [] => Catalog::new(),
            [p] => catalogs[members[*p]].clone().unwrap_or_default(),
            many => {
                let bases = graph.merge_bases(many);
                let base = match bases.as_slice() {
                    [b] => catalogs[members[*b]].clone().unwrap_or_default(),
                    _ => Catalog::new(),
                };
                let parent_cats: Vec<Catalog> = many
                    .iter()
                    .map(|p| catalogs[members[*p]].clone().unwrap_or_default())
                    .collect();
                // Where the branch of parent `j` last changed an object: down its first
                // parents to the merge base.
                let changed_in = |j: usize, ns: Ns, q: &QName| -> Option<Origin> {
                    let mut node = many[j];
                    for _ in 0..graph.nodes().len() {
                        if bases.first() == Some(&node) {
                            return None;
                        }
                        let parent = *graph.nodes()[node].parents.first()?;
                        let now = catalogs[members[node]].as_ref()?;
                        let earlier = catalogs[members[parent]].as_ref()?;
                        if differs(now, earlier, ns, q) {
                            return Some(mention(&files[members[node]], sources, q));
                        }
                        node = parent;
                    }
                    None
                };
                merge::merge_parents(
                    &base,
                    &parent_cats,
                    bases.len() == 1,
                    f,
                    sources,
                    &changed_in,
                    &mut diagnostics,
                )
            }
        };
        if orphan[node] {
            before.mark_all_unknown(&Origin {
                file: f.file,
                range: f.down_revision_value.clone().unwrap_or(0..0),
            });
        }
        let mut after = before.clone();
        let errors_before_up = diagnostics.len();
        // The lints of the up section: warnings, or errors when denied, but never a sign
        // that the up section fails, which the reversibility check must not be told.
        let mut lints_found = Vec::new();
        if let Some(up) = &f.up {
            let text = sources.get(f.file).text();
            let transactional = f.transactional.unwrap_or(true);
            let mut linter = Linter::new(lints, f.file, text, up.body.clone(), transactional);
            stats.statements += replay_section(
                &mut after,
                f,
                up,
                sources,
                &paths,
                parses,
                &mut diagnostics,
                Some(&mut linter),
            );
            lints_found = linter.finish();
        }
        // A Rust data migration changes no schema, nor does its `pub fn down`.
        if f.irreversible.is_none()
            && matches!(&f.language, Language::Rust(functions) if functions.down.is_some())
        {
            reverteds[i] = Some(after.clone());
        }
        // A down section that passed before, after the same ancestors: not replayed again.
        if let (Some(l), None, Some(_)) = (passed_before, &f.irreversible, &f.down) {
            stats.downs_passed_before += 1;
            downs_passed.push(l);
        }
        // Reversibility: up then down gives the schema before up.
        if f.irreversible.is_none()
            && passed_before.is_none()
            && let Some(down) = &f.down
        {
            // An up section with a schema error never runs as written: its down section,
            // judged against what is left, would only echo the error. It is judged once
            // the up section is fixed.
            let up_failed = diagnostics.len() > errors_before_up;
            let mut reverted = after.clone();
            let mut down_diagnostics = Vec::new();
            stats.statements += replay_section(
                &mut reverted,
                f,
                down,
                sources,
                &paths,
                parses,
                &mut down_diagnostics,
                None,
            );
            let down_clean = !up_failed && down_diagnostics.is_empty();
            if !up_failed {
                diagnostics.append(&mut down_diagnostics);
            }
            let errors_before_down_check = diagnostics.len();
            reverteds[i] = Some(reverted.clone());
            if up_failed || f.lossy_down.is_some() || before.all_unknown() || reverted.all_unknown()
            {
                stats.downs_skipped += 1;
            } else {
                stats.downs_checked += 1;
                reversibility::check_down(
                    &before,
                    &after,
                    &reverted,
                    f,
                    down,
                    sources,
                    &paths,
                    &mut diagnostics,
                );
            }
            if let Some(l) = lineage[i]
                && down_clean
                && diagnostics.len() == errors_before_down_check
            {
                downs_passed.push(l);
            }
        }
        diagnostics.append(&mut lints_found);
        diagnostics_through[i] = diagnostics.len();
        stats.revisions += 1;
        if after.all_unknown() {
            stats.all_unknown += 1;
        }
        // Tables of which something is unknown, counted from the parent's count and what
        // this revision changed (counting them all each time costs revisions × tables).
        let from = match parents.as_slice() {
            [p] => catalogs[members[*p]]
                .as_ref()
                .zip(vague[members[*p]])
                .filter(|_| !orphan[node]),
            _ => None,
        };
        let count = match from {
            Some((parent, n)) => {
                let (old, new) = parent.relations.unshared(&after.relations);
                n + new.filter(|(_, r)| vague_table(r)).count()
                    - old.filter(|(_, r)| vague_table(r)).count()
            }
            None => after.relations.values().filter(|r| vague_table(r)).count(),
        };
        vague[i] = Some(count);
        if after.partly_unknown_but_tables() || count > 0 {
            stats.partly_unknown += 1;
        } else {
            stats.fully_known += 1;
        }
        catalogs[i] = Some(after);
    }
    stats.elapsed = start.elapsed();
    SchemaReport {
        catalogs,
        reverted: reverteds,
        diagnostics,
        diagnostics_through,
        downs_passed,
        lineages: lineage,
        stats,
    }
}

/// A table whose columns or constraints are not all known.
fn vague_table(r: &catalog::Obj<catalog::RelKind>) -> bool {
    matches!(&r.value, catalog::RelKind::Table(t) if !t.columns_known || !t.constraints_known)
}

/// Whether `ns` `q` differs between two catalogs (for the namespaces a merge conflict is
/// traced in).
fn differs(a: &Catalog, b: &Catalog, ns: Ns, q: &QName) -> bool {
    match ns {
        Ns::Relation => a.relations.get(q) != b.relations.get(q),
        Ns::Type => a.types.get(q) != b.types.get(q),
        Ns::Function => a.functions.get(q) != b.functions.get(q),
        Ns::Trigger | Ns::Extension | Ns::Schema => false,
    }
}

/// Where file `f` changes `q`: the first line of its up section that names it, or its
/// revision id.
fn mention(f: &MigrationFile, sources: &Sources, q: &QName) -> Origin {
    let text = sources.get(f.file).text();
    let name = q.name.to_lowercase();
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    if let Some(up) = &f.up {
        let mut offset = up.body.start;
        for line in text[up.body.clone()].split_inclusive('\n') {
            let lower = line.to_lowercase();
            let named = lower.match_indices(&name).any(|(i, _)| {
                !lower[..i].ends_with(is_word) && !lower[i + name.len()..].starts_with(is_word)
            });
            if named && !line.trim_start().starts_with("--") {
                return Origin {
                    file: f.file,
                    range: offset..offset + line.trim_end().len(),
                };
            }
            offset += line.len();
        }
    }
    Origin {
        file: f.file,
        range: f.revision.as_ref().map_or(0..0, |r| r.range.clone()),
    }
}

/// The revision's name for messages.
fn revision_name(f: &MigrationFile) -> String {
    f.revision
        .as_ref()
        .map_or_else(String::new, |r| r.value.to_string())
}

/// Replays one section's statements, showing each to `observer` first; returns how many.
#[allow(clippy::too_many_arguments)]
fn replay_section<'a>(
    cat: &'a mut Catalog,
    f: &MigrationFile,
    section: &Section,
    sources: &'a Sources,
    paths: &'a dyn Fn(&Origin) -> String,
    parses: &'a mut Parses,
    diags: &'a mut Vec<Diagnostic>,
    observer: Option<&'a mut dyn replay::Observer>,
) -> usize {
    let marker = Origin {
        file: f.file,
        range: section.marker.clone(),
    };
    let mut replay = Replay {
        cat,
        sources,
        paths,
        parses,
        diags,
        transactional: f.transactional == Some(true),
        observer,
    };
    replay.range(f.file, section.body.clone(), &marker)
}

/// Replays the statements of `body` (a byte range of `file`'s text, such as a whole
/// `schema.sql`) into `cat`, as [`replay_section`] does for a migration's section; returns
/// how many.
pub(crate) fn replay_plain(
    cat: &mut Catalog,
    file: FileId,
    body: std::ops::Range<usize>,
    sources: &Sources,
    parses: &mut Parses,
    diags: &mut Vec<Diagnostic>,
) -> usize {
    let paths = |o: &Origin| {
        let src = sources.get(o.file);
        format!("{}:{}", src.path(), src.line_col(o.range.start).0)
    };
    let start = Origin {
        file,
        range: body.start..body.start,
    };
    let mut replay = Replay {
        cat,
        sources,
        paths: &paths,
        parses,
        diags,
        transactional: false,
        observer: None,
    };
    replay.range(file, body, &start)
}

/// What replaying a stretch of SQL reads and writes.
struct Replay<'a> {
    cat: &'a mut Catalog,
    sources: &'a Sources,
    paths: &'a dyn Fn(&Origin) -> String,
    parses: &'a mut Parses,
    diags: &'a mut Vec<Diagnostic>,
    /// Whether the statements run in one transaction.
    transactional: bool,
    /// Sees each statement before it is replayed (the lints of an `up` section).
    observer: Option<&'a mut dyn replay::Observer>,
}

impl Replay<'_> {
    /// Replays the statements in `body` of `file`; an unterminated string or comment makes
    /// the whole catalog unknown from `unknown_at`. Returns how many statements there were.
    fn range(&mut self, file: FileId, body: std::ops::Range<usize>, unknown_at: &Origin) -> usize {
        let text = self.sources.get(file).text();
        let base = body.start;
        let toks = lex::tokenize(&text[body.clone()]);
        if toks.iter().any(|t| t.unterminated) {
            self.cat.mark_all_unknown(unknown_at);
            return 0;
        }
        let stmts = lex::split_tokens(&text[body], &toks);
        let mut r = replay::Replayer::new(self.cat, self.diags, self.paths, file)
            .in_transaction(self.transactional)
            .observed(
                self.observer
                    .as_mut()
                    .map(|o| &mut **o as &mut dyn replay::Observer),
            );
        for stmt in &stmts {
            let start = base + stmt.range.start;
            let end = base + stmt.range.end;
            let line_end = text[start..end].find('\n').map_or(end, |k| start + k);
            let parsed = self.parses.remove(&(file, start));
            r.statement(
                &text[start..end],
                start,
                Origin {
                    file,
                    range: start..line_end,
                },
                parsed.as_ref(),
            );
        }
        stmts.len()
    }
}

#[cfg(test)]
mod tests;
