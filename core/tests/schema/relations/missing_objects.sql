-- Columns, indexes, constraints, types, sequences, views and tables that do not exist are
-- errors, each at its statement.
-- file: 001_schema.sql
-- revision: 001
-- down_revision: none
-- irreversible: test

-- migrate:up
CREATE TABLE t (a int);
ALTER TABLE t DROP COLUMN b;
ALTER TABLE t RENAME COLUMN c TO d;
CREATE INDEX i ON t (e);
DROP INDEX nope;
ALTER TABLE t DROP CONSTRAINT nope;
DROP TYPE nope;
ALTER TYPE nope ADD VALUE 'x';
DROP SEQUENCE nope;
DROP VIEW nope;
CREATE INDEX j ON nope (a);
