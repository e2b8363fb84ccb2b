//! Shared helpers of the benchmark and corpus tools.

use std::fmt::Write as _;
use std::path::Path;

pub mod facts;
pub mod layouts;
pub mod roundtrip;

/// Converts a diesel-layout migration directory (`<name>/up.sql`, `<name>/down.sql`, optional
/// `metadata.toml` with `run_in_transaction = false`) into retort files in `out`, one per
/// migration, chained in name order. Returns how many files were written.
pub fn convert_diesel(src: &Path, out: &Path) -> std::io::Result<usize> {
    std::fs::create_dir_all(out)?;
    let mut dirs: Vec<_> = std::fs::read_dir(src)?
        .filter_map(Result::ok)
        .filter(|e| e.path().join("up.sql").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    // Diesel's order: by version, the name's part before `_` with `-` removed
    // (`2017-09-23-182408_x` is `20170923182408`), not by directory name.
    let version = |name: &str| -> String {
        let v = name.split_once('_').map_or(name, |(v, _)| v);
        v.chars().filter(|c| *c != '-').collect()
    };
    dirs.sort_by_key(|name| (version(name), name.clone()));
    let mut parent = "none".to_owned();
    for (i, name) in dirs.iter().enumerate() {
        let digits: String = name
            .chars()
            .take_while(|c| !c.is_ascii_alphabetic() && *c != '_')
            .filter(char::is_ascii_digit)
            .collect();
        // Ids must be unique and sortable: the index keeps them so where dates repeat.
        let rev = format!("{i:04}d{}", &digits[..digits.len().min(26)]);
        let slug: String = name
            .chars()
            .skip_while(|c| !c.is_ascii_alphabetic())
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let dir = src.join(name);
        let up = std::fs::read_to_string(dir.join("up.sql"))?;
        let down = std::fs::read_to_string(dir.join("down.sql")).ok();
        let meta = std::fs::read_to_string(dir.join("metadata.toml")).unwrap_or_default();
        let mut text = String::new();
        let _ = writeln!(
            text,
            "-- revision: {rev}\n-- down_revision: {parent}\n-- message: {name}"
        );
        if meta.contains("run_in_transaction = false") {
            text.push_str("-- transaction: false\n");
        }
        if down.is_none() {
            text.push_str("-- irreversible: the diesel migration has no down.sql\n");
        }
        let _ = write!(text, "\n-- migrate:up\n{up}\n");
        if let Some(down) = down {
            let _ = write!(text, "\n-- migrate:down\n{down}\n");
        }
        std::fs::write(out.join(format!("{rev}_{slug}.sql")), text)?;
        parent = rev;
    }
    Ok(dirs.len())
}

/// One generated migration file: its name and text.
pub struct Generated {
    /// File name, such as `0042_add_column_to_t7.sql`.
    pub name: String,
    /// The migration, in retort's format.
    pub text: String,
}

/// One generated migration, independent of any tool's layout: the same SQL goes into
/// retort's, sqlx's, refinery's and diesel's files (see [`layouts`]).
pub struct Step {
    /// Position in the chain, from 0.
    pub index: usize,
    /// Name part, such as `add_column_to_t7`.
    pub slug: String,
    /// What the migration does.
    pub up: String,
    /// What reverts it.
    pub down: String,
}

/// Generates `n` realistic migrations in a linear chain: tables created with several
/// columns, columns added with defaults, indexes (some partial), foreign keys, check
/// constraints, small data changes, a function with a trigger now and then; each with a down
/// section that reverts it. About 450 bytes each.
pub fn steps(n: usize) -> Vec<Step> {
    let mut out = Vec::with_capacity(n);
    let mut tables: Vec<usize> = Vec::new();
    for i in 0..n {
        let kind = if tables.len() < 2 { 0 } else { i % 6 };
        let t = tables
            .get(i * 7 % tables.len().max(1))
            .copied()
            .unwrap_or(0);
        let (slug, up, down) = match kind {
            0 => {
                tables.push(i);
                (
                    format!("create_table_t{i}"),
                    format!(
                        "CREATE TABLE t{i} (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    name text NOT NULL,\n    \
                         email varchar(255) UNIQUE,\n    score integer NOT NULL DEFAULT 0 CHECK (score >= 0),\n    \
                         created_at timestamptz NOT NULL DEFAULT now()\n);\nCOMMENT ON TABLE t{i} IS 'generated table {i}';\n"
                    ),
                    format!("DROP TABLE t{i};\n"),
                )
            }
            1 => (
                format!("add_column_to_t{t}"),
                format!(
                    "ALTER TABLE t{t} ADD COLUMN c{i} text;\nUPDATE t{t} SET c{i} = 'value ' || id WHERE score > {i};\n\
                     ALTER TABLE t{t} ALTER COLUMN c{i} SET DEFAULT 'none';\n"
                ),
                format!("ALTER TABLE t{t} DROP COLUMN c{i};\n"),
            ),
            2 => (
                format!("index_t{t}"),
                format!(
                    "CREATE INDEX idx_{i}_t{t}_name ON t{t} (lower(name)) WHERE email IS NOT NULL;\n\
                     CREATE INDEX idx_{i}_t{t}_created ON t{t} (created_at DESC, id);\n"
                ),
                format!("DROP INDEX idx_{i}_t{t}_created;\nDROP INDEX idx_{i}_t{t}_name;\n"),
            ),
            3 => {
                let other = tables[(i * 3) % tables.len()];
                (
                    format!("link_t{t}_to_t{other}"),
                    format!(
                        "ALTER TABLE t{t} ADD COLUMN ref_{i} bigint;\nALTER TABLE t{t} ADD CONSTRAINT fk_{i} \
                         FOREIGN KEY (ref_{i}) REFERENCES t{other} (id) ON DELETE SET NULL;\n\
                         CREATE INDEX idx_fk_{i} ON t{t} (ref_{i});\n"
                    ),
                    format!(
                        "DROP INDEX idx_fk_{i};\nALTER TABLE t{t} DROP CONSTRAINT fk_{i};\nALTER TABLE t{t} DROP COLUMN ref_{i};\n"
                    ),
                )
            }
            4 => (
                format!("seed_t{t}"),
                format!(
                    "INSERT INTO t{t} (name, email, score) VALUES\n    ('alice {i}', 'alice{i}@example.com', {i}),\n    \
                     ('bob {i}', 'bob{i}@example.com', 1),\n    ('carol {i}', NULL, 2);\n"
                ),
                format!(
                    "DELETE FROM t{t} WHERE email LIKE '%{i}@example.com' OR name = 'carol {i}';\n"
                ),
            ),
            _ => (
                format!("touch_trigger_t{t}"),
                format!(
                    "CREATE FUNCTION touch_{i}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n    \
                     NEW.score := NEW.score + 1;\n    RETURN NEW;\nEND;\n$$;\n\
                     CREATE TRIGGER trg_{i} BEFORE UPDATE ON t{t} FOR EACH ROW EXECUTE FUNCTION touch_{i}();\n"
                ),
                format!("DROP TRIGGER trg_{i} ON t{t};\nDROP FUNCTION touch_{i}();\n"),
            ),
        };
        out.push(Step {
            index: i,
            slug,
            up,
            down,
        });
    }
    out
}

/// Generates [`steps`]`(n)` in retort's format: `NNNNN_slug.sql`, each with its header and
/// `-- migrate:up` / `-- migrate:down` sections, chained by `down_revision`.
pub fn generate(n: usize) -> Vec<Generated> {
    steps(n)
        .into_iter()
        .map(|s| {
            let i = s.index;
            let rev = format!("{i:05}");
            let parent = if i == 0 {
                "none".to_owned()
            } else {
                format!("{:05}", i - 1)
            };
            let text = format!(
                "-- revision: {rev}\n-- down_revision: {parent}\n-- message: {}\n\n-- migrate:up\n{}\n-- migrate:down\n{}",
                s.slug.replace('_', " "),
                s.up,
                s.down
            );
            Generated {
                name: format!("{rev}_{}.sql", s.slug),
                text,
            }
        })
        .collect()
}

/// Writes [`generate`]`(n)` into `dir` (created if needed).
pub fn write_generated(dir: &Path, n: usize) -> std::io::Result<usize> {
    std::fs::create_dir_all(dir)?;
    let mut bytes = 0;
    for g in generate(n) {
        bytes += g.text.len();
        std::fs::write(dir.join(&g.name), g.text)?;
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    #[test]
    fn generated_migrations_pass_every_check() {
        let inputs: Vec<_> = super::generate(60)
            .into_iter()
            .map(|g| retort_core::check::Input {
                name: g.name,
                text: g.text,
            })
            .collect();
        let report = retort_core::check::check_texts(&inputs, "migrations", &Default::default());
        assert!(!report.has_errors(), "{}", report.render());
        assert_eq!(report.to_set().map(|s| s.len()), Some(60));
    }
}
