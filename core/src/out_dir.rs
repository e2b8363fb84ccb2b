//! The files a check leaves in `OUT_DIR` for a later one, one a migration directory: the
//! handoff ([`crate::handoff`]) and the resume record ([`crate::resume`]).

use std::path::{Path, PathBuf};

use crate::digest::{Digest128, to_hex};

/// The file `<prefix><digest>.<extension>` of directory `dir` in `out_dir`: named by the
/// directory's canonical path, so that `migrations` and `./migrations` share it. `None` when
/// `dir` cannot be resolved.
pub(crate) fn file_for(
    out_dir: &Path,
    dir: &Path,
    prefix: &str,
    extension: &str,
) -> Option<PathBuf> {
    let dir = std::fs::canonicalize(dir).ok()?;
    let digest = Digest128::of(dir.as_os_str().as_encoded_bytes());
    Some(out_dir.join(format!("{prefix}{}.{extension}", to_hex(&digest[..8]))))
}

/// Writes `bytes` to `path` through a temporary file and a rename, so that a reader never
/// sees half of them.
pub(crate) fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}
