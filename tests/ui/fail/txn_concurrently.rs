retort::migrations!("tests/ui/migrations/txn_concurrently", untracked);

fn main() {}
