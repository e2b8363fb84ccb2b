retort::migrations!("tests/ui/migrations/schema_down_leaves_enum", untracked);

fn main() {}
