//! One migration file's text, checked alone: never a panic, every diagnostic renders and
//! points inside its file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use retort_core::check::{Input, Options, check_texts};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let inputs = [Input {
        name: "001_fuzz.sql".to_string(),
        text,
    }];
    let report = check_texts(&inputs, "migrations", &Options::default());
    for d in &report.diagnostics {
        let _ = d.location(&report.sources);
    }
    let _ = report.render();
    let _ = report.to_set();
});
