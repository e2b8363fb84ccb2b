//! The bad-input corpus: `tests/bad_input/<case>/` is a migration directory each, run through
//! `check_dir` with the exact outcome asserted — every diagnostic's message and
//! `file:line:col`, or a clean pass — and never a panic. The large cases (a 5 MB file, 10,000
//! migrations) are generated into a temporary directory at run time, never committed; their
//! time is printed (`cargo test -p retort-core --test bad_input -- --nocapture`), not asserted.
//!
//! The files are byte-exact (`tests/bad_input/.gitattributes` turns off line-ending
//! conversion): CRLF, a BOM and invalid UTF-8 must survive a checkout.

use retort_core::check::{Options, Report, check_dir};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn case(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/bad_input")
        .join(name)
}

/// Every diagnostic as `message @ path:line:col` (or the message alone without a span).
fn lines(report: &Report) -> Vec<String> {
    report
        .diagnostics
        .iter()
        .map(|d| match d.location(&report.sources) {
            Some(at) => format!("{} @ {at}", d.message),
            None => d.message.clone(),
        })
        .collect()
}

fn check(name: &str) -> Report {
    check_dir(&case(name), "migrations", &no_lints())
}

/// The corpus is about reading files: the lints have their own cases (`tests/lint/`).
fn no_lints() -> Options {
    Options {
        lints: retort_core::lint::LintSettings::off(),
        ..Options::default()
    }
}

#[track_caller]
fn assert_outcome(name: &str, expected: &[&str]) {
    let report = check(name);
    assert_eq!(lines(&report), expected, "case `{name}`");
    assert_eq!(report.has_errors(), !expected.is_empty(), "case `{name}`");
}

#[track_caller]
fn assert_passes(report: &Report, name: &str) {
    assert_eq!(lines(report), Vec::<String>::new(), "case `{name}`");
    assert!(report.to_set().is_some(), "case `{name}`");
}

/// A scratch directory under the target directory, emptied first.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("bad_input")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn invalid_utf8_is_reported_at_the_first_bad_byte() {
    assert_outcome(
        "invalid_utf8",
        &["the file is not valid UTF-8 @ migrations/002_latin1_comment.sql:5:31"],
    );
}

#[test]
fn a_byte_order_mark_passes() {
    assert_passes(&check("bom"), "bom");
}

#[test]
fn crlf_passes_with_the_checksums_of_lf() {
    let crlf = check("crlf");
    assert_passes(&crlf, "crlf");
    // The same files with LF endings.
    let lf_dir = scratch("crlf_as_lf");
    for entry in std::fs::read_dir(case("crlf")).unwrap() {
        let entry = entry.unwrap();
        let text = std::fs::read_to_string(entry.path()).unwrap();
        assert!(
            text.contains("\r\n"),
            "the corpus file lost its CRLF endings"
        );
        std::fs::write(lf_dir.join(entry.file_name()), text.replace("\r\n", "\n")).unwrap();
    }
    let lf = check_dir(&lf_dir, "migrations", &no_lints());
    assert_passes(&lf, "crlf as lf");
    let sums = |r: &Report| {
        r.to_set()
            .unwrap()
            .iter()
            .map(|m| (m.revision().to_string(), m.checksum()))
            .collect::<Vec<_>>()
    };
    assert_eq!(sums(&crlf), sums(&lf));
    assert_eq!(sums(&crlf).len(), 2);
}

#[test]
fn an_empty_file_is_reported() {
    assert_outcome(
        "empty",
        &[
            "missing header: the file does not start with `-- revision: …` @ migrations/002_empty.sql:1:1",
            "missing `-- migrate:up` @ migrations/002_empty.sql:1:1",
            "missing `-- migrate:down` @ migrations/002_empty.sql:1:1",
        ],
    );
}

#[test]
fn an_unterminated_dollar_quote_is_reported_where_it_opens() {
    assert_outcome(
        "unterminated_dollar",
        &["unterminated dollar-quoted string @ migrations/002_function.sql:5:61"],
    );
}

#[test]
fn an_unterminated_block_comment_is_reported_where_it_opens() {
    assert_outcome(
        "unterminated_comment",
        &["unterminated block comment `/* …` @ migrations/002_add_email.sql:5:1"],
    );
}

#[test]
fn a_thousand_header_keys_give_five_errors_and_a_count() {
    assert_outcome(
        "many_header_keys",
        &[
            "unknown header key `key0001` @ migrations/001_many_keys.sql:3:4",
            "unknown header key `key0002` @ migrations/001_many_keys.sql:4:4",
            "unknown header key `key0003` @ migrations/001_many_keys.sql:5:4",
            "unknown header key `key0004` @ migrations/001_many_keys.sql:6:4",
            "unknown header key `key0005` @ migrations/001_many_keys.sql:7:4",
            "995 more unknown header keys @ migrations/001_many_keys.sql:8:4",
        ],
    );
}

#[test]
fn revisions_differing_only_in_case_are_refused() {
    assert_outcome(
        "case_collision",
        &["revisions `ABC` and `abc` differ only in case @ migrations/abc_create_users.sql:1:14"],
    );
}

#[test]
fn a_revision_naming_itself_as_parent_is_refused() {
    assert_outcome(
        "self_parent",
        &["revision `002` names itself as its `down_revision` @ migrations/002_loop.sql:2:19"],
    );
}

#[test]
fn a_symlink_to_a_migration_passes() {
    let link = case("symlink").join("002_add_email.sql");
    assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
    let report = check("symlink");
    assert_passes(&report, "symlink");
    assert_eq!(report.to_set().unwrap().len(), 2);
}

#[test]
fn a_broken_symlink_is_reported() {
    let link = case("broken_symlink").join("002_add_email.sql");
    assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
    assert_outcome(
        "broken_symlink",
        &[
            "cannot read `migrations/002_add_email.sql`: it is a symbolic link to \
           `../nowhere/002_add_email.sql`, which does not exist",
        ],
    );
}

#[test]
fn a_subdirectory_is_refused() {
    assert_outcome("subdirectory", &["`migrations/archive` is a directory"]);
}

#[test]
fn a_five_megabyte_file_passes() {
    let dir = scratch("five_megabytes");
    let mut up = String::new();
    let mut down = String::new();
    let mut i = 0;
    // About 5 MB in all: the up section and the down section together.
    while up.len() + down.len() < 5 << 20 {
        up.push_str(&format!(
            "CREATE TABLE t{i} (id bigint PRIMARY KEY, name text NOT NULL DEFAULT 'x;y', n int);\n"
        ));
        down.push_str(&format!("DROP TABLE t{i};\n"));
        i += 1;
    }
    let text = format!(
        "-- revision: 001\n-- down_revision: none\n\n-- migrate:up\n{up}\n-- migrate:down\n{down}"
    );
    std::fs::write(dir.join("001_big.sql"), &text).unwrap();
    let start = Instant::now();
    let report = check_dir(&dir, "migrations", &Options::default());
    let took = start.elapsed();
    println!(
        "5 MB file ({} bytes, {i} tables): check_dir took {took:?}",
        text.len()
    );
    assert_passes(&report, "five_megabytes");
}

#[test]
fn ten_thousand_migrations_pass() {
    const N: usize = 10_000;
    let dir = scratch("ten_thousand");
    for i in 1..=N {
        let parent = if i == 1 {
            "none".to_string()
        } else {
            format!("r{:05}", i - 1)
        };
        std::fs::write(
            dir.join(format!("r{i:05}_step.sql")),
            format!(
                "-- revision: r{i:05}\n-- down_revision: {parent}\n\n-- migrate:up\nCREATE TABLE t{i} (id int);\n\n-- migrate:down\nDROP TABLE t{i};\n"
            ),
        )
        .unwrap();
    }
    let start = Instant::now();
    let report = check_dir(&dir, "migrations", &Options::default());
    let took = start.elapsed();
    println!("{N} migrations: check_dir took {took:?}");
    assert_passes(&report, "ten_thousand");
    let set = report.to_set().unwrap();
    assert_eq!(set.len(), N);
    assert_eq!(set.heads().len(), 1);
    assert_eq!(set.heads()[0].as_str(), "r10000");
}
