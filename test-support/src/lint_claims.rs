//! What PostgreSQL does for the statements retort's safety lints are about, as data: one
//! [`Claim`] per lint code and form (the statement the lint fires on, and its quiet form),
//! with the lock mode the statement takes on table [`TABLE`], whether it scans or rewrites
//! the table, and whether it succeeds.
//!
//! The runtime's test `lint_claims` runs every row against a real PostgreSQL and checks each
//! claim; the lints' own tests can run their rules on the same rows ([`for_code`]), so a rule
//! and the fact it rests on are checked against one table.

/// The table every claim is about: [`BASE`] creates it with three rows.
pub const TABLE: &str = "t";

/// What every claim's database holds before its own `setup`: table `t` with three rows and
/// a column of each kind the rows change, and a table `p` that `t.v` may reference.
pub const BASE: &str = "\
CREATE TABLE p (id int PRIMARY KEY);
INSERT INTO p VALUES (1), (2), (3);
CREATE TABLE t (id int PRIMARY KEY, v int, n int, s varchar(10), d numeric(10, 2));
INSERT INTO t SELECT g, g, g, 'x' || g, g FROM generate_series(1, 3) AS g;
";

/// A table lock mode, weakest first (PostgreSQL's order of strength).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LockMode {
    /// `AccessShareLock`: `SELECT`.
    AccessShare,
    /// `RowShareLock`: `SELECT … FOR UPDATE`.
    RowShare,
    /// `RowExclusiveLock`: `INSERT`, `UPDATE`, `DELETE`.
    RowExclusive,
    /// `ShareUpdateExclusiveLock`: `VALIDATE CONSTRAINT`, `CREATE INDEX CONCURRENTLY`;
    /// reads and writes go on.
    ShareUpdateExclusive,
    /// `ShareLock`: `CREATE INDEX`; blocks writes, not reads.
    Share,
    /// `ShareRowExclusiveLock`: `ADD FOREIGN KEY`, `CREATE TRIGGER`; blocks writes.
    ShareRowExclusive,
    /// `ExclusiveLock`: `REFRESH MATERIALIZED VIEW CONCURRENTLY`; blocks writes.
    Exclusive,
    /// `AccessExclusiveLock`: most `ALTER TABLE` forms, `DROP`; blocks reads and writes.
    AccessExclusive,
}

impl LockMode {
    /// Every mode, weakest first.
    pub const ALL: [LockMode; 8] = [
        LockMode::AccessShare,
        LockMode::RowShare,
        LockMode::RowExclusive,
        LockMode::ShareUpdateExclusive,
        LockMode::Share,
        LockMode::ShareRowExclusive,
        LockMode::Exclusive,
        LockMode::AccessExclusive,
    ];

    /// The name `pg_locks.mode` shows: `AccessExclusiveLock`.
    pub fn pg_name(self) -> &'static str {
        match self {
            LockMode::AccessShare => "AccessShareLock",
            LockMode::RowShare => "RowShareLock",
            LockMode::RowExclusive => "RowExclusiveLock",
            LockMode::ShareUpdateExclusive => "ShareUpdateExclusiveLock",
            LockMode::Share => "ShareLock",
            LockMode::ShareRowExclusive => "ShareRowExclusiveLock",
            LockMode::Exclusive => "ExclusiveLock",
            LockMode::AccessExclusive => "AccessExclusiveLock",
        }
    }

    /// The mode `pg_locks.mode` names, if it is a table lock mode.
    pub fn from_pg_name(name: &str) -> Option<LockMode> {
        LockMode::ALL.into_iter().find(|m| m.pg_name() == name)
    }

    /// Whether `INSERT`, `UPDATE` and `DELETE` on the table wait while it is held.
    pub fn blocks_writes(self) -> bool {
        self >= LockMode::Share
    }

    /// Whether `SELECT` on the table waits while it is held.
    pub fn blocks_reads(self) -> bool {
        self == LockMode::AccessExclusive
    }
}

/// What the statement does with the table's rows while it holds its lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Work {
    /// Reads no row: a change to the catalog only.
    None,
    /// Reads every row (to verify a constraint, validate a foreign key, or build an index)
    /// and keeps the table's file.
    Scan,
    /// Writes the whole table anew: `pg_class.relfilenode` changes.
    Rewrite,
}

/// Whether the lint fires on the claim's statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Form {
    /// The statement the lint warns about.
    Fires,
    /// The safe form, on which the lint stays quiet.
    Quiet,
}

/// How the statement runs, as a migration would run it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Run {
    /// In a transaction (a transactional migration): `BEGIN`, the statements, `COMMIT`.
    Transaction,
    /// Statement by statement outside a transaction (`transaction: false`).
    Autocommit,
}

/// How the statement ends once it has its lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// It succeeds.
    Succeeds,
    /// PostgreSQL refuses it with this SQLSTATE (`23502`: a null where `NOT NULL`).
    Fails(&'static str),
}

/// One row: a statement on table [`TABLE`] in a database holding [`BASE`] and `setup`, and
/// what PostgreSQL does for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Claim {
    /// The lint code the row is about: `create-index-blocks-writes`.
    pub code: &'static str,
    /// Whether the lint fires on `statement`.
    pub form: Form,
    /// What the row shows, in a few words.
    pub shows: &'static str,
    /// SQL run and committed before, after [`BASE`] (earlier revisions).
    pub setup: &'static str,
    /// The migration's statements.
    pub statement: &'static str,
    /// In a transaction or not.
    pub run: Run,
    /// The strongest lock the statement takes on `t`, and the first it waits for.
    pub lock: LockMode,
    /// What it does with `t`'s rows.
    pub work: Work,
    /// Whether it succeeds.
    pub outcome: Outcome,
}

/// The claims behind the lints, one or more rows per code and form.
pub const CLAIMS: &[Claim] = &[
    Claim {
        code: "create-index-blocks-writes",
        form: Form::Fires,
        shows: "CREATE INDEX holds SHARE (writes wait) while it reads the table",
        setup: "",
        statement: "CREATE INDEX t_v_idx ON t (v)",
        run: Run::Transaction,
        lock: LockMode::Share,
        work: Work::Scan,
        outcome: Outcome::Succeeds,
    },
    Claim {
        code: "create-index-blocks-writes",
        form: Form::Quiet,
        shows: "CREATE INDEX CONCURRENTLY holds SHARE UPDATE EXCLUSIVE (writes go on)",
        setup: "",
        statement: "CREATE INDEX CONCURRENTLY t_v_idx ON t (v)",
        run: Run::Autocommit,
        lock: LockMode::ShareUpdateExclusive,
        work: Work::Scan,
        outcome: Outcome::Succeeds,
    },
    Claim {
        code: "drop-index-blocks-table",
        form: Form::Fires,
        shows: "DROP INDEX takes ACCESS EXCLUSIVE on the index's table",
        setup: "CREATE INDEX t_v_idx ON t (v);",
        statement: "DROP INDEX t_v_idx",
        run: Run::Transaction,
        lock: LockMode::AccessExclusive,
        work: Work::None,
        outcome: Outcome::Succeeds,
    },
    Claim {
        code: "drop-index-blocks-table",
        form: Form::Quiet,
        shows: "DROP INDEX CONCURRENTLY takes SHARE UPDATE EXCLUSIVE on the table",
        setup: "CREATE INDEX t_v_idx ON t (v);",
        statement: "DROP INDEX CONCURRENTLY t_v_idx",
        run: Run::Autocommit,
        lock: LockMode::ShareUpdateExclusive,
        work: Work::None,
        outcome: Outcome::Succeeds,
    },
    Claim {
        code: "constraint-scans-table",
        form: Form::Fires,
        shows: "ADD CHECK reads every row under ACCESS EXCLUSIVE",
        setup: "",
        statement: "ALTER TABLE t ADD CONSTRAINT t_v_positive CHECK (v > 0)",
        run: Run::Transaction,
        lock: LockMode::AccessExclusive,
        work: Work::Scan,
        outcome: Outcome::Succeeds,
    },
    Claim {
        code: "constraint-scans-table",
        form: Form::Fires,
        shows: "ADD CHECK fails on a row that breaks it: the rows are read",
        setup: "INSERT INTO t (id, v) VALUES (4, -1);",
        statement: "ALTER TABLE t ADD CONSTRAINT t_v_positive CHECK (v > 0)",
        run: Run::Transaction,
        lock: LockMode::AccessExclusive,
        work: Work::Scan,
        outcome: Outcome::Fails("23514"),
    },
    Claim {
        code: "constraint-scans-table",
        form: Form::Fires,
        shows: "ADD FOREIGN KEY validates every row under SHARE ROW EXCLUSIVE (writes wait)",
        setup: "",
        statement: "ALTER TABLE t ADD CONSTRAINT t_v_fkey FOREIGN KEY (v) REFERENCES p (id)",
        run: Run::Transaction,
        lock: LockMode::ShareRowExclusive,
        work: Work::Scan,
        outcome: Outcome::Succeeds,
    },
    Claim {
        code: "constraint-scans-table",
        form: Form::Fires,
        shows: "ADD FOREIGN KEY fails on a dangling row: the rows are read",
        setup: "INSERT INTO t (id, v) VALUES (4, 99);",
        statement: "ALTER TABLE t ADD CONSTRAINT t_v_fkey FOREIGN KEY (v) REFERENCES p (id)",
        run: Run::Transaction,
        lock: LockMode::ShareRowExclusive,
        work: Work::Scan,
        outcome: Outcome::Fails("23503"),
    },
    Claim {
        code: "constraint-scans-table",
        form: Form::Quiet,
        shows: "ADD CHECK … NOT VALID reads no row, even one that breaks it",
        setup: "INSERT INTO t (id, v) VALUES (4, -1);",
        statement: "ALTER TABLE t ADD CONSTRAINT t_v_positive CHECK (v > 0) NOT VALID",
        run: Run::Transaction,
        lock: LockMode::AccessExclusive,
        work: Work::None,
        outcome: Outcome::Succeeds,
    },
    Claim {
        code: "constraint-scans-table",
        form: Form::Quiet,
        shows: "ADD FOREIGN KEY … NOT VALID reads no row, even a dangling one",
        setup: "INSERT INTO t (id, v) VALUES (4, 99);",
        statement: "ALTER TABLE t ADD CONSTRAINT t_v_fkey FOREIGN KEY (v) REFERENCES p (id) NOT VALID",
        run: Run::Transaction,
        lock: LockMode::ShareRowExclusive,
        work: Work::None,
        outcome: Outcome::Succeeds,
    },
    Claim {
        code: "constraint-scans-table",
        form: Form::Quiet,
        shows: "VALIDATE CONSTRAINT of a foreign key reads the rows under SHARE UPDATE EXCLUSIVE",
        setup: "ALTER TABLE t ADD CONSTRAINT t_v_fkey FOREIGN KEY (v) REFERENCES p (id) NOT VALID;",
        statement: "ALTER TABLE t VALIDATE CONSTRAINT t_v_fkey",
        run: Run::Transaction,
        lock: LockMode::ShareUpdateExclusive,
        work: Work::Scan,
        outcome: Outcome::Succeeds,
    },
    Claim {
        code: "validate-in-same-transaction",
        form: Form::Fires,
        shows: "VALIDATE after ADD … NOT VALID in one transaction reads the rows under the ADD's ACCESS EXCLUSIVE",
        setup: "",
        statement: "ALTER TABLE t ADD CONSTRAINT t_v_positive CHECK (v > 0) NOT VALID;\n\
                    ALTER TABLE t VALIDATE CONSTRAINT t_v_positive;",
        run: Run::Transaction,
        lock: LockMode::AccessExclusive,
        work: Work::Scan,
        outcome: Outcome::Succeeds,
    },
    Claim {
        code: "validate-in-same-transaction",
        form: Form::Quiet,
        shows: "VALIDATE CONSTRAINT in a later transaction reads the rows under SHARE UPDATE EXCLUSIVE",
        setup: "ALTER TABLE t ADD CONSTRAINT t_v_positive CHECK (v > 0) NOT VALID;",
        statement: "ALTER TABLE t VALIDATE CONSTRAINT t_v_positive",
        run: Run::Transaction,
        lock: LockMode::ShareUpdateExclusive,
        work: Work::Scan,
        outcome: Outcome::Succeeds,
    },
    Claim {
        code: "set-not-null-scans-table",
        form: Form::Fires,
        shows: "SET NOT NULL reads every row under ACCESS EXCLUSIVE",
        setup: "",
        statement: "ALTER TABLE t ALTER COLUMN v SET NOT NULL",
        run: Run::Transaction,
        lock: LockMode::AccessExclusive,
        work: Work::Scan,
        outcome: Outcome::Succeeds,
    },
    Claim {
        code: "set-not-null-scans-table",
        form: Form::Quiet,
        shows: "SET NOT NULL with a validated CHECK (v IS NOT NULL) reads no row (PostgreSQL 12+)",
        setup: "ALTER TABLE t ADD CONSTRAINT t_v_not_null CHECK (v IS NOT NULL) NOT VALID;\n\
                ALTER TABLE t VALIDATE CONSTRAINT t_v_not_null;",
        statement: "ALTER TABLE t ALTER COLUMN v SET NOT NULL",
        run: Run::Transaction,
        lock: LockMode::AccessExclusive,
        work: Work::None,
        outcome: Outcome::Succeeds,
    },
    Claim {
        code: "unique-blocks-writes",
        form: Form::Fires,
        shows: "ADD UNIQUE builds its index under ACCESS EXCLUSIVE",
        setup: "",
        statement: "ALTER TABLE t ADD CONSTRAINT t_v_key UNIQUE (v)",
        run: Run::Transaction,
        lock: LockMode::AccessExclusive,
        work: Work::Scan,
        outcome: Outcome::Succeeds,
    },
    Claim {
        code: "unique-blocks-writes",
        form: Form::Fires,
        shows: "ADD PRIMARY KEY builds its index (and checks NOT NULL) under ACCESS EXCLUSIVE",
        setup: "ALTER TABLE t DROP CONSTRAINT t_pkey;",
        statement: "ALTER TABLE t ADD PRIMARY KEY (id)",
        run: Run::Transaction,
        lock: LockMode::AccessExclusive,
        work: Work::Scan,
        outcome: Outcome::Succeeds,
    },
    Claim {
        code: "unique-blocks-writes",
        form: Form::Quiet,
        shows: "ADD UNIQUE USING INDEX of an index built before (concurrently, in practice) reads no row",
        setup: "CREATE UNIQUE INDEX t_v_key ON t (v);",
        statement: "ALTER TABLE t ADD CONSTRAINT t_v_key UNIQUE USING INDEX t_v_key",
        run: Run::Transaction,
        lock: LockMode::AccessExclusive,
        work: Work::None,
        outcome: Outcome::Succeeds,
    },
    Claim {
        code: "column-type-rewrites-table",
        form: Form::Fires,
        shows: "int → bigint rewrites the table",
        setup: "",
        statement: "ALTER TABLE t ALTER COLUMN n TYPE bigint",
        run: Run::Transaction,
        lock: LockMode::AccessExclusive,
        work: Work::Rewrite,
        outcome: Outcome::Succeeds,
    },
    Claim {
        code: "column-type-rewrites-table",
        form: Form::Fires,
        shows: "varchar(10) → varchar(5) rewrites the table",
        setup: "",
        statement: "ALTER TABLE t ALTER COLUMN s TYPE varchar(5)",
        run: Run::Transaction,
        lock: LockMode::AccessExclusive,
        work: Work::Rewrite,
        outcome: Outcome::Succeeds,
    },
    Claim {
        code: "column-type-rewrites-table",
        form: Form::Fires,
        shows: "numeric(10,2) → numeric(12,4) (a new scale) rewrites the table",
        setup: "",
        statement: "ALTER TABLE t ALTER COLUMN d TYPE numeric(12, 4)",
        run: Run::Transaction,
        lock: LockMode::AccessExclusive,
        work: Work::Rewrite,
        outcome: Outcome::Succeeds,
    },
    Claim {
        code: "column-type-rewrites-table",
        form: Form::Quiet,
        shows: "varchar(10) → varchar(20) keeps the table",
        setup: "",
        statement: "ALTER TABLE t ALTER COLUMN s TYPE varchar(20)",
        run: Run::Transaction,
        lock: LockMode::AccessExclusive,
        work: Work::None,
        outcome: Outcome::Succeeds,
    },
    Claim {
        code: "column-type-rewrites-table",
        form: Form::Quiet,
        shows: "varchar(10) → text keeps the table",
        setup: "",
        statement: "ALTER TABLE t ALTER COLUMN s TYPE text",
        run: Run::Transaction,
        lock: LockMode::AccessExclusive,
        work: Work::None,
        outcome: Outcome::Succeeds,
    },
    Claim {
        code: "column-type-rewrites-table",
        form: Form::Quiet,
        shows: "numeric(10,2) → numeric(12,2) keeps the table",
        setup: "",
        statement: "ALTER TABLE t ALTER COLUMN d TYPE numeric(12, 2)",
        run: Run::Transaction,
        lock: LockMode::AccessExclusive,
        work: Work::None,
        outcome: Outcome::Succeeds,
    },
    Claim {
        code: "add-column-rewrites-table",
        form: Form::Fires,
        shows: "ADD COLUMN … DEFAULT random() (volatile) rewrites the table",
        setup: "",
        statement: "ALTER TABLE t ADD COLUMN r double precision DEFAULT random()",
        run: Run::Transaction,
        lock: LockMode::AccessExclusive,
        work: Work::Rewrite,
        outcome: Outcome::Succeeds,
    },
    Claim {
        code: "add-column-rewrites-table",
        form: Form::Fires,
        shows: "ADD COLUMN … DEFAULT clock_timestamp() (volatile) rewrites the table",
        setup: "",
        statement: "ALTER TABLE t ADD COLUMN at timestamptz DEFAULT clock_timestamp()",
        run: Run::Transaction,
        lock: LockMode::AccessExclusive,
        work: Work::Rewrite,
        outcome: Outcome::Succeeds,
    },
    Claim {
        code: "add-column-rewrites-table",
        form: Form::Fires,
        shows: "ADD COLUMN … DEFAULT gen_random_uuid() (volatile) rewrites the table",
        setup: "",
        statement: "ALTER TABLE t ADD COLUMN u uuid DEFAULT gen_random_uuid()",
        run: Run::Transaction,
        lock: LockMode::AccessExclusive,
        work: Work::Rewrite,
        outcome: Outcome::Succeeds,
    },
    Claim {
        code: "add-column-rewrites-table",
        form: Form::Quiet,
        shows: "ADD COLUMN … DEFAULT 0 (a constant) keeps the table",
        setup: "",
        statement: "ALTER TABLE t ADD COLUMN c int DEFAULT 0",
        run: Run::Transaction,
        lock: LockMode::AccessExclusive,
        work: Work::None,
        outcome: Outcome::Succeeds,
    },
    Claim {
        code: "add-column-rewrites-table",
        form: Form::Quiet,
        shows: "ADD COLUMN … DEFAULT now() (stable) keeps the table",
        setup: "",
        statement: "ALTER TABLE t ADD COLUMN at timestamptz DEFAULT now()",
        run: Run::Transaction,
        lock: LockMode::AccessExclusive,
        work: Work::None,
        outcome: Outcome::Succeeds,
    },
    Claim {
        code: "required-column-without-default",
        form: Form::Fires,
        shows: "ADD COLUMN … NOT NULL without a default fails on a table with rows",
        setup: "",
        statement: "ALTER TABLE t ADD COLUMN w int NOT NULL",
        run: Run::Transaction,
        lock: LockMode::AccessExclusive,
        work: Work::Scan,
        outcome: Outcome::Fails("23502"),
    },
    Claim {
        code: "required-column-without-default",
        form: Form::Quiet,
        shows: "ADD COLUMN … NOT NULL without a default succeeds on an empty table",
        setup: "DELETE FROM t;",
        statement: "ALTER TABLE t ADD COLUMN w int NOT NULL",
        run: Run::Transaction,
        lock: LockMode::AccessExclusive,
        work: Work::Scan,
        outcome: Outcome::Succeeds,
    },
    Claim {
        code: "required-column-without-default",
        form: Form::Quiet,
        shows: "ADD COLUMN … NOT NULL DEFAULT 0 succeeds without reading a row",
        setup: "",
        statement: "ALTER TABLE t ADD COLUMN w int NOT NULL DEFAULT 0",
        run: Run::Transaction,
        lock: LockMode::AccessExclusive,
        work: Work::None,
        outcome: Outcome::Succeeds,
    },
    Claim {
        code: "lock-without-timeout",
        form: Form::Fires,
        shows: "without a lock timeout, ALTER TABLE waits behind the holder for as long as it holds",
        setup: "",
        statement: "ALTER TABLE t ADD COLUMN c int",
        run: Run::Transaction,
        lock: LockMode::AccessExclusive,
        work: Work::None,
        outcome: Outcome::Succeeds,
    },
    Claim {
        code: "lock-without-timeout",
        form: Form::Quiet,
        shows: "with SET LOCAL lock_timeout, ALTER TABLE gives up (55P03) while the holder holds",
        setup: "",
        statement: "SET LOCAL lock_timeout = '1s';\nALTER TABLE t ADD COLUMN c int;",
        run: Run::Transaction,
        lock: LockMode::AccessExclusive,
        work: Work::None,
        outcome: Outcome::Fails("55P03"),
    },
];

/// The rows about one lint code.
pub fn for_code(code: &str) -> impl Iterator<Item = &'static Claim> + '_ {
    CLAIMS.iter().filter(move |c| c.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_both_forms() {
        for claim in CLAIMS {
            let forms: Vec<Form> = for_code(claim.code).map(|c| c.form).collect();
            assert!(forms.contains(&Form::Fires), "{}", claim.code);
            assert!(forms.contains(&Form::Quiet), "{}", claim.code);
        }
    }

    #[test]
    fn lock_names_round_trip() {
        for m in LockMode::ALL {
            assert_eq!(LockMode::from_pg_name(m.pg_name()), Some(m));
        }
        assert_eq!(
            LockMode::from_pg_name("ExclusiveLock"),
            Some(LockMode::Exclusive)
        );
        assert_eq!(LockMode::from_pg_name("SIReadLock"), None);
        assert!(LockMode::Share.blocks_writes() && !LockMode::Share.blocks_reads());
        assert!(!LockMode::ShareUpdateExclusive.blocks_writes());
    }
}
