//! `.retort-import.toml`, written beside the imported files: which tool they came from and,
//! for each revision, the source file and the checksums the tool records for it, so that
//! `retort stamp --adopt` can check that the database applied these very files. A dot-file,
//! so the migration directory's loader ignores it; it can be deleted once every database is
//! adopted.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::Tool;

/// The file's name in the migration directory.
pub const FILE: &str = ".retort-import.toml";

/// The manifest.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    /// The tool the migrations came from.
    pub tool: Tool,
    /// One entry per imported migration.
    #[serde(rename = "migration", default)]
    pub migrations: Vec<Entry>,
}

/// One imported migration.
#[derive(Debug, Serialize, Deserialize)]
pub struct Entry {
    /// Its revision id (the tool's version).
    pub revision: String,
    /// Its up file in the source directory.
    pub source: String,
    /// The checksums the tool may have recorded (empty when it records none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checksums: Vec<String>,
}

impl Manifest {
    /// The text to write.
    pub fn to_text(&self) -> String {
        let body = toml::to_string(self).unwrap_or_default();
        format!(
            "# Written by `retort import --from {}`: the checksums its history table holds for \
             each file,\n# read by `retort stamp --adopt {0}`. Delete it once every database \
             is adopted.\n{body}",
            self.tool.name()
        )
    }

    /// Reads the manifest in `dir`: `Ok(None)` when there is none.
    pub fn read(dir: &Path) -> Result<Option<Manifest>, String> {
        let path = dir.join(FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text)
                .map(Some)
                .map_err(|e| format!("{}: {}", path.display(), e.message())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    /// The checksums recorded for `revision`, if any.
    pub fn checksums(&self, revision: &str) -> &[String] {
        self.migrations
            .iter()
            .find(|e| e.revision == revision)
            .map_or(&[], |e| e.checksums.as_slice())
    }
}
