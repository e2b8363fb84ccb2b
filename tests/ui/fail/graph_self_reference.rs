retort::migrations!("tests/ui/migrations/graph_self_reference", untracked);

fn main() {}
