use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::*;

#[test]
fn names_are_unique_kebab_case_and_start_with_their_family() {
    let mut seen = HashSet::new();
    for &code in Code::ALL {
        let name = code.as_str();
        assert!(seen.insert(name), "`{name}` is given twice");
        assert!(
            !name.is_empty()
                && name
                    .split('-')
                    .all(|w| w.starts_with(|c: char| c.is_ascii_lowercase())
                        && w.chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())),
            "`{name}` is not kebab-case"
        );
        let prefix = code.family().prefix();
        if code.family() == Family::Lint {
            // Lints are named for what they find, but never like another family's code.
            for other in Family::ALL.iter().filter(|f| **f != Family::Lint) {
                assert!(
                    !name.starts_with(&format!("{}-", other.prefix())),
                    "lint `{name}` starts with the prefix of {other:?}"
                );
            }
        } else {
            assert!(
                name == prefix || name.starts_with(&format!("{prefix}-")),
                "`{name}` does not start with its family's prefix `{prefix}`"
            );
        }
        assert_eq!(Code::lookup(name), Some(code));
        assert_eq!(name.parse::<Code>(), Ok(code));
        assert_eq!(code.to_string(), name);
    }
    assert_eq!(Code::ALL.len(), VARIANT_NAMES.len());
    assert_eq!(
        "no-such-code".parse::<Code>(),
        Err(UnknownCode("no-such-code".to_owned()))
    );
}

#[test]
fn every_code_is_documented_in_four_sections() {
    for &code in Code::ALL {
        let summary = code.summary();
        assert!(
            summary.ends_with('.') && !summary.contains('\n'),
            "{code}: the summary is one sentence on one line"
        );
        let doc = code.doc();
        let mut at = 0;
        for heading in [
            "## What it means\n\n",
            "## Why it is a problem\n\n",
            "## Example\n\n```text\n",
            "## Fix\n\n",
        ] {
            let start = doc[at..]
                .find(heading)
                .unwrap_or_else(|| panic!("{code}: no `{}` after byte {at}", heading.trim()))
                + at
                + heading.len();
            let body = doc[start..].split("\n\n## ").next().unwrap_or_default();
            assert!(
                body.trim().trim_end_matches("```").trim().len() > 10,
                "{code}: the section `{}` is empty",
                heading.trim()
            );
            at = start;
        }
    }
}

#[test]
fn every_family_has_codes() {
    for &family in Family::ALL {
        assert!(
            Code::ALL.iter().any(|c| c.family() == family),
            "{family:?} has no code"
        );
    }
}

#[cfg(feature = "check")]
#[test]
fn similar_names_come_first() {
    assert_eq!(
        Code::similar("schema-missing-colum"),
        [Code::SchemaMissingColumn]
    );
    // A part of a name that several codes share suggests each of them.
    let commit = Code::similar("db-commit");
    assert!(
        commit.contains(&Code::DbCommitLost) && commit.contains(&Code::DbCommitRefused),
        "{commit:?}"
    );
    assert_eq!(
        Code::similar("lock-timeout").first(),
        Some(&Code::DbLockTimeout)
    );
    assert!(Code::similar("zzzzzzzzzzzzzzzzzzzzzzzz").is_empty());
}

/// The `.rs` files under `dir`, skipping build output.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if !(name.starts_with('.') || name == "target" || name == "fixtures") {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

/// Every code is constructed somewhere: its variant appears in the workspace's sources
/// outside the registry and outside tests of it.
#[test]
fn every_code_is_used() {
    let core = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = core.parent().unwrap_or(core);
    let registry = core.join("src").join("codes");
    let mut files = Vec::new();
    for crate_dir in ["core", "macros", "runtime", "build-support", "cli", "src"] {
        rust_files(&root.join(crate_dir).join("src"), &mut files);
    }
    assert!(files.len() > 20, "found only {} source files", files.len());
    let mut text = String::new();
    for f in files.iter().filter(|f| !f.starts_with(&registry)) {
        text.push_str(&std::fs::read_to_string(f).unwrap_or_default());
        text.push('\n');
    }
    let unused: Vec<&str> = VARIANT_NAMES
        .iter()
        .filter(|(_, variant)| {
            let used = format!("Code::{variant}");
            // Followed by something that ends the name: `Code::SqlSyntax` must not count
            // as a use of a shorter variant's name.
            !text.match_indices(&used).any(|(i, m)| {
                !text[i + m.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            })
        })
        .map(|(code, _)| code.as_str())
        .collect();
    assert!(unused.is_empty(), "codes never constructed: {unused:?}");
}
