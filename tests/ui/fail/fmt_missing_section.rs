retort::migrations!("tests/ui/migrations/fmt_missing_section", untracked);

fn main() {}
