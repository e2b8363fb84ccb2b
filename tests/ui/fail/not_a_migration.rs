retort::migrations!("tests/ui/migrations/not_a_migration", untracked);

fn main() {}
