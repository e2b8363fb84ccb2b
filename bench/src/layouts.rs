//! The same generated migrations in the file layouts of four tools, for the side-by-side
//! benchmark of `bench/peers/run.sh`:
//!
//! - retort: `00042_slug.sql`, a header and `-- migrate:up` / `-- migrate:down` sections;
//! - sqlx: `00043_slug.up.sql` and `00043_slug.down.sql` (reversible; versions from 1);
//! - refinery: `V43__slug.sql`, the up section only: refinery has no down migrations;
//! - diesel: `2024-01-01-000043_slug/up.sql` and `down.sql`.
//!
//! Every layout holds the same SQL, byte for byte, in the same order.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use crate::{Step, steps};

/// A migration tool whose directory layout the generator writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// retort's single file per migration.
    Retort,
    /// sqlx's reversible `.up.sql` / `.down.sql` pairs.
    Sqlx,
    /// refinery's `V<n>__<name>.sql`, up only.
    Refinery,
    /// diesel's directory per migration.
    Diesel,
}

impl Layout {
    /// The four layouts, in the order the benchmark reports them.
    pub const ALL: [Layout; 4] = [
        Layout::Retort,
        Layout::Sqlx,
        Layout::Refinery,
        Layout::Diesel,
    ];

    /// The tool's name, which is also its peer crate's directory under `bench/peers/`.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Retort => "retort",
            Layout::Sqlx => "sqlx",
            Layout::Refinery => "refinery",
            Layout::Diesel => "diesel",
        }
    }

    /// Writes one migration, the `index`-th of the chain (from 0), into `dir`.
    pub fn write_step(self, dir: &Path, step: &Step) -> std::io::Result<()> {
        let (i, slug, up, down) = (step.index, &step.slug, &step.up, &step.down);
        match self {
            Layout::Retort => {
                let parent = match i {
                    0 => "none".to_owned(),
                    _ => format!("{:05}", i - 1),
                };
                let text = format!(
                    "-- revision: {i:05}\n-- down_revision: {parent}\n-- message: {}\n\n\
                     -- migrate:up\n{up}\n-- migrate:down\n{down}",
                    slug.replace('_', " ")
                );
                std::fs::write(dir.join(format!("{i:05}_{slug}.sql")), text)
            }
            Layout::Sqlx => {
                let stem = format!("{:05}_{slug}", i + 1);
                std::fs::write(dir.join(format!("{stem}.up.sql")), up)?;
                std::fs::write(dir.join(format!("{stem}.down.sql")), down)
            }
            Layout::Refinery => std::fs::write(dir.join(format!("V{}__{slug}.sql", i + 1)), up),
            Layout::Diesel => {
                let sub = dir.join(format!("2024-01-01-{:06}_{slug}", i + 1));
                std::fs::create_dir_all(&sub)?;
                std::fs::write(sub.join("up.sql"), up)?;
                std::fs::write(sub.join("down.sql"), down)
            }
        }
    }

    /// Writes `steps` into `dir`, which is emptied first. Returns the bytes of SQL written.
    pub fn write_all(self, dir: &Path, steps: &[Step]) -> std::io::Result<usize> {
        if dir.exists() {
            std::fs::remove_dir_all(dir)?;
        }
        std::fs::create_dir_all(dir)?;
        let mut bytes = 0;
        for step in steps {
            self.write_step(dir, step)?;
            bytes += step.up.len() + step.down.len();
        }
        Ok(bytes)
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Layout {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Layout::ALL
            .into_iter()
            .find(|l| l.name() == s)
            .ok_or_else(|| {
                format!("unknown layout `{s}`: expected retort, sqlx, refinery or diesel")
            })
    }
}

/// The migration added after `n` generated ones, to see whether a build notices a new file:
/// a table of its own, so that applying it changes the database visibly.
pub fn added_step(n: usize) -> Step {
    Step {
        index: n,
        slug: "added".to_owned(),
        up: format!("CREATE TABLE added_{n} (id integer);\n"),
        down: format!("DROP TABLE added_{n};\n"),
    }
}

/// Every up section of `steps`, in order, as one script for `psql -X -1 -f`.
pub fn up_script(steps: &[Step]) -> String {
    let mut script = String::from("\\set ON_ERROR_STOP on\n");
    for step in steps {
        script.push_str(&step.up);
        script.push('\n');
    }
    script
}

/// Writes the `n` generated migrations for every layout under `root/<tool>/migrations`, and
/// the psql script to `root/up.sql`. Returns the bytes of SQL per layout.
pub fn write_peers(root: &Path, n: usize) -> std::io::Result<usize> {
    let steps = steps(n);
    let mut bytes = 0;
    for layout in Layout::ALL {
        bytes = layout.write_all(&root.join(layout.name()).join("migrations"), &steps)?;
    }
    std::fs::write(root.join("up.sql"), up_script(&steps))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = walk(dir)
            .into_iter()
            .map(|p| p.strip_prefix(dir).unwrap().display().to_string())
            .collect();
        names.sort();
        names
    }

    fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path);
            }
        }
        out
    }

    #[test]
    fn every_layout_holds_the_same_sql() {
        let root = std::env::temp_dir().join(format!("retort-layouts-{}", std::process::id()));
        let steps = steps(12);
        write_peers(&root, 12).unwrap();
        let read = |layout: Layout, rel: &str| {
            std::fs::read_to_string(root.join(layout.name()).join("migrations").join(rel)).unwrap()
        };
        let sqlx = files(&root.join("sqlx/migrations"));
        let diesel = files(&root.join("diesel/migrations"));
        assert_eq!(files(&root.join("retort/migrations")).len(), 12);
        assert_eq!(files(&root.join("refinery/migrations")).len(), 12);
        assert_eq!((sqlx.len(), diesel.len()), (24, 24));
        let last = &steps[11];
        assert_eq!(
            read(Layout::Sqlx, &format!("00012_{}.up.sql", last.slug)),
            last.up
        );
        assert_eq!(
            read(Layout::Sqlx, &format!("00012_{}.down.sql", last.slug)),
            last.down
        );
        assert_eq!(
            read(Layout::Refinery, &format!("V12__{}.sql", last.slug)),
            last.up
        );
        let diesel_dir = format!("2024-01-01-000012_{}", last.slug);
        assert_eq!(
            read(Layout::Diesel, &format!("{diesel_dir}/up.sql")),
            last.up
        );
        assert_eq!(
            read(Layout::Diesel, &format!("{diesel_dir}/down.sql")),
            last.down
        );
        let retort = read(Layout::Retort, &format!("00011_{}.sql", last.slug));
        assert!(retort.starts_with("-- revision: 00011\n-- down_revision: 00010\n"));
        assert!(retort.contains(&format!(
            "-- migrate:up\n{}\n-- migrate:down\n{}",
            last.up, last.down
        )));
        let script = std::fs::read_to_string(root.join("up.sql")).unwrap();
        assert!(script.ends_with(&format!("{}\n", last.up)));
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn retort_layout_passes_every_check_with_the_added_step() {
        let root = std::env::temp_dir().join(format!("retort-layouts-add-{}", std::process::id()));
        let mut steps = steps(30);
        steps.push(added_step(30));
        Layout::Retort.write_all(&root, &steps).unwrap();
        let report = retort_core::check::check_dir(&root, "migrations", &Default::default());
        assert!(!report.has_errors(), "{}", report.render());
        assert_eq!(report.to_set().map(|s| s.len()), Some(31));
        std::fs::remove_dir_all(&root).unwrap();
    }
}
