retort::migrations!("tests/ui/migrations/schema_missing_column", untracked);

fn main() {}
