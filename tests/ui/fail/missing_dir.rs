retort::migrations!("tests/ui/migrations/does_not_exist", untracked);

fn main() {}
