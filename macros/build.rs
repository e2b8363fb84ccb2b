//! Sets `RETORT_MACROS_BUILD_ID`: a digest of this crate's sources and, in retort's own
//! repository, of `retort-core`'s. The expansion cache (`src/cache.rs`) puts it in its key, so
//! an expansion cached by one build of the macro is never reused by a changed one, even when
//! the version numbers are the same (as they are while retort itself is being worked on).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

fn main() {
    let mut hasher = Sha256::new();
    let mut roots = vec![PathBuf::from("src")];
    let core = Path::new("../core/src");
    if core.is_dir() {
        roots.push(core.to_path_buf());
    }
    for root in &roots {
        // Only paths that exist: cargo reruns a build script every time for a missing one.
        println!("cargo:rerun-if-changed={}", root.display());
        let mut files = Vec::new();
        collect(root, &mut files);
        files.sort();
        for file in files {
            let bytes = std::fs::read(&file).unwrap_or_default();
            let name = file.to_string_lossy();
            hasher.update((name.len() as u64).to_le_bytes());
            hasher.update(name.as_bytes());
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(&bytes);
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
    let id: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    println!("cargo:rustc-env=RETORT_MACROS_BUILD_ID={id}");
}

/// Every file under `dir`, recursively; unreadable entries are skipped.
fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}
