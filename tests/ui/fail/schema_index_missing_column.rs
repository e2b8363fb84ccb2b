retort::migrations!("tests/ui/migrations/schema_index_missing_column", untracked);

fn main() {}
