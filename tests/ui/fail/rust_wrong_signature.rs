//! A Rust migration's `up` must take the migration's transaction: the compiler checks it.
retort::migrations!("tests/ui/migrations/rust_wrong_signature", untracked);

fn main() {}
