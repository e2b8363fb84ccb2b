//! refinery's layout: files `V<VERSION>__<name>.sql` (and `U…` for unversioned ones), in the
//! directory or below it; the version an integer, the name word characters. refinery applies
//! them in version order, each in its own transaction, has no down migrations, and records a
//! SipHash-1-3 checksum of the name, the version and the SQL. Files written in Rust
//! (`V3__seed.rs`) cannot be imported.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use retort_core::codes::Code;
use siphasher::sip::SipHasher13;

use super::{Source, Txn, duplicate, unreadable, words};
use crate::commands::{Fail, Status, fail};

/// Reads the directory and its subdirectories, in version order.
pub fn read(src: &Path) -> Result<Vec<Source>, Fail> {
    let mut files = Vec::new();
    walk(src, src, &mut files)?;
    let mut by_version: BTreeMap<i64, Source> = BTreeMap::new();
    for rel in files {
        let path = src.join(&rel);
        let file = rel
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Some((version, name, ext)) = parse_name(&file) else {
            continue;
        };
        if ext == "rs" {
            return Err(fail(
                Status::Failure,
                Code::ImportRustMigration,
                format!(
                    "{}: a migration written in Rust cannot be imported",
                    path.display()
                ),
                Some(
                    "rewrite it as SQL (`.sql`) before importing, or import the rest and add it \
                     by hand as a revision of its own"
                        .to_owned(),
                ),
            ));
        }
        let Ok(v) = version.parse::<i64>() else {
            return Err(fail(
                Status::Failure,
                Code::ImportBadName,
                format!("{}: `{version}` is not an integer version", path.display()),
                Some("refinery reads the version as an integer; rename the file".to_owned()),
            ));
        };
        let sql = std::fs::read_to_string(&path).map_err(|e| unreadable(&path, &e))?;
        if let Some(other) = by_version.get(&v) {
            return Err(duplicate(src, &other.path, &rel, &v.to_string()));
        }
        by_version.insert(
            v,
            Source {
                version: v.to_string(),
                name: words(name),
                checksums: checksums(name, v, &sql),
                path: rel,
                up: sql,
                down: None,
                txn: Txn::Transactional,
            },
        );
    }
    Ok(by_version.into_values().collect())
}

/// Every file below `dir`, relative to `root`, in name order.
fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Fail> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| unreadable(dir, &e))?
        .collect::<Result<_, _>>()
        .map_err(|e| unreadable(dir, &e))?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for e in entries {
        let path = e.path();
        if path.is_dir() {
            walk(root, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push(rel.to_owned());
        }
    }
    Ok(())
}

/// `V12__add_users.sql` → (`12`, `add_users`, `sql`): refinery's pattern,
/// `[UV]<digits>[.<digits>]__<word characters>.(sql|rs)`.
fn parse_name(file: &str) -> Option<(&str, &str, &str)> {
    let rest = file.strip_prefix('V').or_else(|| file.strip_prefix('U'))?;
    let (stem, ext) = rest.rsplit_once('.')?;
    if ext != "sql" && ext != "rs" {
        return None;
    }
    let (version, name) = stem.split_once("__")?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let version_ok = match version.split_once('.') {
        Some((a, b)) => digits(a) && digits(b),
        None => digits(version),
    };
    let name_ok = !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    (version_ok && name_ok).then_some((version, name, ext))
}

/// The checksums refinery records for a migration: SipHash-1-3 (zero keys) over the name,
/// the version and the SQL, fed as Rust's `Hash` feeds them; the version is an `i32`, or an
/// `i64` with refinery's `int8-versions` feature, so both are kept.
pub fn checksums(name: &str, version: i64, sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(v32) = i32::try_from(version) {
        let mut h = SipHasher13::new();
        name.hash(&mut h);
        v32.hash(&mut h);
        sql.hash(&mut h);
        out.push(h.finish().to_string());
    }
    let mut h = SipHasher13::new();
    name.hash(&mut h);
    version.hash(&mut h);
    sql.hash(&mut h);
    out.push(h.finish().to_string());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_refinerys_pattern() {
        assert_eq!(
            parse_name("V12__add_users.sql"),
            Some(("12", "add_users", "sql"))
        );
        assert_eq!(parse_name("U3__seed.rs"), Some(("3", "seed", "rs")));
        assert_eq!(parse_name("V1.2__x.sql"), Some(("1.2", "x", "sql")));
        assert_eq!(parse_name("V12_add_users.sql"), None);
        assert_eq!(parse_name("X12__a.sql"), None);
        assert_eq!(parse_name("V__a.sql"), None);
        assert_eq!(parse_name("V1__a-b.sql"), None);
        assert_eq!(parse_name("V1__a.txt"), None);
    }

    #[test]
    fn checksum_depends_on_name_version_and_sql() {
        let a = checksums("init", 1, "CREATE TABLE t (id int);");
        assert_eq!(a.len(), 2);
        assert_ne!(a[0], a[1], "i32 and i64 versions hash differently");
        assert_ne!(a, checksums("init", 2, "CREATE TABLE t (id int);"));
        assert_ne!(a, checksums("init2", 1, "CREATE TABLE t (id int);"));
        assert_ne!(a, checksums("init", 1, "CREATE TABLE t (id bigint);"));
        assert_eq!(checksums("x", 5_000_000_000, "").len(), 1);
    }
}
