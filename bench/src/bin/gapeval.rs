//! Scores the SQL checker against PostgreSQL's verdicts.
//!
//! `cargo run --release -p retort-bench --bin gapeval -- <file.tsv>…`
//!
//! Each line of a TSV is one statement: the second column holds PostgreSQL's SQLSTATE for it
//! (`OK` when it ran, `42601` for a syntax error, anything else for a later, non-syntax
//! error), the last column the statement. The tool counts, per verdict, how many statements
//! retort's checker rejects, and lists every statement PostgreSQL accepted that the checker
//! rejects: each of those is a false rejection, the one thing the checker must never do.
//! `--missed` also lists the syntax errors it lets through.

use retort_core::sql::syntax::check_statement;

fn main() {
    let (mut syntax_total, mut syntax_caught, mut ok_total, mut false_rejections) = (0, 0, 0, 0);
    let show_missed = std::env::args().any(|a| a == "--missed");
    for path in std::env::args().skip(1).filter(|a| a != "--missed") {
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!("error: cannot read {path}");
            std::process::exit(2);
        };
        for line in text.lines() {
            let cols: Vec<&str> = line.split('\t').collect();
            let (Some(state), Some(sql)) = (cols.get(1), cols.last()) else {
                continue;
            };
            let is_syntax = *state == "42601";
            let sql = sql.replace("\\n", "\n").replace("\\t", "\t");
            let rejected = check_statement(&sql);
            if is_syntax {
                syntax_total += 1;
                syntax_caught += usize::from(rejected.is_some());
                if show_missed && rejected.is_none() {
                    println!("missed: {}", cols.get(3).unwrap_or(&""));
                }
            } else {
                ok_total += 1;
                if let Some(e) = rejected {
                    false_rejections += 1;
                    println!("FALSE REJECTION ({state}): {sql}\n    {}", e.message);
                }
            }
        }
    }
    println!(
        "PostgreSQL syntax errors: {syntax_caught} of {syntax_total} caught; \
         statements PostgreSQL parsed: {false_rejections} of {ok_total} rejected"
    );
}
