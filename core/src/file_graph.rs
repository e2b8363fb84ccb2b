//! [`FileGraph`]: the revision graph of a directory's migration files, built once per check
//! and read by both the graph checks ([`crate::check`]) and the schema model
//! ([`crate::schema`]).

use crate::file::MigrationFile;
use crate::graph::{Graph, GraphProblem};
use crate::{Replaces, Revision};

/// The revision graph over the files whose header gives both a revision and its parents.
///
/// Node `k` of [`FileGraph::graph`] is file [`FileGraph::file_of`]`(k)`; files with a broken
/// header are not nodes (they are reported once, for their header).
///
/// ```
/// use retort_core::check::{Input, Options, check_texts};
///
/// let text = |rev: &str, parent: &str| {
///     format!("-- revision: {rev}\n-- down_revision: {parent}\n\n-- migrate:up\n\n-- migrate:down\n")
/// };
/// let report = check_texts(
///     &[
///         Input { name: "001_a.sql".into(), text: text("001", "none") },
///         Input { name: "002_b.sql".into(), text: text("002", "001") },
///     ],
///     "migrations",
///     &Options::default(),
/// );
/// let head = report.graph.graph.heads()[0];
/// assert_eq!(report.graph.file_of(head), 1);
/// ```
#[derive(Debug, Clone, Default)]
pub struct FileGraph {
    /// The graph; its nodes are the member files, in file order.
    pub graph: Graph,
    /// `members[k]`: the index into the report's files of node `k`.
    pub members: Vec<usize>,
    /// `nodes[k]`: node `k`'s revision and the parents its header names.
    pub nodes: Vec<(Revision, Vec<Revision>)>,
    /// What [`Graph::build`] found wrong: duplicates, dangling parents, cycles, several
    /// roots or heads.
    pub problems: Vec<GraphProblem>,
    /// Whether some file was left out for a broken header.
    pub incomplete: bool,
    /// The squash checkpoints: node, and the range its `replaces` header names.
    pub checkpoints: Vec<(usize, Replaces)>,
}

impl FileGraph {
    /// The graph over `files` (sorted by name, as [`crate::check::Report::files`] is).
    pub fn of(files: &[MigrationFile]) -> FileGraph {
        let mut members = Vec::new();
        let mut nodes: Vec<(Revision, Vec<Revision>)> = Vec::new();
        let mut incomplete = false;
        for (i, f) in files.iter().enumerate() {
            match (&f.revision, &f.down_revisions) {
                (Some(rev), Some(parents)) => {
                    members.push(i);
                    nodes.push((
                        rev.value.clone(),
                        parents.iter().map(|p| p.value.clone()).collect::<Vec<_>>(),
                    ));
                }
                _ => incomplete = true,
            }
        }
        let checkpoints: Vec<(usize, Replaces)> = members
            .iter()
            .enumerate()
            .filter_map(|(k, &i)| {
                let (first, last) = files[i].replaces.as_ref()?.value.clone();
                Some((k, Replaces { first, last }))
            })
            .collect();
        // A child of a replaced range's last revision, whose file is deleted, follows the
        // checkpoint.
        if !checkpoints.is_empty() {
            let present: std::collections::HashSet<Revision> =
                nodes.iter().map(|(r, _)| r.clone()).collect();
            let stands_for: Vec<(Revision, Revision)> = checkpoints
                .iter()
                .map(|(k, r)| (r.last.clone(), nodes[*k].0.clone()))
                .collect();
            for (_, parents) in nodes.iter_mut() {
                for p in parents.iter_mut() {
                    if present.contains(p) {
                        continue;
                    }
                    if let Some((_, c)) = stands_for.iter().find(|(last, _)| last == p) {
                        *p = c.clone();
                    }
                }
            }
        }
        let (graph, mut problems) = Graph::build(&nodes);
        // A checkpoint beside its range is neither a second root nor a second head.
        let shadowed: Vec<usize> = checkpoints
            .iter()
            .filter(|(_, r)| graph.find(r.last.as_str()).is_some())
            .map(|(k, _)| *k)
            .collect();
        if !shadowed.is_empty() {
            problems.retain_mut(|p| match p {
                GraphProblem::MultipleRoots(list) | GraphProblem::MultipleHeads(list) => {
                    list.retain(|k| !shadowed.contains(k));
                    list.len() > 1
                }
                _ => true,
            });
        }
        FileGraph {
            graph,
            members,
            nodes,
            problems,
            incomplete,
            checkpoints,
        }
    }

    /// Whether node `node` is a checkpoint whose replaced range is present: it stands
    /// beside the range, neither a root nor a head of the history.
    pub fn is_shadowed(&self, node: usize) -> bool {
        self.checkpoints
            .iter()
            .any(|(k, r)| *k == node && self.graph.find(r.last.as_str()).is_some())
    }

    /// The heads, a checkpoint beside its range left out.
    pub fn heads(&self) -> Vec<usize> {
        let mut heads = self.graph.heads();
        heads.retain(|&h| !self.is_shadowed(h));
        heads
    }

    /// The index into the files of node `node`.
    pub fn file_of(&self, node: usize) -> usize {
        self.members[node]
    }

    /// The node of the file at index `file` into the files, if it is in the graph.
    pub fn node_of(&self, file: usize) -> Option<usize> {
        // `members` is in file order.
        self.members.binary_search(&file).ok()
    }

    /// `orphan[k]`: whether node `k` names a parent that no member declares (a missing file,
    /// or one left out for a broken header), so that its schema starts unknown, not empty.
    pub fn orphans(&self) -> Vec<bool> {
        let mut orphan = vec![false; self.nodes.len()];
        for p in &self.problems {
            if let GraphProblem::Dangling { node, .. } = p {
                orphan[*node] = true;
            }
        }
        orphan
    }

    /// The member files in graph order, each after its parents (the nodes on a cycle left
    /// out).
    pub fn file_order(&self) -> Vec<usize> {
        self.graph
            .order()
            .iter()
            .map(|&n| self.members[n])
            .collect()
    }
}
