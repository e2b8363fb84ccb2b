-- Dropping a column drops the indexes that use it (in an expression or a predicate) and no
-- others.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE t (a int, b text, c int);
CREATE INDEX i ON t (lower(b)) WHERE c > 0;
CREATE INDEX j ON t (a);
ALTER TABLE t DROP COLUMN c;
DROP INDEX j;
DROP INDEX i;
