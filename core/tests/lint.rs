//! The lints' cases as data: every `tests/lint/<rule>.sql` is a migration directory in one
//! file (the markers of `tests/schema/`: `-- file: NAME.sql` before each file), checked with
//! [`check_texts`] as the build checks it; its snapshot (`tests/lint/<rule>.snap`) holds
//! every diagnostic, rendered as the build prints it. Each rule's case shows where it fires,
//! its quiet form, and the same statement on a table created in the same revision (quiet).
//!
//! Comment lines before the first marker describe the case; those that start with
//! `-- retort.toml:` are the lines of a `retort.toml` whose lint settings the check uses.
//! How to add or accept a case: `tests/schema/README.md` (the same steps, with
//! `--test lint`).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use retort_core::check::{Input, Options, check_texts};
use retort_core::lint::LintSettings;

/// The line that starts each file of a case.
const MARKER: &str = "-- file: ";

/// The prefix of a `retort.toml` line in a case's preamble.
const TOML: &str = "-- retort.toml:";

/// A case: its description, its `retort.toml`, its files.
struct Case {
    description: String,
    toml: String,
    files: Vec<Input>,
}

/// Splits a case at its markers; an error names the line at fault.
fn parse(text: &str) -> Result<Case, String> {
    let mut case = Case {
        description: String::new(),
        toml: String::new(),
        files: Vec::new(),
    };
    for (n, line) in text.split_inclusive('\n').enumerate() {
        if let Some(name) = line.strip_prefix(MARKER) {
            let name = name.trim();
            if !name.ends_with(".sql") || case.files.iter().any(|f| f.name == name) {
                return Err(format!(
                    "line {}: bad or repeated file name `{name}`",
                    n + 1
                ));
            }
            case.files.push(Input {
                name: name.to_owned(),
                text: String::new(),
            });
        } else if let Some(file) = case.files.last_mut() {
            file.text.push_str(line);
        } else if let Some(toml) = line.strip_prefix(TOML) {
            case.toml.push_str(toml.trim());
            case.toml.push('\n');
        } else if let Some(comment) = line.trim_end().strip_prefix("--") {
            case.description.push_str(comment.trim());
            case.description.push(' ');
        } else if !line.trim().is_empty() {
            return Err(format!("line {}: text before the first marker", n + 1));
        }
    }
    if case.files.is_empty() {
        return Err("no `-- file: NAME.sql` marker".to_owned());
    }
    Ok(case)
}

/// Checks one case against its snapshot.
fn run(path: &Path) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{e}"));
    let case = parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let lints =
        LintSettings::from_toml(&case.toml).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let options = Options {
        lints,
        ..Options::default()
    };
    let report = check_texts(&case.files, "migrations", &options);
    let rendered = if report.diagnostics.is_empty() {
        "(none)".to_owned()
    } else {
        report.render().trim_end().to_owned()
    };
    let name = path.file_stem().and_then(|s| s.to_str()).expect("a name");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(path.parent().expect("a directory"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_input_file(path);
    settings.set_description(case.description.trim().to_owned());
    settings.bind(|| insta::assert_snapshot!(name, rendered));
}

#[test]
fn every_case_matches_its_snapshot() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lint");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 15, "only {} cases", cases.len());
    let failed: Vec<String> = cases
        .iter()
        .filter(|p| catch_unwind(AssertUnwindSafe(|| run(p))).is_err())
        .map(|p| p.display().to_string())
        .collect();
    assert!(
        failed.is_empty(),
        "cases differ from their snapshots: {failed:#?}"
    );
}

#[test]
fn every_lint_has_a_case() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lint");
    for rule in retort_core::lint::rules::RULES {
        let case = root.join(format!("{}.sql", rule.code));
        assert!(
            case.is_file(),
            "no case for `{}`: {}",
            rule.code,
            case.display()
        );
    }
}
