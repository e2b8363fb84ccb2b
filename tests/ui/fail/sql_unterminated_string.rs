retort::migrations!("tests/ui/migrations/sql_unterminated_string", untracked);

fn main() {}
