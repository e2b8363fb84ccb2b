//! `schema_at` names a revision that is not in the directory.

mod db {
    retort::migrations!(
        "tests/ui/migrations/schema_typed_people",
        untracked,
        schema_at = ["002", "042"],
    );
}

fn main() {
    let _ = db::schema_at::R002::people::LEGACY;
}
