retort::migrations!("tests/ui/migrations/schema_down_leaves_index", untracked);

fn main() {}
