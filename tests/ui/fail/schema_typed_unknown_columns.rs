//! A table whose columns the model cannot tell has no column constants and no row struct;
//! views have no module; with two heads there is no `schema` module.

mod db {
    retort::migrations!("tests/ui/migrations/schema_typed_unknown", untracked);
}

mod heads {
    retort::migrations!("tests/ui/migrations/heads", allow_multiple_heads, untracked);
}

fn main() {
    let _ = db::schema::summary::N;
    let _: Option<db::schema::summary::Row> = None;
    let _ = db::schema::plain_ids::TABLE;
    let _ = heads::schema::users::TABLE;
}
