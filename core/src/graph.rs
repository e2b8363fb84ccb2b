//! [`Graph`]: the revision graph — roots, heads, merges, a parent-first order — and the
//! problems that keep a set of revisions from forming one.
//!
//! The graph knows nothing of files: nodes are indices into the caller's list, and
//! [`GraphProblem`]s name indices, so the caller can say where each one is written.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use crate::Revision;

/// A node of the graph: its revision and its parents and children, as node indices.
#[derive(Clone, Debug)]
pub struct Node {
    /// The revision.
    pub revision: Revision,
    /// Parents that exist, as indices (dangling ones are left out and reported).
    pub parents: Vec<usize>,
    /// Children, as indices.
    pub children: Vec<usize>,
}

/// Something that keeps revisions from forming a single, acyclic history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GraphProblem {
    /// Node `second` has the same revision as node `first`; `second` is left out.
    Duplicate {
        /// The first node with the revision.
        first: usize,
        /// The later one, left out of the graph.
        second: usize,
    },
    /// Node `node`'s parent number `parent` (an index into its parent list) names no node.
    Dangling {
        /// The node.
        node: usize,
        /// Which of its parents.
        parent: usize,
    },
    /// The node lists one revision twice among its parents.
    RepeatedParent {
        /// The node.
        node: usize,
        /// Which of its parents is the repeat.
        parent: usize,
    },
    /// The nodes form a cycle, each the parent of the next, the last the parent of the first.
    Cycle(Vec<usize>),
    /// More than one node has no parent.
    MultipleRoots(Vec<usize>),
    /// More than one node has no child ([`Graph::merge_bases`] says where they branch
    /// from; it is left to whoever reports this, since it costs heads × revisions).
    MultipleHeads(Vec<usize>),
}

/// A revision graph over a list of `(revision, parents)`; the default is the empty graph.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    nodes: Vec<Node>,
    index: HashMap<Revision, usize>,
    order: Vec<usize>,
    excluded: Vec<bool>,
}

impl Graph {
    /// Builds the graph and lists every problem. Nodes that are duplicates are left out;
    /// nodes on or after a cycle are left out of [`Graph::order`].
    ///
    /// Ties in the order are broken by position in `nodes`, so sorting the input by file
    /// name gives a stable, readable order.
    pub fn build(nodes: &[(Revision, Vec<Revision>)]) -> (Graph, Vec<GraphProblem>) {
        let mut problems = Vec::new();
        let mut index: HashMap<Revision, usize> = HashMap::with_capacity(nodes.len());
        let mut excluded = vec![false; nodes.len()];
        for (i, (rev, _)) in nodes.iter().enumerate() {
            if let Some(&first) = index.get(rev) {
                problems.push(GraphProblem::Duplicate { first, second: i });
                excluded[i] = true;
            } else {
                index.insert(rev.clone(), i);
            }
        }
        let mut graph_nodes: Vec<Node> = nodes
            .iter()
            .map(|(rev, _)| Node {
                revision: rev.clone(),
                parents: Vec::new(),
                children: Vec::new(),
            })
            .collect();
        for (i, (_, parents)) in nodes.iter().enumerate() {
            if excluded[i] {
                continue;
            }
            let mut listed = std::collections::HashSet::with_capacity(parents.len());
            for (k, p) in parents.iter().enumerate() {
                if !listed.insert(p) {
                    problems.push(GraphProblem::RepeatedParent { node: i, parent: k });
                    continue;
                }
                match index.get(p) {
                    Some(&pi) => {
                        graph_nodes[i].parents.push(pi);
                        graph_nodes[pi].children.push(i);
                    }
                    None => problems.push(GraphProblem::Dangling { node: i, parent: k }),
                }
            }
        }

        // Kahn's algorithm, smallest index first among the ready nodes.
        let mut pending: Vec<usize> = graph_nodes.iter().map(|n| n.parents.len()).collect();
        let mut ready: BinaryHeap<Reverse<usize>> = (0..graph_nodes.len())
            .filter(|&i| !excluded[i] && pending[i] == 0)
            .map(Reverse)
            .collect();
        let mut order = Vec::with_capacity(graph_nodes.len());
        while let Some(Reverse(i)) = ready.pop() {
            order.push(i);
            for &c in &graph_nodes[i].children {
                pending[c] -= 1;
                if pending[c] == 0 {
                    ready.push(Reverse(c));
                }
            }
        }
        let live = graph_nodes.len() - excluded.iter().filter(|&&e| e).count();
        if order.len() < live {
            let mut placed = vec![false; graph_nodes.len()];
            for &i in &order {
                placed[i] = true;
            }
            for cycle in find_cycles(&graph_nodes, &placed, &excluded) {
                problems.push(GraphProblem::Cycle(cycle));
            }
        }

        let graph = Graph {
            nodes: graph_nodes,
            index,
            order,
            excluded,
        };
        let roots = graph.roots();
        if roots.len() > 1 {
            problems.push(GraphProblem::MultipleRoots(roots));
        }
        let heads = graph.heads();
        if heads.len() > 1 {
            problems.push(GraphProblem::MultipleHeads(heads));
        }
        (graph, problems)
    }

    /// Every node, by index (duplicates included, see [`Graph::is_excluded`]).
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// Whether a node was left out as a duplicate.
    pub fn is_excluded(&self, node: usize) -> bool {
        self.excluded[node]
    }

    /// The node of a revision.
    pub fn find(&self, revision: &str) -> Option<usize> {
        self.index.get(revision).copied()
    }

    /// Every node not on or after a cycle, each after its parents.
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// Nodes without parents, in index order.
    pub fn roots(&self) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|&i| !self.excluded[i] && self.nodes[i].parents.is_empty())
            .collect()
    }

    /// Nodes without children, in index order.
    pub fn heads(&self) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|&i| !self.excluded[i] && self.nodes[i].children.is_empty())
            .collect()
    }

    /// `node` and everything it descends from, as a membership vector.
    pub fn ancestors(&self, node: usize) -> Vec<bool> {
        let mut seen = vec![false; self.nodes.len()];
        let mut stack = vec![node];
        while let Some(i) = stack.pop() {
            if !std::mem::replace(&mut seen[i], true) {
                stack.extend(&self.nodes[i].parents);
            }
        }
        seen
    }

    /// The latest revisions that every one of `nodes` descends from: common ancestors that
    /// are not ancestors of another common ancestor.
    pub fn merge_bases(&self, nodes: &[usize]) -> Vec<usize> {
        let mut common = vec![true; self.nodes.len()];
        for &n in nodes {
            for (c, a) in common.iter_mut().zip(self.ancestors(n)) {
                *c &= a;
            }
        }
        // A common ancestor is a base unless a child of it is also common.
        (0..self.nodes.len())
            .filter(|&i| common[i] && !self.nodes[i].children.iter().any(|&c| common[c]))
            .collect()
    }
}

/// Finds the elementary cycles among nodes not placed by the topological sort, one per
/// strongly connected group (enough to report each loop once).
fn find_cycles(nodes: &[Node], placed: &[bool], excluded: &[bool]) -> Vec<Vec<usize>> {
    // Iterative DFS over parent edges, restricted to unplaced nodes; when it meets a node on
    // the current path, the path from there is a cycle.
    let n = nodes.len();
    let mut state = vec![0u8; n]; // 0 new, 1 on path, 2 done
    let mut cycles = Vec::new();
    for start in 0..n {
        if placed[start] || excluded[start] || state[start] != 0 {
            continue;
        }
        let mut path: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some(&mut (node, ref mut next)) = path.last_mut() {
            let parents = &nodes[node].parents;
            if *next < parents.len() {
                let p = parents[*next];
                *next += 1;
                if placed[p] {
                    continue;
                }
                match state[p] {
                    0 => {
                        state[p] = 1;
                        path.push((p, 0));
                    }
                    1 => {
                        let from = path.iter().position(|&(x, _)| x == p).unwrap_or(0);
                        // The path runs child → parent; report parent → child.
                        let mut cycle: Vec<usize> = path[from..].iter().map(|&(x, _)| x).collect();
                        cycle.reverse();
                        cycles.push(cycle);
                    }
                    _ => {}
                }
            } else {
                state[node] = 2;
                path.pop();
            }
        }
    }
    cycles
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> Revision {
        Revision::parse(s).unwrap()
    }

    fn g(spec: &[(&str, &[&str])]) -> (Graph, Vec<GraphProblem>) {
        let nodes: Vec<_> = spec
            .iter()
            .map(|(a, ps)| (r(a), ps.iter().map(|p| r(p)).collect()))
            .collect();
        Graph::build(&nodes)
    }

    #[test]
    fn linear_chain_orders_parents_first() {
        let (graph, problems) = g(&[("c", &["b"]), ("a", &[]), ("b", &["a"])]);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(graph.order(), &[1, 2, 0]);
        assert_eq!(graph.roots(), vec![1]);
        assert_eq!(graph.heads(), vec![0]);
    }

    #[test]
    fn branch_and_merge() {
        let (graph, problems) = g(&[("a", &[]), ("b", &["a"]), ("c", &["a"]), ("m", &["b", "c"])]);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(graph.order(), &[0, 1, 2, 3]);
        assert_eq!(graph.heads(), vec![3]);
    }

    #[test]
    fn two_heads_name_their_fork_point() {
        let (_, problems) = g(&[("a", &[]), ("b", &["a"]), ("c", &["b"]), ("d", &["b"])]);
        assert_eq!(problems, vec![GraphProblem::MultipleHeads(vec![2, 3])]);
        let (graph, _) = g(&[("a", &[]), ("b", &["a"]), ("c", &["b"]), ("d", &["b"])]);
        assert_eq!(graph.merge_bases(&[2, 3]), vec![1]);
    }

    #[test]
    fn duplicates_dangling_and_repeated_parents() {
        let (_, problems) = g(&[("a", &[]), ("a", &[]), ("b", &["a", "a"]), ("c", &["zz"])]);
        assert!(problems.contains(&GraphProblem::Duplicate {
            first: 0,
            second: 1
        }));
        assert!(problems.contains(&GraphProblem::RepeatedParent { node: 2, parent: 1 }));
        assert!(problems.contains(&GraphProblem::Dangling { node: 3, parent: 0 }));
    }

    #[test]
    fn cycles_are_found_once() {
        let (graph, problems) = g(&[("a", &[]), ("b", &["c"]), ("c", &["b"]), ("d", &["d"])]);
        let cycles: Vec<_> = problems
            .iter()
            .filter_map(|p| match p {
                GraphProblem::Cycle(c) => Some(c.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(cycles.len(), 2, "{problems:?}");
        assert!(cycles.contains(&vec![3]));
        assert_eq!(graph.order(), &[0]);
    }

    #[test]
    fn ten_thousand_heads_build() {
        let mut spec = vec![(r("root"), vec![])];
        spec.extend((0..10_000).map(|i| (r(&format!("h{i}")), vec![r("root")])));
        let (graph, problems) = Graph::build(&spec);
        assert!(matches!(&problems[..], [GraphProblem::MultipleHeads(h)] if h.len() == 10_000));
        assert_eq!(graph.order().len(), 10_001);
    }

    #[test]
    fn ten_thousand_revisions_build() {
        let spec: Vec<(Revision, Vec<Revision>)> = (0..10_000)
            .map(|i| {
                let parents = if i == 0 {
                    vec![]
                } else {
                    vec![r(&format!("r{}", i - 1))]
                };
                (r(&format!("r{i}")), parents)
            })
            .collect();
        let (graph, problems) = Graph::build(&spec);
        assert!(problems.is_empty());
        assert_eq!(graph.order().len(), 10_000);
    }
}
