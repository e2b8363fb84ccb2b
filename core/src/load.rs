//! Reading a migration directory: which entries are migrations, their text, and the
//! problems with the rest. Never fails: every problem is a [`Diagnostic`].

use std::path::Path;

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Sources};

/// A file that looks like a migration (`*.sql`, or `*.rs` for a Rust data migration), read and added to [`Sources`].
#[derive(Clone, Debug)]
pub struct Entry {
    /// The file's name, such as `002_add_email.sql`.
    pub name: String,
    /// Its text in [`Sources`].
    pub file: FileId,
}

/// Joins a display directory and a file name with `/`, the way paths are shown everywhere.
pub fn display_path(display_dir: &str, name: &str) -> String {
    let dir = display_dir.trim_end_matches(['/', '\\']);
    if dir.is_empty() || dir == "." {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

/// The environment variable through which `retort_build::track` tells the macro which
/// directories the build script tracks: each [`normalize_dir`]ed, joined with `;`.
pub const TRACKED_ENV: &str = "RETORT_TRACKED";

/// A directory as written, in the one form that `retort_build::track` and the macro compare:
/// `\` becomes `/`, `.` segments (a leading `./`) and empty ones (a trailing or doubled `/`)
/// are dropped; the crate root itself is `.`. `..` is kept: nothing is resolved on disk.
///
/// ```
/// use retort_core::load::normalize_dir;
/// assert_eq!(normalize_dir("./db\\migrations/"), "db/migrations");
/// assert_eq!(normalize_dir("./"), ".");
/// ```
pub fn normalize_dir(dir: &str) -> String {
    let dir = dir.replace('\\', "/");
    let parts: Vec<&str> = dir
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    match (dir.starts_with('/'), parts.is_empty()) {
        (true, _) => format!("/{}", parts.join("/")),
        (false, true) => ".".to_owned(),
        (false, false) => parts.join("/"),
    }
}

/// Whether a directory entry is ignored: dot-files and Markdown.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.') || name.ends_with(".md")
}

/// Reads every entry of `dir`, sorted by name. `display_dir` is how the directory is named
/// in messages (relative to the crate, say `migrations`).
pub fn read_dir(
    dir: &Path,
    display_dir: &str,
    sources: &mut Sources,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Entry> {
    let read = match std::fs::read_dir(dir) {
        Ok(read) => read,
        Err(e) => {
            let missing = e.kind() == std::io::ErrorKind::NotFound;
            let d = Diagnostic::error(
                if missing {
                    Code::LoadMissingDirectory
                } else {
                    Code::LoadUnreadable
                },
                format!(
                    "cannot read the migration directory `{display_dir}`: {}",
                    io_reason(&e)
                ),
            );
            diags.push(if missing {
                d.with_help(format!(
                    "create it (`retort init {display_dir}` writes a first migration), or name \
                     the right directory: relative to Cargo.toml in `retort::migrations!(\"db/migrations\")`, \
                     or `--dir` for the `retort` command"
                ))
            } else {
                d
            });
            return Vec::new();
        }
    };
    let mut names: Vec<(String, std::fs::DirEntry)> = Vec::new();
    for entry in read {
        match entry {
            Ok(entry) => match entry.file_name().into_string() {
                Ok(name) => names.push((name, entry)),
                Err(raw) => diags.push(
                    Diagnostic::error(
                        Code::LoadStrayFile,
                        format!("file name {raw:?} in `{display_dir}` is not valid UTF-8"),
                    )
                    .with_help("rename it: migration files are named `<revision>_<slug>.sql`"),
                ),
            },
            Err(e) => diags.push(Diagnostic::error(
                Code::LoadUnreadable,
                format!(
                    "cannot list the migration directory `{display_dir}`: {}",
                    io_reason(&e)
                ),
            )),
        }
    }
    names.sort_by(|a, b| a.0.cmp(&b.0));

    let mut out = Vec::new();
    for (name, entry) in names {
        if is_ignored(&name) {
            continue;
        }
        let path = display_path(display_dir, &name);
        // Follows symbolic links, so a link to a migration file is read as one.
        let meta = std::fs::metadata(entry.path());
        match meta {
            Ok(m) if m.is_dir() => {
                diags.push(
                    Diagnostic::error(Code::LoadStrayFile, format!("`{path}` is a directory"))
                        .with_help(format!(
                            "retort reads `{display_dir}` flat: move the migrations in it up, or \
                             move the directory elsewhere"
                        )),
                );
                continue;
            }
            Ok(_) if !name.ends_with(".sql") && !name.ends_with(".rs") => {
                diags.push(
                    Diagnostic::error(
                        Code::LoadStrayFile,
                        format!("`{path}` is not a migration file"),
                    )
                    .with_help(
                        "migration files are named `<revision>_<slug>.sql` (or `.rs` for a Rust \
                         data migration); rename, move or delete this one (dot-files and *.md \
                         are ignored)",
                    ),
                );
                continue;
            }
            Ok(_) => {}
            Err(e) => {
                // A dangling symbolic link: `ls` lists it, so "it does not exist" would puzzle.
                if e.kind() == std::io::ErrorKind::NotFound
                    && let Ok(target) = std::fs::read_link(entry.path())
                {
                    diags.push(
                        Diagnostic::error(Code::LoadUnreadable, format!(
                            "cannot read `{path}`: it is a symbolic link to `{}`, which does not exist",
                            target.display()
                        ))
                        .with_help("point the link at a migration file, or delete it"),
                    );
                    continue;
                }
                diags.push(Diagnostic::error(
                    Code::LoadUnreadable,
                    format!("cannot read `{path}`: {}", io_reason(&e)),
                ));
                continue;
            }
        }
        match std::fs::read(entry.path()) {
            Ok(bytes) => {
                let file = match String::from_utf8(bytes) {
                    Ok(text) => sources.add(path, &text),
                    Err(e) => {
                        let at = e.utf8_error().valid_up_to();
                        let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                        let file = sources.add(path, &lossy);
                        // The lossy text has the same bytes up to `at`, less a BOM and CRs.
                        let prefix = crate::source::normalize(&lossy[..at]);
                        diags.push(
                            Diagnostic::error(Code::LoadInvalidUtf8, "the file is not valid UTF-8")
                                .at(file, prefix.len()..prefix.len() + 3, "invalid byte here")
                                .with_help("save the file as UTF-8"),
                        );
                        // The rest of the checks would only echo this one.
                        continue;
                    }
                };
                out.push(Entry { name, file });
            }
            Err(e) => diags.push(Diagnostic::error(
                Code::LoadUnreadable,
                format!("cannot read `{path}`: {}", io_reason(&e)),
            )),
        }
    }
    out
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "it does not exist".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_dirs() {
        for (written, normal) in [
            ("migrations", "migrations"),
            ("./migrations", "migrations"),
            ("././migrations/", "migrations"),
            ("migrations//", "migrations"),
            ("db\\migrations\\", "db/migrations"),
            ("db/./migrations", "db/migrations"),
            ("db//migrations", "db/migrations"),
            ("../shared/migrations", "../shared/migrations"),
            ("/abs/migrations/", "/abs/migrations"),
            ("/", "/"),
            (".", "."),
            ("./", "."),
            ("", "."),
        ] {
            assert_eq!(normalize_dir(written), normal, "{written:?}");
            assert_eq!(normalize_dir(normal), normal, "idempotent on {normal:?}");
        }
    }
}
