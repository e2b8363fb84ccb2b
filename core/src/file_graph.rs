//! [`FileGraph`]: the revision graph of a directory's migration files, built once per check
//! and read by both the graph checks ([`crate::check`]) and the schema model
//! ([`crate::schema`]).

use crate::Revision;
use crate::file::MigrationFile;
use crate::graph::{Graph, GraphProblem};

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
}

impl FileGraph {
    /// The graph over `files` (sorted by name, as [`crate::check::Report::files`] is).
    pub fn of(files: &[MigrationFile]) -> FileGraph {
        let mut members = Vec::new();
        let mut nodes = Vec::new();
        let mut incomplete = false;
        for (i, f) in files.iter().enumerate() {
            match (&f.revision, &f.down_revisions) {
                (Some(rev), Some(parents)) => {
                    members.push(i);
                    nodes.push((
                        rev.value.clone(),
                        parents.iter().map(|p| p.value.clone()).collect(),
                    ));
                }
                _ => incomplete = true,
            }
        }
        let (graph, problems) = Graph::build(&nodes);
        FileGraph {
            graph,
            members,
            nodes,
            problems,
            incomplete,
        }
    }

    /// The index into the files of node `node`.
    pub fn file_of(&self, node: usize) -> usize {
        self.members[node]
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
