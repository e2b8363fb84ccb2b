//! [`Resume`]: the catalog at the head that a check without errors leaves for the next one,
//! so that after a new migration the schema model replays only the new revisions.
//!
//! The build script checks the whole directory whenever a file changes. [`crate::verified`]
//! spares it the SQL checks and the down sections of the files that did not change, but the
//! model still replayed every up section from the first revision to build the catalog at the
//! head: most of a build after a new migration at thousands of revisions, in a build script
//! compiled without optimisation. So a check that found no error, in a directory with one
//! head, every file in the graph and no squash checkpoint, leaves the catalog at the head,
//! the schema model's diagnostics (warnings: there was no error) and every file's path and
//! lineage ([`crate::verified::Verified::lineage`]).
//!
//! The next check starts from that catalog when the directory only grew past that head: the
//! revision with the recorded head's lineage is there, every recorded file is there under the
//! same path with the same lineage (so the same text, and the same ancestors), and every
//! other revision descends from the head through single parents, none of them a checkpoint,
//! and the graph has no problem. The recorded revisions are then not replayed: their
//! diagnostics are the recorded ones, and their down sections were recorded as passed by the
//! same check.
//!
//! A head with one parent is also recorded with the catalog after that parent, so that the
//! build after an edit of the newest migration (the usual way one is written: edit, build,
//! edit again) starts there: the same conditions hold for the parent, with the head's file
//! left out of them (edited, renamed or gone), provided some revision follows the parent.
//!
//! Anything else — another version of this crate, other options, an edited older or a
//! renamed file, a merge, a removed revision, a broken header — and the check replays
//! everything, as without a record. A check with errors leaves the last record in place: it
//! is checked on use, so the build after the fix resumes from it.
//!
//! What a check with a record reports is what a check without one reports
//! (`core/tests/verified_downs.rs` holds that as a property over generated histories and
//! changes).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::check::{Options, Report};
use crate::codec::{Stored, Writer, decode, put_slice};
use crate::diagnostic::Diagnostic;
use crate::digest::Digest128;
use crate::file::MigrationFile;
use crate::file_graph::FileGraph;
use crate::schema::Catalog;
use crate::source::{FileId, Sources};
use crate::verified::Digest;

/// The first line of the stored form: its format and the crate that wrote it (the encoding
/// is this version's own).
const HEADER: &str = concat!("retort-core ", env!("CARGO_PKG_VERSION"), " resume v2\n");

/// The stored form's head: the options' digest, the head's lineage, the head's parent's
/// lineage, the files.
type Header = (
    Digest,
    Digest,
    Option<Digest>,
    Vec<(String, Option<Digest>)>,
);

/// The stored form's body, each part encoded on its own (see [`Resume`]'s fields).
type Body = (Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>);

/// Prefix of the files in `OUT_DIR`, one a directory.
pub const FILE_PREFIX: &str = "retort-resume-";

/// What a check without errors left: read back by [`Resume::from_bytes`], used by
/// [`crate::check::check_dir_resumed`].
#[derive(Clone, Debug)]
pub struct Resume {
    /// The digest of the options the check ran with.
    options: Digest,
    /// The head revision's lineage.
    head: Digest,
    /// The lineage of the head's parent, when it has one.
    parent: Option<Digest>,
    /// Every file the check read, in the order of its sources (a file id's index): its path
    /// and, for a migration file, its revision's lineage.
    files: Vec<(String, Option<Digest>)>,
    /// Encoded, with file ids as indices into `files`: the catalog at the head; the schema
    /// model's diagnostics about the revisions up to the parent; those about the head; the
    /// catalog after the parent (empty without one).
    body: Body,
}

/// Where a check starts the schema model's replay from: made by [`Resume::start`].
#[derive(Debug)]
pub(crate) struct Start {
    /// The file (an index into the report's files) whose catalog is given.
    pub(crate) at: usize,
    /// The catalog after it.
    pub(crate) catalog: Catalog,
    /// `done[i]`: file `i` is `at` or one of its ancestors, and is not replayed.
    pub(crate) done: Vec<bool>,
    /// The schema model's diagnostics about those files, as the recorded check found them.
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// How many of `diagnostics` are about each of the files a record names (`at` and its
    /// parent), up to and including it: see `SchemaReport::diagnostics_through`.
    pub(crate) through: Vec<(usize, usize)>,
    /// The catalog after `at`'s parent, when the record has it: the next record names it.
    pub(crate) parent: Option<(usize, Catalog)>,
}

/// The check a record is matched against.
#[derive(Clone, Copy)]
struct Now<'a> {
    sources: &'a Sources,
    files: &'a [MigrationFile],
    fg: &'a FileGraph,
    lineages: &'a [Option<Digest>],
}

impl Resume {
    /// The record of `report`, a check run with `options`, if it may be resumed from: no
    /// error, one head, every file in the graph with a lineage, no squash checkpoint.
    pub fn of(report: &Report, options: &Options) -> Option<Resume> {
        let fg = &report.graph;
        if report.has_errors()
            || fg.incomplete
            || !fg.problems.is_empty()
            || !fg.checkpoints.is_empty()
            || fg.members.len() != report.files.len()
        {
            return None;
        }
        let [head_node] = fg.heads()[..] else {
            return None;
        };
        let head = fg.file_of(head_node);
        let lineages = &report.schema.lineages;
        let index: HashMap<FileId, usize> = (report.files.iter().enumerate())
            .map(|(i, f)| (f.file, i))
            .collect();
        let mut files = Vec::with_capacity(report.files.len());
        for (id, src) in report.sources.iter() {
            let lineage = match index.get(&id) {
                Some(&i) => Some((*lineages.get(i)?)?),
                None => None,
            };
            files.push((src.path().to_owned(), lineage));
        }
        let encoded = |value: &dyn Fn(&mut Writer)| {
            let mut w = Writer::new();
            value(&mut w);
            w.into_bytes()
        };
        let schema = &report.schema;
        let catalog = schema.catalogs.get(head)?.as_ref()?;
        let parent = match fg.graph.nodes()[head_node].parents[..] {
            [p] => {
                let p = fg.file_of(p);
                let catalog = schema.catalogs.get(p)?.as_ref()?;
                Some((
                    (*lineages.get(p)?)?,
                    catalog,
                    *schema.diagnostics_through.get(p)?,
                ))
            }
            _ => None,
        };
        let split = parent.map_or(0, |(_, _, n)| n);
        let (before, own) = schema
            .diagnostics
            .split_at(split.min(schema.diagnostics.len()));
        Some(Resume {
            options: options_digest(options),
            head: (*lineages.get(head)?)?,
            parent: parent.map(|(l, _, _)| l),
            files,
            body: (
                encoded(&|w| catalog.put(w)),
                encoded(&|w| put_slice(before, w)),
                encoded(&|w| put_slice(own, w)),
                parent.map_or_else(Vec::new, |(_, c, _)| encoded(&|w| c.put(w))),
            ),
        })
    }

    /// The stored form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        self.options.put(&mut w);
        self.head.put(&mut w);
        self.parent.put(&mut w);
        self.files.put(&mut w);
        let head = w.into_bytes();
        let (a, b, c, d) = &self.body;
        let parts = [&head, a, b, c, d];
        let mut out =
            Vec::with_capacity(HEADER.len() + parts.iter().map(|p| 8 + p.len()).sum::<usize>());
        out.extend_from_slice(HEADER.as_bytes());
        for part in parts {
            out.extend_from_slice(&(part.len() as u64).to_le_bytes());
            out.extend_from_slice(part);
        }
        out
    }

    /// Reads the stored form back; `None` if it was written by another version of this
    /// crate or is damaged (the catalogs and diagnostics are decoded only when a check
    /// starts from them).
    pub fn from_bytes(bytes: &[u8]) -> Option<Resume> {
        let mut rest = bytes.strip_prefix(HEADER.as_bytes())?;
        // Five parts, each after its length.
        let mut part = || -> Option<Vec<u8>> {
            let (len, after) = rest.split_first_chunk::<8>()?;
            let len = usize::try_from(u64::from_le_bytes(*len)).ok()?;
            let bytes = after.get(..len)?.to_vec();
            rest = after.get(len..)?;
            Some(bytes)
        };
        let head = part()?;
        let body = (part()?, part()?, part()?, part()?);
        if !rest.is_empty() {
            return None;
        }
        let (options, head, parent, files) = decode::<Header>(&head, &[])?;
        Some(Resume {
            options,
            head,
            parent,
            files,
            body,
        })
    }

    /// Where the check of `files` (read into `sources`, their graph `fg`, each revision's
    /// lineage in `lineages`, by file) with `options` may start: after the recorded head, or
    /// else after its parent; `None` unless the directory only grew past one of them (see
    /// the module documentation).
    pub(crate) fn start(
        &self,
        sources: &Sources,
        files: &[MigrationFile],
        fg: &FileGraph,
        lineages: &[Option<Digest>],
        options: &Options,
    ) -> Option<Start> {
        if self.options != options_digest(options)
            || !fg.checkpoints.is_empty()
            || !fg.problems.is_empty()
            || fg.incomplete
        {
            return None;
        }
        let now = Now {
            sources,
            files,
            fg,
            lineages,
        };
        if let Some(start) = self.start_after(&now, Some(self.head), None) {
            return Some(start);
        }
        self.start_after(&now, self.parent, Some(self.head))
    }

    /// A start after the revision with lineage `at`, every recorded file but the one with
    /// lineage `left_out` (the head, when starting after its parent) found unchanged.
    fn start_after(
        &self,
        now: &Now<'_>,
        at: Option<Digest>,
        left_out: Option<Digest>,
    ) -> Option<Start> {
        let Now {
            sources,
            files,
            fg,
            lineages,
        } = *now;
        let at_lineage = at?;
        // Each recorded file: the file id it has now, and its index into `files`.
        let by_path: HashMap<&str, usize> = files
            .iter()
            .enumerate()
            .map(|(i, f)| (sources.get(f.file).path(), i))
            .collect();
        let mut ids = Vec::with_capacity(self.files.len());
        let mut recorded = vec![false; files.len()];
        for (path, lineage) in &self.files {
            let Some(lineage) = lineage else {
                // Not a migration file: nothing recorded names it.
                ids.push(None);
                continue;
            };
            if Some(*lineage) == left_out {
                // Left out: what is recorded about it is not read.
                ids.push(None);
                continue;
            }
            let &i = by_path.get(path.as_str())?;
            if lineages.get(i).copied().flatten() != Some(*lineage) || recorded[i] {
                return None;
            }
            recorded[i] = true;
            ids.push(Some(files[i].file));
        }
        let at = lineages.iter().position(|l| *l == Some(at_lineage))?;
        let at_node = fg.node_of(at)?;
        // `at` and its ancestors must be exactly the recorded files.
        let mut done = vec![false; files.len()];
        let mut stack = vec![at_node];
        while let Some(node) = stack.pop() {
            let i = fg.file_of(node);
            if !std::mem::replace(&mut done[i], true) {
                stack.extend(fg.graph.nodes()[node].parents.iter().copied());
            }
        }
        if done != recorded {
            return None;
        }
        // Every other revision follows one parent, `at` or another new one.
        let orphan = fg.orphans();
        for (node, &i) in fg.members.iter().enumerate() {
            if done[i] {
                continue;
            }
            let [parent] = fg.graph.nodes()[node].parents[..] else {
                return None;
            };
            if orphan[node] || (done[fg.file_of(parent)] && fg.file_of(parent) != at) {
                return None;
            }
        }
        let (head_catalog, before, own, parent_catalog) = &self.body;
        let mut diagnostics = decode::<Vec<Diagnostic>>(before, &ids)?;
        let before_len = diagnostics.len();
        if left_out.is_some() {
            // With nothing after `at` (the head removed), `at` would be the next record's
            // head, and its parent's catalog is not here: replay everything instead.
            if fg.members.iter().all(|&i| done[i]) {
                return None;
            }
            return Some(Start {
                at,
                catalog: decode::<Catalog>(parent_catalog, &ids)?,
                done,
                diagnostics,
                through: vec![(at, before_len)],
                parent: None,
            });
        }
        diagnostics.extend(decode::<Vec<Diagnostic>>(own, &ids)?);
        // `at`'s parent is the next record's parent when nothing is added: its catalog and
        // count are the recorded ones.
        let parent = match (&fg.graph.nodes()[at_node].parents[..], self.parent) {
            ([p], Some(_)) => Some((fg.file_of(*p), decode::<Catalog>(parent_catalog, &ids)?)),
            _ => None,
        };
        let mut through = vec![(at, diagnostics.len())];
        through.extend(parent.as_ref().map(|(p, _)| (*p, before_len)));
        Some(Start {
            at,
            catalog: decode::<Catalog>(head_catalog, &ids)?,
            done,
            diagnostics,
            through,
            parent,
        })
    }

    /// Writes the record of directory `dir` to `out_dir` (through a temporary file and a
    /// rename, so that a reader never sees half of it).
    pub fn write(&self, out_dir: &Path, dir: &Path) -> std::io::Result<()> {
        let Some(path) = path(out_dir, dir) else {
            return Ok(());
        };
        crate::out_dir::write_whole(&path, &self.to_bytes())
    }

    /// The record of directory `dir` in `out_dir`, if there is a readable one.
    pub fn read(out_dir: &Path, dir: &Path) -> Option<Self> {
        Self::from_bytes(&std::fs::read(path(out_dir, dir)?).ok()?)
    }

    /// Removes the record of directory `dir` from `out_dir`, if there is one.
    pub fn remove(out_dir: &Path, dir: &Path) {
        if let Some(path) = path(out_dir, dir) {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The record's file for directory `dir` in `out_dir`.
fn path(out_dir: &Path, dir: &Path) -> Option<PathBuf> {
    crate::out_dir::file_for(out_dir, dir, FILE_PREFIX, "bin")
}

/// The digest of the options a check ran with: other options, other verdicts.
fn options_digest(options: &Options) -> Digest {
    Digest128::of(format!("{options:?}").as_bytes())
}
