retort::migrations!("tests/ui/migrations/graph_dangling", untracked);

fn main() {}
