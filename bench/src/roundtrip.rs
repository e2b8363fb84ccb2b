//! The round trip's verdicts: what happened to one revision (skipped, refused, compared) and
//! the per-corpus tally `bin/roundtrip.rs` prints.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::facts::{Fact, FactKind};

/// Which generated section a step is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    /// The up section, applied at the parent.
    Up,
    /// The down section, applied after the up.
    Down,
}

/// How two databases compared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Comparison {
    /// Every fact agrees.
    Same,
    /// Facts only the generated side has, and facts only the real side has.
    Differs {
        /// Only in the database the generated SQL made.
        generated_only: Vec<Fact>,
        /// Only in the database the real history made.
        real_only: Vec<Fact>,
    },
}

impl Comparison {
    /// The kinds of the differing facts, in order, each once.
    pub fn kinds(&self) -> Vec<FactKind> {
        let mut kinds: Vec<FactKind> = match self {
            Comparison::Same => Vec::new(),
            Comparison::Differs {
                generated_only,
                real_only,
            } => generated_only
                .iter()
                .chain(real_only)
                .map(|f| f.kind)
                .collect(),
        };
        kinds.sort();
        kinds.dedup();
        kinds
    }

    /// A first guess at the cause: differences only in kinds the differ never writes are gaps
    /// of the model; the rest need a look (differ, render or model).
    pub fn cause(&self) -> Cause {
        let kinds = self.kinds();
        if kinds.iter().all(|k| !k.diffed()) {
            Cause::NotDiffed(kinds)
        } else {
            Cause::Diffed(kinds.into_iter().filter(|k| k.diffed()).collect())
        }
    }
}

/// The first guess at why a comparison failed.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cause {
    /// Only kinds of facts the differ does not write differ: a gap of the model.
    NotDiffed(Vec<FactKind>),
    /// Kinds the differ writes differ (listed): a bug of the differ or the render, or a gap of
    /// what the model keeps of them.
    Diffed(Vec<FactKind>),
}

impl Cause {
    /// A one-line label for tallies.
    pub fn label(&self) -> String {
        let (what, kinds) = match self {
            Cause::NotDiffed(k) => ("not diffed", k),
            Cause::Diffed(k) => ("diffed kinds differ", k),
        };
        let words: Vec<&str> = kinds.iter().map(|k| k.word()).collect();
        format!("{what}: {}", words.join(", "))
    }
}

/// What happened to one revision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The model at the revision or its parent is not fully known: the first unknown part.
    Skipped(String),
    /// The differ refused to write the migration (after the renames it suspected were
    /// annotated and drops allowed): its problems.
    Refused(Vec<String>),
    /// PostgreSQL refused a generated section: which, and its error.
    Rejected(Section, String),
    /// The up applied; how the result compared with the real revision, and (when it applied)
    /// how the down's result compared with the parent.
    Compared {
        /// The generated up against the real revision.
        up: Comparison,
        /// The generated down against the parent; `Err` holds PostgreSQL's error.
        down: Result<Comparison, String>,
    },
}

/// The tally of one corpus.
#[derive(Debug, Default)]
pub struct Tally {
    /// Revisions in the history.
    pub revisions: usize,
    /// Revisions whose migration was generated and tried.
    pub tried: usize,
    /// Skipped, by reason (the unknown part's words, with names replaced by `…`).
    pub skipped: BTreeMap<String, usize>,
    /// Revisions whose generated migration needed rename annotations.
    pub renames_annotated: usize,
    /// Generated ups that give the real revision's catalog.
    pub up_same: usize,
    /// Generated downs that give the parent's catalog back.
    pub down_same: usize,
    /// Revisions whose up and down both agree.
    pub both_same: usize,
    /// Disagreements by class.
    pub disagreements: BTreeMap<String, usize>,
    /// The real revision that PostgreSQL refused, its error, and how many revisions were
    /// left untried from it on.
    pub stopped: Option<(String, String, usize)>,
}

impl Tally {
    /// Counts one outcome.
    pub fn add(&mut self, outcome: &Outcome) {
        let mut disagree = |class: String| *self.disagreements.entry(class).or_default() += 1;
        match outcome {
            Outcome::Skipped(reason) => {
                *self.skipped.entry(reason_class(reason)).or_default() += 1;
                return;
            }
            Outcome::Refused(problems) => {
                for p in problems {
                    disagree(format!("differ refused: {}", reason_class(p)));
                }
            }
            Outcome::Rejected(section, error) => {
                disagree(format!(
                    "PostgreSQL refused the {section:?}: {}",
                    reason_class(error)
                ));
            }
            Outcome::Compared { up, down } => {
                if *up == Comparison::Same && *down == Ok(Comparison::Same) {
                    self.both_same += 1;
                }
                match up {
                    Comparison::Same => self.up_same += 1,
                    c => disagree(format!("up: {}", c.cause().label())),
                }
                match down {
                    Ok(Comparison::Same) => self.down_same += 1,
                    Ok(c) => disagree(format!("down: {}", c.cause().label())),
                    Err(e) => disagree(format!("PostgreSQL refused the Down: {}", reason_class(e))),
                }
            }
        }
        self.tried += 1;
    }

    /// The tally as the lines `roundtrip` prints.
    pub fn render(&self, corpus: &str) -> String {
        let mut s = String::new();
        let skipped: usize = self.skipped.values().sum();
        let _ = writeln!(
            s,
            "{corpus}: {} revisions, {} tried, {skipped} skipped (model not fully known)",
            self.revisions, self.tried
        );
        for (reason, n) in &self.skipped {
            let _ = writeln!(s, "  skipped {n:>4}: {reason}");
        }
        if let Some((rev, error, left)) = &self.stopped {
            let _ = writeln!(
                s,
                "  not tried {left:>2}: the real revision {rev} and those after it \
                 (PostgreSQL refuses {rev}: {error})"
            );
        }
        let _ = writeln!(
            s,
            "  up agrees with the real revision: {} of {}\n  down gives the parent back: {} of {}\n  \
             both: {}\n  rename annotations needed: {}",
            self.up_same,
            self.tried,
            self.down_same,
            self.tried,
            self.both_same,
            self.renames_annotated
        );
        for (class, n) in &self.disagreements {
            let _ = writeln!(s, "  disagreement {n:>4}: {class}");
        }
        s
    }
}

/// A reason with quoted names (in backticks or double quotes) replaced by `…`, so that
/// reasons group by shape.
fn reason_class(reason: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in reason.chars() {
        if c == '`' || c == '"' {
            if !inside {
                out.push_str("`…`");
            }
            inside = !inside;
        } else if !inside {
            out.push(c);
        }
    }
    let line = out.lines().next().unwrap_or_default().to_owned();
    match line.char_indices().nth(120) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_group_by_shape() {
        assert_eq!(
            reason_class("some columns of table `public.crates`"),
            "some columns of table `…`"
        );
    }

    #[test]
    fn only_undiffed_kinds_are_a_gap() {
        let fact = |kind| Fact {
            kind,
            text: "x".to_owned(),
        };
        let c = Comparison::Differs {
            generated_only: vec![fact(FactKind::Comment)],
            real_only: vec![fact(FactKind::OtherType)],
        };
        assert_eq!(
            c.cause(),
            Cause::NotDiffed(vec![FactKind::OtherType, FactKind::Comment])
        );
        // Functions and triggers are compared and written now.
        let c = Comparison::Differs {
            generated_only: vec![fact(FactKind::Trigger), fact(FactKind::Comment)],
            real_only: vec![fact(FactKind::FunctionBody)],
        };
        assert_eq!(
            c.cause(),
            Cause::Diffed(vec![FactKind::FunctionBody, FactKind::Trigger])
        );
    }
}
