//! The schema model over a chain of migrations whose SQL comes from the fuzz input.
//!
//! The input is text: files are separated by a line `====`, and within a file a line `----`
//! separates the up section from the down section. The files form one chain (`f0` ← `f1` ←
//! …), so the replay sees every statement in order, and every down section is compared with
//! the schema before its up. Nothing may panic; every diagnostic must have a location.
#![no_main]

use libfuzzer_sys::fuzz_target;
use retort_core::check::{Input, Options, check_texts};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut inputs = Vec::new();
    for (k, file) in text.split("\n====\n").take(12).enumerate() {
        let (up, down) = match file.split_once("\n----\n") {
            Some((up, down)) => (up, Some(down)),
            None => (file, None),
        };
        let parent = if k == 0 {
            String::new()
        } else {
            format!("f{}", k - 1)
        };
        let mut body = format!(
            "-- revision: f{k}\n-- down_revision: {parent}\n-- message: m\n\n-- migrate:up\n{up}\n"
        );
        if let Some(down) = down {
            body.push_str("-- migrate:down\n");
            body.push_str(down);
            body.push('\n');
        }
        inputs.push(Input {
            name: format!("{k:03}_f.sql"),
            text: body,
        });
    }
    let report = check_texts(&inputs, "migrations", &Options::default());
    let schema = retort_core::schema::analyze(&report.sources, &report.files, &report.graph);
    for d in report.diagnostics.iter().chain(&schema.diagnostics) {
        let _ = d.location(&report.sources);
    }
    let _ = report.render();
});
