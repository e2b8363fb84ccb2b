//! A Rust migration without a public `up` is a format error with the signature to write.
retort::migrations!("tests/ui/migrations/rust_no_up", untracked);

fn main() {}
