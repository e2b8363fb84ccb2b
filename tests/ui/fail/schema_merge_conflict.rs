retort::migrations!("tests/ui/migrations/schema_merge_conflict", untracked);

fn main() {}
