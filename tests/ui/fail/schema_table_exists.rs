retort::migrations!("tests/ui/migrations/schema_table_exists", untracked);

fn main() {}
