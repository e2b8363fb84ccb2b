//! `retort explain`: the documentation of a code, the list of codes, and an unknown code.

mod common;

use common::Project;

#[test]
fn explains_a_code_in_four_sections() {
    let p = Project::new();
    let run = p.retort(&["explain", "schema-missing-column"]).ok();
    assert!(
        run.stdout.starts_with("# schema-missing-column (error)\n"),
        "{run:#?}"
    );
    let mut at = 0;
    for heading in [
        "## What it means",
        "## Why it is a problem",
        "## Example",
        "## Fix",
    ] {
        let found = run.stdout[at..]
            .find(heading)
            .unwrap_or_else(|| panic!("no `{heading}` in order: {run:#?}"));
        at += found + heading.len();
    }
    assert!(run.stderr.is_empty(), "{run:#?}");
}

#[test]
fn a_warning_says_it_is_one() {
    let p = Project::new();
    let run = p.retort(&["explain", "sql-unchecked"]).ok();
    assert!(
        run.stdout.starts_with("# sql-unchecked (warning)\n"),
        "{run:#?}"
    );
}

#[test]
fn works_without_a_directory_or_with_a_broken_config() {
    let p = Project::new();
    p.file("retort.toml", "tabel = \"x\"\n");
    p.retort(&["--dir", "nowhere", "explain", "db-lock-timeout"])
        .ok();
}

#[test]
fn an_unknown_code_is_a_usage_error_naming_the_nearest() {
    let p = Project::new();
    let run = p.retort(&["explain", "schema-missing-colum"]).code(2);
    assert!(
        run.stderr
            .starts_with("error[cli-unknown-code]: `schema-missing-colum` is not a retort code"),
        "{run:#?}"
    );
    assert!(
        run.stderr
            .contains("did you mean `schema-missing-column`? "),
        "{run:#?}"
    );
    assert!(run.stdout.is_empty(), "{run:#?}");

    let run = p.retort(&["explain", "qqqqqqqqqqqqqqqqqqqqqq"]).code(2);
    assert!(
        run.stderr
            .contains("`retort explain --list` lists every code"),
        "{run:#?}"
    );
    assert!(!run.stderr.contains("did you mean"), "{run:#?}");

    // Part of a name: every code that has it.
    let run = p.retort(&["explain", "db-commit"]).code(2);
    assert!(
        run.stderr
            .contains("did you mean one of `db-commit-lost`, `db-commit-refused`?"),
        "{run:#?}"
    );
}

#[test]
fn lists_every_code_with_a_summary() {
    let p = Project::new();
    let listed = p.retort(&["explain", "--list"]).ok();
    let bare = p.retort(&["explain"]).ok();
    assert_eq!(listed.stdout, bare.stdout);
    let codes: Vec<&str> = listed
        .stdout
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('`'))
        .map(|l| l.split_whitespace().next().unwrap_or_default())
        .collect();
    for code in [
        "format-missing-key",
        "graph-multiple-heads",
        "sql-unchecked",
        "schema-down-not-restored",
        "macro-untracked-directory",
        "db-lock-timeout",
        "cli-unknown-code",
    ] {
        assert!(codes.contains(&code), "{code} not in {codes:?}");
    }
    // Every listed code explains itself.
    for code in &codes {
        p.retort(&["explain", code]).ok();
    }
}

#[test]
fn every_printed_error_names_a_code_that_explain_knows() {
    let p = Project::new();
    p.migration("001", "none", "CREATE TABLE t (id int);", "DROP TABLE t;");
    p.migration(
        "002",
        "001",
        "SET LOCAL lock_timeout = '5s';\nALTER TABLE t ADD COLUMN a int;",
        "",
    );
    let run = p.retort(&["check"]).code(1);
    let code = run
        .stderr
        .strip_prefix("error[")
        .and_then(|rest| rest.split_once(']'))
        .map(|(code, _)| code)
        .unwrap_or_else(|| panic!("no code: {run:#?}"));
    assert_eq!(code, "schema-down-not-restored", "{run:#?}");
    p.retort(&["explain", code]).ok();
}
