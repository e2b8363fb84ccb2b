//! hello: the smallest program that uses retort.
//!
//! `migrations/` holds four revisions; `build.rs` tracks the directory, and
//! `retort::migrations!()` checks it when this crate compiles and embeds it. Run it with
//! `cargo run -p hello`.

/// The migrations of `migrations/`, checked at compile time.
mod db {
    retort::migrations!();
}

fn main() {
    println!(
        "{} migrations, each after its parents:",
        db::MIGRATIONS.len()
    );
    for m in &db::MIGRATIONS {
        let parents = match m.down_revisions() {
            [] => "(root)".to_owned(),
            parents => parents
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        };
        let transaction = if m.is_transactional() {
            "in a transaction"
        } else {
            "outside a transaction"
        };
        println!(
            "  {} <- {parents:<6}  {:<48} {transaction}",
            m.revision(),
            m.message()
        );
    }
    // `db::HEAD` exists because the history has one head; `db::revisions::R004` names the
    // same revision, and stops compiling if its file is renamed or deleted.
    assert_eq!(db::HEAD, db::revisions::R004);
    println!("head: {}", db::HEAD);
}
