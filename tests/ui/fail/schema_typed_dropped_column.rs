//! Code that uses a column a later migration drops stops compiling.

mod db {
    retort::migrations!("tests/ui/migrations/schema_typed_people", untracked);
}

fn show(row: &db::schema::people::Row) -> Option<String> {
    // `legacy` is added by `002` and dropped by `003`.
    row.legacy.clone()
}

fn main() {
    let _ = db::schema::people::LEGACY;
    let _ = show;
}
