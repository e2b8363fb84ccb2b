retort::migrations!("tests/ui/migrations/schema_dropped_table", untracked);

fn main() {}
