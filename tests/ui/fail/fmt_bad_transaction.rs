retort::migrations!("tests/ui/migrations/fmt_bad_transaction", untracked);

fn main() {}
