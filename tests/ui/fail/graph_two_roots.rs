retort::migrations!("tests/ui/migrations/graph_two_roots", untracked);

fn main() {}
