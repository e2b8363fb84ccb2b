//! Squash checkpoints: a root revision whose header says `replaces: <first>..<last>`, whose up
//! builds the schema at `<last>` from nothing, standing for `<last>` and every revision it
//! descends from (the *range*, `<first>` its root).
//!
//! A database takes one of two paths, decided from its version table alone:
//!
//! - **squashed**: nothing of the range is recorded (a fresh database), or the checkpoint is,
//!   or the range's last revision is (the whole range was applied): the history is planned
//!   without the range, the checkpoint's child follows the checkpoint, and rows of the range
//!   read as the checkpoint's (it is applied, without running anything);
//! - **original**: the database stopped inside the range: the history is planned without the
//!   checkpoint, over the old files, until the range's last revision is applied; from then on
//!   it is on the squashed path.
//!
//! The old files may be deleted once every database has reached the range's end: a child of
//! `<last>` then names the checkpoint in its place. A database still inside the range with no
//! files left for it is an error ([`CheckpointError::RangeDeleted`]).

use std::collections::{HashMap, HashSet};

use crate::codes::Code;
use crate::{Migration, MigrationSet, Revision};

/// A version-table row as the path decision reads it.
#[derive(Clone, Debug)]
pub struct RowRef<'a> {
    /// Its revision.
    pub revision: &'a Revision,
    /// Its parents as recorded.
    pub parents: &'a [Revision],
    /// Whether it is fully applied (not interrupted).
    pub applied: bool,
}

/// The set to plan over for one database, and how its rows read.
#[derive(Clone, Debug)]
pub struct View {
    /// The migrations to plan over: each checkpoint or its range, not both.
    pub set: MigrationSet,
    /// Rows of a replaced range that stand for a checkpoint: row revision → checkpoint.
    pub folded: HashMap<Revision, Revision>,
}

/// Why a database cannot be planned over a set with a checkpoint.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// The database stopped inside a replaced range whose files this build no longer has.
    #[error(
        "the database is inside the range `{first}..{last}` that checkpoint `{checkpoint}` \
         replaces (it has {}), and this build no longer has the range's files; upgrade it to \
         `{last}` with a build that still has them, then with this one.",
        list(.at)
    )]
    RangeDeleted {
        /// The checkpoint.
        checkpoint: Revision,
        /// The range's root.
        first: Revision,
        /// The range's last revision.
        last: Revision,
        /// The range's revisions the database has.
        at: Vec<Revision>,
    },
}

impl CheckpointError {
    /// The kind of problem, as `retort explain` names it.
    pub fn code(&self) -> Code {
        match self {
            CheckpointError::RangeDeleted { .. } => Code::DbInsideSquashedRange,
        }
    }
}

fn list(revs: &[Revision]) -> String {
    let shown: Vec<String> = revs.iter().take(5).map(|r| format!("`{r}`")).collect();
    let more = revs.len().saturating_sub(5);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// The revisions of `set` that `last` stands for: `last` and its ancestors in the set
/// (empty when `last` is not in the set).
pub fn range_in_set(set: &MigrationSet, last: &Revision) -> HashSet<Revision> {
    let mut seen = HashSet::new();
    let mut stack = vec![last.clone()];
    while let Some(r) = stack.pop() {
        if let Some(m) = set.get(r.as_str())
            && seen.insert(r)
        {
            stack.extend(m.down_revisions().iter().cloned());
        }
    }
    seen
}

/// The set to plan over for a database with `rows`, or `None` when the set has no
/// checkpoint (plan over it as it is).
pub fn view(set: &MigrationSet, rows: &[RowRef<'_>]) -> Result<Option<View>, CheckpointError> {
    let checkpoints: Vec<Migration> = set
        .iter()
        .filter(|m| m.replaces().is_some())
        .cloned()
        .collect();
    if checkpoints.is_empty() {
        return Ok(None);
    }
    let mut current = set.clone();
    let mut folded: HashMap<Revision, Revision> = HashMap::new();
    for c in &checkpoints {
        let Some(rep) = c.replaces() else { continue };
        let in_set = range_in_set(&current, &rep.last);
        // Rows of the range: named in the set's range, or the range's ends, or rows unknown
        // to the set that follow one of those.
        let mut member: HashSet<&Revision> = HashSet::new();
        loop {
            let before = member.len();
            for r in rows {
                if member.contains(r.revision) {
                    continue;
                }
                let named = in_set.contains(r.revision)
                    || *r.revision == rep.first
                    || *r.revision == rep.last;
                let follows = current.get(r.revision.as_str()).is_none()
                    && r.parents.iter().any(|p| member.contains(p));
                if named || follows {
                    member.insert(r.revision);
                }
            }
            if member.len() == before {
                break;
            }
        }
        let c_row = rows.iter().any(|r| r.revision == c.revision());
        let last_applied = rows.iter().any(|r| *r.revision == rep.last && r.applied);
        let squashed = c_row || member.is_empty() || last_applied;
        if !squashed && in_set.is_empty() {
            let mut at: Vec<Revision> = member.into_iter().cloned().collect();
            at.sort();
            return Err(CheckpointError::RangeDeleted {
                checkpoint: c.revision().clone(),
                first: rep.first.clone(),
                last: rep.last.clone(),
                at,
            });
        }
        let mut out: Vec<Migration> = Vec::with_capacity(current.len());
        if squashed {
            for r in member {
                folded.insert(r.clone(), c.revision().clone());
            }
            let mut placed = false;
            for m in current.iter() {
                if in_set.contains(m.revision()) || m.revision() == c.revision() {
                    if !placed {
                        out.push(c.clone());
                        placed = true;
                    }
                    continue;
                }
                if m.down_revisions().iter().any(|p| in_set.contains(p)) {
                    let mut parents: Vec<Revision> = Vec::new();
                    for p in m.down_revisions() {
                        let p = if in_set.contains(p) {
                            c.revision().clone()
                        } else {
                            p.clone()
                        };
                        if !parents.contains(&p) {
                            parents.push(p);
                        }
                    }
                    out.push(m.clone().with_down_revisions(parents));
                } else {
                    out.push(m.clone());
                }
            }
        } else {
            out.extend(
                current
                    .iter()
                    .filter(|m| m.revision() != c.revision())
                    .cloned(),
            );
        }
        // Parents still come first: the checkpoint takes the place of the range's first
        // revision (or keeps its own, if earlier), and nothing else moved.
        current = match MigrationSet::from_ordered(out) {
            Ok(s) => s,
            Err(_) => return Ok(None),
        };
    }
    Ok(Some(View {
        set: current,
        folded,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MigrationParts, Replaces};

    fn r(s: &str) -> Revision {
        Revision::parse(s).unwrap()
    }

    fn m(rev: &str, parent: Option<&str>) -> Migration {
        Migration::new(MigrationParts {
            revision: r(rev),
            down_revisions: parent.map(r).into_iter().collect(),
            message: String::new(),
            up_sql: String::new(),
            down_sql: Some(String::new()),
            irreversible: None,
            transactional: true,
            path: format!("{rev}.sql"),
            up_line: 1,
            down_line: 1,
            environments: Vec::new(),
        })
    }

    fn checkpoint() -> Migration {
        m("c", None).with_replaces(Replaces {
            first: r("1"),
            last: r("3"),
        })
    }

    /// 1 → 2 → 3 → 4, with `c` replacing 1..3 (its file sorting last).
    fn full() -> MigrationSet {
        MigrationSet::from_ordered(vec![
            m("1", None),
            m("2", Some("1")),
            m("3", Some("2")),
            m("4", Some("3")),
            checkpoint(),
        ])
        .unwrap()
    }

    /// The range's files deleted: 4 names `c`.
    fn deleted() -> MigrationSet {
        MigrationSet::from_ordered(vec![checkpoint(), m("4", Some("c"))]).unwrap()
    }

    fn revs(set: &MigrationSet) -> Vec<String> {
        set.iter()
            .map(|m| {
                let ps: Vec<&str> = m.down_revisions().iter().map(|p| p.as_str()).collect();
                format!("{}<{}", m.revision(), ps.join(","))
            })
            .collect()
    }

    fn rows(list: &[(&str, &[&str])]) -> Vec<(Revision, Vec<Revision>)> {
        list.iter()
            .map(|(a, ps)| (r(a), ps.iter().map(|p| r(p)).collect()))
            .collect()
    }

    fn view_of(
        set: &MigrationSet,
        rows: &[(Revision, Vec<Revision>)],
    ) -> Result<View, CheckpointError> {
        let refs: Vec<RowRef<'_>> = rows
            .iter()
            .map(|(a, ps)| RowRef {
                revision: a,
                parents: ps,
                applied: true,
            })
            .collect();
        view(set, &refs).map(|v| v.expect("a checkpoint"))
    }

    #[test]
    fn the_checkpoint_is_no_head_beside_its_range() {
        assert_eq!(full().heads(), vec![&r("4")]);
        assert_eq!(deleted().heads(), vec![&r("4")]);
    }

    #[test]
    fn a_fresh_database_takes_the_checkpoint() {
        let v = view_of(&full(), &[]).unwrap();
        assert_eq!(revs(&v.set), ["c<", "4<c"]);
        assert!(v.folded.is_empty());
        let v = view_of(&deleted(), &[]).unwrap();
        assert_eq!(revs(&v.set), ["c<", "4<c"]);
    }

    #[test]
    fn a_database_inside_the_range_continues_with_the_old_files() {
        let v = view_of(&full(), &rows(&[("1", &[])])).unwrap();
        assert_eq!(revs(&v.set), ["1<", "2<1", "3<2", "4<3"]);
    }

    #[test]
    fn a_database_past_the_range_reads_it_as_the_checkpoint() {
        let applied = rows(&[("1", &[]), ("2", &["1"]), ("3", &["2"]), ("4", &["3"])]);
        for set in [full(), deleted()] {
            let v = view_of(&set, &applied).unwrap();
            assert_eq!(revs(&v.set), ["c<", "4<c"]);
            let mut folded: Vec<&str> = v.folded.keys().map(|k| k.as_str()).collect();
            folded.sort();
            assert_eq!(folded, ["1", "2", "3"]);
        }
    }

    #[test]
    fn a_database_inside_a_deleted_range_is_refused() {
        let err = view_of(&deleted(), &rows(&[("1", &[]), ("2", &["1"])])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the database is inside the range `1..3` that checkpoint `c` replaces (it has `1`, \
             `2`), and this build no longer has the range's files; upgrade it to `3` with a \
             build that still has them, then with this one."
        );
    }
}
