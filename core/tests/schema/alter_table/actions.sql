-- ALTER TABLE actions change the table: columns added, dropped, renamed, retyped, made NOT NULL,
-- a default dropped, constraints added and dropped, the table renamed (the primary key keeps the
-- name generated from the old table name).
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE t (a int, b text, c int);
ALTER TABLE t ADD COLUMN d int NOT NULL DEFAULT 1, DROP COLUMN c;
ALTER TABLE t RENAME COLUMN b TO bb;
ALTER TABLE t ALTER COLUMN a TYPE bigint, ALTER COLUMN a SET NOT NULL;
ALTER TABLE t ALTER COLUMN d DROP DEFAULT;
ALTER TABLE t ADD CONSTRAINT t_a_uq UNIQUE (a);
ALTER TABLE t ADD PRIMARY KEY (a);
ALTER TABLE t DROP CONSTRAINT t_a_uq;
ALTER TABLE t RENAME TO u;
