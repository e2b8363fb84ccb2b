retort::migrations!("tests/ui/migrations/graph_two_heads", untracked);

fn main() {}
