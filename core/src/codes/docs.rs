//! The documentation of each [`Code`]: what it means, why it is a problem, an example and
//! the fix. The match is exhaustive, so a new code does not compile without its text.

use super::Code;

/// Lays out the four sections as Markdown; the example goes in a code block.
macro_rules! doc {
    ($what:literal, $why:literal, $example:literal, $fix:literal $(,)?) => {
        concat!(
            "## What it means\n\n",
            $what,
            "\n\n## Why it is a problem\n\n",
            $why,
            "\n\n## Example\n\n```text\n",
            $example,
            "\n```\n\n## Fix\n\n",
            $fix,
            "\n"
        )
    };
}

mod lint;

/// The documentation of `code`.
pub(super) fn doc(code: Code) -> &'static str {
    match code {
        Code::LoadMissingDirectory => doc!(
            "The migration directory (`migrations` by default, or the one named in \
             `retort::migrations!(\"…\")`, `--dir` or `retort.toml`) does not exist.",
            "With no directory there are no migrations: the build cannot embed them and the \
             command has nothing to work on.",
            "retort::migrations!(\"db/migrations\")   // but the crate has no db/migrations/",
            "Create the directory (`retort init db/migrations` writes a first migration), or \
             name the right one: relative to Cargo.toml for the macro, to the working \
             directory for the command.",
        ),
        Code::LoadUnreadable => doc!(
            "The migration directory cannot be listed, or a file in it cannot be read: no \
             permission, a symbolic link to nothing, an input/output error.",
            "A migration that cannot be read cannot be checked or applied; going on without \
             it would build a different history than the one on disk.",
            "migrations/002_add_email.sql -> ../shared/002.sql   (the target is gone)",
            "Make the file readable by the user that builds or runs retort, or fix or remove \
             the broken link.",
        ),
        Code::LoadStrayFile => doc!(
            "The migration directory holds a subdirectory, a file whose name does not end in \
             `.sql`, or a name that is not valid UTF-8. Dot-files and `*.md` files are \
             ignored.",
            "retort reads the directory flat and every other entry is a mistake it cannot \
             guess the meaning of: a migration saved with the wrong extension would silently \
             never run.",
            "migrations/002_add_email.sq\nmigrations/old/",
            "Rename the file to `<revision>_<slug>.sql`, or move it out of the directory.",
        ),
        Code::LoadInvalidUtf8 => doc!(
            "A migration file contains bytes that are not UTF-8.",
            "retort reads SQL as UTF-8 text and PostgreSQL receives it as such; a file in \
             another encoding would change meaning on the way.",
            "002_add_names.sql saved as Latin-1: INSERT INTO t VALUES ('caf\\xe9');",
            "Save the file as UTF-8.",
        ),
        Code::FormatMissingHeader => doc!(
            "The file does not start with the header: the `-- key: value` lines that give its \
             `revision` and `down_revision`.",
            "Without the header retort does not know the migration's id or where it belongs in \
             the history.",
            "CREATE TABLE users (id bigint PRIMARY KEY);",
            "Start the file with:\n\n    -- revision: 001\n    -- down_revision: none\n\n    \
             -- migrate:up\n    …\n\n    -- migrate:down\n    …",
        ),
        Code::FormatTextBeforeHeader => doc!(
            "Something other than blank lines comes before the header's `-- key: value` lines.",
            "The header is the run of `-- key: value` lines at the top of the file; text above \
             it makes the file ambiguous to people and tools.",
            "-- Adds the email column.\n-- revision: 002\n-- down_revision: 001",
            "Move the header to the top of the file and put comments after it.",
        ),
        Code::FormatMissingKey => doc!(
            "The header lacks `revision` or `down_revision`.",
            "Both place the migration in the history: its own id, and the revision (or \
             revisions, for a merge) it follows.",
            "-- revision: 002\n\n-- migrate:up",
            "Add the missing line: `-- down_revision: 001`, or `-- down_revision: none` for \
             the first migration.",
        ),
        Code::FormatUnknownKey => doc!(
            "A header line's key is not one of `revision`, `down_revision`, `message`, \
             `transaction`, `irreversible`, `lossy_down`.",
            "It is most often a misspelt key, whose setting would otherwise be silently \
             ignored.",
            "-- revision: 002\n-- down_revison: 001",
            "Fix the spelling (the message suggests the likely key), or move the comment below \
             the header.",
        ),
        Code::FormatRepeatedKey => doc!(
            "The same key appears twice in the header.",
            "Only one value can hold; retort does not guess which one was meant.",
            "-- revision: 002\n-- revision: 003",
            "Keep one of the two lines.",
        ),
        Code::FormatKeyAfterHeader => doc!(
            "A `-- key: value` line with a header key comes after the header has ended (after \
             a blank line or a comment) and before `-- migrate:up`.",
            "It looks like part of the header but is not read as such, so its setting would be \
             ignored.",
            "-- revision: 002\n-- down_revision: 001\n\n-- transaction: false",
            "Move the line up into the unbroken run of header lines.",
        ),
        Code::FormatEmptyValue => doc!(
            "A header key is followed by nothing.",
            "Every key but `message` needs a value; an empty one is a line left half-written.",
            "-- revision: 002\n-- down_revision:",
            "Write the value, such as `-- down_revision: 001` or `-- down_revision: none`.",
        ),
        Code::FormatInvalidRevision => doc!(
            "A revision id in `revision` or `down_revision` is not 1 to 32 ASCII letters and \
             digits, or is a reserved word (`none`, `head`, `heads`, `base`).",
            "Ids appear in file names, targets (`retort upgrade 002`) and generated Rust \
             names; reserved words already mean something there.",
            "-- revision: 002-add-email\n-- down_revision: 001, none",
            "Use letters and digits only, such as `002` or `20240501a`; write `none` alone.",
        ),
        Code::FormatInvalidValue => doc!(
            "A header value is not one its key accepts, such as `transaction: yes`.",
            "retort would otherwise have to guess what the migration wants.",
            "-- transaction: no",
            "Write one of the values the message lists: `transaction` is `true` or `false`.",
        ),
        Code::FormatFileName => doc!(
            "The file name does not start with the `revision` its header declares.",
            "People find migrations by their file names; a name that disagrees with the header \
             sends them to the wrong file.",
            "migrations/003_add_email.sql containing `-- revision: 002`",
            "Rename the file to `<revision>_<slug>.sql`, or fix the revision.",
        ),
        Code::FormatMissingSection => doc!(
            "The file has no `-- migrate:up` line, or no `-- migrate:down` line and no \
             `irreversible` key.",
            "The up section is the migration; the down section is how it is reverted. A \
             migration that cannot be reverted must say so.",
            "-- revision: 002\n-- down_revision: 001\n\n-- migrate:up\nALTER TABLE users ADD \
             COLUMN email text;",
            "Add the missing marker and its SQL, or `-- irreversible: <why>` to the header \
             when nothing can revert the migration.",
        ),
        Code::FormatRepeatedSection => doc!(
            "`-- migrate:up` or `-- migrate:down` appears twice.",
            "A file has one up section and at most one down section; a second one is usually \
             a copy-paste left over.",
            "-- migrate:up\nCREATE TABLE a ();\n-- migrate:up\nCREATE TABLE b ();",
            "Merge the two sections into one.",
        ),
        Code::FormatSectionOrder => doc!(
            "The `-- migrate:down` section comes before `-- migrate:up`.",
            "Readers expect what a migration does before how it is undone.",
            "-- migrate:down\nDROP TABLE a;\n-- migrate:up\nCREATE TABLE a ();",
            "Put the up section first.",
        ),
        Code::FormatUnknownMarker => doc!(
            "A `-- migrate:` line names something other than `up` or `down`.",
            "It is most often a typo, and the SQL after it would land in the wrong section.",
            "-- migrate:upgrade",
            "Write `-- migrate:up` or `-- migrate:down`.",
        ),
        Code::FormatSqlOutsideSection => doc!(
            "SQL comes after the header but before `-- migrate:up`.",
            "SQL outside a section belongs to neither direction, so it would never run.",
            "-- revision: 002\n-- down_revision: 001\nALTER TABLE users ADD COLUMN email text;\n\
             -- migrate:up",
            "Put the SQL in the up section, after `-- migrate:up`.",
        ),
        Code::FormatIrreversibleConflict => doc!(
            "A migration marked `irreversible` also has a down section or a `lossy_down` key.",
            "`irreversible` says nothing can revert it; a down section or an excuse for one \
             contradicts that, and leaves readers unsure which is true.",
            "-- irreversible: drops the audit log\n…\n-- migrate:down\nCREATE TABLE audit ();",
            "Remove the down section and `lossy_down`, or remove `irreversible` if the \
             migration can be reverted.",
        ),
        Code::FormatRustMissingUp => doc!(
            "A file `migrations/<rev>_<slug>.rs` (a Rust data migration) has no `pub fn up` at \
             the top level of the file, or a string or comment in it is never closed, so \
             retort cannot find one.",
            "`migrations!()` compiles the file into the program and runs its `up` when the \
             revision is applied: without it there is nothing to run.",
            "// revision: 003\n// down_revision: 002\n\nfn backfill(tx: &mut retort::postgres::Transaction<'_>) { … }",
            "Write the migration as `pub fn up(tx: &mut retort::postgres::Transaction<'_>) -> \
             Result<(), retort::BoxError>` at the top level of the file (not inside a module \
             or an impl), and close what is left open.",
        ),
        Code::FormatRustHeader => doc!(
            "The header of a Rust data migration has `transaction: false`, `lossy_down` or \
             `replaces`.",
            "A Rust migration runs in the transaction the runner gives it, together with its \
             version row; it changes data, not the schema (the build assumes so and \
             `retort test` checks it), so no down can lose schema; and a squash checkpoint is \
             SQL written by `retort squash`.",
            "// revision: 003\n// down_revision: 002\n// transaction: false",
            "Remove the key. A data change too big for one transaction belongs in batches \
             inside `up`, or in a SQL migration with `transaction: false`.",
        ),
        Code::SchemaEnvironmentChangesSchema => doc!(
            "A migration whose header says `environments: …` creates, alters or drops \
             something in the schema, as the schema model replays it.",
            "Where the runner's environment is not listed, the migration is recorded as \
             skipped: that database would have another schema than the others, and every \
             later migration, the checks and the typed schema assume one schema.",
            "-- revision: 007\n-- down_revision: 006\n-- environments: dev\n\n-- migrate:up\n\
             CREATE TABLE debug_log (line text);",
            "Keep environment-limited migrations to data: seed rows, fixtures, test accounts. \
             Put the schema change in a migration without `environments`.",
        ),
        Code::SqlSyntax => doc!(
            "The parser rejects a statement: a misspelt keyword, a missing comma or `;`, an \
             unbalanced parenthesis.",
            "PostgreSQL would reject it too, at deployment time, possibly after earlier \
             migrations ran.",
            "ALTER TABLE users ADD COLUMN email text\nCREATE INDEX ON users (email);",
            "Fix the statement. If PostgreSQL accepts it and retort does not, put \
             `-- retort:unchecked <why>` on the line before it and report the gap.",
        ),
        Code::SqlUnterminated => doc!(
            "A string literal, quoted identifier, dollar-quoted body or block comment is \
             opened and never closed before the end of its section.",
            "Everything after the opening quote would be read as part of it, so the rest of \
             the section cannot be checked.",
            "INSERT INTO t VALUES ('it''s);",
            "Close it. A section ends at the next `-- migrate:` marker or at the end of the \
             file.",
        ),
        Code::SqlUnchecked => doc!(
            "A statement follows a `-- retort:unchecked <why>` line, so its syntax and its \
             effect on the schema model are not checked. This is a warning.",
            "What is not checked may fail at deployment; the warning keeps the exemption \
             visible.",
            "-- retort:unchecked psql meta-command\n\\copy t FROM 'data.csv'",
            "Nothing, if the exemption is meant. Remove the marker once retort reads the \
             statement.",
        ),
        Code::SqlUncheckedNoReason => doc!(
            "A `-- retort:unchecked` line gives no reason.",
            "An exemption without a reason cannot be reviewed, or removed when it is no longer \
             needed.",
            "-- retort:unchecked\nSELECT my_extension_function();",
            "Say why: `-- retort:unchecked uses syntax from extension X`.",
        ),
        Code::TxnNotAllowed => doc!(
            "A statement that PostgreSQL refuses inside a transaction block (`CREATE INDEX \
             CONCURRENTLY`, `VACUUM`, `ALTER TYPE … ADD VALUE` on older servers, …) is in a \
             migration that runs in a transaction, the default.",
            "The migration would fail at deployment with `cannot run inside a transaction \
             block`.",
            "-- migrate:up\nCREATE INDEX CONCURRENTLY users_email ON users (email);",
            "Add `-- transaction: false` to the header (the statements then run one by one), \
             or move the statement into a migration of its own that has it.",
        ),
        Code::TxnControl => doc!(
            "A transactional migration contains `BEGIN`, `COMMIT`, `ROLLBACK` or another \
             transaction control statement.",
            "retort already wraps the migration and its version-table row in one transaction; \
             a `COMMIT` inside would end it early and break that guarantee.",
            "-- migrate:up\nBEGIN;\nCREATE TABLE a ();\nCOMMIT;",
            "Remove the statements, or add `-- transaction: false` to manage transactions \
             yourself.",
        ),
        Code::TxnNonTransactionalInRun => doc!(
            "`--single-transaction` or `--dry-run` asks for every migration of the run to \
             share one transaction, and one of them has `transaction: false`.",
            "That migration holds statements PostgreSQL refuses inside a transaction, so the \
             run cannot be one transaction (and a dry run, which rolls back, cannot show it).",
            "retort upgrade --single-transaction   // 004 has `-- transaction: false`",
            "Run without the flag, or stop the run before that migration and apply it on its \
             own.",
        ),
        Code::GraphDuplicateRevision => doc!(
            "Two files declare the same `revision`.",
            "A revision id names one migration: in the version table, in targets, in \
             `down_revision`. Two files with one id cannot both be applied.",
            "002_add_email.sql:  -- revision: 002\n002_add_phone.sql:  -- revision: 002",
            "Give one of them a new id and rename its file; point its children's \
             `down_revision` at the new id.",
        ),
        Code::GraphCaseCollision => doc!(
            "Two revision ids differ only in letter case, such as `00a` and `00A`.",
            "On a case-insensitive file system (macOS, Windows) their files can overwrite each \
             other, and people read them as one revision.",
            "00a_add_email.sql and 00A_add_phone.sql",
            "Give one of them another id.",
        ),
        Code::GraphMissingParent => doc!(
            "`down_revision` names a revision that no file in the directory declares.",
            "The migration's place in the history is unknown: it cannot be ordered or applied.",
            "-- revision: 003\n-- down_revision: 009",
            "Name an existing revision (usually the current head), or `none` for the first \
             migration.",
        ),
        Code::GraphRepeatedParent => doc!(
            "A merge's `down_revision` lists the same revision twice.",
            "A merge joins distinct heads; a repeated one is a typo for another.",
            "-- down_revision: 003, 003",
            "List each parent once.",
        ),
        Code::GraphCycle => doc!(
            "Following `down_revision` from some revision leads back to it, or a revision \
             names itself.",
            "The history must run from old to new; a cycle has no order to apply in.",
            "002: down_revision 003\n003: down_revision 002",
            "Make each `down_revision` name an older revision.",
        ),
        Code::GraphMultipleRoots => doc!(
            "More than one migration has `down_revision: none`.",
            "A history has one first migration; a second root is usually a `down_revision` \
             left at `none` by mistake.",
            "001_init.sql: down_revision: none\n005_users.sql: down_revision: none",
            "Set the extra root's `down_revision` to the revision it follows. Independent \
             histories are allowed by `allow_multiple_roots` in the macro call \
             (`--allow-multiple-roots` for `retort check`).",
        ),
        Code::GraphMultipleHeads => doc!(
            "Two or more revisions have no child: the history has branched and not been \
             merged. The build script reports it as a warning and the macro call decides.",
            "`retort upgrade` to `head` is ambiguous, and the branches may change the schema \
             in conflicting ways.",
            "002: down_revision 001\n003: down_revision 001",
            "`retort merge -m \"merge heads\"` writes a revision that joins them; or allow \
             branches with `allow_multiple_heads` in the macro call.",
        ),
        Code::SchemaMissingObject => doc!(
            "A statement uses a table, view, index, sequence, type, function, schema, trigger, \
             constraint or extension that, following the migrations in order, does not exist \
             at that point: never created on this branch, or dropped earlier.",
            "PostgreSQL would fail with `does not exist` at deployment.",
            "-- 002\nDROP TABLE users;\n-- 003\nALTER TABLE users ADD COLUMN email text;",
            "Create the object before using it, fix the name, or reorder the migrations.",
        ),
        Code::SchemaMissingColumn => doc!(
            "A statement uses a column that the table does not have at that point.",
            "PostgreSQL would fail with `column … does not exist` at deployment; code using \
             the typed schema would not compile.",
            "CREATE TABLE users (id bigint);\nCREATE INDEX ON users (email);",
            "Add the column first, or fix its name (the message lists the table's columns).",
        ),
        Code::SchemaAlreadyExists => doc!(
            "A statement creates a table, column, constraint, enum value or other object that \
             already exists at that point, without `IF NOT EXISTS`.",
            "PostgreSQL would fail with `already exists` at deployment.",
            "-- 001\nCREATE TABLE users (id bigint);\n-- 004\nCREATE TABLE users (id bigint);",
            "Drop the old one first, choose another name, or add `IF NOT EXISTS`.",
        ),
        Code::SchemaForeignKeyTarget => doc!(
            "A foreign key references a table without naming columns, and the table has no \
             primary key; or it references columns that no primary key or unique constraint \
             covers.",
            "PostgreSQL requires the referenced columns to be unique and refuses the \
             constraint otherwise.",
            "CREATE TABLE a (id bigint);\nCREATE TABLE b (a_id bigint REFERENCES a);",
            "Reference columns with a unique constraint, or add one (or a primary key) to the \
             referenced table first.",
        ),
        Code::SchemaDependentObjects => doc!(
            "A `DROP TABLE` without `CASCADE` drops a table that a foreign key of another table \
             (not dropped by the same statement) still references.",
            "PostgreSQL refuses it (\"cannot drop table … because other objects depend on \
             it\"), so the migration would fail at deploy time.",
            "CREATE TABLE a (id int PRIMARY KEY);\nCREATE TABLE b (a_id int REFERENCES a);\n\
             DROP TABLE a;",
            "Drop the foreign key first (`ALTER TABLE b DROP CONSTRAINT b_a_id_fkey`), drop both \
             tables in one statement (`DROP TABLE b, a`), or write `DROP TABLE a CASCADE` to \
             drop the foreign keys with it.",
        ),
        Code::SchemaDownNotRestored => doc!(
            "After the up section then the down section, the schema is not what it was before \
             the up section: something created is not dropped, or something dropped is not \
             recreated.",
            "A downgrade would leave the database in a state no revision describes, and the \
             next upgrade may fail on what was left behind.",
            "-- migrate:up\nCREATE TABLE a ();\nCREATE INDEX a_i ON a ((1));\n-- migrate:down\n\
             DROP INDEX a_i;",
            "Make the down section undo exactly what the up section does. If it is lossy on \
             purpose, say why in the header: `-- lossy_down: <reason>`.",
        ),
        Code::SchemaUnsafeNewEnumValue => doc!(
            "A transactional migration adds a value to an existing enum type (`ALTER TYPE … ADD \
             VALUE`) and then uses it: cast to the type (`'x'::mood`), as a column's default, or \
             written into a column of the type.",
            "PostgreSQL refuses a new enum value until the transaction that added it commits: \
             the statement fails with `unsafe use of new value` and the migration is rolled \
             back. (A value added to a type created in the same transaction is fine.)",
            "-- 002\nALTER TYPE mood ADD VALUE 'great';\nUPDATE posts SET mood = 'great'::mood \
             WHERE id = 1;",
            "Add the value in a migration of its own (`-- transaction: false`, or any revision \
             before the one that uses it), and use it in a later revision.",
        ),
        Code::GraphCheckpointRange => doc!(
            "A file with `replaces: <first>..<last>` (a squash checkpoint) names a range it \
             cannot stand for: the checkpoint has a parent, `<first>` is not the root that \
             `<last>` descends from, a revision outside the range follows one inside it other \
             than `<last>`, or part of the range's files are deleted.",
            "A database is planned either over the checkpoint or over the range; a revision \
             that branches off the middle of the range, or a range with a hole, has no place \
             on either path.",
            "-- 050_checkpoint.sql\n-- down_revision: 003\n-- replaces: 001..042",
            "Write checkpoints with `retort squash --to REV -m MSG`; delete the replaced files \
             all together, and only once every database has reached `<last>`.",
        ),
        Code::SchemaCheckpointDiffers => doc!(
            "A squash checkpoint's up, replayed from an empty database, does not give the \
             schema the model has after the last revision it replaces; the message names the \
             first differences.",
            "A fresh database built from the checkpoint would differ from one built by the \
             replaced migrations, and the revisions after the range would run against a \
             schema they were not written for.",
            "-- replaces: 001..042\nCREATE TABLE users (id bigint);  -- 042 also has `email`",
            "Write the checkpoint again with `retort squash --to <last>`, or edit its up until \
             it builds the same schema.",
        ),
        Code::SchemaMergeConflict => doc!(
            "The branches joined by a merge revision change the same object in different ways \
             (one drops a column the other alters, both add a column of one name with \
             different types, …).",
            "The schema after the merge depends on the order the branches are applied in, \
             which differs between databases.",
            "branch A: ALTER TABLE users ADD COLUMN age int;\nbranch B: ALTER TABLE users ADD \
             COLUMN age text;",
            "Make the branches agree (change the object in one of them only), or reconcile it \
             in a revision after the merge.",
        ),
        Code::CheckFailed => doc!(
            "The checks of the migration directory found errors, printed above this one, so \
             the command or build did nothing.",
            "Applying or embedding migrations that fail the checks could break the database.",
            "error[check-failed]: the migrations in migrations have 2 errors; nothing was done",
            "Fix the errors above; `retort check` shows them again.",
        ),
        Code::AutogenSchemaFileUnreadable => doc!(
            "`retort diff` or `retort revision --autogenerate` reads the desired schema from a \
             file (`schema.sql` by default, `--schema-file` or `schema_file` in retort.toml), \
             and that file is missing or cannot be read.",
            "Without the desired schema there is nothing to compare the head with.",
            "retort revision -m add_email --autogenerate   (and no schema.sql)",
            "Write the schema you want as PostgreSQL DDL in that file (`retort schema > \
             schema.sql` starts it from the head), or name the file with `--schema-file`.",
        ),
        Code::AutogenSchemaFileInvalid => doc!(
            "The schema file is read like a migration's up section, and the statements in it \
             have the errors printed above this one (a syntax error, a reference to a table \
             that is not created in it, …).",
            "A schema that would not build in PostgreSQL cannot be the target of a migration.",
            "CREATE TABLE posts (author_id int REFERENCES users (id));   -- and no users table",
            "Fix the errors above in the schema file, then run the command again.",
        ),
        Code::AutogenBadAnnotation => doc!(
            "A `-- retort:renamed_from <old name>` comment in the schema file has no old name, \
             or is not on the line before the new name of a table, a column, an index, a type \
             or an enum value.",
            "The annotation is how a rename is told from a drop and an add; one that names \
             nothing or sits elsewhere would be ignored, and the data of the old object \
             dropped.",
            "CREATE TABLE accounts (\n    -- retort:renamed_from\n    email text\n);",
            "Write the name the object has at the head, on the line just before its new name: \
             `-- retort:renamed_from mail` then `email text`.",
        ),
        Code::AutogenUnknownRename => doc!(
            "A `-- retort:renamed_from` annotation names an object that the schema at the head \
             does not have.",
            "A rename needs something to rename; the annotation is probably misspelled or \
             left over from a rename already written.",
            "-- retort:renamed_from usres\nCREATE TABLE accounts (id int);",
            "Name the object as it is at the head (`retort schema` prints it), or remove the \
             annotation once its revision is written.",
        ),
        Code::AutogenDropNotAllowed => doc!(
            "The schema file no longer has tables, columns or other objects that the head \
             has, so the migration would drop them, and the command was not given \
             `--allow-drop`.",
            "A drop loses data, and a rename left unannotated looks like a drop: autogenerate \
             writes none unless asked.",
            "error[autogen-drop-not-allowed]: the schema file no longer has column \
             `users.nickname`: dropping needs `--allow-drop`",
            "Pass `--allow-drop` (the revision gets a `lossy_down:` header), put the objects \
             back in the schema file, or mark a rename with `-- retort:renamed_from <old>`.",
        ),
        Code::AutogenRenameSuspect => doc!(
            "An object of the head is gone from the schema file and a new object with the \
             same definition appears, which is what a rename looks like.",
            "Written as a drop and an add, a rename loses the data; written as a rename, a \
             drop and an add would keep data that was meant to go. retort does not guess.",
            "head: users.mail text NOT NULL      schema file: users.email text NOT NULL",
            "For a rename, write `-- retort:renamed_from mail` on the line before `email`; \
             otherwise make the drop and the add in two revisions.",
        ),
        Code::AutogenUnsupported => doc!(
            "The difference holds a change that autogenerate does not write yet, such as a \
             change it cannot express safely with `ALTER` (an enum value removed, a view's \
             column list changed in a way `CREATE OR REPLACE` refuses).",
            "Writing something else in its place would give a migration that does not reach \
             the schema file.",
            "head: CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');\nschema file: CREATE \
             TYPE mood AS ENUM ('sad', 'happy');",
            "Write this change by hand in a revision of its own, then autogenerate the rest.",
        ),
        Code::AutogenFailed => doc!(
            "The comparison of the head with the schema file found problems, printed above \
             this one, so no migration was written.",
            "A migration written around an unanswered question (a drop, a rename) could lose \
             data.",
            "error[autogen-failed]: the difference has 2 problems; nothing was written",
            "Answer each problem above in the schema file or with a flag, then run the \
             command again.",
        ),
        Code::AutogenNoSchema => doc!(
            "A revision named on one side of `retort diff` has no schema model, because the \
             checks could not place it in the revision graph (a missing parent, a cycle).",
            "The schema at a revision is the replay of the revisions before it; without a \
             place in the graph there is no such replay.",
            "retort diff --from 007   (and 007's down_revision names a revision that is gone)",
            "Fix the errors `retort check` prints, then compare again.",
        ),
        Code::MacroBadArgument => doc!(
            "The `retort::migrations!` call has an argument it does not accept: an unknown \
             flag or option, a directory that is not a string literal or comes after the \
             flags, a flag given twice.",
            "The macro reads its arguments before any other expansion and cannot guess what a \
             malformed one meant.",
            "retort::migrations!(untraked)\nretort::migrations!(DIR)",
            "Write `retort::migrations!()`, `retort::migrations!(\"db/migrations\")`, and after \
             the directory the flags `allow_multiple_heads`, `allow_multiple_roots`, \
             `untracked` or the options `schema_at = [\"…\"]`, `derive = [...]`.",
        ),
        Code::MacroUntrackedDirectory => doc!(
            "No build script calls `retort_build::track` for the directory the macro reads.",
            "Cargo rebuilds when a file the macro read changes, but not when a migration is \
             added or removed: the build would embed a stale list of migrations.",
            "retort::migrations!(\"db/migrations\")   // build.rs tracks \"migrations\"",
            "Add `fn main() { retort_build::track(\"db/migrations\"); }` to build.rs, or say \
             `untracked` in the call to accept stale builds.",
        ),
        Code::MacroUnknownRevision => doc!(
            "`schema_at = [\"…\"]` names a revision that the migration directory does not \
             have.",
            "There is no schema to generate for a revision that does not exist.",
            "retort::migrations!(schema_at = [\"099\"])",
            "List revisions of the directory, such as the head.",
        ),
        Code::MacroNameClash => doc!(
            "Two tables, schemas or columns map to the same Rust identifier in the typed \
             schema module (names that differ only in case or punctuation).",
            "Rust cannot hold two items of one name; one of them would be unreachable.",
            "CREATE TABLE \"Users\" ();\nCREATE TABLE users ();",
            "Rename one of the objects in a new migration.",
        ),
        Code::MacroNoManifestDir => doc!(
            "The macro ran without `CARGO_MANIFEST_DIR` set.",
            "Migration directories are relative to the crate root, which only cargo tells.",
            "rustc src/main.rs   // not through cargo",
            "Build with cargo.",
        ),
        Code::DbNoUrl => doc!(
            "A command that needs a database was given none.",
            "There is nothing to connect to.",
            "retort upgrade   // neither --database-url nor DATABASE_URL",
            "Pass `--database-url postgres://USER:PASSWORD@HOST:PORT/DATABASE`, or set \
             `DATABASE_URL`.",
        ),
        Code::DbBadUrl => doc!(
            "The database URL cannot be parsed.",
            "retort cannot tell which server, database or user was meant.",
            "retort --database-url localhost/app upgrade",
            "Write it as `postgres://USER:PASSWORD@HOST:PORT/DATABASE`.",
        ),
        Code::DbConnectFailed => doc!(
            "The server could not be reached, refused the login, or has no such database.",
            "Nothing can be read or applied without a connection.",
            "cannot connect to the database at postgres://app:***@localhost:5433/app: \
             connection refused",
            "Check that the server runs, and the host, port, user, password and database name \
             in the URL.",
        ),
        Code::DbConnectionLost => doc!(
            "The session ended during the run: the server restarted, was shut down, or the \
             network failed.",
            "Whatever was under way was rolled back with its transaction; the run stopped.",
            "database error: terminating connection due to administrator command (57P01)",
            "Run again once the server accepts connections: what was reported as applied is \
             recorded, and nothing else is.",
        ),
        Code::DbError => doc!(
            "PostgreSQL refused a request retort made outside any migration, such as creating \
             or reading the version table.",
            "The run cannot go on without it.",
            "database error: permission denied for schema public (42501)",
            "Act on PostgreSQL's message: usually the role lacks a privilege.",
        ),
        Code::DbLockTimeout => doc!(
            "Another run held the advisory lock on the version table for longer than the lock \
             timeout.",
            "Two runs at once could apply the same migration twice; retort waits for the lock \
             and gives up after the timeout.",
            "another migration run holds the lock on `retort_migrations` (pid 4242); gave up \
             after 60s",
            "Wait for the other run to finish. If none is running, the session holding the \
             lock is stuck: end it with `SELECT pg_terminate_backend(<pid>)`.",
        ),
        Code::DbLeaseTimeout => doc!(
            "With `lock = \"table\"`, another run held the lease in the lock table \
             (`<table>_lock`, next to the version table) for longer than the lock timeout. \
             The message names the holder: its run's id, the backend pid and application that \
             took the lease, when, and when it expires.",
            "Two runs at once could apply the same migration twice. A lease is a row, not a \
             session lock: a run that was killed or lost its connection keeps it until it \
             expires (`lease_expiry`, one hour by default).",
            "another migration run holds the lease on `retort_migrations` (lease \
             `3f9c0a1b2d4e5f60`, taken by backend pid 4242, application `deploy`, 12 s ago, \
             expires in 3588 s); gave up after 60s",
            "Wait for the other run to finish. If it died, wait for the lease to expire, or, \
             once sure that no run is going, clear it by hand: \
             `DELETE FROM retort_migrations_lock;` (the lock table is named after the version \
             table, in its schema).",
        ),
        Code::DbRustMigrationFailed => doc!(
            "The `pub fn up` or `pub fn down` of a Rust data migration \
             (`migrations/<rev>_<slug>.rs`) returned an error or failed with a panic.",
            "The function runs in the migration's transaction, with its version row: the \
             transaction was rolled back, so nothing of it is applied (or, reverting, it is \
             still applied), and the run stopped there.",
            "error[db-rust-migration-failed]: migration `003` failed in its `pub fn up` \
             (migrations/003_backfill.rs): db error: ERROR: column \"emial\" does not exist",
            "Fix the function and run again. Errors from `postgres` calls carry PostgreSQL's \
             message; add your own context with `format!(…).into()`.",
        ),
        Code::DbRustNotCompiledIn => doc!(
            "A Rust data migration is in the plan, but the program running the plan does not \
             have its code: the `retort` command reads migrations from the directory and \
             cannot compile Rust. Offline SQL (`--sql`) cannot hold one either.",
            "Recording it as applied without running it would lose its data change; skipping \
             it would leave the chain inconsistent. So nothing runs.",
            "$ retort upgrade\nerror[db-rust-not-compiled-in]: migration `003` is written in \
             Rust (migrations/003_backfill.rs), and this program cannot run it",
            "Run the command from your own binary, built with the migrations: \
             `fn main() -> std::process::ExitCode { retort::cli::run(&MIGRATIONS) }` in \
             `src/bin/migrate.rs` with the facade's `cli` feature gives every `retort` \
             command; or let the service apply them with `retort::Migrator` at start-up.",
        ),
        Code::DbMigrationFailed => doc!(
            "PostgreSQL rejected a statement of a migration.",
            "The migration is not applied (its transaction was rolled back), or, outside a \
             transaction, applied only in part.",
            "migration `002` failed in statement 1 of its up section: relation \"users\" does \
             not exist",
            "Fix the migration and run again; for a non-transactional migration follow the \
             message's help to settle what ran.",
        ),
        Code::DbEditedMigration => doc!(
            "The up SQL of an applied migration differs from what was applied (the checksum \
             ignores comments and layout).",
            "The database does not hold what the file now says; other databases that apply \
             the edited file will differ from this one.",
            "applied migrations were edited since: `002` (migrations/002_add_email.sql)",
            "Restore the file, and put the change in a new migration.",
        ),
        Code::DbDrift => doc!(
            "`retort check` with a database found its schema different from what the \
             migrations make at the revision the database is at: a table, column, index, \
             constraint or default added, dropped or changed outside the migrations.",
            "The migrations are the schema's history: a change made by hand is lost when \
             the database is built again from them, and a later migration may fail on it. \
             Objects the model does not know (created by dynamic SQL, say) are never drift.",
            "error[db-drift]: the database's schema differs from the migrations at 003: 1 \
             change made outside them\n  - column `users.nickname` is not in the \
             migrations\n      ALTER TABLE users DROP COLUMN nickname;",
            "Run the SQL shown under each difference to undo it, or keep the change: add it to \
             the schema file and write a revision with `retort revision --autogenerate`.",
        ),
        Code::DbInsideSquashedRange => doc!(
            "The version table shows the database part way through a range that a squash \
             checkpoint replaces, and the range's files are gone from this build, so nothing \
             can bring it to the range's end.",
            "The checkpoint builds the schema from nothing; it cannot run on a database that \
             already has part of it, and the revisions after the range need the range's end.",
            "checkpoint 900 replaces 001..042; the database has 001 to 017; 001 to 042 deleted",
            "Upgrade the database to `<last>` with a build that still has the range's files \
             (the previous release), then with this one. Delete replaced files only once every \
             database has reached the range's end.",
        ),
        Code::DbUnknownRevision => doc!(
            "The version table lists revisions that these migrations do not have.",
            "The database is ahead of this build; applying or reverting from here could undo \
             work it does not know.",
            "the database has migrations this build does not know: `007`",
            "Deploy the newer build, or `retort downgrade` with the newer migrations first.",
        ),
        Code::DbInterruptedMigration => doc!(
            "A migration with `transaction: false` stopped part-way, and the version table \
             records it as interrupted.",
            "Some of its statements ran and some did not; only a person can tell how to finish \
             or undo it.",
            "migration `004` was interrupted while applying: 1 of its statements ran",
            "Finish or undo its statements by hand, then record the truth with `retort stamp`.",
        ),
        Code::DbCorruptVersionTable => doc!(
            "The version table holds a row retort never writes.",
            "retort cannot tell which migrations are applied.",
            "the version table is corrupt: a row with an empty revision",
            "Repair the table by hand (compare it with the migrations), or restore it.",
        ),
        Code::DbCommitLost => doc!(
            "The connection was lost while committing a migration's transaction.",
            "Nobody on this side can know whether the server committed before it went.",
            "the connection to the database was lost while committing migration `002`: it may \
             or may not have been applied",
            "`retort current` tells: the migration and its version-table row commit together. \
             The next `retort upgrade` applies it only if it is not recorded.",
        ),
        Code::DbCommitRefused => doc!(
            "PostgreSQL refused to commit a migration's transaction: a deferred constraint or \
             trigger failed, or a serialization conflict.",
            "Nothing of the migration was applied: the transaction was rolled back.",
            "committing migration `002` failed: insert or update violates foreign key \
             constraint",
            "Fix the migration, or run again after a conflict.",
        ),
        Code::DbRecordFailed => doc!(
            "The statements of a non-transactional migration ran, but writing its progress \
             to the version table failed.",
            "The table may count fewer statements than ran, or not show the migration as done.",
            "the version table could not record that `004`'s up section ran (all 2 \
             statements)",
            "Check with `retort check`, then record the truth with `retort stamp`.",
        ),
        Code::DbInternal => doc!(
            "The runner found itself where it never should be: a database call of the \
             synchronous driver did not complete at once, say. Nothing about the migrations \
             or the database caused it.",
            "It is a bug in retort. The run stopped at that point, like a run whose connection \
             was lost: what it reported as applied is applied and recorded.",
            "error[db-internal]: internal error: a call of the synchronous driver did not \
             complete",
            "`retort current` shows where the database is; run again, and report the bug with \
             the message.",
        ),
        Code::DbStairwayMismatch => doc!(
            "`retort test` applied a revision's up section (or its down section) to a scratch \
             database, read the database's catalog, and found it differs from what the schema \
             model says that section leaves.",
            "The build's checks trust the model. Where PostgreSQL does something else (SQL the \
             model does not understand: dynamic SQL in a `DO` block, a function that creates \
             tables), a down may not restore what the checks say it restores, and a database \
             may end up in a schema no revision describes.",
            "error[db-stairway-mismatch]: after downgrading `004`, the database differs from \
             the schema model: 1 difference\n  = note: table `audit` is not in the migrations",
            "Make the section do what it says (the note shows the SQL that would bring the \
             database to the model), or keep the model from trusting a statement it cannot \
             follow with `-- retort:unchecked <reason>`.",
        ),
        Code::DbNotInSync => doc!(
            "`retort check` with a database found it not at the migrations' heads: pending, \
             unknown, edited or interrupted revisions.",
            "The application built from these migrations expects their schema.",
            "error[db-not-in-sync]: the database is not in sync with the migrations",
            "`retort upgrade` applies pending revisions; the message's help covers the others.",
        ),
        Code::DbTargetsFailed => doc!(
            "A command run on many targets (`--targets FILE` or `targets` in retort.toml) \
             ended with some targets failed (unreachable, refused, a migration failed, not in \
             sync for `check`) or not started (after a failure with `--fail-fast`, or after a \
             failed canary with `--canary K`). Each failed target's own error is in the report \
             above the summary.",
            "A fleet run is not atomic across targets: the targets that succeeded stay where \
             they are, the others stay where they stopped, and the fleet is now at mixed \
             revisions until the run is completed.",
            "error[db-targets-failed]: 1 of 70 targets failed: postgres://app:***@db-7/app\n\
             \x20 = help: fix it, then run the same command again: targets already there do nothing",
            "Read the failed target's error, fix its cause (a conflicting object, a lock held \
             too long, a server down), and run the same command again: targets that reached \
             the target revision find nothing to do, so the rerun only touches the rest.",
        ),
        Code::TargetInvalid => doc!(
            "A target (`head`, `base`, a revision id, `+2`, `-1`, `002+1`) or a range \
             (`FROM:TO`) is not written in a form retort reads.",
            "retort cannot tell which revision was meant.",
            "retort upgrade 00 2",
            "Write a revision id, `head`, `heads`, `base`, or a relative step.",
        ),
        Code::TargetNotFound => doc!(
            "A target names a revision that does not exist, or a relative step goes past the \
             last or first revision, or there are no revisions yet.",
            "There is no such revision to go to or show.",
            "retort show 099",
            "Name an existing revision: `retort history` lists them.",
        ),
        Code::TargetAmbiguous => doc!(
            "A target could mean several revisions: `head` with several heads, or a step \
             across a branch or merge.",
            "retort will not pick one for you.",
            "retort schema head   // with heads 003 and 004",
            "Name the revision, or merge the heads with `retort merge`.",
        ),
        Code::TargetUnreachable => doc!(
            "The database cannot go from its current revisions to the target: the target is \
             not in this build, not applied, or on another branch.",
            "No sequence of upgrades or downgrades leads there.",
            "revision `007` is not in this build",
            "Choose a target the message allows; `retort current` shows where the database is.",
        ),
        Code::TargetIrreversible => doc!(
            "Reaching the target means reverting a migration marked `irreversible`.",
            "It has no down section: what it removed cannot come back.",
            "migration `005` is irreversible: drops the audit log",
            "Choose a target above it.",
        ),
        Code::CliBadArgument => doc!(
            "A command-line argument is missing, malformed, or does not fit the command.",
            "The command cannot tell what was asked.",
            "retort downgrade          // needs a target\nretort revision -m $'two\\nlines'",
            "Follow the message's help; `retort <command> --help` lists the arguments.",
        ),
        Code::CliConfig => doc!(
            "`retort.toml` in the working directory cannot be read or parsed, or has an \
             unknown key or a bad value.",
            "Its settings (directory, version table, lock timeout) would otherwise be ignored \
             or guessed.",
            "lock_timeout = \"ten\"",
            "Fix the file: the keys are `dir`, `table`, `schema` and `lock_timeout` (seconds).",
        ),
        Code::CliDirectoryNotEmpty => doc!(
            "`retort init` was pointed at a path that is a file, or a directory that already \
             has files.",
            "init writes a first migration and would mix it with what is there.",
            "retort init src",
            "Choose an empty or new directory; to add a migration to an existing one use \
             `retort revision -m MSG`.",
        ),
        Code::CliSquashCannotCarry => doc!(
            "`retort squash` writes the schema at the target as DDL and carries the range's \
             data statements; this statement or object cannot be carried: a data statement \
             whose table or columns are gone by the target, a statement that is neither schema \
             nor plain data (`COPY`, `DO`, `CALL`), a function with overloads, or a part of the schema the model \
             does not know (listed as `-- unknown:` by `retort schema`).",
            "The checkpoint would build a database that differs from one built by the range, \
             silently.",
            "-- 007\nINSERT INTO settings (k) VALUES ('a');\n-- 012\nDROP TABLE settings;",
            "Squash to another revision, move the statement out of the range, or write the \
             checkpoint by hand and let the build prove it.",
        ),
        Code::CliWriteFailed => doc!(
            "A file or directory could not be created or written.",
            "The command's output is not on disk.",
            "cannot write migrations/003_add_email.sql: permission denied",
            "Check the permissions and free space of the directory.",
        ),
        Code::CliRevisionExists => doc!(
            "`retort revision --rev-id ID` names an id that a migration already has.",
            "Two migrations with one id cannot both be applied.",
            "retort revision --rev-id 002 -m \"add email\"   // 002 exists",
            "Choose another id, or leave `--rev-id` out for a timestamp.",
        ),
        Code::CliNotAHead => doc!(
            "`retort merge` names a revision that has children.",
            "A merge joins heads; joining a revision that already has children would create a \
             second path to it.",
            "retort merge 001 003",
            "Name heads only, or none to merge every head (`retort heads` lists them).",
        ),
        Code::CliNothingToMerge => doc!(
            "`retort merge` found one head, or none.",
            "There is nothing to join.",
            "retort merge -m \"merge\"   // history is linear",
            "Nothing to do; `retort revision` adds a plain revision.",
        ),
        Code::CliUnknownCode => doc!(
            "`retort explain` was given a name that is no retort code.",
            "There is no documentation to show.",
            "retort explain missing-column",
            "Use the code printed in brackets after `error` or `warning`; `retort explain \
             --list` lists them all.",
        ),
        Code::CliBadTarget => doc!(
            "A line of the targets file (`--targets FILE`) or an entry of `targets` in \
             retort.toml cannot be read as a target: not a `postgres://` URL, a URL the \
             PostgreSQL client refuses, text after the URL other than `schema = \"NAME\"`, a \
             bad schema name, a schema that differs from the URL's own `search_path`, or a \
             target listed twice. An empty list is an error too.",
            "Running a fleet on a guessed list would skip a database silently, or run one \
             twice.",
            "postgres://app@db-1/app\npostgres://app@db-2/app tenant_42",
            "One target a line: a URL, optionally followed by `schema = \"tenant_42\"`; `#` \
             starts a comment. In retort.toml: `targets = [\"postgres://db-1/app\", { url = \
             \"postgres://db-2/app\", schema = \"tenant_42\" }]`.",
        ),
        Code::SqlAllowNoReason => doc!(
            "A `-- retort:allow` comment does not name a lint, or names one without saying why \
             it may fire here.",
            "An allowed lint hides a lock or a rewrite from everyone who reads the migration \
             later; the reason is what tells them it was judged, not overlooked.",
            "-- retort:allow create-index-blocks-writes\nCREATE INDEX users_email ON users (email);",
            "Write the code and the reason: `-- retort:allow create-index-blocks-writes the \
             table holds a few hundred rows`.",
        ),
        Code::SqlAllowUnknownCode => doc!(
            "A `-- retort:allow` comment names a code that is not a lint (a typo, or an error's \
             code, which cannot be allowed).",
            "The marker silences nothing, and the lint it meant still fires.",
            "-- retort:allow create-index-block-writes small table",
            "Use the lint's code as printed in brackets (`retort explain <code>` lists its \
             documentation); errors are fixed, not allowed.",
        ),
        Code::SqlAllowUnused => doc!(
            "A `-- retort:allow <code>` comment stands before a statement on which that lint \
             does not fire.",
            "The marker no longer does anything: the statement changed, moved, or never \
             needed it. Left in place, it would silence the lint if the statement later \
             became dangerous.",
            "-- retort:allow create-index-blocks-writes small table\nCREATE INDEX CONCURRENTLY users_email ON users (email);",
            "Remove the marker, or move it to the line before the statement it is about.",
        ),
        Code::CheckLintConfig => doc!(
            "The lint levels (the `[lints]` table of `retort.toml`, the `lints(…)` argument \
             of `retort::migrations!`, or `retort_build::Options`) name a code that is not a \
             lint, or a level other than `allow`, `warn` and `deny`; or `retort.toml` is not \
             valid TOML.",
            "A misspelt lint would silently stay at its default level.",
            "[lints]\ncreate-index-block-writes = \"deny\"",
            "Use the lint's code as printed in brackets and one of `allow`, `warn`, `deny`.",
        ),
        Code::CreateIndexBlocksWrites
        | Code::DropIndexBlocksTable
        | Code::ConstraintScansTable
        | Code::ValidateInSameTransaction
        | Code::SetNotNullScansTable
        | Code::UniqueBlocksWrites
        | Code::ColumnTypeRewritesTable
        | Code::AddColumnRewritesTable
        | Code::RequiredColumnWithoutDefault
        | Code::LockWithoutTimeout
        | Code::PreferBigint
        | Code::PreferText
        | Code::PreferIdentity
        | Code::PreferTimestamptz
        | Code::BanDropColumn => lint::doc(code),
        Code::ImportSourceUnreadable => doc!(
            "`retort import` could not read the other tool's migration directory or one of \
             its files (missing, not a directory, not UTF-8, no permission).",
            "Nothing can be converted from a file that cannot be read, and a partial import \
             would leave out a migration the database has applied.",
            "retort import --from sqlx db/migrations   // no such directory",
            "Point `SRC` at the directory that holds the migrations (sqlx's `migrations/`, \
             diesel's `migrations/`, refinery's `migrations/`), readable as UTF-8.",
        ),
        Code::ImportBadName => doc!(
            "A file or directory does not follow the other tool's naming convention (sqlx \
             `<VERSION>_<DESCRIPTION>[.up|.down].sql`, diesel `<VERSION>_<name>/up.sql`, \
             refinery `V<VERSION>__<name>.sql`), or its version cannot be a retort revision \
             id (1 to 32 ASCII letters and digits).",
            "The version becomes the revision id, so that the database's history carries over \
             unchanged; a file whose version cannot be read has no place in the chain.",
            "migrations/v2_add_email.sql   // sqlx needs an integer version",
            "Rename the file as the tool expects (the tool itself would refuse or skip it), \
             or move it out of the directory if it is not a migration.",
        ),
        Code::ImportDuplicateVersion => doc!(
            "Two migrations of the other tool have the same version.",
            "A version is a revision id in retort and a primary key in the tool's history \
             table: two migrations with one version cannot both have been applied.",
            "migrations/20240101000000_a.sql\nmigrations/20240101000000_b.sql",
            "Give one of them a new version with the other tool, or merge them, then import \
             again.",
        ),
        Code::ImportRustMigration => doc!(
            "The other tool's directory holds a migration written in Rust (refinery's \
             `V3__seed.rs`), which `retort import` cannot turn into SQL.",
            "Leaving it out would break the chain: the database applied it, and later \
             migrations may rely on it.",
            "migrations/V3__seed.rs",
            "Rewrite it as SQL (`V3__seed.sql`) before importing, or import the rest and add \
             it by hand as a revision of its own.",
        ),
        Code::ImportSourceErrors => doc!(
            "The imported directory still has errors after `retort import` annotated what \
             it could: they are problems of the original history (a down that drops a table \
             that does not exist, a statement PostgreSQL refuses inside the transaction the \
             tool ran it in), printed above this one.",
            "Hiding them behind an annotation would let a migration that fails on \
             PostgreSQL pass the build.",
            "error[schema-missing-object]: table `old` does not exist\n  --> migrations/20200101_x.sql:9:12",
            "Fix each migration shown above in the imported files (or mark a lossy down with \
             `-- lossy_down: <reason>`), then run `retort check`.",
        ),
        Code::ImportAdoptNoTable => doc!(
            "`retort stamp --adopt TOOL` found no history table of that tool \
             (`_sqlx_migrations`, `__diesel_schema_migrations`, `refinery_schema_history`) \
             in the database.",
            "Without the other tool's record there is no way to know which migrations the \
             database has applied.",
            "retort stamp --adopt sqlx   // the database was never migrated by sqlx",
            "Connect to the database the other tool migrated, or name the right tool; for a \
             database whose state you know, `retort stamp <revision>` records it directly.",
        ),
        Code::ImportAdoptMismatch => doc!(
            "The other tool's history table does not match the imported migrations: it \
             records a version that no migration has, a migration that failed, or a checksum \
             that differs from the file's at import time.",
            "Recording revisions as applied when the database applied something else would \
             make retort skip or repeat migrations.",
            "version 20240105 is applied in _sqlx_migrations but no migration has that id",
            "Import again from the directory the database was migrated with, or settle the \
             other tool's history first (a failed sqlx migration must be fixed with sqlx).",
        ),
        Code::ImportAdoptGap => doc!(
            "The migrations the other tool applied are not all the revisions up to the \
             newest of them: some earlier migration was skipped (applied out of order).",
            "retort records a state as a revision and everything before it; a database with a \
             hole in its history is not in any such state.",
            "applied: 1, 2, 4   // 3 was never applied",
            "Apply the missing migrations with the other tool first, or record the state by \
             hand with `retort stamp` once the database matches a revision.",
        ),
        Code::ImportAdoptConflict => doc!(
            "retort's version table already records applied revisions, and they are not \
             the ones the other tool's history gives.",
            "Adopting over an existing record would mix two histories.",
            "retort_migrations has 20240101 and 20240102; _sqlx_migrations has only 20240101",
            "Check which record is right; `retort stamp <revision>` sets retort's record \
             explicitly.",
        ),
        Code::InternalError => doc!(
            "retort failed in a way that is a bug in retort, not in the migrations.",
            "The check could not finish.",
            "internal error in retort while reading `migrations`: the checks passed but the \
             migrations do not form a set",
            "Report it at https://github.com/retort-rs/retort/issues, with the migrations if \
             you can share them.",
        ),
    }
}
