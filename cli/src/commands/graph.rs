//! The read commands over the files alone: `history`, `heads`, `branches`, `show`.

use std::collections::HashSet;

use retort_core::codes::Code;
use retort_core::plan::History;
use retort_core::{Migration, MigrationSet, Revision};

use super::revision::{history_of, resolve};
use super::{Ctx, Outcome, Status, fail};
use crate::cli::{Format, HistoryArgs, ReadArgs, ShowArgs};
use crate::outln;

/// `001, 002` or `<base>`.
fn parents_text(m: &Migration) -> String {
    if m.down_revisions().is_empty() {
        "<base>".to_owned()
    } else {
        m.down_revisions()
            .iter()
            .map(Revision::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// ` (head) (branchpoint) (mergepoint)`.
fn flags(history: &History, m: &Migration) -> String {
    let mut f = String::new();
    let children = history.children(m.revision().as_str()).unwrap_or_default();
    if children.is_empty() {
        f.push_str(" (head)");
    }
    if children.len() > 1 {
        f.push_str(" (branchpoint)");
    }
    if m.down_revisions().len() > 1 {
        f.push_str(" (mergepoint)");
    }
    f
}

/// `001 -> 002 (head), Add user email`.
fn line(history: &History, m: &Migration, current: &HashSet<Revision>) -> String {
    format!(
        "{} -> {}{}{}, {}",
        parents_text(m),
        m.revision(),
        flags(history, m),
        if current.contains(m.revision()) {
            " (current)"
        } else {
            ""
        },
        m.message()
    )
}

/// Alembic's verbose block.
fn block(history: &History, m: &Migration, current: &HashSet<Revision>) -> String {
    let mut s = format!(
        "Rev: {}{}{}\n",
        m.revision(),
        flags(history, m),
        if current.contains(m.revision()) {
            " (current)"
        } else {
            ""
        }
    );
    let parents = parents_text(m);
    if m.down_revisions().len() > 1 {
        s.push_str(&format!("Merges: {parents}\n"));
    } else {
        s.push_str(&format!("Parent: {parents}\n"));
    }
    let children = history.children(m.revision().as_str()).unwrap_or_default();
    if children.len() > 1 {
        let c: Vec<&str> = children.iter().map(Revision::as_str).collect();
        s.push_str(&format!("Branches into: {}\n", c.join(", ")));
    }
    s.push_str(&format!("Path: {}\n", m.path()));
    if !m.is_transactional() {
        s.push_str("Transaction: false (runs statement by statement)\n");
    }
    if let Some(reason) = m.irreversible() {
        s.push_str(&format!("Irreversible: {reason}\n"));
    }
    s.push_str(&format!("\n    {}\n", m.message()));
    s
}

fn json(history: &History, m: &Migration) -> serde_json::Value {
    let children = history.children(m.revision().as_str()).unwrap_or_default();
    serde_json::json!({
        "revision": m.revision().as_str(),
        "down_revisions": m.down_revisions().iter().map(Revision::as_str).collect::<Vec<_>>(),
        "message": m.message(),
        "path": m.path(),
        "head": children.is_empty(),
        "branchpoint": children.len() > 1,
        "mergepoint": m.down_revisions().len() > 1,
        "transactional": m.is_transactional(),
        "irreversible": m.irreversible(),
    })
}

/// The revisions of `-r FROM:TO`: TO's ancestors (and TO) that descend from FROM (or are it).
fn range(
    history: &History,
    set: &MigrationSet,
    text: &str,
    current: &dyn Fn() -> Result<Vec<Revision>, super::Fail>,
) -> Result<HashSet<Revision>, super::Fail> {
    let Some((from, to)) = text.split_once(':') else {
        return Err(fail(
            Status::Usage,
            Code::TargetInvalid,
            format!("`{text}` is not a range"),
            Some("write it FROM:TO, as `-r 002:head`, `-r :003` or `-r base:`".to_owned()),
        ));
    };
    let all: HashSet<Revision> = set.iter().map(|m| m.revision().clone()).collect();
    // Each revision with its descendants (lower bound) or ancestors (upper bound).
    let closure = |revs: Vec<Revision>, down: bool| -> HashSet<Revision> {
        let mut s = HashSet::new();
        for r in revs {
            let more = if down {
                history.descendants_of(r.as_str())
            } else {
                history.ancestors_of(r.as_str())
            };
            s.extend(more.unwrap_or_default());
            s.insert(r);
        }
        s
    };
    let lower = match from {
        "" | "base" => all.clone(),
        // At base everything is above the current state.
        "current" => match current()? {
            c if c.is_empty() => all.clone(),
            c => closure(c, true),
        },
        f => closure(vec![resolve(history, f)?], true),
    };
    let upper = match to {
        "" | "head" | "heads" => all,
        "current" => closure(current()?, false),
        t => closure(vec![resolve(history, t)?], false),
    };
    Ok(lower.intersection(&upper).cloned().collect())
}

/// `retort history [-r FROM:TO] [--verbose] [--format json]`: newest first.
pub fn history(ctx: &Ctx, args: &HistoryArgs) -> Outcome {
    let set = ctx.set()?;
    let h = history_of(&set)?;
    // The database's current revisions, read once and only when asked for.
    let cell: std::cell::OnceCell<Vec<Revision>> = std::cell::OnceCell::new();
    let current = || -> Result<Vec<Revision>, super::Fail> {
        if let Some(c) = cell.get() {
            return Ok(c.clone());
        }
        let mut client = ctx.connect()?;
        let status = retort_runtime::Migrator::new(&set)
            .with_config(ctx.config.clone())
            .status(&mut client)
            .map_err(|e| super::runtime_fail(&e))?;
        Ok(cell.get_or_init(|| status.current).clone())
    };
    let keep = match &args.rev_range {
        Some(r) => Some(range(&h, &set, r, &current)?),
        None => None,
    };
    let marked: HashSet<Revision> = if args.indicate_current {
        current()?.into_iter().collect()
    } else {
        HashSet::new()
    };
    let shown: Vec<&Migration> = set
        .iter()
        .rev()
        .filter(|m| keep.as_ref().is_none_or(|k| k.contains(m.revision())))
        .collect();
    match args.format {
        Format::Json => {
            let doc = serde_json::json!({
                "revisions": shown.iter().map(|m| json(&h, m)).collect::<Vec<_>>(),
            });
            outln!("{doc:#}");
        }
        Format::Text if args.verbose => {
            let blocks: Vec<String> = shown.iter().map(|m| block(&h, m, &marked)).collect();
            outln!("{}", blocks.join("\n").trim_end());
        }
        Format::Text => {
            for m in shown {
                outln!("{}", line(&h, m, &marked));
            }
        }
    }
    Ok(Status::Success)
}

/// `retort heads [--format json]`.
pub fn heads(ctx: &Ctx, args: &ReadArgs) -> Outcome {
    let set = ctx.set()?;
    let h = history_of(&set)?;
    let heads: Vec<&Migration> = h
        .heads()
        .iter()
        .filter_map(|r| set.get(r.as_str()))
        .collect();
    match args.format {
        Format::Json => {
            let doc = serde_json::json!({
                "heads": heads.iter().map(|m| serde_json::json!({
                    "revision": m.revision().as_str(),
                    "message": m.message(),
                    "path": m.path(),
                })).collect::<Vec<_>>(),
            });
            outln!("{doc:#}");
        }
        Format::Text => {
            for m in heads {
                outln!("{} (head), {}", m.revision(), m.message());
            }
        }
    }
    Ok(Status::Success)
}

/// `retort branches`: each branch point and the revisions it branches into.
pub fn branches(ctx: &Ctx) -> Outcome {
    let set = ctx.set()?;
    let h = history_of(&set)?;
    for m in set.iter() {
        let children = h.children(m.revision().as_str()).unwrap_or_default();
        if children.len() > 1 {
            outln!("{}{}, {}", m.revision(), flags(&h, m), m.message());
            for c in children {
                if let Some(cm) = set.get(c.as_str()) {
                    outln!(
                        "    -> {}{}, {}",
                        cm.revision(),
                        flags(&h, cm),
                        cm.message()
                    );
                }
            }
        }
    }
    Ok(Status::Success)
}

/// `retort show REV`: the verbose block and the file.
pub fn show(ctx: &Ctx, args: &ShowArgs) -> Outcome {
    let (report, set) = ctx.load()?;
    let h = history_of(&set)?;
    let rev = resolve(&h, &args.rev)?;
    let Some(m) = set.get(rev.as_str()) else {
        return Err(fail(
            Status::Failure,
            Code::TargetNotFound,
            format!("no revision `{rev}`"),
            None,
        ));
    };
    outln!("{}", block(&h, m, &HashSet::new()));
    let text = report
        .sources
        .iter()
        .find(|(_, s)| s.path() == m.path())
        .map(|(_, s)| s.text().to_owned());
    if let Some(text) = text {
        outln!("{}", text.trim_end());
    }
    Ok(Status::Success)
}
