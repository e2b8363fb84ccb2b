//! The lint settings: a [`Level`] per lint and what the runner does (its lock timeout).
//!
//! They come from `retort.toml` (its `[lints]` table and `statement_lock_timeout`, read by
//! [`LintSettings::from_toml`] for the command line, the build script and the macro alike),
//! then from the macro call or `retort_build::Options`, whose levels win
//! ([`LintSettings::set`]).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::codes::{Code, Family};

/// The settings file, beside `Cargo.toml` for the build script and the macro, in the
/// working directory for the command line.
pub const CONFIG_FILE: &str = "retort.toml";

/// What to do when a lint fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Say nothing.
    Allow,
    /// A warning: printed, and the build goes on.
    Warn,
    /// An error: the build fails.
    Deny,
}

impl Level {
    /// `allow`, `warn` or `deny`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = LintConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "allow" => Ok(Level::Allow),
            "warn" => Ok(Level::Warn),
            "deny" => Ok(Level::Deny),
            other => Err(LintConfigError::UnknownLevel(other.to_owned())),
        }
    }
}

/// A lint setting that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LintConfigError {
    /// A name that is no lint; with the nearest lints' names.
    #[error("`{name}` is not a lint{}", did_you_mean(.near))]
    UnknownLint {
        /// The name as written.
        name: String,
        /// Lints with a similar name.
        near: Vec<Code>,
    },
    /// A level other than `allow`, `warn`, `deny`.
    #[error("`{0}` is not a lint level: write `allow`, `warn` or `deny`")]
    UnknownLevel(String),
    /// `retort.toml` is not TOML, or a lint setting in it has the wrong shape. (Callers name
    /// the file.)
    #[error("{0}")]
    Toml(String),
    /// An error about the setting on line `line` of the file.
    #[error("line {line}: {source}")]
    At {
        /// The line of the setting, from 1.
        line: usize,
        /// What is wrong with it.
        source: Box<LintConfigError>,
    },
}

/// The line (from 1) of the `[lints]` key `name` in `text`, if it can be found.
fn line_of_lint(text: &str, name: &str) -> Option<usize> {
    let mut in_lints = false;
    text.lines().enumerate().find_map(|(i, line)| {
        let line = line.trim();
        if line.starts_with('[') {
            in_lints = line == "[lints]";
            return None;
        }
        let key = line.split('=').next()?.trim().trim_matches('"');
        (in_lints && key == name).then_some(i + 1)
    })
}

fn did_you_mean(near: &[Code]) -> String {
    match near {
        [] => String::new(),
        _ => format!(
            "; did you mean {}?",
            near.iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    }
}

/// The lint `name`, or an error with the nearest lints.
pub fn lint_code(name: &str) -> Result<Code, LintConfigError> {
    Code::lookup(name)
        .filter(|c| c.family() == Family::Lint)
        .ok_or_else(|| LintConfigError::UnknownLint {
            name: name.to_owned(),
            near: Code::similar(name)
                .into_iter()
                .filter(|c| c.family() == Family::Lint)
                .collect(),
        })
}

/// Which lints run at which level, and what the runner does that the rules must know.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct LintSettings {
    /// The runner sets a lock timeout for each migration (`statement_lock_timeout` in
    /// `retort.toml`): `lock-without-timeout` is then quiet.
    pub runner_lock_timeout: bool,
    /// Levels set by configuration; a lint not here has its rule's default level.
    pub levels: BTreeMap<Code, Level>,
}

impl LintSettings {
    /// The level of the lint `code` (a code that is not a lint is never reported by a
    /// rule: `Allow`).
    pub fn level(&self, code: Code) -> Level {
        if let Some(&l) = self.levels.get(&code) {
            return l;
        }
        super::rules::RULES
            .iter()
            .find(|r| r.code == code)
            .map_or(Level::Allow, |r| r.default)
    }

    /// Every lint allowed: the schema model's verdicts alone (for tests, and for checks whose
    /// output is not shown to a person).
    pub fn off() -> LintSettings {
        LintSettings {
            runner_lock_timeout: false,
            levels: super::rules::RULES
                .iter()
                .map(|r| (r.code, Level::Allow))
                .collect(),
        }
    }

    /// Sets the level of the lint named `name`.
    pub fn set(&mut self, name: &str, level: Level) -> Result<(), LintConfigError> {
        self.levels.insert(lint_code(name)?, level);
        Ok(())
    }

    /// The settings `retort.toml`'s text gives: its `[lints]` table and whether
    /// `statement_lock_timeout` is set. Other keys are the command line's to judge.
    pub fn from_toml(text: &str) -> Result<LintSettings, LintConfigError> {
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| LintConfigError::Toml(e.message().trim().to_owned()))?;
        let mut settings = LintSettings {
            runner_lock_timeout: match table.get("statement_lock_timeout") {
                None => false,
                Some(toml::Value::Integer(n)) => *n > 0,
                Some(_) => {
                    return Err(LintConfigError::Toml(
                        "`statement_lock_timeout` is a whole number of seconds".to_owned(),
                    ));
                }
            },
            levels: BTreeMap::new(),
        };
        match table.get("lints") {
            None => {}
            Some(toml::Value::Table(lints)) => {
                for (name, value) in lints {
                    let set = |settings: &mut LintSettings| {
                        let level = value.as_str().ok_or_else(|| {
                            LintConfigError::Toml(format!(
                                "`[lints]` `{name}`: write `\"allow\"`, `\"warn\"` or `\"deny\"`"
                            ))
                        })?;
                        settings.set(name, level.parse()?)
                    };
                    set(&mut settings).map_err(|e| match line_of_lint(text, name) {
                        Some(line) => LintConfigError::At {
                            line,
                            source: Box::new(e),
                        },
                        None => e,
                    })?;
                }
            }
            Some(_) => {
                return Err(LintConfigError::Toml(
                    "`lints` is a table: `[lints]` then `code = \"deny\"`".to_owned(),
                ));
            }
        }
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_levels_and_the_runner_timeout_are_read() {
        let s = LintSettings::from_toml(
            "statement_lock_timeout = 5\n[lints]\ncreate-index-blocks-writes = \"deny\"\n\
             prefer-bigint = \"warn\"\n",
        )
        .unwrap();
        assert!(s.runner_lock_timeout);
        assert_eq!(s.level(Code::CreateIndexBlocksWrites), Level::Deny);
        assert_eq!(s.level(Code::PreferBigint), Level::Warn);
        assert_eq!(s.level(Code::DropIndexBlocksTable), Level::Warn);
        assert_eq!(
            LintSettings::default().level(Code::PreferBigint),
            Level::Allow
        );
    }

    #[test]
    fn unknown_lints_and_levels_are_errors_with_suggestions() {
        let e =
            LintSettings::from_toml("[lints]\ncreate-index-block-writes = \"deny\"\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 2: `create-index-block-writes` is not a lint; did you mean \
             `create-index-blocks-writes`?"
        );
        let e = LintSettings::from_toml("[lints]\nsql-syntax = \"allow\"\n").unwrap_err();
        assert!(
            matches!(&e, LintConfigError::At { line: 2, source } if matches!(**source, LintConfigError::UnknownLint { .. })),
            "{e}"
        );
        let e = LintSettings::from_toml("[lints]\nprefer-text = \"forbid\"\n").unwrap_err();
        assert_eq!(
            e,
            LintConfigError::At {
                line: 2,
                source: Box::new(LintConfigError::UnknownLevel("forbid".to_owned()))
            }
        );
        assert!(LintSettings::from_toml("[lints\n").is_err());
    }
}
