retort::migrations!("tests/ui/migrations/sql_missing_semicolon", untracked);

fn main() {}
