retort::migrations!("tests/ui/migrations/graph_cycle", untracked);

fn main() {}
