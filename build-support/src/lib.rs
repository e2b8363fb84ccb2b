//! Build-script support for retort: rebuild when the migration directory changes, and check
//! it before the compiler runs.
//!
//! `retort::migrations!()` makes the compiler read every migration file, so editing one
//! rebuilds the crate. Adding or removing a file is invisible to the compiler, though: only
//! the build script can tell cargo to watch the directory itself. [`track`] does that, tells
//! the macro that it did (the macro refuses an untracked directory), and runs the same checks
//! as the macro, so a broken migration is reported early and in full.
//!
//! # Example
//!
//! `Cargo.toml`:
//!
//! ```toml
//! [dependencies]
//! retort = "0.1"
//!
//! [build-dependencies]
//! retort-build = "0.1"
//! ```
//!
//! `build.rs`, beside `Cargo.toml`:
//!
//! ```no_run
//! fn main() {
//!     // The same path as in `retort::migrations!()`, relative to Cargo.toml.
//!     retort_build::track("migrations");
//! }
//! ```
//!
//! # What it prints
//!
//! For `track("migrations")`, on standard output, for cargo:
//!
//! ```text
//! cargo:rerun-if-changed=migrations
//! cargo:rustc-env=RETORT_TRACKED=migrations
//! cargo:warning=migrations/004_backfill.sql:6:1: [sql-unchecked] statement not syntax-checked: uses psql's \copy
//! ```
//!
//! - `rerun-if-changed` on a directory makes cargo rescan it, and every file in it, before
//!   each build: adding, removing, renaming or editing a file reruns the build script and
//!   rebuilds the crate.
//! - `RETORT_TRACKED` lists every directory tracked so far by this build script, so that the
//!   macro can check that its directory is one of them.
//! - Warnings (each use of `-- retort:unchecked`, each lint: a statement that locks or
//!   rewrites a table holding data) become one-line cargo warnings with the file, line,
//!   code and the safe way.
//! - Lint levels come from `retort.toml` beside `Cargo.toml` (`[lints]`, as for `retort
//!   check`), then from [`Options::lints`] given to [`track_with`]; a lint set to `deny` is
//!   an error like any other.
//! - Errors are printed in full, as rustc prints them, on standard error, and the build
//!   script exits with status 1: cargo stops and shows them before the macro runs.
//!
//! Several heads or roots are errors only if the `retort::migrations!` call does not allow
//! them, and a build script cannot see the call: [`track`] reports them as a warning and
//! leaves the verdict to the macro. [`track_with`] takes the verdict here instead.
//!
//! # Notes
//!
//! - Once a build script prints any `rerun-if-changed`, cargo reruns it only when a listed
//!   path (or the build script itself) changes, no longer when any file of the package does.
//!   If your `build.rs` also reads other files, print `cargo:rerun-if-changed` for them too.
//! - What a clean check found is kept in `OUT_DIR` for the next run: the digests of the files
//!   whose SQL passed, and the schema at the head and at its parent, so that after a new
//!   migration, or an edit of the newest one, only that migration is checked and replayed
//!   (about 0.5 s at 10,000 migrations). After an edit of an older migration, or a removed
//!   one, the whole history is replayed again (the SQL of the files that did not change is
//!   still not checked again).
//! - Cargo builds build scripts without optimisation: a first check of 500 migrations takes
//!   about 0.5 s there, against 0.04 s optimised. For a directory of thousands, whose first
//!   check or edits deep in the history take seconds, add
//!   `[profile.dev.build-override] opt-level = 3` to the workspace's `Cargo.toml`.

// The examples are `build.rs` files, whose `fn main` is the point.
#![allow(clippy::needless_doctest_main)]
#![warn(missing_docs)]

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use retort_core::check::{Report, check_dir, check_dir_resumed};
use retort_core::codes::Code;
use retort_core::diagnostic::Diagnostic;
use retort_core::handoff::Handoff;
use retort_core::lint::LintSettings;
use retort_core::lint::config::CONFIG_FILE;
use retort_core::load::{TRACKED_ENV, normalize_dir};
use retort_core::resume::Resume;
use retort_core::source::Sources;
use retort_core::verified::{OUT_DIR_FILE, Verified};

/// What a migration directory may do that is otherwise an error: the same flags as
/// `retort::migrations!("…", allow_multiple_heads, allow_multiple_roots)`. See [`track_with`].
pub use retort_core::check::Options;
/// A lint's level, for [`Options::lints`].
pub use retort_core::lint::Level;

/// Every directory tracked so far by this build-script process, normalised, in call order.
static TRACKED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Tracks and checks the migration directory `dir` (relative to the crate's `Cargo.toml`,
/// as written in `retort::migrations!`). Call it from `build.rs`.
///
/// Prints `cargo:rerun-if-changed=<dir>` and `cargo:rustc-env=RETORT_TRACKED=<dirs>`, then
/// checks the directory: warnings become `cargo:warning` lines; errors are printed in full on
/// standard error and end the build script with exit status 1. Several heads or several
/// roots are reported as a warning only: the macro call decides whether they are allowed.
///
/// Call it once for each directory; the calls accumulate in `RETORT_TRACKED`.
///
/// ```no_run
/// // build.rs
/// fn main() {
///     retort_build::track("migrations");
///     retort_build::track("db/audit_migrations");
/// }
/// ```
pub fn track(dir: impl AsRef<Path>) {
    run_and_exit(dir.as_ref(), Policy::Defer);
}

/// Like [`track`], but decides about several heads and roots here, as `options` says,
/// instead of leaving it to the macro: what `options` allows passes silently, what it does
/// not is an error that stops the build script. Pass the same flags as the macro call.
/// The lint levels in `options.lints` win over those of `retort.toml`.
///
/// Use it to silence [`track`]'s warning where several heads or roots are intended:
///
/// ```no_run
/// // build.rs, for `retort::migrations!("migrations", allow_multiple_heads)`
/// use retort_build::Options;
///
/// fn main() {
///     retort_build::track_with(
///         "migrations",
///         Options { allow_multiple_heads: true, ..Options::default() },
///     );
/// }
/// ```
///
/// Lint levels, over `retort.toml`'s:
///
/// ```no_run
/// // build.rs
/// use retort_build::{Level, Options};
///
/// fn main() {
///     let mut options = Options::default();
///     options.lints.set("create-index-blocks-writes", Level::Deny).expect("a lint");
///     retort_build::track_with("migrations", options);
/// }
/// ```
pub fn track_with(dir: impl AsRef<Path>, options: Options) {
    run_and_exit(dir.as_ref(), Policy::Decide(options));
}

/// Who decides about several heads and roots.
#[derive(Clone, Debug)]
enum Policy {
    /// The macro: allow them here, and warn.
    Defer,
    /// This build script, with these options.
    Decide(Options),
}

fn run_and_exit(dir: &Path, policy: Policy) {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR");
    let clean = {
        // A panic in another `track` call cannot leave the list half-written.
        let mut tracked = TRACKED.lock().unwrap_or_else(|e| e.into_inner());
        let (stdout, stderr) = (io::stdout(), io::stderr());
        let (mut out, mut err) = (stdout.lock(), stderr.lock());
        let clean = run(
            &mut out,
            &mut err,
            &mut tracked,
            manifest_dir.as_deref().map(Path::new),
            dir,
            policy,
        );
        let _ = out.flush();
        let _ = err.flush();
        clean
    };
    if !clean {
        std::process::exit(1);
    }
}

/// Does [`track`]'s work, writing cargo's directives to `out` and the rendered errors to
/// `err`. Returns whether the directory is free of errors. Write errors are ignored: there is
/// no better place to report them.
fn run(
    out: &mut dyn Write,
    err: &mut dyn Write,
    tracked: &mut Vec<String>,
    manifest_dir: Option<&Path>,
    dir: &Path,
    policy: Policy,
) -> bool {
    let written = dir.to_string_lossy();
    let key = normalize_dir(&written);
    if !tracked.contains(&key) {
        tracked.push(key);
    }
    let _ = writeln!(out, "cargo:rerun-if-changed={written}");
    let _ = writeln!(out, "cargo:rustc-env={TRACKED_ENV}={}", tracked.join(";"));

    let path = match manifest_dir {
        Some(root) => root.join(dir),
        None => dir.to_path_buf(),
    };
    let mut options = match &policy {
        Policy::Defer => Options {
            allow_multiple_heads: true,
            allow_multiple_roots: true,
            ..Options::default()
        },
        Policy::Decide(options) => options.clone(),
    };
    match lint_settings(out, manifest_dir, &options.lints) {
        Ok(lints) => options.lints = lints,
        Err(d) => {
            let _ = writeln!(err, "{}\n", d.render(&Sources::new()));
            return false;
        }
    }
    let out_dir = std::env::var_os("OUT_DIR").map(PathBuf::from);
    let resume = out_dir.as_deref().and_then(|o| Resume::read(o, &path));
    let report = check_dir_resumed(
        &path,
        &written,
        &options,
        previously_verified(),
        resume.as_ref(),
    );
    leave_verified(&report);
    if let Some(out_dir) = &out_dir {
        leave_handoff(out_dir, &report, &path, &options.lints);
        leave_resume(out_dir, &report, &path, &options);
    }

    for warning in report.warnings() {
        let _ = writeln!(out, "cargo:warning={}", one_line(warning, &report.sources));
    }
    if let Policy::Defer = policy {
        for (problem, flag) in deferred(&report, &path, &written, &options.lints) {
            let _ = writeln!(
                out,
                "cargo:warning={}; an error unless the `retort::migrations!` call says \
                 `{flag}` (the macro decides)",
                one_line(&problem, &report.sources)
            );
        }
    }

    let clean = print_errors(err, &report, &written);
    // Not dropped: the build script ends right after, and freeing the schema model's catalog
    // of every revision took about 5 % of a check at 10,000 migrations, compiled unoptimised.
    std::mem::forget(report);
    clean
}

/// Writes `report`'s errors to `err`, then one line that says how many; whether there were
/// none.
fn print_errors(err: &mut dyn Write, report: &Report, written: &str) -> bool {
    let errors: Vec<&Diagnostic> = report.errors().collect();
    if errors.is_empty() {
        return true;
    }
    for d in &errors {
        let _ = writeln!(err, "{}\n", d.render(&report.sources));
    }
    let _ = writeln!(
        err,
        "error[{}]: the migrations in `{written}` have {}; `retort check --dir {written}` \
         shows the same",
        Code::CheckFailed,
        count(errors.len(), "error")
    );
    false
}

/// The digests the previous run of this build script left in `OUT_DIR` (read once, before
/// this run rewrites the file): when one migration is added or edited, the SQL of the
/// others, unchanged, is not checked again. A digest names the checker's version too, so a
/// newer retort checks everything again. Empty without `OUT_DIR` or the file.
fn previously_verified() -> &'static Verified {
    static PREVIOUS: std::sync::OnceLock<Verified> = std::sync::OnceLock::new();
    PREVIOUS.get_or_init(|| {
        std::env::var_os("OUT_DIR")
            .and_then(|dir| std::fs::read_to_string(Path::new(&dir).join(OUT_DIR_FILE)).ok())
            .map_or_else(Verified::new, |text| Verified::from_text(&text))
    })
}

/// Leaves the digests of the files whose SQL passed in `OUT_DIR`, so that the macro, which
/// runs on every rebuild of the crate, need not check the same SQL again (see
/// `retort_core::verified`). Several `track` calls add up. Without `OUT_DIR` (not in a build
/// script), or if writing fails, the macro simply checks everything.
fn leave_verified(report: &Report) {
    static VERIFIED: Mutex<Option<Verified>> = Mutex::new(None);
    let Some(out_dir) = std::env::var_os("OUT_DIR") else {
        return;
    };
    let mut all = VERIFIED.lock().unwrap_or_else(|e| e.into_inner());
    let all = all.get_or_insert_with(Verified::new);
    all.extend(&report.verified);
    let _ = std::fs::write(Path::new(&out_dir).join(OUT_DIR_FILE), all.to_text());
}

/// Leaves in `OUT_DIR`, for a check without errors, what the macro need not find out again:
/// the key of the files and lint settings checked, and the tables at the head (see
/// `retort_core::handoff`); after a check with errors, removes the directory's last one.
fn leave_handoff(out_dir: &Path, report: &Report, path: &Path, lints: &LintSettings) {
    if report.has_errors() {
        Handoff::remove(out_dir, path);
    } else if Handoff::of(report, lints).write(out_dir, path).is_err() {
        // The macro checks everything itself; a half-written file is never read.
        Handoff::remove(out_dir, path);
    }
}

/// Leaves in `OUT_DIR` the catalogs at the head of a check that may be resumed from and at
/// its parent, so that the next run replays only the migrations added after it, or an edited
/// head (see `retort_core::resume`).
/// After any other check the directory's last record stays: the next check uses it only if
/// the files it names are unchanged, so the build after a fixed error resumes from it.
fn leave_resume(out_dir: &Path, report: &Report, path: &Path, options: &Options) {
    if let Some(Err(_)) = Resume::of(report, options).map(|r| r.write(out_dir, path)) {
        // Whatever a failed write left, the next check replays everything.
        Resume::remove(out_dir, path);
    }
}

/// The several-heads and several-roots errors that the lenient check `report` did not make,
/// each with the macro flag that would allow it. Checks again, strictly, only when the graph
/// has several heads or roots, which is rare and cheap to see.
fn deferred(
    report: &Report,
    path: &Path,
    written: &str,
    lints: &LintSettings,
) -> Vec<(Diagnostic, &'static str)> {
    use retort_core::graph::{Graph, GraphProblem};

    let nodes: Vec<_> = report
        .files
        .iter()
        .filter_map(|f| {
            let parents = f.down_revisions.as_ref()?;
            Some((
                f.revision.as_ref()?.value.clone(),
                parents.iter().map(|p| p.value.clone()).collect(),
            ))
        })
        .collect();
    let (_, problems) = Graph::build(&nodes);
    let heads = problems
        .iter()
        .any(|p| matches!(p, GraphProblem::MultipleHeads(_)));
    let roots = problems
        .iter()
        .any(|p| matches!(p, GraphProblem::MultipleRoots(_)));

    let mut found = Vec::new();
    for (present, strict, flag) in [
        (
            roots,
            Options {
                allow_multiple_heads: true,
                allow_multiple_roots: false,
                lints: lints.clone(),
            },
            "allow_multiple_roots",
        ),
        (
            heads,
            Options {
                allow_multiple_heads: false,
                allow_multiple_roots: true,
                lints: lints.clone(),
            },
            "allow_multiple_heads",
        ),
    ] {
        if !present {
            continue;
        }
        // Both reads list the files in the same order, so the same problem is the same
        // `Diagnostic`: what the strict check adds is what the lenient one allowed.
        let strict = check_dir(path, written, &strict);
        found.extend(
            strict
                .diagnostics
                .into_iter()
                .filter(|d| d.is_error() && !report.diagnostics.contains(d))
                .map(|d| (d, flag)),
        );
    }
    found
}

/// A diagnostic as one line, `path:line:col: [code] message; help: …`, for
/// `cargo:warning`.
fn one_line(d: &Diagnostic, sources: &Sources) -> String {
    let mut text = match d.location(sources) {
        Some(at) => format!("{at}: [{}] {}", d.code, d.message),
        None => format!("[{}] {}", d.code, d.message),
    };
    if let Some(help) = &d.help {
        text.push_str("; help: ");
        text.push_str(help);
    }
    text.replace(['\r', '\n'], " ")
}

/// The lint settings: `retort.toml` beside `Cargo.toml` when there is one (cargo is told to
/// watch it), then `over`'s levels. A file that cannot be read or used is an error.
fn lint_settings(
    out: &mut dyn Write,
    manifest_dir: Option<&Path>,
    over: &LintSettings,
) -> Result<LintSettings, Box<Diagnostic>> {
    let path = manifest_dir.map_or_else(
        || Path::new(CONFIG_FILE).to_path_buf(),
        |d| d.join(CONFIG_FILE),
    );
    let mut settings = match std::fs::read_to_string(&path) {
        Ok(text) => {
            let _ = writeln!(out, "cargo:rerun-if-changed={CONFIG_FILE}");
            LintSettings::from_toml(&text).map_err(|e| {
                Box::new(
                    Diagnostic::error(Code::CheckLintConfig, format!("{CONFIG_FILE}: {e}"))
                        .with_help(
                            "`[lints]` maps a lint's code to \"allow\", \"warn\" or \"deny\"",
                        ),
                )
            })?
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => LintSettings::default(),
        Err(e) => {
            return Err(Box::new(
                Diagnostic::error(
                    Code::CheckLintConfig,
                    format!("cannot read {CONFIG_FILE}: {e}"),
                )
                .with_help("make it readable, or remove it"),
            ));
        }
    };
    settings.runner_lock_timeout |= over.runner_lock_timeout;
    settings
        .levels
        .extend(over.levels.iter().map(|(c, l)| (*c, *l)));
    Ok(settings)
}

/// `1 error`, `2 errors`.
fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A crate directory under the system's temporary directory, removed on drop.
    struct Crate(PathBuf);

    impl Crate {
        fn new() -> Self {
            static N: AtomicUsize = AtomicUsize::new(0);
            let dir = std::env::temp_dir().join(format!(
                "retort-build-test-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Crate(dir)
        }

        fn file(&self, path: &str, text: &str) -> &Self {
            let path = self.0.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
            self
        }
    }

    impl Drop for Crate {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn migration(rev: &str, down: &str, up: &str) -> String {
        format!(
            "-- revision: {rev}\n-- down_revision: {down}\n\n-- migrate:up\n{up}\n\n\
             -- migrate:down\nSELECT 1;\n"
        )
    }

    /// Runs one `track` call; returns (clean, stdout, stderr).
    fn call(
        krate: &Crate,
        tracked: &mut Vec<String>,
        dir: &str,
        policy: Policy,
    ) -> (bool, String, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let clean = run(
            &mut out,
            &mut err,
            tracked,
            Some(&krate.0),
            dir.as_ref(),
            policy,
        );
        (
            clean,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    #[test]
    fn a_clean_check_leaves_its_handoff_and_one_with_errors_removes_it() {
        use retort_core::check::check_dir;
        use retort_core::handoff::{self, Handoff};
        let krate = Crate::new();
        krate
            .file(
                "migrations/001_a.sql",
                &migration("001", "none", "SELECT 1;"),
            )
            .file("out/.keep", "");
        let (dir, out) = (krate.0.join("migrations"), krate.0.join("out"));
        let lints = LintSettings::default();
        let report = check_dir(&dir, "migrations", &Options::default());
        leave_handoff(&out, &report, &dir, &lints);
        let left = Handoff::read(&out, &dir).expect("a handoff");
        assert_eq!(left.key, handoff::key(&report.sources, &lints));
        assert_eq!(left.head.map(|(rev, _)| rev), Some("001".to_owned()));
        krate.file(
            "migrations/002_b.sql",
            &migration("002", "001", "ALTER TABLE nowhere ADD COLUMN x int;"),
        );
        let report = check_dir(&dir, "migrations", &Options::default());
        assert!(report.has_errors());
        leave_handoff(&out, &report, &dir, &lints);
        assert_eq!(Handoff::read(&out, &dir), None);
    }

    #[test]
    fn a_clean_check_leaves_a_record_the_next_resumes_from_even_after_an_error() {
        let krate = Crate::new();
        krate
            .file(
                "migrations/001_a.sql",
                &migration("001", "none", "CREATE TABLE t (id int);")
                    .replace("SELECT 1;", "DROP TABLE t;"),
            )
            .file("out/.keep", "");
        let (dir, out) = (krate.0.join("migrations"), krate.0.join("out"));
        let options = Options::default();
        let report = check_dir(&dir, "migrations", &options);
        leave_resume(&out, &report, &dir, &options);
        let record = Resume::read(&out, &dir).expect("a record");
        krate.file(
            "migrations/002_b.sql",
            &migration("002", "001", "ALTER TABLE t ADD COLUMN x int;")
                .replace("SELECT 1;", "ALTER TABLE t DROP COLUMN x;"),
        );
        let resumed = check_dir_resumed(
            &dir,
            "migrations",
            &options,
            &report.verified,
            Some(&record),
        );
        assert_eq!(resumed.schema.stats.resumed, 1);
        assert_eq!(
            resumed.render(),
            check_dir(&dir, "migrations", &options).render()
        );
        // A migration with an error: no record of it, and the last one stays.
        krate.file(
            "migrations/003_c.sql",
            &migration("003", "002", "ALTER TABLE nowhere ADD COLUMN x int;"),
        );
        let failed = check_dir_resumed(
            &dir,
            "migrations",
            &options,
            &report.verified,
            Some(&record),
        );
        assert!(failed.has_errors());
        assert_eq!(
            failed.render(),
            check_dir(&dir, "migrations", &options).render()
        );
        leave_resume(&out, &failed, &dir, &options);
        let kept = Resume::read(&out, &dir).expect("the last record");
        assert_eq!(kept.to_bytes(), record.to_bytes());
        // Fixed: the check resumes from the record made before the error.
        krate.file(
            "migrations/003_c.sql",
            &migration("003", "002", "ALTER TABLE t ADD COLUMN y int;")
                .replace("SELECT 1;", "ALTER TABLE t DROP COLUMN y;"),
        );
        let fixed = check_dir_resumed(&dir, "migrations", &options, &report.verified, Some(&kept));
        assert_eq!(fixed.schema.stats.resumed, 1);
        assert!(!fixed.has_errors(), "{}", fixed.render());
        assert_eq!(
            fixed.render(),
            check_dir(&dir, "migrations", &options).render()
        );
    }

    #[test]
    fn clean_directory_prints_two_directives() {
        let krate = Crate::new();
        krate
            .file(
                "migrations/001_init.sql",
                // Down sections that restore the schema: the schema model checks them.
                &migration("001", "none", "CREATE TABLE t (id int);").replace(
                    "-- migrate:down\nSELECT 1;",
                    "-- migrate:down\nDROP TABLE t;",
                ),
            )
            .file(
                "migrations/002_more.sql",
                &migration(
                    "002",
                    "001",
                    "SET LOCAL lock_timeout = '5s';\nALTER TABLE t ADD COLUMN x int;",
                )
                .replace(
                    "-- migrate:down\nSELECT 1;",
                    "-- migrate:down\nALTER TABLE t DROP COLUMN x;",
                ),
            );
        let (clean, out, err) = call(&krate, &mut Vec::new(), "migrations", Policy::Defer);
        assert!(clean);
        assert_eq!(
            out,
            "cargo:rerun-if-changed=migrations\ncargo:rustc-env=RETORT_TRACKED=migrations\n"
        );
        assert_eq!(err, "");
    }

    /// A table, then an index built on it in the next revision.
    fn index_on_existing_table(krate: &Crate) {
        krate
            .file(
                "migrations/001_init.sql",
                &migration("001", "none", "CREATE TABLE t (id int);")
                    .replace("SELECT 1;", "DROP TABLE t;"),
            )
            .file(
                "migrations/002_index.sql",
                &migration("002", "001", "CREATE INDEX t_id ON t (id);")
                    .replace("SELECT 1;", "DROP INDEX t_id;"),
            );
    }

    #[test]
    fn lints_warn_with_place_code_and_safe_way_and_deny_fails() {
        let krate = Crate::new();
        index_on_existing_table(&krate);
        let (clean, out, _) = call(&krate, &mut Vec::new(), "migrations", Policy::Defer);
        assert!(clean);
        assert!(
            out.contains(
                "cargo:warning=migrations/002_index.sql:5:1: [create-index-blocks-writes] \
                 `CREATE INDEX` blocks writes to `t` while the index builds; help: build it \
                 with `CREATE INDEX CONCURRENTLY`"
            ),
            "{out}"
        );

        // Denied in retort.toml: an error, and cargo watches the file.
        krate.file(
            "retort.toml",
            "[lints]\ncreate-index-blocks-writes = \"deny\"\n",
        );
        let (clean, out, err) = call(&krate, &mut Vec::new(), "migrations", Policy::Defer);
        assert!(!clean);
        assert!(out.contains("cargo:rerun-if-changed=retort.toml"), "{out}");
        assert!(
            err.starts_with("error[create-index-blocks-writes]: "),
            "{err}"
        );

        // `track_with`'s levels win over the file's.
        let mut options = Options::default();
        options
            .lints
            .set("create-index-blocks-writes", Level::Allow)
            .unwrap();
        let (clean, out, err) = call(
            &krate,
            &mut Vec::new(),
            "migrations",
            Policy::Decide(options),
        );
        assert!(clean, "{err}");
        assert!(!out.contains("create-index-blocks-writes"), "{out}");

        // A misspelt lint in the file stops the build script.
        krate.file(
            "retort.toml",
            "[lints]\ncreate-index-block-writes = \"deny\"\n",
        );
        let (clean, _, err) = call(&krate, &mut Vec::new(), "migrations", Policy::Defer);
        assert!(!clean);
        assert!(err.contains("error[check-lint-config]"), "{err}");
        assert!(
            err.contains("did you mean `create-index-blocks-writes`"),
            "{err}"
        );
    }

    #[test]
    fn tracked_directories_accumulate_normalised() {
        let krate = Crate::new();
        krate
            .file(
                "migrations/001_a.sql",
                &migration("001", "none", "SELECT 1;"),
            )
            .file("db/audit/001_a.sql", &migration("001", "none", "SELECT 1;"));
        let mut tracked = Vec::new();
        let (_, out, _) = call(&krate, &mut tracked, "./migrations/", Policy::Defer);
        assert!(out.starts_with(
            "cargo:rerun-if-changed=./migrations/\ncargo:rustc-env=RETORT_TRACKED=migrations\n"
        ));
        let (_, out, _) = call(&krate, &mut tracked, "db\\audit", Policy::Defer);
        assert!(
            out.contains("cargo:rustc-env=RETORT_TRACKED=migrations;db/audit\n"),
            "{out}"
        );
        // The same directory again is not listed twice.
        let (_, out, _) = call(&krate, &mut tracked, "migrations", Policy::Defer);
        assert!(
            out.contains("cargo:rustc-env=RETORT_TRACKED=migrations;db/audit\n"),
            "{out}"
        );
    }

    #[test]
    fn warnings_are_one_line_cargo_warnings() {
        let krate = Crate::new();
        krate.file(
            "migrations/001_init.sql",
            &migration(
                "001",
                "none",
                "-- retort:unchecked uses psql's \\copy\nCOPY t FROM STDIN;",
            ),
        );
        let (clean, out, err) = call(&krate, &mut Vec::new(), "migrations", Policy::Defer);
        assert!(clean, "{err}");
        assert_eq!(err, "");
        let warnings: Vec<&str> = out
            .lines()
            .filter(|l| l.starts_with("cargo:warning="))
            .collect();
        assert_eq!(
            warnings,
            [
                "cargo:warning=migrations/001_init.sql:6:1: [sql-unchecked] statement not syntax-checked: uses \
              psql's \\copy"
            ]
        );
    }

    #[test]
    fn errors_are_rendered_in_full_on_stderr() {
        let krate = Crate::new();
        krate
            .file(
                "migrations/001_init.sql",
                &migration("001", "none", "SELECT 1;"),
            )
            .file(
                "migrations/002_bad.sql",
                &migration("002", "001", "CREATE TABLE (id int);"),
            );
        let (clean, out, err) = call(&krate, &mut Vec::new(), "migrations", Policy::Defer);
        assert!(!clean);
        // The directives come first, whatever the verdict: cargo must still watch the files.
        assert_eq!(
            out,
            "cargo:rerun-if-changed=migrations\ncargo:rustc-env=RETORT_TRACKED=migrations\n"
        );
        assert!(
            err.starts_with("error[sql-syntax]: SQL syntax error"),
            "{err}"
        );
        assert!(err.contains(" --> migrations/002_bad.sql:5:"), "{err}");
        assert!(err.contains("5 | CREATE TABLE (id int);"), "{err}");
        assert!(
            err.ends_with(
                "error[check-failed]: the migrations in `migrations` have 1 error; `retort check --dir \
                 migrations` shows the same\n"
            ),
            "{err}"
        );
    }

    #[test]
    fn missing_directory_is_an_error() {
        let krate = Crate::new();
        let (clean, out, err) = call(&krate, &mut Vec::new(), "migrations", Policy::Defer);
        assert!(!clean);
        assert!(out.starts_with("cargo:rerun-if-changed=migrations\n"));
        assert!(
            err.starts_with(
                "error[load-missing-directory]: cannot read the migration directory `migrations`"
            ),
            "{err}"
        );
    }

    fn two_heads(krate: &Crate) {
        krate
            .file(
                "migrations/001_init.sql",
                &migration("001", "none", "SELECT 1;"),
            )
            .file(
                "migrations/002_a.sql",
                &migration("002", "001", "SELECT 2;"),
            )
            .file(
                "migrations/003_b.sql",
                &migration("003", "001", "SELECT 3;"),
            );
    }

    #[test]
    fn several_heads_are_left_to_the_macro() {
        let krate = Crate::new();
        two_heads(&krate);
        let (clean, out, err) = call(&krate, &mut Vec::new(), "migrations", Policy::Defer);
        assert!(clean, "{err}");
        assert_eq!(err, "");
        let warnings: Vec<&str> = out
            .lines()
            .filter(|l| l.starts_with("cargo:warning="))
            .collect();
        assert_eq!(warnings.len(), 1, "{out}");
        assert!(
            warnings[0].starts_with(
                "cargo:warning=migrations/002_a.sql:1:14: [graph-multiple-heads] 2 heads: "
            ),
            "{out}"
        );
        assert!(
            warnings[0].ends_with(
                "an error unless the `retort::migrations!` call says `allow_multiple_heads` \
                 (the macro decides)"
            ),
            "{out}"
        );
    }

    #[test]
    fn several_roots_are_left_to_the_macro() {
        let krate = Crate::new();
        krate
            .file(
                "migrations/001_a.sql",
                &migration("001", "none", "SELECT 1;"),
            )
            .file(
                "migrations/002_b.sql",
                &migration("002", "none", "SELECT 2;"),
            )
            .file(
                "migrations/003_merge.sql",
                &migration("003", "001, 002", "SELECT 3;"),
            );
        let (clean, out, _) = call(&krate, &mut Vec::new(), "migrations", Policy::Defer);
        assert!(clean);
        let warnings: Vec<&str> = out
            .lines()
            .filter(|l| l.starts_with("cargo:warning="))
            .collect();
        assert_eq!(warnings.len(), 1, "{out}");
        assert!(warnings[0].contains("`allow_multiple_roots`"), "{out}");
    }

    #[test]
    fn track_with_decides_about_heads() {
        let krate = Crate::new();
        two_heads(&krate);
        let strict = Policy::Decide(Options::default());
        let (clean, out, err) = call(&krate, &mut Vec::new(), "migrations", strict);
        assert!(!clean);
        assert!(!out.contains("cargo:warning"), "{out}");
        assert!(
            err.starts_with("error[graph-multiple-heads]: 2 heads: "),
            "{err}"
        );

        let allowed = Policy::Decide(Options {
            allow_multiple_heads: true,
            ..Options::default()
        });
        let (clean, out, err) = call(&krate, &mut Vec::new(), "migrations", allowed);
        assert!(clean, "{err}");
        assert!(!out.contains("cargo:warning"), "{out}");
    }

    #[test]
    fn one_line_never_breaks_a_directive() {
        let mut sources = Sources::new();
        let file = sources.add("m/001_a.sql", "x\ny");
        let d = Diagnostic::warning(Code::SqlUnchecked, "two\nlines").at(file, 2..3, "");
        assert_eq!(
            one_line(&d, &sources),
            "m/001_a.sql:2:1: [sql-unchecked] two lines"
        );
        assert_eq!(
            one_line(
                &Diagnostic::warning(Code::SqlUnchecked, "no place"),
                &sources
            ),
            "[sql-unchecked] no place"
        );
    }
}
