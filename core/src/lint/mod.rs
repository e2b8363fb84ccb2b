//! Safety lints: statements PostgreSQL accepts that lock or rewrite a table already holding
//! data, found with what the schema model knows and a single-file linter cannot — whether a
//! table is new in this revision, whether a check was validated earlier, whether the runner
//! sets a lock timeout.
//!
//! The schema replay calls [`Linter::statement`] once per statement of an `up` section, on
//! the catalog *before* the statement; each rule of [`rules::RULES`] (one file per rule under
//! `lint/rules/`) reads a [`Context`] and returns [`Finding`]s. The linter then applies the
//! statement's `-- retort:allow <code> <reason>` markers ([`allow`]) and the configured
//! [`Level`]s ([`LintSettings`]), and turns what is left into [`Diagnostic`]s: warnings, or
//! errors for a denied lint, so that a denied lint fails the build like any error.
//!
//! Every default rule fires only on a table that existed before the revision: a table
//! created in the same revision is empty and unseen, and a lint on it is noise.

pub mod allow;
pub mod config;
mod context;
pub mod rules;
mod sql;

use std::ops::Range;

use squawk_syntax::ast;

use crate::codes::Code;
use crate::diagnostic::{Diagnostic, Severity};
use crate::schema::catalog::Catalog;
use crate::source::FileId;
pub use config::{Level, LintConfigError, LintSettings};
pub use context::{Context, RevisionState};

/// What a rule found on one statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The lint.
    pub code: Code,
    /// Where, as a byte range of the file.
    pub range: Range<usize>,
    /// The message: what the statement does to which table.
    pub message: String,
    /// The label under the span.
    pub label: String,
    /// The safe way.
    pub help: String,
}

/// Lints one section of one revision: created by the schema replay for each `up` section,
/// fed each statement, then [`finish`](Linter::finish)ed.
pub struct Linter<'a> {
    settings: &'a LintSettings,
    file: FileId,
    text: &'a str,
    state: RevisionState,
    markers: allow::Markers,
    out: Vec<Diagnostic>,
}

impl<'a> Linter<'a> {
    /// A linter for the `up` section `body` of `file` (whose whole text is `text`); its
    /// `-- retort:allow` markers are read here.
    pub fn new(
        settings: &'a LintSettings,
        file: FileId,
        text: &'a str,
        body: Range<usize>,
        transactional: bool,
    ) -> Self {
        let mut out = Vec::new();
        let markers = allow::Markers::read(file, text, body, &mut out);
        Linter {
            settings,
            file,
            text,
            state: RevisionState::new(file, transactional),
            markers,
            out,
        }
    }

    /// Lints `stmt`, found at byte `base` of the file, against `catalog` as it is before the
    /// statement, then notes what the statement changes for the rules of later ones.
    pub fn statement(&mut self, stmt: &ast::Stmt, base: usize, catalog: &Catalog) {
        let cx = Context {
            stmt,
            base,
            text: self.text,
            catalog,
            revision: &self.state,
            settings: self.settings,
        };
        self.markers.begin(base);
        let mut findings = Vec::new();
        for rule in rules::RULES {
            // A rule that is allowed everywhere is not run (style rules are off by
            // default), unless a marker on this statement names it.
            if self.settings.level(rule.code) == Level::Allow && !self.markers.names(rule.code) {
                continue;
            }
            findings.extend((rule.check)(&cx));
        }
        for f in findings {
            if self.markers.silences(f.code) {
                continue;
            }
            let mut d = Diagnostic::warning(f.code, f.message);
            match self.settings.level(f.code) {
                Level::Allow => continue,
                Level::Warn => {}
                Level::Deny => {
                    // A denied lint is an error like any other: it fails the build.
                    d.severity = Severity::Error;
                    d = d.with_note(format!("`{}` is set to deny", f.code));
                }
            }
            self.out
                .push(d.at(self.file, f.range, f.label).with_help(f.help));
        }
        self.state.observe(stmt, catalog);
    }

    /// The diagnostics: the lints, the markers' errors, and a warning for each marker that
    /// silenced nothing.
    pub fn finish(mut self) -> Vec<Diagnostic> {
        self.markers.report_unused(self.file, &mut self.out);
        self.out
    }
}

impl crate::schema::replay::Observer for Linter<'_> {
    fn before(&mut self, stmt: &ast::Stmt, base: usize, before: &Catalog) {
        self.statement(stmt, base, before);
    }
}
