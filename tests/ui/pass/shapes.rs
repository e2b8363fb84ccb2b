//! Every shape of migration the macro must accept: enums, generated columns, `COMMENT ON`,
//! `GRANT`, `$$` and `$tag$` function bodies, triggers, a non-transactional partial index,
//! a merge revision, an irreversible migration with a `DO` block, and a statement exempted
//! with `-- retort:unchecked` (a warning, so the build passes).
#![deny(missing_docs, warnings)]

use retort::Checksum;

/// The migrations of `tests/ui/migrations/shapes`.
pub mod db {
    retort::migrations!("tests/ui/migrations/shapes", untracked);
}

fn main() {
    use db::revisions::*;

    let order: Vec<&str> = db::MIGRATIONS
        .iter()
        .map(|m| m.revision().as_str())
        .collect();
    assert_eq!(order, ["001", "002", "003", "004", "e5f3a9c1"]);
    assert_eq!(db::HEAD, Re5f3a9c1);
    assert_eq!(db::HEADS, [Re5f3a9c1]);

    let get = |rev: &str| db::MIGRATIONS.get(rev).unwrap();
    let root = get("001");
    assert!(root.down_revisions().is_empty());
    assert_eq!(root.message(), "Create users with roles");
    assert_eq!(
        root.path(),
        "tests/ui/migrations/shapes/001_create_users.sql"
    );
    assert!(root.up_sql().starts_with("CREATE TYPE user_role"));
    assert!(root.down_sql().unwrap().ends_with("DROP TYPE user_role;"));
    assert_eq!((root.up_line(), root.down_line()), (6, 23));

    assert!(get("002").up_sql().contains("RETURN NEW;\nEND;\n$$;"));
    assert!(!get("003").is_transactional());
    assert!(get("003").up_sql().contains("WHERE deleted_at IS NULL"));

    let merge = get("004");
    assert_eq!(merge.down_revisions(), [R002, R003]);
    assert_eq!(merge.up_sql(), "");
    assert_eq!(merge.down_sql(), Some(""));

    let purge = get("e5f3a9c1");
    assert_eq!(purge.irreversible(), Some("the deleted rows are gone"));
    assert_eq!(purge.down_sql(), None);
    assert_eq!(purge.message(), "Purge users deleted before 2020");

    // The checksum computed at compile time is the one the runtime computes, and it does not
    // drift: databases store it, so a change here breaks every deploy.
    for m in &db::MIGRATIONS {
        assert_eq!(
            m.checksum(),
            Checksum::of_sql(m.up_sql()),
            "{}",
            m.revision()
        );
    }
    assert_eq!(
        merge.checksum().to_hex(),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        root.checksum().to_hex(),
        "44988335f3a291b27a284669c0234960c533c6599b23de864b9cdee4d0287255"
    );
}
