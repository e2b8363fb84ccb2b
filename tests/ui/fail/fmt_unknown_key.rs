retort::migrations!("tests/ui/migrations/fmt_unknown_key", untracked);

fn main() {}
