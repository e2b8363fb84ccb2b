//! sqlx's layout: files `<VERSION>_<DESCRIPTION>.sql` (up only) or
//! `<VERSION>_<DESCRIPTION>.up.sql` with `….down.sql`, in one directory; the version an
//! integer (`i64`), the description's `_` read as spaces; a file that starts with
//! `-- no-transaction` runs outside a transaction. sqlx records the SHA-384 of each up file's
//! bytes. Other files are ignored, as sqlx ignores them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use retort_core::codes::Code;
use sha2::{Digest, Sha384};

use super::{Source, Txn, duplicate, unreadable, words};
use crate::commands::{Fail, Status, fail};

/// What a file is to sqlx.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// `….sql`: up only.
    Simple,
    /// `….up.sql`.
    Up,
    /// `….down.sql`.
    Down,
}

/// One file, read.
struct File {
    kind: Kind,
    description: String,
    path: PathBuf,
    sql: String,
}

/// Reads the directory, in version order.
pub fn read(src: &Path) -> Result<Vec<Source>, Fail> {
    let entries = std::fs::read_dir(src).map_err(|e| unreadable(src, &e))?;
    let mut by_version: BTreeMap<i64, Vec<File>> = BTreeMap::new();
    for entry in entries {
        let entry = entry.map_err(|e| unreadable(src, &e))?;
        let path = entry.path();
        if !path.is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((version, rest)) = name.split_once('_') else {
            continue;
        };
        if !rest.ends_with(".sql") {
            continue;
        }
        let Ok(v) = version.parse::<i64>() else {
            return Err(fail(
                Status::Failure,
                Code::ImportBadName,
                format!("{}: `{version}` is not an integer version", path.display()),
                Some(
                    "sqlx names migrations `<VERSION>_<DESCRIPTION>.sql` with an integer \
                     version (sqlx itself refuses this file); rename it"
                        .to_owned(),
                ),
            ));
        };
        let (kind, description) = if let Some(d) = rest.strip_suffix(".up.sql") {
            (Kind::Up, d)
        } else if let Some(d) = rest.strip_suffix(".down.sql") {
            (Kind::Down, d)
        } else {
            (Kind::Simple, rest.trim_end_matches(".sql"))
        };
        let bytes = std::fs::read(&path).map_err(|e| unreadable(&path, &e))?;
        let sql = String::from_utf8(bytes).map_err(|_| {
            unreadable(
                &path,
                &std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8"),
            )
        })?;
        by_version.entry(v).or_default().push(File {
            kind,
            description: words(description),
            path: PathBuf::from(name),
            sql,
        });
    }
    let mut out = Vec::with_capacity(by_version.len());
    for (v, files) in by_version {
        out.push(one(src, v, files)?);
    }
    Ok(out)
}

/// The migration of one version: a simple file, or an up file and maybe a down file.
fn one(src: &Path, v: i64, mut files: Vec<File>) -> Result<Source, Fail> {
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let ups: Vec<usize> = (0..files.len())
        .filter(|i| files[*i].kind != Kind::Down)
        .collect();
    let downs: Vec<usize> = (0..files.len())
        .filter(|i| files[*i].kind == Kind::Down)
        .collect();
    let version = v.to_string();
    if let [a, b, ..] = ups[..] {
        return Err(duplicate(src, &files[a].path, &files[b].path, &version));
    }
    if let [a, b, ..] = downs[..] {
        return Err(duplicate(src, &files[a].path, &files[b].path, &version));
    }
    let Some(&u) = ups.first() else {
        let d = &files[downs[0]];
        return Err(fail(
            Status::Failure,
            Code::ImportBadName,
            format!(
                "{}: a down migration without its up migration",
                src.join(&d.path).display()
            ),
            Some(format!(
                "sqlx pairs `{v}_<DESCRIPTION>.down.sql` with `{v}_<DESCRIPTION>.up.sql`; add \
                 the up file or remove this one"
            )),
        ));
    };
    let down = match downs.first() {
        Some(&d) if files[u].kind == Kind::Simple => {
            return Err(duplicate(src, &files[u].path, &files[d].path, &version));
        }
        Some(&d) => Some(std::mem::take(&mut files[d].sql)),
        None => None,
    };
    let up = std::mem::take(&mut files[u].sql);
    let checksum: String = Sha384::digest(up.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let txn = if up.starts_with("-- no-transaction") {
        Txn::NonTransactional
    } else {
        Txn::Transactional
    };
    Ok(Source {
        version,
        name: std::mem::take(&mut files[u].description),
        path: files[u].path.clone(),
        up,
        down,
        txn,
        checksums: vec![checksum],
    })
}
