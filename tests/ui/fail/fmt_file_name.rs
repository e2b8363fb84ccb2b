retort::migrations!("tests/ui/migrations/fmt_file_name", untracked);

fn main() {}
