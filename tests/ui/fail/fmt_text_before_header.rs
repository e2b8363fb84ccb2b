retort::migrations!("tests/ui/migrations/fmt_text_before_header", untracked);

fn main() {}
