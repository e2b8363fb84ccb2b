//! [`MigrationFile`]: one migration file parsed — header values and sections, with the
//! place of each in the file — and the format errors found on the way.

use std::ops::Range;

use crate::Revision;
use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::header::{KEYS, LineShape, Syntax, line_shape_in};
use crate::rust_source::{self, Functions};
use crate::source::{FileId, Source};

/// A header value and where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Its byte range in the file.
    pub range: Range<usize>,
}

/// One section (`-- migrate:up` or `-- migrate:down`) of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// The range of the marker line.
    pub marker: Range<usize>,
    /// The range of the SQL after the marker, to the next marker or the end of the file.
    pub body: Range<usize>,
}

/// A migration file as parsed. Fields are `None` where the file lacks them or has them wrong;
/// the matching diagnostics were reported by [`parse_file`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MigrationFile {
    /// The file.
    pub file: FileId,
    /// The `revision` header.
    pub revision: Option<Spanned<Revision>>,
    /// The `down_revision` header: each parent with its range; empty for `none`.
    pub down_revisions: Option<Vec<Spanned<Revision>>>,
    /// The `message` header, or the slug of the file name.
    pub message: String,
    /// The `transaction` header (default `true`); `None` when its value is invalid.
    pub transactional: Option<bool>,
    /// The range of the `down_revision` value as written (`none`, or the list).
    pub down_revision_value: Option<Range<usize>>,
    /// The `irreversible` header's reason.
    pub irreversible: Option<String>,
    /// The `lossy_down` header's reason: the down section does not restore the schema, on
    /// purpose (the schema model's reversibility check is off for this file). Its range runs
    /// from the key to the end of the reason.
    pub lossy_down: Option<Spanned<String>>,
    /// The `replaces: <first>..<last>` header of a squash checkpoint, with the value's range.
    pub replaces: Option<Spanned<(Revision, Revision)>>,
    /// The `environments` header: the environments the migration is limited to, with the
    /// range of the key and value; `None` when it runs everywhere.
    pub environments: Option<Spanned<Vec<String>>>,
    /// The up section.
    pub up: Option<Section>,
    /// The down section.
    pub down: Option<Section>,
    /// The range of the header (its first line to its last), or an empty range at 0.
    pub header: Range<usize>,
    /// SQL sections, or a Rust data migration's functions.
    pub language: Language,
}

/// What a migration file is written in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Language {
    /// SQL: the `up` and `down` sections of [`MigrationFile`].
    Sql,
    /// A Rust data migration (`<rev>_<slug>.rs`): where its `pub fn up` and `pub fn down` are.
    /// It has no sections; the schema model takes it to change no schema.
    Rust(Functions),
}

/// How many unknown header keys of one file are reported one by one.
const MAX_UNKNOWN_REPORTED: usize = 5;

/// Words that cannot be revision ids: `down_revision: none`, and the targets.
const RESERVED_IDS: &[&str] = &["none", "head", "heads", "base"];

/// The file name's stem split into (revision part, slug): `002_add_email` → (`002`, `add_email`).
fn split_name(name: &str) -> (&str, &str) {
    let stem = name
        .strip_suffix(".sql")
        .or_else(|| name.strip_suffix(".rs"))
        .unwrap_or(name);
    match stem.split_once('_') {
        Some((rev, slug)) => (rev, slug),
        None => (stem, ""),
    }
}

/// Parses one migration file, appending every format problem to `diags`.
///
/// `name` is the file's name (not its path). Never fails: what cannot be read is `None`.
pub fn parse_file(
    file: FileId,
    src: &Source,
    name: &str,
    diags: &mut Vec<Diagnostic>,
) -> MigrationFile {
    let text = src.text();
    let lines: Vec<Range<usize>> = (1..=text.split('\n').count())
        .map(|l| src.line_range(l))
        .collect();
    let (name_rev, slug) = split_name(name);
    let syntax = Syntax::of_name(name);
    let shape = |range: Range<usize>| line_shape_in(text, range, syntax);
    let mut out = MigrationFile {
        file,
        revision: None,
        down_revisions: None,
        message: slug.replace('_', " "),
        transactional: Some(true),
        down_revision_value: None,
        irreversible: None,
        lossy_down: None,
        replaces: None,
        environments: None,
        up: None,
        down: None,
        header: 0..0,
        language: Language::Sql,
    };

    // 1. The header: blank lines, then the leading run of `-- key: value` lines.
    let mut i = 0;
    while i < lines.len() && shape(lines[i].clone()) == LineShape::Blank {
        i += 1;
    }
    // Text before the header: report it once, then read the header where it starts.
    if i < lines.len() && !matches!(shape(lines[i].clone()), LineShape::KeyValue { .. }) {
        let later = (i..lines.len()).find(|&l| {
            matches!(shape(lines[l].clone()),
                LineShape::KeyValue { key, .. } if KEYS.contains(&&text[key.clone()]))
        });
        if let Some(l) = later {
            diags.push(
                Diagnostic::error(Code::FormatTextBeforeHeader, "text before the header")
                    .at(
                        file,
                        lines[i].clone(),
                        "the file must start with the header",
                    )
                    .with_secondary(file, lines[l].clone(), "the header starts here")
                    .with_help(
                        "move the `-- key: value` lines to the top of the file; put comments \
                         after them",
                    ),
            );
            i = l;
        }
    }
    let header_start = i;
    let mut seen: Vec<(&str, Range<usize>)> = Vec::new();
    // Known keys that an unknown one was likely meant to be: not reported missing again.
    let mut suggested: Vec<&'static str> = Vec::new();
    // Unknown keys: the first few are reported one by one, the rest in one line.
    let mut unknown: Vec<Range<usize>> = Vec::new();
    while i < lines.len() {
        let LineShape::KeyValue { key, value } = shape(lines[i].clone()) else {
            break;
        };
        let key_text = &text[key.clone()];
        if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key_text) {
            diags.push(
                Diagnostic::error(
                    Code::FormatRepeatedKey,
                    format!("header key `{key_text}` is given twice"),
                )
                .at(file, key.clone(), "given again here")
                .with_secondary(file, first.clone(), "first given here")
                .with_help("keep one of the two lines"),
            );
        } else {
            seen.push((key_text, key.clone()));
            if KEYS.contains(&key_text) || unknown.len() < MAX_UNKNOWN_REPORTED {
                suggested.extend(apply_key(&mut out, src, key.clone(), value, diags));
            }
            if !KEYS.contains(&key_text) {
                unknown.push(key);
            }
        }
        i += 1;
    }
    let header_end = i;
    if unknown.len() > MAX_UNKNOWN_REPORTED {
        let rest = &unknown[MAX_UNKNOWN_REPORTED..];
        diags.push(
            Diagnostic::error(
                Code::FormatUnknownKey,
                format!("{} more unknown header keys", rest.len()),
            )
            .at(file, rest[0].clone(), "the next unknown key")
            .with_help(format!(
                "the header keys are {}; put other comments after the header",
                KEYS.iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        );
    }
    if header_end > header_start {
        out.header = lines[header_start].start..lines[header_end - 1].end;
        let at = lines[header_start].clone();
        for required in ["revision", "down_revision"] {
            if !seen.iter().any(|(k, _)| *k == required) && !suggested.contains(&required) {
                let c = syntax.comment();
                let example = if required == "revision" {
                    format!("{c} revision: {name_rev}")
                } else {
                    format!("{c} down_revision: <parent revision, or none for the first migration>")
                };
                diags.push(
                    Diagnostic::error(
                        Code::FormatMissingKey,
                        format!("missing header key `{required}`"),
                    )
                    .at(file, at.clone(), format!("the header has no `{required}`"))
                    .with_help(format!("add this line to the header: `{example}`")),
                );
            }
        }
    } else if syntax == Syntax::Rust {
        diags.push(
            Diagnostic::error(Code::FormatMissingHeader, "missing header: the file does not start with `// revision: …`")
                .at(
                    file,
                    lines.get(header_start).cloned().unwrap_or(0..0),
                    "expected the header here",
                )
                .with_help(format!(
                    "start the file with:\n// revision: {}\n// down_revision: <parent revision, or none>\n\n{}",
                    if name_rev.is_empty() { "<id>" } else { name_rev },
                    RUST_UP_SIGNATURE
                )),
        );
    } else {
        diags.push(
            Diagnostic::error(Code::FormatMissingHeader, "missing header: the file does not start with `-- revision: …`")
                .at(
                    file,
                    lines.get(header_start).cloned().unwrap_or(0..0),
                    "expected the header here",
                )
                .with_help(format!(
                    "start the file with:\n-- revision: {}\n-- down_revision: <parent revision, or none>\n\n-- migrate:up\n…\n\n-- migrate:down\n…",
                    if name_rev.is_empty() { "<id>" } else { name_rev }
                )),
        );
    }

    // 2. The body.
    match syntax {
        Syntax::Sql => sql_body(&mut out, text, &lines[header_end..], diags),
        Syntax::Rust => rust_body(&mut out, text, &seen, diags),
    }

    // 3. The file name must start with the revision.
    if let Some(rev) = &out.revision
        && name_rev != rev.value.as_str()
    {
        diags.push(
            Diagnostic::error(
                Code::FormatFileName,
                format!(
                    "file name `{name}` does not match its revision `{}`",
                    rev.value
                ),
            )
            .at(file, rev.range.clone(), "revision declared here")
            .with_help(format!(
                "rename the file to `{}_{}{}`, or fix the revision",
                rev.value,
                if slug.is_empty() { "slug" } else { slug },
                syntax.extension()
            )),
        );
    }
    out
}

/// The signature a Rust data migration's `up` must have, as the messages show it.
const RUST_UP_SIGNATURE: &str = "pub fn up(tx: &mut retort::postgres::Transaction<'_>) -> Result<(), retort::BoxError> {\n    …\n}";

/// The sections of a SQL file: markers, comments, SQL.
fn sql_body(
    out: &mut MigrationFile,
    text: &str,
    lines: &[Range<usize>],
    diags: &mut Vec<Diagnostic>,
) {
    let file = out.file;

    let mut before_up = true;
    // The "SQL before `-- migrate:up`" error, to fold into "missing" when no marker follows.
    let mut sql_before_up: Option<(usize, Range<usize>)> = None;
    for line in lines {
        match line_shape_in(text, line.clone(), Syntax::Sql) {
            LineShape::Blank | LineShape::Comment => {}
            LineShape::KeyValue { key, .. } if before_up && KEYS.contains(&&text[key.clone()]) => {
                diags.push(
                    Diagnostic::error(
                        Code::FormatKeyAfterHeader,
                        format!(
                            "header key `{}` after the end of the header",
                            &text[key.clone()]
                        ),
                    )
                    .at(file, key.clone(), "not part of the header")
                    .with_help(
                        "the header is the unbroken run of `-- key: value` lines at the top of \
                         the file; move this line up into it",
                    ),
                );
            }
            LineShape::KeyValue { .. } => {}
            LineShape::Marker { up } => {
                let section = Section {
                    marker: line.clone(),
                    body: (line.end + 1).min(text.len())..text.len(),
                };
                let (slot, other) = if up {
                    (&mut out.up, &mut out.down)
                } else {
                    (&mut out.down, &mut out.up)
                };
                let which = if up { "up" } else { "down" };
                if let Some(first) = slot {
                    diags.push(
                        Diagnostic::error(
                            Code::FormatRepeatedSection,
                            format!("`-- migrate:{which}` appears twice"),
                        )
                        .at(file, line.clone(), "second marker")
                        .with_secondary(file, first.marker.clone(), "first marker")
                        .with_help("a file has one up section and at most one down section"),
                    );
                    continue;
                }
                if let Some(prev) = other.as_mut() {
                    if prev.body.end == text.len() {
                        prev.body.end = line.start;
                    }
                    if up {
                        diags.push(
                            Diagnostic::error(
                                Code::FormatSectionOrder,
                                "`-- migrate:down` comes before `-- migrate:up`",
                            )
                            .at(file, prev.marker.clone(), "down section starts here")
                            .with_secondary(file, line.clone(), "up section starts here")
                            .with_help("put the up section first, then the down section"),
                        );
                    }
                }
                *slot = Some(section);
                before_up = false;
            }
            LineShape::BadMarker(range) => diags.push(
                Diagnostic::error(
                    Code::FormatUnknownMarker,
                    format!("unknown section marker `migrate:{}`", &text[range.clone()]),
                )
                .at(file, range, "expected `up` or `down`")
                .with_help("the section markers are `-- migrate:up` and `-- migrate:down`"),
            ),
            LineShape::Other if before_up => {
                sql_before_up = Some((diags.len(), line.clone()));
                diags.push(
                    Diagnostic::error(Code::FormatSqlOutsideSection, "SQL before `-- migrate:up`")
                        .at(file, line.clone(), "not in a section")
                        .with_help("put `-- migrate:up` on a line of its own before the SQL"),
                );
                // Report once per file, then treat the rest as a body.
                before_up = false;
            }
            LineShape::Other => {}
        }
    }

    let end = text.len()..text.len();
    if out.up.is_none() {
        let (at, label) = match sql_before_up {
            Some((index, line)) => {
                diags.remove(index);
                (
                    line,
                    "the SQL starts here, with no `-- migrate:up` before it",
                )
            }
            None => (out.header.end..out.header.end, "expected after the header"),
        };
        diags.push(
            Diagnostic::error(Code::FormatMissingSection, "missing `-- migrate:up`")
                .at(file, at, label)
                .with_help("add a line `-- migrate:up` before the migration's SQL"),
        );
    }
    match (&out.down, &out.irreversible) {
        (None, None) => diags.push(
            Diagnostic::error(Code::FormatMissingSection, "missing `-- migrate:down`")
                .at(file, end, "expected a down section")
                .with_help(
                    "add `-- migrate:down` and the SQL that reverts the up section; if it cannot \
                     be reverted, add `-- irreversible: <why>` to the header instead",
                ),
        ),
        (Some(down), Some(_)) => diags.push(
            Diagnostic::error(
                Code::FormatIrreversibleConflict,
                "an irreversible migration has a down section",
            )
            .at(file, down.marker.clone(), "down section")
            .with_help(
                "remove the down section, or remove `irreversible` from the header if it \
                     can be reverted",
            ),
        ),
        _ => {}
    }
    if let (Some(lossy), Some(_)) = (&out.lossy_down, &out.irreversible) {
        diags.push(
            Diagnostic::error(
                Code::FormatIrreversibleConflict,
                "`lossy_down` on an irreversible migration",
            )
            .at(file, lossy.range.clone(), "nothing to excuse")
            .with_help(
                "remove `lossy_down`: an irreversible migration has no down section, so no \
                     down section is checked",
            ),
        );
    }
}

/// A Rust data migration after its header: where `pub fn up` and `pub fn down` are, and the
/// header keys that do not apply to it (`seen`: each key given, with its range).
fn rust_body(
    out: &mut MigrationFile,
    text: &str,
    seen: &[(&str, Range<usize>)],
    diags: &mut Vec<Diagnostic>,
) {
    let file = out.file;
    for (key, range) in seen {
        let why = match *key {
            "transaction" if out.transactional == Some(false) => {
                "a Rust migration runs in the transaction it is given: remove `transaction: false`"
            }
            "lossy_down" => {
                "a Rust migration changes data, not the schema, so no down can lose schema: \
                 remove `lossy_down`"
            }
            "replaces" => {
                "a squash checkpoint is SQL that `retort squash` writes: remove `replaces`"
            }
            _ => continue,
        };
        diags.push(
            Diagnostic::error(
                Code::FormatRustHeader,
                format!("a Rust migration cannot have `{key}` in its header"),
            )
            .at(file, range.clone(), "not for a Rust migration")
            .with_help(why),
        );
    }
    let functions = match rust_source::functions(text) {
        Ok(f) => f,
        Err(e) => {
            diags.push(
                Diagnostic::error(
                    Code::FormatRustMissingUp,
                    format!("cannot read the Rust migration: a {} is not closed", e.what),
                )
                .at(file, e.at..(e.at + 1).min(text.len()), "opened here")
                .with_help("close it; the compiler reports the same"),
            );
            out.language = Language::Rust(Functions::default());
            return;
        }
    };
    let end = text.len()..text.len();
    if functions.up.is_none() {
        diags.push(
            Diagnostic::error(Code::FormatRustMissingUp, "a Rust migration without `pub fn up`")
                .at(file, out.header.end..out.header.end, "expected after the header")
                .with_help(format!(
                    "write the migration as a public function at the top of the file:\n{RUST_UP_SIGNATURE}"
                )),
        );
    }
    match (&functions.down, &out.irreversible) {
        (None, None) => diags.push(
            Diagnostic::error(Code::FormatMissingSection, "missing `pub fn down`")
                .at(file, end, "expected a `pub fn down` in the file")
                .with_help(
                    "add `pub fn down(tx: &mut retort::postgres::Transaction<'_>) -> \
                     Result<(), retort::BoxError>` that reverts the data change (`Ok(())` when \
                     there is nothing to revert); if it cannot be reverted, add \
                     `// irreversible: <why>` to the header instead",
                ),
        ),
        (Some(down), Some(_)) => diags.push(
            Diagnostic::error(
                Code::FormatIrreversibleConflict,
                "an irreversible migration has a `pub fn down`",
            )
            .at(file, down.clone(), "down function")
            .with_help(
                "remove `pub fn down`, or remove `irreversible` from the header if it can be \
                 reverted",
            ),
        ),
        _ => {}
    }
    out.language = Language::Rust(functions);
}

/// Interprets one header line. For an unknown key, returns the known key it was likely
/// meant to be.
fn apply_key(
    out: &mut MigrationFile,
    src: &Source,
    key: Range<usize>,
    value: Range<usize>,
    diags: &mut Vec<Diagnostic>,
) -> Option<&'static str> {
    let text = src.text();
    let file = out.file;
    let k = &text[key.clone()];
    let v = &text[value.clone()];
    if !KEYS.contains(&k) {
        let mut d = Diagnostic::error(Code::FormatUnknownKey, format!("unknown header key `{k}`"))
            .at(file, key.clone(), "unknown key");
        let suggestion = KEYS
            .iter()
            .map(|c| (strsim::damerau_levenshtein(&k.to_ascii_lowercase(), c), *c))
            .filter(|(dist, _)| *dist <= 3)
            .min()
            .map(|(_, c)| c);
        d = match suggestion {
            Some(c) => d.with_help(format!("did you mean `{c}`?")),
            None => d.with_help(format!(
                "the header keys are {}; put other comments after the header",
                KEYS.iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        };
        diags.push(d);
        return suggestion;
    }
    if v.is_empty() && k != "message" {
        diags.push(
            Diagnostic::error(
                Code::FormatEmptyValue,
                format!("header key `{k}` has no value"),
            )
            .at(file, key.end..key.end + 1, "value expected after the colon")
            .with_help(match k {
                "revision" => "write the revision id, the start of the file name",
                "down_revision" => "write the parent revision, or `none` for a first migration",
                "transaction" => "write `true` or `false`",
                "environments" => "list the environments it runs in, such as `dev, test`",
                "replaces" => "write the replaced range as `<first>..<last>`",
                "lossy_down" => {
                    "say why the down section does not bring the schema back, such as \
                         `-- lossy_down: the dropped column comes back empty`"
                }
                _ => "say why the migration cannot be reverted",
            }),
        );
        return None;
    }
    match k {
        "revision" if RESERVED_IDS.iter().any(|w| v.eq_ignore_ascii_case(w)) => diags.push(
            Diagnostic::error(
                Code::FormatInvalidRevision,
                format!("`{v}` cannot be a revision id"),
            )
            .at(
                file,
                value,
                "reserved: `none` marks a first migration; `head`, `heads` and `base` are targets",
            )
            .with_help("choose another id, such as `001`"),
        ),
        "revision" => match Revision::parse(v) {
            Ok(rev) => {
                out.revision = Some(Spanned {
                    value: rev,
                    range: value,
                })
            }
            Err(e) => diags.push(
                Diagnostic::error(
                    Code::FormatInvalidRevision,
                    format!("invalid revision id `{v}`"),
                )
                .at(file, value, e.to_string())
                .with_help("use 1 to 32 letters and digits, such as `002` or `20240501a`"),
            ),
        },
        "down_revision" => {
            out.down_revision_value = Some(value.clone());
            if v == "none" {
                out.down_revisions = Some(Vec::new());
                return None;
            }
            let mut parents = Vec::new();
            let mut ok = true;
            let mut offset = value.start;
            for part in v.split(',') {
                let lead = part.len() - part.trim_start().len();
                let item = part.trim();
                let range = offset + lead..offset + lead + item.len();
                offset += part.len() + 1;
                let parsed = if item.eq_ignore_ascii_case("none") {
                    Err("`none` means no parent and cannot be listed with others".to_owned())
                } else {
                    Revision::parse(item).map_err(|e| e.to_string())
                };
                match parsed {
                    Ok(rev) => parents.push(Spanned { value: rev, range }),
                    Err(e) => {
                        ok = false;
                        let help = if item.eq_ignore_ascii_case("none") {
                            "`none` stands alone: a merge lists revisions only".to_owned()
                        } else {
                            "write the parent revision, `none` for a first migration, or a \
                             comma-separated list for a merge"
                                .to_owned()
                        };
                        diags.push(
                            Diagnostic::error(
                                Code::FormatInvalidRevision,
                                format!("invalid revision id `{item}` in `down_revision`"),
                            )
                            .at(
                                file,
                                if item.is_empty() {
                                    range.start..range.start + 1
                                } else {
                                    range
                                },
                                e,
                            )
                            .with_help(help),
                        );
                    }
                }
            }
            if ok {
                out.down_revisions = Some(parents);
            }
        }
        "message" => {
            if !v.is_empty() {
                out.message = v.to_owned();
            }
        }
        "transaction" => match v {
            "true" => out.transactional = Some(true),
            "false" => out.transactional = Some(false),
            _ => {
                out.transactional = None;
                diags.push(
                    Diagnostic::error(
                        Code::FormatInvalidValue,
                        format!("`transaction` must be `true` or `false`, not `{v}`"),
                    )
                    .at(file, value, "expected `true` or `false`")
                    .with_help("`false` runs the statements one by one, outside a transaction"),
                );
            }
        },
        "irreversible" => out.irreversible = Some(v.to_owned()),
        "environments" => {
            let names: Vec<&str> = v.split(',').map(str::trim).collect();
            match names.iter().find(|n| {
                n.is_empty()
                    || !n
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            }) {
                Some(bad) => diags.push(
                    Diagnostic::error(
                        Code::FormatInvalidValue,
                        format!("`{bad}` is not an environment name"),
                    )
                    .at(file, value, "expected names such as `dev, test`")
                    .with_help(
                        "list the environments as comma-separated names of letters, digits, \
                         `_` and `-`",
                    ),
                ),
                None => {
                    out.environments = Some(Spanned {
                        value: names.into_iter().map(str::to_owned).collect(),
                        range: key.start..value.end,
                    })
                }
            }
        }
        "lossy_down" => {
            out.lossy_down = Some(Spanned {
                value: v.to_owned(),
                range: key.start..value.end,
            })
        }
        "replaces" => {
            let parsed = v.split_once("..").and_then(|(a, b)| {
                Some((
                    Revision::parse(a.trim()).ok()?,
                    Revision::parse(b.trim()).ok()?,
                ))
            });
            match parsed {
                Some(pair) => {
                    out.replaces = Some(Spanned {
                        value: pair,
                        range: value,
                    })
                }
                None => diags.push(
                    Diagnostic::error(
                        Code::FormatInvalidValue,
                        format!("`replaces` must be `<first>..<last>`, not `{v}`"),
                    )
                    .at(file, value, "expected two revision ids joined by `..`")
                    .with_help(
                        "a checkpoint names the root and the last revision it replaces, such \
                         as `replaces: 001..042`",
                    ),
                ),
            }
        }
        _ => unreachable!("every key of KEYS is handled"),
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Sources;

    fn parse(name: &str, text: &str) -> (MigrationFile, Vec<String>) {
        let mut sources = Sources::new();
        let id = sources.add(format!("migrations/{name}"), text);
        let mut diags = Vec::new();
        let f = parse_file(id, sources.get(id), name, &mut diags);
        let msgs = diags
            .iter()
            .map(|d| {
                format!(
                    "{} @ {}",
                    d.message,
                    d.location(&sources).unwrap_or_default()
                )
            })
            .collect();
        (f, msgs)
    }

    #[test]
    fn a_good_file() {
        let text = "-- revision: 002\n-- down_revision: 001\n-- message: Add user email\n\n\
                    -- migrate:up\nALTER TABLE \"user\" ADD COLUMN email text;\n\n\
                    -- migrate:down\nALTER TABLE \"user\" DROP COLUMN email;\n";
        let (f, d) = parse("002_add_user_email.sql", text);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(f.revision.unwrap().value, "002");
        assert_eq!(f.down_revisions.unwrap()[0].value, "001");
        assert_eq!(f.message, "Add user email");
        assert_eq!(f.transactional, Some(true));
        let up = f.up.unwrap();
        assert_eq!(
            &text[up.body],
            "ALTER TABLE \"user\" ADD COLUMN email text;\n\n"
        );
        assert_eq!(
            &text[f.down.unwrap().body],
            "ALTER TABLE \"user\" DROP COLUMN email;\n"
        );
    }

    #[test]
    fn defaults_and_merge_parents() {
        let text = "-- revision: 5\n-- down_revision: 3, 4\n-- transaction: false\n-- irreversible: data is gone\n-- migrate:up\n";
        let (f, d) = parse("5_merge_it.sql", text);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(f.message, "merge it");
        assert_eq!(f.transactional, Some(false));
        let parents: Vec<_> = f
            .down_revisions
            .unwrap()
            .into_iter()
            .map(|p| p.value)
            .collect();
        assert_eq!(
            parents,
            vec![Revision::parse("3").unwrap(), Revision::parse("4").unwrap()]
        );
        assert_eq!(f.irreversible.as_deref(), Some("data is gone"));
    }

    #[test]
    fn format_errors_are_all_reported_with_places() {
        let text = "-- revision: 002\n-- down_revison: 001\n-- revision: 003\n-- transaction: yes\n\
                    -- migrate:up\nSELECT 1;\n";
        let (_, d) = parse("003_x.sql", text);
        assert_eq!(
            d,
            vec![
                "unknown header key `down_revison` @ migrations/003_x.sql:2:4",
                "header key `revision` is given twice @ migrations/003_x.sql:3:4",
                "`transaction` must be `true` or `false`, not `yes` @ migrations/003_x.sql:4:17",
                "missing `-- migrate:down` @ migrations/003_x.sql:7:1",
                "file name `003_x.sql` does not match its revision `002` @ migrations/003_x.sql:1:14",
            ]
        );
    }

    #[test]
    fn text_before_header_and_sql_before_up() {
        let (_, d) = parse(
            "1_a.sql",
            "-- Adds things\n-- revision: 1\n-- down_revision: none\nSELECT 1;\n-- migrate:up\n-- migrate:down\n",
        );
        assert_eq!(
            d,
            vec![
                "text before the header @ migrations/1_a.sql:1:1",
                "SQL before `-- migrate:up` @ migrations/1_a.sql:4:1",
            ]
        );
    }

    #[test]
    fn sql_without_any_up_marker_is_one_error() {
        let (_, d) = parse(
            "1_a.sql",
            "-- revision: 1\n-- down_revision: none\n\nCREATE TABLE t ();\n-- migrate:down\n",
        );
        assert_eq!(d, vec!["missing `-- migrate:up` @ migrations/1_a.sql:4:1"]);
    }

    #[test]
    fn markers_out_of_order_or_repeated() {
        let (_, d) = parse(
            "1_a.sql",
            "-- revision: 1\n-- down_revision: none\n-- migrate:down\n-- migrate:up\n-- migrate:up\n-- migrate:sideways\n",
        );
        assert_eq!(
            d,
            vec![
                "`-- migrate:down` comes before `-- migrate:up` @ migrations/1_a.sql:3:1",
                "`-- migrate:up` appears twice @ migrations/1_a.sql:5:1",
                "unknown section marker `migrate:sideways` @ migrations/1_a.sql:6:12",
            ]
        );
    }

    #[test]
    fn lossy_down_needs_a_reason_and_a_down_section() {
        let (f, d) = parse(
            "1_a.sql",
            "-- revision: 1\n-- down_revision: none\n-- lossy_down: the column comes back empty\n\
             -- migrate:up\n-- migrate:down\n",
        );
        assert!(d.is_empty(), "{d:?}");
        let lossy = f.lossy_down.expect("read");
        assert_eq!(lossy.value, "the column comes back empty");
        assert_eq!(lossy.range, 41..80);
        let (f, d) = parse(
            "1_a.sql",
            "-- revision: 1\n-- down_revision: none\n-- lossy_down:\n-- migrate:up\n-- migrate:down\n",
        );
        assert!(f.lossy_down.is_none());
        assert_eq!(
            d,
            vec!["header key `lossy_down` has no value @ migrations/1_a.sql:3:14"]
        );
        let (_, d) = parse(
            "1_a.sql",
            "-- revision: 1\n-- down_revision: none\n-- irreversible: data is gone\n\
             -- lossy_down: also lossy\n-- migrate:up\n",
        );
        assert_eq!(
            d,
            vec!["`lossy_down` on an irreversible migration @ migrations/1_a.sql:4:4"]
        );
    }

    #[test]
    fn bad_revision_values() {
        let (_, d) = parse(
            "1_a.sql",
            "-- revision: 1-a\n-- down_revision: none, 0\n-- migrate:up\n-- migrate:down\n",
        );
        assert_eq!(
            d,
            vec![
                "invalid revision id `1-a` @ migrations/1_a.sql:1:14",
                "invalid revision id `none` in `down_revision` @ migrations/1_a.sql:2:19",
            ]
        );
    }
}
