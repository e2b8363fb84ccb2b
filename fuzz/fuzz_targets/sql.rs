//! Arbitrary text through the SQL layer: the syntax check of one statement, and the
//! psql-compatible split, whose statement ranges must be valid slices of the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use retort_core::sql::{lex, syntax};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(e) = syntax::check_statement(text) {
        assert!(e.range.start <= e.range.end && e.range.end <= text.len());
    }
    for stmt in lex::split(text) {
        let sql = &text[stmt.range.clone()];
        let _ = syntax::check_statement(sql);
        if let Some((_, range)) = &stmt.unchecked {
            let _ = &text[range.clone()];
        }
    }
});
