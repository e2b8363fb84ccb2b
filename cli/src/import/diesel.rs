//! diesel's layout: a directory per migration, `<VERSION>_<name>/` with `up.sql`, an optional
//! `down.sql` and an optional `metadata.toml` (`run_in_transaction = false`). The version is
//! the part of the directory's name before its first `_` with the `-` removed
//! (`2017-09-26-200000_x` is `20170926200000`), which is what `__diesel_schema_migrations`
//! holds; diesel applies in version order and keeps no checksum. Directories without
//! `up.sql` and dot-files are ignored, as diesel ignores them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use retort_core::codes::Code;
use serde::Deserialize;

use super::{Source, Txn, duplicate, unreadable, words};
use crate::commands::{Fail, Status, fail};

/// `metadata.toml`.
#[derive(Deserialize)]
struct Metadata {
    /// `false` runs the migration outside a transaction.
    #[serde(default = "yes")]
    run_in_transaction: bool,
}

fn yes() -> bool {
    true
}

/// Reads the directory, in version order.
pub fn read(src: &Path) -> Result<Vec<Source>, Fail> {
    let entries = std::fs::read_dir(src).map_err(|e| unreadable(src, &e))?;
    let mut by_version: BTreeMap<String, Source> = BTreeMap::new();
    for entry in entries {
        let entry = entry.map_err(|e| unreadable(src, &e))?;
        let dir = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !dir.join("up.sql").is_file() {
            continue;
        }
        let (version, rest) = name.split_once('_').unwrap_or((&name, &name));
        let version = version.replace('-', "");
        let text = |file: &str| -> Result<Option<String>, Fail> {
            let path = dir.join(file);
            match std::fs::read_to_string(&path) {
                Ok(t) => Ok(Some(t)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(unreadable(&path, &e)),
            }
        };
        let up = text("up.sql")?.unwrap_or_default();
        let down = text("down.sql")?;
        let txn = match text("metadata.toml")? {
            None => Txn::Transactional,
            Some(meta) => {
                let m: Metadata = toml::from_str(&meta).map_err(|e| {
                    fail(
                        Status::Failure,
                        Code::ImportSourceUnreadable,
                        format!("{}: {}", dir.join("metadata.toml").display(), e.message()),
                        Some("diesel reads `run_in_transaction = true|false` there".to_owned()),
                    )
                })?;
                if m.run_in_transaction {
                    Txn::Transactional
                } else {
                    Txn::NonTransactional
                }
            }
        };
        let source = Source {
            version: version.clone(),
            name: words(rest),
            path: PathBuf::from(&name).join("up.sql"),
            up,
            down,
            txn,
            checksums: Vec::new(),
        };
        if let Some(other) = by_version.get(&version) {
            let (a, b) = if other.path < source.path {
                (&other.path, &source.path)
            } else {
                (&source.path, &other.path)
            };
            return Err(duplicate(
                src,
                a.parent().unwrap_or(a),
                b.parent().unwrap_or(b),
                &version,
            ));
        }
        by_version.insert(version, source);
    }
    Ok(by_version.into_values().collect())
}
