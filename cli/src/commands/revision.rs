//! `retort revision` and `retort merge`: new files from a template.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use retort_core::codes::Code;
use retort_core::plan::History;
use retort_core::schema::diff::Txn;
use retort_core::{MigrationSet, Revision};

use super::{Ctx, Fail, Outcome, Status, fail, list};
use crate::cli::{MergeArgs, RevisionArgs};
use crate::outln;

/// `YYYYMMDDHHMMSS` of a Unix time, UTC.
pub fn timestamp(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The file-name slug of a message: lower-case letters and digits, `_` between words.
pub fn slug(message: &str) -> String {
    let mut out = String::new();
    for c in message.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    let mut out: String = out.chars().take(40).collect();
    while out.ends_with('_') {
        out.pop();
    }
    out
}

/// Whether an id is taken: a revision of the set, or the start of a file's name.
fn taken(dir: &Path, set: &MigrationSet, id: &str) -> bool {
    if set.get(id).is_some() {
        return true;
    }
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name == format!("{id}.sql") || name.starts_with(&format!("{id}_"))
        })
    })
}

/// The new revision's id: `--rev-id` checked, or the UTC time moved on by a second while
/// taken (so ids stay unique and sorted in creation order).
pub fn new_id(dir: &Path, set: &MigrationSet, chosen: Option<&str>) -> Result<Revision, Fail> {
    if let Some(id) = chosen {
        let rev = Revision::parse(id).map_err(|e| {
            fail(
                Status::Usage,
                Code::CliBadArgument,
                format!("`{id}` cannot be a revision id: {e}"),
                Some("an id is 1 to 32 letters and digits".to_owned()),
            )
        })?;
        if taken(dir, set, id) {
            return Err(fail(
                Status::Failure,
                Code::CliRevisionExists,
                format!("revision `{id}` already exists in {}", dir.display()),
                Some("choose another `--rev-id`, or leave it out for a timestamp".to_owned()),
            ));
        }
        return Ok(rev);
    }
    let mut secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    loop {
        let id = timestamp(secs);
        if !taken(dir, set, &id) {
            return Revision::parse(&id)
                .map_err(|e| fail(Status::Failure, Code::InternalError, e.to_string(), None));
        }
        secs += 1;
    }
}

/// Checks a message: one line, not empty.
pub fn check_message(message: &str) -> Result<String, Fail> {
    let m = message.trim();
    if m.is_empty() || m.contains(['\n', '\r']) {
        return Err(fail(
            Status::Usage,
            Code::CliBadArgument,
            "the message must be one line of text",
            Some("write it as `-m \"Add user email\"`".to_owned()),
        ));
    }
    Ok(m.to_owned())
}

/// The text of a new migration file.
pub fn template(id: &Revision, parents: &[Revision], message: &str, merge: bool) -> String {
    let (up, down) = if merge { ("", "") } else { ("\n", "\n") };
    template_with(id, parents, message, None, Txn::Transactional, up, down)
}

/// The text of a new migration file with `lossy_down` (if any) and `transaction: false` (for
/// [`Txn::NonTransactional`]) in its header and the given sections' SQL.
pub fn template_with(
    id: &Revision,
    parents: &[Revision],
    message: &str,
    lossy_down: Option<&str>,
    txn: Txn,
    up: &str,
    down_sql: &str,
) -> String {
    let down = if parents.is_empty() {
        "none".to_owned()
    } else {
        parents
            .iter()
            .map(Revision::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let lossy = lossy_down.map_or_else(String::new, |r| {
        format!("-- {}: {r}\n", retort_core::schema::LOSSY_DOWN_KEY)
    });
    let txn = match txn {
        Txn::Transactional => "",
        Txn::NonTransactional => "-- transaction: false\n",
    };
    format!(
        "-- revision: {id}\n-- down_revision: {down}\n-- message: {message}\n{txn}{lossy}\n\
         -- migrate:up\n{up}\n-- migrate:down\n{down_sql}"
    )
}

/// Writes a new file `<id>_<slug>.sql` and prints its path.
pub fn write_new(
    dir: &Path,
    display: &str,
    id: &Revision,
    message: &str,
    text: &str,
) -> Result<PathBuf, Fail> {
    let s = slug(message);
    let name = if s.is_empty() {
        format!("{id}.sql")
    } else {
        format!("{id}_{s}.sql")
    };
    let path = dir.join(&name);
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
        .map_err(|e| {
            fail(
                Status::Failure,
                Code::CliWriteFailed,
                format!("cannot write {}: {e}", path.display()),
                None,
            )
        })?;
    let shown = Path::new(display).join(&name);
    Ok(shown)
}

/// The history of a set, for graph queries.
pub fn history_of(set: &MigrationSet) -> Result<History, Fail> {
    History::from_set(set).map_err(|e| fail(Status::Failure, e.code(), e.to_string(), None))
}

/// A revision named by id or unique prefix, or `head` when there is one.
pub fn resolve(history: &History, text: &str) -> Result<Revision, Fail> {
    if text == "head" {
        let heads = history.heads();
        return match heads.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(fail(
                Status::Failure,
                Code::TargetNotFound,
                "there are no revisions yet",
                Some("`retort revision -m MSG` writes one".to_owned()),
            )),
            _ => Err(fail(
                Status::Failure,
                Code::TargetAmbiguous,
                format!(
                    "`head` is ambiguous: there are {} heads, {}",
                    heads.len(),
                    list(&heads)
                ),
                Some("name one of them".to_owned()),
            )),
        };
    }
    history
        .resolve(text)
        .map_err(|e| fail(Status::Failure, e.code(), e.to_string(), None))
}

/// `retort revision -m MSG [--head REV] [--rev-id ID]`.
pub fn revision(ctx: &Ctx, args: &RevisionArgs) -> Outcome {
    let message = check_message(&args.message)?;
    if !ctx.dir.is_dir() {
        return Err(fail(
            Status::Failure,
            Code::LoadMissingDirectory,
            format!("the migration directory `{}` does not exist", ctx.display),
            Some(format!(
                "create it with `retort init {}`, or name the right one with `--dir`",
                ctx.display
            )),
        ));
    }
    let (report, set) = ctx.load()?;
    let history = history_of(&set)?;
    let heads = history.heads();
    let parent = match (&args.head, heads.as_slice()) {
        (Some(h), _) => Some(resolve(&history, h)?),
        (None, []) => None,
        (None, [one]) => Some(one.clone()),
        (None, _) => {
            return Err(fail(
                Status::Failure,
                Code::TargetAmbiguous,
                format!(
                    "there are {} heads, {}: which one should the new revision follow?",
                    heads.len(),
                    list(&heads)
                ),
                Some(format!(
                    "pick one with `--head {}`, or merge them first with `retort merge -m \"Merge\"`",
                    heads[0]
                )),
            ));
        }
    };
    if args.autogenerate {
        return super::autogen::autogenerate(ctx, args, &message, &report, &set, parent, &heads);
    }
    let id = new_id(&ctx.dir, &set, args.rev_id.as_deref())?;
    let parents: Vec<Revision> = parent.into_iter().collect();
    let text = template(&id, &parents, &message, false);
    let path = write_new(&ctx.dir, &ctx.display, &id, &message, &text)?;
    if let Some(p) = parents.first()
        && !heads.contains(p)
    {
        eprintln!(
            "note: `{p}` is not a head: `{id}` starts a new branch (merge it later with `retort merge`)"
        );
    }
    outln!("{}", path.display());
    Ok(Status::Success)
}

/// `retort merge -m MSG [REV…]`.
pub fn merge(ctx: &Ctx, args: &MergeArgs) -> Outcome {
    let message = check_message(&args.message)?;
    let (_, set) = ctx.load()?;
    let history = history_of(&set)?;
    let heads = history.heads();
    let chosen: Vec<Revision> = if args.revs.is_empty() {
        heads.clone()
    } else {
        let mut v: Vec<Revision> = Vec::new();
        for r in &args.revs {
            let rev = resolve(&history, r)?;
            if !heads.contains(&rev) {
                return Err(fail(
                    Status::Failure,
                    Code::CliNotAHead,
                    format!("`{rev}` is not a head; the heads are {}", list(&heads)),
                    Some("a merge joins heads: name heads, or none for all of them".to_owned()),
                ));
            }
            if !v.contains(&rev) {
                v.push(rev);
            }
        }
        v
    };
    if chosen.len() < 2 {
        return Err(fail(
            Status::Failure,
            Code::CliNothingToMerge,
            format!(
                "nothing to merge: {} one head",
                if args.revs.is_empty() {
                    "there is only"
                } else {
                    "you named"
                }
            ),
            Some("a merge needs two heads or more; `retort heads` lists them".to_owned()),
        ));
    }
    let id = new_id(&ctx.dir, &set, args.rev_id.as_deref())?;
    let text = template(&id, &chosen, &message, true);
    let path = write_new(&ctx.dir, &ctx.display, &id, &message, &text)?;
    outln!("{}", path.display());
    Ok(Status::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_civil_time() {
        assert_eq!(timestamp(0), "19700101000000");
        assert_eq!(timestamp(951_782_400), "20000229000000");
        assert_eq!(timestamp(1_764_136_799), "20251126055959");
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Add user email"), "add_user_email");
        assert_eq!(slug("  --Posts: FK!! "), "posts_fk");
        assert_eq!(slug("é"), "");
    }
}
