retort::migrations!("tests/ui/migrations/sql_truncated", untracked);

fn main() {}
