//! A few files built from the fuzz input (names and texts), checked as one directory.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use retort_core::check::{Input, Options, check_texts};

#[derive(Arbitrary, Debug)]
struct Dir {
    allow_multiple_heads: bool,
    allow_multiple_roots: bool,
    files: Vec<(String, String)>,
}

fuzz_target!(|dir: Dir| {
    let inputs: Vec<Input> = dir
        .files
        .into_iter()
        .take(8)
        .map(|(name, text)| Input { name, text })
        .collect();
    let options = Options {
        allow_multiple_heads: dir.allow_multiple_heads,
        allow_multiple_roots: dir.allow_multiple_roots,
    };
    let report = check_texts(&inputs, "migrations", &options);
    for d in &report.diagnostics {
        let _ = d.location(&report.sources);
    }
    let _ = report.render();
    if let Some(set) = report.to_set() {
        let _ = retort_core::plan::History::from_set(&set);
    }
});
