//! ARCHITECTURE.md is a map: every path it names must exist, or the map is wrong. It holds no
//! timings either (they belong in BENCHMARKS.md, where they are dated by their run).

use std::path::Path;

/// The repository root (this crate's manifest directory).
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn architecture() -> String {
    std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md is readable")
}

/// The code spans of a Markdown text (between single backticks; fenced blocks skipped).
fn code_spans(text: &str) -> Vec<(usize, String)> {
    let mut spans = Vec::new();
    let mut fenced = false;
    for (n, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let mut parts = line.split('`');
        parts.next();
        while let (Some(inside), Some(_)) = (parts.next(), parts.next()) {
            spans.push((n + 1, inside.to_owned()));
        }
    }
    spans
}

/// Files of a user's project that the map names as such, not as files of this repository.
const USER_FILES: &[&str] = &["build.rs", "retort.toml", "schema.sql", "migrations/"];

/// Whether a code span is meant as a path of this repository: it has a `/` or a file
/// extension we keep, and no spaces, globs, placeholders or environment variables
/// (`OUT_DIR/…`).
fn as_path(span: &str) -> Option<&str> {
    let extensions = [".rs", ".md", ".toml", ".sh", ".sql", ".stderr"];
    let env_var = span.split('/').next().is_some_and(|first| {
        first.len() > 1 && first.chars().all(|c| c.is_ascii_uppercase() || c == '_')
    });
    let looks_like_path = (span.contains('/') || extensions.iter().any(|e| span.ends_with(e)))
        && !span.contains([' ', '*', '<', '>', '{', '}', '…', ':', '(', '=', '"', '\''])
        && !span.starts_with(['-', '/', '.'])
        && !span.contains("://")
        && !env_var
        && !USER_FILES.contains(&span);
    looks_like_path.then(|| span.trim_end_matches('/'))
}

#[test]
fn every_path_named_in_architecture_exists() {
    let text = architecture();
    let mut checked = 0;
    let mut missing = Vec::new();
    for (line, span) in code_spans(&text) {
        let Some(path) = as_path(&span) else { continue };
        checked += 1;
        // A bare file name is looked up under the crate directories it may belong to.
        let candidates = [
            "",
            "core/src/",
            "core/src/schema/",
            "core/src/schema/replay/",
            "core/src/schema/diff/",
            "core/src/sql/",
            "macros/src/",
            "runtime/src/",
            "cli/src/",
            "cli/src/commands/",
            "cli/src/import/",
            "cli/src/introspect/",
            "build-support/src/",
            "test-support/src/",
            "src/",
            "bench/",
            "cli/tests/",
            "runtime/tests/",
            "core/tests/",
        ];
        if !candidates
            .iter()
            .any(|dir| root().join(dir).join(path).exists())
        {
            missing.push(format!("ARCHITECTURE.md:{line}: `{span}`"));
        }
    }
    assert!(
        checked >= 30,
        "only {checked} paths found: the map should name the modules it describes"
    );
    assert!(
        missing.is_empty(),
        "paths that do not exist:\n{}",
        missing.join("\n")
    );
}

#[test]
fn architecture_holds_no_timings() {
    let text = architecture();
    let timing = |word: &str| {
        let w = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '.');
        let Some(unit) = ["ms", "s", "min"].iter().find(|u| w.ends_with(*u)) else {
            return false;
        };
        let number = &w[..w.len() - unit.len()];
        !number.is_empty() && number.chars().all(|c| c.is_ascii_digit() || c == '.')
    };
    let found: Vec<String> = text
        .lines()
        .enumerate()
        .flat_map(|(n, line)| {
            let words: Vec<&str> = line.split_whitespace().collect();
            let mut hits = Vec::new();
            for (k, word) in words.iter().enumerate() {
                // "140 ms" as two words, or "140ms" as one.
                let joined = words.get(k + 1).map(|next| format!("{word}{next}"));
                let is_number = word
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.' || c == ',');
                if timing(word) || (is_number && joined.as_deref().is_some_and(timing)) {
                    hits.push(format!("ARCHITECTURE.md:{}: {line}", n + 1));
                }
            }
            hits
        })
        .collect();
    assert!(
        found.is_empty(),
        "timings belong in BENCHMARKS.md:\n{}",
        found.join("\n")
    );
    let size = text.len();
    assert!(
        size <= 22 * 1024,
        "ARCHITECTURE.md is {size} bytes: it is a map (about 15-20 KB)"
    );
}
