//! [`History`]: the revision graph as the runtime and the command line plan over it — which
//! revisions are current, and which to apply or revert to reach a [`Target`].
//!
//! Planning is pure: it takes the revisions recorded as applied and returns lists of
//! revisions, never touching a database. Every method runs in time linear in the size of
//! the history.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::hash::BuildHasher;

use crate::codes::Code;
use crate::graph::{Graph, GraphProblem};
use crate::target::Target;
use crate::{MigrationSet, Revision};

/// How many revisions an error message lists before it says how many more there are.
const LIST_LIMIT: usize = 10;

/// Every revision known to a run and how they descend from one another, in history order.
///
/// Built from `(revision, parents)` nodes: the migrations of a [`MigrationSet`] together
/// with the rows of the version table, which may name revisions the set lacks when the
/// database is ahead of the build. A revision given twice with the same parents counts
/// once. Several roots and several heads are allowed.
///
/// *History order* is a parent-first order; among revisions that could come in either order,
/// the one given first comes first (so the order of a set is kept).
///
/// ```
/// use std::collections::HashSet;
/// use retort_core::Revision;
/// use retort_core::plan::History;
/// use retort_core::target::Target;
///
/// let r = |s: &str| Revision::parse(s).unwrap();
/// let history = History::new([
///     (r("001"), vec![]),
///     (r("002"), vec![r("001")]),
///     (r("003"), vec![r("002")]),
/// ])?;
///
/// let applied: HashSet<Revision> = HashSet::from([r("001")]);
/// assert_eq!(history.current(&applied), [r("001")]);
/// assert_eq!(history.upgrade(&applied, &"head".parse()?)?, [r("002"), r("003")]);
/// assert_eq!(history.upgrade(&applied, &"+1".parse()?)?, [r("002")]);
/// assert_eq!(history.downgrade(&applied, &Target::Base)?, [r("001")]);
///
/// let err = history.upgrade(&applied, &"9".parse()?).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "no revision id is or starts with `9`; the head is `003`."
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct History {
    /// The revisions, in history order; a revision's position is its index here.
    revisions: Vec<Revision>,
    /// Each revision's parents, as positions.
    parents: Vec<Vec<usize>>,
    /// Each revision's children, as positions, ascending.
    children: Vec<Vec<usize>>,
    /// Revision → position.
    index: HashMap<Revision, usize>,
}

/// Why a history cannot be built or a plan cannot be made. Every message is a sentence a
/// user of the command line can act on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// One revision was given twice with different parents: a migration file and the version
    /// table disagree about it.
    #[error(
        "revision `{revision}` is given twice with different parents ({} and {}): its \
         migration file and the version table disagree; make the file's `down_revision` match \
         what was applied.",
        parents_text(.first),
        parents_text(.second)
    )]
    ConflictingParents {
        /// The revision.
        revision: Revision,
        /// Its parents where it was first given.
        first: Vec<Revision>,
        /// Its parents where it was given again.
        second: Vec<Revision>,
    },
    /// A revision names a parent that is nowhere in the history.
    #[error(
        "revision `{revision}` names `{parent}` as its parent, but neither a migration nor the \
         version table has a revision `{parent}`; fix the `down_revision` of `{revision}`."
    )]
    DanglingParent {
        /// The revision.
        revision: Revision,
        /// The parent that does not exist.
        parent: Revision,
    },
    /// Revisions descend from one another in a loop.
    #[error(
        "revisions {} form a cycle (each is the parent of the next, and the last the parent of \
         the first); fix their `down_revision` so that the history has a beginning.",
        list(.0)
    )]
    Cycle(Vec<Revision>),
    /// Revisions recorded as applied that the history does not hold (the history was not
    /// built from every version-table row).
    #[error(
        "{} recorded as applied but not in the history being planned over; build the history \
         from the migrations and every row of the version table.",
        is_are(.0)
    )]
    UnknownApplied(Vec<Revision>),
    /// A revision is recorded as applied but one of its parents is not.
    #[error(
        "revision `{revision}` is recorded as applied but its parent `{parent}` is not, so the \
         version table is inconsistent; check the database schema by hand and correct the \
         version table before upgrading or downgrading."
    )]
    AppliedWithoutParent {
        /// The applied revision.
        revision: Revision,
        /// Its parent that is not applied.
        parent: Revision,
    },
    /// No revision id is or starts with the text.
    #[error("no revision id is or starts with `{prefix}`; {}.", heads_text(.heads))]
    UnknownRevision {
        /// The id or prefix looked up.
        prefix: String,
        /// The heads of the history, to say what exists.
        heads: Vec<Revision>,
    },
    /// Several revision ids start with the prefix.
    #[error(
        "`{prefix}` is ambiguous: revisions {} all start with it; type more of the id.",
        list(.candidates)
    )]
    AmbiguousPrefix {
        /// The prefix looked up.
        prefix: String,
        /// Every revision it starts, in history order.
        candidates: Vec<Revision>,
    },
    /// `head` was asked for and there are several heads.
    #[error(
        "`head` is ambiguous: there are {} heads, {}; upgrade to `heads` to apply every branch, \
         or name one revision (`retort merge` joins the heads into one).",
        .heads.len(),
        list(.heads)
    )]
    MultipleHeads {
        /// The heads, in history order.
        heads: Vec<Revision>,
    },
    /// A step forward from a revision with several children.
    #[error(
        "`{target}` is ambiguous: `{revision}` has {} children, {}; name the one to follow as \
         the target instead.",
        .children.len(),
        list(.children)
    )]
    AmbiguousChildren {
        /// The target being resolved.
        target: Target,
        /// The revision the step starts from.
        revision: Revision,
        /// Its children, in history order.
        children: Vec<Revision>,
    },
    /// A step back from a merge revision.
    #[error(
        "`{target}` is ambiguous: `{revision}` is a merge of {}; name the one to follow as the \
         target instead.",
        list(.parents)
    )]
    AmbiguousParents {
        /// The target being resolved.
        target: Target,
        /// The merge revision the step starts from.
        revision: Revision,
        /// Its parents, in the order written.
        parents: Vec<Revision>,
    },
    /// Steps forward went past a head.
    #[error(
        "`{target}` goes past the head `{head}`{}; ask for fewer steps.",
        distance_text(*.taken, .from, "after")
    )]
    PastHead {
        /// The target being resolved.
        target: Target,
        /// The revision the steps start from.
        from: Revision,
        /// The head reached.
        head: Revision,
        /// How many steps it took to reach it.
        taken: u64,
    },
    /// Steps back went past a root (for a downgrade, one step past the root is allowed: it
    /// means reverting the root).
    #[error(
        "`{target}` goes back past the root `{root}`{}; ask for fewer steps{}.",
        distance_text(*.taken, .from, "before"),
        if *.upgrade { "" } else { ", or downgrade to `base` to revert everything" }
    )]
    PastRoot {
        /// The target being resolved.
        target: Target,
        /// The revision the steps start from.
        from: Revision,
        /// The root reached.
        root: Revision,
        /// How many steps it took to reach it.
        taken: u64,
        /// Whether the target was for an upgrade.
        upgrade: bool,
    },
    /// A target that only a downgrade can reach was given to an upgrade.
    #[error("`{0}` is a target for a downgrade, not an upgrade; downgrade to `{0}` instead.")]
    UpgradeToDowngradeTarget(Target),
    /// A target that only an upgrade can reach was given to a downgrade.
    #[error("`{0}` is a target for an upgrade, not a downgrade; upgrade to `{0}` instead.")]
    DowngradeToUpgradeTarget(Target),
    /// An upgrade to a revision that is not applied, by more steps than there are pending.
    #[error(
        "cannot upgrade by {requested}: {}; upgrade to `heads` to apply them all.",
        pending_text(*.pending)
    )]
    NotEnoughPending {
        /// How many revisions were asked for.
        requested: u64,
        /// How many are not applied.
        pending: usize,
    },
    /// A downgrade by more steps than there are applied revisions.
    #[error(
        "cannot downgrade by {requested}: {}; downgrade to `base` to revert them all.",
        applied_text(*.applied)
    )]
    NotEnoughApplied {
        /// How many revisions were asked for.
        requested: u64,
        /// How many are applied.
        applied: usize,
    },
    /// A downgrade to a revision that is not applied.
    #[error(
        "cannot downgrade to `{revision}`: it is not applied, so nothing of it can be reverted \
         ({}); upgrade to `{revision}` to apply it.",
        current_text(.current)
    )]
    NotApplied {
        /// The target revision.
        revision: Revision,
        /// What is current.
        current: Vec<Revision>,
    },
}

impl PlanError {
    /// The kind of problem, as `retort explain` names it.
    pub fn code(&self) -> Code {
        match self {
            PlanError::ConflictingParents { .. } => Code::DbEditedMigration,
            PlanError::DanglingParent { .. } => Code::GraphMissingParent,
            PlanError::Cycle(_) => Code::GraphCycle,
            PlanError::UnknownApplied(_) => Code::DbUnknownRevision,
            PlanError::AppliedWithoutParent { .. } => Code::DbCorruptVersionTable,
            PlanError::UnknownRevision { .. }
            | PlanError::PastHead { .. }
            | PlanError::PastRoot { .. } => Code::TargetNotFound,
            PlanError::AmbiguousPrefix { .. }
            | PlanError::MultipleHeads { .. }
            | PlanError::AmbiguousChildren { .. }
            | PlanError::AmbiguousParents { .. } => Code::TargetAmbiguous,
            PlanError::UpgradeToDowngradeTarget(_) | PlanError::DowngradeToUpgradeTarget(_) => {
                Code::TargetInvalid
            }
            PlanError::NotEnoughPending { .. }
            | PlanError::NotEnoughApplied { .. }
            | PlanError::NotApplied { .. } => Code::TargetUnreachable,
        }
    }
}

/// `` `a`, `b` and `c` ``, with at most [`LIST_LIMIT`] revisions named.
fn list(revisions: &[Revision]) -> String {
    let mut out = String::new();
    let shown = if revisions.len() > LIST_LIMIT {
        LIST_LIMIT - 1
    } else {
        revisions.len()
    };
    for (i, r) in revisions[..shown].iter().enumerate() {
        if i > 0 {
            out.push_str(if i + 1 == revisions.len() {
                " and "
            } else {
                ", "
            });
        }
        let _ = write!(out, "`{r}`");
    }
    if shown < revisions.len() {
        let _ = write!(out, " and {} more", revisions.len() - shown);
    }
    out
}

/// `` revision `a` is `` / `` revisions `a` and `b` are ``.
fn is_are(revisions: &[Revision]) -> String {
    match revisions {
        [one] => format!("revision `{one}` is"),
        _ => format!("revisions {} are", list(revisions)),
    }
}

/// A parent list for a message: `` parents `a` and `b` `` or `no parent`.
fn parents_text(parents: &[Revision]) -> String {
    match parents {
        [] => "no parent".to_owned(),
        [one] => format!("parent `{one}`"),
        _ => format!("parents {}", list(parents)),
    }
}

/// What the heads are, for a message.
fn heads_text(heads: &[Revision]) -> String {
    match heads {
        [] => "there are no revisions".to_owned(),
        [one] => format!("the head is `{one}`"),
        _ => format!("the heads are {}", list(heads)),
    }
}

/// What is current, for a message.
fn current_text(current: &[Revision]) -> String {
    match current {
        [] => "nothing is applied".to_owned(),
        [one] => format!("the database is at `{one}`"),
        _ => format!("the database is at {}", list(current)),
    }
}

/// `` , 1 step after `a` `` / `` , 3 steps before `a` ``, or nothing for no steps.
fn distance_text(steps: u64, from: &Revision, direction: &str) -> String {
    match steps {
        0 => String::new(),
        1 => format!(", 1 step {direction} `{from}`"),
        _ => format!(", {steps} steps {direction} `{from}`"),
    }
}

/// How many revisions are pending, for a message.
fn pending_text(n: usize) -> String {
    match n {
        0 => "every revision is already applied".to_owned(),
        1 => "only 1 revision is not applied yet".to_owned(),
        _ => format!("only {n} revisions are not applied yet"),
    }
}

/// How many revisions are applied, for a message.
fn applied_text(n: usize) -> String {
    match n {
        0 => "nothing is applied".to_owned(),
        1 => "only 1 revision is applied".to_owned(),
        _ => format!("only {n} revisions are applied"),
    }
}

/// Where steps from a revision end.
enum Stop {
    /// At a revision (a position).
    At(usize),
    /// One step before a root: the state where that root is not applied.
    BeforeRoot(usize),
}

impl History {
    /// Builds the history from `(revision, parents)` nodes, typically a set's migrations
    /// followed by the version table's rows.
    ///
    /// Fails when one revision is given with two different parent lists (the order of the
    /// parents does not matter), when a parent is not among the revisions, or when the
    /// revisions form a cycle.
    pub fn new(
        nodes: impl IntoIterator<Item = (Revision, Vec<Revision>)>,
    ) -> Result<Self, PlanError> {
        let mut unique: Vec<(Revision, Vec<Revision>)> = Vec::new();
        let mut seen: HashMap<Revision, usize> = HashMap::new();
        for (revision, parents) in nodes {
            if let Some(&i) = seen.get(&revision) {
                if !same_parents(&unique[i].1, &parents) {
                    return Err(PlanError::ConflictingParents {
                        revision,
                        first: unique[i].1.clone(),
                        second: parents,
                    });
                }
            } else {
                seen.insert(revision.clone(), unique.len());
                unique.push((revision, parents));
            }
        }

        drop(seen);
        let count = unique.len();

        let (graph, problems) = Graph::build(&unique);
        // Dangling parents come first in the list; duplicates cannot occur; a repeated parent
        // is harmless (the graph keeps it once); several roots or heads are allowed.
        for problem in &problems {
            if let GraphProblem::Dangling { node, parent } = *problem {
                return Err(PlanError::DanglingParent {
                    revision: unique[node].0.clone(),
                    parent: unique[node].1[parent].clone(),
                });
            }
        }
        for problem in &problems {
            if let GraphProblem::Cycle(cycle) = problem {
                return Err(PlanError::Cycle(
                    cycle.iter().map(|&i| unique[i].0.clone()).collect(),
                ));
            }
        }

        let order = graph.order();
        debug_assert_eq!(order.len(), count);
        let mut position = vec![0; count];
        for (p, &node) in order.iter().enumerate() {
            position[node] = p;
        }
        let nodes = graph.nodes();
        let mut revisions = Vec::with_capacity(count);
        let mut parents = Vec::with_capacity(count);
        let mut children = Vec::with_capacity(count);
        for &node in order {
            revisions.push(nodes[node].revision.clone());
            parents.push(nodes[node].parents.iter().map(|&i| position[i]).collect());
            let mut c: Vec<usize> = nodes[node].children.iter().map(|&i| position[i]).collect();
            c.sort_unstable();
            children.push(c);
        }
        let index = revisions
            .iter()
            .enumerate()
            .map(|(p, r)| (r.clone(), p))
            .collect();
        Ok(History {
            revisions,
            parents,
            children,
            index,
        })
    }

    /// The history of a migration set alone (a squash checkpoint beside its range left out:
    /// see [`MigrationSet::is_shadowed`]).
    pub fn from_set(set: &MigrationSet) -> Result<Self, PlanError> {
        History::new(
            set.iter()
                .filter(|m| !set.is_shadowed(m))
                .map(|m| (m.revision().clone(), m.down_revisions().to_vec())),
        )
    }

    /// Every revision, in history order.
    pub fn revisions(&self) -> &[Revision] {
        &self.revisions
    }

    /// How many revisions.
    pub fn len(&self) -> usize {
        self.revisions.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.revisions.is_empty()
    }

    /// Whether the history holds the revision (exact id).
    pub fn contains(&self, revision: &str) -> bool {
        self.index.contains_key(revision)
    }

    /// The parents of a revision (exact id), in the order written; `None` when it is unknown.
    pub fn parents(&self, revision: &str) -> Option<Vec<Revision>> {
        let p = self.find(revision)?;
        Some(self.revs(self.parents[p].iter().copied()))
    }

    /// The children of a revision (exact id), in history order; `None` when it is unknown.
    pub fn children(&self, revision: &str) -> Option<Vec<Revision>> {
        let p = self.find(revision)?;
        Some(self.revs(self.children[p].iter().copied()))
    }

    /// The revisions without children, in history order.
    pub fn heads(&self) -> Vec<Revision> {
        self.revs((0..self.len()).filter(|&p| self.children[p].is_empty()))
    }

    /// The revisions without parents, in history order.
    pub fn roots(&self) -> Vec<Revision> {
        self.revs((0..self.len()).filter(|&p| self.parents[p].is_empty()))
    }

    /// Every revision that `revision` (exact id) descends from, not itself, in history order;
    /// `None` when it is unknown.
    pub fn ancestors_of(&self, revision: &str) -> Option<Vec<Revision>> {
        let p = self.find(revision)?;
        let mut seen = self.walk(&[p], &self.parents, |_| true);
        seen[p] = false;
        Some(self.marked(&seen))
    }

    /// Every revision that descends from `revision` (exact id), not itself, in history order;
    /// `None` when it is unknown.
    pub fn descendants_of(&self, revision: &str) -> Option<Vec<Revision>> {
        let p = self.find(revision)?;
        let mut seen = self.walk(&[p], &self.children, |_| true);
        seen[p] = false;
        Some(self.marked(&seen))
    }

    /// The current revisions: the heads of the applied set (applied revisions none of whose
    /// children is applied), in history order. Applied revisions that the history does not
    /// hold are left out; the applied set is not checked (see [`History::check_applied`]).
    pub fn current<S: BuildHasher>(&self, applied: &HashSet<Revision, S>) -> Vec<Revision> {
        let mut mask = vec![false; self.len()];
        for r in applied {
            if let Some(&p) = self.index.get(r) {
                mask[p] = true;
            }
        }
        self.current_of(&mask)
    }

    /// Checks that the applied revisions can be planned over: every one is in the history
    /// and every one's parents are applied too.
    pub fn check_applied<S: BuildHasher>(
        &self,
        applied: &HashSet<Revision, S>,
    ) -> Result<(), PlanError> {
        self.applied_mask(applied).map(drop)
    }

    /// The revision that `prefix` names: the revision with exactly that id if there is one,
    /// else the only revision whose id starts with it.
    pub fn resolve(&self, prefix: &str) -> Result<Revision, PlanError> {
        self.resolve_position(prefix)
            .map(|p| self.revisions[p].clone())
    }

    /// The revisions to apply to reach `target`, parents first (in history order).
    ///
    /// - `head`: up to the single head (an error when there are several);
    /// - `heads`: every revision not applied;
    /// - a revision: it and its ancestors that are not applied (nothing when it is applied);
    ///   for a merge, both parents' branches;
    /// - `+N`: the first N of what `heads` would apply (an error when fewer are pending);
    /// - `<rev>+N` / `<rev>-N`: as for the revision N steps after (following children) or
    ///   before (following parents) `<rev>`; a step from a revision with several children,
    ///   or back from a merge, is an error;
    /// - `base` and `-N` are errors: they are downgrade targets.
    ///
    /// Fails too when the applied set is inconsistent ([`History::check_applied`]).
    pub fn upgrade<S: BuildHasher>(
        &self,
        applied: &HashSet<Revision, S>,
        target: &Target,
    ) -> Result<Vec<Revision>, PlanError> {
        let mask = self.applied_mask(applied)?;
        let goals: Vec<usize> = match target {
            Target::Head => {
                let heads = self.head_positions();
                if heads.len() > 1 {
                    return Err(PlanError::MultipleHeads {
                        heads: self.revs(heads),
                    });
                }
                heads
            }
            Target::Heads => self.head_positions(),
            Target::Base => return Err(PlanError::UpgradeToDowngradeTarget(target.clone())),
            Target::Revision(prefix) => vec![self.resolve_position(prefix)?],
            Target::Relative(n) if *n < 0 => {
                return Err(PlanError::UpgradeToDowngradeTarget(target.clone()));
            }
            Target::Relative(n) => {
                let pending: Vec<usize> = (0..self.len()).filter(|&p| !mask[p]).collect();
                let requested = n.unsigned_abs();
                if requested > pending.len() as u64 {
                    return Err(PlanError::NotEnoughPending {
                        requested,
                        pending: pending.len(),
                    });
                }
                // A prefix of a parent-first order: each one's parents are applied or before it.
                return Ok(self.revs(pending[..requested as usize].iter().copied()));
            }
            Target::RevisionRelative(prefix, n) => {
                let from = self.resolve_position(prefix)?;
                match self.step(target, from, *n, true)? {
                    Stop::At(p) => vec![p],
                    // `step` does not stop before a root for an upgrade; kept total all the same.
                    Stop::BeforeRoot(root) => {
                        return Err(PlanError::PastRoot {
                            target: target.clone(),
                            from: self.revisions[from].clone(),
                            root: self.revisions[root].clone(),
                            taken: n.unsigned_abs() - 1,
                            upgrade: true,
                        });
                    }
                }
            }
        };
        // Applied revisions have applied ancestors, so the walk stops at them.
        let goals: Vec<usize> = goals.into_iter().filter(|&p| !mask[p]).collect();
        let todo = self.walk(&goals, &self.parents, |p| !mask[p]);
        Ok(self.marked(&todo))
    }

    /// The revisions to revert to reach `target`, children first (in reverse history order).
    ///
    /// - `base`: every applied revision;
    /// - a revision X: every applied revision that descends from X, and nothing else —
    ///   branches that do not descend from X stay applied; X must be applied;
    /// - `-N`: the last N applied revisions in history order (an error when fewer are
    ///   applied);
    /// - `<rev>-N` / `<rev>+N`: as for the revision N steps before (following parents) or
    ///   after (following children) `<rev>`; a step back from a merge, or from a revision with
    ///   several children, is an error; one step back from a root means reverting that root
    ///   and what descends from it;
    /// - `head`, `heads` and `+N` are errors: they are upgrade targets.
    ///
    /// Fails too when the applied set is inconsistent ([`History::check_applied`]).
    pub fn downgrade<S: BuildHasher>(
        &self,
        applied: &HashSet<Revision, S>,
        target: &Target,
    ) -> Result<Vec<Revision>, PlanError> {
        let mask = self.applied_mask(applied)?;
        let undo: Vec<bool> = match target {
            Target::Head | Target::Heads => {
                return Err(PlanError::DowngradeToUpgradeTarget(target.clone()));
            }
            Target::Relative(n) if *n > 0 => {
                return Err(PlanError::DowngradeToUpgradeTarget(target.clone()));
            }
            Target::Base => mask.clone(),
            Target::Relative(n) => {
                let done: Vec<usize> = (0..self.len()).filter(|&p| mask[p]).collect();
                let requested = n.unsigned_abs();
                if requested > done.len() as u64 {
                    return Err(PlanError::NotEnoughApplied {
                        requested,
                        applied: done.len(),
                    });
                }
                // What stays is a prefix of a parent-first order, so it is consistent.
                return Ok(self.revs(
                    done[done.len() - requested as usize..]
                        .iter()
                        .rev()
                        .copied(),
                ));
            }
            Target::Revision(prefix) => self.revert_to(&mask, self.resolve_position(prefix)?)?,
            Target::RevisionRelative(prefix, n) => {
                match self.step(target, self.resolve_position(prefix)?, *n, false)? {
                    Stop::At(p) => self.revert_to(&mask, p)?,
                    // Applied revisions have applied ancestors, so the walk stops at the others.
                    Stop::BeforeRoot(root) if mask[root] => {
                        self.walk(&[root], &self.children, |p| mask[p])
                    }
                    Stop::BeforeRoot(_) => return Ok(Vec::new()),
                }
            }
        };
        let mut plan = self.marked(&undo);
        plan.reverse();
        Ok(plan)
    }

    /// The applied strict descendants of `target`, which must be applied.
    fn revert_to(&self, mask: &[bool], target: usize) -> Result<Vec<bool>, PlanError> {
        if !mask[target] {
            return Err(PlanError::NotApplied {
                revision: self.revisions[target].clone(),
                current: self.current_of(mask),
            });
        }
        // An applied revision's ancestors are applied, so every applied descendant is reached
        // through applied revisions only.
        let mut undo = self.walk(&[target], &self.children, |p| mask[p]);
        undo[target] = false;
        Ok(undo)
    }

    /// Follows `n` steps from `from`: children when `n > 0`, parents when `n < 0`. For a
    /// downgrade, the last step may go back from a root, to before it.
    fn step(&self, target: &Target, from: usize, n: i64, upgrade: bool) -> Result<Stop, PlanError> {
        let forward = n > 0;
        let steps = n.unsigned_abs();
        let mut at = from;
        for taken in 0..steps {
            let next = if forward {
                &self.children[at]
            } else {
                &self.parents[at]
            };
            match next.as_slice() {
                [one] => at = *one,
                [] if forward => {
                    return Err(PlanError::PastHead {
                        target: target.clone(),
                        from: self.revisions[from].clone(),
                        head: self.revisions[at].clone(),
                        taken,
                    });
                }
                [] if !upgrade && taken + 1 == steps => return Ok(Stop::BeforeRoot(at)),
                [] => {
                    return Err(PlanError::PastRoot {
                        target: target.clone(),
                        from: self.revisions[from].clone(),
                        root: self.revisions[at].clone(),
                        taken,
                        upgrade,
                    });
                }
                several if forward => {
                    return Err(PlanError::AmbiguousChildren {
                        target: target.clone(),
                        revision: self.revisions[at].clone(),
                        children: self.revs(several.iter().copied()),
                    });
                }
                several => {
                    return Err(PlanError::AmbiguousParents {
                        target: target.clone(),
                        revision: self.revisions[at].clone(),
                        parents: self.revs(several.iter().copied()),
                    });
                }
            }
        }
        Ok(Stop::At(at))
    }

    /// The position of an exact id.
    fn find(&self, revision: &str) -> Option<usize> {
        self.index.get(revision).copied()
    }

    /// The position `prefix` names (see [`History::resolve`]).
    fn resolve_position(&self, prefix: &str) -> Result<usize, PlanError> {
        if let Some(p) = self.find(prefix) {
            return Ok(p);
        }
        let candidates: Vec<usize> = (0..self.len())
            .filter(|&p| !prefix.is_empty() && self.revisions[p].as_str().starts_with(prefix))
            .collect();
        match candidates.as_slice() {
            [one] => Ok(*one),
            [] => Err(PlanError::UnknownRevision {
                prefix: prefix.to_owned(),
                heads: self.heads(),
            }),
            _ => Err(PlanError::AmbiguousPrefix {
                prefix: prefix.to_owned(),
                candidates: self.revs(candidates),
            }),
        }
    }

    /// The applied set as a mask over positions, checked.
    fn applied_mask<S: BuildHasher>(
        &self,
        applied: &HashSet<Revision, S>,
    ) -> Result<Vec<bool>, PlanError> {
        let mut mask = vec![false; self.len()];
        let mut unknown = Vec::new();
        for r in applied {
            match self.index.get(r) {
                Some(&p) => mask[p] = true,
                None => unknown.push(r.clone()),
            }
        }
        if !unknown.is_empty() {
            unknown.sort_unstable();
            return Err(PlanError::UnknownApplied(unknown));
        }
        for p in (0..self.len()).filter(|&p| mask[p]) {
            if let Some(&parent) = self.parents[p].iter().find(|&&q| !mask[q]) {
                return Err(PlanError::AppliedWithoutParent {
                    revision: self.revisions[p].clone(),
                    parent: self.revisions[parent].clone(),
                });
            }
        }
        Ok(mask)
    }

    /// The heads of a mask: marked positions with no marked child.
    fn current_of(&self, mask: &[bool]) -> Vec<Revision> {
        self.revs(
            (0..self.len()).filter(|&p| mask[p] && !self.children[p].iter().any(|&c| mask[c])),
        )
    }

    /// Positions of the heads, ascending.
    fn head_positions(&self) -> Vec<usize> {
        (0..self.len())
            .filter(|&p| self.children[p].is_empty())
            .collect()
    }

    /// Every position reachable from `start` along `edges` through positions that `enter`
    /// allows (the starts are always marked), as a mask.
    fn walk(
        &self,
        start: &[usize],
        edges: &[Vec<usize>],
        enter: impl Fn(usize) -> bool,
    ) -> Vec<bool> {
        let mut seen = vec![false; self.len()];
        let mut stack = start.to_vec();
        for &p in start {
            seen[p] = true;
        }
        while let Some(p) = stack.pop() {
            for &q in &edges[p] {
                if !seen[q] && enter(q) {
                    seen[q] = true;
                    stack.push(q);
                }
            }
        }
        seen
    }

    /// The marked revisions, in history order.
    fn marked(&self, mask: &[bool]) -> Vec<Revision> {
        self.revs((0..self.len()).filter(|&p| mask[p]))
    }

    /// The revisions at positions.
    fn revs(&self, positions: impl IntoIterator<Item = usize>) -> Vec<Revision> {
        positions
            .into_iter()
            .map(|p| self.revisions[p].clone())
            .collect()
    }
}

/// Whether two parent lists name the same revisions, in any order.
fn same_parents(a: &[Revision], b: &[Revision]) -> bool {
    let mut a: Vec<&Revision> = a.iter().collect();
    let mut b: Vec<&Revision> = b.iter().collect();
    a.sort_unstable();
    a.dedup();
    b.sort_unstable();
    b.dedup();
    a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> Revision {
        Revision::parse(s).unwrap()
    }

    fn rs(list: &[&str]) -> Vec<Revision> {
        list.iter().map(|s| r(s)).collect()
    }

    fn history(spec: &[(&str, &[&str])]) -> History {
        History::new(spec.iter().map(|(a, ps)| (r(a), rs(ps)))).unwrap()
    }

    fn set(list: &[&str]) -> HashSet<Revision> {
        list.iter().map(|s| r(s)).collect()
    }

    fn t(s: &str) -> Target {
        s.parse().unwrap()
    }

    fn up(h: &History, applied: &[&str], target: &str) -> Result<Vec<Revision>, PlanError> {
        h.upgrade(&set(applied), &t(target))
    }

    fn down(h: &History, applied: &[&str], target: &str) -> Result<Vec<Revision>, PlanError> {
        h.downgrade(&set(applied), &t(target))
    }

    /// `a ← b ← c ← d`
    fn chain() -> History {
        history(&[("a", &[]), ("b", &["a"]), ("c", &["b"]), ("d", &["c"])])
    }

    /// `a ← b`, then two branches `b ← c1 ← c2` and `b ← d1`, merged by `m`, then `n`.
    fn merged() -> History {
        history(&[
            ("a", &[]),
            ("b", &["a"]),
            ("c1", &["b"]),
            ("c2", &["c1"]),
            ("d1", &["b"]),
            ("m", &["c2", "d1"]),
            ("n", &["m"]),
        ])
    }

    /// `a ← b`, then two unmerged heads `c` and `d`.
    fn forked() -> History {
        history(&[("a", &[]), ("b", &["a"]), ("c", &["b"]), ("d", &["b"])])
    }

    #[test]
    fn chain_upgrades() {
        let h = chain();
        assert_eq!(up(&h, &[], "head"), Ok(rs(&["a", "b", "c", "d"])));
        assert_eq!(up(&h, &["a"], "head"), Ok(rs(&["b", "c", "d"])));
        assert_eq!(up(&h, &[], "heads"), Ok(rs(&["a", "b", "c", "d"])));
        assert_eq!(up(&h, &["a"], "c"), Ok(rs(&["b", "c"])));
        assert_eq!(up(&h, &[], "+1"), Ok(rs(&["a"])));
        assert_eq!(up(&h, &["a"], "+2"), Ok(rs(&["b", "c"])));
        assert_eq!(up(&h, &["a"], "+3"), Ok(rs(&["b", "c", "d"])));
        assert_eq!(up(&h, &[], "a+2"), Ok(rs(&["a", "b", "c"])));
        assert_eq!(up(&h, &["a", "b"], "b+1"), Ok(rs(&["c"])));
        assert_eq!(up(&h, &["a"], "d-1"), Ok(rs(&["b", "c"])));
        // No-ops: already there, or past it.
        assert_eq!(up(&h, &["a", "b", "c", "d"], "head"), Ok(vec![]));
        assert_eq!(up(&h, &["a", "b", "c", "d"], "heads"), Ok(vec![]));
        assert_eq!(up(&h, &["a", "b", "c"], "b"), Ok(vec![]));
        assert_eq!(up(&h, &["a", "b", "c"], "c"), Ok(vec![]));
        assert_eq!(up(&h, &["a", "b"], "a+1"), Ok(vec![]));
        assert_eq!(h.current(&set(&["a", "b"])), rs(&["b"]));
        assert_eq!(h.current(&set(&[])), rs(&[]));
    }

    #[test]
    fn chain_upgrade_errors() {
        let h = chain();
        assert_eq!(
            up(&h, &["a"], "+4"),
            Err(PlanError::NotEnoughPending {
                requested: 4,
                pending: 3
            })
        );
        assert_eq!(
            up(&h, &["a"], "+4").unwrap_err().to_string(),
            "cannot upgrade by 4: only 3 revisions are not applied yet; upgrade to `heads` to \
             apply them all."
        );
        assert_eq!(
            up(&h, &["a", "b", "c", "d"], "+1").unwrap_err().to_string(),
            "cannot upgrade by 1: every revision is already applied; upgrade to `heads` to apply \
             them all."
        );
        assert_eq!(
            up(&h, &["a", "b", "c"], "+2").unwrap_err().to_string(),
            "cannot upgrade by 2: only 1 revision is not applied yet; upgrade to `heads` to \
             apply them all."
        );
        let err = up(&h, &[], "b+3").unwrap_err();
        assert_eq!(
            err,
            PlanError::PastHead {
                target: t("b+3"),
                from: r("b"),
                head: r("d"),
                taken: 2
            }
        );
        assert_eq!(
            err.to_string(),
            "`b+3` goes past the head `d`, 2 steps after `b`; ask for fewer steps."
        );
        assert_eq!(
            up(&h, &[], "d+1").unwrap_err().to_string(),
            "`d+1` goes past the head `d`; ask for fewer steps."
        );
        assert_eq!(
            up(&h, &[], "b-2").unwrap_err().to_string(),
            "`b-2` goes back past the root `a`, 1 step before `b`; ask for fewer steps."
        );
        for target in ["base", "-1"] {
            assert_eq!(
                up(&h, &["a"], target),
                Err(PlanError::UpgradeToDowngradeTarget(t(target)))
            );
        }
        assert_eq!(
            up(&h, &["a"], "-1").unwrap_err().to_string(),
            "`-1` is a target for a downgrade, not an upgrade; downgrade to `-1` instead."
        );
        assert_eq!(
            up(&h, &["a"], "base").unwrap_err().to_string(),
            "`base` is a target for a downgrade, not an upgrade; downgrade to `base` instead."
        );
    }

    #[test]
    fn chain_downgrades() {
        let h = chain();
        let all = ["a", "b", "c", "d"];
        assert_eq!(down(&h, &all, "base"), Ok(rs(&["d", "c", "b", "a"])));
        assert_eq!(down(&h, &["a", "b"], "base"), Ok(rs(&["b", "a"])));
        assert_eq!(down(&h, &all, "b"), Ok(rs(&["d", "c"])));
        assert_eq!(down(&h, &all, "a"), Ok(rs(&["d", "c", "b"])));
        assert_eq!(down(&h, &all, "-1"), Ok(rs(&["d"])));
        assert_eq!(down(&h, &all, "-3"), Ok(rs(&["d", "c", "b"])));
        assert_eq!(down(&h, &all, "-4"), Ok(rs(&["d", "c", "b", "a"])));
        assert_eq!(down(&h, &["a", "b"], "-1"), Ok(rs(&["b"])));
        assert_eq!(down(&h, &all, "d-2"), Ok(rs(&["d", "c"])));
        assert_eq!(down(&h, &all, "a+1"), Ok(rs(&["d", "c"])));
        // One step back from the root means before it: the root goes too.
        assert_eq!(down(&h, &all, "b-2"), Ok(rs(&["d", "c", "b", "a"])));
        assert_eq!(down(&h, &all, "a-1"), Ok(rs(&["d", "c", "b", "a"])));
        assert_eq!(down(&h, &[], "a-1"), Ok(vec![]));
        // No-ops.
        assert_eq!(down(&h, &[], "base"), Ok(vec![]));
        assert_eq!(down(&h, &all, "d"), Ok(vec![]));
        assert_eq!(down(&h, &["a", "b"], "b"), Ok(vec![]));
    }

    #[test]
    fn chain_downgrade_errors() {
        let h = chain();
        assert_eq!(
            down(&h, &["a", "b"], "-3"),
            Err(PlanError::NotEnoughApplied {
                requested: 3,
                applied: 2
            })
        );
        assert_eq!(
            down(&h, &["a", "b"], "-3").unwrap_err().to_string(),
            "cannot downgrade by 3: only 2 revisions are applied; downgrade to `base` to revert \
             them all."
        );
        assert_eq!(
            down(&h, &[], "-1").unwrap_err().to_string(),
            "cannot downgrade by 1: nothing is applied; downgrade to `base` to revert them all."
        );
        let err = down(&h, &["a", "b"], "c").unwrap_err();
        assert_eq!(
            err,
            PlanError::NotApplied {
                revision: r("c"),
                current: rs(&["b"])
            }
        );
        assert_eq!(
            err.to_string(),
            "cannot downgrade to `c`: it is not applied, so nothing of it can be reverted (the \
             database is at `b`); upgrade to `c` to apply it."
        );
        assert_eq!(
            down(&h, &[], "a").unwrap_err().to_string(),
            "cannot downgrade to `a`: it is not applied, so nothing of it can be reverted \
             (nothing is applied); upgrade to `a` to apply it."
        );
        assert_eq!(
            down(&h, &["a", "b", "c", "d"], "c-4")
                .unwrap_err()
                .to_string(),
            "`c-4` goes back past the root `a`, 2 steps before `c`; ask for fewer steps, or \
             downgrade to `base` to revert everything."
        );
        for target in ["head", "heads", "+1"] {
            assert_eq!(
                down(&h, &["a"], target),
                Err(PlanError::DowngradeToUpgradeTarget(t(target)))
            );
        }
        assert_eq!(
            down(&h, &["a"], "+1").unwrap_err().to_string(),
            "`+1` is a target for an upgrade, not a downgrade; upgrade to `+1` instead."
        );
    }

    #[test]
    fn merge_upgrades_apply_both_branches() {
        let h = merged();
        assert_eq!(
            up(&h, &[], "head"),
            Ok(rs(&["a", "b", "c1", "c2", "d1", "m", "n"]))
        );
        assert_eq!(up(&h, &["a", "b"], "m"), Ok(rs(&["c1", "c2", "d1", "m"])));
        assert_eq!(up(&h, &["a", "b", "d1"], "m"), Ok(rs(&["c1", "c2", "m"])));
        assert_eq!(up(&h, &["a", "b"], "c2"), Ok(rs(&["c1", "c2"])));
        assert_eq!(
            up(&h, &["a", "b"], "c1+2"),
            Ok(rs(&["c1", "c2", "d1", "m"]))
        );
        assert_eq!(up(&h, &["a", "b"], "+2"), Ok(rs(&["c1", "c2"])));
        assert_eq!(up(&h, &["a", "b", "c1"], "n-1"), Ok(rs(&["c2", "d1", "m"])));
        assert_eq!(
            h.current(&set(&["a", "b", "c1", "c2", "d1"])),
            rs(&["c2", "d1"])
        );
        assert_eq!(h.current(&set(&["a", "b", "c1", "d1"])), rs(&["c1", "d1"]));
    }

    #[test]
    fn merge_downgrades_revert_only_what_must_go() {
        let h = merged();
        let all = ["a", "b", "c1", "c2", "d1", "m", "n"];
        // Below the merge on one branch: the merge and that branch's tail, not the other.
        assert_eq!(down(&h, &all, "c1"), Ok(rs(&["n", "m", "c2"])));
        assert_eq!(down(&h, &all, "d1"), Ok(rs(&["n", "m"])));
        assert_eq!(down(&h, &all, "m"), Ok(rs(&["n"])));
        assert_eq!(down(&h, &all, "b"), Ok(rs(&["n", "m", "d1", "c2", "c1"])));
        assert_eq!(down(&h, &all, "c2-1"), Ok(rs(&["n", "m", "c2"])));
        assert_eq!(down(&h, &all, "-2"), Ok(rs(&["n", "m"])));
        let at_merge = ["a", "b", "c1", "c2", "d1", "m"];
        assert_eq!(down(&h, &at_merge, "-1"), Ok(rs(&["m"])));
        assert_eq!(down(&h, &at_merge, "-2"), Ok(rs(&["m", "d1"])));
        // Only one branch applied: the other is not touched.
        assert_eq!(
            down(&h, &["a", "b", "c1", "c2"], "b"),
            Ok(rs(&["c2", "c1"]))
        );
        assert_eq!(h.current(&set(&["a", "b", "c1", "d1"])), rs(&["c1", "d1"]));
    }

    #[test]
    fn merge_steps_are_ambiguous() {
        let h = merged();
        let err = up(&h, &[], "b+1").unwrap_err();
        assert_eq!(
            err,
            PlanError::AmbiguousChildren {
                target: t("b+1"),
                revision: r("b"),
                children: rs(&["c1", "d1"])
            }
        );
        assert_eq!(
            err.to_string(),
            "`b+1` is ambiguous: `b` has 2 children, `c1` and `d1`; name the one to follow as \
             the target instead."
        );
        assert_eq!(
            down(&h, &["a"], "a+2").unwrap_err(),
            PlanError::AmbiguousChildren {
                target: t("a+2"),
                revision: r("b"),
                children: rs(&["c1", "d1"])
            }
        );
        let all = ["a", "b", "c1", "c2", "d1", "m", "n"];
        let err = down(&h, &all, "n-2").unwrap_err();
        assert_eq!(
            err,
            PlanError::AmbiguousParents {
                target: t("n-2"),
                revision: r("m"),
                parents: rs(&["c2", "d1"])
            }
        );
        assert_eq!(
            err.to_string(),
            "`n-2` is ambiguous: `m` is a merge of `c2` and `d1`; name the one to follow as the \
             target instead."
        );
    }

    #[test]
    fn two_heads() {
        let h = forked();
        let err = up(&h, &[], "head").unwrap_err();
        assert_eq!(
            err,
            PlanError::MultipleHeads {
                heads: rs(&["c", "d"])
            }
        );
        assert_eq!(
            err.to_string(),
            "`head` is ambiguous: there are 2 heads, `c` and `d`; upgrade to `heads` to apply \
             every branch, or name one revision (`retort merge` joins the heads into one)."
        );
        assert_eq!(up(&h, &[], "heads"), Ok(rs(&["a", "b", "c", "d"])));
        assert_eq!(up(&h, &["a", "b", "c"], "heads"), Ok(rs(&["d"])));
        assert_eq!(up(&h, &["a"], "d"), Ok(rs(&["b", "d"])));
        assert_eq!(up(&h, &["a", "b"], "+1"), Ok(rs(&["c"])));
        assert_eq!(h.heads(), rs(&["c", "d"]));
        assert_eq!(h.current(&set(&["a", "b", "c", "d"])), rs(&["c", "d"]));
        assert_eq!(down(&h, &["a", "b", "c", "d"], "b"), Ok(rs(&["d", "c"])));
        assert_eq!(down(&h, &["a", "b", "c", "d"], "-1"), Ok(rs(&["d"])));
        assert_eq!(down(&h, &["a", "b", "c"], "-1"), Ok(rs(&["c"])));
        // `head` stays an error when every head is applied: it names no single revision.
        assert_eq!(
            up(&h, &["a", "b", "c", "d"], "head"),
            Err(PlanError::MultipleHeads {
                heads: rs(&["c", "d"])
            })
        );
    }

    #[test]
    fn several_roots() {
        let h = history(&[("a", &[]), ("x", &[]), ("b", &["a"]), ("y", &["x"])]);
        assert_eq!(h.revisions(), rs(&["a", "x", "b", "y"]).as_slice());
        assert_eq!(h.roots(), rs(&["a", "x"]));
        let all = ["a", "b", "x", "y"];
        assert_eq!(up(&h, &[], "heads"), Ok(rs(&["a", "x", "b", "y"])));
        assert_eq!(up(&h, &[], "y"), Ok(rs(&["x", "y"])));
        assert_eq!(down(&h, &all, "base"), Ok(rs(&["y", "b", "x", "a"])));
        // Before the root `x`: its line goes, the other stays.
        assert_eq!(down(&h, &all, "y-2"), Ok(rs(&["y", "x"])));
        assert_eq!(down(&h, &all, "x-1"), Ok(rs(&["y", "x"])));
    }

    #[test]
    fn prefixes() {
        let h = history(&[
            ("ae1", &[]),
            ("ae10", &["ae1"]),
            ("ae1f", &["ae10"]),
            ("b2c", &["ae1f"]),
        ]);
        assert_eq!(h.resolve("ae1"), Ok(r("ae1")));
        assert_eq!(h.resolve("ae10"), Ok(r("ae10")));
        assert_eq!(h.resolve("ae1f"), Ok(r("ae1f")));
        assert_eq!(h.resolve("b"), Ok(r("b2c")));
        assert_eq!(h.resolve("b2c"), Ok(r("b2c")));
        let err = h.resolve("ae").unwrap_err();
        assert_eq!(
            err,
            PlanError::AmbiguousPrefix {
                prefix: "ae".into(),
                candidates: rs(&["ae1", "ae10", "ae1f"])
            }
        );
        assert_eq!(
            err.to_string(),
            "`ae` is ambiguous: revisions `ae1`, `ae10` and `ae1f` all start with it; type more \
             of the id."
        );
        let err = h.resolve("zz").unwrap_err();
        assert_eq!(
            err,
            PlanError::UnknownRevision {
                prefix: "zz".into(),
                heads: rs(&["b2c"])
            }
        );
        assert_eq!(
            err.to_string(),
            "no revision id is or starts with `zz`; the head is `b2c`."
        );
        // Case matters, as in file names and the version table.
        assert!(h.resolve("AE1").is_err());
        assert!(h.resolve("").is_err());
        // Targets resolve prefixes the same way.
        assert_eq!(up(&h, &[], "ae10"), Ok(rs(&["ae1", "ae10"])));
        assert_eq!(up(&h, &[], "b-1"), Ok(rs(&["ae1", "ae10", "ae1f"])));
        assert_eq!(
            up(&h, &[], "ae+1").unwrap_err(),
            PlanError::AmbiguousPrefix {
                prefix: "ae".into(),
                candidates: rs(&["ae1", "ae10", "ae1f"])
            }
        );
        let all = ["ae1", "ae10", "ae1f", "b2c"];
        assert_eq!(down(&h, &all, "ae1"), Ok(rs(&["b2c", "ae1f", "ae10"])));
        assert_eq!(
            down(&h, &all, "x-1").unwrap_err().to_string(),
            "no revision id is or starts with `x`; the head is `b2c`."
        );
        // Several heads are named; an empty history says there is nothing.
        assert_eq!(
            forked().resolve("q").unwrap_err().to_string(),
            "no revision id is or starts with `q`; the heads are `c` and `d`."
        );
        let empty = History::new([]).unwrap();
        assert_eq!(
            empty.resolve("q").unwrap_err().to_string(),
            "no revision id is or starts with `q`; there are no revisions."
        );
        assert_eq!(empty.upgrade(&set(&[]), &Target::Head), Ok(vec![]));
        assert_eq!(empty.upgrade(&set(&[]), &Target::Heads), Ok(vec![]));
        assert_eq!(empty.downgrade(&set(&[]), &Target::Base), Ok(vec![]));
    }

    #[test]
    fn long_lists_are_cut_short() {
        let spec: Vec<(Revision, Vec<Revision>)> =
            (0..25).map(|i| (r(&format!("r{i:02}")), vec![])).collect();
        let h = History::new(spec).unwrap();
        assert_eq!(
            h.resolve("r").unwrap_err().to_string(),
            "`r` is ambiguous: revisions `r00`, `r01`, `r02`, `r03`, `r04`, `r05`, `r06`, `r07`, \
             `r08` and 16 more all start with it; type more of the id."
        );
    }

    #[test]
    fn database_ahead_of_the_build() {
        // The build knows `a ← b`; the version table also has `c` and `d` from a newer build.
        let set_nodes = [(r("a"), vec![]), (r("b"), rs(&["a"]))];
        let rows = [
            (r("a"), vec![]),
            (r("b"), rs(&["a"])),
            (r("c"), rs(&["b"])),
            (r("d"), rs(&["c"])),
        ];
        let h = History::new(set_nodes.iter().cloned().chain(rows.iter().cloned())).unwrap();
        assert_eq!(h.revisions(), rs(&["a", "b", "c", "d"]).as_slice());
        let applied = ["a", "b", "c", "d"];
        assert_eq!(h.current(&set(&applied)), rs(&["d"]));
        assert_eq!(up(&h, &applied, "head"), Ok(vec![]));
        assert_eq!(down(&h, &applied, "b"), Ok(rs(&["d", "c"])));
        assert_eq!(down(&h, &applied, "-1"), Ok(rs(&["d"])));

        // The build has moved on along another line: `x` after `b`, while the database has `c`.
        let set_nodes = [(r("a"), vec![]), (r("b"), rs(&["a"])), (r("x"), rs(&["b"]))];
        let rows = [(r("a"), vec![]), (r("b"), rs(&["a"])), (r("c"), rs(&["b"]))];
        let h = History::new(set_nodes.iter().cloned().chain(rows.iter().cloned())).unwrap();
        let applied = ["a", "b", "c"];
        assert_eq!(
            up(&h, &applied, "head"),
            Err(PlanError::MultipleHeads {
                heads: rs(&["x", "c"])
            })
        );
        assert_eq!(up(&h, &applied, "heads"), Ok(rs(&["x"])));
        assert_eq!(up(&h, &applied, "x"), Ok(rs(&["x"])));
        assert_eq!(down(&h, &applied, "b"), Ok(rs(&["c"])));
    }

    #[test]
    fn from_a_migration_set() {
        use crate::{Migration, MigrationParts};
        let m = |rev: &str, parents: &[&str]| {
            Migration::new(MigrationParts {
                revision: r(rev),
                down_revisions: rs(parents),
                message: String::new(),
                up_sql: String::new(),
                down_sql: Some(String::new()),
                irreversible: None,
                transactional: true,
                path: format!("migrations/{rev}.sql"),
                up_line: 1,
                down_line: 2,
                environments: Vec::new(),
            })
        };
        let set = MigrationSet::from_ordered(vec![m("z", &[]), m("a", &["z"])]).unwrap();
        let h = History::from_set(&set).unwrap();
        assert_eq!(h.revisions(), rs(&["z", "a"]).as_slice());
        assert_eq!(h.upgrade(&set_of(&[]), &Target::Head), Ok(rs(&["z", "a"])));

        fn set_of(list: &[&str]) -> HashSet<Revision> {
            super::tests::set(list)
        }
    }

    #[test]
    fn building_fails_on_conflicts_dangling_parents_and_cycles() {
        // The same revision with the same parents (any order) is fine.
        let ok = History::new([
            (r("a"), vec![]),
            (r("b"), vec![]),
            (r("m"), rs(&["a", "b"])),
            (r("m"), rs(&["b", "a"])),
            (r("a"), vec![]),
        ])
        .unwrap();
        assert_eq!(ok.len(), 3);

        let err = History::new([
            (r("a"), vec![]),
            (r("b"), rs(&["a"])),
            (r("c"), rs(&["b"])),
            (r("c"), rs(&["a"])),
        ])
        .unwrap_err();
        assert_eq!(
            err,
            PlanError::ConflictingParents {
                revision: r("c"),
                first: rs(&["b"]),
                second: rs(&["a"])
            }
        );
        assert_eq!(
            err.to_string(),
            "revision `c` is given twice with different parents (parent `b` and parent `a`): its \
             migration file and the version table disagree; make the file's `down_revision` \
             match what was applied."
        );
        let err = History::new([(r("a"), vec![]), (r("a"), rs(&["b"]))]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "revision `a` is given twice with different parents (no parent and parent `b`): its \
             migration file and the version table disagree; make the file's `down_revision` \
             match what was applied."
        );

        let err = History::new([(r("a"), vec![]), (r("b"), rs(&["zz"]))]).unwrap_err();
        assert_eq!(
            err,
            PlanError::DanglingParent {
                revision: r("b"),
                parent: r("zz")
            }
        );
        assert_eq!(
            err.to_string(),
            "revision `b` names `zz` as its parent, but neither a migration nor the version \
             table has a revision `zz`; fix the `down_revision` of `b`."
        );

        let err = History::new([
            (r("a"), vec![]),
            (r("b"), rs(&["a", "c"])),
            (r("c"), rs(&["b"])),
        ])
        .unwrap_err();
        assert_eq!(err, PlanError::Cycle(rs(&["c", "b"])));
        assert_eq!(
            err.to_string(),
            "revisions `c` and `b` form a cycle (each is the parent of the next, and the last \
             the parent of the first); fix their `down_revision` so that the history has a \
             beginning."
        );
    }

    #[test]
    fn corrupt_applied_sets_are_refused() {
        let h = chain();
        let err = up(&h, &["a", "c"], "head").unwrap_err();
        assert_eq!(
            err,
            PlanError::AppliedWithoutParent {
                revision: r("c"),
                parent: r("b")
            }
        );
        assert_eq!(
            err.to_string(),
            "revision `c` is recorded as applied but its parent `b` is not, so the version table \
             is inconsistent; check the database schema by hand and correct the version table \
             before upgrading or downgrading."
        );
        assert_eq!(down(&h, &["a", "c"], "base"), Err(err.clone()));
        assert_eq!(down(&h, &["a", "c"], "-1"), Err(err.clone()));
        assert_eq!(h.check_applied(&set(&["a", "c"])), Err(err));
        assert_eq!(
            down(&h, &["b", "c", "d"], "a").unwrap_err(),
            PlanError::AppliedWithoutParent {
                revision: r("b"),
                parent: r("a")
            }
        );
        // A merge needs both parents.
        assert_eq!(
            up(&merged(), &["a", "b", "c1", "c2", "m"], "head").unwrap_err(),
            PlanError::AppliedWithoutParent {
                revision: r("m"),
                parent: r("d1")
            }
        );
        let err = up(&h, &["a", "zz", "yy"], "head").unwrap_err();
        assert_eq!(err, PlanError::UnknownApplied(rs(&["yy", "zz"])));
        assert_eq!(
            err.to_string(),
            "revisions `yy` and `zz` are recorded as applied but not in the history being \
             planned over; build the history from the migrations and every row of the version \
             table."
        );
        assert_eq!(
            h.check_applied(&set(&["zz"])).unwrap_err().to_string(),
            "revision `zz` is recorded as applied but not in the history being planned over; \
             build the history from the migrations and every row of the version table."
        );
        // `current` does not judge: it reports the heads of what is recorded.
        assert_eq!(h.current(&set(&["a", "c", "zz"])), rs(&["a", "c"]));
        assert_eq!(h.check_applied(&set(&["a", "b"])), Ok(()));
    }

    #[test]
    fn ancestors_and_descendants() {
        let h = merged();
        assert_eq!(h.ancestors_of("m"), Some(rs(&["a", "b", "c1", "c2", "d1"])));
        assert_eq!(h.ancestors_of("a"), Some(vec![]));
        assert_eq!(h.descendants_of("c1"), Some(rs(&["c2", "m", "n"])));
        assert_eq!(h.descendants_of("n"), Some(vec![]));
        assert_eq!(h.ancestors_of("zz"), None);
        assert_eq!(h.descendants_of("c"), None);
        assert_eq!(h.parents("m"), Some(rs(&["c2", "d1"])));
        assert_eq!(h.children("b"), Some(rs(&["c1", "d1"])));
        assert!(h.contains("c1") && !h.contains("c"));
    }

    #[test]
    fn zero_steps_are_no_steps() {
        let h = chain();
        let applied = set(&["a", "b"]);
        assert_eq!(h.upgrade(&applied, &Target::Relative(0)), Ok(vec![]));
        assert_eq!(h.downgrade(&applied, &Target::Relative(0)), Ok(vec![]));
        assert_eq!(
            h.upgrade(&applied, &Target::RevisionRelative("c".into(), 0)),
            Ok(rs(&["c"]))
        );
        assert_eq!(
            h.downgrade(&applied, &Target::RevisionRelative("a".into(), 0)),
            Ok(rs(&["b"]))
        );
        assert_eq!(
            h.upgrade(&applied, &Target::Relative(i64::MIN)),
            Err(PlanError::UpgradeToDowngradeTarget(Target::Relative(
                i64::MIN
            )))
        );
        assert_eq!(
            h.downgrade(&applied, &Target::Relative(i64::MIN)),
            Err(PlanError::NotEnoughApplied {
                requested: 1 << 63,
                applied: 2
            })
        );
    }

    #[test]
    fn ten_thousand_revisions_plan_correctly() {
        // A chain of 10,000 with a side branch every 100 revisions, merged back 3 later.
        const N: usize = 10_000;
        let mut nodes: Vec<(Revision, Vec<Revision>)> = Vec::with_capacity(N + N / 100);
        let mut main = Vec::with_capacity(N);
        for i in 0..N {
            let rev = r(&format!("r{i:05}"));
            let mut parents = main.last().cloned().into_iter().collect::<Vec<_>>();
            if i % 100 == 3 && i > 100 {
                parents.push(r(&format!("s{:05}", i - 3)));
            }
            nodes.push((rev.clone(), parents));
            if i % 100 == 0 && i > 0 {
                nodes.push((r(&format!("s{i:05}")), vec![rev.clone()]));
            }
            main.push(rev);
        }
        let total = nodes.len();
        let head = main.last().unwrap().clone();

        let h = History::new(nodes).unwrap();
        let none = HashSet::new();
        let plan = h.upgrade(&none, &Target::Head).unwrap();
        assert_eq!(plan.len(), total);
        assert_eq!(plan.first(), Some(&main[0]));
        assert_eq!(plan.last(), Some(&head));
        let all: HashSet<Revision> = plan.iter().cloned().collect();
        assert_eq!(h.current(&all), vec![head.clone()]);
        assert!(h.upgrade(&all, &Target::Heads).unwrap().is_empty());
        let undo = h.downgrade(&all, &Target::Base).unwrap();
        assert_eq!(undo.len(), total);
        assert_eq!(undo.first(), Some(&head));
        assert_eq!(undo.last(), Some(&main[0]));
        // Everything but `r00000` to `r00050`: the side branches all start later.
        assert_eq!(h.downgrade(&all, &t("r00050")).unwrap().len(), total - 51);
        assert_eq!(h.downgrade(&all, &t("-5000")).unwrap().len(), 5000);
        assert_eq!(h.upgrade(&none, &t("+5000")).unwrap().len(), 5000);
        assert_eq!(
            h.resolve("r0999"),
            Err(PlanError::AmbiguousPrefix {
                prefix: "r0999".into(),
                candidates: (0..10).map(|i| r(&format!("r0999{i}"))).collect(),
            })
        );
        // `r00000+99` walks the chain; a step from a fork point is ambiguous.
        assert_eq!(h.upgrade(&none, &t("r00000+99")).unwrap().len(), 100);
        assert!(h.upgrade(&none, &t("r00001+9998")).is_err());
        assert_eq!(
            h.downgrade(&all, &t("r09999-9")).unwrap(),
            main[N - 9..].iter().rev().cloned().collect::<Vec<_>>()
        );

        // 9,999 heads over one root: as fast as one head.
        let fan = History::new((0..N).map(|i| {
            let parents = if i == 0 {
                vec![]
            } else {
                vec![main[0].clone()]
            };
            (main[i].clone(), parents)
        }))
        .unwrap();
        assert_eq!(fan.heads().len(), N - 1);
        let plan = fan.upgrade(&none, &Target::Heads).unwrap();
        assert_eq!(plan, main);
        let all: HashSet<Revision> = plan.iter().cloned().collect();
        assert_eq!(fan.current(&all).len(), N - 1);
        assert_eq!(fan.downgrade(&all, &t("r00000")).unwrap().len(), N - 1);
        assert!(matches!(
            fan.upgrade(&none, &Target::Head),
            Err(PlanError::MultipleHeads { heads }) if heads.len() == N - 1
        ));
    }
}
