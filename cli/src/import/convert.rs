//! A [`Source`] as a retort migration file: the version as the revision id, the previous
//! migration as its parent, the name as its message; a `BEGIN; … COMMIT;` wrapper taken out
//! (retort runs each migration in its own transaction, and a `COMMIT` inside would end it
//! early); `transaction: false` for a migration the tool ran outside a transaction;
//! `irreversible:` when the tool has no down migration; `lossy_down:` added later for a down
//! that the schema model shows does not restore the schema.

use retort_core::sql::lex::{TokKind, split, tokenize};

use super::{Source, Tool, Txn};

/// A converted migration, before it is written.
#[derive(Clone, Debug)]
pub struct Converted {
    /// Its revision id.
    pub revision: String,
    /// Its parent (`None` for the first).
    pub parent: Option<String>,
    /// Its message.
    pub message: String,
    /// The file's name, `<revision>_<slug>.sql`.
    pub file_name: String,
    /// The up section.
    pub up: String,
    /// The down section, or why there is none (the `irreversible:` reason).
    pub down: Result<String, String>,
    /// Whether it runs in a transaction.
    pub txn: Txn,
    /// Set when the down does not restore the schema: the `lossy_down:` reason.
    pub lossy_down: Option<String>,
    /// Whether a `BEGIN; … COMMIT;` wrapper was taken out of the up or down section.
    pub unwrapped: bool,
}

impl Converted {
    /// Converts `s`, the migration after `parent`, imported from `tool`.
    pub fn new(tool: Tool, s: &Source, parent: Option<&str>) -> Self {
        let (up, up_wrapped) = unwrap(&s.up);
        let (down, down_wrapped) = match &s.down {
            Some(d) => {
                let (d, w) = unwrap(d);
                (Ok(d), w)
            }
            None => (
                Err(format!(
                    "imported from {}, which has no down migration for it",
                    tool.name()
                )),
                false,
            ),
        };
        // A wrapper means the author wanted one transaction: that is what retort gives.
        let txn = if up_wrapped {
            Txn::Transactional
        } else {
            s.txn
        };
        let message = if s.name.is_empty() {
            s.version.clone()
        } else {
            one_line(&s.name)
        };
        let slug = crate::commands::revision::slug(&message);
        let file_name = if slug.is_empty() {
            format!("{}.sql", s.version)
        } else {
            format!("{}_{slug}.sql", s.version)
        };
        Converted {
            revision: s.version.clone(),
            parent: parent.map(str::to_owned),
            message,
            file_name,
            up,
            down,
            txn,
            lossy_down: None,
            unwrapped: up_wrapped || down_wrapped,
        }
    }

    /// The file's text.
    pub fn text(&self) -> String {
        let mut t = format!(
            "-- revision: {}\n-- down_revision: {}\n-- message: {}\n",
            self.revision,
            self.parent.as_deref().unwrap_or("none"),
            self.message
        );
        if self.txn == Txn::NonTransactional {
            t.push_str("-- transaction: false\n");
        }
        if let Err(why) = &self.down {
            t.push_str(&format!("-- irreversible: {why}\n"));
        }
        if let Some(why) = &self.lossy_down {
            t.push_str(&format!(
                "-- {}: {why}\n",
                retort_core::schema::LOSSY_DOWN_KEY
            ));
        }
        t.push_str("\n-- migrate:up\n");
        push_section(&mut t, &self.up);
        if let Ok(down) = &self.down {
            t.push_str("\n-- migrate:down\n");
            push_section(&mut t, down);
        }
        t
    }
}

fn push_section(t: &mut String, sql: &str) {
    t.push_str(sql);
    if !sql.ends_with('\n') {
        t.push('\n');
    }
}

/// A message on one line.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The section without a `BEGIN; … COMMIT;` around all its statements (each replaced by a
/// comment that says so), and whether there was one.
pub fn unwrap(sql: &str) -> (String, bool) {
    let stmts = split(sql);
    let (Some(first), Some(last)) = (stmts.first(), stmts.last()) else {
        return (sql.to_owned(), false);
    };
    if stmts.len() < 2
        || !is_begin(&sql[first.range.clone()])
        || !is_commit(&sql[last.range.clone()])
    {
        return (sql.to_owned(), false);
    }
    let note = |what: &str| {
        format!("-- {what} (taken out by retort import: the migration runs in a transaction)")
    };
    let mut out = String::with_capacity(sql.len() + 120);
    out.push_str(&sql[..first.range.start]);
    out.push_str(&note("BEGIN"));
    out.push_str(&sql[first.range.end..last.range.start]);
    out.push_str(&note("COMMIT"));
    out.push_str(&sql[last.range.end..]);
    (out, true)
}

/// The statement's words, lower case, without `;`.
fn words(stmt: &str) -> Vec<String> {
    tokenize(stmt)
        .into_iter()
        .filter(|t| !t.is_trivia() && &stmt[t.range.clone()] != ";")
        .map(|t| {
            let s = &stmt[t.range.clone()];
            if t.kind == TokKind::Word {
                s.to_ascii_lowercase()
            } else {
                s.to_owned()
            }
        })
        .collect()
}

/// `BEGIN`, `BEGIN WORK`, `BEGIN TRANSACTION`, `START TRANSACTION`.
fn is_begin(stmt: &str) -> bool {
    let w = words(stmt);
    let w: Vec<&str> = w.iter().map(String::as_str).collect();
    matches!(
        w[..],
        ["begin"] | ["begin", "work" | "transaction"] | ["start", "transaction"]
    )
}

/// `COMMIT`, `END`, with `WORK` or `TRANSACTION`.
fn is_commit(stmt: &str) -> bool {
    let w = words(stmt);
    let w: Vec<&str> = w.iter().map(String::as_str).collect();
    matches!(
        w[..],
        ["commit" | "end"] | ["commit" | "end", "work" | "transaction"]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapper_is_taken_out_and_said() {
        let (sql, w) = unwrap("BEGIN;\nCREATE TABLE t (id int);\nCOMMIT;\n");
        assert!(w);
        assert!(!sql.contains("BEGIN;") && !sql.contains("COMMIT;"), "{sql}");
        assert!(sql.contains("CREATE TABLE t (id int);"));
        assert_eq!(split(&sql).len(), 1, "only the table is left: {sql}");
        let (sql, w) = unwrap("start transaction;\nselect 1;\nend transaction;");
        assert!(w, "{sql}");
    }

    #[test]
    fn a_partial_or_absent_wrapper_is_left() {
        for sql in [
            "CREATE TABLE t (id int);",
            "BEGIN;\nCREATE TABLE t (id int);",
            "CREATE TABLE t (id int);\nCOMMIT;",
            "BEGIN ISOLATION LEVEL SERIALIZABLE;\nSELECT 1;\nCOMMIT;",
            "COMMIT;\nSELECT 1;\nBEGIN;",
        ] {
            assert_eq!(unwrap(sql), (sql.to_owned(), false), "{sql}");
        }
    }

    #[test]
    fn a_function_body_with_begin_and_end_is_not_a_wrapper() {
        let sql = "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\nEND\n$$;";
        assert!(!unwrap(sql).1);
    }
}
