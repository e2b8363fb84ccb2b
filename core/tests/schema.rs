//! The schema model's cases as data: every `tests/schema/<family>/<case>.sql` is a migration
//! directory in one file, checked with [`check_texts`]; its snapshot
//! (`tests/schema/<family>/<case>.snap`) holds what the check says (every diagnostic,
//! rendered as the build prints it) and what the model believes (the schema at each head,
//! printed as `retort schema` prints it). How to add a case: `tests/schema/README.md`.
//!
//! A fixture is a run of migration files, each after a marker line naming it:
//!
//! ```text
//! -- What the case shows (comment lines before the first marker; optional).
//! -- file: 001_create_users.sql
//! -- revision: 001
//! -- down_revision: none
//!
//! -- migrate:up
//! CREATE TABLE users (id int);
//!
//! -- migrate:down
//! DROP TABLE users;
//! ```
//!
//! A fixture whose markers are wrong (text before the first marker, no marker, a name given
//! twice or not ending in `.sql`) fails its test with the line at fault.

use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use retort_core::check::{Input, Options, Report, check_dir, check_dir_resumed, check_texts};
use retort_core::lint::LintSettings;
use retort_core::resume::Resume;
use retort_core::schema::ddl;

/// The line that starts each file of a fixture.
const MARKER: &str = "-- file: ";

/// Where the fixtures are, beside this file.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schema")
}

/// Every `*.sql` under `dir`, sorted.
fn fixtures(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            out.extend(fixtures(&path));
        } else if path.extension().is_some_and(|x| x == "sql") {
            out.push(path);
        }
    }
    out
}

/// A fixture split into its files, the comment lines before the first marker apart.
#[derive(Debug)]
struct Fixture {
    /// The comment lines before the first marker, without `--`.
    description: String,
    /// The files, in the order written.
    files: Vec<Input>,
}

/// Splits a fixture's text at its marker lines; an error names the line at fault.
fn parse(text: &str) -> Result<Fixture, String> {
    let mut description = Vec::new();
    let mut files: Vec<Input> = Vec::new();
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let n = n + 1;
        if let Some(name) = line.strip_prefix(MARKER) {
            let name = name.trim();
            if !name.ends_with(".sql") || name.contains('/') || name.len() <= ".sql".len() {
                return Err(format!(
                    "line {n}: `{name}` is not a migration file name (`002_add_email.sql`)"
                ));
            }
            if files.iter().any(|f| f.name == name) {
                return Err(format!("line {n}: `{name}` is given twice"));
            }
            files.push(Input {
                name: name.to_owned(),
                text: String::new(),
            });
        } else if let Some(file) = files.last_mut() {
            file.text.push_str(line);
        } else if let Some(comment) = line.trim_end().strip_prefix("--") {
            description.push(comment.trim().to_owned());
        } else if !line.trim().is_empty() {
            return Err(format!(
                "line {n}: text before the first `{}` marker: {}",
                MARKER.trim_end(),
                line.trim_end()
            ));
        }
    }
    if files.is_empty() {
        return Err(format!(
            "no `{}NAME.sql` marker: a fixture holds at least one migration file",
            MARKER
        ));
    }
    Ok(Fixture {
        description: description.join(" "),
        files,
    })
}

/// The files whose revision no other file names as a parent: the heads, in file order.
fn heads(report: &Report) -> Vec<usize> {
    let parents: Vec<&str> = report
        .files
        .iter()
        .flat_map(|f| f.down_revisions.iter().flatten())
        .map(|p| p.value.as_str())
        .collect();
    (0..report.files.len())
        .filter(|&i| {
            report.files[i]
                .revision
                .as_ref()
                .is_some_and(|r| !parents.contains(&r.value.as_str()))
        })
        .collect()
}

/// What the snapshot holds: the diagnostics, the replay's counts, and the schema at each
/// head as DDL.
fn outcome(report: &Report) -> String {
    let mut out = String::from("== diagnostics ==\n");
    if report.diagnostics.is_empty() {
        out.push_str("(none)\n");
    } else {
        out.push_str(report.render().trim_end());
        out.push('\n');
    }
    let s = &report.schema.stats;
    let _ = writeln!(
        out,
        "\n== replay ==\nrevisions: {}, fully known: {}, partly unknown: {}, all unknown: {}, \
         statements: {}, downs checked: {}, downs skipped: {}",
        s.revisions,
        s.fully_known,
        s.partly_unknown,
        s.all_unknown,
        s.statements,
        s.downs_checked,
        s.downs_skipped
    );
    let heads = heads(report);
    if heads.is_empty() {
        out.push_str("\n== schema ==\n(no revision)\n");
    }
    for i in heads {
        let f = &report.files[i];
        let rev = f.revision.as_ref().map_or("", |r| r.value.as_str());
        let path = report.sources.get(f.file).path();
        let _ = writeln!(out, "\n== schema at {rev} ({path}) ==");
        match report.schema.catalogs.get(i).and_then(Option::as_ref) {
            Some(cat) => {
                let ddl = ddl::render(cat, &report.sources);
                out.push_str(if ddl.trim().is_empty() {
                    "(empty)"
                } else {
                    ddl.trim_end()
                });
                out.push('\n');
            }
            None => out.push_str("(outside the revision graph)\n"),
        }
    }
    out
}

/// Checks one fixture against its snapshot.
fn run(path: &Path) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{e}"));
    let fixture = parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // The model's verdicts alone: the lints have their own cases (`tests/lint/`).
    let options = Options {
        lints: LintSettings::off(),
        ..Options::default()
    };
    let report = check_texts(&fixture.files, "migrations", &options);
    let dir = path.parent().expect("a family directory");
    let name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("a file name");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_input_file(path);
    if !fixture.description.is_empty() {
        settings.set_description(fixture.description);
    }
    settings.bind(|| insta::assert_snapshot!(name, outcome(&report)));
}

#[test]
fn every_fixture_matches_its_snapshot() {
    let root = root();
    let all = fixtures(&root);
    assert!(!all.is_empty(), "no fixture under {}", root.display());
    // Every fixture is checked (and every new snapshot written) before the test fails.
    let failed: Vec<String> = all
        .iter()
        .filter(|path| catch_unwind(AssertUnwindSafe(|| run(path))).is_err())
        .map(|path| {
            path.strip_prefix(&root)
                .unwrap_or(path)
                .display()
                .to_string()
        })
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {} fixtures differ from their snapshots (review with `cargo insta review`, or \
         accept them all with `INSTA_UPDATE=always`): {failed:#?}",
        failed.len(),
        all.len()
    );
}

/// Writes `files` as the directory `dir`, replacing what was there.
fn write_dir(dir: &Path, files: &[Input]) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("a temporary directory");
    for f in files {
        std::fs::write(dir.join(&f.name), &f.text).expect("write a migration");
    }
}

/// The schema at each head, as `Debug` shows it (what `PartialEq` ignores included).
fn head_catalogs(report: &Report) -> Vec<String> {
    heads(report)
        .into_iter()
        .map(|i| format!("{:?}", report.schema.catalogs.get(i)))
        .collect()
}

/// The fixtures as growing histories: checked with what the check of each prefix (by file
/// name, as a directory grows) recorded, including the catalog at its head
/// (`retort_core::resume`), every fixture reports what a fresh check reports, lints on.
#[test]
fn every_fixture_grown_from_each_prefix_reports_what_a_fresh_check_does() {
    let scratch = std::env::temp_dir().join(format!("retort-schema-resume-{}", std::process::id()));
    let (before, after) = (scratch.join("before"), scratch.join("after"));
    let options = Options::default();
    let mut resumed = 0;
    for path in fixtures(&root()) {
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
        let mut files = parse(&text)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .files;
        files.sort_by(|a, b| a.name.cmp(&b.name));
        write_dir(&after, &files);
        let fresh = check_dir(&after, "migrations", &options);
        for k in 1..files.len() {
            write_dir(&before, &files[..k]);
            let prefix = check_dir(&before, "migrations", &options);
            let record =
                Resume::of(&prefix, &options).and_then(|r| Resume::from_bytes(&r.to_bytes()));
            let again = check_dir_resumed(
                &after,
                "migrations",
                &options,
                &prefix.verified,
                record.as_ref(),
            );
            let at = format!("{} grown from its first {k} files", path.display());
            assert_eq!(again.render(), fresh.render(), "{at}");
            assert_eq!(head_catalogs(&again), head_catalogs(&fresh), "{at}");
            assert_eq!(again.verified, fresh.verified, "{at}");
            resumed += usize::from(again.schema.stats.resumed > 0);
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    assert!(resumed > 20, "only {resumed} checks resumed from a record");
}

#[test]
fn a_fixture_with_broken_markers_fails_loudly() {
    let file = "-- file: 001_a.sql\n-- revision: 001\n";
    assert_eq!(parse(file).map(|f| f.files.len()), Ok(1));
    for (text, error) in [
        ("", "no `-- file: NAME.sql` marker"),
        ("-- only a comment\n", "no `-- file: NAME.sql` marker"),
        (
            "CREATE TABLE t ();\n-- file: 001_a.sql\n",
            "line 1: text before the first `-- file:` marker",
        ),
        (
            "-- file: 001_a.sql\n-- file: 001_a.sql\n",
            "line 2: `001_a.sql` is given twice",
        ),
        (
            "-- file: 001_a.txt\n",
            "line 1: `001_a.txt` is not a migration file name",
        ),
        ("-- file: \n", "line 1: `` is not a migration file name"),
    ] {
        let got = parse(text).map(|f| f.files.len());
        assert!(
            got.as_ref().is_err_and(|e| e.starts_with(error)),
            "{text:?}: {got:?}"
        );
    }
}
