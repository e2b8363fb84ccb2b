//! SQL names that become the same Rust name are an error naming both.

mod db {
    retort::migrations!("tests/ui/migrations/schema_typed_collision", untracked);
}

fn main() {
    let _ = db::MIGRATIONS.len();
}
