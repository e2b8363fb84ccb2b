//! Finding the PostgreSQL server binaries and psql.

use std::env;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::Error;

/// The programs a directory must hold, all of them, to be used.
const SERVER: [&str; 3] = ["initdb", "pg_ctl", "postgres"];

/// The directories searched for the server binaries, in order: `RETORT_TEST_PG_BIN` alone when
/// it is set, else `PATH`, then the usual places of distribution and Homebrew packages, newest
/// version first.
pub(crate) fn search_path() -> Vec<PathBuf> {
    if let Some(dir) = env::var_os(crate::BIN_DIR_VAR).filter(|d| !d.is_empty()) {
        return vec![PathBuf::from(dir)];
    }
    let mut dirs: Vec<PathBuf> = env::var_os("PATH")
        .map(|p| env::split_paths(&p).collect())
        .unwrap_or_default();
    dirs.extend(usual_dirs());
    let mut seen = Vec::new();
    dirs.retain(|d| {
        if d.as_os_str().is_empty() || seen.contains(d) {
            false
        } else {
            seen.push(d.clone());
            true
        }
    });
    dirs
}

fn usual_dirs() -> Vec<PathBuf> {
    let mut dirs = versioned("/usr/lib/postgresql", "");
    dirs.push("/usr/local/pgsql/bin".into());
    dirs.extend(versioned("/opt/homebrew/opt", "postgresql"));
    dirs.extend(versioned("/usr/local/opt", "postgresql"));
    dirs
}

/// `<root>/<entry>/bin` for each entry of `root` whose name starts with `prefix`, newest
/// version first (`16` before `15` before `9.6`; `postgresql@16` before `postgresql`).
fn versioned(root: &str, prefix: &str) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(root) else {
        return Vec::new();
    };
    let mut found: Vec<(Vec<u64>, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let rest = name.strip_prefix(prefix)?;
            Some((version_key(rest), e.path().join("bin")))
        })
        .collect();
    found.sort_by(|a, b| b.cmp(a));
    found.into_iter().map(|(_, p)| p).collect()
}

/// The numbers in a name, in order: `@16` → `[16]`, `9.6` → `[9, 6]`, `` → `[]`.
fn version_key(s: &str) -> Vec<u64> {
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect()
}

fn is_executable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn has_server(dir: &Path) -> bool {
    SERVER.iter().all(|p| is_executable(&dir.join(p)))
}

/// The first directory of [`search_path`] that holds `initdb`, `pg_ctl` and `postgres`; if
/// they are links (`/usr/local/bin/postgres -> /usr/lib/postgresql/15/bin/postgres`), the
/// directory they lead to, where psql and the server's other files are.
pub(crate) fn find_server() -> Result<PathBuf, Error> {
    let searched = search_path();
    let Some(dir) = searched.iter().find(|dir| has_server(dir)) else {
        return Err(Error::BinariesNotFound { searched });
    };
    let real = fs::canonicalize(dir.join("postgres"))
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .filter(|real| has_server(real));
    Ok(real.unwrap_or_else(|| dir.clone()))
}

/// psql: beside the server binaries if there is one there, else the first on `PATH` or in the
/// usual places, else plain `psql` (which fails to spawn with the usual "not found").
pub(crate) fn find_psql(beside: Option<&Path>) -> PathBuf {
    beside
        .into_iter()
        .map(Path::to_path_buf)
        .chain(search_path())
        .map(|d| d.join("psql"))
        .find(|p| is_executable(p))
        .unwrap_or_else(|| PathBuf::from("psql"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_sort_newest_first() {
        let mut v = [
            version_key("9.6"),
            version_key("16"),
            version_key(""),
            version_key("@14"),
            version_key("15"),
        ];
        v.sort_by(|a, b| b.cmp(a));
        assert_eq!(v, [vec![16], vec![15], vec![14], vec![9, 6], vec![]]);
    }
}
