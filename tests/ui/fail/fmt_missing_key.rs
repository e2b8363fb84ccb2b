retort::migrations!("tests/ui/migrations/fmt_missing_key", untracked);

fn main() {}
