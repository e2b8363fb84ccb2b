retort::migrations!("tests/ui/migrations/fmt_repeated_key", untracked);

fn main() {}
