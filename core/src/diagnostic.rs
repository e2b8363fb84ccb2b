//! [`Diagnostic`]: one problem, where it is and how to fix it, rendered like rustc's.

use std::ops::Range;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::codes::Code;
use crate::source::{FileId, Sources};

/// How bad a [`Diagnostic`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Fails the build.
    Error,
    /// Reported, does not fail the build.
    Warning,
}

/// A place in a file: a byte range of its normalised text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    /// The file.
    pub file: FileId,
    /// The byte range; empty to point between two characters.
    pub range: Range<usize>,
}

impl Span {
    /// A span over `range` of `file`.
    pub fn new(file: FileId, range: Range<usize>) -> Self {
        Span { file, range }
    }
}

/// A labelled place other than the primary one ("`002` also branches from here").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Secondary {
    /// Where.
    pub span: Span,
    /// What to say there.
    pub label: String,
}

/// One problem found in a migration directory.
///
/// Rendered ([`Diagnostic::render`]) it reads like rustc:
///
/// ```text
/// error[graph-missing-parent]: `down_revision` names `009`, which no migration has
///  --> migrations/002_add_phone.sql:2:18
///   |
/// 2 | -- down_revision: 009
///   |                   ^^^ no such revision
///   |
///   = help: the revisions are 001, 002; fix the id or add the missing file
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Which kind of problem: the stable name in `error[…]`, documented by
    /// `retort explain`.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, one line.
    pub message: String,
    /// Where, if it is somewhere in a file.
    pub span: Option<Span>,
    /// A short label under the caret.
    pub label: Option<String>,
    /// Other places that explain the problem.
    pub secondary: Vec<Secondary>,
    /// Further facts (`= note: …`).
    pub notes: Vec<String>,
    /// How to fix it (`= help: …`).
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error of kind `code` with a message and nothing else yet. `code` is one whose
    /// default severity is an error (checked in debug builds).
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        debug_assert_eq!(
            code.default_severity(),
            Severity::Error,
            "{code} is a warning"
        );
        Diagnostic::new(code, Severity::Error, message.into())
    }

    /// A warning of kind `code` with a message and nothing else yet. `code` is one whose
    /// default severity is a warning (checked in debug builds).
    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        debug_assert_eq!(
            code.default_severity(),
            Severity::Warning,
            "{code} is an error"
        );
        Diagnostic::new(code, Severity::Warning, message.into())
    }

    fn new(code: Code, severity: Severity, message: String) -> Self {
        Diagnostic {
            code,
            severity,
            message,
            span: None,
            label: None,
            secondary: Vec::new(),
            notes: Vec::new(),
            help: None,
        }
    }

    /// Points the diagnostic at `range` of `file`, with a label under the caret.
    pub fn at(mut self, file: FileId, range: Range<usize>, label: impl Into<String>) -> Self {
        self.span = Some(Span::new(file, range));
        let label = label.into();
        self.label = (!label.is_empty()).then_some(label);
        self
    }

    /// Adds another labelled place.
    pub fn with_secondary(
        mut self,
        file: FileId,
        range: Range<usize>,
        label: impl Into<String>,
    ) -> Self {
        self.secondary.push(Secondary {
            span: Span::new(file, range),
            label: label.into(),
        });
        self
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Sets the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Whether this fails the build.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `path:line:col` of the primary span, if any.
    pub fn location(&self, sources: &Sources) -> Option<String> {
        let span = self.span.as_ref()?;
        let src = sources.get(span.file);
        let (line, col) = src.line_col(span.range.start);
        Some(format!("{}:{line}:{col}", src.path()))
    }

    /// Renders the diagnostic as rustc does, without colour.
    pub fn render(&self, sources: &Sources) -> String {
        self.render_with(sources, &Renderer::plain())
    }

    /// Renders the diagnostic with ANSI colours, for a terminal.
    pub fn render_styled(&self, sources: &Sources) -> String {
        self.render_with(sources, &Renderer::styled())
    }

    fn render_with(&self, sources: &Sources, renderer: &Renderer) -> String {
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let mut group = Group::with_title(
            level
                .primary_title(self.message.as_str())
                .id(self.code.as_str()),
        );

        // One snippet per file: the primary file first, then the others in order of mention.
        let mut files: Vec<FileId> = Vec::new();
        for span in self
            .span
            .iter()
            .chain(self.secondary.iter().map(|s| &s.span))
        {
            if !files.contains(&span.file) {
                files.push(span.file);
            }
        }
        for file in files {
            let src = sources.get(file);
            let mut snippet = Snippet::source(src.text()).path(src.path()).line_start(1);
            if let Some(span) = self.span.as_ref().filter(|s| s.file == file) {
                let ann = AnnotationKind::Primary.span(clamp(span.range.clone(), src.text()));
                snippet = snippet.annotation(match &self.label {
                    Some(label) => ann.label(label.as_str()),
                    None => ann,
                });
            }
            for sec in self.secondary.iter().filter(|s| s.span.file == file) {
                snippet = snippet.annotation(
                    AnnotationKind::Context
                        .span(clamp(sec.span.range.clone(), src.text()))
                        .label(sec.label.as_str()),
                );
            }
            group = group.element(snippet);
        }
        for note in &self.notes {
            group = group.element(Level::NOTE.message(note.as_str()));
        }
        if let Some(help) = &self.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        renderer.render(&[group])
    }
}

/// Keeps a range inside the text and on character boundaries, so rendering never panics.
fn clamp(range: Range<usize>, text: &str) -> Range<usize> {
    let fix = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = fix(range.start);
    let end = fix(range.end).max(start);
    start..end
}

/// Renders every diagnostic in the order given, separated by blank lines.
pub fn render_all(diagnostics: &[Diagnostic], sources: &Sources) -> String {
    let mut out = String::new();
    for d in diagnostics {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&d.render(sources));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_rustc() {
        let mut sources = Sources::new();
        let file = sources.add(
            "migrations/002_add_phone.sql",
            "-- revision: 002\n-- down_revision: 009\n",
        );
        let d = Diagnostic::error(
            Code::GraphMissingParent,
            "`down_revision` names `009`, which no migration has",
        )
        .at(file, 35..38, "no such revision")
        .with_help("fix the id or add the missing file");
        let text = d.render(&sources);
        assert_eq!(
            text,
            "error[graph-missing-parent]: `down_revision` names `009`, which no migration \
             has\n \
             --> migrations/002_add_phone.sql:2:19\n  \
             |\n\
             2 | -- down_revision: 009\n  \
             |                   ^^^ no such revision\n  \
             |\n  \
             = help: fix the id or add the missing file"
        );
        assert_eq!(
            d.location(&sources).as_deref(),
            Some("migrations/002_add_phone.sql:2:19")
        );
    }
}
