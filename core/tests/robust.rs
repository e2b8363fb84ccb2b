//! Mangled input never panics the checker, and every diagnostic points inside its file.
//!
//! A deterministic mutation loop (no fuzzing framework needed to run it in `cargo test`):
//! valid migration files are cut, spliced and sprinkled with the characters that matter to
//! SQL and to the header (quotes, `$`, `--`, `/*`, `;`, CR, BOM, multi-byte characters).

use retort_core::check::{Input, Options, check_texts};

/// xorshift64*: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const SEEDS: &[&str] = &[
    "-- revision: 001\n-- down_revision: none\n-- message: create users\n\n-- migrate:up\nCREATE TABLE users (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    name text NOT NULL DEFAULT 'x'\n);\nCOMMENT ON TABLE users IS 'people';\n\n-- migrate:down\nDROP TABLE users;\n",
    "-- revision: 002\n-- down_revision: 001\n\n-- migrate:up\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  NEW.name := 'a;b';\n  RETURN NEW;\nEND;\n$$;\n/* block; comment */\nDO $x$ BEGIN PERFORM 1; END $x$;\n\n-- migrate:down\nDROP FUNCTION f();\n",
    "-- revision: 003\n-- down_revision: 002\n-- transaction: false\n\n-- migrate:up\nCREATE INDEX CONCURRENTLY i ON users (lower(name)) WHERE name <> '';\n-- retort:unchecked vendor syntax\nSELECT 1;\n\n-- migrate:down\nDROP INDEX CONCURRENTLY i;\n",
];

const SPRINKLES: &[&str] = &[
    "'",
    "\"",
    "$",
    "$$",
    "--",
    "/*",
    "*/",
    ";",
    "\r\n",
    "\r",
    "\u{feff}",
    "é",
    "𝄞",
    "(",
    ")",
    "\n",
    "-- migrate:up\n",
    "-- migrate:down\n",
    "-- revision: 001\n",
    ":",
    ",",
    "\0",
    "E'\\",
    "BEGIN ATOMIC ",
    "END",
    "CREATE FUNCTION g() ",
];

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut s: Vec<char> = text.chars().collect();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(s.len() + 1).min(s.len());
        match rng.below(4) {
            0 if !s.is_empty() => {
                let len = rng.below(20).min(s.len() - at.min(s.len()));
                s.drain(at..at + len);
            }
            1 => {
                let piece = SPRINKLES[rng.below(SPRINKLES.len())];
                s.splice(at..at, piece.chars());
            }
            2 => s.truncate(at),
            _ => {
                let other: Vec<char> = SEEDS[rng.below(SEEDS.len())].chars().collect();
                let from = rng.below(other.len());
                let len = rng.below(40).min(other.len() - from);
                s.splice(at..at, other[from..from + len].iter().copied());
            }
        }
    }
    s.into_iter().collect()
}

#[test]
fn mangled_directories_never_panic_and_spans_stay_in_their_files() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut with_errors = 0;
    for round in 0..1500 {
        let inputs: Vec<Input> = SEEDS
            .iter()
            .enumerate()
            .map(|(i, seed)| Input {
                name: format!("{:03}_m.sql", i + 1),
                text: if rng.below(3) == 0 {
                    (*seed).to_owned()
                } else {
                    mutate(&mut rng, seed)
                },
            })
            .collect();
        let report = check_texts(&inputs, "migrations", &Options::default());
        for d in &report.diagnostics {
            if let Some(span) = &d.span {
                let text = report.sources.get(span.file).text();
                assert!(
                    span.range.start <= span.range.end
                        && span.range.end <= text.len()
                        && text.is_char_boundary(span.range.start)
                        && text.is_char_boundary(span.range.end),
                    "round {round}: span {:?} outside its file for {:?}\n{inputs:#?}",
                    span.range,
                    d.message
                );
            }
        }
        // Rendering must not panic either.
        let rendered = report.render();
        if report.has_errors() {
            with_errors += 1;
            assert!(rendered.contains("error["), "round {round}");
        } else {
            assert!(
                report.to_set().is_some(),
                "round {round}: a clean report must yield a set"
            );
        }
    }
    // The mutations must actually break things most of the time, or the test proves little.
    assert!(
        with_errors > 700,
        "only {with_errors} of 1500 rounds had errors"
    );
}
