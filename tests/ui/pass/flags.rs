//! `allow_multiple_heads` and `allow_multiple_roots`, flag order, a trailing comma, a path
//! written with `./` and a trailing `/`, the macro in a function body, and an empty
//! directory.
#![deny(missing_docs, warnings)]

/// Two unmerged heads, allowed.
pub mod heads {
    retort::migrations!(
        "./tests/ui/migrations/heads/",
        allow_multiple_heads,
        untracked,
    );
}

/// Two roots joined by a merge, allowed.
pub mod roots {
    retort::migrations!("tests/ui/migrations/roots", untracked, allow_multiple_roots);
}

/// No migration yet (only a dot-file, which is ignored): an empty set and no head.
pub mod empty {
    retort::migrations!("tests/ui/migrations/empty", untracked);
}

fn in_a_function() -> usize {
    retort::migrations!("tests/ui/migrations/heads", allow_multiple_heads, untracked);
    assert_eq!(HEADS, [revisions::R002, revisions::R003]);
    MIGRATIONS.len()
}

fn main() {
    // Several heads: `HEADS` lists them, and there is no `HEAD`.
    assert_eq!(
        heads::HEADS,
        [heads::revisions::R002, heads::revisions::R003]
    );
    let order: Vec<&str> = heads::MIGRATIONS
        .iter()
        .map(|m| m.revision().as_str())
        .collect();
    assert_eq!(order, ["001", "002", "003"]);
    // The message defaults to the file name's slug.
    assert_eq!(heads::MIGRATIONS.get("002").unwrap().message(), "add email");

    // Two roots, one head.
    assert_eq!(roots::HEAD, roots::revisions::Rc1);
    let order: Vec<&str> = roots::MIGRATIONS
        .iter()
        .map(|m| m.revision().as_str())
        .collect();
    assert_eq!(order, ["a1", "b1", "c1"]);
    assert_eq!(
        roots::MIGRATIONS.get("c1").unwrap().down_revisions(),
        [roots::revisions::Ra1, roots::revisions::Rb1]
    );

    assert_eq!(in_a_function(), 3);

    assert!(empty::MIGRATIONS.is_empty());
    assert!(empty::HEADS.is_empty());
}
