//! Helpers shared by the runtime's tests: migration sets from text, catalog snapshots.

#![allow(dead_code)]

#[macro_use]
pub mod driver;

use driver::Query;
use retort_core::MigrationSet;
use retort_core::check::{Input, Options, check_texts};

/// A migration file's text.
pub fn file(rev: &str, parents: &str, up: &str, down: &str) -> Input {
    Input {
        name: format!("{rev}_m.sql"),
        text: format!(
            "-- revision: {rev}\n-- down_revision: {parents}\n\n-- migrate:up\n{up}\n\n-- migrate:down\n{down}\n"
        ),
    }
}

/// A file with a header line of its own (`-- transaction: false`, `-- irreversible: …`).
pub fn file_with(rev: &str, parents: &str, extra: &str, up: &str, down: Option<&str>) -> Input {
    let down = down.map_or_else(String::new, |d| format!("\n-- migrate:down\n{d}\n"));
    Input {
        name: format!("{rev}_m.sql"),
        text: format!(
            "-- revision: {rev}\n-- down_revision: {parents}\n{extra}\n\n-- migrate:up\n{up}\n{down}"
        ),
    }
}

/// A checked set; panics with the rendered diagnostics when the files are wrong.
pub fn set(inputs: &[Input], options: Options) -> MigrationSet {
    let report = check_texts(inputs, "migrations", &options);
    report
        .to_set()
        .unwrap_or_else(|| panic!("test migrations are wrong:\n{}", report.render()))
}

/// A linear chain of five migrations over two tables, with an index, a constraint, a type.
pub fn chain() -> MigrationSet {
    set(&chain_files(), Options::default())
}

/// The files of [`chain`].
pub fn chain_files() -> Vec<Input> {
    vec![
        file(
            "001",
            "none",
            "CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);",
            "DROP TABLE users;",
        ),
        file(
            "002",
            "001",
            "ALTER TABLE users ADD COLUMN email text;\nCREATE UNIQUE INDEX users_email ON users (email);",
            "DROP INDEX users_email;\nALTER TABLE users DROP COLUMN email;",
        ),
        file(
            "003",
            "002",
            "CREATE TYPE mood AS ENUM ('ok', 'meh');\nCREATE TABLE posts (id bigint PRIMARY KEY, author bigint NOT NULL REFERENCES users (id), mood mood);",
            "DROP TABLE posts;\nDROP TYPE mood;",
        ),
        file(
            "004",
            "003",
            "ALTER TABLE posts ADD CONSTRAINT posts_id_positive CHECK (id > 0);\nINSERT INTO users (name) VALUES ('root');",
            "DELETE FROM users WHERE name = 'root';\nALTER TABLE posts DROP CONSTRAINT posts_id_positive;",
        ),
        file(
            "005",
            "004",
            "CREATE VIEW user_names AS SELECT name FROM users;",
            "DROP VIEW user_names;",
        ),
    ]
}

/// Everything a migration can change, as sorted text: tables and columns, indexes,
/// constraints, types, views, and the rows of `users`.
pub fn catalog(client: &mut impl Query) -> Vec<String> {
    let mut out = Vec::new();
    let queries = [
        "SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') \
         FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT IN {RUNTIME_TABLES}",
        "SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT IN {RUNTIME_TABLES}",
        "SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint \
         WHERE connamespace = 'public'::regnamespace AND conrelid <> 0 AND conrelid::regclass::text NOT IN {RUNTIME_TABLES}",
        "SELECT 'type ' || t.typname || ' ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_type t \
         JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname",
        "SELECT 'view ' || viewname || ' ' || definition FROM pg_views WHERE schemaname = 'public'",
    ];
    for q in queries {
        let q = q.replace("{RUNTIME_TABLES}", RUNTIME_TABLES);
        for row in client.rows(&q, &[]).expect("catalog query") {
            out.push(row.get::<_, String>(0));
        }
    }
    out.sort();
    out
}

/// The runtime's own tables: the version table and those beside it (the lease of `lock =
/// "table"`, the head cache), left out of [`catalog`] as the runtime's catalog readers leave
/// them out.
const RUNTIME_TABLES: &str =
    "('retort_migrations', 'retort_migrations_lock', 'retort_migrations_head')";

/// The version table's revisions, in the order applied.
pub fn versions(client: &mut impl Query) -> Vec<String> {
    client
        .rows(
            "SELECT revision FROM retort_migrations WHERE state = 'applied' ORDER BY seq",
            &[],
        )
        .map(|rows| rows.iter().map(|r| r.get(0)).collect())
        .unwrap_or_default()
}
