//! A random graph of revisions: `Graph::build`, then `History::new` and an upgrade and a
//! downgrade plan from a random applied set to a random target.
#![no_main]

use std::collections::HashSet;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use retort_core::graph::Graph;
use retort_core::plan::History;
use retort_core::revision::Revision;
use retort_core::target::Target;

#[derive(Arbitrary, Debug)]
enum FuzzTarget {
    Head,
    Heads,
    Base,
    Revision(u8),
    Prefix(u8),
    Relative(i8),
    RevisionRelative(u8, i8),
}

#[derive(Arbitrary, Debug)]
struct Input {
    /// Each node: its id (a small number, so that ids repeat and parents hit) and parents.
    nodes: Vec<(u8, Vec<u8>)>,
    /// Which revisions are applied (bit i of byte i/8 for the i-th node).
    applied: Vec<u8>,
    target: FuzzTarget,
}

fn rev(id: u8) -> Revision {
    Revision::parse(&format!("r{id}")).unwrap()
}

fuzz_target!(|input: Input| {
    let nodes: Vec<(Revision, Vec<Revision>)> = input
        .nodes
        .iter()
        .take(64)
        .map(|(id, parents)| (rev(*id), parents.iter().take(4).map(|p| rev(*p)).collect()))
        .collect();
    let (graph, _problems) = Graph::build(&nodes);
    let _ = graph.order();
    let heads = graph.heads();
    let _ = graph.roots();
    if heads.len() > 1 {
        let _ = graph.merge_bases(&heads);
    }
    let Ok(history) = History::new(nodes.clone()) else {
        return;
    };
    let applied: HashSet<Revision> = nodes
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            input
                .applied
                .get(i / 8)
                .is_some_and(|b| b >> (i % 8) & 1 == 1)
        })
        .map(|(_, (r, _))| r.clone())
        .collect();
    let target = match input.target {
        FuzzTarget::Head => Target::Head,
        FuzzTarget::Heads => Target::Heads,
        FuzzTarget::Base => Target::Base,
        FuzzTarget::Revision(id) => Target::Revision(format!("r{id}")),
        FuzzTarget::Prefix(id) => Target::Revision(format!("r{}", id / 10)),
        FuzzTarget::Relative(n) => Target::Relative(n.into()),
        FuzzTarget::RevisionRelative(id, n) => Target::RevisionRelative(format!("r{id}"), n.into()),
    };
    let _ = history.current(&applied);
    let _ = history.upgrade(&applied, &target);
    let _ = history.downgrade(&applied, &target);
});
