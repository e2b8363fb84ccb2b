//! The documentation of the lints ([`crate::lint`]): what each finds, why it hurts a table
//! that already holds data, an example, and the safe way. Every lint is quiet on a table
//! created in the same revision (it is empty and no one uses it yet).

use super::Code;

/// The documentation of the lint `code` (empty for a code that is not a lint: the
/// registry's test then fails).
pub(super) fn doc(code: Code) -> &'static str {
    match code {
        Code::CreateIndexBlocksWrites => doc!(
            "`CREATE INDEX` without `CONCURRENTLY` on a table that existed before this \
             revision.",
            "A plain `CREATE INDEX` takes a SHARE lock on the table for as long as the index \
             builds: reads go on, but every INSERT, UPDATE and DELETE waits, minutes on a \
             large table.",
            "CREATE INDEX users_email ON users (email);",
            "Build it concurrently, in a revision of its own marked `transaction: false` \
             (PostgreSQL refuses `CONCURRENTLY` in a transaction):\n\n    -- transaction: \
             false\n    CREATE INDEX CONCURRENTLY users_email ON users (email);",
        ),
        Code::DropIndexBlocksTable => doc!(
            "`DROP INDEX` without `CONCURRENTLY` of an index on a table that existed before \
             this revision.",
            "A plain `DROP INDEX` takes an ACCESS EXCLUSIVE lock on the index's table: while \
             it waits for running queries, every new query on the table waits behind it.",
            "DROP INDEX users_email;",
            "Drop it concurrently, in a revision marked `transaction: false`:\n\n    DROP \
             INDEX CONCURRENTLY users_email;",
        ),
        Code::ConstraintScansTable => doc!(
            "`ADD CONSTRAINT … FOREIGN KEY` or `… CHECK` without `NOT VALID` on a table that \
             existed before this revision.",
            "PostgreSQL checks every existing row while holding the lock the statement took \
             (ACCESS EXCLUSIVE for a check, SHARE ROW EXCLUSIVE on both tables for a foreign \
             key): writes wait for the whole scan.",
            "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) \
             REFERENCES users (id);",
            "Add it `NOT VALID` (new rows are checked at once, the lock is brief), then \
             validate it in a later revision, which scans without blocking writes:\n\n    \
             ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) \
             REFERENCES users (id) NOT VALID;\n    -- next revision\n    ALTER TABLE orders \
             VALIDATE CONSTRAINT orders_user_fk;",
        ),
        Code::ValidateInSameTransaction => doc!(
            "`VALIDATE CONSTRAINT` of a constraint that the same transactional revision added \
             `NOT VALID`.",
            "`NOT VALID` exists to keep the strong lock short; validating in the same \
             transaction keeps that lock until the scan ends, which is what adding the \
             constraint valid would have done.",
            "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) \
             REFERENCES users (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT \
             orders_user_fk;",
            "Move the `VALIDATE CONSTRAINT` to a later revision (or make this revision \
             `transaction: false`, so each statement commits on its own).",
        ),
        Code::SetNotNullScansTable => doc!(
            "`ALTER COLUMN … SET NOT NULL` on a table that existed before this revision, \
             when no validated `CHECK (column IS NOT NULL)` proves it already.",
            "PostgreSQL scans every row for a null under an ACCESS EXCLUSIVE lock: no read or \
             write runs during the scan.",
            "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
            "Prove it with a check first (PostgreSQL 12+ then skips the scan):\n\n    ALTER \
             TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;\n    \
             -- next revision\n    ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;\n    \
             -- next revision\n    ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n    \
             ALTER TABLE users DROP CONSTRAINT users_email_nn;",
        ),
        Code::UniqueBlocksWrites => doc!(
            "`ADD UNIQUE` or `ADD PRIMARY KEY` without `USING INDEX` on a table that existed \
             before this revision.",
            "The constraint builds its index under an ACCESS EXCLUSIVE lock: nothing reads or \
             writes the table until the index is built.",
            "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);",
            "Build the unique index concurrently in a `transaction: false` revision, then \
             attach it:\n\n    CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users \
             (email);\n    -- next revision\n    ALTER TABLE users ADD CONSTRAINT \
             users_email_key UNIQUE USING INDEX users_email_key;",
        ),
        Code::ColumnTypeRewritesTable => doc!(
            "`ALTER COLUMN … TYPE` on a table that existed before this revision, to a type \
             PostgreSQL cannot reach without converting every row.",
            "The table and its indexes are rewritten under an ACCESS EXCLUSIVE lock: no read \
             or write runs until it ends, and the table needs twice its space meanwhile. \
             Binary-coercible changes (`varchar(n)` to a longer `varchar` or to `text`, \
             `numeric(p,s)` to a larger precision with the same scale, dropping a length \
             limit) are quiet: they rewrite nothing; so is `timestamp` to `timestamptz` after \
             `SET timezone = 'UTC'` in the revision (PostgreSQL 12+).",
            "ALTER TABLE events ALTER COLUMN id TYPE bigint;",
            "Add a column of the new type, fill it in batches, and switch over in a later \
             revision; or accept the rewrite for a small table with `-- retort:allow \
             column-type-rewrites-table <reason>`.",
        ),
        Code::AddColumnRewritesTable => doc!(
            "`ADD COLUMN` on a table that existed before this revision with a default that \
             must be computed row by row: a volatile function (`random()`, \
             `clock_timestamp()`, `gen_random_uuid()`, `nextval(…)`), a `serial` type, an \
             identity, or a stored generated column.",
            "PostgreSQL 11+ stores a constant or stable default once, without touching the \
             rows; a volatile one is computed for every row, rewriting the table under an \
             ACCESS EXCLUSIVE lock.",
            "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();",
            "Add the column without a default (or with a constant one), set the default in \
             a second statement (`ALTER COLUMN … SET DEFAULT`, which applies to new rows \
             only), and fill the existing rows in batches.",
        ),
        Code::RequiredColumnWithoutDefault => doc!(
            "`ADD COLUMN … NOT NULL` without a default on a table that existed before this \
             revision.",
            "The existing rows would get null in a column that refuses it: PostgreSQL fails \
             the statement as soon as the table has one row, so the migration that passed on \
             an empty development database fails in production.",
            "ALTER TABLE users ADD COLUMN country text NOT NULL;",
            "Give it a default (`ADD COLUMN country text NOT NULL DEFAULT 'unknown'`), or add \
             it nullable, fill it, and set it `NOT NULL` later.",
        ),
        Code::LockWithoutTimeout => doc!(
            "A statement that takes an ACCESS EXCLUSIVE lock on a table that existed before \
             this revision (most `ALTER TABLE` forms, `DROP TABLE`, `TRUNCATE`, `LOCK TABLE`, \
             `DROP INDEX`), when neither the migration (`SET lock_timeout` or `SET LOCAL \
             lock_timeout` earlier in it) nor the runner (`statement_lock_timeout` in \
             `retort.toml`) sets a lock timeout.",
            "The lock waits for every running query on the table, a long report for \
             instance; while it waits, every new query on the table queues behind it. A \
             harmless `ADD COLUMN` becomes an outage until the report ends.",
            "ALTER TABLE users ADD COLUMN nickname text;",
            "Set a timeout so the migration fails fast and can be retried:\n\n    SET LOCAL \
             lock_timeout = '5s';\n    ALTER TABLE users ADD COLUMN nickname text;\n\nor set \
             `statement_lock_timeout = 5` in `retort.toml`, which the runner applies to each \
             migration. (`SET LOCAL` has no effect in a `transaction: false` revision: use \
             `SET lock_timeout` there.)",
        ),
        Code::PreferBigint => doc!(
            "A column declared `integer`, `int`, `int4`, `smallint` or `serial` (off by \
             default: enable it with `prefer-bigint = \"warn\"` in `[lints]`).",
            "A 32-bit key runs out at 2,147,483,647; changing the type of a large table's \
             key later rewrites it under an exclusive lock.",
            "CREATE TABLE events (id serial PRIMARY KEY);",
            "Use `bigint` (or `bigint GENERATED ALWAYS AS IDENTITY`).",
        ),
        Code::PreferText => doc!(
            "A column declared `varchar(n)` (off by default: enable it with `prefer-text = \
             \"warn\"` in `[lints]`).",
            "The limit is rarely a rule of the data, and raising it on PostgreSQL before 9.2, \
             or lowering it on any version, rewrites the table.",
            "CREATE TABLE users (name varchar(100));",
            "Use `text`, with a `CHECK (char_length(name) <= 100)` if the limit matters.",
        ),
        Code::PreferIdentity => doc!(
            "A column declared `serial`, `bigserial` or `smallserial` (off by default: \
             enable it with `prefer-identity = \"warn\"` in `[lints]`).",
            "A serial's sequence is a separate object with its own permissions, and \
             explicit inserts silently desynchronise it; identity columns are the SQL \
             standard's form and are owned by the column.",
            "CREATE TABLE users (id bigserial PRIMARY KEY);",
            "Use `bigint GENERATED ALWAYS AS IDENTITY`.",
        ),
        Code::PreferTimestamptz => doc!(
            "A column declared `timestamp` (without time zone) (off by default: enable it \
             with `prefer-timestamptz = \"warn\"` in `[lints]`).",
            "`timestamp` stores a wall-clock time with no zone: the same instant reads \
             differently from sessions in different zones, and converting later rewrites \
             the table.",
            "CREATE TABLE events (at timestamp NOT NULL);",
            "Use `timestamptz` (`timestamp with time zone`).",
        ),
        Code::BanDropColumn => doc!(
            "`ALTER TABLE … DROP COLUMN` (off by default: enable it with `ban-drop-column = \
             \"warn\"` in `[lints]`).",
            "Code deployed before the migration still reads or writes the column, and fails \
             as soon as it is gone; the data does not come back with the down section.",
            "ALTER TABLE users DROP COLUMN nickname;",
            "Stop using the column in a release first, then drop it in a later one; mark the \
             revision with `-- retort:allow ban-drop-column <reason>` when that is done.",
        ),
        _ => "",
    }
}
