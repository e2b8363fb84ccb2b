//! Offline scripts: an upgrade or downgrade written out as SQL that `psql` applies with the
//! same result as an online run, version-table statements and lock included.
//!
//! A script makes the version table without the head cache (no `<table>_head`, no trigger):
//! a database migrated only by scripts is never answered from the cache, and an online run's
//! first upgrade to `head` takes the full path and makes it. On a database that has the
//! cache, the script's writes to the version table fire its trigger and clear the key, as
//! any other change does (see the runtime's `head` module).

use std::collections::HashSet;
use std::fmt::Write as _;

use retort_core::codes::Code;
use retort_core::plan::History;
use retort_core::sql::lex;
use retort_core::target::Target;
use retort_core::{Migration, Revision};

use crate::config::Config;
use crate::error::Error;
use crate::migrator::Migrator;
use crate::table;

/// A SQL string literal (with `standard_conforming_strings`, which the script turns on).
fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Text for a `--` comment line: a line break (or any other control character) in a
/// message or path would end the comment and turn the rest into SQL, so each becomes a space.
fn comment(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn opt_literal(s: Option<&str>) -> String {
    s.map_or_else(|| "NULL".to_owned(), literal)
}

fn array_literal(items: &[Revision]) -> String {
    let inner: Vec<String> = items.iter().map(|r| literal(r.as_str())).collect();
    format!("ARRAY[{}]::text[]", inner.join(", "))
}

/// Each statement of a section, ending with `;`.
fn terminated(sql: &str) -> String {
    let mut out = String::new();
    for stmt in lex::split(sql) {
        out.push_str(&sql[stmt.range.clone()]);
        if !stmt.terminated {
            out.push(';');
        }
        out.push('\n');
    }
    out
}

/// A non-transactional section's statements, each followed by the version-table update that
/// records it done, as an online run records them: an interrupted script says how far it got.
fn with_progress(table: &str, m: &Migration, sql: &str) -> String {
    let mut out = String::new();
    for (i, stmt) in lex::split(sql).iter().enumerate() {
        out.push_str(&sql[stmt.range.clone()]);
        if !stmt.terminated {
            out.push(';');
        }
        let _ = writeln!(
            out,
            "\nUPDATE {table} SET statements_done = {} WHERE revision = {};",
            i + 1,
            literal(m.revision().as_str())
        );
    }
    out
}

/// `SET LOCAL lock_timeout = '…';` for the start of a transactional migration, as an online
/// run sends it, or nothing when no statement lock timeout is set.
fn set_local(config: &Config) -> String {
    config
        .set_local_lock_timeout_sql()
        .map_or_else(String::new, |s| format!("{s};\n"))
}

/// The session `SET lock_timeout = '…';` before a non-transactional migration, or nothing.
/// (psql stops the script at a failure, and the session with it, so only the way through
/// needs the reset.)
fn set_session(config: &Config) -> String {
    config
        .set_session_lock_timeout_sql()
        .map_or_else(String::new, |s| format!("{s};\n"))
}

/// `RESET lock_timeout;` after a non-transactional migration when [`set_session`] set it.
fn reset_session(config: &Config) -> String {
    if config.get_statement_lock_timeout().is_some() {
        "RESET lock_timeout;\n".to_owned()
    } else {
        String::new()
    }
}

/// A Rust migration cannot be written as SQL.
fn rust_refused(m: &Migration) -> Result<(), Error> {
    if !m.is_rust() {
        return Ok(());
    }
    Err(Error::plan(
        Code::DbRustNotCompiledIn,
        format!(
            "migration `{}` is written in Rust ({}): an offline SQL script cannot hold it; \
             apply the range that holds it online, from a program that has it compiled in",
            m.revision(),
            m.path()
        ),
    ))
}

impl Migrator<'_> {
    fn offline_history(&self) -> Result<History, Error> {
        History::from_set(self.set()).map_err(Error::from)
    }

    /// The revisions applied when the database is at `from` (`None`: at base).
    fn assumed(
        &self,
        history: &History,
        from: Option<&Target>,
    ) -> Result<HashSet<Revision>, Error> {
        match from {
            None | Some(Target::Base) => Ok(HashSet::new()),
            Some(t) => Ok(history.upgrade(&HashSet::new(), t)?.into_iter().collect()),
        }
    }

    /// The script that upgrades a database at `from` (`None`: an empty one) to `to`.
    pub fn upgrade_script(&self, from: Option<&Target>, to: &Target) -> Result<String, Error> {
        let history = self.offline_history()?;
        let applied = self.assumed(&history, from)?;
        let plan = history.upgrade(&applied, to)?;
        let config = self.config();
        let t = config.qualified_table();
        let mut out = self.script_head("upgrade", from, to, plan.len());
        out.push_str(&table::create_sql(config));
        for rev in &plan {
            let Some(m) = self.set().get(rev.as_str()) else {
                return Err(Error::plan(
                    Code::TargetUnreachable,
                    format!("revision `{rev}` is not in this build"),
                ));
            };
            rust_refused(m)?;
            let _ = writeln!(
                out,
                "\n-- {}: {} ({})",
                m.revision(),
                comment(m.message()),
                comment(m.path())
            );
            let row = |state: &str| {
                format!(
                    "INSERT INTO {t} (revision, down_revisions, message, checksum, down_sql, \
                     irreversible, transactional, state) VALUES ({}, {}, {}, {}, {}, {}, {}, {});\n",
                    literal(m.revision().as_str()),
                    array_literal(m.down_revisions()),
                    literal(m.message()),
                    literal(&m.checksum().to_hex()),
                    opt_literal(m.down_sql()),
                    opt_literal(m.irreversible()),
                    m.is_transactional(),
                    literal(state)
                )
            };
            if !m.runs_in(config.environment_name()) {
                // Limited to other environments: recorded as skipped, as a run would.
                let _ = writeln!(
                    out,
                    "INSERT INTO {t} (revision, down_revisions, message, checksum, irreversible, \
                     transactional, state, statements_done) VALUES ({}, {}, {}, {}, {}, {}, \
                     'applied', {});",
                    literal(m.revision().as_str()),
                    array_literal(m.down_revisions()),
                    literal(m.message()),
                    literal(&m.checksum().to_hex()),
                    literal(&table::skipped_reason(m, config.environment_name())),
                    m.is_transactional(),
                    table::SKIPPED
                );
            } else if m.is_transactional() {
                out.push_str("BEGIN;\n");
                out.push_str(&set_local(config));
                out.push_str(&terminated(m.up_sql()));
                out.push_str(&row("applied"));
                out.push_str("COMMIT;\n");
            } else {
                // As online: recorded as started first, done after the last statement.
                out.push_str(&row("started"));
                out.push_str(&set_session(config));
                out.push_str(&with_progress(&t, m, m.up_sql()));
                out.push_str(&reset_session(config));
                let _ = writeln!(
                    out,
                    "UPDATE {t} SET state = 'applied' WHERE revision = {};",
                    literal(m.revision().as_str())
                );
            }
        }
        out.push_str(&self.script_tail());
        Ok(out)
    }

    /// The script that downgrades a database at `from` (`None`: at its heads) to `to`.
    pub fn downgrade_script(&self, from: Option<&Target>, to: &Target) -> Result<String, Error> {
        let history = self.offline_history()?;
        let applied = self.assumed(&history, Some(from.unwrap_or(&Target::Heads)))?;
        let plan = history.downgrade(&applied, to)?;
        let config = self.config();
        let t = config.qualified_table();
        let mut out = self.script_head("downgrade", from, to, plan.len());
        let steps: Vec<&Migration> = plan
            .iter()
            .map(|rev| {
                self.set().get(rev.as_str()).ok_or_else(|| {
                    Error::plan(
                        Code::TargetUnreachable,
                        format!("revision `{rev}` is not in this build"),
                    )
                })
            })
            .collect::<Result<_, _>>()?;
        for m in &steps {
            rust_refused(m)?;
            if m.down_sql().is_none() {
                return Err(Error::Irreversible {
                    revision: m.revision().clone(),
                    reason: m
                        .irreversible()
                        .unwrap_or("it has no down section")
                        .to_owned(),
                });
            }
        }
        for m in steps {
            let down = m.down_sql().unwrap_or_default();
            let _ = writeln!(
                out,
                "\n-- revert {}: {} ({})",
                m.revision(),
                comment(m.message()),
                comment(m.path())
            );
            let delete = format!(
                "DELETE FROM {t} WHERE revision = {};\n",
                literal(m.revision().as_str())
            );
            if m.is_transactional() {
                out.push_str("BEGIN;\n");
                out.push_str(&set_local(config));
                out.push_str(&terminated(down));
                out.push_str(&delete);
                out.push_str("COMMIT;\n");
            } else {
                let _ = writeln!(
                    out,
                    "UPDATE {t} SET state = 'reverting', statements_done = 0 WHERE revision = {};",
                    literal(m.revision().as_str())
                );
                out.push_str(&set_session(config));
                out.push_str(&with_progress(&t, m, down));
                out.push_str(&reset_session(config));
                out.push_str(&delete);
            }
        }
        out.push_str(&self.script_tail());
        Ok(out)
    }

    fn script_head(&self, what: &str, from: Option<&Target>, to: &Target, steps: usize) -> String {
        let from = from.map_or_else(
            || {
                if what == "upgrade" {
                    "base".to_owned()
                } else {
                    "heads".to_owned()
                }
            },
            ToString::to_string,
        );
        format!(
            "-- retort {what} {from}:{to}, {steps} migration(s), written offline.\n\
             -- Apply with: psql -X -v ON_ERROR_STOP=1 -f <this file>\n\
             \\set ON_ERROR_STOP on\n\
             SET standard_conforming_strings = on;\n\
             SELECT pg_advisory_lock({});\n",
            self.config().lock_key()
        )
    }

    fn script_tail(&self) -> String {
        format!(
            "\nSELECT pg_advisory_unlock({});\n",
            self.config().lock_key()
        )
    }
}
