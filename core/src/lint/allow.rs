//! `-- retort:allow <code> <reason>`: a comment on the line before a statement that
//! silences one lint on that statement. The reason is required; a code that is not a lint
//! is an error; a marker that silences nothing is a warning (`sql-allow-unused`).

use std::ops::Range;

use crate::codes::{Code, Family};
use crate::diagnostic::Diagnostic;
use crate::source::FileId;

/// The comment that starts a marker.
pub const ALLOW_MARKER: &str = "-- retort:allow";

/// One marker.
#[derive(Debug)]
struct Marker {
    code: Code,
    /// The comment's range in the file.
    range: Range<usize>,
    used: bool,
}

/// The markers of one section, and the stretch of it before the current statement.
#[derive(Debug, Default)]
pub struct Markers {
    markers: Vec<Marker>,
    /// The byte range between the previous statement's start and the current one's: the
    /// markers in it apply to the current statement.
    window: Range<usize>,
}

impl Markers {
    /// Reads the markers of `body` (a range of `text`); malformed ones are reported to `out`.
    pub fn read(file: FileId, text: &str, body: Range<usize>, out: &mut Vec<Diagnostic>) -> Self {
        let mut markers = Vec::new();
        let mut offset = body.start;
        for line in text
            .get(body.clone())
            .unwrap_or_default()
            .split_inclusive('\n')
        {
            let start = offset;
            offset += line.len();
            let trimmed = line.trim_start();
            let Some(rest) = trimmed.strip_prefix(ALLOW_MARKER) else {
                continue;
            };
            let at = start + (line.len() - trimmed.len());
            let range = at..at + trimmed.trim_end().len();
            if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
                continue; // `-- retort:allowed…`: another word.
            }
            let mut words = rest.split_whitespace();
            let name = words.next();
            let reason = words.next();
            let Some(name) = name.filter(|_| reason.is_some()) else {
                out.push(
                    Diagnostic::error(
                        Code::SqlAllowNoReason,
                        "`-- retort:allow` needs a lint's code and a reason",
                    )
                    .at(file, range, "no code or no reason")
                    .with_help(
                        "write `-- retort:allow <code> <why it is safe here>`, such as \
                         `-- retort:allow create-index-blocks-writes the table is small`",
                    ),
                );
                continue;
            };
            match Code::lookup(name).filter(|c| c.family() == Family::Lint) {
                Some(code) => markers.push(Marker {
                    code,
                    range,
                    used: false,
                }),
                None => {
                    let mut d = Diagnostic::error(
                        Code::SqlAllowUnknownCode,
                        format!("`{name}` is not a lint"),
                    )
                    .at(file, range, "unknown lint");
                    let near: Vec<String> = Code::similar(name)
                        .into_iter()
                        .filter(|c| c.family() == Family::Lint)
                        .map(|c| format!("`{c}`"))
                        .collect();
                    d = match near.is_empty() {
                        true => d.with_help(
                            "only lints can be allowed; `retort explain <code>` shows a code's \
                             documentation",
                        ),
                        false => d.with_help(format!("did you mean {}?", near.join(" or "))),
                    };
                    out.push(d);
                }
            }
        }
        Markers {
            markers,
            window: body.start..body.start,
        }
    }

    /// The statement starting at byte `start` is next: the markers since the previous
    /// statement apply to it.
    pub fn begin(&mut self, start: usize) {
        self.window = self.window.end..start;
    }

    fn current(&self) -> impl Iterator<Item = &Marker> {
        self.markers
            .iter()
            .filter(|m| self.window.contains(&m.range.start))
    }

    /// Whether a marker of the current statement names `code`.
    pub fn names(&self, code: Code) -> bool {
        self.current().any(|m| m.code == code)
    }

    /// Whether a marker of the current statement silences `code` (the marker is then used).
    pub fn silences(&mut self, code: Code) -> bool {
        let window = self.window.clone();
        let mut hit = false;
        for m in &mut self.markers {
            if window.contains(&m.range.start) && m.code == code {
                m.used = true;
                hit = true;
            }
        }
        hit
    }

    /// A warning for each marker that silenced nothing.
    pub fn report_unused(&self, file: FileId, out: &mut Vec<Diagnostic>) {
        for m in self.markers.iter().filter(|m| !m.used) {
            out.push(
                Diagnostic::warning(
                    Code::SqlAllowUnused,
                    format!(
                        "`{}` does not fire on the statement after this marker",
                        m.code
                    ),
                )
                .at(file, m.range.clone(), "silences nothing")
                .with_help(
                    "remove the marker, or move it to the line before the statement it is about",
                ),
            );
        }
    }
}
