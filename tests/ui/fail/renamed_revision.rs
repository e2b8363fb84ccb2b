// Code that names a revision whose file was renamed or deleted stops compiling.
mod db {
    retort::migrations!("tests/ui/migrations/renamed_revision", untracked);
}

fn main() {
    let _ = db::revisions::R002;
    let _ = db::revisions::R003;
}
