//! [`Handoff`]: what the build script tells the macro about a directory it checked clean.
//!
//! After a migration is added or edited, both the build script (`retort_build::track`) and
//! the macro run, with the same files: the build script first, with every check, then the
//! macro, whose expansion cache misses. Replaying every migration a second time, in a proc
//! macro compiled without optimisation, was most of such a build at thousands of migrations.
//! So the build script, when its checks found no error, writes to `OUT_DIR` the key of what it
//! checked (every file's name and text, the lint settings, this crate's version) and the
//! tables at the single head ([`crate::schema::shape`]). The macro, finding the same key for
//! the files it reads and the lint settings of its call, runs the checks that do not read the
//! SQL ([`crate::check::check_dir_structure`]: the files' format and the revision graph, with
//! the call's own options) and takes the schema at the head from here.
//!
//! Anything else — no file, another key, a damaged file, a call that asks for the schema at
//! other revisions — and the macro checks everything itself, as without a build script.

use std::path::{Path, PathBuf};

use crate::check::Report;
use crate::digest::{Digest128, from_hex, to_hex};
use crate::lint::LintSettings;
use crate::schema::shape::{self, SchemaShape};
use crate::source::Sources;

/// The first line of the file: its format and the crate that wrote it.
fn header() -> String {
    format!(
        "retort handoff 1, retort-core {}",
        env!("CARGO_PKG_VERSION")
    )
}

/// Prefix of the files in `OUT_DIR`, one a directory.
pub const FILE_PREFIX: &str = "retort-handoff-";

/// The verdict of a clean check and the schema at the head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handoff {
    /// [`key`] of the files and settings checked.
    pub key: [u8; 16],
    /// The single head's revision and its tables; `None` with several heads (or none).
    pub head: Option<(String, SchemaShape)>,
}

/// The key of a check: every file read (its name, not the directory it was reached by, and
/// its text), the lint settings, and the version of this crate.
pub fn key(sources: &Sources, lints: &LintSettings) -> [u8; 16] {
    let mut h = Digest128::new();
    let mut field = |bytes: &[u8]| {
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    field(header().as_bytes());
    field(format!("{lints:?}").as_bytes());
    for (_, src) in sources.iter() {
        let path = src.path();
        field(path.rsplit('/').next().unwrap_or(path).as_bytes());
        field(src.text().as_bytes());
    }
    h.finish()
}

/// The heads of `report`'s graph, as indices into its files.
fn heads(report: &Report) -> Vec<usize> {
    report
        .graph
        .heads()
        .into_iter()
        .map(|node| report.graph.file_of(node))
        .collect()
}

/// The file of directory `dir` in `out_dir`: named by the directory's canonical path, so that
/// `migrations` and `./migrations` share it. `None` when `dir` cannot be resolved.
pub fn path(out_dir: &Path, dir: &Path) -> Option<PathBuf> {
    crate::out_dir::file_for(out_dir, dir, FILE_PREFIX, "txt")
}

impl Handoff {
    /// The handoff of `report`, a check with `lints` that found no error.
    pub fn of(report: &Report, lints: &LintSettings) -> Self {
        let head = match heads(report).as_slice() {
            [i] => report.files[*i]
                .revision
                .as_ref()
                .zip(report.schema.catalogs.get(*i).and_then(Option::as_ref))
                .map(|(rev, catalog)| (rev.value.as_str().to_owned(), SchemaShape::of(catalog))),
            _ => None,
        };
        Handoff {
            key: key(&report.sources, lints),
            head,
        }
    }

    /// Whether `report` (of the same files, by [`key`]) has the head this handoff holds the
    /// schema of: the same single head, or several heads and no schema.
    pub fn agrees_with(&self, report: &Report) -> bool {
        let handed = self.head.as_ref().map(|(rev, _)| rev.as_str());
        match heads(report).as_slice() {
            [i] => report.files[*i].revision.as_ref().map(|r| r.value.as_str()) == handed,
            _ => handed.is_none(),
        }
    }

    /// The file's text.
    pub fn to_text(&self) -> String {
        let hex = to_hex(&self.key);
        let head = match &self.head {
            Some((rev, tables)) => format!("head {}:{rev}\n{}", rev.len(), shape::encode(tables)),
            None => "no head\n".to_owned(),
        };
        format!("{}\n{hex}\n{head}", header())
    }

    /// What [`Handoff::to_text`] wrote, or `None` for any other text.
    pub fn from_text(text: &str) -> Option<Self> {
        let rest = text.strip_prefix(&header())?.strip_prefix('\n')?;
        let (hex, rest) = rest.split_once('\n')?;
        let key = from_hex(hex)?;
        let head = if rest == "no head\n" {
            None
        } else {
            let rest = rest.strip_prefix("head ")?;
            let (len, rest) = rest.split_once(':')?;
            let len: usize = len.parse().ok()?;
            let rev = rest.get(..len)?;
            let tables = rest.get(len..)?.strip_prefix('\n')?;
            Some((rev.to_owned(), shape::decode(tables)?))
        };
        Some(Handoff { key, head })
    }

    /// Writes the handoff of directory `dir` to `out_dir` (through a temporary file and a
    /// rename, so that a reader never sees half of it).
    pub fn write(&self, out_dir: &Path, dir: &Path) -> std::io::Result<()> {
        let Some(path) = path(out_dir, dir) else {
            return Ok(());
        };
        crate::out_dir::write_whole(&path, self.to_text().as_bytes())
    }

    /// The handoff of directory `dir` in `out_dir`, if there is a readable one.
    pub fn read(out_dir: &Path, dir: &Path) -> Option<Self> {
        Self::from_text(&std::fs::read_to_string(path(out_dir, dir)?).ok()?)
    }

    /// Removes the handoff of directory `dir` from `out_dir`, if there is one (after a check
    /// that found errors).
    pub fn remove(out_dir: &Path, dir: &Path) {
        if let Some(path) = path(out_dir, dir) {
            let _ = std::fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Input, Options, check_texts};

    fn report(texts: &[(&str, &str)]) -> Report {
        let inputs: Vec<Input> = texts
            .iter()
            .map(|(name, text)| Input {
                name: (*name).into(),
                text: (*text).into(),
            })
            .collect();
        check_texts(&inputs, "migrations", &Options::default())
    }

    const ONE: &str = "-- revision: 001\n-- down_revision: none\n\n-- migrate:up\n\
                       CREATE TABLE t (id int PRIMARY KEY, note text);\n\n-- migrate:down\nDROP TABLE t;\n";
    const TWO: &str = "-- revision: 002\n-- down_revision: 001\n\n-- migrate:up\n\
                       ALTER TABLE t ADD COLUMN n int NOT NULL;\n\n-- migrate:down\nALTER TABLE t DROP COLUMN n;\n";

    #[test]
    fn the_head_and_its_tables_survive_the_text() {
        let r = report(&[("001_t.sql", ONE), ("002_n.sql", TWO)]);
        assert!(!r.has_errors(), "{}", r.render());
        let h = Handoff::of(&r, &LintSettings::default());
        let (rev, tables) = h.head.clone().expect("one head");
        assert_eq!(rev, "002");
        let columns: Vec<&str> = tables.tables[0]
            .columns
            .iter()
            .flatten()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(columns, ["id", "note", "n"]);
        assert_eq!(Handoff::from_text(&h.to_text()), Some(h.clone()));
        assert!(h.agrees_with(&r));
        let mut other = h.clone();
        other.head.as_mut().unwrap().0 = "001".into();
        assert!(!other.agrees_with(&r));
        other.head = None;
        assert!(!other.agrees_with(&r));
        let text = h.to_text();
        assert_eq!(Handoff::from_text(&text[..text.len() - 1]), None);
        assert_eq!(
            Handoff::from_text(&text.replacen("handoff 1", "handoff 0", 1)),
            None
        );
    }

    #[test]
    fn two_heads_hand_no_schema() {
        let other = TWO
            .replace("002", "003")
            .replace("ADD COLUMN n", "ADD COLUMN m")
            .replace("DROP COLUMN n", "DROP COLUMN m");
        let opts = Options {
            allow_multiple_heads: true,
            ..Options::default()
        };
        let inputs = [
            ("001_t.sql", ONE),
            ("002_n.sql", TWO),
            ("003_m.sql", other.as_str()),
        ]
        .map(|(n, t)| Input {
            name: n.into(),
            text: t.into(),
        });
        let r = check_texts(&inputs, "migrations", &opts);
        assert!(!r.has_errors(), "{}", r.render());
        let h = Handoff::of(&r, &opts.lints);
        assert_eq!(h.head, None);
        assert!(h.agrees_with(&r));
        assert_eq!(Handoff::from_text(&h.to_text()), Some(h));
    }

    #[test]
    fn the_key_follows_every_text_and_the_lint_settings() {
        let a = report(&[("001_t.sql", ONE)]);
        let b = report(&[("001_t.sql", &ONE.replace("note text", "note varchar"))]);
        let c = report(&[("001_u.sql", ONE)]);
        let lints = LintSettings::default();
        assert_ne!(key(&a.sources, &lints), key(&b.sources, &lints));
        assert_ne!(key(&a.sources, &lints), key(&c.sources, &lints));
        let mut loud = LintSettings::default();
        loud.runner_lock_timeout = !loud.runner_lock_timeout;
        assert_ne!(key(&a.sources, &lints), key(&a.sources, &loud));
        assert_eq!(
            key(&a.sources, &lints),
            key(&report(&[("001_t.sql", ONE)]).sources, &lints)
        );
    }
}
