retort::migrations!("tests/ui/migrations/schema_foreign_key", untracked);

fn main() {}
