-- Column collations: kept when written (quoted names keep their case, `pg_catalog.` is left
-- out, `COLLATE "default"` is none), through ADD COLUMN and ALTER COLUMN TYPE … COLLATE; a
-- type change without COLLATE takes the new type's default, as PostgreSQL does.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE t (
    a text COLLATE "C" NOT NULL,
    b varchar(10) COLLATE pg_catalog."POSIX",
    c text COLLATE "default",
    d text COLLATE "C",
    e text
);
ALTER TABLE t ADD COLUMN f text COLLATE "C" DEFAULT 'x';
ALTER TABLE t ALTER COLUMN d TYPE varchar(20);
ALTER TABLE t ALTER COLUMN e TYPE text COLLATE "POSIX";
