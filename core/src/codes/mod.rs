//! [`Code`]: the stable name of every problem retort reports, such as `format-missing-key`
//! or `db-lock-timeout`, with its documentation (`retort explain <code>` prints it).
//!
//! A [`Diagnostic`](crate::diagnostic::Diagnostic) cannot be made without one, and renders
//! it as rustc renders its own: `error[schema-missing-column]: …`. Codes are kebab-case and
//! start with their [`Family`]'s prefix, except the lints' (`create-index-blocks-writes`),
//! which are named for what they find, as squawk's and clippy's are; once published, a code keeps its name, so that
//! scripts, documentation and configuration can refer to it.
//!
//! To add a code: a line in the `codes!` list below (variant, name, family, default
//! severity, one-line summary) and its documentation in `docs.rs`; the compiler then asks for
//! nothing else, and the registry's tests check that the code is documented and used.

mod docs;

use std::fmt;
use std::str::FromStr;

use crate::diagnostic::Severity;

/// The group a [`Code`] belongs to: what kind of thing is wrong. Each family's codes start
/// with its [`prefix`](Family::prefix).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    /// Reading the migration directory: missing, unreadable or stray files.
    Load,
    /// A migration file's layout: its header and its section markers.
    Format,
    /// The SQL of a section, as a parser reads it.
    Sql,
    /// What may run inside a migration's transaction.
    Txn,
    /// The revision graph: parents, roots, heads, cycles.
    Graph,
    /// The schema model: what each statement finds and leaves.
    Schema,
    /// The whole check of a directory.
    Check,
    /// Writing a migration from a desired schema (`retort diff`, `revision --autogenerate`).
    Autogen,
    /// The `retort::migrations!` macro's own problems.
    Macro,
    /// Applying migrations to a database, and the database itself.
    Db,
    /// A target revision (`head`, `002`, `-1`, a range).
    Target,
    /// The `retort` command line's own problems.
    Cli,
    /// Bringing another tool's migrations and database over (`retort import`,
    /// `retort stamp --adopt`).
    Import,
    /// A bug in retort.
    Internal,
    /// A lint: a statement that PostgreSQL accepts but that locks or rewrites a table that
    /// already holds data ([`crate::lint`]). Its codes have no prefix.
    Lint,
}

impl Family {
    /// Every family, in the order of the list above.
    pub const ALL: &'static [Family] = &[
        Family::Load,
        Family::Format,
        Family::Sql,
        Family::Txn,
        Family::Graph,
        Family::Schema,
        Family::Check,
        Family::Autogen,
        Family::Macro,
        Family::Db,
        Family::Target,
        Family::Cli,
        Family::Import,
        Family::Internal,
        Family::Lint,
    ];

    /// The start of its codes' names: `format`, `graph`, …; empty for [`Family::Lint`].
    pub const fn prefix(self) -> &'static str {
        match self {
            Family::Load => "load",
            Family::Format => "format",
            Family::Sql => "sql",
            Family::Txn => "txn",
            Family::Graph => "graph",
            Family::Schema => "schema",
            Family::Check => "check",
            Family::Autogen => "autogen",
            Family::Macro => "macro",
            Family::Db => "db",
            Family::Target => "target",
            Family::Cli => "cli",
            Family::Import => "import",
            Family::Internal => "internal",
            Family::Lint => "",
        }
    }
}

/// Declares [`Code`] and the tables that must list every code: one line per code.
macro_rules! codes {
    ($($variant:ident = $name:literal, $family:ident, $severity:ident, $summary:literal;)*) => {
        /// The stable name of one kind of problem. See the [module](self) documentation.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(
                #[doc = $summary]
                $variant,
            )*
        }

        impl Code {
            /// Every code, grouped by family.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code's name, as printed: `format-missing-key`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }

            /// What kind of problem it is.
            pub const fn family(self) -> Family {
                match self {
                    $(Code::$variant => Family::$family,)*
                }
            }

            /// How bad it is unless configured otherwise.
            pub const fn default_severity(self) -> Severity {
                match self {
                    $(Code::$variant => Severity::$severity,)*
                }
            }

            /// One line: what the problem is.
            pub const fn summary(self) -> &'static str {
                match self {
                    $(Code::$variant => $summary,)*
                }
            }
        }

        /// Each code with the name of its variant, for the test that every code is used.
        #[cfg(test)]
        const VARIANT_NAMES: &[(Code, &str)] = &[$((Code::$variant, stringify!($variant))),*];
    };
}

codes! {
    // Reading the directory.
    LoadMissingDirectory = "load-missing-directory", Load, Error,
        "The migration directory does not exist.";
    LoadUnreadable = "load-unreadable", Load, Error,
        "The migration directory or a file in it cannot be read.";
    LoadStrayFile = "load-stray-file", Load, Error,
        "The migration directory holds something that is not a migration file.";
    LoadInvalidUtf8 = "load-invalid-utf8", Load, Error,
        "A migration file is not valid UTF-8.";

    // The file format.
    FormatMissingHeader = "format-missing-header", Format, Error,
        "A migration file does not start with its `-- revision: …` header.";
    FormatTextBeforeHeader = "format-text-before-header", Format, Error,
        "Text comes before the header of a migration file.";
    FormatMissingKey = "format-missing-key", Format, Error,
        "The header lacks a required key (`revision` or `down_revision`).";
    FormatUnknownKey = "format-unknown-key", Format, Error,
        "The header has a key retort does not know.";
    FormatRepeatedKey = "format-repeated-key", Format, Error,
        "A header key is given twice.";
    FormatKeyAfterHeader = "format-key-after-header", Format, Error,
        "A header key is written after the end of the header.";
    FormatEmptyValue = "format-empty-value", Format, Error,
        "A header key has no value.";
    FormatInvalidRevision = "format-invalid-revision", Format, Error,
        "A revision id in the header is not a valid id.";
    FormatInvalidValue = "format-invalid-value", Format, Error,
        "A header value is not one the key accepts.";
    FormatFileName = "format-file-name", Format, Error,
        "The file name does not start with the file's revision id.";
    FormatMissingSection = "format-missing-section", Format, Error,
        "The `-- migrate:up` or `-- migrate:down` section is missing.";
    FormatRepeatedSection = "format-repeated-section", Format, Error,
        "A section marker appears twice.";
    FormatSectionOrder = "format-section-order", Format, Error,
        "The down section comes before the up section.";
    FormatUnknownMarker = "format-unknown-marker", Format, Error,
        "A `-- migrate:` marker names neither `up` nor `down`.";
    FormatSqlOutsideSection = "format-sql-outside-section", Format, Error,
        "SQL comes before the `-- migrate:up` marker.";
    FormatIrreversibleConflict = "format-irreversible-conflict", Format, Error,
        "An irreversible migration has a down section or a `lossy_down` key.";
    FormatRustMissingUp = "format-rust-missing-up", Format, Error,
        "A Rust data migration has no `pub fn up` at the top of its file.";
    FormatRustHeader = "format-rust-header", Format, Error,
        "A Rust data migration's header has a key that does not apply to it.";

    // The SQL.
    SqlSyntax = "sql-syntax", Sql, Error,
        "A statement is not valid SQL.";
    SqlUnterminated = "sql-unterminated", Sql, Error,
        "A string, quoted identifier or comment is not closed.";
    SqlUnchecked = "sql-unchecked", Sql, Warning,
        "A statement is exempted from the checks by `-- retort:unchecked`.";
    SqlUncheckedNoReason = "sql-unchecked-no-reason", Sql, Error,
        "A `-- retort:unchecked` marker gives no reason.";
    SqlAllowNoReason = "sql-allow-no-reason", Sql, Error,
        "A `-- retort:allow` marker names no lint or gives no reason.";
    SqlAllowUnknownCode = "sql-allow-unknown-code", Sql, Error,
        "A `-- retort:allow` marker names a code that is not a lint.";
    SqlAllowUnused = "sql-allow-unused", Sql, Warning,
        "A `-- retort:allow` marker silences a lint that does not fire on its statement.";

    // Transactions.
    TxnNotAllowed = "txn-not-allowed", Txn, Error,
        "A statement that PostgreSQL refuses inside a transaction, in a transactional migration.";
    TxnControl = "txn-control", Txn, Error,
        "A transaction control statement (`BEGIN`, `COMMIT`, …) in a transactional migration.";
    TxnNonTransactionalInRun = "txn-non-transactional-in-run", Txn, Error,
        "A single-transaction run or a dry run includes a migration that runs outside a transaction.";

    // The revision graph.
    GraphDuplicateRevision = "graph-duplicate-revision", Graph, Error,
        "Two files declare the same revision.";
    GraphCaseCollision = "graph-case-collision", Graph, Error,
        "Two revision ids differ only in case.";
    GraphMissingParent = "graph-missing-parent", Graph, Error,
        "`down_revision` names a revision that no migration declares.";
    GraphRepeatedParent = "graph-repeated-parent", Graph, Error,
        "`down_revision` lists the same parent twice.";
    GraphCycle = "graph-cycle", Graph, Error,
        "Revisions follow each other in a circle.";
    GraphMultipleRoots = "graph-multiple-roots", Graph, Error,
        "Several revisions have `down_revision: none`.";
    GraphMultipleHeads = "graph-multiple-heads", Graph, Error,
        "The history ends in several heads that no merge joins.";
    GraphCheckpointRange = "graph-checkpoint-range", Graph, Error,
        "A squash checkpoint's `replaces` names a range it cannot stand for.";

    // The schema model.
    SchemaEnvironmentChangesSchema = "schema-environment-changes-schema", Schema, Error,
        "A migration limited to some environments changes the schema.";
    SchemaMissingObject = "schema-missing-object", Schema, Error,
        "A statement uses a table, type, index or other object that does not exist at that point.";
    SchemaMissingColumn = "schema-missing-column", Schema, Error,
        "A statement uses a column that does not exist at that point.";
    SchemaAlreadyExists = "schema-already-exists", Schema, Error,
        "A statement creates an object, column, constraint or enum value that already exists.";
    SchemaForeignKeyTarget = "schema-foreign-key-target", Schema, Error,
        "A foreign key references columns without a primary key or unique constraint.";
    SchemaDependentObjects = "schema-dependent-objects", Schema, Error,
        "A table is dropped without `CASCADE` while another table's foreign key references it.";
    SchemaDownNotRestored = "schema-down-not-restored", Schema, Error,
        "The down section does not bring the schema back to what it was before the up section.";
    SchemaMergeConflict = "schema-merge-conflict", Schema, Error,
        "The branches joined by a merge change the same object in different ways.";
    SchemaUnsafeNewEnumValue = "schema-unsafe-new-enum-value", Schema, Error,
        "An enum value is used in the transaction that added it, which PostgreSQL refuses.";
    SchemaCheckpointDiffers = "schema-checkpoint-differs", Schema, Error,
        "A squash checkpoint does not build the schema at the last revision it replaces.";

    // The check as a whole.
    CheckFailed = "check-failed", Check, Error,
        "The migrations have errors, so nothing was done.";
    CheckLintConfig = "check-lint-config", Check, Error,
        "The lint settings (`[lints]` in `retort.toml`, the macro call, the build script) name an unknown lint or level.";

    // Autogenerate.
    AutogenSchemaFileUnreadable = "autogen-schema-file-unreadable", Autogen, Error,
        "The schema file that says what the schema should be cannot be read.";
    AutogenSchemaFileInvalid = "autogen-schema-file-invalid", Autogen, Error,
        "The schema file has errors, printed above, so nothing was compared.";
    AutogenBadAnnotation = "autogen-bad-annotation", Autogen, Error,
        "A `-- retort:renamed_from` annotation has no name or is not before a new name.";
    AutogenUnknownRename = "autogen-unknown-rename", Autogen, Error,
        "A `-- retort:renamed_from` annotation names an object the head does not have.";
    AutogenDropNotAllowed = "autogen-drop-not-allowed", Autogen, Error,
        "The desired schema drops objects, and dropping was not allowed with `--allow-drop`.";
    AutogenRenameSuspect = "autogen-rename-suspect", Autogen, Error,
        "An object is gone and a new one has its definition: it may be a rename.";
    AutogenUnsupported = "autogen-unsupported", Autogen, Error,
        "The difference holds a change that autogenerate cannot write yet.";
    AutogenFailed = "autogen-failed", Autogen, Error,
        "The difference has problems, printed above, so no migration was written.";
    AutogenNoSchema = "autogen-no-schema", Autogen, Error,
        "A compared revision has no schema, because it is outside the revision graph.";

    // The macro.
    MacroBadArgument = "macro-bad-argument", Macro, Error,
        "The `retort::migrations!` call's arguments are malformed.";
    MacroUntrackedDirectory = "macro-untracked-directory", Macro, Error,
        "No build script tracks the migration directory the macro reads.";
    MacroUnknownRevision = "macro-unknown-revision", Macro, Error,
        "`schema_at` names a revision that is not in the directory.";
    MacroNameClash = "macro-name-clash", Macro, Error,
        "Two tables or columns would become the same Rust name in the typed schema.";
    MacroNoManifestDir = "macro-no-manifest-dir", Macro, Error,
        "`CARGO_MANIFEST_DIR` is not set, so the macro cannot find the crate root.";

    // The database.
    DbNoUrl = "db-no-url", Db, Error,
        "No database URL was given.";
    DbBadUrl = "db-bad-url", Db, Error,
        "The database URL cannot be read.";
    DbConnectFailed = "db-connect-failed", Db, Error,
        "Connecting to the database failed.";
    DbConnectionLost = "db-connection-lost", Db, Error,
        "The connection to the database was lost during the run.";
    DbError = "db-error", Db, Error,
        "The database refused a request outside any migration.";
    DbLockTimeout = "db-lock-timeout", Db, Error,
        "Another run held the migration lock for longer than the timeout.";
    DbLeaseTimeout = "db-lease-timeout", Db, Error,
        "Another run held the lock table's lease for longer than the timeout.";
    DbRustMigrationFailed = "db-rust-migration-failed", Db, Error,
        "A Rust data migration's function returned an error or failed with a panic.";
    DbRustNotCompiledIn = "db-rust-not-compiled-in", Db, Error,
        "A Rust data migration is to run in a program that does not have its code.";
    DbMigrationFailed = "db-migration-failed", Db, Error,
        "A statement of a migration failed in the database.";
    DbEditedMigration = "db-edited-migration", Db, Error,
        "An applied migration's file was changed since it was applied.";
    DbDrift = "db-drift", Db, Error,
        "The database's schema differs from what the migrations at its revision make.";
    DbInsideSquashedRange = "db-inside-squashed-range", Db, Error,
        "The database stopped inside a squashed range whose files this build no longer has.";
    DbUnknownRevision = "db-unknown-revision", Db, Error,
        "The database has applied revisions that these migrations do not have.";
    DbInterruptedMigration = "db-interrupted-migration", Db, Error,
        "A non-transactional migration stopped part-way and is not settled.";
    DbCorruptVersionTable = "db-corrupt-version-table", Db, Error,
        "The version table holds rows retort never writes.";
    DbCommitLost = "db-commit-lost", Db, Error,
        "The connection was lost while committing: the outcome is unknown.";
    DbCommitRefused = "db-commit-refused", Db, Error,
        "PostgreSQL refused to commit a migration's transaction.";
    DbRecordFailed = "db-record-failed", Db, Error,
        "The progress of a non-transactional migration could not be recorded.";
    DbNotInSync = "db-not-in-sync", Db, Error,
        "The database is not at the revisions the migrations lead to.";
    DbTargetsFailed = "db-targets-failed", Db, Error,
        "In a run on many targets, some targets failed or were not started.";
    DbInternal = "db-internal", Db, Error,
        "The runner reached a state it never should: a bug in retort.";
    DbStairwayMismatch = "db-stairway-mismatch", Db, Error,
        "On a real database, a revision's up or down section left another schema than the model's.";

    // Targets.
    TargetInvalid = "target-invalid", Target, Error,
        "A target or range is not written in a form retort reads.";
    TargetNotFound = "target-not-found", Target, Error,
        "A target names no revision, or goes past the first or last one.";
    TargetAmbiguous = "target-ambiguous", Target, Error,
        "A target could mean several revisions.";
    TargetUnreachable = "target-unreachable", Target, Error,
        "The database cannot be brought to the target from where it is.";
    TargetIrreversible = "target-irreversible", Target, Error,
        "Reaching the target would revert an irreversible migration.";

    // The command line.
    CliBadArgument = "cli-bad-argument", Cli, Error,
        "A command-line argument is missing or malformed.";
    CliConfig = "cli-config", Cli, Error,
        "`retort.toml` cannot be read.";
    CliDirectoryNotEmpty = "cli-directory-not-empty", Cli, Error,
        "`retort init` was given a path that is not an empty directory.";
    CliSquashCannotCarry = "cli-squash-cannot-carry", Cli, Error,
        "`retort squash` meets a statement or an object the checkpoint cannot carry.";
    CliWriteFailed = "cli-write-failed", Cli, Error,
        "A file or directory could not be written.";
    CliRevisionExists = "cli-revision-exists", Cli, Error,
        "The new revision's id is already taken.";
    CliNotAHead = "cli-not-a-head", Cli, Error,
        "`retort merge` names a revision that is not a head.";
    CliNothingToMerge = "cli-nothing-to-merge", Cli, Error,
        "`retort merge` found fewer than two heads.";
    CliUnknownCode = "cli-unknown-code", Cli, Error,
        "`retort explain` was given a code that does not exist.";
    CliBadTarget = "cli-bad-target", Cli, Error,
        "A line of the targets file, or an entry of `targets` in retort.toml, is not a target.";

    // Adoption from other tools.
    ImportSourceUnreadable = "import-source-unreadable", Import, Error,
        "The other tool's migration directory or one of its files cannot be read.";
    ImportBadName = "import-bad-name", Import, Error,
        "A file or directory does not follow the other tool's naming, or its version cannot be a revision id.";
    ImportDuplicateVersion = "import-duplicate-version", Import, Error,
        "Two of the other tool's migrations have the same version.";
    ImportRustMigration = "import-rust-migration", Import, Error,
        "The other tool's directory holds a migration written in Rust, which cannot be converted to SQL.";
    ImportSourceErrors = "import-source-errors", Import, Error,
        "The imported migrations have errors that are problems of the original history.";
    ImportAdoptNoTable = "import-adopt-no-table", Import, Error,
        "The other tool's history table is not in the database.";
    ImportAdoptMismatch = "import-adopt-mismatch", Import, Error,
        "The other tool's history does not match the imported migrations.";
    ImportAdoptGap = "import-adopt-gap", Import, Error,
        "The other tool applied a set of migrations that is not a prefix of the history.";
    ImportAdoptConflict = "import-adopt-conflict", Import, Error,
        "retort's version table already records a different state.";

    // Bugs.
    InternalError = "internal-error", Internal, Error,
        "retort failed in a way that is a bug in retort.";

    // Lints: statements that lock or rewrite a table that already holds data.
    CreateIndexBlocksWrites = "create-index-blocks-writes", Lint, Warning,
        "`CREATE INDEX` without `CONCURRENTLY` blocks writes to an existing table while it builds.";
    DropIndexBlocksTable = "drop-index-blocks-table", Lint, Warning,
        "`DROP INDEX` without `CONCURRENTLY` locks an existing table against reads and writes.";
    ConstraintScansTable = "constraint-scans-table", Lint, Warning,
        "A foreign key or check added without `NOT VALID` scans an existing table under a lock.";
    ValidateInSameTransaction = "validate-in-same-transaction", Lint, Warning,
        "`VALIDATE CONSTRAINT` runs in the transaction that added the constraint `NOT VALID`, keeping its lock.";
    SetNotNullScansTable = "set-not-null-scans-table", Lint, Warning,
        "`SET NOT NULL` scans an existing table under an exclusive lock.";
    UniqueBlocksWrites = "unique-blocks-writes", Lint, Warning,
        "A unique or primary key constraint builds its index while blocking writes to an existing table.";
    ColumnTypeRewritesTable = "column-type-rewrites-table", Lint, Warning,
        "A column's type change rewrites an existing table under an exclusive lock.";
    AddColumnRewritesTable = "add-column-rewrites-table", Lint, Warning,
        "A column added with a volatile default rewrites an existing table under an exclusive lock.";
    RequiredColumnWithoutDefault = "required-column-without-default", Lint, Warning,
        "A `NOT NULL` column added without a default fails on a table that has rows.";
    LockWithoutTimeout = "lock-without-timeout", Lint, Warning,
        "A statement waits for an exclusive lock on an existing table with no lock timeout, queueing every query behind it.";
    PreferBigint = "prefer-bigint", Lint, Warning,
        "A column is a 32-bit integer, which a growing table can run out of.";
    PreferText = "prefer-text", Lint, Warning,
        "A column is `varchar(n)`, whose limit costs a table rewrite to raise on old PostgreSQL versions.";
    PreferIdentity = "prefer-identity", Lint, Warning,
        "A column is `serial` rather than an identity column.";
    PreferTimestamptz = "prefer-timestamptz", Lint, Warning,
        "A column is `timestamp` without a time zone.";
    BanDropColumn = "ban-drop-column", Lint, Warning,
        "A column is dropped, which breaks code still reading it.";
}

impl Code {
    /// The code named `name`, if there is one.
    pub fn lookup(name: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == name)
    }

    /// The documentation: what it means, why it is a problem, an example and the fix, as
    /// Markdown (`##` headings).
    pub fn doc(self) -> &'static str {
        docs::doc(self)
    }

    /// The codes nearest to `name`, for "did you mean" when `name` is not a code, nearest
    /// first and at most three: those whose names contain it (`lock-timeout`), else those
    /// about as near as the nearest by edit distance (a typo gets one suggestion).
    #[cfg(feature = "check")]
    pub fn similar(name: &str) -> Vec<Code> {
        let name = name.trim().to_ascii_lowercase();
        let mut scored: Vec<(f64, Code)> = Code::ALL
            .iter()
            .map(|&c| (strsim::normalized_damerau_levenshtein(&name, c.as_str()), c))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let containing: Vec<Code> = scored
            .iter()
            .filter(|(_, c)| name.len() >= 3 && c.as_str().contains(name.as_str()))
            .map(|&(_, c)| c)
            .take(3)
            .collect();
        if !containing.is_empty() {
            return containing;
        }
        let best = scored.first().map_or(0.0, |(score, _)| *score);
        scored
            .into_iter()
            .take_while(|(score, _)| *score >= 0.5 && best - score < 0.1)
            .take(3)
            .map(|(_, c)| c)
            .collect()
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is no [`Code`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a retort code")]
pub struct UnknownCode(pub String);

impl FromStr for Code {
    type Err = UnknownCode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Code::lookup(s).ok_or_else(|| UnknownCode(s.to_owned()))
    }
}

#[cfg(test)]
mod tests;
