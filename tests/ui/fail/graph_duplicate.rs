retort::migrations!("tests/ui/migrations/graph_duplicate", untracked);

fn main() {}
