//! A down section that does not restore the schema passes when the header says why:
//! `-- lossy_down: <reason>`.
#![deny(warnings)]

retort::migrations!("tests/ui/migrations/schema_lossy_down", untracked);

fn main() {
    assert_eq!(MIGRATIONS.len(), 2);
    let dropped = MIGRATIONS.get("002").expect("002");
    assert_eq!(
        dropped.down_sql(),
        Some("ALTER TABLE users ADD COLUMN nickname text DEFAULT '';")
    );
}
